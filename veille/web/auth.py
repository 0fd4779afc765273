"""Who is logged in: signed session cookies, server-side sessions, roles and CSRF tokens.

The session cookie is signed with ``VEILLE_SECRET_KEY`` (itsdangerous, timestamped):
``{"csrf": <random token>, "sid": <session token or null>}``. Every visitor gets one on first
sight so the login form itself is CSRF-protected; forms that change state carry the token in
a hidden ``csrf`` field, compared in constant time on POST. Who is logged in is not in the
cookie: ``sid`` names a server-side session of a named account
(:func:`veille.archive.accounts.session_account`), which logging out revokes and a new password
or a disabled account ends. Cookies are HttpOnly, SameSite=Lax and Secure over https.

Pages say which role they need with :func:`require_role` (``Depends(require_role("analyste"))``):
a visitor who is not logged in is sent to the login page (401 on the API), unless the role is
``lecteur`` and ``web.toml`` makes reading public; a logged-in account whose role is too low
gets a French 403 page. Password hashes are :mod:`veille.core.passwords`'.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.exceptions import HTTPException

from veille.archive import accounts
from veille.archive import sessions as server_sessions
from veille.archive.accounts import Account
from veille.archive.store import Store
from veille.core.passwords import check_hash_format, hash_password, verify_password
from veille.web.errors import LoginRequired

__all__ = ["check_hash_format", "hash_password", "require_role", "verify_password"]

SESSION_COOKIE = "veille_session"
MAX_FAILURES, FAILURE_WINDOW = 5, 300.0
ROLE_LABELS = {"lecteur": "lecteur", "analyste": "analyste", "admin": "administrateur"}
ROLE_GROUPS = {"lecteur": "lecteurs", "analyste": "analystes", "admin": "administrateurs"}


@dataclass
class Session:
    csrf: str
    account: Account | None = None  # the account logged in (None: an anonymous visitor)
    dirty: bool = False  # must be (re)sent to the browser
    token: str | None = None  # the server-side session this browser holds (None: not logged in)
    anonymous_role: str | None = None  # what a visitor not logged in may do ("lecteur": public reading)

    @property
    def role(self) -> str | None:
        return self.account.role if self.account is not None else self.anonymous_role

    @property
    def admin(self) -> bool:
        return self.account is not None and self.account.role == "admin"

    def can(self, role: str) -> bool:
        return accounts.role_allows(self.role, role)

    def to_dict(self) -> dict[str, Any]:
        return {"csrf": self.csrf, "sid": self.token}


class Sessions:
    """Reads and writes the signed session cookie; logins live in the archive's sessions table."""

    def __init__(self, secret: str, max_age_hours: int, secure: str, public_read: bool = True) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="veille-session")
        self.max_age = max_age_hours * 3600
        self.hours = max_age_hours
        self.secure = secure
        self.anonymous_role = "lecteur" if public_read else None

    def load(self, request: Request, store: Store) -> Session:
        raw = request.cookies.get(SESSION_COOKIE)
        anonymous = self.anonymous_role
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=self.max_age)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                token = data.get("sid") if isinstance(data.get("sid"), str) else None
                account = accounts.session_account(store, token) if token else None
                if token and account is None:  # logged out, revoked, expired or disabled: forget it
                    return Session(csrf=data["csrf"], dirty=True, anonymous_role=anonymous)
                return Session(csrf=data["csrf"], account=account, token=token, anonymous_role=anonymous)
        return Session(csrf=secrets.token_urlsafe(24), dirty=True, anonymous_role=anonymous)

    def log_in(self, session: Session, store: Store, account: Account, client: str | None = None) -> None:
        """Open a server-side session of ``account`` (a new CSRF token too: no session fixation)."""
        if session.token:
            server_sessions.revoke(store, session.token)
        session.token = accounts.open_session(store, account, hours=self.hours, client=client)
        session.account, session.csrf, session.dirty = account, secrets.token_urlsafe(24), True

    def log_out(self, session: Session, store: Store) -> None:
        """Revoke the server-side session: the cookie, even replayed, no longer logs anyone in."""
        if session.token:
            server_sessions.revoke(store, session.token)
        session.token, session.account = None, None
        session.csrf, session.dirty = secrets.token_urlsafe(24), True

    def cookie_secure(self, request: Request) -> bool:
        if self.secure == "always":
            return True
        if self.secure == "never":
            return False
        return request.url.scheme == "https"

    def cookie_kwargs(self, request: Request) -> dict[str, Any]:
        return {
            "key": SESSION_COOKIE,
            "max_age": self.max_age,
            "httponly": True,
            "samesite": "lax",
            "secure": self.cookie_secure(request),
            "path": "/",
        }

    def dump(self, session: Session) -> str:
        return self.serializer.dumps(session.to_dict())


def session_of(request: Request) -> Session:
    return request.scope["state"]["session"]  # type: ignore[no-any-return]


@cache
def require_role(role: str) -> Callable[[Request], Session]:
    """A dependency letting through the visitors whose role is ``role`` or above (the session):
    the login page for a visitor not logged in (401 on the API), a 403 page for a role too low."""
    accounts.check_role(role)

    def dependency(request: Request) -> Session:
        session = session_of(request)
        if session.can(role):
            return session
        if session.account is None:
            raise LoginRequired()
        raise HTTPException(
            403,
            f"Cette page est réservée aux {ROLE_GROUPS[role]} : votre compte ({session.account.email}) "
            f"a le rôle « {ROLE_LABELS[session.account.role]} ».",
        )

    dependency.__name__ = f"require_{role}"
    return dependency


# What a route declares to let analystes (and admins) in, e.g. the corrections' routes:
# ``def correct(request: Request, session: Analyst) -> Response``.
Analyst = Annotated[Session, Depends(require_role("analyste"))]


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf.encode(), str(submitted).encode())


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """The dependency of every form that changes something: its ``csrf`` field is the session's."""
    if not csrf_ok(session_of(request), csrf):
        raise HTTPException(
            403,
            "Jeton de sécurité absent ou expiré : rechargez la page et recommencez (les cookies doivent être activés).",
        )


@dataclass
class LoginThrottle:
    """At most MAX_FAILURES failed logins per client address in FAILURE_WINDOW seconds."""

    failures: dict[str, list[float]] = field(default_factory=dict)

    def blocked(self, client: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self.failures.get(client, []) if now - t < FAILURE_WINDOW]
        self.failures[client] = recent
        return len(recent) >= MAX_FAILURES

    def fail(self, client: str) -> None:
        self.failures.setdefault(client, []).append(time.monotonic())
        if len(self.failures) > 10_000:  # bounded memory
            self.failures.clear()

    def reset(self, client: str) -> None:
        self.failures.pop(client, None)
