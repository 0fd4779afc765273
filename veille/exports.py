"""The exports of the web and the command. First the figures' export, one for the web
explorer (``/chiffres.csv``, ``.xlsx``, ``.json``) and the command (``veille figures --format
csv|xlsx|json``): the same columns, in the same order, for the same rows.

The explorer's table columns come first, in the same order, then what a spreadsheet needs and a
screen does not (the bare number, the article's title and links, the source's label, the
codes of the indicator, status and rate: ``emplois_crees``, ``target``, ``m2/month``; then
"Reprises": the other articles of a syndicated story carrying the same figure, as "source
(address)" — one row per story unless the query asks for every copy). The "Indicateur" column
holds the indicator's French label, "Mesure" the text's own words for what is measured,
"Statut" réalisé / annoncé / prévision / objectif; a rate's value says what it is per ("80 DH
par m² et par mois"). The "Source" column holds the source's name (``medias24``), stable across
label changes; the label ("Médias24") comes later, so the columns of older files keep their place.

CSV is UTF-8 (with a BOM in a file, so Excel detects the encoding), comma-separated, RFC 4180
quoting, ISO dates, numbers with a decimal point. Text cells that a spreadsheet would read as a
formula (starting with = + - @ or a tab) get a leading apostrophe; in the XLSX they are written
as plain strings, never formulas. JSON is ``{"rows": [...], "total": n, "total_exact": true}``,
a row an object keyed by the column headers. Every format is written a batch of rows at a time:
an export of every figure never holds them all.

Then the indicator series' (``veille indicators --format csv|xlsx``): a row per point (its key,
chosen value, rule, spread, conflict and, for a target, its progress), and in the workbook a
second sheet with every citation of every point. Both workbooks are written by one
:func:`write_workbook`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from veille.archive.search import FigureRow
from veille.core.formatting import UNIT_LABELS, defuse_formula, indicator_label, status_label
from veille.core.series import Point

FORMATS = ("csv", "xlsx", "json")


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


TABLE_COLUMNS = (
    Column("Date"),
    Column("Source"),
    Column("Valeur", numeric=True),
    Column("Unité"),
    Column("Indicateur"),
    Column("Mesure"),
    Column("Statut"),
    Column("Période"),
    Column("Organisations"),
    Column("Phrase"),
)
EXTRA_COLUMNS = (
    "Valeur numérique",
    "Code unité",
    "Texte du chiffre",
    "Titre de l'article",
    "Article (Veille)",
    "Adresse d'origine",
    "Nom de la source",
    "Code indicateur",
    "Code statut",
    "Par",
    "Reprises",
)
HEADER = [c.label for c in TABLE_COLUMNS] + list(EXTRA_COLUMNS)
WIDTHS = (12, 16, 22, 16, 22, 30, 11, 10, 30, 80, 16, 10, 20, 50, 40, 40, 24, 18, 11, 10, 60)


def _plain(text: str | None) -> str:
    return (text or "").replace("\u00a0", " ").replace("\u202f", " ")


def csv_cell(value: Any) -> str:
    """A CSV cell: ISO dates, numbers with a decimal point, text a spreadsheet would run as a
    formula defused."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(defuse_formula(value))


@dataclass(frozen=True)
class FigureExport:
    """The export of figure rows for the readers of the web UI at ``base_url`` (the column
    "Article (Veille)" links to its article pages), with the sources' labels."""

    base_url: str
    source_labels: Mapping[str, str] = field(default_factory=dict)

    def _label(self, source: str) -> str:
        return self.source_labels.get(source, source)

    def record(self, row: FigureRow) -> list[Any]:
        """One figure as the export's cells (dates as ``date`` objects, numbers as ``float``)."""
        article = f"{self.base_url.rstrip('/')}/articles/{row.article_id}" + (
            f"#phrase-{row.sentence_start}" if row.sentence else ""
        )
        return [
            row.published.date() if row.published else None,
            row.source,
            _plain(row.formatted),
            UNIT_LABELS.get(row.unit, row.unit),
            indicator_label(row.indicator),
            row.metric or "",
            status_label(row.status),
            row.period or "",
            ", ".join(row.organisations),
            _plain(row.sentence),
            row.value,
            row.unit,
            _plain(row.text),
            row.title,
            article,
            row.url,
            self._label(row.source),
            row.indicator or "",
            row.status,
            row.per or "",
            "; ".join(f"{self._label(c.source)} ({c.url})" for c in row.copies),
        ]

    def csv_chunks(self, rows: Iterable[FigureRow], *, bom: bool = True, batch: int = 500) -> Iterator[str]:
        """The CSV text in pieces of ``batch`` rows (``bom``: for a file a spreadsheet opens)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        out.write("\ufeff" if bom else "")
        writer.writerow(HEADER)
        for n, row in enumerate(rows, start=1):
            writer.writerow([csv_cell(c) for c in self.record(row)])
            if n % batch == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        if out.getvalue():
            yield out.getvalue()

    def json_chunks(
        self, rows: Iterable[FigureRow], total: int | None = None, total_exact: bool = True, batch: int = 500
    ) -> Iterator[str]:
        """The JSON text in pieces of ``batch`` rows, a row per line; ``total`` (the matches of
        every page) defaults to the number of rows."""
        lines = ['{"rows": [']
        n = 0
        for n, row in enumerate(rows, start=1):
            cells = [c.isoformat() if isinstance(c, date) else c for c in self.record(row)]
            item = json.dumps(dict(zip(HEADER, cells, strict=True)), ensure_ascii=False)
            lines.append(("\n" if n == 1 else ",\n") + item)
            if n % batch == 0:
                yield "".join(lines)
                lines = []
        counted = json.dumps({"total": n if total is None else total, "total_exact": total_exact})
        yield "".join(lines) + f"\n], {counted[1:]}\n"

    def write_xlsx(self, rows: Iterable[FigureRow], target: str | Path | IO[bytes]) -> int:
        """The workbook, written row by row (openpyxl's write-only mode: an export of every figure
        stays small in memory) to a file or a binary stream; returns how many rows. Text cells
        are typed text: a scraped sentence starting with "=" is never a formula."""
        counts = write_workbook(target, [Sheet("Chiffres", HEADER, WIDTHS, (self.record(r) for r in rows))])
        return counts[0]


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its name, column titles and widths, and its rows of cells."""

    name: str
    header: Sequence[str]
    widths: Sequence[int]
    rows: Iterable[Sequence[Any]]


