"""Figures from the tables of a document: a cell becomes a figure when its row and column say
what it measures and when.

Text in, figures out (:func:`table_figures`); no spaCy. For each cell holding a number, outside
the header rows and the row labels:

- **period**: the column's label ("Janv.-Sept. 2025", "2024", "T1 2025", "Effectif 2024"), read
  by :mod:`pipeline.periods` as a sentence's period is, with what only a header says: months
  of one year are their own period ("Janv.-Sept. 2025", "Fin septembre 2025" and "9 mois
  2025" are "2025-01..09", never the year 2025; "Septembre 2025" is "2025-09"); else the row's
  (a table with years down its rows); a variation column without one ("Variation en %") takes
  the table's latest period. No period, no figure.
- **unit**: the cell's own "%", else the first label that names one: the column's, the row's,
  the caption's ("(en millions de DH)", "CA export (MDH)", "(%)", "Effectifs", "Nombre
  d'entreprises"), read with the figure lexicon (``config/figures.toml``). No unit, no figure.
- **indicator**: the taxonomy's cues (``config/indicators.toml``) in the row's label, the
  column's, the caption, the document's title, in that order of weight; a variation column is
  growth. The fallback ("autre") is no indicator: no figure.
- **scope**: a zone, region, country or segment of ``config/zones.toml`` the row names; the
  watched sector as a whole (the default country) when the row names it ("Offshoring", "Total
  offshoring") or when the row is a measure ("Effectif total") of a table about the sector
  (its caption or the document's title); a row about anything else ("Voyages", "Transport",
  "Total" of all services) gives no figure.
- **status**: actual, unless a label says forecast ("prévision") or target ("objectif").

Each figure keeps where it was read: its table (``table_index``) and cell (``cell``: "C7" in a
sheet or a CSV file, "B3" of the table's own grid in a PDF), and a sentence naming the row, the
column, the caption and the page or sheet, which the figures explorer and the series show.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.indicators import _GROWTH, _cue_hits
from pipeline.lexicon import DEFAULT_LEXICON
from pipeline.lexicon import Lexicon as FigureLexicon
from pipeline.lexicon import load_lexicon as load_figure_lexicon
from pipeline.periods import find_periods
from pipeline.quantities import scan
from pipeline.relevance import Lexicon, load_lexicon, score
from pipeline.scopes import Places, places_for
from veille.core.conf import PACKAGE_CONFIG
from veille.core.formatting import format_number
from veille.core.models import Article, Cell, Figure, Table
from veille.core.numbers import CellNumber, parse_cell
from veille.core.taxonomy import FALLBACK, Taxonomy, load_taxonomy

# the lexicon themes that name the watched sector itself (config/lexicon.toml): a row named with
# their words is the sector's; words of the other themes (exports of services, jobs...) are not
SECTOR_THEMES = frozenset({"offshoring", "relation-client", "services-it"})
_MONTHS = {
    "janv": "janvier", "jan": "janvier", "févr": "février", "fevr": "février", "fév": "février",
    "fev": "février", "avr": "avril", "juil": "juillet", "aout": "août", "sept": "septembre",
    "sep": "septembre", "oct": "octobre", "nov": "novembre", "déc": "décembre", "dec": "décembre",
}  # fmt: skip
_MONTH_ABBR = re.compile(
    r"(?<![\w])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?(?![\w])", re.I
)
_VARIATION = re.compile(
    r"(?<!\w)(?:var\.?|variation|évol\w*|evol\w*|croissance|taux de croissance)(?!\w)", re.I
)
_PERCENT = re.compile(r"%|(?<!\w)pour ?cent(?!\w)|(?<!\w)en points?(?!\w)", re.I)
_POINTS = re.compile(r"(?<!\w)(?:points?|pts?\.?)(?!\w)", re.I)
_PHRASES = re.compile(
    r"\(([^()]{1,60})\)|(?<!\w)en\s+((?:milli\w+|nombre|millions?|milliards?|[MK]{0,2}DH|dirhams?|euros?|dollars?|€|\$)[^()]{0,40})",
    re.I,
)
_HEADCOUNT = re.compile(r"(?<!\w)(?:effectifs?|emplois?|salariés?|personnel)(?!\w)", re.I)
_FORECAST = re.compile(r"(?<!\w)(?:prévisions?|prév\.|prévu\w*|estimations?|projections?)(?!\w)", re.I)
_TARGET = re.compile(r"(?<!\w)(?:objectifs?|cibles?)(?!\w)", re.I)


@dataclass(frozen=True)
class Readers:
    """What reading a table needs of the configuration, loaded once per config directory, and
    what it read of the labels already (a table repeats its row and column labels cell by cell)."""

    taxonomy: Taxonomy
    places: Places
    sector: Lexicon  # config/lexicon.toml: does a label name the watched sector?
    units: FigureLexicon  # config/figures.toml: the unit a label names
    default_country: str
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            if len(self.memo) > MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = compute()
        return self.memo[key]


MEMO_SIZE = 50_000


@functools.lru_cache(maxsize=4)
def readers(config_dir: Path = PACKAGE_CONFIG) -> Readers:
    places = places_for(str(config_dir / "zones.toml"))
    return Readers(
        taxonomy=load_taxonomy(config_dir / "indicators.toml"),
        places=places,
        sector=load_lexicon(config_dir),
        units=load_figure_lexicon(
            config_dir / "figures.toml" if config_dir != PACKAGE_CONFIG else DEFAULT_LEXICON
        ),
        default_country=places.zones.default_country,
    )


def cell_text(cell: Cell) -> str:
    """A cell as a reader sees it ("18 234,5", "2024", "Offshoring")."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return (
            format_number(cell, 6, nbsp=False)
            if not (cell.is_integer() and 1900 <= cell <= 2100)
            else str(int(cell))
        )
    return str(cell).strip()


