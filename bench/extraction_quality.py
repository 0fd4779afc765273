"""Extraction quality on every annotated set: figures per unit, per indicator and per status,
organisations and persons.

    python bench/extraction_quality.py [--set NAME ...] [--errors] [--time] [--corrections DIR]

Sets: the team's `gold`, the written held-out sets `heldout`, `heldout2`, `heldout3`, and the
real-press halves `realpress-tuning`, `realpress-locked`, `realpress-first-locked`, `realpress-second-locked`
(tests/data/realpress, excerpts of real articles annotated before the extractor saw them).
Default: all of them. `--errors` lists misses and false positives, never for a locked half
(it is read for its score only). `--corrections DIR` scores the extractor against the articles
analysts marked "vérifié" (`veille corrections export DIR`), alone unless sets are named. Figures are printed, never asserted: the gates are pinned in
tests/pipeline/test_*_quality.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluation import entities as ent  # noqa: E402
from pipeline.evaluation import realpress as rp  # noqa: E402
from pipeline.evaluation.figures import Score, gold_counts, load_gold, per_unit, score  # noqa: E402
from veille.core.models import STATUSES, Analysis  # noqa: E402

DATA = ROOT / "tests" / "data"
WRITTEN = {
    "gold": (DATA / "gold" / "figures", DATA / "gold" / "entities"),
    "heldout": (DATA / "heldout" / "figures", DATA / "heldout" / "entities"),
    "heldout2": (DATA / "heldout2" / "figures", DATA / "heldout2" / "entities"),
    "heldout3": (DATA / "heldout3" / "figures", DATA / "heldout3" / "entities"),
}
REAL = {
    "realpress-tuning": "tuning",
    "realpress-locked": "locked",
    "realpress-first-locked": "first-locked",
    "realpress-second-locked": "second-locked",
}
LOCKED = {"realpress-locked", "realpress-first-locked", "realpress-second-locked"}


def line(label: str, s: Score) -> str:
    return (
        f"  {label:20s} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}  (tp={s.tp} fp={s.fp} fn={s.fn})"
    )


def run_written(name: str, nlp, errors: bool) -> None:
    from pipeline.nlp import analyze_many

    fig_dir, ent_dir = WRITTEN[name]
    articles = load_gold(fig_dir)
    analyses: list[Analysis] = list(analyze_many([a.text for a in articles], nlp=nlp))
    preds = {a.name: list(an.figures) for a, an in zip(articles, analyses, strict=True)}
    s = score(preds, articles)
    counts = gold_counts(articles)
    print(f"== {name}: {len(articles)} articles, {sum(counts.values())} gold figures")
    print(line("figures", s))
    for unit, us in per_unit(preds, articles).items():
        print(line(f"  {unit}", us))
    docs = ent.load_gold(ent_dir)
    scores = ent.evaluate(docs, lambda texts: analyze_many(texts, nlp=nlp))
    for label, es in scores.items():
        print("  " + es.summary(f"{label:18s}"))
    if errors:
        for n, g in s.misses:
            print(f"  MISS  {n}: {g.text!r} {g.value:g} {g.unit}")
        for n, p in s.false_positives:
            print(f"  EXTRA {n}: {p.text!r} {p.value:g} {p.unit}")


def run_real(name: str, nlp, errors: bool, directory: Path | None = None) -> None:
    from pipeline.nlp import analyze_many

    excerpts = rp.load_half(directory or REAL[name])
    result = rp.evaluate(excerpts, lambda texts, published: analyze_many(texts, nlp=nlp, published=published))
    print(f"== {name}: {rp.describe(excerpts)}")
    print(rp.report(name, result, errors=errors and name not in LOCKED).split("\n", 1)[1])
    preds, articles = result.predictions, [e.article for e in excerpts]  # the run above, not a second one
    print("  per unit:")
    for unit, us in per_unit(preds, articles).items():
        print(line(f"  {unit}", us))
    print("  per indicator (gold indicator: agreement on matched figures):")
    for key, (a, t) in sorted(result.by_indicator.items(), key=lambda kv: -kv[1][1]):
        print(f"    {key:18s} {a:3d}/{t:<3d} {a / t:.2f}")
    print("  per status (recall on matched figures):")
    for st in STATUSES:
        a, t = result.status_recall.get(st, [0, 0])
        print(f"    {st:10s} {a:3d}/{t:<3d} {result.recall_of(st):.2f}")
    confusions = [(k, n) for k, n in result.confusions.most_common(8) if k[0] in ("indicator", "status")]
    if confusions and name not in LOCKED:  # a locked half is read for its scores, not its errors
        print("  commonest confusions: " + ", ".join(f"{w} {g}->{p} x{n}" for (w, g, p), n in confusions))


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--set", action="append", choices=[*WRITTEN, *REAL], help="a set (repeatable); default all"
    )
    ap.add_argument(
        "--errors", action="store_true", help="list misses and false positives (never for a locked half)"
    )
    ap.add_argument("--time", action="store_true", help="seconds per set")
    ap.add_argument(
        "--corrections",
        metavar="DIR",
        type=Path,
        help="score against the articles analysts marked vérifié (written by `veille corrections export DIR`)",
    )
    args = ap.parse_args(list(argv) if argv is not None else None)
    from pipeline.nlp import build_nlp

    nlp = build_nlp()
    if args.corrections is not None:
        t0 = time.perf_counter()
        run_real("corrections", nlp, args.errors, args.corrections)
        if args.time:
            print(f"  ({time.perf_counter() - t0:.1f} s)")
    for name in args.set or ([] if args.corrections is not None else [*WRITTEN, *REAL]):
        t0 = time.perf_counter()
        (run_written if name in WRITTEN else run_real)(name, nlp, args.errors)
        if args.time:
            print(f"  ({time.perf_counter() - t0:.1f} s)")
    print(f"run on {date.today().isoformat()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
