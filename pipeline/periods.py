"""Periods in a sentence ("en 2018", "2014-2018", "au premier trimestre 2025", "S1 2024").

A period is never a figure: it becomes the ``period`` of the figures of its clause.
Labels: "2018", "2014-2018", "2025-Q1", "2024-H1", and months of one year: "2025-01..09"
("de janvier à septembre 2025", "à fin septembre 2025", "les neuf premiers mois de 2025").
Months of two years are the span of those years ("entre novembre 2024 et février 2025",
"d'octobre à mars 2025": "2024-2025"), the nearest label there is, never one year's.
A run of months that is a quarter, a half or the whole year takes that label ("entre janvier
et mars 2025" is "2025-Q1", "à fin juin 2025" "2025-H1", "à fin décembre 2024" "2024"). Not
periods: "depuis 2015" (an open start), years in names ("Maroc Digital 2030", "loi de
finances 2023"). A month alone ("en septembre 2025") stays its year in running text; the
header of a table (``table=True``) also reads "Septembre 2025" as "2025-09", "Fin sept.
2025" and "9 mois 2025" as "2025-01..09".

Which period a figure takes (:func:`period_for`): the nearest one it can reach, the more
specific on a tie. Looking forward, a figure reaches a period in its own clause only
("18 MMDH en 2023", not "63 %, contre 57 % en 2023" nor "180 salariés et compte en
recruter 400 d'ici 2026"). Looking back, it reaches across commas ("en 2024, ..., dont
8 MDH à l'export") but not across a new clause ("mais", "avec", "malgré", "et de ...").
A period inside a participial aside ("Créée en 2019, la société ...") or a comparison
("..., contre 57 % en 2023") belongs to that aside only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

_Y = r"(?:19[5-9]\d|20\d\d)"
_SP = r"[\s\u00a0]+"
_OPT = r"[\s\u00a0]*"
_ORD = {
    "premier": 1, "1er": 1, "1e": 1, "première": 1, "1ère": 1, "1re": 1,
    "deuxième": 2, "second": 2, "seconde": 2, "2e": 2, "2ème": 2, "2nd": 2,
    "troisième": 3, "3e": 3, "3ème": 3, "quatrième": 4, "4e": 4, "4ème": 4, "dernier": 4,
}  # fmt: skip
_ORD_ALT = "|".join(sorted(map(re.escape, _ORD), key=len, reverse=True))

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "quarter",
        re.compile(
            rf"(?<!\w)(?P<o>{_ORD_ALT}){_SP}trimestre(?:{_SP}(?:de{_SP}l['’]année{_SP}|de{_SP}|d['’]{_OPT})?)?{_OPT}(?P<y>{_Y})(?!\d)",
            re.I,
        ),
    ),
    ("quarter", re.compile(rf"(?<!\w)(?:T|Q)(?P<n>[1-4]){_OPT}(?:-{_OPT})?(?P<y>{_Y})(?!\d)")),
    (
        "half",
        re.compile(
            rf"(?<!\w)(?P<o>{_ORD_ALT}){_SP}semestre(?:{_SP}(?:de{_SP}l['’]année{_SP}|de{_SP}|d['’]{_OPT})?)?{_OPT}(?P<y>{_Y})(?!\d)",
            re.I,
        ),
    ),
    ("half", re.compile(rf"(?<!\w)(?:S|H)(?P<n>[12]){_OPT}(?:-{_OPT})?(?P<y>{_Y})(?!\d)")),
    ("span", re.compile(rf"(?<![\w\-])(?P<a>{_Y}){_OPT}[-–/]{_OPT}(?P<b>{_Y}|\d\d)(?![\w\-])")),
    (
        "span",
        re.compile(
            rf"(?<!\w)(?:entre|de|depuis){_SP}(?P<a>{_Y}){_SP}(?:et|à|jusqu['’]à){_SP}(?P<b>{_Y})(?!\d)", re.I
        ),
    ),
    ("year", re.compile(rf"(?<![\w\-.,/°])(?P<y>{_Y})(?![\w\-]|[.,]\d|[\s\u00a0\u202f]\d\d\d)")),
]
_MONTHS = {
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(_MONTHS)
_COUNTS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12,
}  # fmt: skip
_COUNT = r"(?P<n>1[0-2]|[2-9]|" + "|".join(_COUNTS) + ")"
_OF_YEAR = rf"(?:{_SP}(?:de{_SP}l['’]année{_SP}|de{_SP}|d['’]{_OPT}))?{_OPT}"
# months of one year, first of all: "de janvier à septembre 2025", "janvier-septembre 2025"; the
# year to a month's end, "à fin septembre 2025", "les neuf premiers mois de 2025"
_LEADING: list[tuple[str, re.Pattern[str]]] = [
    (  # months of two years: "entre novembre 2024 et février 2025", "de mars 2023 à juin 2024"
        "month_years",
        re.compile(
            rf"(?<!\w)(?:(?:entre|de|d['’]){_OPT})?(?P<m1>{_MONTH_ALT}){_SP}(?P<y1>{_Y}){_OPT}"
            rf"(?:et|à|au|jusqu['’]à|-|–){_OPT}(?P<m2>{_MONTH_ALT}){_SP}(?P<y2>{_Y})(?!\d)",
            re.I,
        ),
    ),
    (
        "months",
        re.compile(
            rf"(?<!\w)(?:(?:entre|de){_SP})?(?P<m1>{_MONTH_ALT}){_OPT}(?:et|à|-|–){_OPT}(?P<m2>{_MONTH_ALT}){_SP}(?P<y>{_Y})(?!\d)",
            re.I,
        ),
    ),
    (
        "to_date",
        re.compile(
            rf"(?<!\w)à{_SP}fin{_SP}(?:de{_SP}|d['’]{_OPT})?(?P<m>{_MONTH_ALT}){_OF_YEAR}(?P<y>{_Y})(?!\d)",
            re.I,
        ),
    ),
    (
        "first_months",
        re.compile(rf"(?<!\w){_COUNT}{_SP}premiers{_SP}mois{_OF_YEAR}(?P<y>{_Y})(?!\d)", re.I),
    ),
]
# what a table's header says and running text does not: "Fin septembre 2025", "9 mois 2025",
# "Septembre 2025" (that month alone)
_TABLE: list[tuple[str, re.Pattern[str]]] = [
    (
        "to_date",
        re.compile(
            rf"(?<!\w)fin{_SP}(?:de{_SP}|d['’]{_OPT})?(?P<m>{_MONTH_ALT}){_OF_YEAR}(?P<y>{_Y})(?!\d)", re.I
        ),
    ),
    (
        "first_months",
        re.compile(rf"(?<!\w){_COUNT}{_SP}(?:premiers{_SP})?mois{_OF_YEAR}(?P<y>{_Y})(?!\d)", re.I),
    ),
    ("month", re.compile(rf"(?<!\w)(?P<m>{_MONTH_ALT}){_SP}(?P<y>{_Y})(?!\d)", re.I)),
]
_SPECIFICITY = {
    "quarter": 3, "half": 3, "month_years": 3, "months": 3, "to_date": 3, "first_months": 3, "month": 3, "span": 2, "year": 1,
}  # fmt: skip
_OPEN_KINDS = frozenset({"span", "month_years", "months", "to_date", "first_months", "month"})
_OPEN_START = re.compile(
    r"(?<!\w)depuis[\s\u00a0]+(?:(?:le[\s\u00a0]+)?(?:début|mi|fin)[\s\u00a0\-]+|(?:"
    + _MONTH_ALT
    + r")[\s\u00a0]+)?$",
    re.I,
)
_PREV_WORD = re.compile(r"([^\W\d_][\w\-’']*)[\s\u00a0]+$")
_LAW = re.compile(r"(?<!\w)(?:loi|projet de loi) de finances[\s\u00a0]+$", re.IGNORECASE)
_TIME_WORDS = {
    "en", "au", "aux", "pour", "fin", "début", "depuis", "entre", "dès", "sur", "dans", "durant",
    "pendant", "vers", "avant", "après", "courant", "mi", "horizon", "à", "d’ici", "d'ici", "de",
}  # fmt: skip
# Between a figure and a later period: the period is in another clause.
_FORWARD_BLOCK = re.compile(
    r",(?!\d)|[;:()«»\[\]–—]|(?<!\w)(?:contre|mais|après|tandis|alors|quand|lorsque"
    r"|si|soit|avec|malgré|puis|face|comparé|comparativement|rapport)(?!\w)|(?<!\w)(?:s['’]ils?(?!\w)|avant[\s\u00a0]+(?:de[\s\u00a0]|d['’]))",
    re.IGNORECASE,
)
# Between an earlier period and a figure: the figure is in a new clause.
_BACKWARD_BLOCK = re.compile(
    r"[;:()]|(?<!\w)(?:mais|tandis|alors que|quand|lorsque|malgré|avec|après|si|s['’]il|s['’]ils)(?!\w)"
    r"|(?<!\w)et[\s\u00a0]+(?:(?:de|un|une|des|le|la|les|se|à)(?!\w)|d['’]|l['’]|s['’])",
    re.IGNORECASE,
)
_SEGMENT_BREAK = re.compile(r",(?!\d)|[;:()«»–—]")


@dataclass(frozen=True, slots=True)
class Period:
    start: int
    end: int
    label: str
    specificity: int


def find_periods(text: str, start: int = 0, end: int | None = None, *, table: bool = False) -> list[Period]:
    """Periods within text[start:end], not overlapping (the more specific pattern wins);
    ``table``: text from a table's header, which also names a month alone (module docstring)."""
    end = len(text) if end is None else end
    found: list[Period] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in (_LEADING + _TABLE + _PATTERNS) if table else (_LEADING + _PATTERNS):
        for m in rx.finditer(text, start, end):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            if kind == "year" and (
                _OPEN_START.search(text, max(0, m.start() - 30), m.start()) or _in_name(text, m.start())
            ):
                taken.append((m.start(), m.end()))
                continue
            if kind in _OPEN_KINDS and _OPEN_START.search(text, max(0, m.start() - 30), m.start()):
                taken.append((m.start(), m.end()))
                continue
            found.append(Period(m.start(), m.end(), _label(kind, m), _SPECIFICITY[kind]))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda p: p.start)


