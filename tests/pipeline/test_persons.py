"""Persons with role and organisation, merged across forms."""

from __future__ import annotations

import pytest

from tests.pipeline.nlp_fixture import entities_nlp  # noqa: F401

AMDIE = "Agence marocaine de développement des investissements et des exportations"
AMRC = "Association marocaine de la relation client"
MTN = "Ministère de la Transition numérique et de la Réforme de l'administration"


def people(nlp, text):
    return {p.name: p for p in nlp(text)._.persons}


@pytest.mark.parametrize(
    ("text", "name", "role", "organisation"),
    [
        ("« Le parc est plein », explique Abderrafie Hanouf, DG de Medz Sourcing, mardi.", "Abderrafie Hanouf", "directeur général", "Medz Sourcing"),
        ("Le directeur général de l'AMDIE, Ali Seddiki, a salué l'accord.", "Ali Seddiki", "directeur général", AMDIE),
        ("Selon Amine Mounir Alaoui, président de l'AMRC, le secteur recrute.", "Amine Mounir Alaoui", "président", AMRC),
        (
            "La ministre déléguée chargée de la Transition numérique, Amal El Fallah Seghrouchni, a présidé la séance.",
            "Amal El Fallah Seghrouchni", "ministre déléguée chargée de la Transition numérique", MTN,
        ),
        ("Nadia Alami, directrice des ressources humaines de Teleperformance Maroc, recrute.", "Nadia Alami", "directrice des ressources humaines", "Teleperformance"),
        ("« Nous grandissons », affirme Yassine Tazi, cofondateur et PDG de Kaoutar Labs.", "Yassine Tazi", "cofondateur et président-directeur général", "Kaoutar Labs"),
    ],
)  # fmt: skip
def test_role_patterns(entities_nlp, text, name, role, organisation) -> None:
    found = people(entities_nlp, text)
    assert name in found, found
    assert found[name].role == role
    assert found[name].organisation == organisation


def test_title_and_surname_forms_merge_with_full_name(entities_nlp) -> None:
    text = (
        "Karim Bennani, directeur général de Medz Sourcing, a inauguré le site. "
        "Selon M. Bennani, le taux d'occupation dépasse 95 %. Bennani vise le double. "
        "Mme Leila Saadi, présidente de l'AMRC, était présente. « C'est un signal fort », a dit Mme Saadi."
    )
    found = people(entities_nlp, text)
    assert set(found) == {"Karim Bennani", "Leila Saadi"}
    assert len(found["Karim Bennani"].mentions) >= 2
    assert len(found["Leila Saadi"].mentions) == 2
    for p in found.values():
        for m in p.mentions:
            assert text[m.start : m.end] == m.text


def test_organisations_tagged_as_persons_are_not_persons(entities_nlp) -> None:
    found = people(entities_nlp, "Medz Sourcing et Majorel ont signé avec Intelcia.")
    assert found == {}


def test_person_without_role(entities_nlp) -> None:
    found = people(
        entities_nlp, "« Le marché reste porteur », estime Hicham Ouazzani lors d'un point presse."
    )
    assert list(found) == ["Hicham Ouazzani"]
    assert found["Hicham Ouazzani"].role is None


def test_an_interviewers_initials_are_not_a_person() -> None:
    from pipeline.nlp import analyze, build_nlp

    text = (
        "Finances News Hebdo : Quel est votre budget ?\n"
        "K. B. : Le budget consacré au centre est de 2 millions de DH.\n"
        "F. N. H. : Pensez-vous qu’il suffira ?\nK. B. : Oui, nous le pensons."
    )
    assert [p.name for p in analyze(text, nlp=build_nlp()).persons] == []


# --- organisation attachment -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "role", "organisation"),
    [
        # "Y, représentée par son PDG X"
        ("La société Vireo Systems, représentée par son PDG Karim Alaoui, a signé la convention.", "Karim Alaoui", "président-directeur général", "Vireo Systems"),
        # "X (Y)"
        ("Selon Leila Fassi (Intelcia), le marché progresse encore.", "Leila Fassi", None, "Intelcia"),
        # possessive across a quotation spanning several sentences
        (
            "Kaoutar Labs a levé 10 MDH auprès de Maroc Numeric Fund. « Nous grandissons ; nos clients suivent. "
            "L'Europe aussi », affirme sa fondatrice, Sara Idrissi.",
            "Sara Idrissi", "fondatrice", "Kaoutar Labs",
        ),
        # "du groupe": the company the article is about
        (
            "Le groupe Zentra publie ses comptes. Zentra a racheté DataNova en mai. « Nous avons doublé », "
            "souligne Reda Amrani, président-directeur général du groupe.",
            "Reda Amrani", "président-directeur général", "Zentra",
        ),
        # "de la Fédération … en charge de …": the federation named earlier, the remit kept in the role
        (
            "La Fédération nationale du numérique tient son assemblée. Vice-président de la Fédération en charge "
            "de l'export, Omar Bennis rappelle les chiffres.",
            "Omar Bennis", "vice-président en charge de l'export", "Fédération nationale du numérique",
        ),
        # a minister without portfolio: the ministry of the article
        (
            "Le ministère de l'Industrie et du Commerce prépare un décret. La ministre, Nadia Fettah Alaoui, l'a annoncé.",
            "Nadia Fettah Alaoui", "ministre", "Ministère de l'Industrie et du Commerce",
        ),
        ("La présidente de l'AMRC, Salma Berrada, a ouvert les débats.", "Salma Berrada", "présidente", AMRC),
    ],
)  # fmt: skip
def test_organisation_attachment(entities_nlp, text, name, role, organisation) -> None:
    found = people(entities_nlp, text)
    assert name in found, found
    assert found[name].role == role
    assert found[name].organisation == organisation


def test_described_company_is_not_resolved_to_another(entities_nlp) -> None:
    text = (
        "La société de gestion du parc, filiale du groupe Zentra, s'agrandit. « Tout est loué », "
        "affirme Rachid Amrani, directeur général de la société de gestion."
    )
    found = people(entities_nlp, text)
    assert found["Rachid Amrani"].role == "directeur général"
    assert found["Rachid Amrani"].organisation is None
