"""French formatting of figures and dates, shared by the CLI, the web UI and the digest.

Numbers use French conventions (decimal comma, thousands grouped by threes, as Babel writes
them for fr_FR, without its call cost: a listing formats hundreds of values). Group
and unit separators are non-breaking spaces (U+00A0) so a value never wraps mid-number;
pass ``nbsp=False`` for plain spaces (CSV, terminals).

>>> format_value(1.5e9, "MAD", nbsp=False)
'1,5 milliard DH'
>>> format_value(69900, "jobs", nbsp=False)
'69 900 emplois'
>>> format_value(2.3, "percent", nbsp=False)
'2,3 %'
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_date as _babel_date

LOCALE = "fr_FR"
NBSP = "\u00a0"

_CURRENCY = {"MAD": "DH", "EUR": "€", "USD": "$"}
# unit -> (singular, plural) noun written after the number
_NOUNS = {"jobs": ("emploi", "emplois"), "seats": ("siège", "sièges")}
_QUALIFIERS = {"more_than": "plus de", "less_than": "moins de", "up_to": "jusqu'à"}
_SCALES = ((1e9, "milliard", "milliards"), (1e6, "million", "millions"))


def format_number(value: float, decimals: int = 0, *, nbsp: bool = True) -> str:
    """``12500`` -> ``"12 500"``, ``1.25`` with 2 decimals -> ``"1,25"`` (trailing zeros dropped)."""
    # what Babel's pattern "#,##0.##" gives for fr_FR (checked against it in the tests), written
    # with Python's own formatting: 15x faster. "+ 0.0" turns -0.0 into 0 ("-0" says nothing)
    text = f"{round(value, decimals) + 0.0:,.{max(decimals, 0)}f}"
    if decimals > 0:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", NBSP if nbsp else " ").replace(".", ",")


def _scaled(value: float, nbsp: bool) -> tuple[str, str]:
    """``1.5e9`` -> ``("1,5", "milliard")``; small values -> ``("12 500", "")``."""
    for factor, one, many in _SCALES:
        if abs(value) >= factor:
            n = value / factor
            text = format_number(n, 1 if abs(n) < 100 else 0, nbsp=nbsp)
            return text, one if abs(round(n, 1)) < 2 else many
    return format_number(value, 2 if abs(value) < 10 and value != int(value) else 0, nbsp=nbsp), ""


def _plain(value: float, unit: str, nbsp: bool) -> str:
    sp = NBSP if nbsp else " "
    if unit in _CURRENCY:
        number, scale = _scaled(value, nbsp)
        return f"{number}{sp}{scale}{sp}{_CURRENCY[unit]}" if scale else f"{number}{sp}{_CURRENCY[unit]}"
    if unit == "percent":
        return f"{format_number(value, 2, nbsp=nbsp)}{sp}%"
    if unit == "m2":
        return f"{format_number(value, 0 if value >= 100 else 1, nbsp=nbsp)}{sp}m²"
    if unit in _NOUNS:
        one, many = _NOUNS[unit]
        if abs(value) >= 1e6:
            number, scale = _scaled(value, nbsp)
            return (
                f"{number}{sp}{scale}{sp}d'{many}"
                if many[0] in "aeiouéè"
                else f"{number}{sp}{scale}{sp}de{sp}{many}"
            )
        return f"{format_number(value, 0, nbsp=nbsp)}{sp}{one if abs(value) < 2 else many}"
    # "count" and unknown units: a plain number
    if abs(value) >= 1e6:
        number, scale = _scaled(value, nbsp)
        return f"{number}{sp}{scale}"
    return format_number(value, 2 if value != int(value) else 0, nbsp=nbsp)


def format_value(
    value: float,
    unit: str,
    *,
    approx: bool = False,
    qualifier: str | None = None,
    range_max: float | None = None,
    nbsp: bool = True,
) -> str:
    """A figure as a French reader expects it: "1,5 milliard DH", "plus de 12 500 emplois", "2,3 %".

    Money: DH, €, $ after the number with "million(s)"/"milliard(s)" from a million up;
    percentages with two decimals at most; jobs as "emplois"; ranges as "10 à 12 milliards DH".
    """
    sp = NBSP if nbsp else " "
    if range_max is not None and range_max != value:
        high = _plain(range_max, unit, nbsp)
        low = _plain(value, unit, nbsp)
        # "10 à 12 milliards DH" when both share the scale and unit words
        low_num, _, low_rest = low.partition(sp)
        high_num, _, high_rest = high.partition(sp)
        low_scale = low_rest.split(sp)[0] if low_rest else ""
        high_scale = high_rest.split(sp)[0] if high_rest else ""
        same = low_scale.rstrip("s") == high_scale.rstrip("s") or not low_rest
        text = f"{low_num}{sp}à{sp}{high}" if same else f"{low}{sp}à{sp}{high}"
    else:
        text = _plain(value, unit, nbsp)
    if qualifier in _QUALIFIERS:
        text = f"{_QUALIFIERS[qualifier]}{sp}{text}"
    if approx:
        text = f"environ{sp}{text}"
    return text


def format_date(value: date | datetime | None, style: str = "medium") -> str:
    """``date(2025, 3, 1)`` -> "1 mars 2025" (``style``: short, medium, long); ``None`` -> ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _babel_date(value, style, locale=LOCALE)


def iso_week(value: date | datetime) -> str:
    """``date(2025, 1, 2)`` -> "2025-W01"."""
    year, week, _ = (value.date() if isinstance(value, datetime) else value).isocalendar()
    return f"{year}-W{week:02d}"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as a formula


def defuse_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula ("=HYPERLINK(...)" in a scraped sentence), made
    plain text with a leading apostrophe, as spreadsheets themselves write it; other values as
    they are. For every CSV a person may open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
