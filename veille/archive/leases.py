"""Named leases (a part of :class:`veille.archive.store.Store`): one holder at a time, until an
expiry the holder pushes back by renewing; once expired, anyone may acquire it.

The scheduler's leadership is one (``digest/schedule.py``): several ``veille schedule``
processes may run, the one holding the lease runs the jobs. A row with an expiry works the same
on SQLite and PostgreSQL, and each operation is one statement, atomic on both. Times are the
hosts' clocks (:mod:`veille.core.clock`): hosts sharing a lease keep their clocks in step (NTP),
far closer than a lease's length.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from veille.archive import schema as t
from veille.archive.engine import upsert
from veille.core.clock import utcnow
from veille.core.errors import StoreError

_l = t.leases.c


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


class Leases:
    """Acquiring and renewing raise :class:`StoreError` (one line) when the database cannot be
    reached: a holder tells "not renewed, try again" from "taken over" (False)."""

    engine: Engine

    @contextmanager
    def _lease_transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise StoreError(f"lease not settled: {str(exc.orig or exc).splitlines()[0]}") from exc

    def acquire_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take the lease ``name`` for ``seconds`` if it is free, expired or already ``holder``'s."""
        now = utcnow()
        until = now + timedelta(seconds=seconds)
        values = upsert(self.engine.dialect.name, t.leases).values(
            name=name, holder=holder, acquired_at=now, expires_at=until
        )
        statement = values.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "acquired_at": now, "expires_at": until},
            where=or_(_l.expires_at < now, _l.holder == holder),
        ).returning(_l.holder)
        with self._lease_transaction() as conn:
            return conn.scalar(statement) == holder

    def renew_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Push back ``holder``'s lease; False when it is no longer ``holder``'s (taken over)."""
        with self._lease_transaction() as conn:
            result = conn.execute(
                update(t.leases)
                .where(_l.name == name, _l.holder == holder)
                .values(expires_at=utcnow() + timedelta(seconds=seconds))
            )
            return bool(result.rowcount)

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up (a clean stop): another process may acquire it at once."""
        with self._lease_transaction() as conn:
            conn.execute(delete(t.leases).where(_l.name == name, _l.holder == holder))

    def lease(self, name: str) -> Lease | None:
        """Who holds ``name`` and until when (an expired lease is still shown: nobody took it)."""
        with self._lease_transaction() as conn:
            row = conn.execute(select(t.leases).where(_l.name == name)).mappings().first()
        return Lease(**row) if row else None