def write_workbook(target: str | Path | IO[bytes], sheets: Sequence[Sheet]) -> list[int]:
    """An XLSX workbook of ``sheets`` (bold titles, first row frozen, dates as dates, text cells
    typed as text, never formulas), written row by row in openpyxl's write-only mode; returns
    how many rows each sheet has."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    counts = []
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        titles = [WriteOnlyCell(ws, value=title) for title in sheet.header]
        for cell in titles:
            cell.font = Font(bold=True)
        ws.append(titles)
        n = 0
        for row in sheet.rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
            n += 1
        counts.append(n)
    wb.save(target)
    return counts


def _xlsx_cell(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return value


# -- indicator series (``veille indicators --format csv|xlsx``) --------------------------------

POINT_HEADER = [
    "indicator", "status", "scope_kind", "scope", "period", "grain", "unit", "per", "value", "range_max",
    "rule", "stories", "citations", "low", "high", "other_values", "conflict", "disagreeing",
    "progress_period", "progress_value", "progress_share",
]  # fmt: skip
POINT_WIDTHS = (16, 10, 12, 20, 11, 8, 8, 8, 16, 16, 12, 8, 9, 16, 16, 30, 9, 11, 12, 16, 12)
CITATION_HEADER = [
    "indicator", "status", "scope_kind", "scope", "period", "unit", "per", "point_value", "agrees",
    "published", "source", "title", "url", "article_id", "figure_id", "text", "value", "figure_unit",
    "range_max", "approx", "qualifier", "value_in_point_unit", "rate", "rate_year", "attributed_to",
    "official", "sentence",
]  # fmt: skip
CITATION_WIDTHS = (
    16,
    10,
    12,
    20,
    11,
    8,
    8,
    16,
    8,
    12,
    14,
    40,
    40,
    10,
    10,
    24,
    16,
    10,
    16,
    8,
    10,
    16,
    8,
    9,
    24,
    8,
    80,
)


def point_record(p: Point) -> list[Any]:
    """One point of a series as the cells of its row (the CSV's and the workbook's)."""
    others = "; ".join(f"{v.value:g} ({v.stories})" for v in p.values[1:])
    progress = p.progress
    return [
        p.indicator, p.status, p.scope_kind, p.scope, p.period, p.grain, p.unit, p.per, p.value, p.range_max,
        p.rule, p.stories, p.citations_count, p.low, p.high, others, p.conflict, p.disagreeing_count,
        progress.period if progress else None, progress.value if progress else None,
        progress.share if progress else None,
    ]  # fmt: skip


def citation_records(points: Iterable[Point]) -> Iterator[list[Any]]:
    """Every citation of the points, one row each, after its point's key and chosen value."""
    for p in points:
        for c in p.citations:
            yield [
                p.indicator, p.status, p.scope_kind, p.scope, p.period, p.unit, p.per, p.value, c.agrees,
                c.published.date() if c.published else None, c.source, c.title, c.url, c.article_id,
                c.figure_id, _plain(c.text), c.value, c.unit, c.range_max, c.approx, c.qualifier, c.value_mad,
                c.rate, c.rate_year, c.attributed_to, c.official, _plain(c.sentence),
            ]  # fmt: skip


def write_series_xlsx(points: Sequence[Point], target: str | Path | IO[bytes]) -> list[int]:
    """The points of a series ("Points") and their citations ("Citations") as a workbook;
    returns the rows of each sheet."""
    return write_workbook(
        target,
        [
            Sheet("Points", POINT_HEADER, POINT_WIDTHS, (point_record(p) for p in points)),
            Sheet("Citations", CITATION_HEADER, CITATION_WIDTHS, citation_records(points)),
        ],
    )
