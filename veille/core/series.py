"""Indicator series: the figures of the archive consolidated into points, indicator x scope x
period. Pure functions, citations in and points out; the archive reads the citations
(:mod:`veille.archive.indicators`), the shell shows the points.

The rule (README, "Indicator series"; built on the indicator taxonomy and the figure status):

- **A point** is one indicator, one status, one scope (kind and name), one period as written,
  one unit (money in MAD) and one ``per``. Statuses are separate series: a target or a forecast
  is never a value of the actual series. Periods of different grain are different points
  (2018, 2018-Q1, 2018-01..09 and 2014-2018): a year is never summed from its quarters, and
  the nine months of a year to date ("janv.-sept. 2018") are not the year.
- **Its citations** are every figure that says it (article, sentence, outlet, date). The copies
  of one syndicated story (articles of one cluster) count once.
- **Money** is compared in MAD: an amount in EUR or USD is converted at the yearly average rate
  of its period's year (the last year of a span), or its publication year's when the period's
  year is not in ``config/rates.toml``, else the nearest year listed.
- **Values** within 0.5 % of one another, once in MAD, are one value (a rounding, a conversion);
  it reads as an official citation says it when one does (the office's 18 234,5 millions, not
  the press's rounded 18,2 milliards), else as the most stories say it.
- **The chosen value**: the value attributed to an official organisation or published by an
  official source first; then the value cited by the most stories; then the most recently
  published; a full tie keeps the smaller value. ``rule`` says which step decided (``only``
  when one value is cited). The other values are kept with their stories: ``low`` and ``high``
  are the spread of every value cited.
- **Conflicts**: a citation disagrees with the chosen value when the two differ by more than
  ``conflict_share`` of the chosen value (5 % unless ``[series]`` of ``rates.toml`` says
  otherwise); an approximate value ("environ 20 milliards") agrees within ``approx_share``
  (10 %); a range agrees when it contains the chosen value. A point with a disagreeing citation
  is a ``conflict``, to be checked by a reader.
- **Targets** are shown against the actual series: a target point's ``progress`` is the latest
  actual point of the same indicator, scope, unit and ``per`` that ends no later than the
  target's period, and the share of the target it reached.

The rule weighs what is *said* (:class:`Said`: a value said for a point by one or more figures
alike), so the archive can hand it the figures already grouped (one row per value, not per
figure); :func:`consolidate` does the same from single citations and keeps them on the points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from veille.core.period_labels import grain, period_end, period_years

MONEY = ("MAD", "EUR", "USD")
FOREIGN = ("EUR", "USD")
SAME_VALUE = 0.005  # two values within 0.5 % are one value
CONFLICT_SHARE = 0.05  # a value more than 5 % away from the chosen one disagrees
APPROX_SHARE = 0.10  # an approximate value agrees within 10 %
RULES = ("only", "official", "most_cited", "most_recent", "tie")
_EPSILON = 1e-9  # "more than 5 %": a value exactly 5 % away agrees, whatever the float rounding


class Rates(Protocol):
    def rate(
        self, currency: str, year: int | None, fallback_year: int | None = None
    ) -> tuple[float, int]: ...


@dataclass(frozen=True)
class SeriesRule:
    """What the rule is given besides the figures: the rates, the country of a figure read
    before scopes existed, what is official, and the tolerances of a conflict."""

    rates: Rates
    default_country: str = "Maroc"
    official_kinds: frozenset[str] = frozenset()
    official_sources: frozenset[str] = frozenset()
    conflict_share: float = CONFLICT_SHARE
    approx_share: float = APPROX_SHARE
    flows: frozenset[str] = frozenset()  # indicators counted over their period (indicators.toml)


@dataclass(frozen=True)
class Citation:
    """One figure of one article, as the archive gives it."""

    figure_id: int
    article_id: int
    story: int  # the syndication cluster (the article's own id when alone)
    source: str
    published: datetime | None
    url: str
    title: str
    sentence: str
    text: str
    value: float
    unit: str
    period: str
    indicator: str
    status: str
    scope_kind: str
    scope: str
    range_max: float | None = None
    approx: bool = False
    qualifier: str | None = None
    per: str | None = None
    attributed_to: str | None = None
    official: bool = False  # attributed to an official organisation or from an official source
    # set by consolidate: the value in the point's unit (MAD for money), the rate used, and
    # whether the citation agrees with the point's chosen value
    value_mad: float | None = None
    range_max_mad: float | None = None
    rate: float | None = None
    rate_year: int | None = None
    agrees: bool = True

    def said(self) -> Said:
        """What this citation says, as the rule weighs it."""
        foreign = self.unit in FOREIGN and self.published is not None
        return Said(
            indicator=self.indicator, status=self.status, scope_kind=self.scope_kind, scope=self.scope,
            period=self.period, unit=self.unit, per=self.per, value=self.value, range_max=self.range_max,
            approx=self.approx, official=self.official, stories=frozenset((self.story,)), citations=1,
            latest=self.published, published_year=self.published.year if foreign and self.published else None,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "figure_id": self.figure_id, "article_id": self.article_id, "story": self.story,
            "source": self.source, "published": self.published.isoformat() if self.published else None,
            "url": self.url, "title": self.title, "sentence": self.sentence, "text": self.text,
            "value": self.value, "unit": self.unit, "range_max": self.range_max, "approx": self.approx,
            "qualifier": self.qualifier, "attributed_to": self.attributed_to, "official": self.official,
            "value_in_point_unit": self.value_mad, "rate": self.rate, "rate_year": self.rate_year,
            "agrees": self.agrees,
        }  # fmt: skip


class Said(NamedTuple):
    """One value said for a point by one or more figures alike: same value, unit, upper bound,
    approximation and officialness (and, for an amount in EUR or USD, the same publication
    year, whose rate may convert it). What the rule weighs (a tuple: the archive reads many)."""

    indicator: str
    status: str
    scope_kind: str
    scope: str
    period: str
    unit: str  # as written: MAD, EUR, USD, jobs...
    per: str | None
    value: float
    range_max: float | None
    approx: bool
    official: bool
    stories: frozenset[int]  # the distinct stories saying it
    citations: int  # the figures saying it
    latest: datetime | None
    published_year: int | None = None  # for EUR and USD only

    @property
    def key(self) -> tuple[str, str, str, str, str, str, str]:
        """The point it is said for."""
        unit = "MAD" if self.unit in MONEY else self.unit
        return (self.indicator, self.status, self.scope_kind, self.scope, self.period, unit, self.per or "")


@dataclass(frozen=True)
class Value:
    """One value cited for a point (values within 0.5 % of each other are one)."""

    value: float  # in the point's unit
    range_max: float | None
    stories: int  # distinct stories citing it
    citations: int
    official: bool
    latest: datetime | None
    agrees: bool = True  # every figure saying it agrees with the chosen value

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value, "range_max": self.range_max, "stories": self.stories,
            "citations": self.citations, "official": self.official,
            "latest": self.latest.isoformat() if self.latest else None, "agrees": self.agrees,
        }  # fmt: skip


@dataclass(frozen=True)
class Progress:
    """How far along a target is: the latest actual point before its deadline and the share of
    the target it reached (None when the target is 0)."""

    period: str
    value: float
    share: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "value": self.value, "share": self.share}


@dataclass(frozen=True)
class Point:
    indicator: str
    status: str
    scope_kind: str
    scope: str
    period: str
    unit: str  # MAD for money
    per: str | None
    value: float
    range_max: float | None
    rule: str  # one of RULES
    values: tuple[Value, ...]  # the chosen one first, then the others, most cited first
    stories: int  # distinct stories citing the point
    citations_count: int
    low: float  # the smallest value cited (in the point's unit)
    high: float  # the largest, a range's upper end included
    conflict: bool = False  # a citation disagrees with the chosen value
    disagreeing_count: int = 0  # how many citations disagree
    progress: Progress | None = None  # for a target: the actual series against it
    grain: str = "year"  # of the period: year, half, quarter, months or span
    # the values as stored (in their own currency) of the chosen value's figures and of the
    # disagreeing ones: how the archive finds their citations without reading them all
    chosen_values: tuple[float, ...] = ()
    disagreeing_values: tuple[float, ...] = ()
    # the figures, when read one by one (:func:`consolidate`); the archive's grouped read
    # leaves them out (``citations_count`` says how many)
    citations: tuple[Citation, ...] = field(default=())

    @property
    def disagreeing(self) -> tuple[Citation, ...]:
        return tuple(c for c in self.citations if not c.agrees)

    @property
    def key(self) -> tuple[str, str, str, str, str, str, str]:
        return (
            self.indicator,
            self.status,
            self.scope_kind,
            self.scope,
            self.period,
            self.unit,
            self.per or "",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator, "status": self.status,
            "scope": {"kind": self.scope_kind, "name": self.scope}, "period": self.period, "grain": self.grain,
            "unit": self.unit, "per": self.per, "value": self.value, "range_max": self.range_max,
            "rule": self.rule, "stories": self.stories, "citations_count": self.citations_count,
            "low": self.low, "high": self.high, "conflict": self.conflict,
            "disagreeing_count": self.disagreeing_count,
            "progress": self.progress.to_dict() if self.progress else None,
            "values": [v.to_dict() for v in self.values],
            "citations": [c.to_dict() for c in self.citations],
        }  # fmt: skip


def to_mad(
    value: float, range_max: float | None, unit: str, period: str, published_year: int | None, rates: Rates
) -> tuple[float, float | None, float | None, int | None]:
    """A value (and its upper bound) in the point's unit, with the rate and its year: MAD for
    money, converted at the period's year (its last year), else the publication year, else the
    nearest listed."""
    if unit not in FOREIGN:
        return value, range_max, None, None
    years = period_years(period)
    rate, year = rates.rate(unit, years[1] if years else None, published_year)
    return value * rate, (range_max * rate if range_max is not None else None), rate, year


def in_mad(c: Citation, rates: Rates) -> Citation:
    """The citation with its value in the point's unit (see :func:`to_mad`)."""
    published = c.published.year if c.published else None
    value, high, rate, year = to_mad(c.value, c.range_max, c.unit, c.period, published, rates)
    return replace(c, value_mad=value, range_max_mad=high, rate=rate, rate_year=year)


