"""Organisation rules of the twelfth real-press round, each on sentences written here: acronyms
glued to an elided article by a copy that lost the apostrophe, and a subsidiary named with its
country beside its group."""

from __future__ import annotations

from pipeline.organisations import DEFAULT_GAZETTEER, Gazetteer
from tests.pipeline.nlp_fixture import entities_nlp  # noqa: F401

GAZ = Gazetteer.from_toml(DEFAULT_GAZETTEER)


def forms(nlp, text: str) -> set[str]:
    """Every name and alias found, folded to lower case."""
    return {f.lower() for o in nlp(text)._.organisations for f in (o.name, *o.aliases)}


def test_an_acronym_glued_to_a_lost_apostrophe_is_the_known_body(entities_nlp) -> None:
    text = "Le bureau de lAPEBI a reçu les cadres de lANRT, puis ceux dANAPEC la semaine suivante."
    found = forms(entities_nlp, text)
    for acronym in ("APEBI", "ANRT", "ANAPEC"):
        assert acronym.lower() in found
        assert GAZ.lookup(acronym).name.lower() in found
    mentions = {m.text for o in entities_nlp(text)._.organisations for m in o.mentions}
    assert {"APEBI", "ANRT", "ANAPEC"} <= mentions  # the article's letter stays out of the mention


def test_a_glued_letter_before_capitals_nobody_knows_names_nothing(entities_nlp) -> None:
    assert entities_nlp("Le signal perd 3 dBZX au-delà de cette distance.")._.organisations == []
