"""The digests sent or drafted (``/lettres``) and their HTML, sanitised for an iframe."""

from __future__ import annotations

import nh3
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from veille.archive import digests
from veille.web.pages.common import not_found, page_router, render

router = page_router()


@router.get("/lettres", response_class=HTMLResponse, summary="Lettres de veille (page)")
def digests_page(request: Request) -> Response:
    return render(request, "digests.html", {"digests": digests.list_digests(request.app.state.store)})


def _digest(request: Request, digest_id: str) -> digests.StoredDigest:
    if not digest_id.isdigit() or len(digest_id) > 12:
        raise not_found("Aucune lettre ne porte ce numéro.")
    digest = digests.get_digest(request.app.state.store, int(digest_id))
    if digest is None:
        raise not_found("Aucune lettre ne porte ce numéro.")
    return digest


@router.get("/lettres/{digest_id}", response_class=HTMLResponse, summary="Lettre de veille (page)")
def digest_page(request: Request, digest_id: str) -> Response:
    return render(request, "digest.html", {"d": _digest(request, digest_id)})


DIGEST_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox allow-popups; frame-ancestors 'self'"
_EMAIL_TAGS = set(nh3.ALLOWED_TAGS) | {
    "table",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
    "font",
    "center",
    "span",
    "div",
}
_LAYOUT = {"style", "align", "width", "bgcolor", "valign", "colspan", "cellpadding", "cellspacing", "border"}
_EMAIL_ATTRIBUTES = {
    tag: set(attrs) | {"style", "align", "width", "height", "bgcolor", "valign"}
    for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
_EMAIL_ATTRIBUTES["*"] = {"style", "class", "align", "width"}
for _tag in ("table", "td", "th", "tr", "tbody", "thead", "div", "span", "p", "a", "img", "font", "center"):
    _EMAIL_ATTRIBUTES.setdefault(_tag, set()).update(_LAYOUT)


def sanitised_email(html: str | None) -> HTMLResponse:
    """An email's HTML, cleaned (no script, no event handler, http(s)/mailto links only) and
    served under a CSP that forbids scripts, to be shown in a sandboxed same-origin iframe."""
    clean = nh3.clean(
        html or "",
        tags=_EMAIL_TAGS,
        attributes=_EMAIL_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return HTMLResponse(
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><base target="_blank"></head><body>{clean}</body></html>',
        headers={"content-security-policy": DIGEST_CSP, "x-frame-options": "SAMEORIGIN"},
    )


@router.get("/lettres/{digest_id}/html", summary="Lettre de veille, HTML nettoyé (pour l'iframe)")
def digest_html(request: Request, digest_id: str) -> Response:
    return sanitised_email(_digest(request, digest_id).html)
