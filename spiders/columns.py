"""Tables drawn without ruling lines: columns of numbers aligned by spaces alone, as many reports
and bulletins print them (:func:`borderless_tables`). Pure: a page's words in (pdfplumber's
``extract_words()``: text, x0, x1, top, bottom), grids of cells out; :mod:`spiders.pdf` reads
them as it reads the ruled tables.

A line of words is cut into **segments** where two words are further apart than a word space can
be (:data:`GAP_SHARE` of the type size); a line of two segments or more is a row of a candidate
table, and consecutive such lines, close to one another, make a block. The block's columns are
where its segments overlap across lines (right-aligned numbers and left-aligned labels line up);
each segment falls in its column. Running text is never a table: a block is one only when it has
a header row above rows of values (numbers that are not years) in at least one column past the
first, most rows hold a value, and no cell is a sentence (:data:`MAX_CELL_WORDS` words at most).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spiders.grids import header_rows
from veille.core.numbers import is_value

GAP_SHARE = 0.9  # words further apart than this share of the type size are in different cells
LINE_GAP = 2.2  # lines further apart than this many line heights end a block
MIN_ROWS = 3  # a header row and two rows of values
MAX_CELL_WORDS = 8
VALUE_SHARE = 0.6  # a column of values: at least this share of the rows under the header

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
Rows = tuple[tuple[str | None, ...], ...]


def _lines(words: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The words in lines, top to bottom, each line left to right."""
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        height = max(w["bottom"] - w["top"], 1.0)
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 0.3 * height:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _segments(line: list[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """A line's runs of words close enough to be one cell: (x0, x1, text)."""
    out: list[list[Any]] = []
    for w in line:
        size = max(w["bottom"] - w["top"], 1.0)
        if out and w["x0"] - out[-1][1] <= GAP_SHARE * size:
            out[-1][1], out[-1][2] = w["x1"], f"{out[-1][2]} {w['text']}"
        else:
            out.append([w["x0"], w["x1"], w["text"]])
    return [(a, b, t) for a, b, t in out]


def _blocks(lines: list[list[dict[str, Any]]]) -> list[list[list[dict[str, Any]]]]:
    """Runs of consecutive lines cut into two segments or more, close to one another."""
    blocks: list[list[list[dict[str, Any]]]] = []
    current: list[list[dict[str, Any]]] = []
    for line in lines:
        height = max(line[0]["bottom"] - line[0]["top"], 1.0)
        near = bool(current) and line[0]["top"] - current[-1][0]["bottom"] <= LINE_GAP * height
        if len(_segments(line)) >= 2 and (near or not current):
            current.append(line)
            continue
        if len(current) >= MIN_ROWS:
            blocks.append(current)
        current = [line] if len(_segments(line)) >= 2 else []
    if len(current) >= MIN_ROWS:
        blocks.append(current)
    return blocks


def _columns(segments: list[list[tuple[float, float, str]]]) -> list[tuple[float, float]]:
    """The x-ranges where the rows' segments overlap, left to right."""
    spans = sorted((a, b) for row in segments for a, b, _ in row)
    columns: list[list[float]] = []
    for a, b in spans:
        if columns and a <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    return [(a, b) for a, b in columns]


def _grid(block: list[list[dict[str, Any]]]) -> Rows:
    segments = [_segments(line) for line in block]
    columns = _columns(segments)
    rows = []
    for row in segments:
        cells: list[str | None] = [None] * len(columns)
        for a, b, text in row:
            j = next(i for i, (c0, c1) in enumerate(columns) if c0 <= a and b <= c1)
            cells[j] = f"{cells[j]} {text}" if cells[j] else text
        rows.append(tuple(cells))
    return tuple(rows)


def is_table(rows: Rows) -> bool:
    """The guards that keep running text out (see the module's docstring)."""
    if len(rows) < MIN_ROWS or len(rows[0]) < 2:
        return False
    if any(c and len(c.split()) > MAX_CELL_WORDS for row in rows for c in row):
        return False
    head = header_rows(rows)
    body = rows[head:]
    if head < 1 or len(body) < MIN_ROWS - 1 or sum(1 for c in rows[head - 1][1:] if c) < 1:
        return False
    with_value = [any(is_value(c) for c in row[1:]) for row in body]
    if sum(with_value) < VALUE_SHARE * len(body):
        return False
    width = len(rows[0])
    return any(sum(1 for row in body if is_value(row[j])) >= VALUE_SHARE * len(body) for j in range(1, width))


def borderless_tables(words: Sequence[dict[str, Any]]) -> list[tuple[Box, Rows]]:
    """The tables without ruling lines among a page's words: (bounding box, rows of cells)."""
    out = []
    for block in _blocks(_lines(words)):
        rows = _grid(block)
        if not is_table(rows):
            continue
        box = (
            min(w["x0"] for line in block for w in line),
            min(w["top"] for w in block[0]),
            max(w["x1"] for line in block for w in line),
            max(w["bottom"] for w in block[-1]),
        )
        out.append((box, rows))
    return out
