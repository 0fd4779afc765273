"""Quality on real press (tests/data/realpress): excerpts of real articles annotated before the
extractor saw them. The locked half is never tuned on.

The floors below are the level measured at the locked half's first contact (docs/benchmarks.md,
"Real press: the third locked batch"), a little under it: they catch a regression. They are not
the issue's gates (figures F1 0.93, organisations 0.88, persons 0.90, indicator 0.85, status 0.90
with each status's recall 0.80, metric on 90 % of figures), which the locked half does not meet yet.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.evaluation import realpress as rp
from pipeline.nlp import analyze_many, build_nlp

ROOT = Path(__file__).resolve().parents[2]

FLOORS = {
    # half: (figures F1, organisations F1, persons F1, indicator accuracy, status accuracy, metric share)
    # the third locked batch (60 excerpts, 55 outlets), a little under its first contact
    # (docs/benchmarks.md, "Real press: the third locked batch"): 0.887, 0.674, 0.912, 0.806,
    # 0.856, 93.6 %
    "locked": (0.87, 0.66, 0.89, 0.79, 0.84, 0.92),
    # tuning status lowered 0.88 -> 0.86 when the half grew by 53 excerpts rich in announced
    # figures and targets (docs/benchmarks.md, "Tuning half grown, 2026-12-07"): 0.869 measured;
    # organisations lowered 0.87 -> 0.86 when it grew again by 60 excerpts chosen for hard
    # organisation sentences ("Tuning half grown again"): 0.866 measured with the retrained model
    "tuning": (0.92, 0.86, 0.87, 0.84, 0.86, 0.91),
}


@pytest.fixture(scope="module")
def results() -> dict[str, rp.Result]:
    nlp = build_nlp()
    out = {}
    for half in FLOORS:
        excerpts = rp.load_half(half)
        out[half] = rp.evaluate(
            excerpts, lambda texts, published: analyze_many(texts, nlp=nlp, published=published)
        )
    return out


@pytest.mark.parametrize("half", list(FLOORS))
def test_real_press_floors(results: dict[str, rp.Result], half: str) -> None:
    r = results[half]
    figures, orgs, persons, indicator, status, metric = FLOORS[half]
    summary = rp.report(half, r)  # scores only: a locked half's errors are never listed
    assert r.figures.f1 >= figures, summary
    assert r.organisations.f1 >= orgs, summary
    assert r.persons.f1 >= persons, summary
    assert r.indicator_accuracy >= indicator, summary
    assert r.status_accuracy >= status, summary
    assert r.metric_share >= metric, summary


def test_the_set_is_large_and_diverse_enough() -> None:
    for half, (n, outlets) in {"tuning": (100, 40), "locked": (40, 15)}.items():
        excerpts = rp.load_half(half)
        assert len(excerpts) >= n
        assert len({e.meta["outlet"] for e in excerpts}) >= outlets
    assert sum(len(rp.load_half(h)) for h in (*rp.HALVES, *rp.RETIRED)) >= 80


def test_halves_share_no_outlet_nor_story() -> None:
    sys.path.insert(0, str(rp.SET_DIR))
    from split import outlet_key  # tests/data/realpress/split.py: the split's own rule

    keys = {h: {outlet_key(e.meta["url"]) for e in rp.load_half(h)} for h in rp.HALVES}
    assert not keys["tuning"] & keys["locked"]
    stories = {h: {e.meta["story"] for e in rp.load_half(h)} for h in rp.HALVES}
    assert not stories["tuning"] & stories["locked"]


def test_annotations_are_well_formed() -> None:
    done = subprocess.run(
        [sys.executable, str(rp.SET_DIR / "check.py")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_every_locked_file_is_the_one_recorded_in_the_benchmarks_page() -> None:
    """A change to locked gold must be logged with its reason and new hash in docs/benchmarks.md."""
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    for path in sorted((rp.SET_DIR / "locked").glob("*.*")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"{digest}  {path.name}" in page, f"{path.name} changed without a line in docs/benchmarks.md"