def month_span(year: str, first: int, last: int) -> str:
    """The label of the months first..last of a year: a quarter, a half or the year when they
    are one ("2025-Q1", "2025-H1", "2025"), else "2025-09" or "2025-01..09". Months running
    from the year before ("d'octobre à mars 2025") are the span of both years ("2024-2025"):
    never one year's figure."""
    if first > last:
        return f"{int(year) - 1}-{year}"
    if (first, last) == (1, 12):
        return year
    if last - first == 2 and first % 3 == 1:
        return f"{year}-Q{(first + 2) // 3}"
    if last - first == 5 and first in (1, 7):
        return f"{year}-H{1 if first == 1 else 2}"
    return f"{year}-{first:02d}" if first == last else f"{year}-{first:02d}..{last:02d}"


def _label(kind: str, m: re.Match[str]) -> str:
    if kind == "month_years":
        y1, y2 = m.group("y1"), m.group("y2")
        m1, m2 = _MONTHS[m.group("m1").lower()], _MONTHS[m.group("m2").lower()]
        return month_span(y1, m1, m2) if y1 == y2 else f"{y1}-{y2}"
    if kind == "months":
        return month_span(m.group("y"), _MONTHS[m.group("m1").lower()], _MONTHS[m.group("m2").lower()])
    if kind == "to_date":
        return month_span(m.group("y"), 1, _MONTHS[m.group("m").lower()])
    if kind == "first_months":
        n = m.group("n").lower()
        return month_span(m.group("y"), 1, int(n) if n.isdigit() else _COUNTS[n])
    if kind == "month":
        month = _MONTHS[m.group("m").lower()]
        return month_span(m.group("y"), month, month)
    if kind in ("quarter", "half"):
        n = int(m.group("n")) if "n" in m.groupdict() and m.group("n") else _ORD[m.group("o").lower()]
        if kind == "half":
            n = min(n, 2) if m.group(0)[0] not in "SH" else n
        return f"{m.group('y')}-{'Q' if kind == 'quarter' else 'H'}{n}"
    if kind == "span":
        y1, y2 = m.group("a"), m.group("b")
        if len(y2) == 2:
            y2 = y1[:2] + y2
        return f"{y1}-{y2}"
    return m.group("y")


