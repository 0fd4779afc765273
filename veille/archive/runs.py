"""The run ledger's repository (a part of :class:`veille.archive.store.Store`): a run per crawl,
digest or extraction, its heartbeat, one line per source, and the runs left "running" by a
process that died (its host, pid and heartbeat tell)."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from veille.archive import schema as t
from veille.core.clock import utcnow

log = logging.getLogger("veille.archive.store")  # the store's log, as before the split
# A running run's heartbeat is refreshed every RUN_HEARTBEAT_SECONDS; silent this long, it is dead.
RUN_HEARTBEAT_SECONDS = 30
RUN_STALE_MINUTES = 15


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class RunLedger:
    engine: Engine

    def refresh_search_index(self) -> None:  # the Store's: a finished run refreshes the index
        raise NotImplementedError

    def start_run(self, kind: str = "crawl", detail: dict[str, Any] | None = None) -> int:
        """A new run, ``running``, with this process's host, pid and a first heartbeat."""
        now = utcnow()
        with self.engine.begin() as conn:
            return conn.execute(
                insert(t.runs)
                .values(
                    kind=kind,
                    started_at=now,
                    status="running",
                    detail=detail or {},
                    host=socket.gethostname()[:255],
                    pid=os.getpid(),
                    heartbeat_at=now,
                )  # fmt: skip
                .returning(t.runs.c.id)
            ).scalar_one()

    def heartbeat(self, run_id: int) -> None:
        """The run's process is alive: see :meth:`mark_interrupted_runs`."""
        with self.engine.begin() as conn:
            conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id, t.runs.c.status == "running")
                .values(heartbeat_at=utcnow())
            )

    def mark_interrupted_runs(
        self, *, stale_minutes: float = RUN_STALE_MINUTES, here: str | None = None
    ) -> list[int]:
        """Runs left ``running`` by a dead process become ``interrupted``: their process is no
        longer on this host, or (elsewhere, or a reused pid) their heartbeat stopped more than
        ``stale_minutes`` ago. A run alive elsewhere, heartbeating, is left alone; so are the
        runs of several workers alive at once. ``here``: the host the check runs on (this one)."""
        now = utcnow()
        here = (here or socket.gethostname())[:255]
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(
                    t.runs.c.id, t.runs.c.host, t.runs.c.pid, t.runs.c.heartbeat_at, t.runs.c.started_at
                ).where(t.runs.c.status == "running")
            ).all()
            gone = []
            for r in rows:
                beat = r.heartbeat_at or r.started_at
                stale = beat is not None and (now - beat).total_seconds() > stale_minutes * 60
                dead_here = r.host == here and r.pid is not None and not _pid_alive(r.pid)
                if dead_here or stale:
                    gone.append(r.id)
            if gone:
                conn.execute(
                    update(t.runs)
                    .where(t.runs.c.id.in_(gone), t.runs.c.status == "running")
                    .values(status="interrupted", finished_at=now)
                )
        for run_id in gone:
            log.warning("run %d was left running by a process that is gone: marked interrupted", run_id)
        return gone

    def record_source(self, run_id: int, source: str, stats: dict[str, Any]) -> None:
        """Create or replace one source's line of a run (fetched/new/duplicate/dropped/errors)."""
        values: dict[str, Any] = {
            k: stats[k]
            for k in ("fetched", "new", "duplicate", "dropped", "errors", "partial", "completed")
            if k in stats
        }
        values["drop_reasons"] = dict(stats.get("drop_reasons", {}))
        values["error_messages"] = list(stats.get("error_messages", []))[-50:]
        with self.engine.begin() as conn:
            found = conn.scalar(
                select(t.run_sources.c.id).where(
                    t.run_sources.c.run_id == run_id, t.run_sources.c.source == source
                )
            )
            if found is None:
                conn.execute(insert(t.run_sources).values(run_id=run_id, source=source, **values))
            else:
                conn.execute(update(t.run_sources).where(t.run_sources.c.id == found).values(**values))

    def finish_run(self, run_id: int, status: str = "ok", detail: dict[str, Any] | None = None) -> None:
        values: dict[str, Any] = {"finished_at": utcnow(), "status": status}
        if detail is not None:
            values["detail"] = detail
        with self.engine.begin() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(**values))
        self.refresh_search_index()

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)).mappings()
            out = [dict(r) for r in rows]
            for run in out:
                run["sources"] = [
                    dict(r)
                    for r in conn.execute(
                        select(t.run_sources)
                        .where(t.run_sources.c.run_id == run["id"])
                        .order_by(t.run_sources.c.source)
                    ).mappings()
                ]
            return out
