"""The overview of the JSON API (``/api``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from veille.web.pages.common import page_router, render

router = page_router()


@router.get("/api", response_class=HTMLResponse, summary="Présentation de l'API")
def api_page(request: Request) -> Response:
    # From the OpenAPI schema (built once, then cached by FastAPI): included routers are
    # not flattened into ``app.routes`` any more, so walking them would miss the API.
    paths = request.app.openapi().get("paths", {})
    endpoints = [
        (path, next((op.get("summary", "") for op in ops.values() if isinstance(op, dict)), ""))
        for path, ops in paths.items()
        if path.startswith("/api/")
    ]
    return render(request, "api.html", {"endpoints": endpoints})
