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


def _parts(value: float, unit: str, nbsp: bool) -> tuple[str, str]:
    """``(number, words)``: ``("1,5", "milliard DH")``, ``("12 500", "emplois")``, ``("3", "")``."""
    sp = NBSP if nbsp else " "
    if unit in _CURRENCY:
        number, scale = _scaled(value, nbsp)
        return number, f"{scale}{sp}{_CURRENCY[unit]}" if scale else _CURRENCY[unit]
    if unit == "percent":
        return format_number(value, 2, nbsp=nbsp), "%"
    if unit == "points":
        return format_number(value, 2, nbsp=nbsp), "point" if abs(value) < 2 else "points"
    if unit == "m2":
        return format_number(value, 0 if value >= 100 else 1, nbsp=nbsp), "m²"
    if unit in _NOUNS:
        one, many = _NOUNS[unit]
        if abs(value) >= 1e6:
            number, scale = _scaled(value, nbsp)
            return number, (f"{scale}{sp}d'{many}" if many[0] in "aeiouéè" else f"{scale}{sp}de{sp}{many}")
        return format_number(value, 0, nbsp=nbsp), one if abs(value) < 2 else many
    # "count" and unknown units: a plain number
    if abs(value) >= 1e6:
        return _scaled(value, nbsp)
    return format_number(value, 2 if value != int(value) else 0, nbsp=nbsp), ""


def _plain(value: float, unit: str, nbsp: bool) -> str:
    number, words = _parts(value, unit, nbsp)
    return f"{number}{NBSP if nbsp else ' '}{words}" if words else number


def _same_words(low: str, high: str) -> bool:
    """Whether "million DH" and "millions DH" (or "emploi", "emplois"): the high end's words serve both."""
    return [w.rstrip("s") for w in low.split()] == [w.rstrip("s") for w in high.split()]


def format_value(
    value: float,
    unit: str,
    *,
    approx: bool = False,
    qualifier: str | None = None,
    range_max: float | None = None,
    per: str | None = None,
    nbsp: bool = True,
) -> str:
    """A figure as a French reader expects it: "1,5 milliard DH", "plus de 12 500 emplois", "2,3 %".

    Money: DH, €, $ after the number with "million(s)"/"milliard(s)" from a million up;
    percentages with two decimals at most; jobs as "emplois"; ranges whole, the unit written
    once when both ends share it ("2 000 à 8 000 m²", "10 à 12 milliards DH"); one qualifier
    ("plus de 15", never "environ plus de 15": a bound already says the value is not exact);
    a rate with what it is per ("80 DH par m² et par mois").
    """
    sp = NBSP if nbsp else " "
    if range_max is not None and range_max != value:
        low_num, low_words = _parts(value, unit, nbsp)
        high = _plain(range_max, unit, nbsp)
        _, high_words = _parts(range_max, unit, nbsp)
        if not low_words or _same_words(low_words, high_words):
            text = f"{low_num}{sp}à{sp}{high}"
        else:
            text = f"{_plain(value, unit, nbsp)}{sp}à{sp}{high}"
    else:
        text = _plain(value, unit, nbsp)
    if per in PER_LABELS:
        text = f"{text}{sp}{PER_LABELS[per].replace(' ', sp)}"
    if qualifier in _QUALIFIERS:
        text = f"{_QUALIFIERS[qualifier]}{sp}{text}"
    elif approx:
        text = f"environ{sp}{text}"
    return text


# What a figure's unit, status and rate read as in French (web UI, exports, digest)
UNIT_LABELS = {
    "MAD": "dirhams (DH)",
    "EUR": "euros",
    "USD": "dollars",
    "percent": "pourcentage",
    "points": "points de pourcentage",
    "jobs": "emplois",
    "seats": "postes de travail",
    "count": "nombre",
    "m2": "m²",
}
STATUS_LABELS = {"actual": "réalisé", "announced": "annoncé", "forecast": "prévision", "target": "objectif"}
PER_LABELS = {
    "month": "par mois",
    "year": "par an",
    "m2/month": "par m² et par mois",
    "m2": "par m²",
    "hour": "par heure",
    "day": "par jour",
    "person": "par personne",
}


# The indicator series' words (veille/core/series.py): the step of the rule that chose a
# point's value, what a point is about, the grain of its period
RULE_LABELS = {
    "only": "seule valeur citée",
    "official": "source officielle",
    "most_cited": "la plus citée",
    "most_recent": "la plus récente",
    "tie": "égalité : la plus petite",
}
SCOPE_KIND_LABELS = {
    "zone": "zone",
    "organisation": "organisation",
    "region": "région",
    "country": "pays",
    "sector": "segment",
}
GRAIN_LABELS = {
    "year": "année",
    "half": "semestre",
    "quarter": "trimestre",
    "months": "mois",
    "span": "plusieurs années",
}
MONTH_ABBREVIATIONS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


def period_label(period: str | None) -> str:
    """``"2018-Q1"`` -> "T1 2018", ``"2024-H2"`` -> "S2 2024", ``"2025-01..09"`` ->
    "janv.–sept. 2025", ``"2025-09"`` -> "sept. 2025"; a year or a span as written."""
    if not period:
        return ""
    year, _, rest = period.partition("-")
    if rest[:1] == "Q":
        return f"T{rest[1:]} {year}"
    if rest[:1] == "H":
        return f"S{rest[1:]} {year}"
    first, dots, last = rest.partition("..")
    months = [first, last] if dots else [first]
    if all(len(m) == 2 and m.isdigit() and 1 <= int(m) <= 12 for m in months):
        return f"{'–'.join(MONTH_ABBREVIATIONS[int(m) - 1] for m in months)} {year}"
    return period


def status_label(status: str | None) -> str:
    """``"target"`` -> "objectif"; no status is a realised figure ("réalisé")."""
    return STATUS_LABELS.get(status or "actual", status or "")


def per_label(per: str | None) -> str:
    """``"m2/month"`` -> "par m² et par mois"; ``None`` -> ""."""
    return PER_LABELS.get(per or "", per or "")


def indicator_label(key: str | None) -> str:
    """The French label of an indicator key of ``config/indicators.toml`` ("emplois_crees" ->
    "Emplois créés"); "" for none, the key itself when the taxonomy does not know it."""
    if not key:
        return ""
    from veille.core.taxonomy import load_taxonomy

    return load_taxonomy().label(key)


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
