"""Web sessions, server-side: open, revoke, count.

The browser holds a random token (inside the signed cookie); the archive holds its SHA-256 with
the account that logged in (``user_id``; its login is copied in ``account`` for whoever reads the
table), the credential that opened it (a fingerprint of the account's password hash), its expiry
and its revocation. Who a token logs in is :func:`veille.archive.accounts.session_account`: a
live row (neither revoked nor expired) of an enabled account whose password is still the one
that opened it. Logging out revokes the row; a new password or a disabled account revokes every
session of that account (and the credential check refuses any row missed).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update

from veille.archive import schema as t
from veille.archive.store import Store, utcnow

S = t.sessions


def token_hash(token: str) -> str:
    """What the archive keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def fingerprint(secret: str | None) -> str:
    """A stable, non-reversible tag of a credential (the password hash): the same hash, the same tag."""
    return hashlib.sha256(("veille-credential:" + (secret or "")).encode("utf-8")).hexdigest()[:32]


def open_session(store: Store, account: str, *, credential: str, hours: float, client: str | None = None,
                 user_id: int | None = None) -> str:  # fmt: skip
    """A new session for ``account``; returns the token to give the browser (never stored as is)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.engine.begin() as conn:
        conn.execute(
            insert(S).values(
                token_hash=token_hash(token), account=account[:100], user_id=user_id, credential=credential,
                created_at=now, expires_at=now + timedelta(hours=hours), client=(client or "")[:100] or None,
            )
        )  # fmt: skip
    return token


def revoke(store: Store, token: str) -> bool:
    with store.engine.begin() as conn:
        return (
            conn.execute(
                update(S)
                .where(S.c.token_hash == token_hash(token), S.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            ).rowcount
            == 1
        )


def revoke_in(conn: Any, *, user_id: int | None = None) -> int:
    """Revoke every live session (of the account ``user_id``) within the caller's transaction."""
    where: list[ColumnElement[bool]] = [S.c.revoked_at.is_(None)]
    if user_id is not None:
        where.append(S.c.user_id == user_id)
    return int(conn.execute(update(S).where(*where).values(revoked_at=utcnow())).rowcount)


def revoke_all(store: Store, *, user_id: int | None = None) -> int:
    """Revoke every live session (of the account ``user_id``); how many were."""
    with store.engine.begin() as conn:
        return revoke_in(conn, user_id=user_id)


def live_sessions(store: Store, user_id: int | None = None) -> int:
    now = utcnow()
    with store.engine.connect() as conn:
        q = select(S.c.id).where(S.c.revoked_at.is_(None), S.c.expires_at > now)
        if user_id is not None:
            q = q.where(S.c.user_id == user_id)
        return len(conn.execute(q).all())
