"""The accounts page of the administration (``/admin/comptes``): list, add, change a role,
disable or enable. A thin layer over :mod:`veille.archive.accounts`, as ``veille users`` is;
the errors of that module worded in French. Disabling an account ends its sessions at once.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from veille.archive import accounts as acc
from veille.archive.store import Store
from veille.web.admin import Admin
from veille.web.auth import ROLE_LABELS, check_csrf
from veille.web.config import WebConfig

log = logging.getLogger("veille.web")
router = APIRouter(prefix="/admin/comptes")

NOTICES = {
    "ajoute": "Compte créé : {email}.",
    "role": "Rôle de {email} changé.",
    "desactive": "Compte désactivé : {email} (ses sessions sont closes).",
    "reactive": "Compte réactivé : {email}.",
}


def adopt_admin(store: Store, web: WebConfig) -> None:
    """At start: a configured admin password hash becomes the account ``admin`` if there is no
    admin account yet (said in the log); once there is one, the setting is no longer read."""
    if acc.adopt_admin_hash(store, web.admin_password_hash) is not None:
        log.warning(
            "the configured admin password hash is now the account 'admin' (log in as 'admin'); "
            "manage accounts with `veille users` and remove VEILLE_ADMIN_PASSWORD_HASH / admin_password_hash"
        )


def french(exc: acc.AccountError, email: str = "") -> str:
    """An account error, for a French reader."""
    if isinstance(exc, acc.InvalidLogin):
        return f"« {email[:320]} » n'est pas une adresse électronique valide."
    if isinstance(exc, acc.DuplicateAccount):
        return f"Un compte {exc.email} existe déjà."
    if isinstance(exc, acc.WeakPassword):
        return (
            "Mot de passe trop court : 8 caractères au moins."
            if "short" in str(exc)
            else "Mot de passe trop long."
        )
    if isinstance(exc, acc.UnknownRole):
        return f"Rôle inconnu « {exc.role[:40]} » : lecteur, analyste ou administrateur."
    if isinstance(exc, acc.LastAdmin):
        return f"{exc.email} est le dernier administrateur actif : nommez d'abord un autre administrateur."
    if isinstance(exc, acc.AccountNotFound):
        return "Aucun compte ne porte ce numéro."
    return f"Opération impossible : {exc}"


def _page(request: Request, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    ok = request.query_params.get("ok", "")
    template = NOTICES.get(ok)
    context = {
        "accounts": acc.list_accounts(request.app.state.store),
        "roles": [(role, ROLE_LABELS[role]) for role in acc.ROLES],
        "notice": template.format(email=request.query_params.get("email", "")[:320]) if template else None,
        "error": error,
    }
    return request.app.state.renderer.page(request, "admin/accounts.html", context, status)


def _done(ok: str, email: str) -> Response:
    return RedirectResponse("/admin/comptes?" + urlencode({"ok": ok, "email": email}), status_code=303)


def _account_id(account_id: str) -> int:
    if not account_id.isdigit() or len(account_id) > 12:
        raise HTTPException(404, "Aucun compte ne porte ce numéro.")
    return int(account_id)


@router.get("", response_class=HTMLResponse)
def accounts_page(request: Request, _: Admin) -> Response:
    return _page(request)


@router.post("", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def add(
    request: Request,
    _: Admin,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=40)] = "lecteur",
    password: Annotated[str, Form(max_length=1024)] = "",
    confirmation: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    if password != confirmation:
        return _page(request, error="Les deux mots de passe diffèrent.", status=400)
    try:
        account = acc.add_account(request.app.state.store, email, role=role, password=password)
    except acc.AccountError as exc:
        return _page(request, error=french(exc, email), status=400)
    return _done("ajoute", account.email)


def _change(request: Request, account_id: str, what: str, role: str = "") -> Response:
    store = request.app.state.store
    try:
        key = _account_id(account_id)
        if what == "role":
            account = acc.set_role(store, key, role)
        elif what == "desactive":
            account, _revoked = acc.disable_account(store, key)
        else:
            account = acc.enable_account(store, key)
    except acc.AccountNotFound:
        raise HTTPException(404, "Aucun compte ne porte ce numéro.") from None
    except acc.AccountError as exc:
        return _page(request, error=french(exc), status=400)
    return _done(what, account.email)


@router.post("/{account_id}/role", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def change_role(
    request: Request, account_id: str, _: Admin, role: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    return _change(request, account_id, "role", role)


@router.post("/{account_id}/desactiver", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def disable(request: Request, account_id: str, _: Admin) -> Response:
    return _change(request, account_id, "desactive")


@router.post("/{account_id}/reactiver", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def enable(request: Request, account_id: str, _: Admin) -> Response:
    return _change(request, account_id, "reactive")
