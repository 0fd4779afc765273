"""A small French archive for the web tests: articles, figures, organisations, runs, a digest.

Built through the store's public API (``upsert_article`` / ``save_analysis``), no spaCy.
Offsets are computed from the text so the fixture cannot drift from its own strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from veille.archive import schema as t
from veille.archive.store import Store
from veille.core.models import Analysis, Article, Figure, Mention, Organisation, Person

REPO = Path(__file__).resolve().parents[2]
EVIL_ORG = "Evil <script>window.pwned=6</script> Corp"
EXTRACTOR = "test-1"

SOURCES_TOML = """
[[source]]
name = "medias24"
label = "Médias24"
kind = "rss"
urls = ["https://medias24.example/feed/"]

[[source]]
name = "atlas-eco"
kind = "listing"
urls = ["https://atlas-eco.example/actualites/"]

[[source]]
name = "le-matin"
label = "Le Matin"
kind = "rss"
urls = ["https://lematin.example/rss"]

[[source]]
name = "archives-off"
kind = "rss"
urls = ["https://off.example/rss"]
enabled = false
"""


def write_config(config_dir: Path, *, public_read: bool = True, password_hash: str | None = None) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    for name in ("figures.toml", "organisations.toml"):
        src = REPO / "config" / name
        if src.exists():
            (config_dir / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (config_dir / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    lines = ["[web]", f"public_read = {'true' if public_read else 'false'}", 'secure_cookies = "auto"']
    if password_hash:
        lines.append(f'admin_password_hash = "{password_hash}"')
    (config_dir / "web.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config_dir


def _sentence_of(text: str, start: int) -> tuple[int, int]:
    """Bounds of the sentence around ``start`` (ends at '. ' or a newline)."""
    begin = max(
        text.rfind(". ", 0, start) + 2 if text.rfind(". ", 0, start) >= 0 else 0,
        text.rfind("\n", 0, start) + 1,
    )
    ends = [i for i in (text.find(". ", start), text.find("\n", start)) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return begin, end


def fig(text: str, span: str, value: float, unit: str, **kw: object) -> Figure:
    start = text.index(span)
    s0, s1 = _sentence_of(text, start)
    return Figure(
        text=span, start=start, end=start + len(span), value=value, unit=unit,
        sentence=text[s0:s1], sentence_start=s0, sentence_end=s1, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def org(
    text: str, name: str, *forms: str, kind: str | None = None, acronym: str | None = None
) -> Organisation:
    mentions = []
    for form in forms or (name,):
        for m in re.finditer(re.escape(form), text):
            mentions.append(Mention(m.start(), m.end(), form))
    return Organisation(name=name, aliases=tuple(forms), kind=kind, acronym=acronym, mentions=tuple(mentions))


@dataclass
class Fixture:
    ids: dict[str, int] = field(default_factory=dict)


def d(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


EXPORT_TEXT = (
    "Le secteur de l'offshoring a réalisé un chiffre d'affaires à l'export de 18 milliards de DH en 2024, "
    "selon l'Agence de développement du digital. Le secteur emploie désormais 130 000 personnes.\n\n"
    "La Fédération marocaine des technologies de l'information (APEBI) salue ces résultats et vise 2030."
)


def build_archive(store: Store) -> Fixture:
    fx = Fixture()

    def add(key: str, article: Article, analysis: Analysis | None = None) -> int:
        aid, _ = store.upsert_article(article)
        if analysis is not None:
            store.save_analysis(aid, analysis, EXTRACTOR)
        fx.ids[key] = aid
        return aid

    add_org = org(EXPORT_TEXT, "Agence de développement du digital", "Agence de développement du digital",
                  kind="agency", acronym="ADD")  # fmt: skip
    apebi = org(
        EXPORT_TEXT, "Fédération marocaine des technologies de l'information", "APEBI", kind="federation"
    )
    export_analysis = Analysis(
        figures=(
            fig(EXPORT_TEXT, "18 milliards de DH", 1.8e10, "MAD", period="2024",
                metric="chiffre d'affaires à l'export", organisations=("Agence de développement du digital",),
                indicator="exportations"),
            fig(EXPORT_TEXT, "130 000 personnes", 130000, "jobs", metric="emplois du secteur", indicator="effectif"),
        ),
        organisations=(add_org, apebi),
    )  # fmt: skip
    common = dict(title="Offshoring : les exportations atteignent 18 milliards de DH en 2024", text=EXPORT_TEXT,
                  language="fr", relevance=0.95, themes=["exportations", "emploi"])  # fmt: skip
    first = add("export", Article(url="https://medias24.example/2025/01/14/offshoring-export/", source="medias24",
                                  published=d("2025-01-14"), lead="Un record pour le secteur.", **common), export_analysis)  # fmt: skip
    add("export-copy1", Article(url="https://lematin.example/offshoring-18-milliards", source="le-matin",
                                published=d("2025-01-14"), cluster=first, **common), export_analysis)  # fmt: skip
    add("export-copy2", Article(url="https://atlas-eco.example/2025/01/15/export/", source="atlas-eco",
                                published=d("2025-01-15"), cluster=first, **common), export_analysis)  # fmt: skip

    fes = ("Fès Shore s'agrandit : MedZ annonce une extension de 25 hectares. "
           "Le parc accueillera 3 000 emplois supplémentaires d'ici 2027.")  # fmt: skip
    add("fes", Article(url="https://atlas-eco.example/2025/02/03/fes-shore/", source="atlas-eco",
                       title="Fès Shore : une extension de 25 hectares", text=fes, published=d("2025-02-03"),
                       relevance=0.8, themes=["infrastructures"]),
        Analysis(figures=(fig(fes, "25 hectares", 250000, "m2", metric="superficie de l'extension"),
                          fig(fes, "3 000 emplois", 3000, "jobs", period="2027", metric="emplois supplémentaires",
                              organisations=("MedZ",), indicator="emplois_crees", status="target")),
                 organisations=(org(fes, "MedZ", "MedZ", kind="zone_operator"),)))  # fmt: skip

    talents = ("L'ADD lance un programme de formation de 5 000 talents du numérique. "
               "La ministre Amal El Fallah Seghrouchni a présidé la signature.")  # fmt: skip
    add("talents", Article(url="https://medias24.example/2025/02/20/add-talents/", source="medias24",
                           title="L'ADD forme 5 000 talents", text=talents, published=d("2025-02-20"),
                           relevance=0.9, themes=["emploi", "formation"]),
        Analysis(figures=(fig(talents, "5 000 talents", 5000, "count", metric="talents formés",
                              organisations=("Agence de développement du digital",)),),
                 organisations=(org(talents, "Agence de développement du digital", "ADD", kind="agency", acronym="ADD"),),
                 persons=(Person("Amal El Fallah Seghrouchni", role="ministre"),)))  # fmt: skip

    cyber = ("Les donneurs d'ordre européens exigent des garanties : 45 % des contrats d'offshoring "
             "incluent désormais une clause de cybersécurité, selon la DGSSI.")  # fmt: skip
    add("cyber", Article(url="https://atlas-eco.example/2025/03/05/cyber/", source="atlas-eco",
                         title="Cybersécurité : les clients de l'offshoring exigent plus", text=cyber,
                         published=d("2025-03-05"), relevance=0.7, themes=["cybersécurité"]),
        Analysis(figures=(fig(cyber, "45 %", 45.0, "percent", metric="part des contrats avec clause"),),
                 organisations=(org(cyber, "Direction générale de la sécurité des systèmes d'information", "DGSSI",
                                    kind="public_body", acronym="DGSSI"),)))  # fmt: skip

    majorel = ("Teleperformance finalise l'intégration de Majorel au Maroc, un ensemble de 1,2 milliard de DH "
               "de chiffre d'affaires local.")  # fmt: skip
    add("majorel", Article(url="https://lematin.example/teleperformance-majorel", source="le-matin",
                           title="Teleperformance et Majorel : l'intégration au Maroc", text=majorel,
                           published=d("2025-03-18"), relevance=0.85, themes=["entreprises"]),
        Analysis(figures=(fig(majorel, "1,2 milliard de DH", 1.2e9, "MAD", metric="chiffre d'affaires",
                              organisations=("Teleperformance",)),),
                 organisations=(org(majorel, "Teleperformance", "Teleperformance", kind="company"),
                                org(majorel, "Majorel", "Majorel", kind="company"))))  # fmt: skip

    evil_text = (
        "Offshoring piégé <script>window.pwned=1;document.title='pwned'</script> : 10 % de hausse "
        "selon Evil Corp. <img src=x onerror=\"window.pwned=2;document.title='pwned'\"> "
        '<a href="javascript:window.pwned=3">cliquez ici</a> =HYPERLINK("http://evil.example")'
    )
    add("evil", Article(
        url="https://piege.example/offshoring-piege", canonical_url="javascript:window.pwned=4",
        source="piege", title="<script>window.pwned=5</script>Offshoring <img src=x onerror=\"window.pwned=7\">",
        lead="<a href=\"javascript:window.pwned=8\">lire</a>", text=evil_text, published=d("2025-03-20"),
        relevance=0.6, themes=["<i>piège</i>"], author="<b onmouseover=\"window.pwned=9\">auteur</b>"),
        Analysis(figures=(fig(evil_text, "10 %", 10.0, "percent", metric="<b>hausse</b>",
                              organisations=(EVIL_ORG,)),),
                 organisations=(org(evil_text, EVIL_ORG, "Evil Corp", kind="company"),)))  # fmt: skip

    add("foot", Article(url="https://atlas-eco.example/2024/11/02/botola/", source="atlas-eco",
                        title="Botola : derby nul à Casablanca", text="Le derby s'est terminé sur un score nul.",
                        published=d("2024-11-02"), relevance=0.05, themes=["sport"]))  # fmt: skip

    run = store.start_run("crawl")
    store.record_source(
        run, "medias24", {"fetched": 12, "new": 2, "duplicate": 10, "dropped": 0, "errors": 0}
    )
    store.record_source(run, "atlas-eco", {"fetched": 8, "new": 1, "duplicate": 5, "dropped": 2, "errors": 1,
                                           "drop_reasons": {"hors sujet": 2},
                                           "error_messages": ["HTTP 503 https://atlas-eco.example/actualites/page/2/"]})  # fmt: skip
    store.record_source(
        run, "le-matin", {"fetched": 0, "new": 0, "errors": 3, "error_messages": ["DNS lookup failed"]}
    )
    store.finish_run(run, "ok")

    with store.engine.begin() as conn:
        fx.ids["digest"] = conn.execute(
            insert(t.digests).values(
                period="2025-W12", status="sent", subject="Veille offshoring — semaine 12",
                html="<h1 style=\"color:#14325a\">Semaine 12</h1><p>Trois articles.</p>"
                     "<script>parent.pwned=10</script><img src=x onerror=\"parent.pwned=11\">",
                text="Semaine 12\nTrois articles.", pinned=[], excluded=[], built_at=d("2025-03-21"),
            ).returning(t.digests.c.id)
        ).scalar_one()  # fmt: skip
    return fx
