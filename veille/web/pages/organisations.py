"""The organisations: the list (with a name filter) and one organisation's page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veille.archive import search as s
from veille.archive.store import fold
from veille.web.charts import weekly_bars
from veille.web.pages.common import not_found, page_router, path_segment, render
from veille.web.pages.figures import figure_view

router = page_router()


@router.get("/organisations", response_class=HTMLResponse, summary="Organisations (page)")
def organisations_page(request: Request, q: str = "") -> Response:
    q = q.strip()[:200]
    rows = s.org_stats(request.app.state.store)
    if q:
        key = fold(q)
        rows = [r for r in rows if key in fold(r.name) or any(key in fold(a) for a in r.aliases)]
    return render(request, "organisations.html", {"rows": rows[:500], "q": q})


@router.get("/organisations/{name:path}", response_class=HTMLResponse, summary="Organisation (page)")
def organisation_page(request: Request, name: str) -> Response:
    if not name.strip() or len(name) > 300:
        raise not_found("Organisation inconnue.")
    detail = s.organisation(request.app.state.store, name)
    if detail is None:
        raise not_found(f"Aucune organisation connue sous le nom « {name[:100]} ».")
    if detail.name != name:  # an alias or another spelling: one URL per organisation
        return RedirectResponse(f"/organisations/{path_segment(detail.name)}", status_code=301)
    weeks_total = sum(n for _, n in detail.weekly_mentions)
    return render(
        request,
        "organisation.html",
        {
            "org": detail,
            "aliases": [a for a in detail.aliases if a != detail.acronym],
            "chart": weekly_bars(detail.weekly_mentions, title=f"Mentions par semaine : {detail.name}"),
            "weeks_total": weeks_total,
            "figures": [figure_view(f) for f in detail.figures],
            "articles": detail.articles,
        },
    )