def column_letters(n: int) -> str:
    """1 -> "A", 27 -> "AA" (a spreadsheet's column name)."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def column_labels(table: Table) -> list[str]:
    """Each column's label: its header cells, top to bottom; a header cell spanning several
    columns (a merged cell, read once then empty) is carried to the right over the upper rows."""
    header = [list(r) for r in table.rows[: table.header_rows]]
    width = len(table.rows[0]) if table.rows else 0
    for level, row in enumerate(header[:-1]):
        carried = ""
        for j in range(1, width):
            text = cell_text(row[j] if j < len(row) else None)
            carried = text or carried
            header[level][j] = carried
    return [
        " ".join(t for t in (cell_text(r[j] if j < len(r) else None) for r in header) if t)
        for j in range(width)
    ]


@functools.lru_cache(maxsize=4096)
def period_of(label: str) -> str | None:
    """The period a label names ("Janv.-Sept. 2025" -> "2025-01..09", "T1 2025" -> "2025-Q1");
    a comparison of two years ("2025/2024") is the later one's."""
    text = _MONTH_ABBR.sub(lambda m: _MONTHS[m.group(1).lower()], label)
    # in running text a capitalised word before a year makes a name ("Maroc Digital 2030"); in a
    # header it is the measure ("Effectif 2024")
    found = find_periods(text, table=True) or find_periods(text.lower(), table=True)
    if not found:
        return None
    best = max(found, key=lambda p: p.specificity)
    years = best.label.split("-")
    if len(years) == 2 and all(len(y) == 4 and y.isdigit() for y in years) and years[0] > years[1]:
        return years[0]
    return best.label


def _unit_of_phrase(phrase: str, units: FigureLexicon) -> tuple[str, float] | None:
    if _PERCENT.search(phrase):
        return ("points", 1.0) if _POINTS.search(phrase) else ("percent", 1.0)
    words = re.sub(r"^\s*en\s+", "", phrase.strip(), flags=re.I)
    found = scan("1 " + words, units)
    if found and found[0].start == 0 and found[0].unit:
        return found[0].unit, found[0].value
    return None


