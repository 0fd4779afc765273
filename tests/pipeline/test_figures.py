"""The figure extractor, form by form: numbers, units, qualifiers, ranges, periods, traps."""

from __future__ import annotations

import pytest

from pipeline.evaluation.figures import score_article, values_match
from pipeline.figures import figures_from_doc
from pipeline.numbers import parse_digits
from veille.core.models import Figure


def one(nlp, text: str) -> Figure:
    figures = nlp(text)._.figures
    assert len(figures) == 1, [(f.text, f.value, f.unit) for f in figures]
    return figures[0]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("69.900", 69900), ("51 000", 51000), ("1\u00a0200\u00a0000", 1200000), ("1\u202f500", 1500),
     ("1,5", 1.5), ("1.5", 1.5), ("0,9", 0.9), ("1.200,5", 1200.5)],
)  # fmt: skip
def test_parse_digits(raw: str, value: float) -> None:
    assert parse_digits(raw) == value


@pytest.mark.parametrize(
    ("text", "span", "value", "unit"),
    [
        ("Le chiffre d'affaires atteint 10 milliards de DH.", "10 milliards de DH", 1e10, "MAD"),
        ("Les exportations ont atteint 18 MMDH.", "18 MMDH", 18e9, "MAD"),
        ("Un investissement de 320 MDH est prévu.", "320 MDH", 320e6, "MAD"),
        ("L'excédent est de 2,4 Mds DH.", "2,4 Mds DH", 2.4e9, "MAD"),
        ("Le salaire est de 4 800 Dhs par mois.", "4 800 Dhs", 4800, "MAD"),
        ("Une prime de 25.000 dirhams est versée.", "25.000 dirhams", 25000, "MAD"),
        ("Le budget est de 150 millions de dirhams.", "150 millions de dirhams", 150e6, "MAD"),
        ("Un fonds d'un demi-milliard de dirhams.", "un demi-milliard de dirhams", 5e8, "MAD"),
        ("Un plan de deux milliards de DH.", "deux milliards de DH", 2e9, "MAD"),
        ("Le groupe réalise 85 M€ de revenus.", "85 M€", 85e6, "EUR"),
        ("Un contrat de 60 millions d'euros.", "60 millions d'euros", 60e6, "EUR"),
        ("Un budget de 25 k€ par an.", "25 k€", 25e3, "EUR"),
        ("Une levée de 40 millions de dollars.", "40 millions de dollars", 40e6, "USD"),
        ("Valorisée à 300 M$.", "300 M$", 300e6, "USD"),
        ("La croissance est de 2,3%.", "2,3%", 2.3, "percent"),
        ("Elle a progressé de 6,4 pour cent.", "6,4 pour cent", 6.4, "percent"),
        (
            "La part a reculé de 2,1 points de pourcentage.",
            "2,1 points de pourcentage",
            2.1,
            "points",
        ),  # percentage points have their own unit
        ("Le secteur compte 69.900 emplois directs.", "69.900 emplois", 69900, "jobs"),
        ("Ils recruteront 800 téléconseillers.", "800 téléconseillers", 800, "jobs"),
        ("Le site compte 1 800 positions de travail.", "1 800 positions de travail", 1800, "seats"),
        ("Il prévoit 750 postes de travail.", "750 postes de travail", 750, "seats"),
        ("La zone accueille 120 entreprises.", "120 entreprises", 120, "count"),
        ("La zone accueille 5 000 nouveaux emplois.", "5 000 nouveaux emplois", 5000, "jobs"),
        ("Une trentaine d'entreprises sont installées.", "Une trentaine d'entreprises", 30, "count"),
        ("Ils ont visité une dizaine de sites.", "une dizaine de sites", 10, "count"),
        ("Il faut cinq cents emplois.", "cinq cents emplois", 500, "jobs"),
        ("Il a formé trois mille stagiaires.", "trois mille stagiaires", 3000, "count"),
        ("Un parc de 100 000 m² de bureaux.", "100 000 m²", 1e5, "m2"),
        ("Un terrain de 4 200 mètres carrés.", "4 200 mètres carrés", 4200, "m2"),
        ("Le parc s'étend sur 53 hectares.", "53 hectares", 530000, "m2"),
        ("Une centaine de navettes circulent.", "Une centaine de navettes", 100, "count"),
        ("Il emploie 1 200 personnes.", "1 200 personnes", 1200, "jobs"),
        ("Il a formé 1 200 personnes.", "1 200 personnes", 1200, "count"),
    ],
)
def test_forms(nlp, text: str, span: str, value: float, unit: str) -> None:
    f = one(nlp, text)
    assert (f.text, f.unit) == (span, unit)
    assert values_match(f.value, value)


