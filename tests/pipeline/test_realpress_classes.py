"""The error classes met on real press (issue "Figures and organisations that hold on real press"):
each sentence is written here in the way the press writes it, with what an analyst must read."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.nlp import analyze, build_nlp
from veille.core.errors import ConfigError
from veille.core.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def full():
    return build_nlp()


def figures(full, text: str, published: date | None = None) -> list[tuple]:
    return [(f.text, f.value, f.unit) for f in analyze(text, nlp=full, published=published).figures]


def one(full, text: str, span: str, published: date | None = None):
    found = [f for f in analyze(text, nlp=full, published=published).figures if f.text == span]
    assert found, f"{span!r} not found in {[f.text for f in analyze(text, nlp=full).figures]}"
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "L'entreprise est passée de 40 salariés à 3 200, puis à 5 000 en 2024.",
            [("40 salariés", 40, "jobs"), ("3 200", 3200, "jobs"), ("5 000", 5000, "jobs")],
        ),
        (
            "Le Maroc compte 16.000 salariés, devant le Sénégal (7.500) et la Tunisie (8.000).",
            [("16.000 salariés", 16000, "jobs"), ("7.500", 7500, "jobs"), ("8.000", 8000, "jobs")],
        ),
        (
            "Nous sommes 3000 à Casablanca, 1200 à Oujda et 800 collaborateurs à Tanger.",
            [("3000", 3000, "jobs"), ("1200", 1200, "jobs"), ("800 collaborateurs", 800, "jobs")],
        ),
        (
            "Le groupe a recruté 500 jeunes, 300 d'entre eux sont ingénieurs.",
            [("500 jeunes", 500, "jobs"), ("300", 300, "jobs")],
        ),
        (
            "La croissance a atteint 5 pc et la part a gagné 2 points.",
            [("5 pc", 5, "percent"), ("2 points", 2, "points")],
        ),
        ("Le centre occupe 2.100 m2 sur 4 niveaux.", [("2.100 m2", 2100, "m2"), ("4 niveaux", 4, "count")]),
        ("Le Maroc a perdu deux places et se classe au 5e rang, parmi les 50 pays les plus attractifs.", []),
        ("Le groupe a livré 2.000 PC portables aux écoles.", [("2.000 PC", 2000, "count")]),
        (
            "Le segment est porté par une croissance annuelle de 20 à 30% des revenus.",  # a range, not "from 20 to 30"
            [("20 à 30%", 20, "percent")],
        ),
        (
            "Le paiement mobile est passé de 9,7 millions de dirhams en 2023 à 19,7 millions en 2024.",
            [("9,7 millions de dirhams", 9.7e6, "MAD"), ("19,7 millions", 19.7e6, "MAD")],
        ),
        ("Outsourcia, un centre d'appels de 450 personnes à Casablanca.", [("450 personnes", 450, "jobs")]),
        (
            "Le groupe a attiré 800 nouveaux talents et il en a recruté 1100 de plus.",
            [("800 nouveaux talents", 800, "jobs"), ("1100", 1100, "jobs")],
        ),
        (
            "Son équipe composée de 120 personnes occupe 2780 m2 de bureaux.",
            [("120 personnes", 120, "jobs"), ("2780 m2", 2780, "m2")],
        ),
        ("Le salon a accueilli 5 000 personnes.", [("5 000 personnes", 5000, "count")]),
        # "sur cinq ans" is a duration, not a ratio as in "un candidat sur cinq"
        ("Le groupe s'est engagé à créer 1.200 emplois sur cinq ans.", [("1.200 emplois", 1200, "jobs")]),
        (
            "Le site compte 12 bureaux sur deux étages.",
            [("12 bureaux", 12, "count"), ("deux étages", 2, "count")],
        ),
        # "mille" takes no "de": the noun right after it is what is counted
        (
            "L'opérateur emploie 4 mille agents et prévoit 250 mille dirhams.",
            [("4 mille agents", 4000, "jobs"), ("250 mille dirhams", 250_000, "MAD")],
        ),
        # "M" is millions before a currency, or before "de" and what is counted; alone it is nothing
        (
            "Le pays compte 42,5 M d'habitants, dont 18 M d'abonnés, et un budget de 12 M de dirhams sur 5 M.",
            [
                ("42,5 M d'habitants", 42_500_000, "count"),
                ("18 M d'abonnés", 18_000_000, "count"),
                ("12 M de dirhams", 12_000_000, "MAD"),
            ],
        ),
    ],
)
def test_numbers_read_as_the_press_writes_them(full, text: str, expected: list[tuple]) -> None:
    assert figures(full, text) == expected


def test_a_shared_multiplier_applies_to_both_ends_of_a_range(full) -> None:
    f = one(full, "Les projets coûtent de 2 à 20 millions de dirhams.", "2 à 20 millions de dirhams")
    assert (f.value, f.range_max, f.unit) == (2e6, 2e7, "MAD")


@pytest.mark.parametrize(
    ("text", "span", "value", "approx", "qualifier"),
    [
        (
            "On compte quelques centaines de salariés.",
            "quelques centaines de salariés",
            100,
            True,
            "more_than",
        ),
        ("Le groupe sert des milliers de clients.", "des milliers de clients", 1000, True, "more_than"),
        ("L'effectif avoisine 1.200 personnes.", "1.200 personnes", 1200, True, None),
        (
            "Plus d'une quinzaine d'entreprises se sont installées.",
            "une quinzaine d'entreprises",
            15,
            True,
            "more_than",
        ),
        ("Près de 300 ingénieurs y travaillent.", "300 ingénieurs", 300, True, None),
    ],
)
def test_approximations(
    full, text: str, span: str, value: float, approx: bool, qualifier: str | None
) -> None:
    f = one(full, text, span)
    assert (f.value, f.approx, f.qualifier) == (value, approx, qualifier)


def test_rates_keep_what_they_are_per(full) -> None:
    text = "Un téléconseiller gagne 450 euros par mois et le loyer est de 80 DH/m²/mois."
    salary, rent = one(full, text, "450 euros"), one(full, text, "80 DH")
    assert (salary.per, salary.indicator) == ("month", "salaire")
    assert (rent.per, rent.indicator) == ("m2/month", "loyer")


def test_today_and_last_year_take_the_publication_year(full) -> None:
    text = "Aujourd'hui, le secteur emploie 120.000 personnes, contre 100.000 l'an dernier."
    now, before = (
        one(full, text, "120.000 personnes", date(2024, 6, 1)),
        one(full, text, "100.000", date(2024, 6, 1)),
    )
    assert (now.period, before.period) == ("2024", "2023")
    assert one(full, text, "120.000 personnes").period is None  # no publication date: left open


def test_fractions_of_a_whole(full) -> None:
    text = "Les femmes représentent le quart de l'effectif et la moitié des cadres."
    assert [(f.value, f.unit) for f in analyze(text, nlp=full).figures] == [(25, "percent"), (50, "percent")]


@pytest.mark.parametrize(
    ("text", "span", "status"),
    [
        ("L'objectif est de créer 3.000 startups à l'horizon 2030.", "3.000 startups", "target"),
        ("Le chiffre d'affaires devrait atteindre 10 milliards de DH.", "10 milliards de DH", "forecast"),
        ("Le groupe va investir 200 millions de dirhams à Oujda.", "200 millions de dirhams", "announced"),
        ("Le groupe a annoncé un chiffre d'affaires de 640 MDH pour 2024.", "640 MDH", "actual"),
        (
            "Les investissements ont atteint 1 milliard de DH, pas loin de 1,5 milliard attendu en 2020.",
            "1,5 milliard",
            "forecast",
        ),
        (
            "Rabat entend investir onze milliards de dirhams – soit 1,22 milliard de dollars – d'ici 2026.",
            "1,22 milliard de dollars",
            "announced",
        ),
        (
            "La commission a approuvé 15 projets pour un montant de 10,8 milliards de dirhams.",
            "15 projets",
            "actual",
        ),
        (
            "La stratégie vise à porter les exportations de 17,9 milliards de DH en 2023 à 40 MMDH en 2030.",
            "40 MMDH",
            "target",
        ),
        ("Nous avons recruté d'ores et déjà 170 ingénieurs.", "170 ingénieurs", "actual"),
        # an intention is a decision not yet carried out
        ("L'opérateur envisage de recruter 300 agents supplémentaires.", "300 agents", "announced"),
        ("Le groupe a l'intention de recruter 500 ingénieurs.", "500 ingénieurs", "announced"),
        ("Un nouveau site de 400 positions verra le jour à Meknès.", "400 positions", "announced"),
        (
            "Le groupe a débloqué une enveloppe de 20 millions de dirhams pour son futur campus.",
            "20 millions de dirhams",
            "announced",
        ),
        ("Le groupe compte porter ses effectifs à 5.000 collaborateurs.", "5.000 collaborateurs", "target"),
        # projects that are the subject of a verb in the future are not yet made; signed ones are
        ("Dès 2026, 46 projets stratégiques seront déployés dans la région.", "46 projets", "announced"),
        ("Deux mémorandums d'entente ont été signés avec le groupe.", "Deux mémorandums", "actual"),
        # one goal governs the infinitives coordinated after it
        (
            "Le gouvernement vise à former 100.000 jeunes par an et à créer 240.000 emplois dans le numérique.",
            "240.000 emplois",
            "target",
        ),
        # a programme that "doit permettre de créer" jobs sets a goal, it does not forecast
        (
            "Le programme, qui vise à attirer les investisseurs, doit permettre de créer plus de 50 000 emplois.",
            "50 000 emplois",
            "target",
        ),
        ("Le groupe a recruté 300 ingénieurs et compte en recruter 500 de plus.", "500", "announced"),
        # a hiring announced is not yet made (a turnover announced is, see above)
        ("Intelcia annonce 1.000 recrutements au Maroc.", "1.000 recrutements", "announced"),
        # works in progress, a purpose, a promised outcome, a plan to invest
        ("La deuxième tranche, de 50.000 m², est en cours d'aménagement.", "50.000 m²", "announced"),
        (
            "Le groupe a obtenu un terrain pour construire un centre de 800 positions.",
            "800 positions",
            "announced",
        ),
        (
            "Le groupe s'implante à Tétouan avec 600 emplois à la clé.",
            "600 emplois",
            "announced",
        ),
        (
            "La société lance un plan d'investissement de 50 millions d'euros sur trois ans.",
            "50 millions d'euros",
            "announced",
        ),
    ],
)
def test_status_says_whether_it_has_happened(full, text: str, span: str, status: str) -> None:
    assert one(full, text, span).status == status


@pytest.mark.parametrize(
    ("text", "span", "indicator"),
    [
        (
            "Le secteur a réalisé 10 milliards de DH de chiffre d'affaires à l'export.",
            "10 milliards de DH",
            "exportations",
        ),
        ("Le groupe a réalisé un chiffre d'affaires de 640 MDH.", "640 MDH", "chiffre_affaires"),
        ("Le secteur emploie 120.000 personnes.", "120.000 personnes", "effectif"),
        ("Le projet permettra de créer 5.000 emplois.", "5.000 emplois", "emplois_crees"),
        ("Le site compte 23 centres de contacts.", "23 centres de contacts", "sites"),
        ("Les exportations ont progressé de 8,4 % en un an.", "8,4 %", "croissance"),
        ("Le secteur représente 5 % de la croissance du PIB.", "5 %", "part"),
        ("L'IR est plafonné à 20 % pour les sociétés du parc.", "20 %", "autre"),
        ("La start-up a levé 26 millions de dollars auprès de fonds.", "26 millions de dollars", "fonds"),
        # a change in points of a rate the text names is that rate; of an unnamed one, a change
        ("Le taux de chômage a baissé de 0,5 point, passant de 9,7 % à 9,2 %.", "0,5 point", "taux_chomage"),
        ("La marge opérationnelle a progressé de 2 points en un an.", "2 points", "croissance"),
    ],
)
def test_indicator_is_what_is_measured(full, text: str, span: str, indicator: str) -> None:
    assert one(full, text, span).indicator == indicator


@pytest.mark.parametrize(
    "text",
    [
        "Le secteur occupe un rang de choix côté chiffre d'affaires, avec 70 % du total.",
        "Le parc, situé à Rabat, compte 40 entreprises.",
        "Une vague de recrutements : une dizaine de sociétés cherchent 300 profils.",
    ],
)
def test_a_metric_is_never_a_place_a_filler_or_a_unit(full, text: str) -> None:
    for f in analyze(text, nlp=full).figures:
        assert f.metric is None or f.metric.split()[0] not in {"côté", "rabat", "vague", "dizaine", "%", "dh"}


def test_the_taxonomy_is_checked(tmp_path) -> None:
    bad = tmp_path / "indicators.toml"
    bad.write_text(
        '[emplois]\nlabel = "Emplois"\ndefinition = "x"\nunits = ["jobs", "heures"]\n[autre]\nlabel = "Autre"\ndefinition = "x"\nunits = ["count"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"indicators.toml \[emplois.units.*heures"):
        load_taxonomy(bad)
    taxonomy = load_taxonomy()
    assert len(taxonomy.indicators) >= 15 and "autre" in taxonomy.indicators


def test_a_pasted_page_header_yields_nothing_and_a_dateline_keeps_its_agency(full) -> None:
    text = (
        "Lundi 7 décembre 2026 | 18°C Casablanca\n"
        "Accueil Economie Entreprises Sport Culture Régions\n"
        "Economie > Offshoring\n\n"
        "Casablanca, 12 mars (MAP) – Le secteur de l'offshoring a créé 5.000 emplois en 2025, selon l'AMRC."
    )
    a = analyze(text, nlp=full)
    assert [(f.text, f.value) for f in a.figures] == [("5.000 emplois", 5000)]  # no date, no temperature
    assert [o.name for o in a.organisations] == [
        "Maghreb Arabe Presse",
        "Association marocaine de la relation client",
    ]


@pytest.mark.parametrize(
    ("text", "span", "metric"),
    [
        # the verb that governs an amount names it when no noun does, in any tense
        (
            "Rabat entend investir onze milliards de dirhams d'ici 2026.",
            "onze milliards de dirhams",
            "montant investi",
        ),
        (
            "La start-up a été rachetée pour 15 millions de dollars.",
            "15 millions de dollars",
            "prix de rachat",
        ),
        ("Le projet coûtera 80 millions de dirhams.", "80 millions de dirhams", "coût"),
        # and a change of a rate: what changed, and the value it is compared with
        ("Le total des produits a baissé de 1 % sur l'exercice.", "1 %", "baisse"),
        ("Le secteur devrait progresser de 10 % en 2012, après 17 % en 2011.", "17 %", "progression"),
        # an area is a surface even when no noun is named
        ("La zone s'étend sur 150 hectares, dont 50 hectares déjà aménagés.", "50 hectares", "superficie"),
        # a share keeps its whole's own words
        ("Le groupe réalise 30 % de son activité en Afrique.", "30 %", "part de son activité"),
        (
            "La Tunisie, qui pèse environ 20 % du chiffre d'affaires du secteur, reste attractive.",
            "20 %",
            "part du chiffre d'affaires",
        ),
    ],
)
def test_a_metric_is_named_when_the_parse_names_no_noun(full, text: str, span: str, metric: str) -> None:
    assert one(full, text, span).metric == metric


def test_a_fall_is_a_change_and_the_value_it_follows_has_happened(full) -> None:
    assert one(full, "Le total des produits a baissé de 1 % sur l'exercice.", "1 %").indicator == "croissance"
    text = "Le secteur devrait progresser de 10 % en 2012, après 17 % en 2011."
    assert [one(full, text, s).status for s in ("10 %", "17 %")] == ["forecast", "actual"]
