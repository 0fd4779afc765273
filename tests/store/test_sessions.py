"""Server-side web sessions on both backends: a revoked, expired or outdated session logs nobody in."""

from __future__ import annotations

from datetime import timedelta

from veille.archive import sessions
from veille.archive.store import Store, utcnow


def test_open_revoke_and_credential_change(any_store: Store) -> None:
    old, new = sessions.fingerprint("hash-a"), sessions.fingerprint("hash-b")
    a = sessions.open_session(any_store, "admin", credential=old, hours=12, client="127.0.0.1")
    b = sessions.open_session(any_store, "admin", credential=old, hours=12)
    assert sessions.session_account(any_store, a, credential=old) == "admin"
    assert sessions.session_account(any_store, "not-a-token", credential=old) is None
    assert sessions.session_account(any_store, a, credential=old, now=utcnow() + timedelta(hours=13)) is None
    assert sessions.revoke(any_store, a) and not sessions.revoke(any_store, a)
    assert sessions.session_account(any_store, a, credential=old) is None  # logged out: for good
    assert sessions.session_account(any_store, b, credential=new) is None  # opened with the old password
    c = sessions.open_session(any_store, "admin", credential=new, hours=12)
    assert sessions.revoke_all(any_store, account="admin", keep_credential=new) == 1  # b
    assert (
        sessions.live_sessions(any_store) == 1
        and sessions.session_account(any_store, c, credential=new) == "admin"
    )
