"""Extraction across processes: `veille extract --worker` processes (real ones) share the pending
articles on SQLite and PostgreSQL; one is killed with SIGKILL midway, its claimed batch is taken
over once its lease expires, and every article's extraction is committed exactly once. Their
runs are "running" together, and the liveness check tells the dead worker from the live one."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.store.archive import ARTICLES
from veille.archive.store import Store, open_store
from veille.core.models import Article

N_ARTICLES = 200
LEASE_SECONDS = 3.0


def worker_config(tmp_path: Path) -> Path:
    """The bundled config with a short lease and small batches (pipeline.toml's [extract.worker])."""
    conf = tmp_path / "config"
    shutil.copytree(REPO / "config", conf)
    return short_leases(conf)


def short_leases(conf: Path) -> Path:
    """``conf`` with a short extraction lease and small batches (pipeline.toml's [extract.worker])."""
    pipeline = conf / "pipeline.toml"
    text = pipeline.read_text(encoding="utf-8")
    for key, value in (("batch", "8"), ("lease_seconds", str(LEASE_SECONDS)), ("poll_seconds", "0.5")):
        text, n = re.subn(rf"(?m)^{key} = [0-9.]+", f"{key} = {value}", text)
        assert n == 1, key
    pipeline.write_text(text, encoding="utf-8")
    return conf


def fill(store: Store, n: int = N_ARTICLES) -> list[int]:
    """``n`` articles made from the store tests' French archive, each a little different."""
    stories = list(ARTICLES.values())
    day = datetime(2026, 1, 1, tzinfo=UTC)
    articles = []
    for i in range(n):
        source, _, title, _, text, *_ = stories[i % len(stories)]
        articles.append(Article(
            url=f"https://fixture.test/{i}", source=source, title=f"{title} ({i})",
            text=f"{text} Le bilan numéro {i} fait état de {100 + i} postes créés.",
            published=day + timedelta(hours=i),
        ))  # fmt: skip
    return [article_id for article_id, _ in store.upsert_articles(articles)]


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Store]]:
    """The database URL and an open store: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'veille.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    store = open_store(url)
    yield url, store
    store.close()


def start_worker(url: str, tmp_path: Path, conf: Path, name: str, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["VEILLE_DATABASE_URL"] = url
    log = (tmp_path / f"{name}.log").open("w")
    argv = [sys.executable, "-m", "veille", "extract", "--worker", *extra,
            "--data-dir", str(tmp_path / "data"), "--config-dir", str(conf)]  # fmt: skip
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.log_path = str(tmp_path / f"{name}.log")  # type: ignore[attr-defined]
    return proc


def worker_of(store: Store, pid: int) -> dict[str, Any] | None:
    """The extract run of the worker process ``pid``."""
    return next((r for r in store.runs(50) if r["kind"] == "extract" and r["pid"] == pid), None)


def log_of(proc: subprocess.Popen[str]) -> str:
    """The end of what worker ``proc`` printed (its log file, named in its argv's stdout)."""
    stdout = getattr(proc, "log_path", None)
    if stdout is None:
        return "(no log)"
    return Path(stdout).read_text(encoding="utf-8", errors="replace")[-3000:]


def wait_for(what: Any, timeout: float = 120.0, procs: tuple[subprocess.Popen[str], ...] = ()) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        for proc in procs:
            assert proc.poll() is None, f"worker {proc.pid} exited with {proc.returncode}: {log_of(proc)}"
        time.sleep(0.05)
    raise AssertionError("timed out")


def kill_midway(store: Store, a: subprocess.Popen[str], b: subprocess.Popen[str]) -> str:
    """SIGKILL worker ``a`` once it has committed articles and holds a claimed batch; its id."""
    run = wait_for(lambda: worker_of(store, a.pid), procs=(a, b))
    wait_for(lambda: worker_of(store, b.pid), procs=(a, b))
    worker = run["detail"]["worker"]

    def busy() -> bool:  # midway: a third of the articles done, some by this worker, a batch in hand
        ledger = store.extraction_ledger().values()
        mine = sum(1 for _, by in ledger if by == worker)
        done = sum(1 for n, _ in ledger if n)
        return mine >= 1 and done >= N_ARTICLES // 3 and bool(store.extraction_claims(worker))

    wait_for(busy, procs=(a, b))
    a.send_signal(signal.SIGKILL)
    a.wait(timeout=30)
    return str(worker)


def test_two_workers_one_killed_extract_every_article_once(
    archive: tuple[str, Store], tmp_path: Path
) -> None:
    url, store = archive
    ids = fill(store)
    conf = worker_config(tmp_path)
    a = start_worker(url, tmp_path, conf, "a", "--until-done")
    b = start_worker(url, tmp_path, conf, "b", "--until-done")
    try:
        killed = kill_midway(store, a, b)
        done_at_kill = sum(1 for n, _ in store.extraction_ledger().values() if n)
        orphans = [c.article_id for c in store.extraction_claims(killed)]
        assert orphans, "the killed worker held no claim: nothing to take over"
        # both runs are "running"; the check tells the dead one (its pid is gone) from the live one
        running = {r["pid"] for r in store.runs(50) if r["kind"] == "extract" and r["status"] == "running"}
        assert {a.pid, b.pid} <= running
        assert b.poll() is None  # still at work, or waiting for the dead worker's lease
        interrupted = store.mark_interrupted_runs()
        assert interrupted == [worker_of(store, a.pid)["id"]]  # type: ignore[index]
        out_b, _ = b.communicate(timeout=300)
    finally:
        for proc in (a, b):
            if proc.poll() is None:
                proc.kill()
    log_b = (tmp_path / "b.log").read_text(encoding="utf-8")
    assert b.returncode == 0, log_b
    assert "Traceback" not in log_b
    ledger = store.extraction_ledger(ids)
    survivor = worker_of(store, b.pid)
    assert survivor is not None and survivor["status"] == "ok"
    # every article extracted exactly once; the killed worker's batch by the survivor
    assert sorted(ledger) == sorted(ids)
    assert {n for n, _ in ledger.values()} == {1}, {i: v for i, v in ledger.items() if v[0] != 1}
    assert {ledger[i][1] for i in orphans} == {survivor["detail"]["worker"]}
    assert survivor["detail"]["taken_over"] >= len(orphans)
    assert re.search(r"took over \d+ articles whose worker's lease had expired", log_b)
    assert store.extraction_claims() == []
    figures = figure_keys(store, ids)
    assert len(figures) == len(set(figures)) and figures  # no figure written twice
    by_killed = sum(1 for _, by in ledger.values() if by == killed)
    assert by_killed >= 1 and by_killed + survivor["detail"]["extracted"] == len(ids)  # the two, once each
    print(f"\n{len(ids)} articles; killed at {done_at_kill} extracted ({by_killed} by the killed worker), "
          f"holding {len(orphans)}; survivor: {survivor['detail']}")  # fmt: skip


def figure_keys(store: Store, ids: list[int]) -> list[tuple[int, int, int]]:
    """(article, start, end) of every figure of the articles, as the search reads them back."""
    from veille.archive.search.detail import article_detail

    keys = []
    for article_id in ids:
        detail = article_detail(store, article_id)
        assert detail is not None
        keys += [(article_id, f.start, f.end) for f in detail.figures]
    return keys


def test_runs_of_live_workers_stay_running_and_a_dead_one_is_told_apart(
    archive: tuple[str, Store], tmp_path: Path
) -> None:
    """Two idle workers (nothing pending) heartbeat their runs; one is killed. Seen from another
    host (no pid to look at), only its heartbeat tells: once it is older than the stale time the
    dead worker's run is interrupted, while the live one's, beating, stays running."""
    from veille.core.clock import utcnow

    url, store = archive
    conf = worker_config(tmp_path)
    a = start_worker(url, tmp_path, conf, "a")
    b = start_worker(url, tmp_path, conf, "b")
    stale = timedelta(seconds=LEASE_SECONDS)  # 6 of the live worker's heartbeats (every 0.5 s idle)
    try:
        wait_for(lambda: worker_of(store, a.pid) and worker_of(store, b.pid), procs=(a, b))
        assert store.mark_interrupted_runs(stale_minutes=stale.total_seconds() / 60, here="elsewhere") == []
        statuses = {r["pid"]: r["status"] for r in store.runs(50) if r["kind"] == "extract"}
        assert statuses == {a.pid: "running", b.pid: "running"}  # concurrent workers: all running
        a.send_signal(signal.SIGKILL)
        a.wait(timeout=30)
        wait_for(lambda: utcnow() - worker_of(store, a.pid)["heartbeat_at"] > stale, procs=(b,))  # type: ignore[index]
        gone = store.mark_interrupted_runs(stale_minutes=stale.total_seconds() / 60, here="elsewhere")
        assert b.poll() is None
        assert gone == [worker_of(store, a.pid)["id"]]  # type: ignore[index]
        assert worker_of(store, b.pid)["status"] == "running"  # type: ignore[index]
        b.send_signal(signal.SIGTERM)  # a clean stop: its run is finished, its claims given back
        b.wait(timeout=60)
    finally:
        for proc in (a, b):
            if proc.poll() is None:
                proc.kill()
    log_b = (tmp_path / "b.log").read_text(encoding="utf-8")
    assert b.returncode == 0 and "Traceback" not in log_b, log_b
    assert worker_of(store, a.pid)["status"] == "interrupted"  # type: ignore[index]
    assert worker_of(store, b.pid)["status"] == "ok"  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--worker", "--all"], "--worker extracts the pending articles"),
        (["--worker", "--titles"], "--worker extracts the pending articles"),
        (["--until-done"], "--until-done goes with --worker"),
    ],
)
def test_worker_options_that_do_not_go_together_are_one_line(
    args: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from veille.cli import main

    assert main(["extract", *args, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_a_stalled_worker_whose_batch_was_taken_over_commits_nothing(pg_url: str, tmp_path: Path) -> None:
    """A worker stopped (SIGSTOP) past its lease while it holds a batch: another takes the batch
    over; resumed (SIGCONT), the first finds its claims gone and commits none of them."""
    store = open_store(pg_url)
    try:
        ids = fill(store, 80)
        conf = worker_config(tmp_path)
        a = start_worker(pg_url, tmp_path, conf, "a", "--until-done")
        b = start_worker(pg_url, tmp_path, conf, "b", "--until-done")
        try:
            run = wait_for(lambda: worker_of(store, a.pid), procs=(a, b))
            stalled = str(run["detail"]["worker"])
            held: list[int] = []
            while not held:  # stopped while it holds a batch (it may just have committed one)
                wait_for(lambda: store.extraction_claims(stalled), procs=(a, b))
                a.send_signal(signal.SIGSTOP)
                held = [c.article_id for c in store.extraction_claims(stalled)]
                if not held:
                    a.send_signal(signal.SIGCONT)
            wait_for(lambda: not store.extraction_claims(stalled), procs=(b,))  # taken over by b
            a.send_signal(signal.SIGCONT)
            a.wait(timeout=300)
            b.wait(timeout=300)
        finally:
            for proc in (a, b):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGCONT)
                    proc.kill()
        log_a = (tmp_path / "a.log").read_text(encoding="utf-8")
        assert (a.returncode, b.returncode) == (0, 0), log_a
        ledger = store.extraction_ledger(ids)
        assert {n for n, _ in ledger.values()} == {1}
        first = worker_of(store, a.pid)
        assert first is not None
        # what it held when stopped and had not committed went to the other worker
        taken = [i for i in held if ledger[i][1] != stalled]
        assert taken == held and first["detail"]["lost"] == len(held)
        assert "taken over by another worker (lease expired): not saved" in log_a
        print(f"\nstalled worker held {len(held)}, {len(taken)} taken over; its run: {first['detail']}")
    finally:
        store.close()
