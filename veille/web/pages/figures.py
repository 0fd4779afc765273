"""The figures explorer (``/chiffres``) and its CSV, XLSX and JSON exports (:mod:`veille.exports`)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from veille.archive import search as s
from veille.archive.query import QueryError
from veille.core.formatting import STATUS_LABELS, indicator_label, status_label
from veille.core.models import STATUSES, UNITS
from veille.exports import TABLE_COLUMNS, FigureExport
from veille.web.errors import BadRequest, french_query_error
from veille.web.pages.common import Pages, cell_anchor, page_router, query_string, render, sentence_anchor
from veille.web.params import PER_PAGE_CHOICES, FigureParams, figure_params

router = page_router()
CSV = "text/csv; charset=utf-8"
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figure_view(f: s.FigureRow) -> dict[str, Any]:
    return {
        "article_id": f.article_id,
        "published": f.published,
        "source": f.source,
        "title": f.title,
        "display": f.formatted,
        "unit": f.unit,
        "metric": f.metric,
        "indicator": f.indicator,
        "indicator_label": indicator_label(f.indicator),
        "status": f.status,
        "status_label": status_label(f.status),
        "per": f.per,
        "period": f.period,
        "organisations": f.organisations,
        "sentence": f.sentence,
        "fragment": f"#{sentence_anchor(f.sentence_start)}" if f.sentence else "",
        # a figure of a document's table: its cell on the document's page
        "href": f"/documents/{f.article_id}#{cell_anchor(f.table_index, f.cell)}"
        if f.cell is not None and f.table_index is not None
        else f"/articles/{f.article_id}" + (f"#{sentence_anchor(f.sentence_start)}" if f.sentence else ""),
        "copies": f.copies,  # the same figure in the story's other articles (copies collapsed)
    }


def _figures(request: Request, p: FigureParams) -> s.FigureResult:
    return s.figures(request.app.state.store, p.query())


@router.get("/chiffres", response_class=HTMLResponse, summary="Explorateur de chiffres (page)")
def figures_page(request: Request) -> Response:
    error, status = None, 200
    try:
        p = figure_params(request.query_params)
    except BadRequest as exc:
        p, error, status = FigureParams(), str(exc), 400
    result = s.FigureResult([], 0)
    if error is None:
        try:
            result = _figures(request, p)
        except QueryError as exc:
            error, status = french_query_error(exc), 400
    export_pairs = [*p.raw, *([("page", str(p.page))] if p.page > 1 else [])]
    return render(
        request,
        "figures.html",
        {
            "p": p,
            "rows": [figure_view(f) for f in result.rows],
            "total": result.total,
            "total_exact": result.total_exact,
            "source_choices": _source_choices(
                request.app.state.source_names, request.app.state.source_labels, p.source
            ),
            "count_all": "/chiffres?" + query_string([*p.raw, ("total", "exact")]),
            "columns": TABLE_COLUMNS,
            "units": UNITS,
            "indicator_choices": indicator_choices(),
            "status_choices": [(k, STATUS_LABELS[k]) for k in STATUSES],
            "per_page_choices": PER_PAGE_CHOICES
            if p.per_page in PER_PAGE_CHOICES
            else sorted({*PER_PAGE_CHOICES, p.per_page}),
            "pages": Pages("/chiffres", p.raw, result.total, p.page, p.per_page, result.total_exact),
            "export_qs": query_string(export_pairs),
            "export_all_qs": query_string([*p.raw, ("tout", "1")]),
            "error": error,
        },
        status,
    )


def _export(request: Request) -> FigureExport:
    return FigureExport(str(request.base_url), request.app.state.source_labels)


def _every(request: Request, p: FigureParams) -> Iterator[s.FigureRow]:
    """Every matching figure, read a batch at a time; a bad query fails here, as a 400, before
    the download starts."""
    rows = s.iter_figures(request.app.state.store, p.query())
    first = next(rows, None)
    return itertools.chain([first] if first else [], rows)


def _download(body: Iterator[str] | str | bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if isinstance(body, Iterator):
        return StreamingResponse(body, media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/chiffres.csv", summary="Chiffres affichés (ou tous avec tout=1), en CSV")
def figures_csv(request: Request) -> Response:
    p = figure_params(request.query_params)
    if request.query_params.get("tout") == "1":  # every matching figure, streamed
        return _download(_export(request).csv_chunks(_every(request, p)), CSV, "veille-chiffres-tous.csv")
    return _download(
        "".join(_export(request).csv_chunks(_figures(request, p).rows)), CSV, "veille-chiffres.csv"
    )


@router.get("/chiffres.json", summary="Chiffres affichés (ou tous avec tout=1), en JSON (colonnes du CSV)")
def figures_json(request: Request) -> Response:
    p = figure_params(request.query_params)
    if request.query_params.get("tout") == "1":
        return _download(_export(request).json_chunks(_every(request, p)), JSON, "veille-chiffres-tous.json")
    result = _figures(request, p)
    body = "".join(_export(request).json_chunks(result.rows, result.total, result.total_exact))
    return _download(body, JSON, "veille-chiffres.json")


@router.get("/chiffres.xlsx", summary="Chiffres affichés, en XLSX")
def figures_xlsx(request: Request) -> Response:
    p = figure_params(request.query_params)
    book = io.BytesIO()
    _export(request).write_xlsx(_figures(request, p).rows, book)
    return _download(book.getvalue(), XLSX, "veille-chiffres.xlsx")


def indicator_choices() -> list[tuple[str, str]]:
    """(key, French label) of the taxonomy's indicators, by label, "Autre" last."""
    from veille.core.taxonomy import FALLBACK, load_taxonomy

    items = load_taxonomy().indicators.items()
    return sorted(((k, v.label) for k, v in items), key=lambda kv: (kv[0] == FALLBACK, kv[1].casefold()))


def _source_choices(names: list[str], labels: dict[str, str], current: str | None) -> list[tuple[str, str]]:
    """(name, label) of the configured sources by label, and the one asked for if it is not one."""
    choices = {n: labels.get(n, n) for n in names}
    if current and current not in choices:
        choices[current] = current
    return sorted(choices.items(), key=lambda kv: kv[1].casefold())


@router.get("/figures", include_in_schema=False)
def figures_alias(request: Request) -> Response:
    """``/figures`` (the API's word, ``/api/figures``) is the figures page, ``/chiffres``."""
    from fastapi.responses import RedirectResponse

    query = request.url.query
    return RedirectResponse("/chiffres" + (f"?{query}" if query else ""), status_code=301)