def agrees(
    value: float,
    range_max: float | None,
    approx: bool,
    chosen: float,
    chosen_max: float | None,
    rule: SeriesRule,
) -> bool:
    """Whether a value (in the point's unit) agrees with the chosen one: within
    ``conflict_share`` of it, ``approx_share`` for an approximate value; a range when it
    contains it. The gap is measured to the chosen range when the chosen value is one."""
    high = range_max if range_max is not None else value
    top = chosen_max if chosen_max is not None else chosen
    gap = max(0.0, value - top, chosen - high)
    if approx:
        share = rule.approx_share
    elif range_max is not None:
        share = SAME_VALUE  # a range must contain it (a rounding aside)
    else:
        share = rule.conflict_share
    return gap <= share * abs(chosen) * (1 + _EPSILON)


class _Row(NamedTuple):
    said: Said
    value: float  # in the point's unit
    high: float | None


def _values(rows: Sequence[_Row]) -> list[tuple[Value, list[_Row], set[int]]]:
    """Rows grouped by value (within SAME_VALUE of the group's smallest), each with its value and
    its stories."""
    groups: list[list[_Row]] = []
    for r in sorted(rows, key=lambda r: r.value):
        if groups:
            first = groups[-1][0].value
            if abs(r.value - first) <= SAME_VALUE * max(abs(first), abs(r.value)):
                groups[-1].append(r)
                continue
        groups.append([r])
    out = []
    for g in groups:
        stories: set[int] = set().union(*(r.said.stories for r in g))
        value = g[0].value
        if any(r.value != value for r in g):
            # the group's value: an official one (the exact figure, not a press rounding), then the
            # one said by the most stories (then in MAD as written, then the smaller)
            by_value: dict[float, set[int]] = {}
            for r in g:
                by_value.setdefault(r.value, set()).update(r.said.stories)
            native = {r.value for r in g if r.said.unit not in FOREIGN}
            official = {r.value for r in g if r.said.official}
            value = min(by_value, key=lambda v: (v not in official, -len(by_value[v]), v not in native, v))
        highs = [r.high for r in g if r.high is not None]
        dates = [r.said.latest for r in g if r.said.latest is not None]
        out.append(
            (
                Value(
                    value=value,
                    range_max=max(highs) if highs else None,
                    stories=len(stories),
                    citations=sum(r.said.citations for r in g),
                    official=any(r.said.official for r in g),
                    latest=max(dates) if dates else None,
                ),  # fmt: skip
                g,
                stories,
            )
        )
    return out


