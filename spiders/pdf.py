"""A PDF's running text page by page and its tables, with pdfplumber (:func:`read_pdf`).

On each page the tables are found from their ruling lines, then, in what lies outside them,
the tables drawn without any: columns of numbers aligned by spaces under a header row
(:mod:`spiders.columns`, whose guards keep running text out). The page's running text is what
lies outside the tables, its lines joined into paragraphs (a vertical gap starts a new one, a word cut
at a line's end is joined again), so the figure extractor reads sentences as an article's. A
table's caption is the text just above it (its title, its unit: "(en millions de DH)"), and a
"Source : ..." or "Note : ..." line just below it. A PDF that needs a password to open is
refused; one with an owner password only (printing or copying restricted) is read.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

from spiders.columns import Box, Rows, borderless_tables
from spiders.dates import find_french_date, plausible
from spiders.files import FileContent, Limits, UnreadableFile, meaningful_title
from spiders.grids import header_rows
from veille.core.models import Table

CAPTION_ABOVE = 60.0  # points above a table where its caption may start
NOTE_BELOW = 30.0  # points below a table where its source or note may be
_NOTE = re.compile(r"^\s*(?:sources?|notes?|\(\*|\*)\s*[:.]?", re.IGNORECASE)
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")
_NOISE_TITLE = re.compile(
    r"^(?:untitled|sans titre|microsoft (?:word|excel|powerpoint)\b|document\d*$)", re.I
)


def read_pdf(body: bytes, limits: Limits) -> FileContent:
    """The PDF's pages (running text) and tables, its title and date when it says them."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(body))
    except PdfminerException as exc:
        if _encrypted(exc):
            raise UnreadableFile("encrypted PDF refused (it needs a password to open)") from None
        raise UnreadableFile(f"broken PDF ({_detail(exc)})") from None
    with pdf:
        content = FileContent("pdf", page_count=len(pdf.pages))
        if content.page_count > limits.max_pages:
            content.notes.append(
                f"pages {limits.max_pages + 1}-{content.page_count} not read (max_pages {limits.max_pages})"
            )
        try:
            for number, page in enumerate(pdf.pages[: limits.max_pages], start=1):
                text, tables = _page(page, number, len(content.tables))
                content.pages.append(text)
                content.tables += tables
                page.close()  # frees the page's parsed objects: memory stays that of one page
        except PdfminerException as exc:
            raise UnreadableFile(f"broken PDF ({_detail(exc)})") from None
        _title_and_date(content, pdf.metadata or {})
    return content


def _encrypted(exc: BaseException) -> bool:
    """pdfminer's answer to a PDF it cannot decrypt without a password (or with an unknown method)."""
    inner = exc.args[0] if exc.args else exc
    return any(word in type(inner).__name__ for word in ("Password", "Encryption")) or (
        "password" in str(inner).lower()
    )