@pytest.mark.parametrize(
    ("text", "qualifier", "approx"),
    [
        ("Le secteur emploie plus de 110 000 personnes.", "more_than", False),
        ("Un coût qui dépasse 10.000 DH.", "more_than", False),
        ("Au-delà de 60 % du coût est financé.", "more_than", False),
        ("Pas moins de 700 entreprises ont postulé.", "more_than", False),
        ("Moins de 3 000 postes sont ouverts.", "less_than", False),
        ("Des dépenses sous la barre des 2 %.", "less_than", False),
        ("Un budget inférieur à 50 000 dirhams.", "less_than", False),
        ("Une prime pouvant atteindre 30 000 DH.", "up_to", False),
        ("Un loyer plafonné à 95 dirhams.", "up_to", False),
        ("Il recrutera jusqu'à 2 000 agents.", "up_to", False),
        ("Près de 3 000 personnes y travaillent.", None, True),
        ("Environ 140.000 salariés.", None, True),
        ("Quelque 120 entreprises.", None, True),
        ("Un taux autour de 30%.", None, True),
        ("Une vingtaine d'entreprises.", None, True),
    ],
)
def test_qualifiers(nlp, text: str, qualifier: str | None, approx: bool) -> None:
    f = one(nlp, text)
    assert (f.qualifier, f.approx) == (qualifier, approx)


@pytest.mark.parametrize(
    ("text", "span", "low", "high", "unit"),
    [
        ("Une croissance entre 3 et 5% par an.", "3 et 5%", 3, 5, "percent"),
        ("Une hausse de 15 à 20% par an.", "15 à 20%", 15, 20, "percent"),
        ("Des projets de 3 à 5 milliards de DH.", "3 à 5 milliards de DH", 3e9, 5e9, "MAD"),
        ("Un taux entre 10% et 12%.", "10% et 12%", 10, 12, "percent"),
        (
            "Des tickets de 200.000 à 2 millions de dirhams.",
            "200.000 à 2 millions de dirhams",
            2e5,
            2e6,
            "MAD",
        ),
        ("Il faut entre 400 et 500 ingénieurs.", "400 et 500 ingénieurs", 400, 500, "jobs"),
    ],
)
def test_ranges(nlp, text: str, span: str, low: float, high: float, unit: str) -> None:
    f = one(nlp, text)
    assert (f.text, f.unit, f.value, f.range_max) == (span, unit, low, high)


def test_from_to_is_two_figures(nlp) -> None:
    figures = nlp("Le taux est passé de 12 à 14 % en deux ans.")._.figures
    assert [(f.text, f.value, f.unit, f.range_max) for f in figures] == [
        ("12", 12, "percent", None),
        ("14 %", 14, "percent", None),
    ]


def test_sign_is_kept(nlp) -> None:
    assert one(nlp, "Les volumes reculent de -1,8% sur un an.").value == -1.8
    assert one(nlp, "Les volumes progressent de +12 % sur un an.").value == 12


def test_implied_currency(nlp) -> None:
    figures = nlp(
        "Les recettes ont atteint 40 milliards de DH. Il prévoit 18 milliards additionnels."
    )._.figures
    assert [(f.text, f.value, f.unit) for f in figures][1] == ("18 milliards", 18e9, "MAD")
    assert nlp("La ville compte 1,2 million de touristes.")._.figures[0].unit == "count"
    assert nlp("Un marché de 1,5 milliard.")._.figures == []  # no currency anywhere


def test_inherited_unit(nlp) -> None:
    figures = nlp("Il compte 12 000 emplois, dont 3 000 à Fès, contre environ 9 500 en 2020.")._.figures
    assert [(f.value, f.unit) for f in figures] == [(12000, "jobs"), (3000, "jobs"), (9500, "jobs")]


