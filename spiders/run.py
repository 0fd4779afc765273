"""Run a crawl from Python: :func:`run_crawl` (what ``veille crawl`` calls).

The run id is created in the run ledger before crawling (``store.start_run``) and handed
to the item pipelines as the Scrapy setting ``VEILLE_RUN_ID``; the StorePipeline writes
one ledger line per source and finishes the run. The :class:`CrawlReport` returned is
read back from the ledger, so it says what was recorded.

**One crawl per process.** Scrapy runs on a Twisted reactor, and a reactor can be started
only once per process: a second :func:`run_crawl` in the same process raises
:class:`CrawlError`. Callers that crawl more than once (tests, the scheduler, the admin page)
run the command line in a process of their own: ``python -m spiders.run [NAME...]`` /
``veille crawl``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from veille.core.config import Settings
from veille.core.errors import VeilleError
from veille.core.ledger import ledger_lines
from veille.core.sources import Source, find_sources, load_sources


class CrawlError(VeilleError):
    """The crawl could not be run."""


@dataclass(frozen=True)
class SourceReport:
    name: str
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    dropped: int = 0
    drop_reasons: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    error_messages: tuple[str, ...] = ()
    partial: int = 0  # archived from the feed only (an aggregator's link, a paywall)
    completed: int = 0  # partial articles completed in place by this source's articles


@dataclass(frozen=True)
class CrawlReport:
    run_id: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    sources: tuple[SourceReport, ...] = ()

    def total(self, key: str) -> int:
        return sum(getattr(s, key) for s in self.sources)

    def source(self, name: str) -> SourceReport | None:
        return next((s for s in self.sources if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("started_at", "finished_at"):
            d[key] = d[key].isoformat() if d[key] else None
        for s in d["sources"]:
            s["error_messages"] = list(s["error_messages"])
        return d


def report_from_ledger(store: Any, run_id: int) -> CrawlReport:
    """The crawl report of ``run_id`` as recorded in the run ledger."""
    limit = 20
    while True:
        runs = store.runs(limit=limit)
        run = next((r for r in runs if r["id"] == run_id), None)
        if run is not None or len(runs) < limit or limit > 5000:
            break
        limit *= 4
    if run is None:
        raise CrawlError(f"run {run_id} is not in the run ledger")
    sources = tuple(
        SourceReport(
            name=s["source"],
            fetched=s.get("fetched") or 0,
            new=s.get("new") or 0,
            duplicate=s.get("duplicate") or 0,
            dropped=s.get("dropped") or 0,
            drop_reasons=dict(s.get("drop_reasons") or {}),
            errors=s.get("errors") or 0,
            error_messages=tuple(s.get("error_messages") or ()),
            partial=s.get("partial") or 0,
            completed=s.get("completed") or 0,
        )
        for s in run["sources"]
    )
    return CrawlReport(run_id, run["status"], run.get("started_at"), run.get("finished_at"), sources)


def parse_since(
    value: str | datetime | None, now: datetime | None = None, zone: ZoneInfo | None = None
) -> datetime | None:
    """``--since``: ISO or French date ("2025-03-01", "1 mars 2025") or an age ("7d", "12h");
    a date without a zone is read in ``zone`` (digest.toml's timezone, from the crawl's settings)."""
    if value is None or isinstance(value, datetime):
        return value
    from spiders.page import TZ, parse_date

    now = now or datetime.now(UTC)
    m = re.fullmatch(r"\s*(\d+)\s*([dhw]|j)\s*", value.lower())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return now - {"d": timedelta(days=n), "j": timedelta(days=n), "h": timedelta(hours=n),
                      "w": timedelta(weeks=n)}[unit]  # fmt: skip
    dt = parse_date(value, now, zone or TZ)
    if dt is None:
        raise CrawlError(f"cannot read the date {value!r}; use e.g. 2025-03-01, '1 mars 2025' or 7d")
    return dt


def choose_sources(settings: Settings, names: list[str] | None, sources: list[Source] | None) -> list[Source]:
    """The sources to crawl: the given ones, or the enabled ones of sources.toml, by name."""
    pool = sources if sources is not None else load_sources(settings.path("sources.toml"), enabled_only=True)
    return find_sources(pool, names) if names else list(pool)


def scrapy_settings(
    settings: Settings,
    *,
    run_id: int | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    refresh: bool = False,
    allow_hosts: tuple[str, ...] = (),
    overrides: dict[str, Any] | None = None,
) -> Any:
    """Scrapy settings for a Veille crawl: spiders/settings.py, crawl.toml, then the run's."""
    from scrapy.settings import Settings as ScrapySettings

    s = ScrapySettings()
    s.setmodule("spiders.settings", priority="project")
    values = settings.crawl.to_scrapy_settings()
    values["VEILLE_CRAWL_CONFIG_APPLIED"] = True
    values["VEILLE_PIPELINE"] = settings.pipeline.model_dump(mode="json")  # read once, passed down
    values["VEILLE_ALLOW_HOSTS"] = list(dict.fromkeys([*values["VEILLE_ALLOW_HOSTS"], *allow_hosts]))
    s.setdict(values, priority="project")
    s.setdict(
        {
            "VEILLE_DATABASE_URL": settings.database_url,
            "VEILLE_DATA_DIR": str(settings.data_dir),
            "VEILLE_CONFIG_DIR": str(settings.config_dir),
            "VEILLE_REFRESH": refresh,
            "VEILLE_RUN_ID": run_id,
            "VEILLE_SINCE": since.isoformat() if since else None,
            "VEILLE_LIMIT": limit,
            "VEILLE_TIMEZONE": settings.digest.timezone,  # zone-less dates of sources that name none
            # run_crawl finishes the run itself once every source's spider has closed
            "VEILLE_FINISH_RUN": run_id is None,
        },
        priority="cmdline",
    )
    if overrides:
        s.setdict(overrides, priority="cmdline")
    return s


