"""Scope and attribution of each figure (issue 18, item 1), on sentences written for the test:
the pure reader (organisations and persons given by hand), the places of zones.toml, and the
whole extractor (``analyze``)."""

from __future__ import annotations

import re

import pytest
from spacy.language import Language

from pipeline.gazetteer import load_gazetteer
from pipeline.roles import ministry
from pipeline.scopes import Places, assign, fold_same_length, windows
from tests.pipeline.nlp_fixture import nlp  # noqa: F401
from veille.core.conf.zones import load_zones
from veille.core.models import Figure, Mention, Organisation, Person

PLACES = Places(load_zones())
KINDS = {
    "AMRC": ("Association marocaine de la relation client", "association"),
    "Office des changes": ("Office des changes", "public_body"),
    "APEBI": ("Fédération des technologies de l'information, des télécommunications et de l'offshoring", "federation"),
    "Teleperformance": ("Teleperformance", "company"),
    "Medz Sourcing": ("Medz Sourcing", "zone_operator"),
    "ADD": ("Agence de développement du digital", "agency"),
    "Ministère de l'Industrie et du Commerce": ("Ministère de l'Industrie et du Commerce", "ministry"),
    "Majorel": ("Majorel", "company"),
}  # fmt: skip


def _read(text: str, spans: list[str], persons: tuple[Person, ...] = ()) -> list[tuple[str, str, str | None]]:
    """(scope kind, scope, attributed_to) of each span, organisations found by their form."""
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.]+(?:\.|$)", text)]
    figures, at = [], 0
    for span in spans:
        start = text.index(span, at)
        at = start + len(span)
        s0, s1 = next((a, b) for a, b in sentences if a <= start < b)
        figures.append(
            Figure(
                text=span,
                start=start,
                end=at,
                value=1,
                unit="count",
                sentence=text[s0:s1],
                sentence_start=s0,
                sentence_end=s1,
            )  # fmt: skip
        )
    orgs = []
    for form, (name, kind) in KINDS.items():
        mentions = tuple(Mention(m.start(), m.end(), form) for m in re.finditer(re.escape(form), text))
        if mentions:
            orgs.append(Organisation(name=name, kind=kind, mentions=mentions))
    read = assign(text, figures, orgs, persons, PLACES, lambda title: ministry(title, load_gazetteer()))
    return [(f.scope_kind or "", f.scope or "", f.attributed_to) for f in read]


AMRC = KINDS["AMRC"][0]
ODC = KINDS["Office des changes"][0]
APEBI = KINDS["APEBI"][0]


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        # nothing named: the sector as a whole, Morocco
        ("Le secteur a créé 12 500 emplois en 2024.", ["12 500 emplois"], [("country", "Maroc", None)]),
        # a zone beats the organisation investing in it
        ("Medz Sourcing investit 300 millions de DH à Fès Shore.", ["300 millions de DH"],
         [("zone", "Fès Shore", None)]),
        ("Une nouvelle tranche de 20 000 m2 à Casa Nearshore.", ["20 000 m2"], [("zone", "Casanearshore", None)]),
        # a company is the scope; the official body is the source
        ("Selon l'AMRC, Teleperformance emploie 12 000 personnes.", ["12 000 personnes"],
         [("organisation", "Teleperformance", AMRC)]),
        # one clause, two figures, two countries: each takes its own
        ("Teleperformance emploie 12 000 personnes au Maroc et 5 000 en Tunisie.", ["12 000 personnes", "5 000"],
         [("organisation", "Teleperformance", None), ("country", "Tunisie", None)]),
        ("Le Maroc compte 130 000 emplois, la Tunisie 25 000 et le Sénégal 8 000.", ["130 000 emplois", "25 000", "8 000"],
         [("country", "Maroc", None), ("country", "Tunisie", None), ("country", "Sénégal", None)]),
        ("L'offshoring égyptien emploie 300 000 personnes.", ["300 000 personnes"], [("country", "Égypte", None)]),
        ("Les centres d'appels mauriciens comptent 15 000 salariés.", ["15 000 salariés"],
         [("country", "Maurice", None)]),
        # a region, by one of its cities
        ("Les centres d'appels de Casablanca emploient 40 000 personnes.", ["40 000 personnes"],
         [("region", "Casablanca-Settat", None)]),
        # one segment named: the segment; two: the sector as a whole
        ("La relation client emploie 120 000 personnes, selon l'AMRC.", ["120 000 personnes"],
         [("sector", "relation client", AMRC)]),
        ("Les ESN ont recruté 3 000 ingénieurs.", ["3 000 ingénieurs"], [("sector", "services IT", None)]),
        ("Centres d'appels et ESN emploient 150 000 personnes.", ["150 000 personnes"], [("country", "Maroc", None)]),
        # attribution: cue before, speech verb before, organisation before "que", official subject
        ("Les exportations ont atteint 18 milliards de DH en 2018, d'après l'Office des changes.",
         ["18 milliards de DH"], [("country", "Maroc", ODC)]),
        ("L'Office des changes indique que les exportations ont atteint 18 milliards de DH.",
         ["18 milliards de DH"], [("country", "Maroc", ODC)]),
        ("Le secteur a créé 9 000 emplois, a annoncé l'APEBI.", ["9 000 emplois"], [("country", "Maroc", APEBI)]),
        ("L'APEBI publie son baromètre : 69 900 emplois dans le numérique.", ["69 900 emplois"],
         [("country", "Maroc", APEBI)]),
        ("Les chiffres publiés par l'ADD font état de 1 200 entreprises.", ["1 200 entreprises"],
         [("country", "Maroc", KINDS["ADD"][0])]),
        # a figure without any source stays unattributed, even beside another sentence's source
        ("Selon l'AMRC, le secteur va bien. Majorel emploie 4 000 personnes.", ["4 000 personnes"],
         [("organisation", "Majorel", None)]),
        # an unnamed minister: the ministry of the portfolio the title names
        ("L'objectif est de 60 000 emplois d'ici 2030, a indiqué le ministre de l'Industrie et du Commerce.",
         ["60 000 emplois"], [("country", "Maroc", KINDS["Ministère de l'Industrie et du Commerce"][0])]),
        # a place inside an organisation's name is not read
        ("Ministère de l'Industrie et du Commerce : 500 entreprises.", ["500 entreprises"],
         [("country", "Maroc", KINDS["Ministère de l'Industrie et du Commerce"][0])]),
    ],
)  # fmt: skip
def test_scope_and_attribution(
    text: str, spans: list[str], expected: list[tuple[str, str, str | None]]
) -> None:
    assert _read(text, spans) == expected


