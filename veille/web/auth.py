"""Admin authentication: password hashes, signed session cookies and CSRF tokens.

Password hash formats (one line, ``$``-separated, base64 without newlines):

- ``scrypt$<n>$<r>$<p>$<salt>$<key>``: :func:`hashlib.scrypt` with a 16-byte random salt
  and a 64-byte key; :func:`hash_password` writes ``n=16384, r=8, p=1``.
- ``pbkdf2_sha256$<iterations>$<salt>$<key>``: :func:`hashlib.pbkdf2_hmac` with SHA-256,
  accepted for hashes made elsewhere.

The session cookie is signed with ``VEILLE_SECRET_KEY`` (itsdangerous, timestamped):
``{"csrf": <random token>, "sid": <session token or null>}``. Every visitor gets one on first
sight so the login form itself is CSRF-protected; forms that change state carry the token in
a hidden ``csrf`` field, compared in constant time on POST. Who is logged in is not in the
cookie: ``sid`` names a server-side session (:mod:`veille.archive.sessions`), which logging out
revokes and a new admin password ends. Cookies are HttpOnly, SameSite=Lax and Secure over https.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from veille.archive import sessions as server_sessions
from veille.archive.store import Store

SESSION_COOKIE = "veille_session"
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_LEN = 16384, 8, 1, 64
MAX_FAILURES, FAILURE_WINDOW = 5, 300.0


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A scrypt hash in the documented format."""
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=KEY_LEN,
        maxmem=64 * 1024 * 1024,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def check_hash_format(encoded: str) -> str | None:
    """Why ``encoded`` is not a usable hash, or None."""
    parts = encoded.strip().split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            if n < 2 or n & (n - 1) or r < 1 or p < 1:
                return "bad scrypt parameters"
            _unb64(parts[4]), _unb64(parts[5])
            return None
        if parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            if int(parts[1]) < 1:
                return "bad iteration count"
            _unb64(parts[2]), _unb64(parts[3])
            return None
    except ValueError:
        return "not valid base64 or numbers"
    return "unknown format, expected scrypt$n$r$p$salt$key or pbkdf2_sha256$iterations$salt$key"


def verify_password(password: str, encoded: str | None) -> bool:
    if not encoded or check_hash_format(encoded):
        return False
    parts = encoded.strip().split("$")
    if parts[0] == "scrypt":
        n, r, p = (int(x) for x in parts[1:4])
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=256 * 1024 * 1024
        )
    else:
        salt, expected = _unb64(parts[2]), _unb64(parts[3])
        got = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), salt, int(parts[1]), dklen=len(expected)
        )
    return hmac.compare_digest(got, expected)


@dataclass
class Session:
    csrf: str
    admin: bool = False
    dirty: bool = False  # must be (re)sent to the browser
    token: str | None = None  # the server-side session this browser holds (None: not logged in)

    def to_dict(self) -> dict[str, Any]:
        return {"csrf": self.csrf, "sid": self.token}


class Sessions:
    """Reads and writes the signed session cookie; logins live in the archive's sessions table."""

    def __init__(
        self, secret: str, max_age_hours: int, secure: str, password_hash: str | None = None
    ) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="veille-session")
        self.max_age = max_age_hours * 3600
        self.hours = max_age_hours
        self.secure = secure
        self.credential = server_sessions.fingerprint(password_hash)

    def load(self, request: Request, store: Store) -> Session:
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=self.max_age)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                token = data.get("sid") if isinstance(data.get("sid"), str) else None
                account = (
                    server_sessions.session_account(store, token, credential=self.credential)
                    if token
                    else None
                )
                if token and account is None:  # logged out, revoked or expired: forget it
                    return Session(csrf=data["csrf"], dirty=True)
                return Session(csrf=data["csrf"], admin=account == "admin", token=token)
        return Session(csrf=secrets.token_urlsafe(24), dirty=True)

    def log_in(self, session: Session, store: Store, client: str | None = None) -> None:
        """Open a server-side admin session (a new CSRF token too: no session fixation)."""
        if session.token:
            server_sessions.revoke(store, session.token)
        session.token = server_sessions.open_session(
            store, "admin", credential=self.credential, hours=self.hours, client=client
        )
        session.admin, session.csrf, session.dirty = True, secrets.token_urlsafe(24), True

    def log_out(self, session: Session, store: Store) -> None:
        """Revoke the server-side session: the cookie, even replayed, no longer logs anyone in."""
        if session.token:
            server_sessions.revoke(store, session.token)
        session.token, session.admin = None, False
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


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf.encode(), str(submitted).encode())


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