def worker_settings(s: Any) -> None:
    """Make the Scrapy settings ``s`` those of a crawl worker (``veille crawl --worker``): the
    frontier in Redis (:mod:`spiders.frontier`) and the politeness of every worker together
    (:mod:`spiders.hostlimits`) in place of the process's own delay and AutoThrottle. A worker
    never extracts (its crawl's end would extract every pending article, the other workers' too,
    outside the claims): extraction is the extraction workers' (``veille extract --worker``)."""
    cluster = s.getdict("VEILLE_CLUSTER")
    prefix = cluster.get("frontier", "veille")
    s.setdict(
        {
            "SCHEDULER": "spiders.frontier.SharedScheduler",
            "SCHEDULER_QUEUE_CLASS": "spiders.frontier.LeasedQueue",
            "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,
            "REDIS_URL": cluster.get("redis_url"),
            # the politeness every worker shares, taken from the crawl's own settings...
            "VEILLE_HOST_LIMITS": True,
            "VEILLE_HOST_CONCURRENCY": s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "VEILLE_HOST_DELAY": s.getfloat("DOWNLOAD_DELAY"),
            # ...in place of the process's: a local wait after the shared lease would bunch requests
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOADER_MIDDLEWARES": {
                **s.getdict("DOWNLOADER_MIDDLEWARES"),
                "spiders.hostlimits.HostLimitMiddleware": 950,  # last before the download
            },
            "SPIDER_MIDDLEWARES": {**s.getdict("SPIDER_MIDDLEWARES"), "spiders.frontier.SeedOnce": 10},
            "VEILLE_EXTRACT": False,
        },
        priority=50,  # above -s: a worker's politeness cannot be switched off by accident
    )


