"""Quality gates: the figure extractor on the team's gold set and on an independent held-out set.

The held-out set (tests/data/heldout/figures) was annotated by someone outside the team;
it is part of the development loop now, as is a second one (tests/data/heldout2/figures, whose
annotator also marks fractions in words and anaphoric bare numbers). Another independent set
is kept back for acceptance.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.evaluation.figures import GOLD_DIR, gold_counts, load_gold, per_unit, score

HELDOUT_DIR = Path(__file__).resolve().parents[1] / "data" / "heldout" / "figures"
HELDOUT2_DIR = Path(__file__).resolve().parents[1] / "data" / "heldout2" / "figures"
HELDOUT3_DIR = Path(__file__).resolve().parents[1] / "data" / "heldout3" / "figures"


def test_gold_set_is_well_formed() -> None:
    articles = load_gold(GOLD_DIR)  # raises GoldError when a span is not in its text
    assert len(articles) >= 18
    assert sum(gold_counts(articles).values()) >= 300
    for art in articles:
        for g in art.figures:
            assert art.text[g.start : g.end] == g.text


def _gate(nlp, directory: Path, min_f1: float) -> None:
    articles = load_gold(directory)
    preds = {a.name: nlp(a.text)._.figures for a in articles}
    s = score(preds, articles)
    print(f"\nfigures P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} (tp={s.tp} fp={s.fp} fn={s.fn})")
    for unit, us in per_unit(preds, articles).items():
        print(f"  {unit:8s} F1={us.f1:.3f} (tp={us.tp} fp={us.fp} fn={us.fn})")
    for name, g in s.misses:
        print(f"  MISS {name}: {g.text!r} {g.value} {g.unit}")
    for name, p in s.false_positives:
        print(f"  FP   {name}: {p.text!r} {p.value} {p.unit}")
    assert s.f1 >= min_f1


def test_figures_f1_on_gold_set(nlp) -> None:
    _gate(nlp, GOLD_DIR, 0.98)


def test_figures_f1_on_heldout_set(nlp) -> None:
    _gate(nlp, HELDOUT_DIR, 0.98)


def test_figures_f1_on_heldout2_set(nlp) -> None:
    _gate(nlp, HELDOUT2_DIR, 0.95)


def test_figures_f1_on_heldout3_set(nlp) -> None:
    """Written independently and never used to tune the extractor: the honest estimate."""
    _gate(nlp, HELDOUT3_DIR, 0.95)
