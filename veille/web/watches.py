"""Watches on the web ("Mes veilles", ``/veilles``): save the current search or figures query as
a watch, follow an organisation, list and delete one's watches, see what a watch matched; and
the alerts' unsubscribe links (GET shows a button, POST unsubscribes: RFC 8058's one-click POST
needs no cookie, the signed token is the credential, as for the digest's
:mod:`veille.web.unsubscribe`). A thin layer over :mod:`veille.watching` and
:mod:`veille.archive.watches` (and :mod:`veille.archive.alerts` for the links); saving and deleting need an account and a CSRF token."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from veille.archive import alerts
from veille.archive import watches as w
from veille.archive.subscribers import InvalidToken, SecretKeyMissing, parse_list
from veille.queries import ParameterError
from veille.watching import feed_url, save_watch
from veille.web.auth import LoginRequired, Session, check_csrf, session_of
from veille.web.pages.common import reader, render
from veille.web.params import FIGURE_NAMES, NAMES, figure_values, search_values
from veille.web.unsubscribe import _invalid, _key, _page, _unavailable

router = APIRouter(prefix="/veilles")
EVERY_LABELS = {"immediate": "à chaque collecte", "daily": "chaque jour", "weekly": "chaque semaine"}


def member(request: Request) -> Session:
    """A visitor logged in with an account (any role): watches belong to an account."""
    session = session_of(request)
    if session.account is None:
        raise LoginRequired()
    return session


Member = Annotated[Session, Depends(member)]


def _list(request: Request, session: Session, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    assert session.account is not None
    settings, store = request.app.state.settings, request.app.state.store
    mine = w.list_watches(store, owner_id=session.account.id)
    rows = [(x, feed_url(settings, x)) for x in mine]
    notice = {"ok": "Veille enregistrée.", "supprimee": "Veille supprimée."}.get(
        request.query_params.get("ok", "")
    )
    context = {"watches": rows, "every_labels": EVERY_LABELS, "error": error, "notice": notice}
    return render(request, "watches.html", context, status)


@router.get("", response_class=HTMLResponse, summary="Mes veilles")
def watches_page(request: Request, session: Member) -> Response:
    return _list(request, session)


@router.post("", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def save(
    request: Request, session: Member, name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=10)] = "search", query: Annotated[str, Form(max_length=4000)] = "",
    every: Annotated[str, Form(max_length=10)] = "daily", to: Annotated[str, Form(max_length=2000)] = "",
    webhook: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    """Save the query of a search page (``kind`` search) or of the figures explorer (figures),
    given as its query string."""
    assert session.account is not None
    params = QueryParams(query)
    values = figure_values(params) if kind == "figures" else search_values(params)
    try:
        save_watch(request.app.state.settings, request.app.state.store, owner=session.account.id, name=name,
                   kind="figures" if kind == "figures" else "search", values=values, every=every,
                   recipients=parse_list(to), webhook_url=webhook.strip() or None)  # fmt: skip
    except ParameterError as exc:
        return _list(
            request, session, error=exc.french(FIGURE_NAMES if kind == "figures" else NAMES), status=400
        )
    except w.WatchError as exc:
        return _list(request, session, error=str(exc), status=400)
    except ValueError as exc:  # an address the recipients' check refuses
        return _list(request, session, error=str(exc), status=400)
    return RedirectResponse("/veilles?ok=ok", status_code=303)


@router.post("/suivre", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def follow_org(request: Request, session: Member, org: Annotated[str, Form(max_length=300)] = "") -> Response:
    """ "Suivre" on an organisation's page: a daily watch of the articles naming it."""
    assert session.account is not None
    name = org.strip()
    if not name:
        raise HTTPException(400, "Organisation manquante.")
    try:
        save_watch(request.app.state.settings, request.app.state.store, owner=session.account.id, name=name,
                   kind="search", values={"org": name}, every="daily")  # fmt: skip
    except w.WatchError as exc:
        return _list(request, session, error=str(exc), status=400)
    return RedirectResponse("/veilles?ok=ok", status_code=303)


