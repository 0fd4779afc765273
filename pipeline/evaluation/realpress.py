"""The real-press set: excerpts of real articles, annotated before the extractor saw them.

Layout (tests/data/realpress/, rules in its CONVENTION.md): ``tuning/`` and ``locked/``, each
``NN-outlet-slug.txt`` with ``NN-outlet-slug.json`` holding ``meta`` (address, outlet, query,
publication date, story), ``figures`` (with indicator, status and per), ``organisations`` and
``persons``. The locked half is scored, never tuned on.

:func:`evaluate` runs the extractor on a half (each text with its publication date) and
returns figures (ranges must agree at both ends), indicator and status accuracy on matched
figures, the recall of each status, the share of figures with a metric, organisations and
persons. ``python -m pipeline.evaluation.realpress [HALF ...] [--errors] [--hashes]``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.evaluation import GoldError, gold_pairs
from pipeline.evaluation.entities import EntityScore, score_organisations, score_persons
from pipeline.evaluation.figures import GoldArticle, GoldFigure, Score, load_article, score_article
from veille.core.models import STATUSES, Analysis, Figure

SET_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "realpress"
HALVES = ("tuning", "locked")
# the earlier locked halves: each scored at first contact, failed it, never tuned on; kept and
# reported as development sets, no longer gated (the rule: a fresh locked batch replaces a
# locked half that was read). second-locked/ was locked/ until the third batch took its place.
RETIRED = ("first-locked", "second-locked")


@dataclass(frozen=True)
class Excerpt:
    name: str
    text: str
    meta: dict[str, Any]
    article: GoldArticle
    organisations: tuple[dict[str, Any], ...]
    persons: tuple[dict[str, Any], ...]

    @property
    def published(self) -> date | None:
        day = self.meta.get("published")
        return date.fromisoformat(day) if day else None


def load_half(half: str | Path) -> list[Excerpt]:
    """Every excerpt of a half (a name of HALVES or a directory)."""
    directory = Path(half) if Path(half).is_dir() else SET_DIR / str(half)
    out = []
    for name, text, data in gold_pairs(directory):
        if not isinstance(data, dict) or "meta" not in data:
            raise GoldError(f"{directory / name}.json: no meta (see CONVENTION.md)")
        out.append(
            Excerpt(
                name=name,
                text=text,
                meta=data["meta"],
                article=load_article(name, text, data),
                organisations=tuple(data.get("organisations", ())),
                persons=tuple(data.get("persons", ())),
            )
        )
    return out


@dataclass
class Result:
    figures: Score
    organisations: EntityScore
    persons: EntityScore
    indicator: list[int] = field(default_factory=lambda: [0, 0])  # agree, total (matched figures)
    status: list[int] = field(default_factory=lambda: [0, 0])
    per: list[int] = field(default_factory=lambda: [0, 0])
    status_recall: dict[str, list[int]] = field(default_factory=dict)  # gold status -> [found, total]
    with_metric: list[int] = field(default_factory=lambda: [0, 0])  # predicted figures with a metric
    by_indicator: dict[str, list[int]] = field(default_factory=dict)  # gold indicator -> [agree, total]
    confusions: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (what, gold, predicted)
    mismatches: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # (excerpt, span, what, gold, pred)
    predicted_indicators: Counter[str] = field(default_factory=Counter)
    predictions: dict[str, list[Figure]] = field(default_factory=dict)  # excerpt -> its predicted figures

    @staticmethod
    def share(pair: Sequence[int]) -> float:
        return pair[0] / pair[1] if pair[1] else 1.0

    @property
    def indicator_accuracy(self) -> float:
        return self.share(self.indicator)

    @property
    def status_accuracy(self) -> float:
        return self.share(self.status)

    @property
    def metric_share(self) -> float:
        return self.share(self.with_metric)

    @property
    def other_share(self) -> float:
        total = sum(self.predicted_indicators.values())
        return self.predicted_indicators.get("autre", 0) / total if total else 0.0

    def recall_of(self, status: str) -> float:
        return self.share(self.status_recall.get(status, [0, 0]))


def evaluate(excerpts: Sequence[Excerpt], analyze_many: Callable[..., Iterable[Analysis]]) -> Result:
    """Score ``analyze_many(texts, published=[...])`` on the excerpts."""
    result = Result(figures=Score(attribute_agreement={}), organisations=EntityScore(), persons=EntityScore())
    analyses = analyze_many([e.text for e in excerpts], published=[e.published for e in excerpts])
    for ex, analysis in zip(excerpts, analyses, strict=True):
        figures = list(analysis.figures)
        result.predictions[ex.name] = figures
        for f in figures:
            result.with_metric[0] += bool((f.metric or "").strip())
            result.with_metric[1] += 1
            result.predicted_indicators[f.indicator or "-"] += 1

        def matched(p: Figure, g: GoldFigure, name: str = ex.name) -> None:
            for what, gv, pv, acc in (
                ("indicator", g.indicator, p.indicator, result.indicator),
                ("status", g.status, p.status, result.status),
                ("per", g.per, p.per, result.per),
            ):
                if what != "per" and gv is None:
                    continue
                acc[0] += gv == pv
                acc[1] += 1
                if gv != pv:
                    result.confusions[(what, str(gv), str(pv))] += 1
                    result.mismatches.append((name, g.text, what, str(gv), str(pv)))
            if g.status is not None:
                rec = result.status_recall.setdefault(g.status, [0, 0])
                rec[0] += p.status == g.status
                rec[1] += 1
            if g.indicator is not None:
                ind = result.by_indicator.setdefault(g.indicator, [0, 0])
                ind[0] += p.indicator == g.indicator
                ind[1] += 1

        result.figures.add(
            score_article(ex.name, figures, ex.article.figures, both_ends=True, on_match=matched)
        )
        score_organisations(ex.name, ex.organisations, analysis.organisations, result.organisations)
        score_persons(
            ex.name, ex.persons, analysis.persons, result.persons, ex.organisations, analysis.organisations
        )
    return result


def report(label: str, result: Result, errors: bool = False) -> str:
    f = result.figures
    lines = [
        f"== {label}",
        f"figures        P={f.precision:.3f} R={f.recall:.3f} F1={f.f1:.3f}  (tp={f.tp} fp={f.fp} fn={f.fn})",
        result.organisations.summary("organisations "),
        result.persons.summary("persons       "),
        f"indicator accuracy {result.indicator_accuracy:.3f} ({result.indicator[0]}/{result.indicator[1]} matched)"
        f"   status accuracy {result.status_accuracy:.3f} ({result.status[0]}/{result.status[1]})"
        f"   per {result.share(result.per):.3f}",
        "status recall  "
        + "  ".join(
            f"{s} {result.recall_of(s):.2f} ({result.status_recall.get(s, [0, 0])[1]})" for s in STATUSES
        ),
        f"metric present on {result.metric_share:.1%} of predicted figures; 'autre' on {result.other_share:.1%}",
        "indicator accuracy by gold indicator: "
        + ", ".join(f"{k} {a}/{t}" for k, (a, t) in sorted(result.by_indicator.items())),
    ]
    if errors:
        lines += [f"  miss  {n}: {g.text!r} {g.value:g} {g.unit}" for n, g in f.misses]
        lines += [f"  extra {n}: {p.text!r} {p.value:g} {p.unit}" for n, p in f.false_positives]
        lines += [
            f"  {what:9s} {n}: {span!r} gold={gv} predicted={pv}"
            for n, span, what, gv, pv in result.mismatches
        ]
        lines += [f"  org miss  {d}: {n}" for d, n in result.organisations.misses]
        lines += [f"  org extra {d}: {n}" for d, n in result.organisations.false_positives]
        lines += [f"  person miss  {d}: {n}" for d, n in result.persons.misses]
        lines += [f"  person extra {d}: {n}" for d, n in result.persons.false_positives]
    return "\n".join(lines)


def hashes(half: str = "locked") -> list[tuple[str, str]]:
    """(file, sha256) of every file of a half, for the benchmarks page's record of the locked gold."""
    directory = SET_DIR / half
    return [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(directory.glob("*.*"))]


