"""The figures explorer (``/chiffres``) and its CSV/XLSX exports."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from veille.archive import search as s
from veille.archive.query import QueryError
from veille.core.formatting import STATUS_LABELS, indicator_label, status_label
from veille.core.models import STATUSES, UNITS
from veille.web import export
from veille.web.errors import BadRequest, french_query_error
from veille.web.pages.common import Pages, page_router, query_string, render, sentence_anchor
from veille.web.params import PER_PAGE_CHOICES, FigureParams, figure_params

router = page_router()


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
        "copies": f.copies,  # the same figure in the story's other articles (copies collapsed)
    }


def _figures(request: Request, p: FigureParams, everything: bool = False) -> s.FigureResult:
    return s.figures(request.app.state.store, p.query(everything=everything))


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
            "columns": export.TABLE_COLUMNS,
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


@router.get("/chiffres.csv", summary="Chiffres affichés (ou tous avec tout=1), en CSV")
def figures_csv(request: Request) -> Response:
    p = figure_params(request.query_params)
    labels = request.app.state.source_labels
    if request.query_params.get("tout") == "1":  # every matching figure, streamed
        rows = s.iter_figures(request.app.state.store, p.query())
        first = next(rows, None)  # a bad query fails here, as a 400, before the download starts
        everything = itertools.chain([first] if first else [], rows)
        return StreamingResponse(
            export.csv_chunks(everything, request.base_url, labels),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="veille-chiffres-tous.csv"'},
        )
    return Response(
        export.to_csv(_figures(request, p).rows, request.base_url, labels),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="veille-chiffres.csv"'},
    )


@router.get("/chiffres.xlsx", summary="Chiffres affichés, en XLSX")
def figures_xlsx(request: Request) -> Response:
    p = figure_params(request.query_params)
    rows = _figures(request, p).rows
    return Response(
        export.to_xlsx(rows, request.base_url, request.app.state.source_labels),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="veille-chiffres.xlsx"'},
    )


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
