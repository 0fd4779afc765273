"""Logging in and out (``/connexion``, ``/deconnexion``), by email address and password.

Every role logs in here. Logging in opens a server-side session of the account and replaces the
CSRF token (no session fixation); logging out revokes the session. Failed attempts are
throttled per client address; the answer is the same whether the address has no account, the
account is disabled or the password is wrong.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veille.archive import accounts
from veille.web.auth import check_csrf, session_of

router = APIRouter()
WRONG = "Adresse ou mot de passe incorrect."
THROTTLED = "Trop de tentatives infructueuses : réessayez dans quelques minutes."


def _local(target: str | None, default: str) -> str:
    """Only redirect within the site (no open redirect through ``suite``)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _form(request: Request, *, suite: str, email: str = "", error: str | None = None, status: int = 200) -> HTMLResponse:  # fmt: skip
    store = request.app.state.store
    admin = accounts.find_account(store, accounts.ADMIN_LOGIN)
    context = {
        "error": error,
        "next": _local(suite, ""),
        "email": email[:320],
        "no_account": not admin and not accounts.count_accounts(store),
        # the account the former admin password became, until it is first used
        "former_admin": bool(admin and admin.last_login_at is None and not admin.disabled),
    }
    return request.app.state.renderer.page(request, "login.html", context, status)


@router.get("/connexion", response_class=HTMLResponse)
def login_form(request: Request, suite: str = "") -> Response:
    session = session_of(request)
    if session.account is not None:
        return RedirectResponse(_local(suite, "/admin" if session.admin else "/"), status_code=303)
    return _form(request, suite=suite)


@router.post("/connexion", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    suite: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    state = request.app.state
    client = request.client.host if request.client else "?"
    if state.throttle.blocked(client):
        return _form(request, suite=suite, email=email, error=THROTTLED, status=429)
    account = accounts.authenticate(state.store, email, password)
    if account is None:
        state.throttle.fail(client)
        return _form(request, suite=suite, email=email, error=WRONG, status=401)
    state.throttle.reset(client)
    state.sessions.log_in(session_of(request), state.store, account, client)
    return RedirectResponse(_local(suite, "/admin" if account.role == "admin" else "/"), status_code=303)


@router.post("/deconnexion", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    request.app.state.sessions.log_out(session_of(request), request.app.state.store)
    return RedirectResponse("/", status_code=303)
