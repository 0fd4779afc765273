"""Store stage: write each article to the archive and keep the run ledger.

:class:`StorePipeline` opens the archive named by ``VEILLE_DATABASE_URL`` (migrating it),
skips URLs already archived unless ``VEILLE_REFRESH``, and upserts each item in its own
transaction, so a crawl killed with ``kill -9`` loses nothing it had stored and a rerun
adds no duplicates.

The ledger's lines are built from the crawl's stats by :func:`veille.core.ledger.ledger_lines`
(what they count is written there); this stage writes them every ``VEILLE_PROGRESS_EVERY``
items (default 50), so that a killed crawl still has its line, and at close.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from typing import Any

from pipeline.stage import drop
from veille.archive.store import Store, open_store
from veille.core.ledger import PREFIX, ledger_lines, reason_key
from veille.core.models import Article

log = logging.getLogger(__name__)


def database_url(s: Any) -> str:
    """The archive a crawl writes to: ``VEILLE_DATABASE_URL``, else the data dir's default."""
    url = s.get("VEILLE_DATABASE_URL")
    if url:
        return str(url)
    from veille.core.config import Settings

    return Settings.load(
        data_dir=s.get("VEILLE_DATA_DIR"), config_dir=s.get("VEILLE_CONFIG_DIR")
    ).database_url


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
        if not isinstance(item, Article):
            return item
        if self.store is None:
            self.open_spider()
        assert self.store is not None
        # one question to the archive: written unless known (the spider skipped the URLs it
        # knew before fetching; this catches a redirect or canonical URL, or another crawler's)
        _, created = self.store.upsert_article(item, keep_known=not self.refresh)
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
