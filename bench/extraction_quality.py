"""Figure extraction quality on an annotated directory: P/R/F1 overall and per unit.

    python bench/extraction_quality.py [GOLD_DIR] [--only 01,02] [--errors] [--time]

GOLD_DIR defaults to tests/data/gold/figures. --errors lists misses and false positives.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy  # noqa: E402

import pipeline.figures  # noqa: E402,F401  (registers the components)
from pipeline.evaluation.figures import GOLD_DIR, gold_counts, load_gold, per_unit, score  # noqa: E402


def build_nlp() -> spacy.language.Language:
    nlp = spacy.load("fr_core_news_md")
    nlp.add_pipe("veille_paragraphs", before="parser")
    nlp.add_pipe("veille_figures", last=True)
    return nlp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(GOLD_DIR))
    ap.add_argument("--only", help="comma-separated article prefixes, e.g. 01,02")
    ap.add_argument("--errors", action="store_true", help="list misses and false positives")
    ap.add_argument("--time", action="store_true", help="time the figure component against the rest")
    args = ap.parse_args(argv)
    names = set(args.only.split(",")) if args.only else None
    articles = load_gold(args.directory, names)
    nlp = build_nlp()
    preds = {}
    for art in articles:
        preds[art.name] = nlp(art.text)._.figures
    s = score(preds, articles)
    counts = gold_counts(articles)
    print(f"{len(articles)} articles, {sum(counts.values())} gold figures: {counts}")
    print(f"figures  P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}  (tp={s.tp} fp={s.fp} fn={s.fn})")
    for unit, us in per_unit(preds, articles).items():
        print(
            f"  {unit:8s} P={us.precision:.3f} R={us.recall:.3f} F1={us.f1:.3f}  (tp={us.tp} fp={us.fp} fn={us.fn})"
        )
    agree = ", ".join(f"{k} {a}/{t}" for k, (a, t) in s.attribute_agreement.items())
    print(f"attributes on matched figures: {agree}")
    if args.errors:
        for name, g in s.misses:
            print(f"MISS {name}: {g.text!r} {g.value} {g.unit}")
        for name, p in s.false_positives:
            print(f"FP   {name}: {p.text!r} {p.value} {p.unit}")
    if args.time:
        texts = [a.text for a in articles] * 5
        timings = {}
        for name in nlp.pipe_names:
            timings[name] = 0.0
        for doc in nlp.tokenizer.pipe(texts):
            for name, proc in nlp.pipeline:
                t0 = time.perf_counter()
                doc = proc(doc)
                timings[name] += time.perf_counter() - t0
        total = sum(timings.values())
        words = sum(len(t.split()) for t in texts)
        print(f"timing over {words} words: " + ", ".join(f"{k} {v / total:.1%}" for k, v in timings.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
