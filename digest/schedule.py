"""The scheduler: crawl every N hours (then extract), the weekly digest on Monday morning.

APScheduler 3.x with its jobs in the archive database (SQLAlchemyJobStore, table
``apscheduler_jobs``). Jobs are module-level functions taking plain arguments
(``data_dir``, ``config_dir``) so they pickle into the store. On start, a job already in
the store with the same trigger keeps its ``next_run_time``: a digest missed while the
scheduler was down is sent once at restart (``coalesce=True``) when it is still within
``misfire_grace_time``, and logged as missed otherwise. Crawl and extract run as
``veille`` subprocesses (Scrapy's reactor runs once per process). SIGTERM stops cleanly:
no new job starts, the running one finishes.

Several ``veille schedule`` processes may run (on several machines, for availability): the one
holding the lease ``scheduler`` in the archive (:mod:`veille.archive.leases`) is the leader and
the only one to start its APScheduler (schedulers must not share a job store while running);
it renews the lease every third of ``lease_seconds``. The others wait and ask again as often;
when the leader dies its lease expires and one of them takes over, and a run the dead leader
missed fires once there (``coalesce``, within the grace time). A leader that cannot renew its
lease (the database unreachable, or taken over after a long stall) stops its scheduler before
the lease can pass to another.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING, BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from veille.core.conf.schedule import ScheduleConfig
from veille.core.config import Settings
from veille.core.errors import VeilleError

log = logging.getLogger("veille.schedule")
LEADER_LEASE = "scheduler"  # the name of the leadership's lease in the archive
DIGEST_RETRY_MINUTES = 30
DIGEST_RETRY_MAX = 8


class JobFailed(VeilleError):
    pass


class DigestIncomplete(JobFailed):
    def __init__(self, period: str, attempt: int, summary: str) -> None:
        self.period, self.attempt = period, attempt
        super().__init__(f"digest {period} incomplete: {summary}")


# -- job functions (module level: they are pickled into the job store by reference) ----------
def _veille(*args: str) -> list[str]:
    return [sys.executable, "-m", "veille", *args]


def _run(argv: list[str], timeout: float) -> None:
    log.info("running %s", " ".join(argv[2:]))
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise JobFailed(f"`{' '.join(argv[2:])}` timed out after {timeout / 60:.0f} min") from None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise JobFailed(f"`{' '.join(argv[2:])}` exited {proc.returncode}: {' | '.join(tail)}")


def crawl_job(
    data_dir: str, config_dir: str, extract_after: bool = True, timeout_minutes: float = 240.0
) -> None:
    """``veille crawl``, ``veille extract --pending``, then ``veille watch run`` (the watches'
    alerts and webhooks on what came in), each in its own process."""
    common = ["--data-dir", data_dir, "--config-dir", config_dir]
    _run(_veille("crawl", *common), timeout_minutes * 60)
    if extract_after:
        _run(_veille("extract", "--pending", *common), timeout_minutes * 60)
    _run(_veille("watch", "run", *common), timeout_minutes * 60)


def digest_job(data_dir: str, config_dir: str, period: str | None = None, attempt: int = 1) -> str:
    """Send last week's digest (or ``period``); raises :class:`DigestIncomplete` if some were deferred."""
    from digest.compose import last_complete_week
    from digest.notice import notify_operator
    from digest.send import deliver_week
    from digest.smtp import SmtpSender
    from veille.archive import deliveries as ledger
    from veille.archive.store import open_store

    settings = Settings.load(data_dir, config_dir)
    config = settings.digest
    week = period or last_complete_week(datetime.now(UTC), config.timezone).id
    store = open_store(settings.database_url, timezone=settings.digest.timezone)
    try:
        with SmtpSender.from_config(config.smtp) as sender:
            report = deliver_week(settings, store, week, sender, config=config)
        unconfirmed = ledger.unconfirmed(store)
        if unconfirmed:  # nobody reads this job's output: tell the operator (a new connection)
            log.warning("%d unconfirmed deliveries wait for an operator (see /admin)", len(unconfirmed))
            with SmtpSender.from_config(config.smtp) as sender:
                notify_operator(
                    config, sender, unconfirmed, settings.data_dir / "outbox" / "operator-notice.json"
                )
    finally:
        store.close()
    log.info("digest %s", report.summary())
    if report.deferred or (report.aborted and not report.unconfirmed):
        raise DigestIncomplete(week, attempt, report.summary())  # retrying cannot settle an unconfirmed one
    return report.summary()


# -- the scheduler ---------------------------------------------------------------------------
@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    func: str  # "module:function"
    trigger: Any
    args: tuple[Any, ...]
    misfire_grace_time: int


