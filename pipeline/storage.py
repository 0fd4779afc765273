"""Store stage: write the articles to the archive and keep the run ledger.

:class:`StorePipeline` opens the archive named by ``VEILLE_DATABASE_URL`` (migrating it) and
skips URLs already archived unless ``VEILLE_REFRESH``.

**Writes in batches.** With ``VEILLE_STORE_BATCH`` above 1 (the project settings: 25), items
wait in a batch that is written in one transaction when it is full, when its first item has
waited ``VEILLE_STORE_BATCH_SECONDS`` (0.5 s), when no item has come for 50 ms and when the
spider closes; each item leaves the
stage (kept, or dropped as known) once its batch is committed, and is counted then. One
transaction per batch instead of one per article: a crawl killed with ``kill -9`` loses at most
the batch not yet written (its pages are fetched again by the next crawl), never a part of a
batch, and a rerun adds no duplicates. A batch that cannot be written in one go (a concurrent
writer archived one of its URLs first, one bad item) is written again article by article, so
one failing item loses nothing written before or after it. ``VEILLE_STORE_BATCH = 1`` (the
default outside the project settings, as in library use and unit tests) writes each item in its
own transaction as it comes.

The ledger's lines are built from the crawl's stats by :func:`veille.core.ledger.ledger_lines`
(what they count is written there); this stage writes them every ``VEILLE_PROGRESS_EVERY``
items (default 50), so that a killed crawl still has its line, and at close.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from typing import Any

from pipeline.stage import Step, drop
from veille.archive.fulltext import index_text
from veille.archive.store import Store, open_store
from veille.archive.writes import Keys
from veille.core.ledger import PREFIX, ledger_lines, reason_key
from veille.core.models import Article
from veille.core.workers import Workers

log = logging.getLogger(__name__)

BATCH_IDLE_SECONDS = 0.05  # a batch is written once no item has come for this long


def database_url(s: Any) -> str:
    """The archive a crawl writes to: ``VEILLE_DATABASE_URL``, else the data dir's default."""
    url = s.get("VEILLE_DATABASE_URL")
    if url:
        return str(url)
    from veille.core.config import Settings

    return Settings.load(
        data_dir=s.get("VEILLE_DATA_DIR"), config_dir=s.get("VEILLE_CONFIG_DIR")
    ).database_url


def index_keys(article: Article) -> Keys:
    """The article's full-text keys (title, lead, text), as the archive indexes them: pure, so
    a worker process computes them."""
    return index_text(article.title or ""), index_text(article.lead), index_text(article.text or "")