@pytest.mark.parametrize(
    "text",
    [
        "En 2018, le secteur s'est développé.",
        "Le plan couvre la période 2014-2020 et vise l'horizon 2030.",
        "La réunion a eu lieu le 12 mars 2025 à 10h30.",
        "Les sites sont certifiés ISO 27001 depuis la crise du Covid-19.",
        "La 5G et l'Industrie 4.0 arrivent à CasaNearshore 2.",
        "Le Maroc occupe le deuxième rang, à la 3e place, 1er en Afrique.",
        "Les candidats âgés de 25 ans suivent une formation pendant 3 ans et six mois.",
        "Contact : 05 22 98 76 54, loi n° 05-20, décret n° 2-21-406.",
        "Une entreprise et un site ont été retenus ; les deux pays ont signé.",
        "Une hausse de 12 a été notée au premier trimestre 2025.",
        "Un candidat sur 5 est retenu, 4 entreprises sur 10 ont été attaquées.",
        "Le programme Maroc Digital 2030 a été lancé en S1 2024.",
    ],
)
def test_not_figures(nlp, text: str) -> None:
    assert nlp(text)._.figures == []


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Les exportations ont atteint 18 MMDH en 2023.", "2023"),
        ("Sur la période 2014-2018, 5 000 emplois ont été créés.", "2014-2018"),
        ("Entre 2014 et 2018, 5 000 emplois ont été créés.", "2014-2018"),
        ("Au premier trimestre 2025, les ventes ont bondi de 11,2%.", "2025-Q1"),
        ("Au T1 2025, les ventes ont bondi de 11,2%.", "2025-Q1"),
        ("Au S1 2024, les ventes ont bondi de 11,2%.", "2024-H1"),
        ("L'objectif est de 270.000 emplois à l'horizon 2030.", "2030"),
        ("Il compte 120 entreprises.", None),
        # months of one year: their own period, never the year
        ("Les recettes ont atteint 18,2 milliards de DH à fin septembre 2025.", "2025-01..09"),
        (
            "Au cours des neuf premiers mois de 2025, les recettes ont atteint 18,2 milliards de DH.",
            "2025-01..09",
        ),
        ("De janvier à septembre 2025, les recettes ont atteint 18,2 milliards de DH.", "2025-01..09"),
        ("À fin juin 2021, l'endettement s'est établi à 93,8 MDH.", "2021-H1"),
        ("Les recettes ont atteint 24 milliards de DH à fin décembre 2024.", "2024"),
        # months of two years: the span of both, never the last year alone
        ("Entre novembre 2024 et février 2025, les recettes ont atteint 5 milliards de DH.", "2024-2025"),
        ("De mars 2023 à juin 2024, la société a recruté 300 personnes.", "2023-2024"),
        ("D'octobre à mars 2025, la société a recruté 300 personnes.", "2024-2025"),
        ("De février 2025 à mai 2025, la société a recruté 300 personnes.", "2025-02..05"),
        # a month alone, or a date, stays the year in running text
        ("En septembre 2025, la société a recruté 300 personnes.", "2025"),
        ("Le rachat a été bouclé fin septembre 2023 pour 4,8 milliards de DH.", "2023"),
    ],
)
def test_periods(nlp, text: str, period: str | None) -> None:
    assert one(nlp, text).period == period


def test_nearest_period_wins(nlp) -> None:
    figures = nlp(
        "Les recettes sont de 10 milliards de DH en 2024 contre 9 milliards de DH en 2023."
    )._.figures
    assert [f.period for f in figures] == ["2024", "2023"]


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        (
            "Le secteur a réalisé un chiffre d'affaires à l'export de 18,3 milliards de dirhams.",
            "chiffre d'affaires à l'export",
        ),
        ("Les exportations ont atteint 18 MMDH.", "exportations"),
        ("Le projet prévoit un investissement de 320 MDH.", "investissement"),
        ("Le site crée 2 400 emplois directs.", "emplois directs"),
    ],
)
def test_metric(nlp, text: str, metric: str) -> None:
    assert one(nlp, text).metric == metric


