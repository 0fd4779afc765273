"""A small French archive for the store/search tests: 16 articles, figures, organisations, persons.

Written through the public API (``Store.upsert_article`` and ``save_analysis``), so the
full-text index is fed exactly as the pipeline feeds it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from veille.archive.store import Store
from veille.core.models import Analysis, Article, Figure, Mention, Organisation, Person

ADD = "Agence de développement du digital"
APEBI = "Fédération des technologies de l'information (APEBI)"
MEDZ = "Medz Sourcing"
OFPPT = "Office de la formation professionnelle (OFPPT)"

# key: (source, day, title, lead, text, themes, relevance, cluster_of)
ARTICLES: dict[str, tuple] = {
    "emplois": ("medias24", "2025-01-10", "L'offshoring crée 12 500 emplois en 2024",
                "Le secteur de l'offshoring confirme sa dynamique.",
                "Selon l'Agence de développement du digital, l'offshoring a créé 12 500 emplois en 2024. "
                "Les centres d'appels de Casablanca et de Rabat recrutent des profils bilingues.",
                ["emploi"], 0.9, None),
    "creation": ("leseco", "2025-01-20", "Création d'entreprises dans le numérique",
                 "La creation de startups accélère.",
                 "Les créations d'entreprises numériques progressent de 2,3 % selon l'APEBI. "
                 "Les jeunes pousses ciblent l'export.",
                 ["startups"], 0.6, None),
    "zone": ("lematin", "2025-02-03", "Fès-Shore : la zone franche s'agrandit de 25 hectares",
             "Medz annonce l'extension de la zone franche de Fès.",
             "Medz Sourcing investit 300 millions de dirhams dans la zone franche de Fès-Shore. "
             "L'extension couvre 25 hectares et vise 5 000 emplois.",
             ["infrastructures"], 0.85, None),
    "zone_copy": ("hespress", "2025-02-03", "Fès-Shore: extension de la zone franche",
                  "Medz annonce l'extension de la zone franche de Fès.",
                  "Medz Sourcing investit 300 millions de dirhams dans la zone franche de Fès-Shore. "
                  "L'extension couvre 25 hectares et vise 5 000 emplois.",
                  ["infrastructures"], 0.8, "zone"),
    "zone_other": ("maroc-diplomatique", "2025-02-05", "Une zone industrielle à Tanger",
                   "Tanger Med inaugure une nouvelle zone.",
                   "La zone industrielle de Tanger accueille des équipementiers automobiles. "
                   "Elle est franche de droits pour les exportateurs, précise l'opérateur.",
                   ["industrie"], 0.3, None),
    "export": ("medias24", "2025-03-01", "Exportations record pour les services offshore",
               "Les exportations de services atteignent 18 milliards de dirhams.",
               "Les exportations des métiers de l'offshoring ont atteint 18 milliards de dirhams en 2024, "
               "selon l'Office des changes. L'ADD salue une performance historique.",
               ["export"], 0.95, None),
    "tunisie": ("leseco", "2025-03-15", "Nearshore : concurrence de la Tunisie et du Portugal",
                "Le Maroc face à ses concurrents.",
                "La Tunisie et le Portugal attirent des centres d'appels. Le Maroc garde un avantage "
                "sur l'emploi francophone et les coûts salariaux.",
                ["concurrence"], 0.7, None),
    "formation": ("lematin", "2025-04-02", "L'OFPPT lance des filières offshoring",
                  "Formation aux métiers du digital.",
                  "L'OFPPT ouvre 3 000 places de formation aux métiers de l'offshoring et du développement "
                  "informatique à Casablanca. Karim Benali, directeur général, présente le programme.",
                  ["formation"], 0.75, None),
    "cyber": ("medias24", "2025-04-20", "Cybersécurité : les clients exigent davantage",
              "Les donneurs d'ordre renforcent leurs exigences.",
              "Les entreprises d'offshoring investissent dans la cybersécurité. La certification devient "
              "un critère de sélection des prestataires.",
              ["cybersecurite"], 0.65, None),
    "football": ("hespress", "2025-05-01", "Botola : le derby de Casablanca se termine sur un nul",
                 "Match nul au stade Mohammed V.",
                 "Le Raja et le Wydad se neutralisent dans un derby tendu à Casablanca.",
                 ["sport"], 0.0, None),
    "apebi": ("leseco", "2025-05-12", "Baromètre APEBI : l'emploi numérique progresse",
              "Le baromètre annuel de la fédération.",
              "L'APEBI publie son baromètre : 69 900 emplois dans le numérique en 2024, en hausse de 4,5 %. "
              "Amine Tazi, président de la fédération, appelle à former davantage.",
              ["emploi"], 0.88, None),
    "developpement": ("lematin", "2025-06-01", "Le développement des plateformes d'externalisation",
                      "Les développeurs sont recherchés.",
                      "Les développeurs marocains travaillent pour des plateformes européennes. "
                      "Le développement logiciel représente une part croissante de l'externalisation.",
                      ["emploi"], 0.7, None),
    "medz_invest": ("medias24", "2025-06-20", "Medz accélère à Oujda",
                    "Nouvelle tranche pour Oujda Shore.",
                    "Medz Sourcing engage 120 millions de dirhams pour Oujda Shore en 2025.",
                    ["infrastructures"], 0.8, None),
    "old": ("lematin", "2024-11-15", "Bilan 2024 de l'offshoring marocain",
            "Un secteur qui pèse dans l'économie.",
            "L'offshoring marocain emploie 130 000 personnes. L'ADD prépare la stratégie Maroc Digital 2030.",
            ["emploi"], 0.9, None),
    "hostile": ("leseco", "2025-07-01", "Table ronde : « DROP » des barrières et l'export",
                "Une conférence <b>tendue</b> & animée.",
                "Les intervenants réclament un « drop » des barrières administratives pour l'export de services.",
                ["export"], 0.5, None),
    "prefix": ("medias24", "2025-07-15", "Exportateurs et exportatrices du numérique",
               "Portrait d'exportateurs marocains.",
               "Les exportateurs du numérique diversifient leurs marchés vers l'Afrique.",
               ["export"], 0.6, None),
}  # fmt: skip


def _fig(text: str, span: str, value: float, unit: str, **kw) -> Figure:
    start = text.index(span)
    return Figure(text=span, start=start, end=start + len(span), value=value, unit=unit,
                  sentence=text, sentence_start=0, sentence_end=len(text), **kw)  # fmt: skip


def _org(text: str, name: str, form: str, *aliases: str, kind: str | None = None) -> Organisation:
    start = text.index(form)
    return Organisation(
        name=name, aliases=(form, *aliases), kind=kind, mentions=(Mention(start, start + len(form), form),)
    )


def load(store: Store) -> dict[str, int]:
    """Write the archive; returns the article id of each key."""
    ids: dict[str, int] = {}
    for k, (source, day, title, lead, text, themes, rel, cluster_of) in ARTICLES.items():
        art = Article(
            url=f"https://{source}.test/{k}", source=source, title=title, lead=lead, text=text,
            published=datetime.fromisoformat(day + "T09:30:00").replace(tzinfo=UTC), themes=themes,
            relevance=rel, cluster=ids[cluster_of] if cluster_of else None,
        )  # fmt: skip
        ids[k], _ = store.upsert_article(art)
    T = {k: v[4] for k, v in ARTICLES.items()}
    analyses = {
        "emplois": Analysis(
            figures=(_fig(T["emplois"], "12 500 emplois", 12500, "jobs", period="2024", metric="emplois créés",
                          organisations=(ADD,)),),
            organisations=(_org(T["emplois"], ADD, "Agence de développement du digital", "ADD", kind="agency"),),
        ),
        "creation": Analysis(
            figures=(_fig(T["creation"], "2,3 %", 2.3, "percent", period="2024", metric="croissance des créations"),),
            organisations=(_org(T["creation"], APEBI, "APEBI", kind="federation"),),
        ),
        "zone": Analysis(
            figures=(
                _fig(T["zone"], "300 millions de dirhams", 3e8, "MAD", metric="investissement", period="2025",
                     organisations=(MEDZ,)),
                _fig(T["zone"], "5 000 emplois", 5000, "jobs", metric="emplois visés", organisations=(MEDZ,)),
            ),
            organisations=(_org(T["zone"], MEDZ, "Medz Sourcing", "Medz", kind="company"),),
        ),
        "zone_copy": Analysis(
            figures=(_fig(T["zone_copy"], "300 millions de dirhams", 3e8, "MAD", metric="investissement", period="2025",
                          organisations=(MEDZ,)),),
            organisations=(_org(T["zone_copy"], MEDZ, "Medz Sourcing", "Medz", kind="company"),),
        ),
        "export": Analysis(
            figures=(_fig(T["export"], "18 milliards de dirhams", 1.8e10, "MAD", period="2024",
                          metric="chiffre d'affaires à l'export", organisations=(ADD,)),),
            organisations=(_org(T["export"], ADD, "ADD", kind="agency"),),
        ),
        "formation": Analysis(
            figures=(_fig(T["formation"], "3 000 places", 3000, "count", metric="places de formation"),),
            organisations=(_org(T["formation"], OFPPT, "OFPPT", kind="school"),),
            persons=(Person("Karim Benali", role="directeur général", organisation=OFPPT,
                            mentions=(Mention(T["formation"].index("Karim"), T["formation"].index("Karim") + 12, "Karim Benali"),)),),
        ),
        "apebi": Analysis(
            figures=(
                _fig(T["apebi"], "69 900 emplois", 69900, "jobs", period="2024", metric="emplois du numérique",
                     organisations=(APEBI,)),
                _fig(T["apebi"], "4,5 %", 4.5, "percent", period="2024", metric="croissance de l'emploi"),
            ),
            organisations=(_org(T["apebi"], APEBI, "APEBI", kind="federation"),),
            persons=(Person("Amine Tazi", role="président", organisation=APEBI),),
        ),
        "medz_invest": Analysis(
            figures=(_fig(T["medz_invest"], "120 millions de dirhams", 1.2e8, "MAD", period="2025",
                          metric="investissement", organisations=(MEDZ,)),),
            organisations=(_org(T["medz_invest"], MEDZ, "Medz Sourcing", kind="company"),),
        ),
        "old": Analysis(
            figures=(_fig(T["old"], "130 000 personnes", 130000, "jobs", period="2024", metric="emplois du secteur",
                          organisations=(ADD,)),),
            organisations=(_org(T["old"], ADD, "ADD", kind="agency"),),
        ),
    }  # fmt: skip
    for k, analysis in analyses.items():
        store.save_analysis(ids[k], analysis, "test-1")
    return ids


def with_indicators(store: Store, ids: dict[str, int]) -> Store:
    """The archive with what issue 14 adds to its figures: the Fès-Shore jobs are a target, the
    Fès-Shore investment is announced, one rent is a rate per m² and per month."""
    zone = ARTICLES["zone"][4]
    store.save_analysis(
        ids["zone"],
        Analysis(
            figures=(
                _fig(zone, "300 millions de dirhams", 3e8, "MAD", metric="investissement", period="2025",
                     organisations=(MEDZ,), indicator="investissement", status="announced"),
                _fig(zone, "5 000 emplois", 5000, "jobs", metric="emplois visés", organisations=(MEDZ,),
                     indicator="emplois_crees", status="target"),
                _fig(zone, "25 hectares", 80, "MAD", metric="loyer", indicator="loyer", per="m2/month"),
            )
        ),
        "test-2",
    )  # fmt: skip
    apebi = ARTICLES["apebi"][4]
    store.save_analysis(
        ids["apebi"],
        Analysis(figures=(_fig(apebi, "69 900 emplois", 69900, "jobs", period="2024",
                               metric="emplois du numérique", indicator="effectif"),)),
        "test-2",
    )  # fmt: skip
    return store
