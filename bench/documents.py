"""How fast documents are read: PDF pages of text and tables per second, on the fixture
documents scaled up (a PDF of the monthly indicators' and the report's pages repeated to 200
pages, a workbook of 20 sheets), against plain pdfplumber text extraction in the same run.

Measured, printed, never asserted; medians of ``--repeat`` runs (the machine is shared: read
the ratios rather than the absolute numbers). Usage::

    python bench/documents.py [--pages 200] [--repeat 3]

1. ``read_pdf`` in this process (text outside the tables, paragraphs, tables with captions);
2. baseline: pdfplumber's ``extract_text()`` on every page and nothing else;
3. ``read_isolated``: the same file read in a process of its own, as a crawl does (the process's
   start and the result's transfer included);
4. table cells to figures (``pipeline.tables``) over the tables read;
5. an XLSX workbook (openpyxl, read-only, cached values) and the same data as CSV: rows per second.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def big_pdf(pages: int) -> bytes:
    """The indicators' table page and the report's page (text and a two-level table), alternating."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    from tests.spiders.documents_fixtures import _grid

    s = getSampleStyleSheet()
    text = (
        "Le secteur de l'offshoring a poursuivi sa croissance. En 2023, le ministère a accompagné "
        "l'installation de 45 nouvelles entreprises dans les zones labellisées, et le programme de "
        "formation a bénéficié à 12 000 jeunes diplômés. "
    ) * 4
    story: list[Any] = []
    for n in range(pages):
        story.append(Paragraph(f"Page {n + 1}", s["Heading2"]))
        story.append(Paragraph(text, s["Normal"]))
        story.append(Spacer(1, 10))
        story.append(Paragraph("Tableau : Exportations de services (en millions de DH)", s["Heading3"]))
        story.append(
            _grid(
                [["Rubriques", "Janv.-Sept. 2024", "Janv.-Sept. 2025", "Variation en %"]]
                + [[f"Rubrique {i}", "86 345,2", "91 882,6", "6,4"] for i in range(12)]
                + [["Offshoring", "16 890,2", "18 234,5", "8,0"]]
            )
        )
        story.append(PageBreak())
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title="Bench").build(story[:-1])
    return buf.getvalue()


def big_workbook(sheets: int, rows: int) -> tuple[bytes, bytes]:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    lines = ["Zone;2024;2025"]
    for n in range(sheets):
        ws = wb.create_sheet(f"S{n}")
        ws.append(["Emplois créés par zone (en nombre)"])
        ws.append([])
        ws.append(["Zone", 2024, 2025])
        for i in range(rows):
            ws.append([f"Zone {i}", 1000.0 + i, 1100.0 + i])
            lines.append(f"Zone {i};{1000 + i};{1100 + i}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), ("\n".join(lines) + "\n").encode("utf-8")


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def plain_text(body: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(body)) as pdf:
        count = 0
        for page in pdf.pages:
            page.extract_text()
            page.close()
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from pipeline.tables import document_figures, readers
    from spiders.files import Limits
    from spiders.pdf import read_pdf
    from spiders.reader import read_isolated
    from spiders.sheets import read_csv, read_xlsx

    limits = Limits(max_pages=10_000, timeout=600)
    body = big_pdf(args.pages)
    print(f"PDF: {args.pages} pages, {len(body) / 1e6:.2f} MB; medians of {args.repeat} runs")
    t_read, content = timed(lambda: read_pdf(body, limits), args.repeat)
    t_plain, _ = timed(lambda: plain_text(body), args.repeat)
    t_isolated, _ = timed(lambda: read_isolated(body, "https://x/bench.pdf", None, limits), args.repeat)
    cells = sum(len(r) for t in content.tables for r in t.rows)
    print(f"  read_pdf (text + tables)    {t_read:7.2f} s  {args.pages / t_read:7.1f} pages/s  "
          f"{len(content.tables)} tables, {cells} cells")  # fmt: skip
    print(f"  pdfplumber text only        {t_plain:7.2f} s  {args.pages / t_plain:7.1f} pages/s  "
          f"(read_pdf costs {t_read / t_plain:.2f}x)")  # fmt: skip
    print(f"  read_isolated (own process) {t_isolated:7.2f} s  {args.pages / t_isolated:7.1f} pages/s  "
          f"(process and transfer: {t_isolated - t_read:+.2f} s)")  # fmt: skip
    r = readers()
    t_fig, figures = timed(lambda: document_figures(content.tables, r, title="Bench"), args.repeat)
    print(
        f"  table cells to figures      {t_fig:7.3f} s  {cells / t_fig:9.0f} cells/s  {len(figures)} figures"
    )
    sheets, rows = 20, 500
    xlsx, csv_body = big_workbook(sheets, rows)
    t_xlsx, book = timed(lambda: read_xlsx(xlsx, Limits()), args.repeat)
    t_csv, _ = timed(lambda: read_csv(csv_body, Limits()), args.repeat)
    total = sheets * rows
    print(f"XLSX: {sheets} sheets x {rows} rows, {len(xlsx) / 1e6:.2f} MB")
    print(
        f"  read_xlsx                   {t_xlsx:7.2f} s  {total / t_xlsx:9.0f} rows/s  {len(book.tables)} tables"
    )
    print(f"  read_csv (the same rows)    {t_csv:7.2f} s  {total / t_csv:9.0f} rows/s")


if __name__ == "__main__":
    main()