def check_redis(url: str) -> None:
    """One clear line when the workers' Redis cannot be reached."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure is the same advice
        raise CrawlError(
            f"cannot reach Redis at {url} ({type(exc).__name__}: {exc}): start it, or set "
            "[crawl.cluster] redis_url in crawl.toml"
        ) from exc


_REACTOR_USED = False


def run_crawl(
    settings: Settings,
    names: list[str] | None = None,
    *,
    sources: list[Source] | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    refresh: bool = False,
    allow_hosts: tuple[str, ...] = (),
    progress: bool = False,
    log_to_file: bool = False,
    overrides: dict[str, Any] | None = None,
    worker: bool = False,
) -> CrawlReport:
    """Crawl the chosen sources in this process and return the ledger's report.

    ``names`` picks sources of ``config/sources.toml`` (all enabled ones by default);
    ``sources`` crawls those instead (the demo). ``overrides`` are extra Scrapy settings.
    With ``progress`` or ``log_to_file``, Scrapy's log goes to ``logs/crawl-<run>.log`` in the
    data directory instead of stderr.
    With ``worker``, the process is one of several crawl workers sharing the sources' frontier
    and per-host limits in Redis (:func:`worker_settings`).
    Only once per process (see the module docstring). Any error once the run is in the ledger
    finishes it ``failed`` and is raised as one :class:`CrawlError`.
    """
    if _REACTOR_USED:
        raise CrawlError(
            "a crawl already ran in this process (Twisted cannot restart): run each crawl in a process of its own"
        )
    chosen = choose_sources(settings, names, sources)
    if not chosen:
        raise CrawlError("no source to crawl: enable one in sources.toml or name one")
    from veille.archive.store import open_store

    if worker:
        check_redis(settings.crawl.cluster.redis_url)
    settings.ensure_data_dir()
    store = open_store(settings.database_url)
    try:
        store.mark_interrupted_runs()  # runs of crawls killed earlier
        store.record_sources([(s.name, s.label, s.kind) for s in chosen])  # the pages name them by label
        run_id = store.start_run(
            "crawl",
            detail={
                "sources": [s.name for s in chosen],
                "since": since.isoformat() if since else None,
                "limit": limit,
                "refresh": refresh,
                **({"worker": True} if worker else {}),
            },
        )
        extra = dict(overrides or {})
        if progress or log_to_file:
            logs = settings.data_dir / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            extra.setdefault("LOG_FILE", str(logs / f"crawl-{run_id}.log"))
        try:
            s = scrapy_settings(
                settings, run_id=run_id, since=since, limit=limit, refresh=refresh, allow_hosts=allow_hosts,
                overrides=extra,
            )  # fmt: skip
            if worker:
                worker_settings(s)
            _crawl(store, run_id, chosen, s, progress=progress)
        except CrawlError:
            raise  # the run is finished already
        except Exception as exc:  # the run's settings, the crawler process...: the run fails all the same
            line = _Failures.one_line(
                str(exc) if isinstance(exc, VeilleError) else f"{type(exc).__name__}: {exc}"
            )
            store.finish_run(run_id, status="failed", detail={"errors": [line]})
            raise CrawlError(f"run {run_id} failed: {line}") from exc
        return report_from_ledger(store, run_id)
    finally:
        store.close()


def _crawl(store: Any, run_id: int, chosen: list[Source], s: Any, *, progress: bool) -> None:
    """Run the spiders of ``chosen`` (Scrapy settings ``s``) and finish the run in the ledger."""
    global _REACTOR_USED
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.reactor import install_reactor
    from twisted.internet.task import LoopingCall

    from spiders.archive import CrawlArchive
    from spiders.loader import spider_class_for
    from spiders.progress import CrawlProgress
    from veille.archive.store import RUN_HEARTBEAT_SECONDS

    _REACTOR_USED = True
    process = CrawlerProcess(s)
    archive = CrawlArchive(store)  # one for every source of this process
    # Scrapy installs the reactor as its first crawler starts, after making the spider: one that
    # cannot be made would leave the other sources without a reactor
    install_reactor(s["TWISTED_REACTOR"], s["ASYNCIO_EVENT_LOOP"])
    failures = _Failures()
    crawlers = []
    for source in chosen:
        try:
            crawler = process.create_crawler(spider_class_for(source))
        except Exception as exc:  # the source's spider class cannot be built: the others still crawl
            message = f"{source.name}: the spider cannot be built: {type(exc).__name__}: {exc}"
            failures.add(message)
            store.record_source(run_id, source.name, {"errors": 1, "error_messages": [message]})
            continue
        crawler.veille_archive = archive  # type: ignore[attr-defined]  # read by spiders and stages
        crawlers.append((source, crawler))
        failures.watch(source.name, crawler)
        process.crawl(crawler).addErrback(failures.crawl_failed, source.name)
    display = CrawlProgress([src.name for src in chosen]) if progress else None
    if display:
        for source, crawler in crawlers:
            display.watch(source.name, crawler)
        display.start()
    beat = LoopingCall(store.heartbeat, run_id)
    beat.start(RUN_HEARTBEAT_SECONDS, now=False).addErrback(lambda f: failures.add(f"heartbeat: {f.value}"))
    try:
        with failures.listening():
            process.start()
    except Exception as exc:  # the reactor or a component failed to start
        failures.add(f"{type(exc).__name__}: {exc}")
    finally:
        if beat.running:
            beat.stop()
        if display:
            display.stop()
    _complete_ledger(store, run_id, crawlers, failed=bool(failures.errors))
    if failures.errors:
        store.finish_run(run_id, status="failed", detail={"errors": failures.errors[:20]})
        where = f" (log: {s.get('LOG_FILE')})" if s.get("LOG_FILE") else ""
        more = f" and {len(failures.errors) - 1} more" if len(failures.errors) > 1 else ""
        raise CrawlError(f"run {run_id} failed: {failures.errors[0]}{more}{where}")


class _Failures:
    """Errors raised inside the crawl, which Scrapy and Twisted log and go on past: a crawler
    or stage that cannot be created or opened, a stage raising on an item (a store that cannot
    be written), a spider that cannot start or whose callback raised. Any of them fails the run."""

    LOGGERS = (
        "scrapy.core.engine",
        "scrapy.core.scraper",
        "scrapy.utils.signal",
        "scrapy.crawler",
        "twisted",
    )

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._refs: list[Any] = []

    @staticmethod
    def one_line(message: str) -> str:
        return " ".join(message.strip().split("\n", 1)[0].split())[:300]

    def add(self, message: str) -> None:
        line = self.one_line(message)
        if line and line not in self.errors:
            self.errors.append(line)

    def crawl_failed(self, failure: Any, name: str) -> None:
        self.add(f"{name}: the crawl cannot start: {failure.type.__name__}: {failure.value}")

    def watch(self, name: str, crawler: Any) -> None:
        from scrapy import signals

        def item_error(item: Any, response: Any, spider: Any, failure: Any) -> None:
            self.add(
                f"{name}: a stage failed on {getattr(item, 'url', 'an item')}: {failure.type.__name__}: {failure.value}"
            )

        def spider_error(failure: Any, response: Any, spider: Any) -> None:
            where = "cannot start" if response is None else f"failed on {response.url}"
            self.add(f"{name}: the spider {where}: {failure.type.__name__}: {failure.value}")

        self._refs += [item_error, spider_error]  # signals hold weak references
        crawler.signals.connect(item_error, signal=signals.item_error)
        crawler.signals.connect(spider_error, signal=signals.spider_error)

    def listening(self) -> Any:
        """While the reactor runs, the errors the engine and Twisted only log count too."""
        import contextlib
        import logging

        collector = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                message = record.getMessage()
                by_signal = (
                    record.name == "scrapy.core.scraper"
                    and message.startswith(("Error downloading", "Error processing", "Spider error"))
                ) or (record.name == "scrapy.core.engine" and message.startswith("Error while reading start"))
                if by_signal:
                    return  # download errors are counted per source; the others come by signal, named
                if record.exc_info and record.exc_info[1] is not None:
                    exc = record.exc_info[1]
                    message = f"{message.splitlines()[0] if message else ''} {type(exc).__name__}: {exc}"
                collector.add(message)

        @contextlib.contextmanager
        def attached() -> Any:
            handler = Handler(level=logging.ERROR)
            loggers = [logging.getLogger(n) for n in self.LOGGERS]
            for lg in loggers:
                lg.addHandler(handler)
            try:
                yield
            finally:
                for lg in loggers:
                    lg.removeHandler(handler)

        return attached()


def _complete_ledger(store: Any, run_id: int, crawlers: list[tuple[Source, Any]], *, failed: bool) -> None:
    """Make sure every crawled source has its ledger line and the run is finished, even
    when the StorePipeline is disabled (ITEM_PIPELINES overridden) or a spider never opened."""
    run = next((r for r in store.runs(limit=50) if r["id"] == run_id), None)
    recorded = {s["source"] for s in (run or {}).get("sources", [])}
    any_errors = False
    for source, crawler in crawlers:
        # the same line the store stage writes (a source it never saw gets one of zeros)
        line = ledger_lines(crawler_stats(crawler), {source.name: {}})[source.name]
        any_errors = any_errors or line["errors"] > 0
        if source.name not in recorded:
            store.record_source(run_id, source.name, line)
    status = (run or {}).get("status", "running")
    if failed:
        status = "failed"
    elif status == "running":
        status = "partial" if any_errors else "ok"
    store.finish_run(run_id, status=status)


def crawler_stats(crawler: Any) -> dict[str, Any]:
    """A crawler's stats; none when its crawl never started (``crawler.stats`` raises then)."""
    stats = getattr(crawler, "_stats", None)  # Scrapy sets it as the crawl starts
    return stats.get_stats() if stats is not None else {}
