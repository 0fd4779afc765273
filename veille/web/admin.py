"""Administration, for the accounts whose role is ``admin``: sources (run a crawl now) and
digest subscribers (the accounts are :mod:`veille.web.users`, the digest review
:mod:`veille.web.review`, logging in :mod:`veille.web.login`).

Every POST carries the session's CSRF token in a hidden ``csrf`` field.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from veille.archive import deliveries
from veille.archive import subscribers as subs
from veille.web import data
from veille.web.auth import Session, check_csrf, require_role

router = APIRouter(prefix="/admin")

NOTICES = {
    "lancee": "Collecte lancée pour « {source} » : son journal apparaît ci-dessous.",
    "deja": "Une collecte de « {source} » est déjà en cours.",
    "ajoute": "Abonné ajouté : {email}.",
    "modifie": "Abonné mis à jour : {email}.",
    "desabonne": "Abonné désabonné : {email}.",
    "supprime": "Abonné supprimé : {email}.",
}

Admin = Annotated[Session, Depends(require_role("admin"))]
__all__ = ["Admin", "check_csrf", "router"]


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return request.app.state.renderer.page(request, name, context, status)


def _notice(request: Request) -> str | None:
    key = request.query_params.get("ok", "")
    template = NOTICES.get(key)
    if not template:
        return None
    return template.format(
        source=request.query_params.get("source", "")[:100], email=request.query_params.get("email", "")[:320]
    )


# -- the login page's former address -----------------------------------------------------


@router.get("/connexion", include_in_schema=False)
def former_login(request: Request) -> Response:
    """Logging in moved to ``/connexion`` (every role logs in there): old bookmarks follow."""
    query = request.url.query
    return RedirectResponse("/connexion" + (f"?{query}" if query else ""), status_code=303)


# -- dashboard and sources ------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, _: Admin) -> Response:
    state = request.app.state
    sources, problem = data.source_health(state.settings, state.store)
    configured = [x for x in sources if x.configured]
    for x in configured:
        x.running = state.crawls.running(x.name) is not None
    return _page(
        request,
        "admin/index.html",
        {
            "sources": configured,
            "config_error": problem,
            "crawls": state.crawls.recent(),
            "counts": subs.subscriber_counts(state.store),
            "unconfirmed": deliveries.unconfirmed(state.store),
            "notice": _notice(request),
            "error": None,
        },
    )


@router.post("/sources/{name}/lancer", dependencies=[Depends(check_csrf)])
def run_source(request: Request, name: str, _: Admin) -> Response:
    from urllib.parse import urlencode

    state = request.app.state
    sources, _problem = data.configured_sources(state.settings)
    if name not in {x.name for x in sources}:
        raise HTTPException(404, f"Aucune source « {name[:100]} » dans sources.toml.")
    _crawl, started = state.crawls.start(name)
    return RedirectResponse(
        "/admin?" + urlencode({"ok": "lancee" if started else "deja", "source": name}), status_code=303
    )


# -- subscribers ------------------------------------------------------------------------------


def _subscribers_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    return _page(
        request,
        "admin/subscribers.html",
        {
            "subscribers": subs.list_subscribers(request.app.state.store),
            "notice": _notice(request),
            "error": error,
        },
        status,
    )


@router.get("/abonnes", response_class=HTMLResponse)
def subscribers_page(request: Request, _: Admin) -> Response:
    return _subscribers_page(request)


@router.post("/abonnes", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def add_subscriber(
    request: Request,
    _: Admin,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    themes: Annotated[str, Form(max_length=500)] = "",
    orgs: Annotated[str, Form(max_length=500)] = "",
    resubscribe: Annotated[str, Form()] = "",
) -> Response:
    from urllib.parse import urlencode

    try:
        sub, created = subs.add_subscriber(
            request.app.state.store,
            email,
            name=name or None,
            themes=themes or None,
            orgs=orgs or None,
            resubscribe=resubscribe in ("1", "on"),
        )
    except subs.InvalidEmail:
        return _subscribers_page(
            request, error=f"« {email[:320]} » n'est pas une adresse électronique valide.", status=400
        )
    except subs.SubscriberError as exc:
        if "unsubscribed" in str(exc):
            message = f"{email[:320]} s'est désabonné : cochez « réabonner » seulement avec son accord."
        else:
            message = f"Impossible d'ajouter cet abonné : {exc}"
        return _subscribers_page(request, error=message, status=400)
    return RedirectResponse(
        "/admin/abonnes?" + urlencode({"ok": "ajoute" if created else "modifie", "email": sub.email}),
        status_code=303,
    )


def _subscriber_action(request: Request, subscriber_id: str, purge: bool) -> Response:
    from urllib.parse import urlencode

    if not subscriber_id.isdigit() or len(subscriber_id) > 12:
        raise HTTPException(404, "Aucun abonné ne porte ce numéro.")
    try:
        sub = subs.remove_subscriber(request.app.state.store, int(subscriber_id), purge=purge)
    except subs.SubscriberNotFound:
        raise HTTPException(404, "Aucun abonné ne porte ce numéro.") from None
    return RedirectResponse(
        "/admin/abonnes?" + urlencode({"ok": "supprime" if purge else "desabonne", "email": sub.email}),
        status_code=303,
    )


@router.post("/abonnes/{subscriber_id}/desabonner", dependencies=[Depends(check_csrf)])
def unsubscribe(request: Request, subscriber_id: str, _: Admin) -> Response:
    return _subscriber_action(request, subscriber_id, purge=False)


@router.post("/abonnes/{subscriber_id}/supprimer", dependencies=[Depends(check_csrf)])
def purge(request: Request, subscriber_id: str, _: Admin) -> Response:
    return _subscriber_action(request, subscriber_id, purge=True)