def _rank(v: Value) -> tuple[bool, int, float, float]:
    latest = v.latest.timestamp() if v.latest else float("-inf")
    return (not v.official, -v.stories, -latest, v.value)


def _rule(first: Value, second: Value | None) -> str:
    if second is None:
        return "only"
    if first.official != second.official:
        return "official"
    if first.stories != second.stories:
        return "most_cited"
    if first.latest != second.latest:
        return "most_recent"
    return "tie"


def _point(rows: Sequence[_Row], rule: SeriesRule) -> Point:
    """One point from what is said for it."""
    indicator, status, scope_kind, scope, period, unit, per = rows[0].said.key
    ranked = sorted(_values(rows), key=lambda vg: _rank(vg[0]))
    chosen = ranked[0][0]
    values = []
    disagreeing = 0
    away: set[float] = set()
    for v, group, _ in ranked:
        ok = [agrees(r.value, r.high, r.said.approx, chosen.value, chosen.range_max, rule) for r in group]
        for r, good in zip(group, ok, strict=True):
            if not good:
                disagreeing += r.said.citations
                away.add(r.said.value)
        values.append(v if all(ok) else replace(v, agrees=False))
    return Point(
        indicator=indicator, status=status, scope_kind=scope_kind, scope=scope, period=period, unit=unit,
        per=per or None, value=chosen.value, range_max=chosen.range_max,
        rule=_rule(chosen, ranked[1][0] if len(ranked) > 1 else None), values=tuple(values),
        stories=len(set().union(*(stories for _, _, stories in ranked))),
        citations_count=sum(r.said.citations for r in rows),
        low=min(r.value for r in rows), high=max(r.high if r.high is not None else r.value for r in rows),
        conflict=disagreeing > 0, disagreeing_count=disagreeing, grain=grain(period),
        chosen_values=tuple(sorted({r.said.value for r in ranked[0][1]})), disagreeing_values=tuple(sorted(away)),
    )  # fmt: skip