def closed_segments(
    text: str, start: int, end: int, aside_at: Callable[[int], bool]
) -> list[tuple[int, int]]:
    """Comma-delimited parts of a sentence that are asides: "contre ..." or a participle first."""
    cuts = [start] + [m.end() for m in _SEGMENT_BREAK.finditer(text, start, end)] + [end]
    closed = []
    for a, b in itertools.pairwise(cuts):
        m = _FIRST_WORD.search(text, a, b)
        if m and (m.group(0).lower() in ("contre", "qui") or aside_at(m.start())):
            closed.append((a, b))
    return closed


_FIRST_WORD = re.compile(r"(?<![\w'’])[^\W\d_][\w\-]*")


_ET = re.compile(
    r"(?<!\w)et[\s\u00a0]+(?:(?:s['’]|se[\s\u00a0]+|y[\s\u00a0]+|en[\s\u00a0]+|l['’]|ne[\s\u00a0]+|n['’])?)",
    re.IGNORECASE,
)


def period_for(
    text: str,
    periods: list[Period],
    start: int,
    end: int,
    closed: list[tuple[int, int]],
    finite_at: Callable[[int], bool] = lambda pos: False,
) -> str | None:
    """The period a figure at [start, end) takes (see the module docstring).

    ``finite_at(pos)``: is the word at pos a finite verb? "et" before one starts a new
    clause ("compte 600 positions et emploiera 900 personnes d'ici 2025").
    """

    def aside(pos: int) -> tuple[int, int] | None:
        return next(((a, b) for a, b in closed if a <= pos < b), None)

    own = aside(start)
    best: tuple[int, int] | None = None
    label = None
    for p in periods:
        if p.start < end and start < p.end:
            continue  # inside the figure itself
        if aside(p.start) not in (None, own):
            continue  # "Créée en 2019, ..." and "contre 57 % en 2023" keep their period
        if (
            own is not None
            and aside(p.start) != own
            and text[own[0] : own[0] + 12].strip().lower().startswith("contre")
        ):
            continue  # "..., contre 380 aujourd'hui" is not in the year of the main clause
        if p.start >= end:
            gap = p.start - end
            if gap > 160 or _FORWARD_BLOCK.search(text, end, p.start):
                continue
            if any(finite_at(m.end()) for m in _ET.finditer(text, end, p.start)):
                continue
        else:
            gap = start - p.end
            if _BACKWARD_BLOCK.search(text, p.end, start):
                continue
        key = (gap, -p.specificity)
        if best is None or key < best:
            best, label = key, p.label
    return label


def _in_name(text: str, pos: int) -> bool:
    """A year that ends a name: "Maroc Digital 2030", "la loi de finances 2023"."""
    window = text[max(0, pos - 40) : pos]
    if _LAW.search(window):
        return True
    m = _PREV_WORD.search(window)
    return bool(m and m.group(1)[0].isupper() and m.group(1).lower() not in _TIME_WORDS)
