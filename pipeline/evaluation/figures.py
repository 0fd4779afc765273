"""Scorer and gold-set loader for the figure extractor.

Gold set layout (tests/data/gold/figures/): per article ``NN-slug.txt`` (UTF-8 text) and
``NN-slug.json``, a list of expected figures::

    {"text": "10 milliards de DH", "occurrence": 1, "value": 1e10, "unit": "MAD",
     "approx": false, "qualifier": null, "range_max": null, "period": "2018", "metric": null}

``occurrence`` (1-based) says which occurrence of ``text`` is meant; the loader computes
the character offsets, so annotators never count them.

A predicted figure matches a gold figure when the spans overlap, the units are equal and
the values agree within 0.5 % (relative). Matching is one-to-one, greedy on overlap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.evaluation import Counts, GoldError, gold_pairs
from veille.core.models import UNITS, Figure

GOLD_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "gold" / "figures"
TOLERANCE = 0.005
ATTRIBUTES = ("approx", "qualifier", "range_max", "period")


@dataclass(frozen=True)
class GoldFigure:
    text: str
    start: int
    end: int
    value: float
    unit: str
    approx: bool = False
    qualifier: str | None = None
    range_max: float | None = None
    period: str | None = None
    metric: str | None = None
    indicator: str | None = None  # the real-press set annotates these three
    status: str | None = None
    per: str | None = None


@dataclass(frozen=True)
class GoldArticle:
    name: str  # file stem, e.g. "01-bilan-export-offshoring"
    text: str
    figures: tuple[GoldFigure, ...]


@dataclass
class Score(Counts):
    misses: list[tuple[str, GoldFigure]] = field(default_factory=list)  # (article, gold)
    false_positives: list[tuple[str, Figure]] = field(default_factory=list)
    attribute_agreement: dict[str, list[int]] = field(default_factory=dict)  # name -> [agree, total]

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.misses += other.misses
        self.false_positives += other.false_positives
        for k, (a, t) in other.attribute_agreement.items():
            cur = self.attribute_agreement.setdefault(k, [0, 0])
            cur[0] += a
            cur[1] += t


def _find(text: str, span: str, occurrence: int, where: str) -> int:
    """Start of the n-th occurrence of span as whole words ("5 millions" not in "95 millions")."""
    pos, seen = -1, 0
    while seen < occurrence:
        pos = text.find(span, pos + 1)
        if pos < 0:
            raise GoldError(f"{where}: occurrence {occurrence} of {span!r} not found in the text")
        before = text[pos - 1] if pos else " "
        after = text[pos + len(span)] if pos + len(span) < len(text) else " "
        if not (before.isalnum() and span[0].isalnum()) and not (after.isalnum() and span[-1].isalnum()):
            seen += 1
    return pos


def load_article(name: str, text: str, data: Any) -> GoldArticle:
    """One gold article: the text and its figures with offsets computed."""
    # a bare list of figures, or {"figures": [...]} as in the held-out sets
    entries: list[dict[str, Any]] = data["figures"] if isinstance(data, dict) else data
    figures = []
    for i, e in enumerate(entries):
        where = f"{name}.json[{i}]"
        if e.get("unit") not in UNITS:
            raise GoldError(f"{where}: unknown unit {e.get('unit')!r}")
        start = _find(text, e["text"], int(e.get("occurrence", 1)), where)
        figures.append(
            GoldFigure(
                text=e["text"],
                start=start,
                end=start + len(e["text"]),
                value=float(e["value"]),
                unit=e["unit"],
                approx=bool(e.get("approx", False)),
                qualifier=e.get("qualifier"),
                range_max=float(e["range_max"]) if e.get("range_max") is not None else None,
                period=e.get("period"),
                metric=e.get("metric"),
                indicator=e.get("indicator"),
                status=e.get("status"),
                per=e.get("per"),
            )
        )
    return GoldArticle(name, text, tuple(sorted(figures, key=lambda f: f.start)))


def load_gold(directory: str | Path = GOLD_DIR, names: set[str] | None = None) -> list[GoldArticle]:
    """All articles of a gold directory (every NN-slug.txt needs its NN-slug.json)."""
    return [load_article(name, text, data) for name, text, data in gold_pairs(directory, names)]


def values_match(predicted: float, gold: float) -> bool:
    if gold == 0:
        return predicted == 0
    return abs(predicted - gold) <= TOLERANCE * abs(gold)


def _matches(p: Figure, g: GoldFigure, both_ends: bool = False) -> bool:
    if not (p.start < g.end and g.start < p.end and p.unit == g.unit and values_match(p.value, g.value)):
        return False
    if not both_ends or (p.range_max is None and g.range_max is None):
        return True
    return p.range_max is not None and g.range_max is not None and values_match(p.range_max, g.range_max)


def score_article(
    name: str,
    predicted: list[Figure],
    gold: tuple[GoldFigure, ...] | list[GoldFigure],
    both_ends: bool = False,
    on_match: Callable[[Figure, GoldFigure], None] | None = None,
) -> Score:
    """One article's counts. ``both_ends``: a range matches only when its upper ends agree too;
    ``on_match`` is called with each matched (predicted, gold) pair."""
    s = Score(attribute_agreement={a: [0, 0] for a in ATTRIBUTES})
    used: set[int] = set()
    for g in gold:
        best, best_overlap = None, 0
        for i, p in enumerate(predicted):
            if i in used or not _matches(p, g, both_ends):
                continue
            overlap = min(p.end, g.end) - max(p.start, g.start)
            if overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is None:
            s.fn += 1
            s.misses.append((name, g))
            continue
        used.add(best)
        s.tp += 1
        p = predicted[best]
        if on_match is not None:
            on_match(p, g)
        for a in ATTRIBUTES:
            pv, gv = getattr(p, a), getattr(g, a)
            same = (
                values_match(pv, gv) if a == "range_max" and pv is not None and gv is not None else pv == gv
            )
            s.attribute_agreement[a][0] += int(same)
            s.attribute_agreement[a][1] += 1
    for i, p in enumerate(predicted):
        if i not in used:
            s.fp += 1
            s.false_positives.append((name, p))
    return s


def score(predictions: dict[str, list[Figure]], articles: list[GoldArticle]) -> Score:
    """Micro-averaged score over articles; predictions keyed by article name."""
    total = Score(attribute_agreement={a: [0, 0] for a in ATTRIBUTES})
    for art in articles:
        total.add(score_article(art.name, predictions.get(art.name, []), art.figures))
    return total


def per_unit(predictions: dict[str, list[Figure]], articles: list[GoldArticle]) -> dict[str, Score]:
    """The same score restricted to each unit (gold and predicted figures of that unit)."""
    units = {g.unit for a in articles for g in a.figures} | {
        p.unit for ps in predictions.values() for p in ps
    }
    out: dict[str, Score] = {}
    for unit in sorted(units):
        s = Score(attribute_agreement={a: [0, 0] for a in ATTRIBUTES})
        for art in articles:
            preds = [p for p in predictions.get(art.name, []) if p.unit == unit]
            golds = [g for g in art.figures if g.unit == unit]
            s.add(score_article(art.name, preds, golds))
        out[unit] = s
    return out


def gold_counts(articles: list[GoldArticle]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for a in articles:
        for g in a.figures:
            counts[g.unit] += 1
    return dict(sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    """Check a gold directory: every span found in its text. ``python -m pipeline.evaluation.figures [DIR]``."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    try:
        articles = load_gold(args[0] if args else GOLD_DIR)
    except GoldError as exc:
        print(f"gold error: {exc}", file=sys.stderr)
        return 1
    counts = gold_counts(articles)
    print(f"{len(articles)} articles, {sum(counts.values())} figures, all spans found: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
