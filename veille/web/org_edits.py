"""Organisations merged and split by an analyst (``/regroupements?org=NAME``): merge it into
another, or choose which of its mentions are another organisation's (existing or new). A thin
layer over :mod:`veille.archive.org_edits`; every route needs the role ``analyste`` and a CSRF
token. The organisation page and the article page link here for analysts.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from veille.archive import org_edits as edits
from veille.archive.search import org_stats, organisation
from veille.core.corrections import CorrectionError
from veille.web.auth import Analyst, check_csrf
from veille.web.pages.common import path_segment

router = APIRouter(prefix="/regroupements")
KINDS = ("company", "agency", "ministry", "federation", "association", "zone_operator", "bank", "school",
         "public_body", "international", "media")  # fmt: skip


def _page(request: Request, name: str, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    store = request.app.state.store
    detail = organisation(store, name, articles=0, figures=0)
    if detail is None:
        raise HTTPException(404, f"Aucune organisation connue sous le nom « {name[:100]} ».")
    context = {
        "org": detail,
        "mentions": edits.mentions_of(store, detail.name),
        "others": [s.name for s in org_stats(store) if s.name != detail.name][:2000],
        "kinds": KINDS,
        "error": error,
        "notice": {"scission": "Mentions déplacées."}.get(request.query_params.get("ok", "")),
    }
    return request.app.state.renderer.page(request, "org_edits.html", context, status)


@router.get("", response_class=HTMLResponse, summary="Fusionner ou scinder une organisation")
def org_edits_page(request: Request, _: Analyst, org: str = "") -> Response:
    if not org.strip() or len(org) > 300:
        raise HTTPException(404, "Organisation inconnue.")
    return _page(request, org.strip())


@router.post("/fusion", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def merge(
    request: Request, session: Analyst, source: Annotated[str, Form(max_length=300)] = "",
    target: Annotated[str, Form(max_length=300)] = "",
) -> Response:  # fmt: skip
    assert session.account is not None
    try:
        _, kept = edits.merge(request.app.state.store, source, target, session.account)
    except CorrectionError as exc:
        return _page(request, source, error=str(exc), status=400)
    return RedirectResponse(f"/organisations/{path_segment(kept)}?ok=fusion", status_code=303)


@router.post("/scission", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def split(
    request: Request, session: Analyst, source: Annotated[str, Form(max_length=300)] = "",
    target: Annotated[str, Form(max_length=300)] = "", kind: Annotated[str, Form(max_length=40)] = "",
    mention: Annotated[list[str] | None, Form()] = None,
) -> Response:  # fmt: skip
    """``mention``: the chosen mentions, each "article:start:end"."""
    assert session.account is not None
    chosen = []
    for value in (mention or [])[:5000]:
        parts = value.split(":")
        if len(parts) == 3 and all(p.isdigit() and len(p) < 12 for p in parts):
            chosen.append((int(parts[0]), int(parts[1]), int(parts[2])))
    try:
        kept, _, _ = edits.split(request.app.state.store, source, target, chosen, session.account,
                                 kind=kind if kind in KINDS else None)  # fmt: skip
    except CorrectionError as exc:
        return _page(request, source, error=str(exc), status=400)
    return RedirectResponse("/regroupements?" + urlencode({"org": kept, "ok": "scission"}), status_code=303)
