"""An extraction worker: ``veille extract --worker``, one of several processes on one or several
machines sharing the extraction of the archive.

The worker claims a batch of pending articles in the archive (:mod:`veille.archive.claims`),
extracts them with the model it loaded once, and commits each article with the release of its
claim; while it works it renews its lease and its run's heartbeat. A worker that dies (SIGKILL,
a lost machine) stops renewing: once its lease expires, another worker takes its articles over,
and the commit guard keeps each article's extraction committed once. SIGTERM stops it after the
batch in hand, its remaining claims given back.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.extract import ExtractReport, extract_articles
from veille.archive.runs import RUN_HEARTBEAT_SECONDS
from veille.archive.store import Store
from veille.core.conf.pipeline import WorkerConfig

log = logging.getLogger(__name__)


def worker_id() -> str:
    """This worker's name in the claims: host, process and a random part (a reused pid differs)."""
    return f"{socket.gethostname()[:150]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class WorkerReport:
    worker: str
    run_id: int
    batches: int = 0
    taken_over: int = 0  # articles claimed from a worker whose lease had expired
    extract: ExtractReport = field(default_factory=ExtractReport)

    def add(self, report: ExtractReport) -> None:
        total = self.extract
        total.processed += report.processed
        total.failed += report.failed
        total.lost += report.lost
        total.figures += report.figures
        total.organisations |= report.organisations
        total.errors += report.errors


class _Keepalive:
    """Renews the worker's lease and its run's heartbeat when a third of the lease has passed
    (at least every RUN_HEARTBEAT_SECONDS): called after each article and while idle."""

    def __init__(self, store: Store, worker: str, run_id: int, lease_seconds: float) -> None:
        self.store, self.worker, self.run_id, self.lease = store, worker, run_id, lease_seconds
        self.every = min(lease_seconds / 3, RUN_HEARTBEAT_SECONDS)
        self.last = time.monotonic()

    def __call__(self, force: bool = False) -> None:
        if not force and time.monotonic() - self.last < self.every:
            return
        self.store.renew_claims(self.worker, self.lease)
        self.store.heartbeat(self.run_id)
        self.last = time.monotonic()


def run_worker(
    store: Store,
    config: WorkerConfig,
    *,
    config_dir: Path | None = None,
    n_process: int = 1,
    batch_size: int = 64,
    since: datetime | None = None,
    until_done: bool = False,
    stop: threading.Event | None = None,
) -> WorkerReport:
    """Claim and extract batches until ``stop`` is set, or (``until_done``) until no article is
    pending and no claim is left to settle (a dead worker's claims are waited for, then taken over).
    The worker's run (kind "extract") is "running" meanwhile, with this process's heartbeat."""
    from pipeline.nlp import EXTRACTOR_VERSION, build_nlp

    stop = stop or threading.Event()
    worker = worker_id()
    nlp = build_nlp(config_dir)  # first: the run's heartbeat starts with the work
    store.mark_interrupted_runs()  # runs of workers that died here (or stopped heartbeating)
    report = WorkerReport(worker, store.start_run("extract", {"worker": worker}))
    keepalive = _Keepalive(store, worker, report.run_id, config.lease_seconds)
    log.info("extraction worker %s started (run %d)", worker, report.run_id)
    status = "failed"
    try:
        while not stop.is_set():
            claimed = store.claim_extraction(
                worker, EXTRACTOR_VERSION, batch=config.batch, lease_seconds=config.lease_seconds,
                max_attempts=config.max_attempts, since=since,
            )  # fmt: skip
            keepalive(force=True)
            if not claimed.ids:
                if until_done and not store.extraction_outstanding(config.max_attempts):
                    break
                stop.wait(min(config.poll_seconds, config.lease_seconds / 3))
                continue
            if claimed.taken_over:
                log.warning("took over %d articles whose worker's lease had expired", claimed.taken_over)
            batch = extract_articles(
                store, ids=claimed.ids, n_process=n_process, batch_size=batch_size, config_dir=config_dir,
                nlp=nlp, worker=worker, tick=keepalive,
            )  # fmt: skip
            report.batches += 1
            report.taken_over += claimed.taken_over
            report.add(batch)
            log.info("batch of %d: %d extracted, %d failed, %d lost",
                     len(claimed.ids), batch.processed, batch.failed, batch.lost)  # fmt: skip
        status = "ok"
    finally:
        store.release_claims(worker)
        store.finish_run(report.run_id, status, _detail(report))
    return report


def _detail(report: WorkerReport) -> dict[str, object]:
    e = report.extract
    return {
        "worker": report.worker,
        "batches": report.batches,
        "extracted": e.processed,
        "failed": e.failed,
        "lost": e.lost,
        "taken_over": report.taken_over,
        "figures": e.figures,
    }