def _detail(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else exc
    name = type(inner).__name__ if isinstance(inner, BaseException) else type(exc).__name__
    text = " ".join(str(inner).split())[:120]
    return f"{name}: {text}" if text and text != name else name


def _outside(page: Any, boxes: list[Box]) -> Any:
    """The page without what lies inside these boxes."""

    def outside(obj: dict[str, Any]) -> bool:
        x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    return page.filter(outside) if boxes else page


def _page(page: Any, number: int, first_index: int) -> tuple[str, list[Table]]:
    """A page's running text (tables left out) and its tables with their captions, top to bottom."""
    grids: list[tuple[Box, Rows]] = [(t.bbox, _rows(t.extract())) for t in page.find_tables()]
    free = _outside(page, [box for box, _ in grids])
    if free.chars:
        grids += [
            (box, _rows([list(r) for r in rows])) for box, rows in borderless_tables(free.extract_words())
        ]
        free = _outside(page, [box for box, _ in grids])
    lines = free.extract_text_lines(return_chars=False) if free.chars else []
    tables: list[Table] = []
    for box, rows in sorted(grids, key=lambda g: (g[0][1], g[0][0])):
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        tables.append(
            Table(
                rows=rows,
                index=first_index + len(tables),
                page=number,
                caption=_caption(lines, box),
                header_rows=header_rows(rows),
                row_refs=tuple(range(1, len(rows) + 1)),
                col_refs=tuple(range(1, len(rows[0]) + 1)),
            )
        )
    return _paragraphs(lines), tables


def _rows(extracted: list[list[str | None]]) -> tuple[tuple[str | None, ...], ...]:
    """The table's cells, text on one line, empty ones None, empty rows and columns left out."""
    rows = [[" ".join(c.split()) if c and c.strip() else None for c in row] for row in extracted]
    rows = [r for r in rows if any(c is not None for c in r)]
    if not rows:
        return ()
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    keep = [j for j in range(width) if any(r[j] is not None for r in rows)]
    return tuple(tuple(r[j] for j in keep) for r in rows)


def _caption(lines: list[dict[str, Any]], box: tuple[float, float, float, float]) -> str:
    """The lines just above the table (its title, its unit) and a source or note line just below."""
    x0, top, x1, bottom = box
    above = [ln for ln in lines if top - CAPTION_ABOVE <= ln["bottom"] <= top + 1]
    # the block of lines closest above: stop at the first gap of more than a line and a half
    block: list[dict[str, Any]] = []
    for ln in sorted(above, key=lambda ln: -ln["bottom"]):
        limit = block[-1]["top"] if block else top
        if limit - ln["bottom"] > 1.5 * max(ln["bottom"] - ln["top"], 1.0) + 4:
            break
        block.append(ln)
    below = [ln for ln in lines if bottom - 1 <= ln["top"] <= bottom + NOTE_BELOW and _NOTE.match(ln["text"])]
    parts = [ln["text"].strip() for ln in reversed(block)] + [ln["text"].strip() for ln in below]
    return " ".join(p for p in parts if p)


def _paragraphs(lines: list[dict[str, Any]]) -> str:
    """Lines joined into paragraphs: a vertical gap or a change of type size starts a new one;
    a word cut with a hyphen at a line's end is joined again."""
    paragraphs: list[str] = []
    current = ""
    previous: dict[str, Any] | None = None
    for ln in lines:
        text = " ".join(ln["text"].split())
        if not text:
            continue
        height = max(ln["bottom"] - ln["top"], 1.0)
        if previous is not None:
            gap = ln["top"] - previous["bottom"]
            prev_height = max(previous["bottom"] - previous["top"], 1.0)
            if gap > 0.8 * height or abs(height - prev_height) > 0.25 * prev_height or gap < -height:
                paragraphs.append(current)
                current = ""
        if current.endswith("-") and len(current) > 1 and current[-2].isalpha() and text[:1].islower():
            current = current[:-1] + text
        else:
            current = f"{current} {text}" if current else text
        previous = ln
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def _title_and_date(content: FileContent, meta: dict[str, Any]) -> None:
    """Title: the metadata's, else the first page's first line; date: one written on the first
    page, else the metadata's creation date."""
    title = meaningful_title(str(meta.get("Title") or ""))
    if title and not _NOISE_TITLE.match(title):
        content.title, content.title_from = title, "metadata"
    elif content.pages and content.pages[0].strip():
        first = content.pages[0].strip().split("\n\n")[0]
        content.title, content.title_from = first[:300], "first_page"
    first_page = content.pages[0][:3000] if content.pages else ""
    found = find_french_date(first_page) if first_page else None
    if found is not None:
        content.published, content.date_from = found, "first_page"
        return
    for key in ("CreationDate", "ModDate"):
        when = pdf_date(meta.get(key))
        if when is not None:
            content.published, content.date_from = when, "metadata"
            return


def pdf_date(value: Any) -> datetime | None:
    """A PDF date ("D:20251028093000+01'00'") as a UTC datetime (its day in UTC is enough)."""
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    m = _PDF_DATE.match(str(value or ""))
    if m is None:
        return None
    year, month, day, hour, minute, second = (
        int(p) if p else d for p, d in zip(m.groups(), (0, 1, 1, 0, 0, 0), strict=True)
    )
    try:
        when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    return when if plausible(when) else None
