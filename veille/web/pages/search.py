"""The search page (``/``): hits, facets, filter chips, page links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from veille.archive import search as s
from veille.archive.query import QueryError
from veille.core.formatting import UNIT_LABELS, indicator_label, status_label
from veille.web.errors import BadRequest, french_query_error
from veille.web.pages.common import Pages, page_router, query_string, render
from veille.web.params import SearchParams, search_params

router = page_router()

FACETS = (
    ("sources", "source", "Sources"),
    ("organisations", "org", "Organisations"),
    ("themes", "theme", "Thèmes"),
    ("units", "unit", "Unités des chiffres"),
    ("periods", "period", "Périodes des chiffres"),
)
CHIP_LABELS = {
    "source": "source",
    "org": "organisation",
    "person": "personne",
    "theme": "thème",
    "unit": "unité",
    "indicateur": "indicateur",
    "mesure": "mesure",
    "metric": "mesure",
    "statut": "statut",
    "period": "période",
    "min_value": "valeur min.",
    "max_value": "valeur max.",
    "since": "depuis",
    "until": "jusqu'au",
    "min_relevance": "pertinence min.",
    "type": "type",
}
KIND_LABELS = {"article": "articles", "document": "documents"}
HIDDEN_KEYS = (
    "source",
    "org",
    "person",
    "theme",
    "unit",
    "indicateur",
    "mesure",
    "metric",
    "statut",
    "period",
    "min_value",
    "max_value",
    "min_relevance",
)


def _without(pairs: tuple[tuple[str, str], ...], key: str, value: str | None = None) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if not (k == key and (value is None or v == value))]


def _shown(param: str, value: str, source_labels: Mapping[str, str]) -> str:
    """A filter value as readers see it; links keep the value itself (a source's name)."""
    if param == "unit":
        return UNIT_LABELS.get(value, value)
    if param == "source":
        return source_labels.get(value, value)
    if param == "indicateur":
        return indicator_label(value)
    if param == "statut":
        return status_label(value)
    if param == "type":
        return KIND_LABELS.get(value, value)
    return value


def _facet_view(
    p: SearchParams, facets: dict[str, list[tuple[str, int]]], source_labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    out = []
    for key, param, label in FACETS:
        entries = facets.get(key) or []
        if not entries:
            continue
        items = []
        for value, count in entries:
            if param == "source":
                active = value in p.sources
                pairs = _without(p.raw, "source", value) if active else [*p.raw, ("source", value)]
            else:
                active = getattr(p, param) == value
                pairs = _without(p.raw, param) + ([] if active else [(param, value)])
            items.append(
                {
                    "label": _shown(param, value, source_labels),
                    "count": count,
                    "active": active,
                    "href": "/?" + query_string(pairs) if pairs else "/",
                }
            )
        out.append({"label": label, "items": items})
    return out


def _chips(p: SearchParams, source_labels: Mapping[str, str]) -> list[tuple[str, str, str]]:
    chips = []
    for k, v in p.raw:
        if k in CHIP_LABELS:
            rest = _without(p.raw, k, v)
            chips.append(
                (CHIP_LABELS[k], _shown(k, v, source_labels), "/?" + query_string(rest) if rest else "/")
            )
    return chips


@router.get("/", response_class=HTMLResponse, summary="Recherche (page)")
def search_page(request: Request) -> Response:
    store = request.app.state.store
    labels = request.app.state.source_labels
    error = None
    status = 200
    try:
        p = search_params(request.query_params, request.app.state.web.per_page)
    except BadRequest as exc:
        p, error, status = SearchParams(), str(exc), 400
    result = s.SearchResult([], 0, {})
    if error is None:
        try:
            result = s.search(store, p.query())
        except QueryError as exc:
            error, status = french_query_error(exc), 400
    pages = Pages("/", p.raw, result.total, p.page, p.per_page, result.total_exact)
    return render(
        request,
        "search.html",
        {
            "p": p,
            "hits": result.hits,
            "total": result.total,
            "total_exact": result.total_exact,
            "count_all": "/?" + query_string([*p.raw, ("total", "exact")]),
            "facets_sample": result.facets_sample,
            "facets": _facet_view(p, result.facets, labels),
            "chips": _chips(p, labels),
            "hidden": [(k, v) for k, v in p.raw if k in HIDDEN_KEYS],
            "pages": pages,
            "first_rank": (p.page - 1) * p.per_page + 1,
            "error": error,
            "order_choice": request.query_params.get("order", "") if status == 200 else "",
        },
        status,
    )


@router.get("/search", include_in_schema=False)
def search_alias(request: Request) -> Response:
    """``/search`` (what an English-speaking visitor types) is the search page, ``/``."""
    from fastapi.responses import RedirectResponse

    query = request.url.query
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=301)
