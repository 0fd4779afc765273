"""Indicator series: the figures of the archive consolidated into points, indicator x scope x
period. Pure functions, citations in and points out; the archive reads the citations
(:mod:`veille.archive.indicators`), the shell shows the points.

The rule (README, "Indicator series"; built on the indicator taxonomy and the figure status):

- **A point** is one indicator, one status, one scope (kind and name), one period as written,
  one unit (money in MAD) and one ``per``. Statuses are separate series: a target or a forecast
  is never a value of the actual series. Periods of different grain are different points
  (2018, 2018-Q1 and 2014-2018): a year is never summed from its quarters.
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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

MONEY = ("MAD", "EUR", "USD")
SAME_VALUE = 0.005  # two values within 0.5 % are one value
RULES = ("only", "official", "most_cited", "most_recent", "tie")
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{4}))?$")


class Rates(Protocol):
    def rate(
        self, currency: str, year: int | None, fallback_year: int | None = None
    ) -> tuple[float, int]: ...


def period_years(period: str) -> tuple[int, int] | None:
    """First and last year of a period label ("2018-Q1" -> (2018, 2018), "2014-2018" -> (2014, 2018))."""
    m = _PERIOD.match(period or "")
    if m is None:
        return None
    first = int(m.group(1))
    rest = m.group(2)
    return (first, int(rest)) if rest and rest.isdigit() else (first, first)


def grain(period: str) -> str:
    """year, quarter, half or span."""
    m = _PERIOD.match(period or "")
    rest = m.group(2) if m else None
    if not rest:
        return "year"
    return {"Q": "quarter", "H": "half"}.get(rest[0], "span")


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
    # set by consolidate: the value in the point's unit (MAD for money) and the rate used
    value_mad: float | None = None
    range_max_mad: float | None = None
    rate: float | None = None
    rate_year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "figure_id": self.figure_id, "article_id": self.article_id, "story": self.story,
            "source": self.source, "published": self.published.isoformat() if self.published else None,
            "url": self.url, "title": self.title, "sentence": self.sentence, "text": self.text,
            "value": self.value, "unit": self.unit, "range_max": self.range_max, "approx": self.approx,
            "qualifier": self.qualifier, "attributed_to": self.attributed_to, "official": self.official,
            "value_in_point_unit": self.value_mad, "rate": self.rate, "rate_year": self.rate_year,
        }  # fmt: skip


@dataclass(frozen=True)
class Value:
    """One value cited for a point (values within 0.5 % of each other are one)."""

    value: float  # in the point's unit
    range_max: float | None
    stories: int  # distinct stories citing it
    citations: int
    official: bool
    latest: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value, "range_max": self.range_max, "stories": self.stories,
            "citations": self.citations, "official": self.official,
            "latest": self.latest.isoformat() if self.latest else None,
        }  # fmt: skip


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
    citations: tuple[Citation, ...] = field(default=())

    @property
    def stories(self) -> int:
        return len({c.story for c in self.citations})

    @property
    def low(self) -> float:
        """The smallest value cited (in the point's unit)."""
        return min(c.value_mad if c.value_mad is not None else c.value for c in self.citations)

    @property
    def high(self) -> float:
        """The largest value cited, a range's upper end included."""
        return max(
            c.range_max_mad
            if c.range_max_mad is not None
            else (c.value_mad if c.value_mad is not None else c.value)
            for c in self.citations
        )

    @property
    def grain(self) -> str:
        return grain(self.period)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator, "status": self.status,
            "scope": {"kind": self.scope_kind, "name": self.scope}, "period": self.period, "grain": self.grain,
            "unit": self.unit, "per": self.per, "value": self.value, "range_max": self.range_max,
            "rule": self.rule, "stories": self.stories, "citations_count": len(self.citations),
            "low": self.low, "high": self.high,
            "values": [v.to_dict() for v in self.values],
            "citations": [c.to_dict() for c in self.citations],
        }  # fmt: skip


