"""Period labels as the archive keeps them: "2018", "2018-Q1", "2018-H2", "2014-2018" (a span
of years), "2018-09" (a month) and "2018-01..09" (months of one year). Their years, grain and
end. Finding periods in running text is :mod:`pipeline.periods`; this module only reads labels.
"""

from __future__ import annotations

import functools
import re

GRAINS = ("year", "half", "quarter", "months", "span")
# "2018", "2018-Q1", "2018-H2", "2014-2018"; months within a year: "2018-09" (September),
# "2018-01..09" (January to September)
_MONTH = r"(?:0[1-9]|1[0-2])"
_PERIOD = re.compile(rf"^(\d{{4}})(?:-(Q[1-4]|H[12]|\d{{4}}|{_MONTH}(?:\.\.{_MONTH})?))?$")


@functools.lru_cache(maxsize=8192)
def period_years(period: str) -> tuple[int, int] | None:
    """First and last year of a period label ("2018-Q1" -> (2018, 2018), "2014-2018" -> (2014, 2018))."""
    m = _PERIOD.match(period or "")
    if m is None:
        return None
    first = int(m.group(1))
    rest = m.group(2)
    return (first, int(rest)) if rest and len(rest) == 4 else (first, first)


@functools.lru_cache(maxsize=8192)
def grain(period: str) -> str:
    """year, quarter, half, months (one month or a run of months of one year) or span."""
    m = _PERIOD.match(period or "")
    rest = m.group(2) if m else None
    if not rest:
        return "year"
    if rest[0] in "QH":
        return "quarter" if rest[0] == "Q" else "half"
    return "span" if len(rest) == 4 else "months"


def period_months(period: str) -> tuple[int, int] | None:
    """The first and last month of a period of months ("2018-01..09" -> (1, 9), "2018-09" ->
    (9, 9)); None for any other period."""
    if grain(period) != "months":
        return None
    first, _, last = period[5:].partition("..")
    return int(first), int(last or first)


@functools.lru_cache(maxsize=8192)
def period_end(period: str) -> tuple[int, int]:
    """The year and month a period ends ("2018-Q1" -> (2018, 3), "2014-2018" -> (2018, 12),
    "2018-01..09" -> (2018, 9))."""
    years = period_years(period) or (0, 0)
    rest = period[5:] if len(period) > 5 else ""
    months = period_months(period)
    if months is not None:
        return years[1], months[1]
    month = {"Q": 3, "H": 6}.get(rest[:1], 0) * int(rest[1:]) if rest[:1] in ("Q", "H") else 12
    return years[1], month
