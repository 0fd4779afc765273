"""Status rules written after the error classes of the real-press tuning half (the sentences are
written here, in the way the press writes them): the value a change starts from, a share of a
planned total, a plan with a deadline, and commitments the older cues did not see."""

from __future__ import annotations

import pytest

from pipeline.nlp import analyze, build_nlp


@pytest.fixture(scope="module")
def full():
    return build_nlp()


def statuses(full, text: str) -> dict[str, str]:
    return {f.text: f.status for f in analyze(text, nlp=full).figures}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the value a change starts from has happened, whatever governs the value it goes to
        (
            "Le ministère vise à faire passer les recettes de 12 milliards de DH en 2022 à 30 milliards de DH en 2030.",
            {"12 milliards de DH": "actual", "30 milliards de DH": "target"},
        ),
        (
            "Les revenus du secteur devraient passer de 8 milliards de dollars en 2019 à 20 milliards en 2025.",
            {"8 milliards de dollars": "actual", "20 milliards": "forecast"},
        ),
        (
            "La surface du parc sera portée de 120 à 200 hectares.",
            {"120": "actual", "200 hectares": "announced"},
        ),
        # a share of a planned total is measured now; the planned total is not
        (
            "Les projets d'investissement validés totalisent 3 milliards de dirhams (40 % des montants projetés).",
            {"3 milliards de dirhams": "announced", "40 %": "actual"},
        ),
        # a plan with a deadline after the figure is a goal, unless it was signed or promised
        (
            "La nouvelle zone permettra la création de 6.000 emplois à l'horizon 2028.",
            {"6.000 emplois": "target"},
        ),
        (
            "Environ 800 emplois seront créés d'ici 2029 dans le cadre du programme.",
            {"800 emplois": "target"},
        ),
        (
            "Le groupe a signé une convention pour la création de 900 emplois d'ici 2027.",
            {"900 emplois": "announced"},
        ),
        ("Le centre devrait permettre la création de 400 emplois d'ici 2027.", {"400 emplois": "forecast"}),
        ("La nouvelle zone permettra la création de 6.000 emplois.", {"6.000 emplois": "forecast"}),
        # commitments: a new investment, a promise, what is at stake, operators about to settle
        (
            "Avec un nouvel investissement de 120 millions de dirhams, le groupe agrandit son site de Fès.",
            {"120 millions de dirhams": "announced"},
        ),
        ("A la clé, la création de 250 postes qualifiés.", {"250 postes": "announced"}),
        ("Trois opérateurs comptent s'installer à Meknès.", {"Trois opérateurs": "announced"}),
        ("Le ministre promet la création de 2.000 emplois dans la région.", {"2.000 emplois": "announced"}),
        (
            "Dans les temps à venir, la ville connaîtra l'ouverture de quatre centres de formation.",
            {"quatre centres": "announced"},
        ),
        # hoped-for values and a change in the conditional are forecasts; trying to reach is a goal
        (
            "Selon le cabinet, le marché passerait de 40 milliards de dollars en 2020 à 90 milliards en 2026.",
            {"40 milliards de dollars": "actual", "90 milliards": "forecast"},
        ),
        ("La croissance du secteur est espérée à 7 % l'an prochain.", {"7 %": "forecast"}),
        (
            "Cette année, l'agence tentera de faire recruter 8.000 jeunes diplômés.",
            {"8.000 jeunes diplômés": "target"},
        ),
        # a conditional modal governs the infinitives after it; a prediction is a forecast, deadline or not
        (
            "Selon le cabinet, la zone pourrait à terme attirer des investisseurs et créer 5.000 emplois.",
            {"5.000 emplois": "forecast"},
        ),
        (
            "Le cabinet prédit que le marché mondial atteindra 60 milliards de dollars d'ici 2028.",
            {"60 milliards de dollars": "forecast"},
        ),
        # what an actor holds is there now, whatever commitment surrounds it; "on notera" is discourse
        (
            "Le groupe renouvelle son engagement envers ses 4.000 salariés.",
            {"4.000 salariés": "actual"},
        ),
        ("Dans le détail, on notera 1.200 embauches en CDI.", {"1.200 embauches": "actual"}),
        # what a plan provides for, listed after its first item, is its goal too; the money it puts
        # in is its means, committed when the plan is set (announced, as the tuning gold reads it)
        (
            "Le programme prévoit un investissement de 2 milliards de dirhams sur trois ans, la formation de 40 000 jeunes.",
            {"2 milliards de dirhams": "announced", "40 000 jeunes": "target"},
        ),
        (
            "L'agence a pour objectif de créer 9.000 emplois moyennant un investissement global de 300 millions d'euros.",
            {"9.000 emplois": "target", "300 millions d'euros": "announced"},
        ),
        # "actuellement", "aujourd'hui" before the figure: measured now, whatever follows
        (
            "Le secteur, qui emploie actuellement 40.000 personnes, devrait doubler ses effectifs.",
            {"40.000 personnes": "actual"},
        ),
        (
            "On dénombre aujourd'hui 600 ingénieurs formés chaque année, alors que la demande atteindra 2.000 d'ici 2030.",
            {"600 ingénieurs": "actual"},
        ),
        # a cue after the figure counts only inside its own clause, not after ", et", "alors que"
        (
            "Les fonds locaux ont levé 80 millions de dollars l'an dernier, et ambitionnent de tripler ce montant.",
            {"80 millions de dollars": "actual"},
        ),
        (
            "La plateforme regroupe 45 entreprises, elle vise un rayonnement régional.",
            {"45 entreprises": "actual"},
        ),
        # a group named with a definite article exists: the promise is the bonus, not the staff
        ("La société a promis une prime aux 300 salariés du site.", {"300 salariés": "actual"}),
        (
            "Le groupe promet une prime de 2.000 DH à chacun des 450 employés.",
            {"2.000 DH": "announced", "450 employés": "actual"},
        ),
        (
            "Le centre va recruter 500 conseillers qui rejoindront les 1.200 agents du site.",
            {"500 conseillers": "announced", "1.200 agents": "actual"},
        ),
        # ... unless the group itself is planned or the noun is a flow
        (
            "Il faudra installer les 150 conseillers qui vont traiter les appels.",
            {"150 conseillers": "announced"},
        ),
        ("La direction a promis le recrutement de 200 agents.", {"200 agents": "announced"}),
        ("Le groupe confirme que les 500 emplois seront créés en 2027.", {"500 emplois": "announced"}),
        # a figure whose own verb, before it, is realised is not governed by a future verb of the next clause
        (
            "Le nouveau parc, qui s'étend sur une superficie de 80 ha, accueillera 6.000 emplois.",
            {"80 ha": "actual", "6.000 emplois": "announced"},
        ),
        (
            "Les dépenses du secteur ont été évaluées à 90 milliards de dollars, avec une hausse de 12 % sur un an, "
            "et devraient atteindre 100 milliards de dollars.",
            {"12 %": "actual", "100 milliards de dollars": "forecast"},
        ),
        # ... unless the cue sits on the figure's own words
        (
            "Le groupe, qui a réalisé un chiffre d'affaires de 11 milliards de dirhams en 2024, n'atteindra pas "
            "le chiffre d'affaires de 13 milliards de dirhams prévu, et devrait reculer.",
            {"11 milliards de dirhams": "actual", "13 milliards de dirhams": "forecast"},
        ),
        # a project's cost told in the present is committed, not spent; told in the past it is spent
        (
            "Cette nouvelle plateforme nécessite un investissement global de 300 millions de dirhams.",
            {"300 millions de dirhams": "announced"},
        ),
        (
            "La plateforme a nécessité un investissement de 50 millions de dirhams.",
            {"50 millions de dirhams": "actual"},
        ),
        # money in the subject of a forecast is there already; what it brings is expected
        (
            "L'investissement, estimé à 200 millions de dirhams, permettra la création de 1.000 emplois.",
            {"200 millions de dirhams": "announced", "1.000 emplois": "forecast"},
        ),
        (
            "Les investissements étrangers devraient atteindre 5 milliards de dirhams en 2026.",
            {"5 milliards de dirhams": "forecast"},
        ),
        # what signed agreements bring is committed; in the conditional it stays a forecast
        (
            "Les dix conventions signées avec les opérateurs permettront la création de 2.000 emplois.",
            {"2.000 emplois": "announced"},
        ),
        (
            "Les conventions signées avec les opérateurs pourraient permettre la création de 2.000 emplois.",
            {"2.000 emplois": "forecast"},
        ),
        # an aside in parentheses has its own status when it is a clause or has a cue of its own ...
        (
            "Le centre permettra de soutenir les opérations du groupe (actionnaire de la filiale à hauteur de 40 % "
            "depuis 2019) en Europe.",
            {"40 %": "actual"},
        ),
        (
            "Le groupe recrutera 400 conseillers (contre 250 l'an dernier) pour son nouveau site.",
            {"400 conseillers": "announced", "250": "actual"},
        ),
        # ... not when it is a short detail of what is around it
        (
            "Le futur bâtiment devra accueillir des bureaux sur trois niveaux (rez-de-chaussée et deux étages).",
            {"deux étages": "announced"},
        ),
        # a realised verb before the figure, a goal in the next clause
        (
            "Après avoir formé 3.000 jeunes l'an dernier, l'agence ambitionne d'en former 5.000 cette année.",
            {"3.000 jeunes": "actual"},
        ),
        # futures of "-re" verbs and a conditional passive are plans too
        ("Ce projet structurant s'étendra sur 8 hectares.", {"8 hectares": "announced"}),
        (
            "Le parc serait réalisé en deux tranches sur une superficie de 30 ha.",
            {"deux tranches": "announced", "30 ha": "announced"},
        ),
        # a relative clause right after the figure speaks of it
        (
            "La première tranche porte sur 120 ha, dont l'achèvement est prévu en 2027, et la seconde sera aménagée ensuite.",
            {"120 ha": "announced"},
        ),
        # investment drawn in is a goal, not the means of one
        (
            "La stratégie vise à drainer des investissements d'un montant de 2 milliards de dirhams d'ici 2030.",
            {"2 milliards de dirhams": "target"},
        ),
        # a "marché" is a market, not a contract, unless public or valued
        ("Le marché devrait croître de 8 % par an.", {"8 %": "forecast"}),
        # "prévisionnels" is what approved projects plan, not a forecast
        (
            "La commission a approuvé 40 projets pour un montant de 2 milliards de dirhams et 3.000 emplois prévisionnels.",
            {"2 milliards de dirhams": "announced", "3.000 emplois": "announced"},
        ),
    ],
)
def test_status_of_a_figure_from_its_place_and_its_cues(full, text: str, expected: dict[str, str]) -> None:
    found = statuses(full, text)
    assert {span: found.get(span) for span in expected} == expected
