"""Figure, unit and indicator classes met on the tuning half of the real-press set, each with
sentences written here: amounts in currencies Veille does not annotate, exchange rates,
changes listed one after another, people placed in jobs, and counted things no indicator
covers."""

from __future__ import annotations

import pytest

from pipeline.nlp import analyze, build_nlp


@pytest.fixture(scope="module")
def full():
    return build_nlp()


def figures(full, text: str) -> list[tuple]:
    return [(f.text, f.value, f.unit) for f in analyze(text, nlp=full).figures]


def one(full, text: str, span: str):
    found = [f for f in analyze(text, nlp=full).figures if f.text == span]
    assert found, f"{span!r} not found in {[f.text for f in analyze(text, nlp=full).figures]}"
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # currencies outside MAD, EUR and USD are not annotated, with or without a scale
        ("Le chiffre d'affaires a atteint 45,3 millions de dinars, soit 12 000 DA par salarié.", []),
        ("Le programme a coûté 25 milliards de FCFA à l'Etat ivoirien.", []),
        ("Les revenus du secteur ont atteint 71 Mds LE l'an passé.", []),
        ("Le programme a coûté 25 milliards de dirhams.", [("25 milliards de dirhams", 25e9, "MAD")]),
        # an exchange rate is no amount
        (
            "Le rachat s'est fait pour 120 millions de dollars (1 dollar = 0,93 euro).",
            [("120 millions de dollars", 120e6, "USD")],
        ),
        # changes listed one after another under one verb: each "de A à B" is two levels
        (
            "Le taux d'activité est passé de 44,1% à 43,6% chez les hommes et de 20,3% à 19,8% chez les femmes.",
            [
                ("44,1%", 44.1, "percent"),
                ("43,6%", 43.6, "percent"),
                ("20,3%", 20.3, "percent"),
                ("19,8%", 19.8, "percent"),
            ],
        ),
        # "pour leur part" between the verb and "de" does not make it a range
        (
            "Les recettes sont passées, pour leur part, de 4,1 milliards de dirhams à 4,6 milliards de dirhams.",
            [("4,1 milliards de dirhams", 4.1e9, "MAD"), ("4,6 milliards de dirhams", 4.6e9, "MAD")],
        ),
        # a range is still a range when no change came before it in the sentence
        (
            "Le taux est passé de 12% à 14%, alors que les loyers vont de 2 à 20 millions de dirhams.",
            [("12%", 12, "percent"), ("14%", 14, "percent"), ("2 à 20 millions de dirhams", 2e6, "MAD")],
        ),
    ],
)
def test_amounts_rates_and_listed_changes(full, text: str, expected: list[tuple]) -> None:
    got = figures(full, text)
    assert [(t, u) for t, _, u in got] == [(t, u) for t, _, u in expected]
    assert [v for _, v, _ in got] == pytest.approx([v for _, v, _ in expected])


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("L'agence a inséré 42.000 jeunes dans la vie active en 2019.", "42.000 jeunes"),
        ("Le plan prévoit l'insertion de 300.000 personnes dans la vie active.", "300.000 personnes"),
        ("Au total, 61.240 insertions ont été enregistrées l'an dernier.", "61.240 insertions"),
        ("L'effectif global du groupe est désormais de 3 150 personnes.", "3 150 personnes"),
        ("Ce sont 900 jeunes qui vont travailler dans le nouveau site de Fès.", "900 jeunes"),
        ("Le programme a permis à 12 300 jeunes d'avoir un emploi stable.", "12 300 jeunes"),
        ("Le plan doit offrir des emplois à 30.000 diplômés d'ici cinq ans.", "30.000 diplômés"),
    ],
)
def test_people_placed_in_jobs_are_jobs(full, text: str, span: str) -> None:
    assert one(full, text, span).unit == "jobs"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Le salon a accueilli 5 000 personnes venues de tout le pays.", "5 000 personnes"),
        ("L'école a formé 640 jeunes aux métiers du numérique.", "640 jeunes"),
    ],
)
def test_people_neither_hired_nor_placed_stay_a_count(full, text: str, span: str) -> None:
    assert one(full, text, span).unit == "count"


@pytest.mark.parametrize(
    ("text", "span", "indicator"),
    [
        ("Le nouveau siège de la société compte sept étages et un parking.", "sept étages", "autre"),
        (
            "La feuille de route repose sur trois piliers et vise les centres d'appels.",
            "trois piliers",
            "autre",
        ),
        ("Le groupe est présent dans 18 pays, où il emploie 9 000 personnes.", "18 pays", "sites"),
        ("L'agence a reçu des délégations venues de 12 pays.", "12 pays", "autre"),
        (
            "Deux nouveaux technoparks ouvriront leurs portes l'an prochain.",
            "Deux nouveaux technoparks",
            "sites",
        ),
        ("L'agence a inséré 42.000 jeunes dans la vie active en 2019.", "42.000 jeunes", "emplois_crees"),
        (
            "Au total, 61.240 insertions ont été enregistrées l'an dernier.",
            "61.240 insertions",
            "emplois_crees",
        ),
        ("Le taux de sous-emploi a augmenté, passant de 9,2% à 9,8%.", "9,2%", "taux_chomage"),
        ("Le taux de sous-emploi a augmenté, passant de 9,2% à 9,8%.", "9,8%", "taux_chomage"),
        ("Le chiffre d'affaires a augmenté de 9,2% sur l'année.", "9,2%", "croissance"),
    ],
)
def test_indicator_of_counted_things_and_placements(full, text: str, span: str, indicator: str) -> None:
    assert one(full, text, span).indicator == indicator


@pytest.mark.parametrize(
    ("text", "span", "metric"),
    [
        # what reaches the amount names it, even when it is no money word
        (
            "La contribution des partenaires privés s'élève à 250 MDH.",
            "250 MDH",
            "contribution des partenaires privés",
        ),
        # an enumeration of one unit after a comma keeps the metric of the figure before it
        ("Le groupe emploie 3000 salariés à Casablanca, 1200 à Oujda, 800 à Tanger.", "800", "salariés"),
    ],
)
def test_a_metric_is_read_from_what_the_figure_is_the_level_of(
    full, text: str, span: str, metric: str
) -> None:
    assert one(full, text, span).metric == metric


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        # an amount enumerated after one written with a scale word takes that scale
        (
            "Les fonds ont levé 61,2 millions de dollars en 2023, contre 40,5 millions en 2022 et 18,7 en 2021.",
            "18,7",
            18.7e6,
        ),
        ("Les recettes sont passées de 2 milliards de dirhams à 3,5 en 2024.", "3,5", 3.5e9),
        # a part is no larger than its whole: "dont 500" keeps its value
        ("Le budget est de 12 millions de dirhams, dont 500 pour la formation.", "500", 500),
    ],
)
def test_an_enumerated_amount_takes_the_scale_before_it(full, text: str, span: str, value: float) -> None:
    assert one(full, text, span).value == pytest.approx(value)
