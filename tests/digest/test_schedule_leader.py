"""Two `veille schedule` processes on one PostgreSQL archive: one leads and fires the jobs, the
other waits; the leader is killed with SIGKILL, the other takes over once the lease expires, and
no job fired twice for the same run."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import REPO
from veille.archive.store import open_store

LEASE_SECONDS = 3
EVERY_SECONDS = 2
FIRED = re.compile(r"job (\S+) fired: run of (\S+)")


def schedule_config(tmp_path: Path) -> Path:
    """The bundled config with a crawl every 2 s (nothing extracted after), no digest, a 3 s lease."""
    conf = tmp_path / "config"
    shutil.copytree(REPO / "config", conf)
    (conf / "schedule.toml").write_text(
        f'[schedule]\ntimezone = "Africa/Casablanca"\nlease_seconds = {LEASE_SECONDS}\n\n'
        f"[schedule.crawl]\nevery_hours = {EVERY_SECONDS / 3600}\nextract_after = false\n\n"
        "[schedule.digest]\nenabled = false\n",
        encoding="utf-8",
    )
    return conf


def start(url: str, tmp_path: Path, conf: Path, name: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["VEILLE_DATABASE_URL"] = url
    argv = [sys.executable, str(REPO / "tests" / "digest" / "schedule_driver.py"), str(tmp_path / "firings"),
            "schedule", "--data-dir", str(tmp_path / "data"), "--config-dir", str(conf)]  # fmt: skip
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


def log_of(tmp_path: Path, name: str) -> str:
    return (tmp_path / f"{name}.log").read_text(encoding="utf-8")


def wait_for(what, timeout: float = 90.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def firings(tmp_path: Path) -> Counter[str]:
    """Firings recorded by the jobs themselves, by process id: the crawls a crawl job started
    (the same job then runs the watches' alerts, a second command of the same firing)."""
    path = tmp_path / "firings"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Counter(line.split()[0] for line in lines if line.split()[1:2] == ["crawl"])


def test_two_schedulers_one_leads_the_other_takes_over_when_it_dies(pg_url: str, tmp_path: Path) -> None:
    open_store(pg_url).close()  # the archive, migrated
    conf = schedule_config(tmp_path)
    a = start(pg_url, tmp_path, conf, "a")
    procs = [a]
    try:
        wait_for(lambda: "leading the schedule" in log_of(tmp_path, "a"))
        b = start(pg_url, tmp_path, conf, "b")
        procs.append(b)
        wait_for(lambda: "waiting:" in log_of(tmp_path, "b"))
        wait_for(lambda: len(FIRED.findall(log_of(tmp_path, "a"))) >= 2)
        a.send_signal(signal.SIGKILL)
        a.wait(timeout=30)
        killed_at = time.monotonic()
        store = open_store(pg_url, migrate=False)
        lease_at_kill = store.lease("scheduler")
        wait_for(lambda: "leading the schedule" in log_of(tmp_path, "b"))
        took_over = time.monotonic() - killed_at
        wait_for(lambda: len(FIRED.findall(log_of(tmp_path, "b"))) >= 2)
        lease_after = store.lease("scheduler")
        store.close()
        b.send_signal(signal.SIGTERM)
        b.wait(timeout=60)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    log_a, log_b = log_of(tmp_path, "a"), log_of(tmp_path, "b")
    assert b.returncode == 0 and "Traceback" not in log_a + log_b, log_b
    # the follower fired nothing before the leader died, and took the lease only once it expired
    before = log_b.split("leading the schedule", 1)[0]
    assert not FIRED.search(before)
    assert lease_at_kill is not None and lease_after is not None
    assert lease_at_kill.holder.split(":")[1] == str(a.pid)
    assert lease_after.holder.split(":")[1] == str(b.pid)
    assert lease_after.acquired_at >= lease_at_kill.expires_at
    # each run of the job fired once, by one scheduler or the other, never by both
    runs_a = [datetime.fromisoformat(w) for _, w in FIRED.findall(log_a)]
    runs_b = [datetime.fromisoformat(w) for _, w in FIRED.findall(log_b)]
    assert len(runs_a) >= 2 and len(runs_b) >= 2
    assert len(set(runs_a + runs_b)) == len(runs_a) + len(runs_b)
    assert max(runs_a) < min(runs_b)
    # and the jobs ran as often as the schedulers said they fired (the killed one may have run a
    # job it had no time to log, or logged one it had no time to run)
    fired = firings(tmp_path)
    assert abs(fired[str(a.pid)] - len(runs_a)) <= 1
    assert fired[str(b.pid)] == len(runs_b)  # stopped cleanly: every fired job ran
    print(f"\nleader fired {len(runs_a)} runs, killed; the other took over {took_over:.1f} s later "
          f"(lease {LEASE_SECONDS} s) and fired {len(runs_b)}")  # fmt: skip


def test_a_leader_whose_lease_is_taken_over_stops_its_jobs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite, in process: the lead is handed to another holder behind the leader's back (as after
    a stall longer than the lease); at its next renewal the leader stops its scheduler."""
    import threading

    import digest.schedule as schedule
    from veille.core.config import Settings

    monkeypatch.setattr(schedule, "_run", lambda argv, timeout: None)  # no real crawl if it fires
    conf = schedule_config(tmp_path)
    settings = Settings.load(tmp_path / "data", conf)
    settings.ensure_data_dir()
    store = open_store(settings.database_url)
    try:
        assert store.acquire_lease("scheduler", "me", LEASE_SECONDS)
        stop = threading.Event()
        with caplog.at_level(logging.INFO, logger="veille.schedule"):
            leading = threading.Thread(
                target=schedule._lead, args=(settings, settings.schedule, store, "me", stop)
            )
            leading.start()
            wait_for(lambda: "job crawl:" in caplog.text)
            store.release_lease("scheduler", "me")
            assert store.acquire_lease("scheduler", "other", 600)
            leading.join(timeout=60)
            stopped = not leading.is_alive()
            stop.set()
            leading.join(timeout=60)
        assert stopped  # it returned by itself, not because it was told to stop
        assert "the lead was taken over by another scheduler: stopping the jobs" in caplog.text
        lease = store.lease("scheduler")
        assert lease is not None and lease.holder == "other"
    finally:
        store.close()
