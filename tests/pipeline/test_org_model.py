"""The learned decision on NER candidates (pipeline/org_model.py): what it finds that the label
rule did not, what it still refuses, and that the shipped weights are what the tuning data trains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.evaluation import realpress as rp
from pipeline.evaluation import train_organisations as training
from pipeline.nlp import analyze, build_nlp
from pipeline.org_model import VERSION, OrgModel, load_model

# sentences written for this test; the company names are invented
NEW_COMPANIES = [
    ("Qorvana a levé 12 millions de dirhams auprès de plusieurs investisseurs marocains.", {"Qorvana"}),
    ("Les fondateurs de Tifawin ont présenté leur application de paiement mobile à Rabat.", {"Tifawin"}),
    ("Le carnet de commandes de Nexalys a doublé en 2023, selon son directeur général.", {"Nexalys"}),
    ("Le service client de Vantora emploie 500 personnes à Fès.", {"Vantora"}),
]


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return build_nlp()


def _names(nlp, text: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {o.name for o in analyze(text, nlp=nlp).organisations}


@pytest.mark.parametrize(("text", "expected"), NEW_COMPANIES)
def test_a_company_nobody_listed_is_found_from_its_context(nlp, text: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    recogniser = nlp.get_pipe("veille_orgs")
    assert expected <= _names(nlp, text)
    saved = recogniser.model
    recogniser.model = (
        training.RuleOnly()
    )  # NER tagged these LOC, PER or MISC: the label rule alone drops them
    try:
        assert not expected & _names(nlp, text)
    finally:
        recogniser.model = saved


def test_places_and_people_stay_what_they_are(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Le centre d'appels a ouvert un site à Thiès et un autre à Kénitra, où travaillent 300 conseillers."
    )
    assert _names(nlp, text) == set()
    analysis = analyze(
        "Selon Karim Bennani, directeur général de Nexalys, le carnet de commandes a doublé.", nlp=nlp
    )
    assert [p.name for p in analysis.persons] == ["Karim Bennani"]
    assert "Karim Bennani" not in {o.name for o in analysis.organisations}


def test_training_reads_no_locked_excerpt() -> None:
    trained = training.training_documents()
    held = [*rp.load_half("locked"), *(e for half in rp.RETIRED for e in rp.load_half(half))]
    assert {d.text for d in trained}.isdisjoint({e.text for e in held})
    assert len([d for d in trained if ":" not in d.group]) == len(rp.load_half("tuning"))


def test_a_model_of_other_features_is_refused(tmp_path: Path) -> None:
    shipped = load_model()
    path = tmp_path / "organisations.npz"
    OrgModel(weights=shipped.weights, bias=shipped.bias, threshold=0.5).save(path)
    assert load_model(path).threshold == 0.5
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    np.savez_compressed(path, **{**arrays, "version": np.int32(VERSION + 1)})
    load_model.cache_clear()
    with pytest.raises(ValueError, match="version"):
        load_model(path)
    load_model.cache_clear()


def test_the_shipped_model_is_what_the_tuning_data_trains(capsys: pytest.CaptureFixture[str]) -> None:
    assert training.main(["--check"]) == 0, capsys.readouterr().out