def test_offsets_and_sentence(nlp) -> None:
    text = "Bilan annuel\n\nLe secteur emploie\u00a0près de 140\u00a0000 salariés.\nIl vise 40 MMDH à l'horizon 2030. Ensuite ? Une trentaine d'entreprises."
    doc = nlp(text)
    assert len(doc._.figures) == 3
    for f in doc._.figures:
        assert text[f.start : f.end] == f.text
        assert text[f.sentence_start : f.sentence_end] == f.sentence
        assert f.sentence_start <= f.start < f.end <= f.sentence_end
        assert f.organisations == ()
    assert doc._.figures[0].sentence.startswith("Le secteur")  # paragraphs never share a sentence


def test_pure_function_matches_component(nlp) -> None:
    doc = nlp("Un contrat de 60 millions d'euros et 900 collaborateurs.")
    assert figures_from_doc(doc) == doc._.figures


def test_custom_lexicon_path(tmp_path) -> None:
    import spacy

    from veille.core.errors import ConfigError

    nlp = spacy.blank("fr")
    with pytest.raises(ConfigError):
        nlp.add_pipe("veille_figures", config={"lexicon_path": str(tmp_path / "missing.toml")})


def test_scorer_overlap_unit_value() -> None:
    from pipeline.evaluation.figures import GoldFigure

    gold = [GoldFigure("10 milliards de DH", 0, 18, 1e10, "MAD")]
    ok = Figure("10 milliards", 0, 12, 1.004e10, "MAD")
    wrong_unit = Figure("10 milliards", 0, 12, 1e10, "EUR")
    s = score_article("a", [ok, wrong_unit], gold)
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)
    assert score_article("a", [Figure("10", 0, 2, 1.1e10, "MAD")], gold).fn == 1


# --- people: jobs or count -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        # professions are a workforce, a hiring need or a team: jobs
        ("La filiale regroupe 640 ingénieurs à Rabat.", "jobs"),
        ("Le cabinet apporte 45 consultants spécialisés.", "jobs"),
        ("La banque aura besoin de 3 200 développeurs d'ici cinq ans.", "jobs"),
        ("Le centre réunit 1 700 conseillers bilingues.", "jobs"),
        ("Le pays aligne 2,1 millions de professionnels du numérique.", "jobs"),
        # ... unless they are trained: count
        ("L'école forme chaque année 350 ingénieurs.", "count"),
        ("Le plan prévoit la formation de 12 000 managers.", "count"),
        # other people: jobs only when employed or hired
        ("Le groupe emploie 2 600 personnes.", "jobs"),
        ("La région compte 48.000 personnes employées dans le secteur.", "jobs"),
        ("Environ 900 personnes y travaillent.", "jobs"),
        ("La fondation a accompagné 900 personnes.", "count"),
        ("Le programme cible 5 000 jeunes par an.", "count"),
        ("L'académie forme 300 jeunes par an.", "count"),
        # trainees, graduates, students: count; job nouns: jobs
        ("La ville accueille 70 000 étudiants et 8 000 diplômés par an.", "count"),
        ("Le projet concerne 12 000 salariés.", "jobs"),
        ("Elle revendique 5 400 collaborateurs, dont 600 recrutés cette année.", "jobs"),
    ],
)
def test_people_units(nlp, text: str, unit: str) -> None:
    figures = nlp(text)._.figures
    assert figures and all(f.unit == unit for f in figures), [(f.text, f.unit) for f in figures]


def test_number_before_le_nombre_de(nlp) -> None:
    f = one(nlp, "Le plan veut porter à 8 000 le nombre de cadres employés par les filiales.")
    assert (f.text, f.value, f.unit) == ("8 000", 8000, "jobs")


