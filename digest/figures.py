"""Key figures: how telling a figure is (its size for its kind, its context) and the week's best.

Pure functions over the figures :mod:`digest.queries` reads; :func:`key_figures` picks the
"Chiffres clés" block of the digest, each linked to its sentence in the article. A target,
a forecast or an announcement is never presented as a result: realised figures come first and
the others carry their status ("Objectif", "Prévision", "Annoncé").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from veille.archive.digests import ArticleRow
from veille.archive.search import FigureRow
from veille.archive.store import fold
from veille.core.formatting import status_label


@dataclass(frozen=True)
class KeyFigure:
    article_id: int
    value: float
    unit: str
    formatted: str  # French, with unit: "18,5 milliards DH"
    metric: str | None
    period: str | None
    organisations: tuple[str, ...]
    sentence: str
    url: str  # the article at the sentence (text fragment)
    article_title: str
    source: str
    score: float
    status: str = "actual"  # actual, announced, forecast, target
    indicator: str | None = None

    @property
    def status_label(self) -> str:
        """The French status ("Objectif", "Prévision", "Annoncé"); "" for a realised figure."""
        return "" if self.status == "actual" else status_label(self.status).capitalize()


UNIT_WEIGHT = {
    "MAD": 1.0,
    "EUR": 1.0,
    "USD": 1.0,
    "jobs": 0.95,
    "seats": 0.6,
    "percent": 0.7,
    "m2": 0.5,
    "count": 0.35,
}
_TO_MAD = {"MAD": 1.0, "EUR": 10.8, "USD": 10.0}


def figure_size(value: float, unit: str) -> float:
    """How big a figure is for its kind, about 0..1 (10 milliards DH ~ 1, 100 000 emplois ~ 1)."""
    v = abs(value)
    if unit in _TO_MAD:
        return max(0.0, math.log10(max(v * _TO_MAD[unit], 1.0)) - 4) / 6
    if unit == "jobs":
        return math.log10(max(v, 1.0)) / 5
    if unit == "seats":
        return math.log10(max(v, 1.0)) / 4.5
    if unit == "percent":
        return min(v / 25, 1.0) * 0.6 + 0.3
    if unit == "m2":
        return math.log10(max(v, 1.0)) / 6
    return math.log10(max(v, 1.0)) / 4


def figure_score(f: Any, relevance: float) -> float:
    size = min(figure_size(float(f.value), f.unit), 1.2)
    score = UNIT_WEIGHT.get(f.unit, 0.3) * (0.4 + 0.6 * size) * (0.5 + min(relevance, 1.0))
    if f.metric:
        score += 0.15
    if f.organisations:
        score += 0.05
    if f.approx:
        score -= 0.05
    return round(score, 6)


def text_fragment_url(url: str, sentence: str) -> str:
    """``url#:~:text=start,end`` pointing at the sentence (scroll-to-text fragment)."""
    words = sentence.split()
    if not url or not words:
        return url

    def enc(ws: list[str]) -> str:
        return quote(" ".join(ws), safe="").replace("-", "%2D")

    base = url.split("#", 1)[0]
    if len(words) <= 8:
        return f"{base}#:~:text={enc(words)}"
    return f"{base}#:~:text={enc(words[:4])},{enc(words[-4:])}"


def key_figures(
    figure_rows: list[FigureRow], by_id: dict[int, ArticleRow], top: int
) -> tuple[KeyFigure, ...]:
    """The week's most telling figures: results first, then the best, one fact once, a spread of
    stories and units.

    Realised figures (status "actual") rank before what is announced, forecast or targeted,
    whatever their score: "Chiffres clés" leads with what has happened.

    A value repeated in one story (title, lead, body, syndicated copies) is one fact; no
    story gives more than two figures and no unit more than half of the block, so a
    single figure-heavy article cannot fill "Chiffres clés" on its own.
    """
    best: dict[tuple[str, float, int], KeyFigure] = {}
    for f in figure_rows:
        article = by_id.get(f.article_id)
        if article is None:
            continue
        score = figure_score(f, article.relevance)
        value = float(f.value)
        rounded = float(f"{value:.3g}") if value else 0.0
        key = (f.unit, rounded, article.cluster)
        sentence = " ".join((f.sentence or "").split())
        kf = KeyFigure(
            article_id=article.id,
            value=value,
            unit=f.unit,
            formatted=f.formatted,
            metric=f.metric,
            period=f.period,
            organisations=tuple(f.organisations or ()),
            sentence=sentence,
            url=text_fragment_url(article.url, sentence or f.text),
            article_title=article.title,
            source=article.source,
            score=score,
            status=f.status or "actual",
            indicator=f.indicator,
        )
        if key not in best or (score, -kf.article_id) > (best[key].score, -best[key].article_id):
            best[key] = kf
    ranked = sorted(best.values(), key=lambda k: (k.status != "actual", -k.score, -k.value, k.article_id))
    per_story: Counter[int] = Counter()
    per_unit: Counter[str] = Counter()
    seen: set[tuple[str, float, str]] = set()
    unit_cap = max(1, math.ceil(top / 2))
    chosen: list[KeyFigure] = []
    for kf in ranked:
        cluster = by_id[kf.article_id].cluster
        fact = (kf.unit, float(f"{kf.value:.3g}") if kf.value else 0.0, fold(kf.metric or ""))
        if per_story[cluster] >= 2 or per_unit[kf.unit] >= unit_cap or (fact[2] and fact in seen):
            continue
        chosen.append(kf)
        per_story[cluster] += 1
        per_unit[kf.unit] += 1
        seen.add(fact)
        if len(chosen) == top:
            break
    return tuple(chosen)