def consolidate_said(said: Iterable[Said], rule: SeriesRule) -> list[Point]:
    """The points of what is said, by indicator, status, scope, unit, per, then period; targets
    with their progress against the actual points among them."""
    buckets: dict[tuple[str, ...], list[_Row]] = {}
    for s in said:
        if not s.period or not s.indicator or period_years(s.period) is None:
            continue  # a figure without a period (or with an unknown one) is no point of a series
        value, high, _, _ = to_mad(s.value, s.range_max, s.unit, s.period, s.published_year, rule.rates)
        buckets.setdefault(s.key, []).append(_Row(s, value, high))
    return with_progress(sorted((_point(rows, rule) for rows in buckets.values()), key=_order), rule.flows)


def consolidate(citations: Iterable[Citation], rule: SeriesRule) -> list[Point]:
    """The points of these citations (see :func:`consolidate_said`), each with its citations,
    oldest first, each marked whether it agrees with the chosen value."""
    by_point: dict[tuple[str, ...], list[Citation]] = {}
    said: list[Said] = []
    for c in citations:
        if not c.period or not c.indicator or period_years(c.period) is None:
            continue
        s = c.said()
        said.append(s)
        by_point.setdefault(s.key, []).append(in_mad(c, rule.rates))
    points = []
    for p in consolidate_said(said, rule):
        cited = sorted(
            marked(p, by_point[p.key], rule),
            key=lambda c: (c.published is None, c.published or datetime.min, c.figure_id),
        )
        points.append(replace(p, citations=tuple(cited)))
    return points


def marked(p: Point, citations: Iterable[Citation], rule: SeriesRule) -> list[Citation]:
    """Citations of the point ``p`` with their value in its unit and whether they agree with its
    chosen value (a page of them may be read without the others)."""
    out = []
    for c in citations:
        c = c if c.value_mad is not None else in_mad(c, rule.rates)
        out.append(
            replace(
                c, agrees=agrees(c.value_mad or 0.0, c.range_max_mad, c.approx, p.value, p.range_max, rule)
            )
        )
    return out


_GRAIN_ORDER = {"year": 4, "half": 3, "months": 2, "quarter": 1, "span": 0}


_PART_OF_YEAR = frozenset({"half", "quarter", "months"})


def target_progress(
    target: Point, actual: Iterable[Point], flows: frozenset[str] = frozenset()
) -> Progress | None:
    """The latest of the ``actual`` points of the target's indicator, scope, unit and ``per``
    ending no later than the target's period (at the same end, one of the target's grain, else
    a year, a half, a quarter, a span: a 2018 target is measured against 2018, not against
    2014-2018), and the share of the target it reached. A flow (``flows``: exports, jobs
    created) counted over part of a year never measures a target of a year or more."""
    end = period_end(target.period)
    partial_ok = target.indicator not in flows or target.grain in _PART_OF_YEAR
    same = [
        p
        for p in actual
        if p.status == "actual"
        and (p.indicator, p.scope_kind, p.scope, p.unit, p.per)
        == (target.indicator, target.scope_kind, target.scope, target.unit, target.per)
        and period_end(p.period) <= end
        and (partial_ok or p.grain not in _PART_OF_YEAR)
    ]
    if not same:
        return None
    best = max(same, key=lambda p: (period_end(p.period), p.grain == target.grain, _GRAIN_ORDER[p.grain]))
    return Progress(best.period, best.value, best.value / target.value if target.value else None)


def with_progress(points: list[Point], flows: frozenset[str] = frozenset()) -> list[Point]:
    """The points, targets with their progress against the actual points of the list."""
    if not any(p.status == "target" for p in points):
        return points
    actual: dict[tuple[str, ...], list[Point]] = {}
    for p in points:
        if p.status == "actual":
            actual.setdefault((p.indicator, p.scope_kind, p.scope, p.unit, p.per or ""), []).append(p)
    out = []
    for p in points:
        if p.status == "target":
            same = actual.get((p.indicator, p.scope_kind, p.scope, p.unit, p.per or ""), ())
            p = replace(p, progress=target_progress(p, same, flows))
        out.append(p)
    return out


def _order(p: Point) -> tuple[Any, ...]:
    years = period_years(p.period) or (0, 0)
    return (p.indicator, p.status, p.scope_kind, p.scope, p.unit, p.per or "", years[0], years[1], p.period)