def test_anaphoric_unites(nlp) -> None:
    figures = nlp("Le parc compte 12 400 positions, en hausse de 800 unités sur un an.")._.figures
    assert [(f.value, f.unit) for f in figures] == [(12400, "seats"), (800, "seats")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "dont une trentaine", "contre 7 200 deux ans plus tôt", "contre 900 il y a trois ans"
        ("Il créera 600 emplois, dont une trentaine dès l'été.", [(600, "jobs"), (30, "jobs")]),
        ("L'école ouvre 11.000 places, contre 7.200 deux ans plus tôt.", [(11000, "count"), (7200, "count")]),
        (
            "Les sites emploient 4 000 personnes, contre 900 il y a trois ans.",
            [(4000, "jobs"), (900, "jobs")],
        ),
        # a bare range after "entre" takes the unit before it
        (
            "Le pays forme 9 000 profils, alors que les besoins sont estimés entre 14.000 et 16.000.",
            [(9000, "count"), (14000, "count")],
        ),
        # an elliptic number at the end of a clause takes the unit of the clause's figure
        (
            "Un analyste payé 11.000 DH en 2020 en demande aujourd'hui 17.000 ; c'est beaucoup.",
            [(11000, "MAD"), (17000, "MAD")],
        ),
    ],
)
def test_inherited_units(nlp, text: str, expected: list[tuple[float, str]]) -> None:
    assert [(f.value, f.unit) for f in nlp(text)._.figures] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Parmi les trois premiers opérateurs, deux sont français.",  # a group, not a count
        "Les dix principaux acteurs se sont réunis.",
        "Le marché affiche une croissance à deux chiffres.",
        "Le taux d'encadrement est de 2,4 salariés par poste.",  # an average
        "Les plateaux tournent sur trois équipes.",
        "Le support couvre les niveaux 1 et 2.",  # "et 2" does not inherit from a bare 1
        "Le titre vaut 5,5 fois ses bénéfices.",
    ],
)
def test_more_not_figures(nlp, text: str) -> None:
    assert nlp(text)._.figures == []


def test_niveau_pair_after_a_figure(nlp) -> None:
    figures = nlp("Près de 40 % des appels relèvent du support de niveau 2 et 3.")._.figures
    assert [(f.text, f.unit) for f in figures] == [("40 %", "percent")]


def test_le_milliard_and_kdh(nlp) -> None:
    f = one(nlp, "Le groupe veut dépasser le milliard de dirhams de revenus.")
    assert (f.text, f.value, f.unit, f.qualifier) == ("milliard de dirhams", 1e9, "MAD", "more_than")
    f = one(nlp, "Le salaire médian atteint 7,2 kDH par mois.")
    assert (f.value, f.unit) == (7200, "MAD")


def test_points_range_in_percentage_context(nlp) -> None:
    figures = nlp("Les taux varient entre 4 et 6 %. Cela fait un écart de 2 à 3 points.")._.figures
    assert [(f.text, f.value, f.range_max) for f in figures][-1] == ("2 à 3 points", 2, 3)


@pytest.mark.parametrize(
    ("text", "qualifier", "approx"),
    [
        ("La subvention pourra atteindre 80.000 DH.", "up_to", False),
        ("L'écart n'excède plus 12 %.", "up_to", False),
        ("Le taux de vacance ne dépasse pas 15%.", "up_to", False),
        ("Le taux d'impayés reste sous les 3%.", "less_than", False),
        ("Un prêt d'un montant maximal de 400 000 DH.", "up_to", False),
        ("Une cession pour un montant proche de 90 millions d'euros.", None, True),
        ("La feuille de route s'organise autour de trois axes.", None, False),
        (
            "Il compte 40 entreprises et plus de 8 000 salariés.",
            None,
            False,
        ),  # "et plus de" is the next figure's
    ],
)
def test_more_qualifiers(nlp, text: str, qualifier: str | None, approx: bool) -> None:
    f = nlp(text)._.figures[0]
    assert (f.qualifier, f.approx) == (qualifier, approx)