def unit_of(labels: Sequence[str], units: FigureLexicon, places: Places) -> tuple[str, float] | None:
    """(unit, multiplier) named by the first label that names one: a unit phrase, else a noun."""
    for label in labels:
        if not label:
            continue
        if _PERCENT.search(label):
            return ("points", 1.0) if _POINTS.search(label) and "%" not in label else ("percent", 1.0)
        for m in _PHRASES.finditer(label):
            named = _unit_of_phrase(m.group(1) or m.group(2), units)
            if named:
                return named
        if _HEADCOUNT.search(label):
            return "jobs", 1.0
        noun = units.nouns.search(label)
        if noun and not places.find(label):
            kind = next(k for k, v in noun.groupdict().items() if v)
            return {"people": "jobs"}.get(kind, kind), 1.0
    return None


def indicator_of(
    taxonomy: Taxonomy, unit: str, row: str, column: str, caption: str, title: str
) -> str | None:
    """The taxonomy key the labels name for a figure of ``unit``, or None (none, or only the
    fallback): the row's words weigh most, then the column's, the caption's, the title's."""
    candidates = taxonomy.for_unit(unit)
    if unit in ("percent", "points") and "croissance" in candidates:
        if _VARIATION.search(column) or _VARIATION.search(row) or _GROWTH.search(row + " " + column):
            return "croissance"
    scores: dict[str, float] = {}
    for text, weight in ((row, 6.0), (column, 5.0), (caption, 2.0), (title, 1.0)):
        padded = f" {text.lower()} "
        for key in candidates:
            if _cue_hits(taxonomy.indicators[key].cues, padded):
                scores[key] = scores.get(key, 0.0) + weight
    if not scores:
        return None
    if "exportations" in scores and "chiffre_affaires" in scores and re.search(r"export", row + column, re.I):
        return "exportations"
    top = max(scores.values())
    best = next(k for k in candidates if scores.get(k) == top)
    return None if best == FALLBACK else best


def status_of(*labels: str) -> str:
    text = " ".join(labels)
    if _TARGET.search(text):
        return "target"
    return "forecast" if _FORECAST.search(text) else "actual"


def names_sector(text: str, sector: Lexicon) -> bool:
    """Does a label name the watched sector itself ("Offshoring", "Total offshoring")?"""
    if not text.strip():
        return False
    found = score(Article(url="", source="", title=text), sector)
    return bool(set(found.themes) & SECTOR_THEMES) and found.score >= sector.threshold


def is_measure(text: str, taxonomy: Taxonomy) -> bool:
    """Does a label name what is measured ("Effectif total", "Nombre d'entreprises")?"""
    padded = f" {text.lower()} "
    return any(
        _cue_hits(spec.cues, padded) for key, spec in taxonomy.indicators.items() if key != FALLBACK
    ) or bool(_HEADCOUNT.search(text))


@dataclass(frozen=True)
class _Row:
    label: str  # the row's own label
    section: str  # the label of the section row above it ("" when none)
    cells: tuple[Cell, ...]
    ref: int  # its row number (sheet, CSV file, or the table's grid)


def _body_rows(table: Table) -> list[_Row]:
    """The rows under the header, each with the section it is in (a row with a label and no value)."""
    out: list[_Row] = []
    section = ""
    refs = table.row_refs or tuple(range(1, len(table.rows) + 1))
    for row, ref in zip(table.rows[table.header_rows :], refs[table.header_rows :], strict=False):
        label = cell_text(row[0]) if row else ""
        if not any(parse_cell(c) is not None for c in row[1:]):
            section = label or section
            continue
        out.append(_Row(label, section, tuple(row), ref))
    return out


def _scope(row: _Row, r: Readers, table_about_sector: bool, row_is_period: bool) -> tuple[str, str] | None:
    """What the row's figures are about (see the module's docstring), or None: not watched."""
    for text in (row.label, row.section):
        hits = r.remember(("places", text), functools.partial(r.places.find, text)) if text else []
        if hits:
            return hits[0].kind, hits[0].name
    for text in (row.label, row.section):
        if r.remember(("sector", text), functools.partial(names_sector, text, r.sector)):
            return "country", r.default_country
    measure = not row.label or r.remember(("measure", row.label), lambda: is_measure(row.label, r.taxonomy))
    if table_about_sector and (row_is_period or measure):
        return "country", r.default_country
    return None


