"""Extraction shared between processes and machines (a part of :class:`veille.archive.store.Store`).

An extraction worker claims a batch of pending articles: a row of ``extraction_claims`` per
article, with the worker's id and a lease (``lease_until``) that the worker renews while it
works. A claim whose lease has expired (its worker died, or stalled longer than the lease) is
taken over by the next worker that asks, its ``attempts`` counted; an article tried
``max_attempts`` times is given up (left pending, for ``veille extract`` to report).

The extraction is committed with the release of its claim, in one transaction guarded by the
claim's owner (:meth:`veille.archive.store.Store.save_analysis` with ``worker=``): a worker whose
claim was taken over commits nothing, so each article's extraction is committed once.

PostgreSQL: the claiming statements skip the rows another worker has locked (``FOR UPDATE SKIP
LOCKED``), so concurrent workers get disjoint batches without waiting for each other. SQLite:
one writer at a time; each claim is a single statement, atomic there, and a primary key on the
article settles a race (``ON CONFLICT DO NOTHING``). Several local processes share it safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.engine import Engine

from veille.archive import schema as t
from veille.archive.engine import upsert
from veille.core.clock import utcnow

_c = t.extraction_claims.c
_a = t.articles.c


@dataclass(frozen=True)
class Claim:
    article_id: int
    worker: str
    claimed_at: datetime
    lease_until: datetime
    attempts: int


@dataclass(frozen=True)
class Claimed:
    """What one call to :meth:`ExtractionClaims.claim_extraction` got: the ids, and how many of
    them were taken over from a worker whose lease had expired."""

    ids: list[int]
    taken_over: int


class ExtractionClaims:
    engine: Engine

    def _insert(self) -> Any:
        return upsert(self.engine.dialect.name, t.extraction_claims)

    def claim_extraction(
        self,
        worker: str,
        version: str,
        *,
        batch: int,
        lease_seconds: float,
        max_attempts: int,
        since: datetime | None = None,
    ) -> Claimed:
        """Up to ``batch`` articles for ``worker``, leased for ``lease_seconds``: first the claims
        whose lease expired (fewer than ``max_attempts`` tries), then articles pending for
        ``version`` that nobody claims."""
        now = utcnow()
        until = now + timedelta(seconds=lease_seconds)
        with self.engine.begin() as conn:
            expired = (
                select(_c.article_id)
                .where(_c.lease_until < now, _c.attempts < max_attempts)
                .order_by(_c.article_id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            taken = conn.scalars(
                update(t.extraction_claims)
                .where(_c.article_id.in_(expired.scalar_subquery()), _c.lease_until < now)
                .values(worker=worker, claimed_at=now, lease_until=until, attempts=_c.attempts + 1)
                .returning(_c.article_id)
            ).all()
            fresh: list[int] = []
            if len(taken) < batch:
                fresh = self._claim_pending(conn, worker, version, batch - len(taken), now, until, since)
        return Claimed(sorted([*taken, *fresh]), len(taken))

    def _claim_pending(
        self,
        conn: Any,
        worker: str,
        version: str,
        limit: int,
        now: datetime,
        until: datetime,
        since: datetime | None,
    ) -> list[int]:
        """Claims on pending articles nobody claims, in one INSERT ... SELECT."""
        unclaimed = ~exists().where(_c.article_id == _a.id)
        pending = select(
            _a.id,
            literal(worker, _c.worker.type).label("worker"),
            literal(now, _c.claimed_at.type).label("claimed_at"),
            literal(until, _c.lease_until.type).label("lease_until"),
        ).where(or_(_a.extractor_version.is_(None), _a.extractor_version != version), unclaimed)
        if since is not None:
            pending = pending.where(_a.published >= since)
        pending = pending.order_by(_a.id).limit(limit).with_for_update(of=t.articles, skip_locked=True)
        statement = (
            self._insert()
            .from_select(["article_id", "worker", "claimed_at", "lease_until"], pending)
            .on_conflict_do_nothing(index_elements=["article_id"])
            .returning(_c.article_id)
        )
        return list(conn.scalars(statement).all())

    def renew_claims(self, worker: str, lease_seconds: float) -> int:
        """Push back the lease of everything ``worker`` holds; the number of claims it still holds."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t.extraction_claims)
                .where(_c.worker == worker)
                .values(lease_until=utcnow() + timedelta(seconds=lease_seconds))
            )
            return int(result.rowcount or 0)

    def fail_claim(self, article_id: int, worker: str) -> None:
        """The extraction of a claimed article failed: its lease ends now, so that the next claim
        tries it again (counted) until ``max_attempts``."""
        with self.engine.begin() as conn:
            conn.execute(
                update(t.extraction_claims)
                .where(_c.article_id == article_id, _c.worker == worker)
                .values(lease_until=utcnow())
            )

    def release_claims(self, worker: str) -> int:
        """Give back what ``worker`` holds (it stops): other workers claim them at once."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(t.extraction_claims).where(_c.worker == worker)).rowcount or 0)

    def extraction_outstanding(self, max_attempts: int) -> int:
        """Claims still to settle: held under a live lease, or expired with tries left."""
        now = utcnow()
        with self.engine.connect() as conn:
            live_or_retried = or_(
                _c.lease_until >= now, and_(_c.lease_until < now, _c.attempts < max_attempts)
            )
            q = select(func.count()).select_from(t.extraction_claims).where(live_or_retried)
            return int(conn.scalar(q) or 0)

    def extraction_claims(self, worker: str | None = None) -> list[Claim]:
        """The claims (of one worker when given), by article."""
        q = select(t.extraction_claims).order_by(_c.article_id)
        if worker is not None:
            q = q.where(_c.worker == worker)
        with self.engine.connect() as conn:
            return [Claim(**row) for row in conn.execute(q).mappings()]

    def extraction_ledger(self, ids: list[int] | None = None) -> dict[int, tuple[int, str | None]]:
        """Article id -> (extractions committed, worker of the last one)."""
        q = select(_a.id, _a.extractions, _a.extracted_by).order_by(_a.id)
        if ids is not None:
            q = q.where(_a.id.in_(ids))
        with self.engine.connect() as conn:
            return {row.id: (row.extractions, row.extracted_by) for row in conn.execute(q)}
