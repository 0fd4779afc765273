"""The base of the item pipeline's stages, and how a stage drops an item.

A :class:`Stage` does its pure CPU work (:meth:`Stage.work`: a function and its plain
arguments) in the crawl's worker processes, or inline without them, then decides in the
reactor's process what becomes of the item (:meth:`Stage.finish`: keep it, change it, or
raise :func:`drop`). Normalise, relevance and dedup are stages; the store and extract steps,
which do no such work, are plain Scrapy pipelines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from veille.core.ledger import DUPLICATE_REASONS, PREFIX
from veille.core.models import Article
from veille.core.workers import Workers


def count_drop(crawler: Any, source: str, reason: str) -> None:
    """Count a dropped item under ``veille/{source}/dropped/{reason}`` for the run ledger."""
    stats = getattr(crawler, "stats", None)
    if stats is not None:
        stats.inc_value(f"{PREFIX}{source}/dropped/{reason}")


def drop(crawler: Any, source: str, reason: str, message: str, log_level: str = "INFO") -> Exception:
    """Count a drop and build the ``DropItem`` to raise: ``raise drop(crawler, src, "empty", "empty (...)")``.

    Drops are routine (a known URL on every crawl), so they are logged at INFO (or the given
    level) rather than Scrapy's default WARNING with the whole item.
    """
    from scrapy.exceptions import DropItem

    count_drop(crawler, source, reason)
    if reason in DUPLICATE_REASONS and getattr(crawler, "stats", None) is not None:
        crawler.stats.inc_value(f"{PREFIX}{source}/duplicate")
    exc = DropItem(message)
    exc.log_level = log_level  # read by Scrapy >= 2.13's LogFormatter.dropped
    return exc


class Stage:
    """A Scrapy item pipeline whose pure work may run in the crawl's worker processes."""

    def __init__(self, crawler: Any = None, workers: Workers | None = None) -> None:
        self.crawler = crawler
        self.workers = workers or Workers()  # see veille.core.workers

    def work(self, item: Article) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        """The pure call for this item: a module-level function and plain arguments."""
        raise NotImplementedError

    def work_here(self, item: Article) -> Any:
        """The same call without worker processes (a stage may use what it holds in memory)."""
        fn, args = self.work(item)
        return fn(*args)

    def finish(self, item: Article, result: Any) -> Article:
        """In the reactor's process: the item to pass on, or raise :func:`drop`."""
        raise NotImplementedError

    def drop(self, item: Article, reason: str, message: str, log_level: str = "INFO") -> Exception:
        return drop(self.crawler, item.source, reason, message, log_level)

    def open_spider(self, spider: Any = None) -> None:
        self.workers.open()

    def close_spider(self, spider: Any = None) -> None:
        self.workers.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """The item (or, with worker processes, a coroutine giving it), or ``DropItem``."""
        if not isinstance(item, Article):
            return item
        if self.workers.pooled:
            return self._elsewhere(item)
        return self.finish(item, self.work_here(item))

    async def _elsewhere(self, item: Article) -> Article:
        fn, args = self.work(item)
        return self.finish(item, await self.workers.run(fn, *args))