def test_a_person_stands_for_their_organisation() -> None:
    text = "Le groupe compte 6 000 salariés, a précisé Youssef Chraibi."
    start = text.index("Youssef Chraibi")
    person = Person(
        name="Youssef Chraibi", organisation=AMRC, mentions=(Mention(start, start + 15, "Youssef Chraibi"),)
    )
    assert _read(text, ["6 000 salariés"], (person,)) == [("country", "Maroc", AMRC)]


def test_places_need_their_capital_and_acronyms_their_case() -> None:
    names = [(h.kind, h.name) for h in PLACES.find("Rabat et rabat; l'esn et les ESN; Maurice et maurice")]
    assert names == [("region", "Rabat-Salé-Kénitra"), ("sector", "services IT"), ("country", "Maurice")]


def test_folding_keeps_offsets() -> None:
    text = "Fès Shore à Tétouan… l’Égypte\u00a0!"
    assert len(fold_same_length(text)) == len(text)
    assert fold_same_length(text) == "fes shore a tetouan… l'egypte !"


def test_windows_cut_between_figures_of_one_clause() -> None:
    text = "Le Maroc compte 130 000 emplois contre 25 000 en Tunisie."
    a, b = text.index("130 000 emplois"), text.index("25 000")
    figs = [
        Figure(text="130 000 emplois", start=a, end=a + 15, value=1, unit="jobs", sentence_end=len(text)),
        Figure(text="25 000", start=b, end=b + 6, value=1, unit="jobs", sentence_end=len(text)),
    ]
    (lo1, hi1), (lo2, hi2) = windows(text, figs)
    assert text[lo1:hi1] == "Le Maroc compte 130 000 emplois "
    assert text[lo2:hi2] == " 25 000 en Tunisie."


def test_the_whole_extractor_sets_scopes(nlp: Language) -> None:  # noqa: F811
    from pipeline.nlp import analyze

    text = (
        "Selon l'Office des changes, les exportations de l'offshoring ont atteint 18 milliards de DH en 2018. "
        "La Tunisie emploie 25 000 personnes dans les centres d'appels. "
        "Medz Sourcing va investir 120 millions de DH à Oujda Shore."
    )
    got = [(f.text, f.scope_kind, f.scope, f.attributed_to) for f in analyze(text, nlp=nlp).figures]
    assert got == [
        ("18 milliards de DH", "country", "Maroc", ODC),
        ("25 000 personnes", "country", "Tunisie", None),
        ("120 millions de DH", "zone", "Oujda Shore", None),
    ]
