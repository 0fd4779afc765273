"""Organisation error classes met on real press beyond Morocco, each on sentences written here:
places and demonyms of other countries, sector terms and programmes, persons taken for
companies, bodies the press writes in lower case, regional offices, opening datelines, and
multinationals the gazetteer knows."""

from __future__ import annotations

import pytest

from pipeline.gazetteer import ROLE_HEADS, TITLES, Gazetteer, load_gazetteer
from pipeline.roles import ROLE_HEADS as ROLES_ROLE_HEADS
from tests.pipeline.nlp_fixture import entities_nlp  # noqa: F401
from veille.core.errors import ConfigError


def names(nlp, text: str) -> set[str]:
    return {o.name for o in nlp(text)._.organisations}


def forms(nlp, text: str) -> set[str]:
    """Every name and alias found, folded to lower case."""
    return {f.lower() for o in nlp(text)._.organisations for f in (o.name, *o.aliases)}


@pytest.mark.parametrize(
    "text",
    [
        "Les centres installés à Tunis, à Sfax et à Sousse emploient surtout des diplômés.",
        "Le groupe a ouvert un plateau à Dakar puis un second à Thiès l'an dernier.",
        "Les Tunisiens et les Sénégalais partent moins qu'avant, selon l'enquête.",
        "La demande vient de Côte d'Ivoire, de Madagascar et de l'Île Maurice.",
        "Le marché BtoB et le Cloud Computing progressent, portés par le Big Data.",
        "Le programme Smart Tunisia et l'INDH ont financé une partie des formations.",
    ],
)
def test_places_demonyms_sector_terms_and_programmes_are_not_organisations(entities_nlp, text: str) -> None:
    assert names(entities_nlp, text) == set()
    assert candidates(entities_nlp, text) == []  # ruled out before the model is asked


def candidates(nlp, text: str) -> list[str]:
    """The NER spans the model is asked about (what nothing ruled out before it)."""
    return [span.text for span, _ in nlp.get_pipe("veille_orgs").ner_spans(nlp(text))]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Le forum a réuni Yasmine Berrada, directrice du salon, et plusieurs éditeurs.", "Yasmine Berrada"),
        ("Selon Mr Kettani, les recrutements reprendront en septembre.", "Mr Kettani"),
        ("Hanane Lamrani (fondatrice du réseau) a pris la parole.", "Hanane Lamrani"),
    ],
)
def test_a_person_named_with_a_title_or_a_role_is_not_an_organisation(
    entities_nlp, text: str, person: str
) -> None:
    assert person.lower() not in forms(entities_nlp, text)
    assert person not in candidates(entities_nlp, text)  # whatever the model would say


@pytest.mark.parametrize(
    ("text", "org"),
    [
        (
            "La convention est portée par le ministère de l'Agriculture et de la pêche maritime.",
            "ministère de l'agriculture et de la pêche maritime",
        ),
        ("Selon le ministère de l'Economie, la croissance ralentit.", "ministère de l'economie"),
        ("Les lauréats de l'université Hassan II rejoignent ses plateaux.", "université hassan ii"),
    ],
)
def test_a_body_written_in_lower_case_is_an_organisation(entities_nlp, text: str, org: str) -> None:
    assert org in forms(entities_nlp, text)


def test_a_lower_case_head_alone_names_no_organisation(entities_nlp) -> None:
    assert names(entities_nlp, "Le ministère a publié ses chiffres et l'université a suivi.") == set()


def test_multinationals_of_the_sector_are_known(entities_nlp) -> None:
    text = "Convergys et Almaviva recrutent à Antananarivo, comme Tata Consultancy Services à Tunis."
    assert {"Convergys", "Almaviva", "Tata Consultancy Services"} <= names(entities_nlp, text)


def test_the_gazetteer_keeps_the_new_places_out_and_the_role_words_in_one_place() -> None:
    gaz: Gazetteer = load_gazetteer()
    for place in ("Tunisie", "Abidjan", "Tunisienne", "Kénitra", "Cloud Computing", "Smart Tunisia"):
        assert gaz.is_not_org(place), place
    assert gaz.lookup("Tunisie Télécom") is not None  # a company whose name starts with a country
    assert ROLES_ROLE_HEADS is ROLE_HEADS and "mr" in TITLES


def test_the_agency_of_an_opening_dateline_is_an_organisation_even_unknown(entities_nlp) -> None:
    text = "Niamey, 2 mai (ANP) – Le pays compte 40 entreprises du secteur."
    assert "ANP" in names(entities_nlp, text)
    assert names(entities_nlp, "Le pays (ANP) – compte 40 entreprises.") == set()  # not an opening dateline


def test_a_media_outlet_written_with_its_capitals_and_an_accent_acts_as_a_source(entities_nlp) -> None:
    text = "Le projet est détaillé par l'hebdomadaire La Vie Éco dans son dernier numéro."
    assert "la vie éco" in forms(entities_nlp, text)
    assert names(entities_nlp, "Une vie éco-responsable est à la mode, selon l'hebdomadaire.") == set()


@pytest.mark.parametrize(
    "text",
    [
        "Les revenus progressent grâce aux activités du Groupe et la consolidation de ses filiales.",
        "Le plan arrêté par cette Association pour les deux années à venir vise l'export.",
    ],
)
def test_a_capitalised_head_standing_for_a_body_named_before_is_no_new_name(entities_nlp, text: str) -> None:
    assert names(entities_nlp, text) == set()


def test_a_head_with_a_complement_of_purpose_stays_a_name(entities_nlp) -> None:
    text = "L'Association pour la promotion des métiers du numérique a signé la convention."
    assert "association pour la promotion des métiers du numérique" in forms(entities_nlp, text)


def test_a_regional_office_is_named_with_its_region(entities_nlp) -> None:
    found = {
        o.name: o
        for o in entities_nlp(
            "Le dossier passe par le CRI de Fès, puis par le CRI de l'Oriental."
        )._.organisations
    }
    assert set(found) == {
        "Centre régional d'investissement de Fès",
        "Centre régional d'investissement de l'Oriental",
    }
    assert found["Centre régional d'investissement de Fès"].aliases == ("CRI de Fès",)
    text = "Le Centre régional d'investissement de Marrakech-Safi a validé 12 projets, a précisé le CRI."
    assert names(entities_nlp, text) == {"Centre régional d'investissement de Marrakech-Safi"}
    assert names(entities_nlp, "Les CRI ont été réformés, a rappelé le ministre.") == {
        "Centre régional d'investissement"
    }


def test_a_regional_flag_that_is_not_a_boolean_is_refused(tmp_path) -> None:
    path = tmp_path / "organisations.toml"
    path.write_text(
        '[[organisation]]\nname = "Centre X"\nkind = "public_body"\nregional = "oui"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="regional"):
        Gazetteer.from_toml(path)
