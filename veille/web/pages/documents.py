"""The official documents: their list (``/documents``) and a document's page (``/documents/{id}``):
its file, its tables (each cell a figure was read from marked and linked from the figures
explorer), its figures with where each was read, and its running text."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from pipeline.tables import column_letters
from veille.archive import search as s
from veille.archive.documents import StoredDocument
from veille.core.formatting import format_number, indicator_label, status_label
from veille.core.models import Table
from veille.core.numbers import parse_cell
from veille.queries import MAX_SOURCE, last_page
from veille.web.errors import BadRequest
from veille.web.highlight import Span, highlight
from veille.web.pages.common import Pages, cell_anchor, not_found, page_router, render, safe_url

router = page_router()
PER_PAGE = 50
FILE_TYPES = {"pdf": "PDF", "xlsx": "Excel (XLSX)", "xls": "Excel (XLS)", "csv": "CSV"}
TITLE_FROM = {
    "listing": "le lien de la page de publications", "metadata": "les propriétés du fichier",
    "first_page": "la première page du fichier", "file_name": "le nom du fichier",
}  # fmt: skip
DATE_FROM = {"listing": "la page de publications", "metadata": "les propriétés du fichier",
             "first_page": "la première page du fichier"}  # fmt: skip


def file_size(size: int) -> str:
    """ "35 Ko", "1,2 Mo"."""
    if size < 1000:
        return f"{size} octets"
    if size < 1_000_000:
        return f"{format_number(size / 1000)} Ko"
    return f"{format_number(size / 1_000_000, 1)} Mo"


def table_view(table: Table, read: dict[tuple[int, str], list[s.FigureRow]]) -> dict[str, Any]:
    """A table as the page shows it: header rows, body rows, each cell with its reference and the
    figures read from it."""
    rows = []
    refs = table.row_refs or tuple(range(1, len(table.rows) + 1))
    cols = table.col_refs or tuple(range(1, (len(table.rows[0]) if table.rows else 0) + 1))
    for i, row in enumerate(table.rows):
        cells = []
        for j, value in enumerate(row):
            ref = f"{column_letters(cols[j])}{refs[i]}" if j < len(cols) and i < len(refs) else ""
            figures = read.get((table.index, ref), [])
            cells.append({
                "text": _cell_text(value), "ref": ref, "anchor": cell_anchor(table.index, ref),
                "figures": [f"{f.formatted} — {indicator_label(f.indicator)} ({f.period})" for f in figures],
                "numeric": parse_cell(value) is not None,
            })  # fmt: skip
        rows.append(cells)
    where = f"page {table.page}" if table.page else (f"feuille « {table.sheet} »" if table.sheet else "")
    return {
        "index": table.index, "number": table.index + 1, "caption": table.caption, "where": where,
        "header": rows[: table.header_rows], "body": rows[table.header_rows :],
    }  # fmt: skip


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and 1900 <= value <= 2100 else format_number(value, 6)
    return str(value)


def _figure_view(f: s.FigureRow) -> dict[str, Any]:
    if f.cell is not None and f.table_index is not None:
        where, href = (
            f"tableau {f.table_index + 1}, cellule {f.cell}",
            f"#{cell_anchor(f.table_index, f.cell)}",
        )
    else:
        where, href = "texte", f"#chiffre-{f.id}"
    return {
        "display": f.formatted,
        "written": f.text if f.cell is not None else "", "unit": f.unit, "indicator_label": indicator_label(f.indicator),
        "status": f.status, "status_label": status_label(f.status), "period": f.period, "metric": f.metric,
        "where": where, "href": href, "sentence": f.sentence,
    }  # fmt: skip


def _text_body(detail: s.ArticleDetail) -> Any:
    spans = [
        Span(f.start, f.end, "mark", (("class", "chiffre"), ("title", f.formatted)), 2, f"chiffre-{f.id}")
        for f in detail.figures
        if f.cell is None and f.end > f.start
    ]
    return highlight(detail.text, spans)


def _view(doc: StoredDocument, tz: tzinfo) -> dict[str, Any]:
    """A document as the pages show it; its dates in the archive's readers' zone (a listing's
    "28/10/2025" is midnight in Casablanca, the evening before in UTC)."""
    return {
        "id": doc.id, "title": doc.title, "source": doc.source,
        "published": doc.published.astimezone(tz) if doc.published else None,
        "fetched_at": doc.fetched_at.astimezone(tz) if doc.fetched_at else None, "file_type": FILE_TYPES.get(doc.file_type, doc.file_type),
        "size": file_size(doc.size), "pages": doc.pages, "official": doc.official,
        "pages_label": ("page" if doc.file_type == "pdf" else "feuille") + ("s" if doc.pages > 1 else ""),
        "title_from": TITLE_FROM.get(doc.title_from or "", ""), "date_from": DATE_FROM.get(doc.date_from or "", ""),
        "file_url": safe_url(doc.url), "listing_url": safe_url(doc.listing_url),
    }  # fmt: skip


def _page_number(value: str | None) -> int:
    last = last_page(PER_PAGE)
    if value is None or not value.strip():
        return 1
    if not value.strip().isdigit() or not 1 <= int(value) <= last:
        raise BadRequest(f"« page » doit être un nombre entier de 1 à {last}.")
    return int(value)


@router.get("/documents", response_class=HTMLResponse, summary="Documents officiels (page)")
def documents_page(request: Request) -> Response:
    store = request.app.state.store
    source = (request.query_params.get("source") or "").strip() or None
    if source is not None and len(source) > MAX_SOURCE:
        raise BadRequest(f"« source » est trop long ({len(source)} caractères, {MAX_SOURCE} au plus).")
    page = _page_number(request.query_params.get("page"))
    found = store.documents(source=source, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    more = len(found) > PER_PAGE
    pairs = (("source", source),) if source else ()
    total = (page - 1) * PER_PAGE + len(found)
    return render(
        request,
        "documents.html",
        {
            "documents": [_view(d, store.timezone) for d in found[:PER_PAGE]],
            "source": source,
            "pages": Pages("/documents", pairs, total, page, PER_PAGE, exact=not more),
        },  # fmt: skip
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse, summary="Document (page)")
def document_page(request: Request, document_id: str) -> Response:
    if not document_id.isdigit() or len(document_id) > 12:
        raise not_found("Aucun document ne porte ce numéro.")
    store = request.app.state.store
    doc = store.document(int(document_id))
    detail = s.article_detail(store, int(document_id)) if doc is not None else None
    if doc is None or detail is None:
        raise not_found("Aucun document ne porte ce numéro.")
    read: dict[tuple[int, str], list[s.FigureRow]] = {}
    for f in detail.figures:
        if f.cell is not None and f.table_index is not None:
            read.setdefault((f.table_index, f.cell), []).append(f)
    table_figures = [f for f in detail.figures if f.cell is not None]
    text_figures = [f for f in detail.figures if f.cell is None]
    return render(
        request,
        "document.html",
        {
            "d": _view(doc, store.timezone),
            "tables": [table_view(t, read) for t in doc.tables],
            "figures": [_figure_view(f) for f in [*table_figures, *text_figures]],
            "body": _text_body(detail) if detail.text.strip() else None,
            "orgs": sorted(detail.organisations, key=lambda o: (-o.count, o.name)),
        },  # fmt: skip
    )
