"""`veille schedule` as a service: it starts, keeps its jobs in the archive and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO


def test_schedule_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    init = [sys.executable, "-m", "veille", "init", "--data-dir", str(data)]  # the scheduler needs an archive
    assert subprocess.run(init, cwd=REPO, env=env, capture_output=True, timeout=120).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "veille", "schedule", "--data-dir", str(data)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        db = data / "veille.db"
        deadline = time.monotonic() + 60
        jobs: list[tuple[str]] = []
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    jobs = sqlite3.connect(db).execute("select id from apscheduler_jobs").fetchall()
                except sqlite3.OperationalError:
                    jobs = []
                if {"crawl", "digest"} <= {j for (j,) in jobs}:  # added one after the other
                    break
            time.sleep(0.2)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert {"crawl", "digest"} <= {j for (j,) in jobs}  # persistent job store in the archive
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "Traceback" not in out
