"""Organisations: gazetteer, acronym definitions, NER fixes, canonical names."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.organisations import (
    DEFAULT_GAZETTEER,
    Gazetteer,
    find_acronyms,
    fold,
    name_key,
    strip_leading,
)
from tests.pipeline.nlp_fixture import entities_nlp  # noqa: F401
from veille.core.errors import ConfigError

ADD = "Agence de développement du digital"
APEBI = "Fédération des technologies de l'information, des télécommunications et de l'offshoring"


def orgs(nlp, text):
    return {o.name: o for o in nlp(text)._.organisations}


# --- gazetteer ----------------------------------------------------------------------------


def test_gazetteer_loads_and_covers_the_sector() -> None:
    gaz = Gazetteer.from_toml(DEFAULT_GAZETTEER)
    assert len(gaz.entries) >= 80
    assert gaz.lookup("ADD").name == ADD
    assert gaz.lookup("Agence du Développement du Digital").name == ADD
    assert gaz.lookup("l'Agence de developpement du digital").name == ADD
    assert gaz.lookup("APEBI").name == APEBI
    assert gaz.lookup("Medz Sourcing").kind == "zone_operator"
    assert gaz.lookup("add") is None  # acronyms are case-sensitive
    for junk in (
        "DH",
        "MDH",
        "MMDH",
        "Dhs",
        "MAD",
        "PAI",
        "Maroc Digital 2030",
        "Plan Émergence",
        "Offshoring Booster",
    ):
        assert gaz.is_not_org(junk), junk
        assert gaz.lookup(junk) is None, junk


def test_gazetteer_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "organisations.toml"
    bad.write_text('[[organisation]]\nname = "X"\nkind = "planet"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="organisations.toml.*unknown kind"):
        Gazetteer.from_toml(bad)
    bad.write_text('[[organisation]]\nkind = "company"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="missing field 'name'"):
        Gazetteer.from_toml(bad)
    with pytest.raises(ConfigError, match="file not found"):
        Gazetteer.from_toml(tmp_path / "missing.toml")


def test_normalisation_helpers() -> None:
    assert fold("  Fès   Économie ") == "fes economie"
    assert fold("l’ADD") == "l'add"
    assert strip_leading("la société Xyz Labs") == "Xyz Labs"
    assert strip_leading("l'intégrateur casablancais Novatech") == "Novatech"
    assert name_key("la société Xyz Maroc") == name_key("XYZ") == "xyz"


# --- the component ------------------------------------------------------------------------


def test_known_mislabels_are_fixed(entities_nlp) -> None:
    text = (
        "Selon Karim Bennani, DG de Medz Sourcing, la zone a attiré 10 MDH et 14 milliards de DH. "
        "Le trio APEBI-AMRC-ADD a signé avec la Fédération marocaine des technologies de l'information, "
        "des télécommunications et de l'offshoring."
    )
    found = orgs(entities_nlp, text)
    assert "Medz Sourcing" in found
    assert {ADD, APEBI, "Association marocaine de la relation client"} <= set(found)
    assert not any(fold(n) in {"dh", "mdh"} for n in found)
    assert "Karim Bennani" not in found
    apebi = found[APEBI]
    assert "APEBI" in apebi.aliases
    assert any(a.startswith("Fédération marocaine") and a.endswith("offshoring") for a in apebi.aliases)


def test_currencies_plans_and_programmes_are_not_organisations(entities_nlp) -> None:
    text = (
        "Le Plan d'accélération industrielle (PAI) a généré 20 MMDH, soit 5 000 Dhs par emploi, "
        "et la stratégie Maroc Digital 2030 prolonge l'offre Offshoring Booster et le Plan Émergence. "
        "Le montant atteint 3 millions de MAD."
    )
    assert orgs(entities_nlp, text) == {}


def test_acronym_definition_links_unknown_organisation(entities_nlp) -> None:
    text = (
        "L'Observatoire national des métiers du numérique (ONMN) publie son rapport. "
        "D'après l'ONMN, 40 % des postes restent vacants."
    )
    found = orgs(entities_nlp, text)
    assert list(found) == ["Observatoire national des métiers du numérique"]
    org = found["Observatoire national des métiers du numérique"]
    assert org.acronym == "ONMN"
    assert set(org.aliases) == {"Observatoire national des métiers du numérique", "ONMN"}
    assert len(org.mentions) == 3


def test_acronym_first_then_long_form(entities_nlp) -> None:
    doc = entities_nlp(
        "La start-up a rejoint le CMIA (Centre marocain de l'intelligence artificielle) en mars."
    )
    assert [(d.short, d.long) for d in doc._.acronyms] == [
        ("CMIA", "Centre marocain de l'intelligence artificielle")
    ]
    assert "Centre marocain de l'intelligence artificielle" in orgs(entities_nlp, doc.text)


def test_acronym_definition_of_a_gazetteer_entry(entities_nlp) -> None:
    found = orgs(entities_nlp, "L'Agence du développement du digital (ADD) lance un appel d'offres.")
    assert list(found) == [ADD]
    assert set(found[ADD].aliases) == {"Agence du développement du digital", "ADD"}


def test_find_acronyms_ignores_non_definitions(entities_nlp) -> None:
    doc = entities_nlp.make_doc(
        "Le chiffre atteint 10 MDH (2024) et le PAI (Plan d'accélération industrielle) continue."
    )
    assert find_acronyms(doc, Gazetteer.from_toml(DEFAULT_GAZETTEER)) == []


def test_unknown_company_forms_merge(entities_nlp) -> None:
    text = (
        "La société Vireo Systems ouvre un centre à Casablanca. Vireo Systems emploiera 300 ingénieurs. "
        "Le directeur de Vireo Systems Maroc s'en félicite."
    )
    found = orgs(entities_nlp, text)
    vireo = [o for o in found.values() if "Vireo" in o.name]
    assert len(vireo) == 2  # the group, and its subsidiary named with its country
    assert len(found["Vireo Systems"].mentions) == 2
    assert [m.text for m in found["Vireo Systems Maroc"].mentions] == ["Vireo Systems Maroc"]


def test_accent_and_case_variants_match(entities_nlp) -> None:
    text = "Le ministere de l'Economie et des Finances et le Credit du Maroc. OFFICE DES CHANGES publie ses chiffres."
    found = orgs(entities_nlp, text)
    assert "Ministère de l'Économie et des Finances" in found
    assert "Crédit du Maroc" in found
    assert "Office des changes" in found


def test_lowercase_common_words_do_not_match_one_word_aliases(entities_nlp) -> None:
    found = orgs(entities_nlp, "Le logo orange de la marque et le technopolis imaginaire.")
    assert found == {}


def test_mention_offsets_point_into_the_text(entities_nlp) -> None:
    text = (
        "Intelcia, Webhelp et la société Kaoutar Labs s'installent à Casanearshore avec l'appui de l'AMDIE."
    )
    doc = entities_nlp(text)
    assert len(doc._.organisations) == 4  # Casanearshore is a place
    for org in doc._.organisations:
        assert org.mentions
        for m in org.mentions:
            assert text[m.start : m.end] == m.text
            assert m.text in org.aliases


# --- places, non-organisations, boundaries, subsidiaries ----------------------------------


def test_business_parks_are_places_not_organisations(entities_nlp) -> None:
    gaz = Gazetteer.from_toml(DEFAULT_GAZETTEER)
    for park in (
        "Casanearshore",
        "Technopolis",
        "Fès Shore",
        "Oujda Shore",
        "Tétouan Shore",
        "Technopark",
        "Midparc",
    ):
        entry = gaz.lookup(park)
        assert entry is not None and entry.is_place, park
    assert not gaz.lookup("MEDZ").is_place
    text = (
        "Le groupe Zentra s'installe à Casanearshore puis à Technopolis Rabat, après Fès Shore et "
        "Tétouan Shore ; le Technopark de Casablanca et Midparc affichent complet, selon MEDZ."
    )
    found = orgs(entities_nlp, text)
    assert set(found) == {"Zentra", "MEDZ"}, found


def test_place_kind_can_be_declared_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "organisations.toml"
    path.write_text(
        '[[organisation]]\nname = "Parc Alpha"\nkind = "zone_operator"\norganisation = false\n',
        encoding="utf-8",
    )
    assert Gazetteer.from_toml(path).lookup("Parc Alpha").is_place


def test_accounting_acronyms_are_not_organisations(entities_nlp) -> None:
    text = (
        "Son EBE progresse de 12 % et l'EBITDA atteint 40 MDH ; le RNPG recule, le PNB grimpe, "
        "les KPI et le ROI sont suivis par la société Lumora Consulting."
    )
    found = orgs(entities_nlp, text)
    assert set(found) == {"Lumora Consulting"}, found
    gaz = Gazetteer.from_toml(DEFAULT_GAZETTEER)
    for term in (
        "EBE",
        "EBITDA",
        "RNPG",
        "RN",
        "CA",
        "PNB",
        "PIB",
        "TVA",
        "IS",
        "IR",
        "KPI",
        "ROI",
        "SLA",
        "BTP",
        "ISO",
    ):
        assert gaz.is_not_org(term), term


def test_ner_span_does_not_swallow_the_following_verb(entities_nlp) -> None:
    found = orgs(entities_nlp, "L'Agence du Sud finance la construction d'un nouveau campus à Laâyoune.")
    assert "Agence du Sud" in found, found
    assert not any("finance" in n for n in found)


def test_lowercase_common_noun_phrase_is_not_a_gazetteer_name(entities_nlp) -> None:
    found = orgs(
        entities_nlp, "Les porteurs de projets peuvent s'adresser aux centres régionaux d'investissement."
    )
    assert found == {}


def test_subsidiary_with_its_own_name_is_its_own_organisation(entities_nlp) -> None:
    text = (
        "CDG Capital gère le fonds aux côtés de la Caisse de dépôt et de gestion. "
        "Les analystes de BMCE Capital Markets relèvent leur objectif."
    )
    found = orgs(entities_nlp, text)
    assert "CDG Capital" in found and "Caisse de dépôt et de gestion" in found
    assert "CDG Capital" not in found["Caisse de dépôt et de gestion"].aliases
    assert "BMCE Capital Markets" in found, found
    assert "Bank of Africa" not in found


def test_country_subsidiary_alone_keeps_the_seen_form_as_alias(entities_nlp) -> None:
    found = orgs(entities_nlp, "Capgemini Maroc recrute 300 ingénieurs à Rabat. Atos Maroc suit.")
    assert "Capgemini Maroc" in found["Capgemini"].aliases
    assert "Atos Maroc" in found["Atos"].aliases


def test_country_subsidiary_beside_its_group_is_apart(entities_nlp) -> None:
    found = orgs(entities_nlp, "Zoralis Maroc, filiale du groupe Zoralis, ouvre un plateau à Oujda.")
    assert sorted(found) == ["Zoralis", "Zoralis Maroc"], found
    assert found["Zoralis"].aliases == ("Zoralis",)
    found = orgs(
        entities_nlp, "Capgemini a racheté une société à Rabat ; Capgemini Maroc y emploie 900 ingénieurs."
    )
    assert sorted(found) == ["Capgemini", "Capgemini Maroc"], found
    assert found["Capgemini Maroc"].kind == found["Capgemini"].kind == "company"


def test_apposed_description_is_an_alias(entities_nlp) -> None:
    text = "Tamwilcom, la Société nationale de garantie et du financement de l'entreprise, a couvert 2 MMDH de crédits."
    found = orgs(entities_nlp, text)
    assert list(found) == ["Tamwilcom"], found
    assert "Société nationale de garantie et du financement de l'entreprise" in found["Tamwilcom"].aliases


def test_apposed_partner_name(entities_nlp) -> None:
    found = orgs(entities_nlp, "La plateforme a été développée avec un partenaire belge, Quintara.")
    assert "Quintara" in found, found


def test_part_of_a_programme_name_is_not_an_organisation(entities_nlp) -> None:
    text = (
        "Dans le cadre de la stratégie Maroc Digital 2030, qui vise 3.000 startups, l'ADD accompagne les entreprises.\n\n"
        "Le programme de l'ADD avance."
    )
    found = orgs(entities_nlp, text)
    assert set(found) == {ADD}


# --- real-press classes (tests/data/realpress) -----------------------------------------------


def test_a_former_name_is_kept_as_written_and_linked_to_what_it_became(entities_nlp) -> None:
    text = (
        "Le projet est mené par le groupe CDG, le ministère de l'Industrie, du Commerce et des "
        "Nouvelles technologies ainsi que la wilaya de Rabat."
    )
    found = orgs(entities_nlp, text)
    old = found["Ministère de l'Industrie, du Commerce et des Nouvelles technologies"]
    assert old.successor == "Ministère de l'Industrie et du Commerce"
    assert old.years == "2007-2013" and old.kind == "ministry"
    assert "Ministère de l'Industrie et du Commerce" not in found  # never rewritten to today's name


def test_a_former_name_must_be_well_formed(tmp_path: Path) -> None:
    bad = tmp_path / "organisations.toml"
    bad.write_text(
        '[[organisation]]\nname = "Office X"\nkind = "agency"\n'
        'former = [{ name = "Office Y", since = 2015, until = 2010 }]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"Office X\.former\[0\].*since"):
        Gazetteer.from_toml(bad)


def test_a_media_outlet_is_an_organisation_only_where_it_acts(entities_nlp) -> None:
    acting = (
        "Le stockage des données devient un enjeu urgent, indique L’Economiste dans son édition du mercredi."
    )
    assert "L'Economiste" in orgs(entities_nlp, acting)
    quoted = "Contactée par Médias24, la présidente de la fédération a démenti."
    assert "Médias24" in orgs(entities_nlp, quoted)
    dateline = "Rabat, 12 mars (MAP) – Le secteur de l'offshoring a créé 5.000 emplois."
    assert "Maghreb Arabe Presse" in orgs(entities_nlp, dateline)
    byline = "Par Karim Alaoui. Le Matin. Les centres d'appels recrutent à Fès."
    assert not {"Le Matin"} & set(orgs(entities_nlp, byline))
    common = "Le matin, les équipes de Challenge sortent du métro."  # no outlet acts here
    assert not {"Le Matin", "Challenge"} & set(orgs(entities_nlp, common))


def test_a_name_after_a_persons_title_is_an_organisation(entities_nlp) -> None:
    text = "« La croissance reprend », explique Alain Guettaf, directeur général de Pro2C, à Tunis."
    assert "Pro2C" in orgs(entities_nlp, text)


def test_sector_terms_report_titles_and_adjective_fragments_are_not_organisations(entities_nlp) -> None:
    text = (
        "Les Fintech et les EdTech ont levé 30 millions de dollars, selon le rapport « Morocco Data "
        "Center Market: Investment Analysis & Growth Opportunities ». Le site accueille un campus "
        "Technologique Universitaire relevant de l'Université Mohammed 1er."
    )
    found = orgs(entities_nlp, text)
    assert not {"Fintech", "EdTech", "Technologique Universitaire"} & set(found)
    assert not any(":" in name for name in found)
    assert "Université Mohammed 1er" in found  # the ordinal belongs to the name


def test_a_defined_long_form_written_again_is_the_same_organisation(entities_nlp) -> None:
    text = (
        "La Fédération marocaine de l'externalisation des services (FMES) rejoint la CGEM. Les membres "
        "de la Fédération marocaine de l'externalisation des services ont voté."
    )
    named = [n for n in orgs(entities_nlp, text) if "externalisation" in n]
    assert len(named) == 1


def test_an_apposition_saying_what_a_firm_does_names_it(entities_nlp) -> None:
    text = (
        "Après Pure Bedding, c'est au tour de Wafra Chimie, acteur de l'industrie chimique, de s'installer."
    )
    assert "Wafra Chimie" in orgs(entities_nlp, text)
    person = "« Cela favorise l'inclusion », souligne Fadwa Jouali, spécialiste senior des paiements."
    assert "Fadwa Jouali" not in orgs(entities_nlp, person)


def test_a_park_is_a_place_unless_named_as_the_company_that_runs_it(entities_nlp) -> None:
    assert "Casanearshore" not in orgs(entities_nlp, "Le parc Casanearshore accueille 50 entreprises.")
    found = orgs(entities_nlp, "La convention est signée par la société Casanearshore, filiale de MEDZ.")
    assert found["Casanearshore"].kind == "zone_operator"


def test_a_firm_named_as_a_parent_or_shareholder_is_an_organisation(entities_nlp) -> None:
    assert "Kalidia Services" in orgs(
        entities_nlp, "Le centre est une filiale de Kalidia Services, basée à Paris."
    )
    assert "Medasys" in orgs(entities_nlp, "Fipar Holding, actionnaire de Medasys, a signé l'accord.")
