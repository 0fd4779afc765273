"""The run ledger on both backends: runs left "running" by a dead process are marked interrupted,
a run alive elsewhere is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select, update

from veille.archive import schema as t
from veille.archive.store import Store, utcnow


def test_runs_of_dead_processes_are_interrupted_live_ones_left_alone(any_store: Store) -> None:
    here = socket.gethostname()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    now = utcnow()
    cases = {
        "dead here": (here, int(gone.stdout), now),
        "alive here": (here, os.getpid(), now),
        "alive elsewhere": ("another-host", 4242, now - timedelta(minutes=1)),
        "silent elsewhere": ("another-host", 4243, now - timedelta(hours=2)),
    }
    ids = {}
    for name, (host, pid, beat) in cases.items():
        ids[name] = any_store.start_run("crawl", detail={"case": name})
        with any_store.engine.begin() as conn:
            conn.execute(
                update(t.runs).where(t.runs.c.id == ids[name]).values(host=host, pid=pid, heartbeat_at=beat)
            )
    finished = any_store.start_run("crawl")
    any_store.finish_run(finished, status="ok")
    assert sorted(any_store.mark_interrupted_runs()) == sorted([ids["dead here"], ids["silent elsewhere"]])
    with any_store.engine.connect() as conn:
        status = dict(conn.execute(select(t.runs.c.id, t.runs.c.status)).all())
    assert status[ids["dead here"]] == status[ids["silent elsewhere"]] == "interrupted"
    assert status[ids["alive here"]] == status[ids["alive elsewhere"]] == "running"
    assert status[finished] == "ok"
    # a heartbeat keeps a run alive
    any_store.heartbeat(ids["alive elsewhere"])
    assert any_store.mark_interrupted_runs(stale_minutes=0.5) == []


def test_start_run_records_host_pid_and_heartbeat(any_store: Store) -> None:
    run_id = any_store.start_run("crawl")
    run = next(r for r in any_store.runs() if r["id"] == run_id)
    assert (
        run["host"] == socket.gethostname() and run["pid"] == os.getpid() and run["heartbeat_at"] is not None
    )
