"""Grids of cells (a sheet, a CSV file, a PDF table) into tables: where the header rows end,
and how a sheet's blocks of rows become tables with their captions.

A sheet is read as an institution lays it out: a title line or two, a blank row, the table
(header rows, then rows of values), a blank row, "Source : ..." notes. Blocks of non-empty rows
with at least two rows of two cells or more are tables; the one-cell lines just above a table
(or the text-only block before it) are its caption, the "Source"/"Note" lines after it are added
to it. Text-only blocks that caption nothing are the sheet's free text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time

from veille.core.models import Cell, Table
from veille.core.numbers import is_value

MAX_HEADER_ROWS = 4
_NOTE = re.compile(r"^\s*(?:sources?|notes?|champ|\(\*|\*|nb\b|n\.b\.)", re.IGNORECASE)


def cell_value(value: object) -> Cell:
    """A spreadsheet cell as kept: text (stripped), a number, or None."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    text = re.sub(r"[ \t\r\n]+", " ", str(value)).strip()  # non-breaking spaces kept (French numbers)
    return text or None


def filled(row: Sequence[Cell]) -> int:
    return sum(1 for c in row if c is not None and c != "")


def header_rows(rows: Sequence[Sequence[Cell]]) -> int:
    """How many of the first rows are column headers: those before the first row holding a value
    (a number that is not a year) past its first cell; 1 when no row holds one."""
    for i, row in enumerate(rows[: MAX_HEADER_ROWS + 1]):
        if any(is_value(c) for c in row[1:]):
            return min(i, MAX_HEADER_ROWS)
    return 1 if len(rows) > 1 else 0


def _blocks(grid: Sequence[tuple[int, Sequence[Cell]]]) -> list[list[tuple[int, Sequence[Cell]]]]:
    blocks: list[list[tuple[int, Sequence[Cell]]]] = []
    current: list[tuple[int, Sequence[Cell]]] = []
    for number, row in grid:
        if filled(row):
            current.append((number, row))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _text_line(row: Sequence[Cell]) -> bool:
    """A row holding one line of text in its first cell (a title, a note), not a header row
    whose first cell is empty."""
    return filled(row) == 1 and isinstance(row[0], str) and bool(row[0].strip()) and not is_value(row[0])


def _line(row: Sequence[Cell]) -> str:
    return " ".join(str(c) for c in row if c is not None and c != "")


def _table(body: list[tuple[int, Sequence[Cell]]], caption: str, sheet: str | None, index: int) -> Table:
    width = max(len(r) for _, r in body)
    rows = [list(r) + [None] * (width - len(r)) for _, r in body]
    keep = [j for j in range(width) if any(r[j] is not None and r[j] != "" for r in rows)]
    cells = tuple(tuple(r[j] if r[j] != "" else None for j in keep) for r in rows)
    return Table(
        rows=cells, index=index, sheet=sheet, caption=caption, header_rows=header_rows(cells),
        row_refs=tuple(n for n, _ in body), col_refs=tuple(j + 1 for j in keep),
    )  # fmt: skip


def grid_tables(
    grid: Sequence[tuple[int, Sequence[Cell]]], *, sheet: str | None, first_index: int = 0
) -> tuple[list[Table], list[str]]:
    """The tables of a sheet's rows (``(row number, cells)``, rows numbered from 1), and its
    free text lines."""
    tables: list[Table] = []
    free: list[str] = []
    pending: list[str] = []  # text lines waiting for the table they caption
    for block in _blocks(grid):
        wide = [r for _, r in block if filled(r) >= 2]
        if len(wide) < 2:
            lines = [_line(r) for _, r in block]
            if tables and not pending and all(_NOTE.match(x) for x in lines):
                last = tables[-1]
                tables[-1] = _with_caption(last, " ".join([last.caption, *lines]).strip())
            else:
                pending += lines
            continue
        lead = 0
        while lead < len(block) - 2 and _text_line(block[lead][1]):
            lead += 1
        trail = 0
        while (
            trail < len(block) - lead - 2
            and _text_line(block[-1 - trail][1])
            and _NOTE.match(_line(block[-1 - trail][1]))
        ):
            trail += 1
        body = block[lead : len(block) - trail]
        notes = [_line(r) for _, r in block[len(block) - trail :]]
        # a long text block before a table: its last two lines caption it, the rest is free text
        caption = " ".join([*pending[-2:], *(_line(r) for _, r in block[:lead]), *notes]).strip()
        free += pending[:-2]
        pending = []
        tables.append(_table(body, caption, sheet, first_index + len(tables)))
    free += pending
    return tables, free


def _with_caption(table: Table, caption: str) -> Table:
    from dataclasses import replace

    return replace(table, caption=caption)