class StorePipeline:
    """Scrapy item pipeline (after dedup): upsert articles, keep the run ledger up to date."""

    def __init__(
        self,
        database_url: str,
        *,
        crawler: Any = None,
        refresh: bool = False,
        run_id: int | None = None,
        finish_run: bool = True,
        progress_every: int = 50,
        progress_seconds: float = 60.0,
        batch_size: int = 1,
        batch_seconds: float = 0.5,
        workers: Workers | None = None,
    ) -> None:
        self.database_url = database_url
        self.crawler = crawler
        self.refresh = refresh
        self.given_run_id = run_id
        self.run_id: int | None = run_id
        self.finish = finish_run
        self.progress_every = max(1, progress_every)
        self.progress_seconds = progress_seconds
        self.store: Store | None = None
        self.signalled: dict[str, Counter[str]] = defaultdict(Counter)
        self._ticks = 0
        self._last_flush = time.monotonic()
        self._own_stats: dict[str, Any] = {}  # used when no crawler (library use)
        self._own_store = True
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self._pending: list[tuple[Article, Any, Keys | None]] = []  # (item, its Deferred, its keys) to write
        self.workers = workers or Workers()  # the full-text keys go with the stages' worker trip
        self._timer: Any = None
        self._first = 0.0  # when the oldest waiting item came

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        from scrapy import signals

        s = crawler.settings
        url = database_url(s)
        run_id = s.get("VEILLE_RUN_ID")
        pipe = cls(
            url,
            crawler=crawler,
            refresh=s.getbool("VEILLE_REFRESH", False),
            run_id=int(run_id) if run_id not in (None, "", 0, "0") else None,
            finish_run=s.getbool("VEILLE_FINISH_RUN", True),
            progress_every=s.getint("VEILLE_PROGRESS_EVERY", 50),
            batch_size=s.getint("VEILLE_STORE_BATCH", 1),
            batch_seconds=s.getfloat("VEILLE_STORE_BATCH_SECONDS", 0.5),
            workers=Workers.from_settings(s),
        )
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    # -- stats ------------------------------------------------------------------------------
    def _inc(self, key: str) -> None:
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.inc_value(key)
        else:
            self._own_stats[key] = self._own_stats.get(key, 0) + 1

    def _stats(self) -> dict[str, Any]:
        stats = getattr(self.crawler, "stats", None)
        return dict(stats.get_stats()) if stats is not None else dict(self._own_stats)

    def _spider_name(self) -> str:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "name", "") or ""

    # -- lifecycle ----------------------------------------------------------------------------
    def open_spider(self, spider: Any = None) -> None:
        shared = getattr(self.crawler, "veille_archive", None)  # the crawl process's one archive
        self._own_store = shared is None
        self.store = open_store(self.database_url) if shared is None else shared.store
        if self.run_id is None:
            self.run_id = self.store.start_run("crawl", detail={"spider": self._spider_name()})
        self._last_flush = time.monotonic()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """The item once written (or, batched, a coroutine giving it), or ``DropItem`` for a known URL."""
        if not isinstance(item, Article):
            return item
        if self.store is None:
            self.open_spider()
        assert self.store is not None
        keys = item.stage_results.pop("store", None)  # computed in a worker with the stages' work
        if self.batch_size > 1:
            return self._batched(item, keys)
        # one question to the archive: written unless known (the spider skipped the URLs it
        # knew before fetching; this catches a redirect or canonical URL, or another crawler's)
        return self._settle(
            item, self.store.upsert_article(item, keep_known=not self.refresh, index_keys=keys)
        )

    def step(self) -> Step | None:
        """The pure work that goes along with the stages' (see :mod:`pipeline.stage`): the
        article's full-text keys, for an archive that keeps them (SQLite)."""
        if self.store is None or self.store.dialect != "sqlite":
            return None
        return "store", index_keys, (), None

    async def _batched(self, item: Article, keys: Keys | None = None) -> Article:
        from scrapy.utils.defer import maybe_deferred_to_future

        result: Article = await maybe_deferred_to_future(self.enqueue(item, keys))
        return result

    def enqueue(self, item: Article, keys: Keys | None = None) -> Any:
        """Put ``item`` in the next batch; a Deferred fired once the batch is written, with the
        item or a failure (``DropItem`` for a known URL, or the write's error)."""
        from twisted.internet import reactor
        from twisted.internet.defer import Deferred

        clock: Any = reactor

        done: Deferred[Article] = Deferred()
        self._pending.append((item, done, keys))
        now = time.monotonic()
        if len(self._pending) == 1:
            self._first = now
        if len(self._pending) >= self.batch_size:
            self.flush()
        elif clock.running:
            # written once no item came for a moment, or once the first has waited batch_seconds
            delay = max(0.0, min(BATCH_IDLE_SECONDS, self._first + self.batch_seconds - now))
            if self._timer is None:
                self._timer = clock.callLater(delay, self.flush)
            else:
                self._timer.reset(delay)
        return done

    def flush(self) -> None:
        """Write the waiting items in one transaction (else one by one), count each and fire
        their Deferreds."""
        from twisted.python.failure import Failure

        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if not batch:
            return
        outcomes = self._write([(item, keys) for item, _, keys in batch])
        for (item, done, _), outcome in zip(batch, outcomes, strict=True):
            try:
                kept = self._settle(item, outcome)
            except Exception as exc:  # noqa: BLE001 - handed to the item's own chain
                done.errback(Failure(exc))
            else:
                done.callback(kept)

    def _write(self, batch: list[tuple[Article, Keys | None]]) -> list[tuple[int, bool | None] | Exception]:
        """Each item's ``(id, created)``, or the error that kept it out of the archive."""
        assert self.store is not None
        keep_known = not self.refresh
        items = [item for item, _ in batch]
        try:
            return list(
                self.store.upsert_articles(items, keep_known=keep_known, index_keys=[k for _, k in batch])
            )
        except Exception as exc:  # noqa: BLE001 - written again one by one below
            if len(items) == 1:
                return [exc]
            log.warning("a batch of %d articles could not be written at once (%s): writing them one by one",
                        len(items), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)  # fmt: skip
        outcomes: list[tuple[int, bool | None] | Exception] = []
        for item, keys in batch:
            try:
                outcomes.append(self.store.upsert_article(item, keep_known=keep_known, index_keys=keys))
            except Exception as exc:  # noqa: BLE001 - this item only
                outcomes.append(exc)
        return outcomes

    def _settle(self, item: Article, outcome: tuple[int, bool | None] | Exception) -> Article:
        """Count a written item for the ledger and pass it on; raise for a known URL or a failed write."""
        if isinstance(outcome, Exception):
            raise outcome
        _, created = outcome
        if created is None:
            self._tick()
            raise drop(
                self.crawler,
                item.source,
                "known",
                f"known (already archived: {item.canonical_url or item.url})",
                "DEBUG",
            )
        self._inc(f"{PREFIX}{item.source}/{'new' if created else 'updated'}")
        if item.partial and created:
            self._inc(f"{PREFIX}{item.source}/archived_partial")
        if item.completed:
            self._inc(f"{PREFIX}{item.source}/completed")
        if not created:
            self._inc(f"{PREFIX}{item.source}/duplicate")
        self._tick()
        return item

    def item_dropped(
        self, item: Any = None, response: Any = None, exception: Any = None, spider: Any = None
    ) -> None:
        """Signal handler: count drops by reason, whichever stage raised them."""
        source = getattr(item, "source", None)
        if not source:
            return
        self.signalled[source][reason_key(str(exception or ""))] += 1
        self._tick()

    def _tick(self) -> None:
        self._ticks += 1
        due = time.monotonic() - self._last_flush >= self.progress_seconds
        if self._ticks % self.progress_every == 0 or due:
            self.write_ledger()

    def write_ledger(self) -> dict[str, dict[str, Any]]:
        """Write (replace) this run's line for every source seen so far."""
        lines = ledger_lines(self._stats(), self.signalled)
        if self.store is not None and self.run_id is not None:
            for source, line in lines.items():
                self.store.record_source(self.run_id, source, line)
        self._last_flush = time.monotonic()
        return lines

    def close_spider(self, spider: Any = None) -> None:
        if self.store is None:
            return
        try:
            self.flush()  # the last batch, before the ledger's last line
            self.write_ledger()
            if self.finish and self.run_id is not None:
                self.store.finish_run(self.run_id, "ok")
        finally:
            if self._own_store:
                self.store.close()
            self.store = None

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        """Signal handler: mark the run failed when the crawl did not finish normally."""
        if reason == "finished" or not self.finish or self.run_id is None:
            return
        shared = getattr(self.crawler, "veille_archive", None)
        store = shared.store if shared is not None else open_store(self.database_url, migrate=False)
        try:
            detail = None if self.given_run_id else {"spider": self._spider_name(), "reason": reason}
            store.finish_run(self.run_id, "failed", detail=detail)
        finally:
            if shared is None:
                store.close()
