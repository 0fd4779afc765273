"""Crawls started from the admin ("lancer maintenant").

Scrapy's reactor runs once per process, so each crawl is a child process running the
ordinary ``veille crawl NAME`` command; its output goes to
``<data dir>/logs/web-crawl-<name>-<UTC time>.log``. One crawl per source at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from veille.core.config import Settings


@dataclass
class Crawl:
    source: str
    started_at: datetime
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    @property
    def status(self) -> str:
        code = self.returncode
        if code is None:
            return "en cours"
        return "terminée" if code == 0 else f"échec (code {code})"

    def log_tail(self, max_chars: int = 4000) -> str:
        try:
            data = self.log_path.read_bytes()[-max_chars:]
        except OSError:
            return ""
        return data.decode("utf-8", errors="replace")


class Crawls:
    def __init__(self, settings: Settings, command: list[str] | None = None) -> None:
        self.settings = settings
        # The crawl command line without the source name (tests replace it).
        self.command = command or [sys.executable, "-c", "from veille.cli import run; run()", "crawl"]
        self._lock = threading.Lock()
        self._crawls: list[Crawl] = []

    def running(self, source: str) -> Crawl | None:
        with self._lock:
            return next((c for c in self._crawls if c.source == source and c.returncode is None), None)

    def start(self, source: str) -> tuple[Crawl, bool]:
        """Start a crawl of ``source`` unless one is running: ``(crawl, started)``."""
        with self._lock:
            current = next((c for c in self._crawls if c.source == source and c.returncode is None), None)
            if current is not None:
                return current, False
            logs = self.settings.data_dir / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            now = datetime.now(UTC)
            log_path = logs / f"web-crawl-{source}-{now:%Y%m%dT%H%M%SZ}.log"
            env = {
                **os.environ,
                "VEILLE_DATA_DIR": str(self.settings.data_dir),
                "VEILLE_CONFIG_DIR": str(self.settings.config_dir),
                "VEILLE_DATABASE_URL": self.settings.database_url,
            }
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [*self.command, source, "--data-dir", str(self.settings.data_dir)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=str(self.settings.data_dir),
                    start_new_session=True,
                )
            crawl = Crawl(source=source, started_at=now, log_path=log_path, process=process)
            self._crawls.append(crawl)
            self._crawls = self._crawls[-50:]
            return crawl, True

    def recent(self) -> list[Crawl]:
        with self._lock:
            return list(reversed(self._crawls))

    def stop_all(self, timeout: float = 5.0) -> None:
        with self._lock:
            running = [c for c in self._crawls if c.returncode is None]
        for crawl in running:
            crawl.process.terminate()
        for crawl in running:
            try:
                crawl.process.wait(timeout)
            except subprocess.TimeoutExpired:
                crawl.process.kill()