def _metric(row_label: str, column: str, caption: str, r: Readers) -> str | None:
    """The figure's own words: the column's besides its period, else the row's when it names a
    measure, else the caption's title (without its number, unit or notes)."""
    words = re.sub(r"\s+", " ", _MONTH_ABBR.sub("", re.sub(r"(?:19|20)\d\d", "", column))).strip(" -–/.")
    if len(words) > 3:
        return words[:200]
    if row_label and is_measure(row_label, r.taxonomy):
        return row_label[:200]
    title = re.split(r"\(|\s(?:sources?|notes?)\s*:", caption, maxsplit=1, flags=re.I)[0]
    title = re.sub(r"^\s*tableau\s*[\w.]*\s*[:.–-]\s*", "", title, flags=re.I).strip()
    return title[:200] or None


def _where(table: Table, cell: str) -> str:
    place = (
        f"page {table.page}" if table.page else (f"feuille « {table.sheet} »" if table.sheet else "fichier")
    )
    return f"tableau {table.index + 1}, {place}, cellule {cell}"


@dataclass(frozen=True)
class _Column:
    index: int
    label: str
    period: str | None
    ref: str  # its letters


def _cell_figure(
    table: Table, row: _Row, col: _Column, r: Readers, title: str, latest: str | None, about_sector: bool
) -> Figure | None:
    cell = row.cells[col.index] if col.index < len(row.cells) else None
    number: CellNumber | None = parse_cell(cell)
    if number is None:
        return None
    row_period = period_of(row.label) if row.label else None
    period = col.period or row_period or (latest if _VARIATION.search(col.label) else None)
    if period is None:
        return None
    row_words = "" if (row_period and not col.period) else row.label
    labels = (col.label, row_words, table.caption)
    named = (
        ("percent", 1.0)
        if number.percent
        else r.remember(("unit", *labels), lambda: unit_of(labels, r.units, r.places))
    )
    if named is None:
        return None
    unit, multiplier = named
    indicator = r.remember(
        ("indicator", unit, *labels, title),
        lambda: indicator_of(r.taxonomy, unit, row_words, col.label, table.caption, title),
    )
    scope = _scope(row, r, about_sector, bool(row_period and not col.period))
    if indicator is None or scope is None:
        return None
    ref = f"{col.ref}{row.ref}"
    written = cell_text(cell)
    sentence = " — ".join(
        x for x in (row.section if row.section != row.label else "", row.label, col.label) if x
    )
    sentence += (
        f" : {written}" + (f" ({table.caption})" if table.caption else "") + f" [{_where(table, ref)}]"
    )
    return Figure(
        text=written, start=0, end=0, value=float(f"{number.value * multiplier:.12g}"), unit=unit,
        sentence=sentence, period=period, metric=_metric(row_words, col.label, table.caption, r),
        indicator=indicator, status=status_of(col.label, row.label, table.caption),
        scope_kind=scope[0], scope=scope[1], table_index=table.index, cell=ref,
    )  # fmt: skip


def _period_order(period: str) -> tuple[int, str]:
    return int(period[-4:]) if period[-4:].isdigit() else int(period[:4]), period


def table_figures(table: Table, r: Readers, *, title: str = "") -> list[Figure]:
    """The figures of one table (see the module's docstring), row by row."""
    if len(table.rows) < 2 or len(table.rows[0]) < 2:
        return []
    labels = column_labels(table)
    refs = table.col_refs or tuple(range(1, len(labels) + 1))
    columns = [
        _Column(j, labels[j], period_of(labels[j]) if labels[j] else None, column_letters(refs[j]))
        for j in range(1, min(len(labels), len(refs)))
    ]
    periods = [c.period for c in columns if c.period]
    latest = max(periods, key=_period_order) if periods else None
    about_sector = any(
        r.remember(("sector", text), functools.partial(names_sector, text, r.sector))
        for text in (table.caption, title)
    )
    out = []
    for row in _body_rows(table):
        for col in columns:
            figure = _cell_figure(table, row, col, r, title, latest, about_sector)
            if figure is not None:
                out.append(figure)
    return out


def document_figures(tables: Sequence[Table], r: Readers, *, title: str = "") -> list[Figure]:
    """The figures of every table of a document, in document order."""
    return [f for table in tables for f in table_figures(table, r, title=title)]
