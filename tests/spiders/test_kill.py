"""kill -9 leaves nothing behind and nothing undone (``veille crawl`` in a child process).

Processes are checked by PID (and start time, against PID reuse), never by name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text, update

from tests.conftest import REPO
from tests.spiders.conftest import PYTHON, child_env
from veille.archive import schema as t
from veille.archive.store import open_store
from veille.core.config import Settings


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks after boot), or None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def descendants(pid: int) -> dict[int, str]:
    """Every live descendant of ``pid``: pid -> start time."""
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in kids:
                start = _start_time(kid)
                if start is not None and kid not in found:
                    found[kid] = start
                    todo.append(kid)
    return found


def _count(url: str, query: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(query)).scalar() or 0)
    except Exception:  # noqa: BLE001 - the archive may not exist yet
        return 0
    finally:
        engine.dispose()


def test_crawl_killed_with_sigkill_leaves_no_process_and_the_next_crawl_finishes_its_work(
    config_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    settings = Settings.load(data_dir=data, config_dir=config_dir)
    env = child_env(config_dir, data)
    cmd = [PYTHON, "-m", "veille", "crawl", "-q", "--allow-host", "127.0.0.1"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            kids = descendants(proc.pid)
            if len(kids) >= 2 and _count(settings.database_url, "SELECT count(*) FROM articles") >= 1:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        kids = descendants(proc.pid)
        assert len(kids) >= 2, kids  # its worker processes
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(10)
    alive = {pid for pid, start in kids.items() if _start_time(pid) == start}
    assert not alive, f"still alive 10 s after the crawl was killed: {sorted(alive)}"

    store = open_store(settings.database_url)
    try:
        with store.engine.connect() as conn:
            (killed,) = conn.execute(select(t.runs)).mappings().all()
        assert killed["status"] == "running" and killed["pid"] == proc.pid and killed["host"]
    finally:
        store.close()
    # the next crawl marks that run interrupted and extracts what it archived
    again = subprocess.run(
        [*cmd, "fixture-legacy"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-3000:]
    store = open_store(settings.database_url)
    try:
        with store.engine.connect() as conn:
            status = conn.execute(select(t.runs.c.status).where(t.runs.c.id == killed["id"])).scalar()
            never = conn.execute(
                select(func.count()).select_from(t.articles).where(t.articles.c.extractor_version.is_(None))
            ).scalar()
            total = conn.execute(select(func.count()).select_from(t.articles)).scalar()
    finally:
        store.close()
    assert status == "interrupted"
    assert total >= 1 and never == 0


def test_sources_health_counts_new_articles_from_the_archive(config_dir: Path, tmp_path: Path) -> None:
    """The ledger is written every 50 items: a killed crawl's last articles are archived, not counted
    there. `veille sources health` counts them in the archive."""
    data = tmp_path / "data"
    env = child_env(config_dir, data)
    fast = config_dir / "crawl.toml"
    fast.write_text(
        fast.read_text(encoding="utf-8")
        + '\nITEM_PIPELINES = { "pipeline.normalise.NormalisePipeline" = 100, "pipeline.storage.StorePipeline" = 400 }\n'
    )
    done = subprocess.run([PYTHON, "-m", "veille", "crawl", "fixture-legacy", "-q", "--allow-host", "127.0.0.1"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    store = open_store(Settings.load(data_dir=data, config_dir=config_dir).database_url)
    try:
        with store.engine.begin() as conn:  # as a crawl killed before its ledger flush leaves it
            conn.execute(update(t.run_sources).values(new=0, fetched=0))
    finally:
        store.close()
    health = subprocess.run([PYTHON, "-m", "veille", "sources", "health"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert health.returncode == 0, health.stderr[-2000:]
    line = next(x for x in health.stdout.splitlines() if "fixture-legacy" in x)
    cells = [c.strip() for c in line.split("│") if c.strip()]
    assert cells[:5] == ["fixture-legacy", "1", "0", "3", "0"], line  # source, runs, fetched, new, errors