@router.post("/{watch_id:int}/supprimer", dependencies=[Depends(check_csrf)])
def delete(request: Request, session: Member, watch_id: int) -> Response:
    assert session.account is not None
    store = request.app.state.store
    try:
        watch = w.get_watch(store, watch_id)
    except w.WatchNotFound:
        raise HTTPException(404, "Veille inconnue.") from None
    if watch.owner_id != session.account.id and not session.admin:
        raise HTTPException(403, "Cette veille appartient à un autre compte.")
    w.remove_watch(store, watch_id)
    return RedirectResponse("/veilles?ok=supprimee", status_code=303)


@router.get("/{watch_id:int}", response_class=HTMLResponse, dependencies=[Depends(reader)])
def watch_page(request: Request, watch_id: int) -> Response:
    """What a watch matched, the latest first (the alerts' "… et N autres" link)."""
    store = request.app.state.store
    try:
        watch = w.get_watch(store, watch_id)
    except w.WatchNotFound:
        raise HTTPException(404, "Veille inconnue.") from None
    context = {"watch": watch, "matches": w.recent_matches(store, watch_id), "every_labels": EVERY_LABELS}
    return render(request, "watch.html", context)


# -- the alerts' unsubscribe links -----------------------------------------------------------
def _stop_form(action: str, title: str, what: str) -> HTMLResponse:
    return _page(title, f"<p>{what}</p>"
                 f'<form method="post" action="{escape(action)}">'
                 '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
                 '<button type="submit">Confirmer</button></form>')  # fmt: skip


@router.get("/desabonnement/{token}", response_class=HTMLResponse, include_in_schema=False)
def stop_all_page(request: Request, token: str) -> HTMLResponse:
    try:
        sub = alerts.alerts_recipient(request.app.state.store, token, secret=_key(request))
    except InvalidToken:
        return _invalid()
    except SecretKeyMissing:
        return _unavailable()
    return _stop_form(f"/veilles/desabonnement/{token}", "Ne plus recevoir d'alertes",
                      f"L'adresse <strong>{escape(sub.email)}</strong> ne recevra plus aucune alerte de veille "
                      "(la lettre hebdomadaire n'est pas concernée).")  # fmt: skip


@router.post("/desabonnement/{token}", response_class=HTMLResponse, include_in_schema=False)
def stop_all(request: Request, token: str) -> HTMLResponse:
    store = request.app.state.store
    try:
        sub = alerts.alerts_recipient(store, token, secret=_key(request))
    except InvalidToken:
        return _invalid()
    except SecretKeyMissing:
        return _unavailable()
    alerts.stop_alerts(store, sub.id)
    return _page("Alertes arrêtées", f"<p>L'adresse {escape(sub.email)} ne recevra plus d'alertes.</p>")


@router.get("/{watch_id:int}/desabonnement/{token}", response_class=HTMLResponse, include_in_schema=False)
def stop_watch_page(request: Request, watch_id: int, token: str) -> HTMLResponse:
    try:
        sub = alerts.watch_recipient(request.app.state.store, watch_id, token, secret=_key(request))
        watch = w.get_watch(request.app.state.store, watch_id)
    except (InvalidToken, w.WatchNotFound):
        return _invalid()
    except SecretKeyMissing:
        return _unavailable()
    return _stop_form(f"/veilles/{watch_id}/desabonnement/{token}", "Ne plus suivre cette veille",
                      f"L'adresse <strong>{escape(sub.email)}</strong> ne recevra plus les alertes de "
                      f"« {escape(watch.name)} ».")  # fmt: skip


@router.post("/{watch_id:int}/desabonnement/{token}", response_class=HTMLResponse, include_in_schema=False)
def stop_watch(request: Request, watch_id: int, token: str) -> HTMLResponse:
    store = request.app.state.store
    try:
        sub = alerts.watch_recipient(store, watch_id, token, secret=_key(request))
    except InvalidToken:
        return _invalid()
    except SecretKeyMissing:
        return _unavailable()
    alerts.stop_watch(store, watch_id, sub.id)
    return _page(
        "Alertes arrêtées",
        f"<p>L'adresse {escape(sub.email)} ne recevra plus les alertes de cette veille.</p>",
    )
