"""Numbers as institutions write them in their tables: French forms ("18 234,5", "1.234,5",
"−3,2", "(3,2)", "12,5 %"), the English ones some exports carry ("18234.5"), and the marks of
a missing value ("n.d.", "-", "…"). Pure functions, used by the file readers (``spiders/``)
and by the table reader of the pipeline (``pipeline/tables.py``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\t")
_MINUS = "-−–"
_GROUPED_DOT = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.234.567,5
_GROUPED_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # 1,234,567.5 (an English export)
_PLAIN = re.compile(r"^\d+(?:[.,]\d+)?$")
_FOOTNOTE = re.compile(r"(?:\(\w\)|\*+|\s[a-z]\))$")  # "1 234 (a)", "1 234*"
MISSING = frozenset(
    {"", "-", "--", "—", "–", "…", "...", "n.d.", "nd", "n.d", "n.c.", "nc", "ns", "n.s.", "x", "*"}
)


@dataclass(frozen=True, slots=True)
class CellNumber:
    value: float
    percent: bool = False  # written with a "%"


def parse_cell(text: object) -> CellNumber | None:
    """The number a table cell holds, or None (a label, a missing-value mark, a date).

    >>> parse_cell("18 234,5")
    CellNumber(value=18234.5, percent=False)
    >>> parse_cell("(3,2) %")
    CellNumber(value=-3.2, percent=True)
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        return CellNumber(float(text)) if math.isfinite(text) else None
    s = _FOOTNOTE.sub("", str(text).strip()).strip()
    if s.lower() in MISSING:
        return None
    percent = s.endswith("%")
    s = s.rstrip("%").translate(_SPACES)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s[:1] in _MINUS:
        negative, s = True, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    value = _digits(s)
    if value is None:
        return None
    return CellNumber(-value if negative else value, percent)


def _digits(s: str) -> float | None:
    if _GROUPED_DOT.match(s) and ("," in s or s.count(".") > 1 or len(s.split(".")[-1]) == 3):
        if "," not in s and s.count(".") == 1 and s.startswith("0"):
            return float(s)
        return float(s.replace(".", "").replace(",", "."))
    if _GROUPED_COMMA.match(s) and s.count(",") >= 1 and ("." in s or s.count(",") > 1):
        return float(s.replace(",", ""))
    if _PLAIN.match(s):
        return float(s.replace(",", "."))
    return None


def year_like(cell: object) -> bool:
    """A cell that names a year (2024, "2024"), a header rather than a value."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        return 1900 <= cell <= 2100
    return isinstance(cell, str) and re.fullmatch(r"\s*(?:19|20)\d\d\s*[*]?\s*", cell) is not None


def is_value(cell: object) -> bool:
    """A cell holding a value (a number that is not a year)."""
    return not year_like(cell) and parse_cell(cell) is not None