# --- periods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("Les ventes ont atteint 300 MDH entre janvier et mars 2025.", ["2025-Q1"]),
        ("Le groupe a recruté 500 agents de janvier à juin 2024.", ["2024-H1"]),
        ("Au premier semestre 2024, le chiffre d'affaires a progressé de 6 %.", ["2024-H1"]),
        ("Le parc vise 3 000 emplois d'ici fin 2026.", ["2026"]),
        # a comparison keeps its own period; the main clause does not take it
        ("La part atteint 61 % des revenus, contre 54 % en 2022.", [None, "2022"]),
        (
            "Les recettes atteignent 9 MMDH en 2024, contre 8 MMDH, soit une hausse de 12 %.",
            ["2024", None, "2024"],
        ),
        ("Il a formé 22.000 jeunes en 2024, contre 15 000 deux ans plus tôt.", ["2024", None]),
        # a participial aside keeps its year
        ("Lancé en 2016, le parc accueille 45 entreprises.", [None]),
        ("Le fonds, créé en 2018, a investi 300 MDH.", [None]),
        # "depuis" is an open start, not a period; a year in a name is not a period
        ("Le titre a gagné 25 % depuis 2021.", [None]),
        ("Le programme Maroc Digital 2030 prévoit 11 milliards de DH.", [None]),
        ("Le taux est fixé à 20 %, conformément à la loi de finances 2023.", [None]),
        # forward: not across a new clause or a comma
        ("Le site emploie 300 salariés, et vise 900 collaborateurs en 2027.", [None, "2027"]),
        ("Il vise 80 entreprises et 12.000 emplois à l'horizon 2030.", ["2030", "2030"]),
        ("Elle revendique 9 sites et 5 000 salariés, dont 900 recrutés en 2024.", [None, None, "2024"]),
        # backward: across commas, not across "mais", "avec", "malgré", "et de"
        ("En 2024, les ventes ont atteint 4 MMDH, dont 1 MMDH à l'export.", ["2024", "2024"]),
        ("Il prévoit 300 recrutements en 2025, mais 40 % des postes restent vacants.", ["2025", None]),
        ("Le CA a crû de 8 % en 2024, malgré une baisse de 2 % des volumes.", ["2024", None]),
        # from X to Y over a span: the first year for X, the last for Y
        (
            "Entre 2015 et 2024, les recettes sont passées de 6 milliards à 20 milliards de DH.",
            ["2015", "2024"],
        ),
    ],
)
def test_period_attachment(nlp, text: str, periods: list[str | None]) -> None:
    assert [f.period for f in nlp(text)._.figures] == periods


def test_broken_sentence_is_glued(nlp) -> None:
    text = "L'Office a diplômé 14.750 lauréats dans ces filières en 2024, dont 62 % ont trouvé un emploi."
    figures = nlp(text)._.figures
    assert [f.period for f in figures] == ["2024", "2024"]
    assert figures[0].sentence == text


# --- fractions in words, anaphora, job seekers, leaving flows, from-to verbs, money labels ---


@pytest.mark.parametrize(
    ("text", "span", "value", "qualifier", "approx"),
    [
        ("La moitié des répondants jugent l'offre insuffisante.", "La moitié", 50, None, False),
        ("Un tiers de leur budget va à la formation.", "Un tiers", 33.3, None, False),
        ("Trois quarts des exportateurs visent l'Europe.", "Trois quarts", 75, None, False),
        ("Un quart d'entre eux envisagent de partir.", "Un quart", 25, None, False),
        ("Plus de la moitié du parc est occupée.", "la moitié", 50, "more_than", False),
        ("Moins d'un tiers des sociétés publient leurs comptes.", "un tiers", 33.3, "less_than", False),
        ("Le bâtiment compte 9.000 m² de bureaux, dont près des trois quarts sont loués.", "trois quarts", 75, None, True),
    ],
)  # fmt: skip
def test_fractions_are_percent(
    nlp, text: str, span: str, value: float, qualifier: str | None, approx: bool
) -> None:
    figures = [f for f in nlp(text)._.figures if f.unit == "percent"]
    assert len(figures) == 1, [(f.text, f.value) for f in figures]
    f = figures[0]
    assert span in f.text and abs(f.value - value) < 0.1 and f.approx == approx
    if qualifier is not None:
        assert f.qualifier == qualifier