def in_mad(c: Citation, rates: Rates) -> Citation:
    """The citation with its value in the point's unit: MAD for money, converted at the
    period's year (its last year), else the publication year, else the nearest listed."""
    if c.unit not in MONEY or c.unit == "MAD":
        return replace(c, value_mad=c.value, range_max_mad=c.range_max)
    years = period_years(c.period)
    rate, year = rates.rate(c.unit, years[1] if years else None, c.published.year if c.published else None)
    return replace(
        c,
        value_mad=c.value * rate,
        range_max_mad=c.range_max * rate if c.range_max is not None else None,
        rate=rate,
        rate_year=year,
    )


def _key(c: Citation) -> tuple[str, str, str, str, str, str, str]:
    unit = "MAD" if c.unit in MONEY else c.unit
    return (c.indicator, c.status, c.scope_kind, c.scope, c.period, unit, c.per or "")


def _values(citations: Sequence[Citation]) -> list[tuple[Value, list[Citation]]]:
    """Citations grouped by value (within SAME_VALUE of the group's smallest), each with its value."""
    ordered = sorted(citations, key=lambda c: (c.value_mad or 0.0, c.figure_id))
    groups: list[list[Citation]] = []
    for c in ordered:
        v = c.value_mad or 0.0
        if groups:
            first = groups[-1][0].value_mad or 0.0
            if abs(v - first) <= SAME_VALUE * max(abs(first), abs(v)):
                groups[-1].append(c)
                continue
        groups.append([c])
    out = []
    for g in groups:
        # the group's value: an official one (the exact figure, not a press rounding), then the one
        # said by the most stories (then in MAD as written, then the smaller)
        by_value: dict[float, set[int]] = {}
        for c in g:
            by_value.setdefault(c.value_mad or 0.0, set()).add(c.story)
        native = {c.value_mad for c in g if c.unit not in ("EUR", "USD")}
        official = {c.value_mad for c in g if c.official}
        value = min(by_value, key=lambda v: (v not in official, -len(by_value[v]), v not in native, v))
        highs = [c.range_max_mad for c in g if c.range_max_mad is not None]
        dates = [c.published for c in g if c.published is not None]
        out.append(
            (
                Value(
                    value=value,
                    range_max=max(highs) if highs else None,
                    stories=len({c.story for c in g}),
                    citations=len(g),
                    official=any(c.official for c in g),
                    latest=max(dates) if dates else None,
                ),
                g,
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


def consolidate(citations: Iterable[Citation], rates: Rates) -> list[Point]:
    """The points of these citations, by indicator, status, scope, unit, per, then period."""
    buckets: dict[tuple[str, ...], list[Citation]] = {}
    for c in citations:
        if not c.period or not c.indicator or period_years(c.period) is None:
            continue  # a figure without a period (or with an unknown one) is no point of a series
        buckets.setdefault(_key(c), []).append(in_mad(c, rates))
    points = []
    for key, group in buckets.items():
        indicator, status, scope_kind, scope, period, unit, per = key
        values = sorted(_values(group), key=lambda vg: _rank(vg[0]))
        chosen = values[0][0]
        points.append(
            Point(
                indicator=indicator,
                status=status,
                scope_kind=scope_kind,
                scope=scope,
                period=period,
                unit=unit,
                per=per or None,
                value=chosen.value,
                range_max=chosen.range_max,
                rule=_rule(chosen, values[1][0] if len(values) > 1 else None),
                values=tuple(v for v, _ in values),
                citations=tuple(
                    sorted(
                        group, key=lambda c: (c.published is None, c.published or datetime.min, c.figure_id)
                    )
                ),
            )
        )
    return sorted(points, key=_order)


def _order(p: Point) -> tuple[Any, ...]:
    years = period_years(p.period) or (0, 0)
    return (p.indicator, p.status, p.scope_kind, p.scope, p.unit, p.per or "", years[0], years[1], p.period)