def job_specs(settings: Settings, cfg: ScheduleConfig) -> list[JobSpec]:
    data, conf = str(settings.data_dir), str(settings.config_dir)
    specs = []
    if cfg.crawl.enabled:
        specs.append(JobSpec(
            "crawl", f"crawl every {cfg.crawl.every_hours:g} h" + (" + extract" if cfg.crawl.extract_after else ""),
            "digest.schedule:crawl_job",
            IntervalTrigger(hours=cfg.crawl.every_hours, timezone=cfg.timezone),
            (data, conf, cfg.crawl.extract_after, cfg.crawl.timeout_minutes),
            int(cfg.crawl.misfire_grace_minutes * 60),
        ))  # fmt: skip
    if cfg.digest.enabled:
        specs.append(JobSpec(
            "digest", f"weekly digest ({cfg.digest.day_of_week} {cfg.digest.hour:02d}:{cfg.digest.minute:02d} {cfg.timezone})",
            "digest.schedule:digest_job",
            CronTrigger(day_of_week=cfg.digest.day_of_week, hour=cfg.digest.hour, minute=cfg.digest.minute, timezone=cfg.timezone),
            (data, conf),
            int(cfg.digest.misfire_grace_hours * 3600),
        ))  # fmt: skip
    return specs


def _same(job: Any, spec: JobSpec) -> bool:
    return (
        job.func_ref == spec.func
        and str(job.trigger) == str(spec.trigger)
        and str(getattr(job.trigger, "timezone", "")) == str(getattr(spec.trigger, "timezone", ""))
        and tuple(job.args) == spec.args
        and job.misfire_grace_time == spec.misfire_grace_time
    )


def sync_jobs(scheduler: BaseScheduler, specs: list[JobSpec]) -> None:
    """Make the job store match the config; an unchanged job keeps its next run (missed runs fire)."""
    wanted = {s.id for s in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted and job.id != "digest-retry":
            log.info("removing job %s (no longer configured)", job.id)
            job.remove()
    for spec in specs:
        job = scheduler.get_job(spec.id)
        if job is not None and _same(job, spec):
            continue
        scheduler.add_job(
            spec.func, spec.trigger, args=list(spec.args), id=spec.id, name=spec.name, replace_existing=True,
            coalesce=True, misfire_grace_time=spec.misfire_grace_time, max_instances=1,
        )  # fmt: skip


def _listener(scheduler: BaseScheduler) -> Any:
    def on_event(event: JobExecutionEvent | JobSubmissionEvent) -> None:
        if isinstance(event, JobSubmissionEvent):  # a job fired: which run (one line per run)
            for when in event.scheduled_run_times:
                log.info("job %s fired: run of %s", event.job_id, when.isoformat())
            return
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s (outside its grace time); next run as scheduled",
                        event.job_id, event.scheduled_run_time)  # fmt: skip
        elif event.code == EVENT_JOB_ERROR:
            log.error(
                "job %s (run of %s) failed: %s", event.job_id, event.scheduled_run_time, event.exception
            )
            exc = event.exception
            if isinstance(exc, DigestIncomplete) and exc.attempt < DIGEST_RETRY_MAX:
                job = scheduler.get_job(event.job_id)
                args = list(job.args[:2]) if job else []
                if args:
                    when = datetime.now(UTC) + timedelta(minutes=DIGEST_RETRY_MINUTES)
                    scheduler.add_job(
                        "digest.schedule:digest_job", DateTrigger(when), args=[*args, exc.period, exc.attempt + 1],
                        id="digest-retry", name=f"retry digest {exc.period}", replace_existing=True,
                        coalesce=True, misfire_grace_time=24 * 3600,
                    )  # fmt: skip
                    log.info("digest %s: retry %d scheduled at %s", exc.period, exc.attempt + 1, when)
        elif event.code == EVENT_JOB_EXECUTED:
            log.info("job %s done", event.job_id)

    return on_event


class VeilleScheduler(BackgroundScheduler):
    """Processes jobs only while running: a paused scheduler being shut down (``--list``)
    must not consume a missed run on its way out."""

    def _process_jobs(self) -> float | None:
        if self.state != STATE_RUNNING:
            return None
        return super()._process_jobs()