@pytest.mark.parametrize(
    "text",
    ["La réunion a duré un quart d'heure.", "Les prix ont baissé de moitié.", "Il faut un tiers de confiance.",
     "Les quarts de finale ont lieu en mai.", "Trois quarts d'heure suffisent.", "Ils paient le tiers payant."],
)  # fmt: skip
def test_fractions_not_figures(nlp, text: str) -> None:
    assert nlp(text)._.figures == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "en" stands for the noun counted before, across a sentence
        ("L'usine a ouvert avec 60 techniciens. Elle en emploie désormais 900.", [(60, "jobs"), (900, "jobs")]),
        ("L'école accueille 40 stagiaires. Elle voudrait en recevoir une cinquantaine.", [(40, "count"), (50, "count")]),
        ("Il faudrait former 9.000 développeurs par an ; on en forme quelque 4.000 aujourd'hui.", [(9000, "count"), (4000, "count")]),
        # the prepositional "en" is no anaphora
        ("L'agence compte 30 clients. Elle a signé en 2023 et emploie 12 salariés.", [(30, "count"), (12, "jobs")]),
        # a workforce noun in the clause: the unit of the figure before, else jobs
        ("Le groupe annonce 300 embauches, portant son effectif à 4.500.", [(300, "jobs"), (4500, "jobs")]),
        ("L'école a formé 2.000 apprentis, un effectif appelé à dépasser 3.000 en 2027.", [(2000, "count"), (3000, "count")]),
        ("Le centre a accueilli 90 stagiaires, dont 35 ont été recrutés en CDI.", [(90, "count"), (35, "jobs")]),
    ],
)  # fmt: skip
def test_anaphora_and_workforce(nlp, text: str, expected: list[tuple[float, str]]) -> None:
    assert [(f.value, f.unit) for f in nlp(text)._.figures] == expected


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Le cabinet a placé 1.200 candidats dans des centres d'appels.", "jobs"),
        ("L'opérateur va recruter 400 lauréats des écoles d'ingénieurs.", "jobs"),
        ("L'université a diplômé 3.100 lauréats en 2024.", "count"),
        ("Le salon a attiré 2.500 candidats.", "count"),
        ("Chaque année, 3.000 informaticiens quittent le Maroc.", "count"),
        ("Le groupe emploie 3.000 informaticiens à Rabat.", "jobs"),
        ("Les 500 diplômés ont été embauchés par des sociétés de services.", "jobs"),
        ("La compagnie opère 20 vols hebdomadaires vers Paris.", "count"),
        ("L'étude a interrogé 900 répondants.", "count"),
    ],
)  # fmt: skip
def test_seekers_leavers_and_new_nouns(nlp, text: str, unit: str) -> None:
    assert one(nlp, text).unit == unit


def test_from_to_verb_stems_need_a_verb_ending(nlp) -> None:
    # "Portugal" is not "porter": a range
    f = one(nlp, "L'écart avec le Portugal varie de 20 à 35 %.")
    assert (f.value, f.range_max) == (20, 35)
    # "relèvement de X à Y": a change, two figures
    figures = nlp("Ils demandent le relèvement du plafond de 50.000 à 70.000 DH.")._.figures
    assert [(f.value, f.unit, f.range_max) for f in figures] == [(50000, "MAD", None), (70000, "MAD", None)]


@pytest.mark.parametrize(
    ("text", "qualifier", "approx"),
    [("Il faudrait, au bas mot, huit liaisons aériennes.", "more_than", False),
     ("Au bas mot 2.000 ingénieurs manquent chaque année.", "more_than", False),
     ("Le loyer avoisine désormais 90 DH le mètre carré.", None, True)],
)  # fmt: skip
def test_new_qualifiers(nlp, text: str, qualifier: str | None, approx: bool) -> None:
    f = nlp(text)._.figures[0]
    assert (f.qualifier, f.approx) == (qualifier, approx)


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("Le secteur emploie 90.000 personnes et dégage 15 milliards DH de chiffre d'affaires.", "chiffre d'affaires"),
        ("La filière emploie 25 milliards de dirhams de masse salariale.", "masse salariale"),
        ("Les emplois du numérique pèsent 12 MMDH selon le ministère.", None),
        ("L'entreprise a bouclé une levée de fonds de 30 millions de dirhams.", "levée de fonds"),
    ],
)  # fmt: skip
def test_money_metric_comes_from_a_money_noun(nlp, text: str, metric: str | None) -> None:
    f = [f for f in nlp(text)._.figures if f.unit == "MAD"][0]
    assert f.metric == metric
