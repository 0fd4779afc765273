"""Organisation rules of the twelfth real-press round, each on sentences written here: acronyms
glued to an elided article by a copy that lost the apostrophe, a subsidiary's own name before its
country, a known acronym's long form, and a port that is a place."""

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


def names(nlp, text: str) -> set[str]:
    return {o.name for o in nlp(text)._.organisations}


def test_a_subsidiary_with_its_own_words_before_the_country_is_its_own_name(entities_nlp) -> None:
    text = "Atos a confié le projet à Atos Consulting Maroc, qui recrutera 200 ingénieurs."
    assert {"Atos", "Atos Consulting Maroc"} <= names(entities_nlp, text)


def test_a_subsidiary_name_the_ner_cut_after_its_group_is_joined(entities_nlp) -> None:
    text = "Cegedim a signé ; la société Cegedim Services Maroc recrutera 200 ingénieurs."
    found = names(entities_nlp, text)
    assert "Cegedim Services Maroc" in found
    assert "Services Maroc" not in found


def test_a_known_acronym_takes_its_own_name_as_long_form(entities_nlp) -> None:
    text = "Le port de Tanger Med bat son record, selon l'Agence spéciale Tanger Med (TMSA)."
    found = {o.name: o for o in entities_nlp(text)._.organisations}
    assert list(found) == ["Agence spéciale Tanger Med"], found
    assert set(found["Agence spéciale Tanger Med"].aliases) == {"Agence spéciale Tanger Med", "TMSA"}


def test_the_port_of_tanger_med_is_a_place(entities_nlp) -> None:
    assert names(entities_nlp, "La plateforme industrielle Tanger Med attire les équipementiers.") == set()
    assert GAZ.lookup("Tanger Med").is_place
    assert GAZ.lookup("TMSA").name == "Agence spéciale Tanger Med"


def test_a_news_site_quoted_by_its_address_is_an_organisation(entities_nlp) -> None:
    text = (
        "Le chiffre d'affaires a progressé de 12 %, rapporte le site dakarinfo.com, cité par nos confrères."
    )
    assert "dakarinfo.com" in names(entities_nlp, text)
    text = "Les résultats ont été communiqués par nos confrères d’‘‘Sahelnews.com’’."
    assert "Sahelnews.com" in names(entities_nlp, text)


def test_an_address_that_is_not_quoted_as_a_source_is_not_an_organisation(entities_nlp) -> None:
    text = "Écrivez à contact@veille.ma ou visitez exemple.com pour vous inscrire. Photo : pic.twitter.com/x."
    assert names(entities_nlp, text) == set()
