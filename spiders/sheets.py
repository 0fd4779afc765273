"""Spreadsheets and CSV files into tables: XLSX (openpyxl), old XLS (xlrd), CSV (French or
English separators, UTF-8 or Windows-1252).

Formulas are never evaluated: openpyxl reads the values the spreadsheet application cached
(``data_only=True``; a formula without one is an empty cell), xlrd reads cached values only. An
XLSX is a zip: its parts' sizes are checked before it is opened, so a zip bomb is refused
unopened (and Python's zipfile never unpacks a part past the size it declares). The cells read
are capped (``max_cells``) and so are the sheets (``max_sheets``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from spiders.files import FileContent, Limits, UnreadableFile, meaningful_title
from spiders.grids import cell_value, grid_tables
from veille.core.models import Cell

BIG_PART = 1_000_000  # bytes: a part this large must not be compressed past the ratio limit


def check_zip(body: bytes, limits: Limits) -> None:
    """Refuse an xlsx whose parts would unpack past ``max_unzipped_size``, or compress past
    ``max_zip_ratio`` (a zip bomb), or that is no workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(f"broken xlsx (not a readable zip: {exc})") from None
    total = 0
    with archive:
        names = set()
        for info in archive.infolist():
            names.add(info.filename)
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > BIG_PART and ratio > limits.max_zip_ratio:
                raise UnreadableFile(
                    f"xlsx refused: part {info.filename} unpacks {ratio:,.0f} times its size (zip bomb?)"
                )
        if total > limits.max_unzipped_size:
            raise UnreadableFile(
                f"xlsx refused: {total:,} bytes once unpacked, over the {limits.max_unzipped_size:,} limit"
            )
        if "xl/workbook.xml" not in names:
            raise UnreadableFile("not a workbook (a zip without xl/workbook.xml)")


class _Budget:
    """The cells left to read over a whole file."""

    def __init__(self, limits: Limits, content: FileContent) -> None:
        self.left = limits.max_cells
        self.max = limits.max_cells
        self.content = content

    def take(self, row: Sequence[Any], where: str) -> bool:
        self.left -= len(row)
        if self.left < 0:
            self.content.notes.append(f"{where}: cells past the {self.max:,} limit not read (max_cells)")
            return False
        return True


def _add_sheet(content: FileContent, name: str | None, grid: list[tuple[int, Sequence[Cell]]]) -> None:
    tables, free = grid_tables(grid, sheet=name, first_index=len(content.tables))
    content.tables += tables
    content.pages.append("\n\n".join(free))


def read_xlsx(body: bytes, limits: Limits) -> FileContent:
    """An XLSX workbook's sheets as tables (cached values, formulas never evaluated)."""
    check_zip(body, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl's errors on a broken part: one line
        raise UnreadableFile(
            f"broken xlsx ({type(exc).__name__}: {' '.join(str(exc).split())[:120]})"
        ) from None
    try:
        content = FileContent("xlsx", page_count=len(book.worksheets))
        budget = _Budget(limits, content)
        for sheet in _capped(book.worksheets, limits, content):
            grid: list[tuple[int, Sequence[Cell]]] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if not budget.take(row, f"sheet {sheet.title}"):
                    break
                grid.append((number, [cell_value(v) for v in row]))
            _add_sheet(content, sheet.title, grid)
            if budget.left < 0:
                break
        props = book.properties
        _metadata(content, getattr(props, "title", None), getattr(props, "created", None))
    finally:
        book.close()
    return content


def _capped(sheets: Sequence[Any], limits: Limits, content: FileContent) -> Sequence[Any]:
    if len(sheets) > limits.max_sheets:
        content.notes.append(f"sheets past the first {limits.max_sheets} not read (max_sheets)")
    return sheets[: limits.max_sheets]


def read_xls(body: bytes, limits: Limits) -> FileContent:
    """An old XLS workbook (BIFF) with xlrd: cached values only."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=body, on_demand=True)
    except Exception as exc:  # xlrd's errors (XLRDError, CompDocError...) on a broken or locked file
        if "encrypt" in str(exc).lower():
            raise UnreadableFile("encrypted spreadsheet refused (it needs a password)") from None
        raise UnreadableFile(
            f"broken xls ({type(exc).__name__}: {' '.join(str(exc).split())[:120]})"
        ) from None
    try:
        content = FileContent("xls", page_count=book.nsheets)
        budget = _Budget(limits, content)
        for index in _capped(range(book.nsheets), limits, content):
            sheet = book.sheet_by_index(index)
            grid: list[tuple[int, Sequence[Cell]]] = []
            for r in range(sheet.nrows):
                row = sheet.row(r)
                if not budget.take(row, f"sheet {sheet.name}"):
                    break
                grid.append((r + 1, [_xls_cell(c, book.datemode) for c in row]))
            _add_sheet(content, sheet.name, grid)
            book.unload_sheet(index)
            if budget.left < 0:
                break
        _metadata(content, None, None)
    finally:
        book.release_resources()
    return content


def _xls_cell(cell: Any, datemode: int) -> Cell:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_value(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError):
            return None
    return cell_value(cell.value)


def _decode(body: bytes, content_type: str | None) -> str:
    """A CSV file's text: its byte-order mark, else UTF-8, else the Content-Type's charset,
    else Windows-1252 (what Excel writes in France and Morocco)."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charset = ""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"')
    try:
        return body.decode(charset or "cp1252", "replace")
    except LookupError:
        return body.decode("cp1252", "replace")


def read_csv(body: bytes, limits: Limits, content_type: str | None = None) -> FileContent:
    """A CSV file as one sheet: ``;`` (French), ``,``, tab or ``|`` separated."""
    text = _decode(body, content_type)
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t|")
    except csv.Error:
        dialect = "excel"
        if sample.count(";") > sample.count(","):
            dialect = csv.excel()
            dialect.delimiter = ";"
    content = FileContent("csv", page_count=1)
    budget = _Budget(limits, content)
    grid: list[tuple[int, Sequence[Cell]]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if not budget.take(row, "file"):
                break
            grid.append((number, [cell_value(v) for v in row]))
    except csv.Error as exc:
        raise UnreadableFile(f"broken CSV ({exc})") from None
    _add_sheet(content, None, grid)
    _metadata(content, None, None)
    return content


def _metadata(content: FileContent, title: str | None, created: datetime | None) -> None:
    """Title: the workbook's, else its first caption or text line; date: the workbook's creation."""
    named = meaningful_title(title)
    if named:
        content.title, content.title_from = named, "metadata"
    else:
        first = _first_text(t.caption for t in content.tables) or _first_text(content.pages)
        if first:
            content.title, content.title_from = first[:300], "first_page"
    if isinstance(created, datetime):
        content.published = created if created.tzinfo else created.replace(tzinfo=UTC)
        content.date_from = "metadata"


_NOTES_START = re.compile(r"\s(?:sources?|notes?)\s*:", re.IGNORECASE)


def _first_text(texts: Iterable[str]) -> str | None:
    """The first line of the first text, its notes ("Source : ...") left out."""
    first = next((t.strip().split("\n\n")[0] for t in texts if t and t.strip()), None)
    return _NOTES_START.split(first, maxsplit=1)[0].strip() if first else None