def describe(excerpts: Sequence[Excerpt]) -> str:
    outlets = Counter(e.meta.get("outlet") for e in excerpts)
    stories = {e.meta.get("story") for e in excerpts}
    n_fig = sum(len(e.article.figures) for e in excerpts)
    n_org = sum(len(e.organisations) for e in excerpts)
    n_per = sum(len(e.persons) for e in excerpts)
    return (
        f"{len(excerpts)} excerpts, {len(outlets)} outlets, {len(stories)} stories: "
        f"{n_fig} figures, {n_org} organisations, {n_per} persons"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("halves", nargs="*", default=[*HALVES, *RETIRED])
    ap.add_argument("--errors", action="store_true", help="list every miss, extra and disagreement")
    ap.add_argument("--hashes", action="store_true", help="print the sha256 of each locked file and stop")
    args = ap.parse_args(argv)
    if args.hashes:
        for name, digest in hashes():
            print(f"{digest}  {name}")
        return 0
    from pipeline.nlp import analyze_many, build_nlp

    nlp = build_nlp()
    for half in args.halves:
        try:
            excerpts = load_half(half)
        except GoldError as exc:
            print(f"gold error: {exc}", file=sys.stderr)
            return 1
        print(describe(excerpts))
        result = evaluate(
            excerpts, lambda texts, published: analyze_many(texts, nlp=nlp, published=published)
        )
        print(report(str(half), result, errors=args.errors and half == "tuning"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
