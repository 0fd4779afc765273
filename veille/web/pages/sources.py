"""The sources: health of each one (from sources.toml and the run ledger) and its latest articles."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from veille.archive import search as s
from veille.web import data
from veille.web.pages.common import not_found, page_router, render

router = page_router()


@router.get("/sources", response_class=HTMLResponse, summary="Sources (page)")
def sources_page(request: Request) -> Response:
    sources, problem = data.source_health(request.app.state.settings, request.app.state.store)
    return render(request, "sources.html", {"sources": sources, "config_error": problem})


@router.get("/sources/{name}", response_class=HTMLResponse, summary="Source (page)")
def source_page(request: Request, name: str) -> Response:
    sources, _ = data.source_health(request.app.state.settings, request.app.state.store)
    found = next((x for x in sources if x.name == name), None)
    if found is None:
        raise not_found(f"Aucune source « {name[:100]} » dans la configuration ni dans l'archive.")
    latest = s.search(
        request.app.state.store,
        s.SearchQuery(sources=(name,), order="date", limit=15, one_per_cluster=False),
        with_facets=False,
    ).hits
    return render(request, "source.html", {"s": found, "runs": found.runs[:20], "latest": latest})
