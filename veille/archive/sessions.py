"""Web sessions, server-side: open, look up, revoke.

The browser holds a random token (inside the signed cookie); the archive holds its SHA-256
with the account it logged in (``admin`` until named accounts come), the credential that
opened it (a fingerprint of the password hash), its expiry and its revocation. A session is
valid only while its row exists, is neither revoked nor expired, and its credential is the
current one: logging out revokes the row, and a changed password ends every older session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, insert, select, update

from veille.archive import schema as t
from veille.archive.store import Store, utcnow

S = t.sessions


def _hash(token: str) -> str:
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
                token_hash=_hash(token), account=account, user_id=user_id, credential=credential,
                created_at=now, expires_at=now + timedelta(hours=hours), client=(client or "")[:100] or None,
            )
        )  # fmt: skip
    return token


def session_account(store: Store, token: str, *, credential: str, now: datetime | None = None) -> str | None:
    """The account of a live session, or None (unknown, revoked, expired, or opened with an old credential)."""
    now = now or utcnow()
    with store.engine.connect() as conn:
        row = conn.execute(
            select(S.c.account, S.c.credential, S.c.expires_at, S.c.revoked_at).where(
                S.c.token_hash == _hash(token)
            )
        ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or row.credential != credential:
        return None
    return str(row.account)


def revoke(store: Store, token: str) -> bool:
    with store.engine.begin() as conn:
        return (
            conn.execute(
                update(S)
                .where(S.c.token_hash == _hash(token), S.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            ).rowcount
            == 1
        )


def revoke_all(store: Store, *, account: str | None = None, keep_credential: str | None = None) -> int:
    """Revoke every live session (of ``account``), except those opened with ``keep_credential``."""
    where: list[ColumnElement[bool]] = [S.c.revoked_at.is_(None)]
    if account is not None:
        where.append(S.c.account == account)
    if keep_credential is not None:
        where.append((S.c.credential != keep_credential) | S.c.credential.is_(None))
    with store.engine.begin() as conn:
        return conn.execute(update(S).where(*where).values(revoked_at=utcnow())).rowcount


def live_sessions(store: Store, account: str | None = None) -> int:
    now = utcnow()
    with store.engine.connect() as conn:
        q = select(S.c.id).where(S.c.revoked_at.is_(None), S.c.expires_at > now)
        if account is not None:
            q = q.where(S.c.account == account)
        return len(conn.execute(q).all())
