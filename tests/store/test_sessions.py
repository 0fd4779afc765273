"""Server-side web sessions on both backends: a revoked, expired or outdated session logs nobody in."""

from __future__ import annotations

from datetime import timedelta

from veille.archive import accounts, sessions
from veille.archive.store import Store, utcnow


def test_open_revoke_expire_and_new_password(any_store: Store) -> None:
    amina = accounts.add_account(any_store, "amina@example.ma", role="analyste", password="mot-de-passe-1")
    a = accounts.open_session(any_store, amina, hours=12, client="127.0.0.1")
    b = accounts.open_session(any_store, amina, hours=12)
    assert accounts.session_account(any_store, a) == amina
    assert accounts.session_account(any_store, "not-a-token") is None
    assert accounts.session_account(any_store, a, now=utcnow() + timedelta(hours=13)) is None
    assert sessions.revoke(any_store, a) and not sessions.revoke(any_store, a)
    assert accounts.session_account(any_store, a) is None  # logged out: for good
    assert sessions.live_sessions(any_store, amina.id) == 1
    # a session whose row was not revoked still ends with a new password (its credential is old)
    stale = sessions.open_session(
        any_store, amina.email, credential=amina.credential, hours=12, user_id=amina.id
    )
    renewed, ended = accounts.set_password(any_store, amina.email, "mot-de-passe-2")
    assert ended == 2 and sessions.live_sessions(any_store, amina.id) == 0
    assert accounts.session_account(any_store, b) is None
    with any_store.engine.begin() as conn:  # as if the revocation had been missed
        conn.execute(sessions.S.update().where(sessions.S.c.user_id == amina.id).values(revoked_at=None))
    assert accounts.session_account(any_store, stale) is None
    c = accounts.open_session(any_store, renewed, hours=12)
    assert accounts.session_account(any_store, c) == renewed


def test_a_session_naming_no_account_logs_nobody_in(any_store: Store) -> None:
    token = sessions.open_session(any_store, "admin", credential=sessions.fingerprint("x"), hours=12)
    assert accounts.session_account(any_store, token) is None
    assert sessions.revoke_all(any_store) == 1
