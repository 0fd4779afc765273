"""CSV and XLSX downloads of the figures explorer: the rows shown, with the columns shown.

The table's columns come first, in the same order, then what a spreadsheet needs and a
screen does not (the bare number, the article's title and links, the source's label, the
codes of the indicator, status and rate: ``emplois_crees``, ``target``, ``m2/month``; then
"Reprises": the other articles of a syndicated story carrying the same figure, as "source
(address)" — one row per story unless the export asks for every copy, ``copies=1``). The
"Indicateur" column holds the indicator's French label, "Mesure" the text's own words for
what is measured, "Statut" réalisé / annoncé / prévision / objectif; a rate's value says what
it is per ("80 DH par m² et par mois"). The
"Source" column holds the source's name (``medias24``), stable across label changes; the
label ("Médias24") comes last, so the columns of older files keep their place.

CSV is UTF-8 with a BOM (so Excel detects the encoding), comma-separated, RFC 4180
quoting, ISO dates, numbers with a decimal point. Text cells that a spreadsheet would read
as a formula (starting with = + - @ or a tab) get a leading apostrophe; in the XLSX they
are written as plain strings, never formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from veille.archive.search import FigureRow
from veille.core.formatting import defuse_formula, indicator_label, status_label
from veille.web.render import UNIT_LABELS


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


def _plain(text: str | None) -> str:
    return (text or "").replace("\u00a0", " ").replace("\u202f", " ")


def record(row: FigureRow, base_url: Any, source_labels: Mapping[str, str] | None = None) -> list[Any]:
    """One figure as the export's cells (dates as ``date`` objects, numbers as ``float``)."""
    article = f"{str(base_url).rstrip('/')}/articles/{row.article_id}" + (
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
        (source_labels or {}).get(row.source, row.source),
        row.indicator or "",
        row.status,
        row.per or "",
        "; ".join(f"{(source_labels or {}).get(c.source, c.source)} ({c.url})" for c in row.copies),
    ]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(defuse_formula(value))


def to_csv(rows: list[FigureRow], base_url: Any, source_labels: Mapping[str, str] | None = None) -> bytes:
    return b"".join(csv_chunks(rows, base_url, source_labels))


def csv_chunks(
    rows: Iterable[FigureRow], base_url: Any, source_labels: Mapping[str, str] | None = None, batch: int = 500
) -> Iterator[bytes]:
    """The CSV export (UTF-8 with a BOM, for spreadsheets) in pieces of ``batch`` rows, for a
    streamed download of every figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(HEADER)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(c) for c in record(row, base_url, source_labels)])
        if n % batch == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    if out.getvalue():
        yield out.getvalue().encode("utf-8")


def to_xlsx(rows: list[FigureRow], base_url: Any, source_labels: Mapping[str, str] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Chiffres"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(record(row, base_url, source_labels), start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the scraped text starts with
            else:
                cell.value = value
                if c == 1 and value is not None:
                    cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    widths = [12, 16, 22, 16, 22, 30, 11, 10, 30, 80, 16, 10, 20, 50, 40, 40, 24, 18, 11, 10, 60]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