def build_scheduler(
    settings: Settings, *, config: ScheduleConfig | None = None, jobstore_url: str | None = None
) -> BackgroundScheduler:
    """A started but *paused* scheduler whose job store matches the config.

    Paused, nothing fires (what ``veille schedule --list`` needs); ``scheduler.resume()``
    runs it: due jobs within their grace time fire once, older ones are logged as missed.
    A background scheduler plus a stop event (:func:`run_scheduler`) behaves as a blocking
    one while letting SIGTERM end it cleanly.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    cfg = config or settings.schedule
    scheduler = VeilleScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=jobstore_url or settings.database_url)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=ZoneInfo(cfg.timezone),
    )
    scheduler.add_listener(
        _listener(scheduler), EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_EXECUTED | EVENT_JOB_SUBMITTED
    )
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, job_specs(settings, cfg))
    except BaseException:
        scheduler.shutdown(wait=False)
        raise
    return scheduler


@dataclass(frozen=True)
class JobInfo:
    id: str
    name: str
    trigger: str
    next_run: datetime | None


def list_jobs(settings: Settings, *, config: ScheduleConfig | None = None) -> list[JobInfo]:
    """The jobs as they are in the store after syncing with the config, with their next run."""
    scheduler = build_scheduler(settings, config=config)
    try:
        return [JobInfo(j.id, j.name, str(j.trigger), j.next_run_time) for j in scheduler.get_jobs()]
    finally:
        scheduler.shutdown(wait=False)


def run_scheduler(settings: Settings, *, config: ScheduleConfig | None = None) -> None:
    """Run until SIGTERM/SIGINT (blocking): wait to lead, then run the jobs while leading.
    Missed jobs within their grace fire once when this process starts leading."""
    from veille.archive.store import open_store

    cfg = config or settings.schedule
    stop = _install_signal_handlers()
    me = f"{socket.gethostname()[:150]}:{os.getpid()}:{secrets.token_hex(4)}"
    store = open_store(settings.database_url, migrate=False)
    try:
        waiting_for: str | None = None
        while not stop.is_set():
            leader = _acquire(store, me, cfg.lease_seconds)
            if leader == me:
                log.info("leading the schedule (%s; lease %g s)", me, cfg.lease_seconds)
                _lead(settings, cfg, store, me, stop)
                waiting_for = None
                continue
            if leader is not None and leader != waiting_for:
                log.info("waiting: %s leads the schedule", leader)
                waiting_for = leader
            stop.wait(cfg.lease_seconds / 3)
    finally:
        _release(store, me)


def _release(store: Any, me: str) -> None:
    """Give the lead back (another scheduler takes it at once), the archive closed."""
    from veille.core.errors import StoreError

    try:
        store.release_lease(LEADER_LEASE, me)
    except StoreError as exc:
        log.warning("lead not given back (it expires by itself): %s", exc)
    finally:
        store.close()


def _acquire(store: Any, me: str, seconds: float) -> str | None:
    """Who leads once this process asked for the lead (``me`` when it got it); None when the
    archive does not answer (logged; asked again later)."""
    from veille.core.errors import StoreError

    try:
        if store.acquire_lease(LEADER_LEASE, me, seconds):
            return me
        lease = store.lease(LEADER_LEASE)
        return lease.holder if lease else "another scheduler"
    except StoreError as exc:
        log.warning("cannot reach the archive to ask for the lead: %s", exc)
        return None


def _lead(settings: Settings, cfg: ScheduleConfig, store: Any, me: str, stop: threading.Event) -> None:
    """Run the scheduler while the lease is renewed; stop it on SIGTERM or when the lease is lost
    (not renewed for two thirds of it: it stops before another may take it over)."""
    from veille.core.errors import StoreError

    scheduler = build_scheduler(settings, config=cfg)
    scheduler.resume()
    for job in scheduler.get_jobs():
        log.info("job %s: %s, next run %s", job.id, job.name, job.next_run_time)
    renewed = time.monotonic()
    while not stop.wait(cfg.lease_seconds / 3):
        try:
            if not store.renew_lease(LEADER_LEASE, me, cfg.lease_seconds):
                log.warning("the lead was taken over by another scheduler: stopping the jobs")
                break
            renewed = time.monotonic()
        except StoreError as exc:
            log.warning("lease not renewed: %s", exc)
            if time.monotonic() - renewed >= cfg.lease_seconds * 2 / 3:
                log.warning("lease about to expire: stopping the jobs until the archive answers")
                break
    scheduler.pause()  # no new job; the running one finishes, the lease renewed meanwhile
    log.info("stopping: waiting for the running job to finish")
    closing = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    closing.start()
    while closing.is_alive():
        closing.join(cfg.lease_seconds / 3)
        try:
            store.renew_lease(LEADER_LEASE, me, cfg.lease_seconds)
        except StoreError:
            pass


def _install_signal_handlers() -> Any:
    import threading

    stop = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    return stop
