"""The delivery ledger: one row per (kind of message, period, recipient) and its state.

Any message that must reach a reader at most once goes through it (the weekly digest now,
alerts next). States:

- ``pending``: to send; a sender *claims* the row with one conditional UPDATE
  (``pending`` -> ``sending``) and owns it only if exactly one row changed, so two senders
  started together never send to the same reader.
- ``sending``: claimed; the SMTP exchange may be under way.
- ``sent``: the server accepted the message (its Message-ID is recorded).
- ``failed``: refused for good (5xx), or out of attempts.
- ``unconfirmed``: the message may have been accepted without the sender hearing it: the
  connection was lost after the message was transmitted, or the sender died while the row
  was ``sending``. Such a row is never sent again on its own: it is reported until an
  operator confirms it (``sent``) or asks for it to be resent (``pending``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update

from veille.archive import schema as t
from veille.archive.engine import upsert
from veille.archive.store import Store, utcnow

D = t.deliveries
STATES = ("pending", "sending", "sent", "failed", "unconfirmed")


@dataclass(frozen=True)
class Recipient:
    id: int  # the subscriber's id
    address: str


def ensure_rows(
    store: Store, kind: str, period: str, recipients: Sequence[Recipient], *, conn: Any = None
) -> None:
    """One ``pending`` row per recipient; existing rows are left as they are. ``conn``: in that
    transaction (with what the messages will carry), else in one of their own."""
    if not recipients:
        return
    rows = [
        {"kind": kind, "period": period, "subscriber_id": r.id, "recipient": r.address, "status": "pending",
         "attempts": 0}
        for r in recipients
    ]  # fmt: skip
    ins = upsert(store.dialect, D)
    stmt = ins.on_conflict_do_nothing(index_elements=["kind", "period", "subscriber_id"])
    if conn is not None:
        conn.execute(stmt, rows)
        return
    with store.engine.begin() as own:
        own.execute(stmt, rows)


def _row(kind: str, period: str, subscriber_id: int) -> Any:
    return and_(D.c.kind == kind, D.c.period == period, D.c.subscriber_id == subscriber_id)


def claim(store: Store, kind: str, period: str, subscriber_id: int, worker: str, *, now: datetime,
          max_attempts: int) -> bool:  # fmt: skip
    """Atomically take a ``pending`` row for sending; True only for the one sender that changed it."""
    stmt = (
        update(D)
        .where(_row(kind, period, subscriber_id), D.c.attempts < max_attempts, D.c.status == "pending")
        .values(status="sending", claimed_by=worker, claimed_at=now, attempts=D.c.attempts + 1)
    )
    with store.engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def finish(store: Store, kind: str, period: str, subscriber_id: int, worker: str, **values: Any) -> int:
    """Update a row this worker holds (``sending`` and claimed by it); the number of rows changed."""
    with store.engine.begin() as conn:
        return conn.execute(
            update(D)
            .where(_row(kind, period, subscriber_id), D.c.claimed_by == worker, D.c.status == "sending")
            .values(**values)
        ).rowcount


def mark_sent(store: Store, kind: str, period: str, subscriber_id: int, worker: str, message_id: str,
              now: datetime) -> bool:  # fmt: skip
    """Record the server's acceptance; False when the claim had been taken from this worker
    (the row is recorded as sent anyway: the server did accept the message)."""
    values = {"status": "sent", "message_id": message_id, "sent_at": now, "last_error": None}
    if finish(store, kind, period, subscriber_id, worker, **values):
        return True
    with store.engine.begin() as conn:
        conn.execute(update(D).where(_row(kind, period, subscriber_id)).values(**values))
    return False


def release(store: Store, kind: str, period: str, subscriber_id: int, worker: str, error: str, *,
            state: str = "pending") -> None:  # fmt: skip
    """Give the row back as ``pending`` (retry later), ``failed`` or ``unconfirmed``."""
    finish(store, kind, period, subscriber_id, worker,
           status=state, last_error=error[:2000], claimed_by=None, claimed_at=None)  # fmt: skip


def add_attempt(store: Store, kind: str, period: str, subscriber_id: int, worker: str) -> None:
    finish(store, kind, period, subscriber_id, worker, attempts=D.c.attempts + 1)


def give_up_exhausted(store: Store, kind: str, period: str, max_attempts: int) -> int:
    """Pending rows that used all their attempts become failed."""
    with store.engine.begin() as conn:
        return conn.execute(
            update(D)
            .where(
                D.c.kind == kind, D.c.period == period, D.c.status == "pending", D.c.attempts >= max_attempts
            )
            .values(
                status="failed", last_error=func.coalesce(D.c.last_error, "") + " (gave up: max_attempts)"
            )
        ).rowcount


def _dead_here(worker: str | None) -> bool:
    """Whether the claimant ``host:pid:...`` was a process on this host that no longer runs."""
    host, _, rest = (worker or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def expire_claims(store: Store, kind: str, period: str, *, now: datetime, stale_minutes: float) -> int:
    """``sending`` rows whose sender is gone become ``unconfirmed``: the message may have left.

    A claim is gone when its process is known dead (same host) or when it is older than
    ``stale_minutes`` (a sender elsewhere that stopped heartbeating through its SMTP exchange).
    """
    stale_before = now - timedelta(minutes=stale_minutes)
    with store.engine.begin() as conn:
        rows = conn.execute(
            select(D.c.id, D.c.claimed_by, D.c.claimed_at).where(
                D.c.kind == kind, D.c.period == period, D.c.status == "sending"
            )
        ).all()
        gone = [
            r.id for r in rows if _dead_here(r.claimed_by) or (r.claimed_at and r.claimed_at < stale_before)
        ]
        if not gone:
            return 0
        return conn.execute(
            update(D)
            .where(D.c.id.in_(gone), D.c.status == "sending")
            .values(
                status="unconfirmed",
                last_error=func.coalesce(D.c.last_error, "")
                + "sender stopped while sending (claimed by "
                + func.coalesce(D.c.claimed_by, "?")
                + "): the message may have been accepted",
            )
        ).rowcount


def resolve_unconfirmed(store: Store, kind: str, period: str, *, resend: bool,
                        subscriber_ids: Sequence[int] | None = None) -> int:  # fmt: skip
    """An operator's decision on the ``unconfirmed`` rows of a period: resend them (back to
    ``pending`` with a fresh attempt count) or confirm them as received (``sent``)."""
    where = [D.c.kind == kind, D.c.period == period, D.c.status == "unconfirmed"]
    if subscriber_ids is not None:
        where.append(D.c.subscriber_id.in_(list(subscriber_ids)))
    values: dict[str, Any] = (
        {"status": "pending", "attempts": 0, "claimed_by": None, "claimed_at": None}
        if resend
        else {"status": "sent", "sent_at": utcnow(), "claimed_by": None, "claimed_at": None}
    )
    with store.engine.begin() as conn:
        return conn.execute(update(D).where(*where).values(**values)).rowcount


def open_periods(store: Store, kind: str) -> list[str]:
    """The periods of ``kind`` with rows still ``pending`` or ``sending``, oldest first."""
    with store.engine.connect() as conn:
        found = conn.scalars(
            select(D.c.period).where(D.c.kind == kind, D.c.status.in_(("pending", "sending")))
            .group_by(D.c.period).order_by(D.c.period)
        )  # fmt: skip
        return list(found)


def status_of(store: Store, kind: str, period: str, subscriber_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(D).where(_row(kind, period, subscriber_id))).mappings().first()
    return dict(row) if row else None


def rows(store: Store, kind: str, period: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        q = (
            select(D, t.subscribers.c.email)
            .join(t.subscribers, t.subscribers.c.id == D.c.subscriber_id)
            .where(D.c.kind == kind, D.c.period == period)
            .order_by(D.c.subscriber_id)
        )
        return [dict(r) for r in conn.execute(q).mappings()]


def counts(store: Store, kind: str, period: str) -> dict[str, int]:
    with store.engine.connect() as conn:
        found = conn.execute(
            select(D.c.status, func.count())
            .where(D.c.kind == kind, D.c.period == period)
            .group_by(D.c.status)
        )
        return {status: int(n) for status, n in found}


def unconfirmed(store: Store, kind: str | None = None) -> list[dict[str, Any]]:
    """Every ``unconfirmed`` row (all kinds and periods unless ``kind``), oldest period first."""
    with store.engine.connect() as conn:
        q = (
            select(D.c.kind, D.c.period, D.c.subscriber_id, D.c.last_error, D.c.claimed_at,
                   func.coalesce(D.c.recipient, t.subscribers.c.email).label("recipient"))
            .join(t.subscribers, t.subscribers.c.id == D.c.subscriber_id)
            .where(D.c.status == "unconfirmed", *([D.c.kind == kind] if kind else []))
            .order_by(D.c.period, D.c.kind, D.c.subscriber_id)
        )  # fmt: skip
        return [dict(r) for r in conn.execute(q).mappings()]
