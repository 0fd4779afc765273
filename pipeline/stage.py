"""The base of the item pipeline's stages, and how a stage drops an item.

A :class:`Stage` does its pure CPU work (:meth:`Stage.step`: a module-level function of the
item and plain arguments) in the crawl's worker processes, or inline without them, then decides
in the reactor's process what becomes of the item (:meth:`Stage.finish`: keep it, change it, or
raise :func:`drop`). Normalise, relevance and dedup are stages; the store and extract steps are
plain Scrapy pipelines.

**One trip to a worker for the stages in a row.** When an item reaches the first of several
stages that follow each other in ``ITEM_PIPELINES``, their pure work runs in one worker call
(:func:`veille.core.workers.run_steps`), each step on the item as the one before left it, as
when each stage sends its own; when that stage is the first item pipeline, the spider runs
these steps in the page's own trip, right after building the item (``crawler.veille_item_steps``,
:mod:`spiders.items`), so a page costs one trip; each result travels back on the item (``Article.stage_results``) and each stage still
decides in turn, in the reactor's process, as Scrapy hands it the item. The steps stop at the
first that says the item will be dropped (:meth:`Stage.step`'s ``passed_on``), so an off-topic
item is not hashed for nothing. The store stage, which comes next, has its full-text keys
computed in the same trip (``pipeline.storage.StorePipeline.step``). A stage handed an item without its result (a stage in
between, library use) does its own work as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from veille.core.ledger import DUPLICATE_REASONS, PREFIX
from veille.core.models import Article
from veille.core.workers import Step, Workers, run_steps

__all__ = ["Stage", "Step", "count_drop", "drop", "run_steps"]


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

    name = "stage"  # the key of its result on ``Article.stage_results``

    def __init__(self, crawler: Any = None, workers: Workers | None = None) -> None:
        self.crawler = crawler
        self.workers = workers or Workers()  # see veille.core.workers
        self.following: list[Any] = []  # the pipelines right after this one (their work goes along)

    def step(self) -> Step:
        """This stage's pure work: ``(name, function, arguments, passed_on)`` (see :data:`Step`),
        a module-level function and plain arguments, so a worker process can run it."""
        raise NotImplementedError

    def work(self, item: Article) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        """The pure call for this item: a module-level function and plain arguments."""
        _, fn, args, _ = self.step()
        return fn, (item, *args)

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
        self.following = self._stages_after() if self.workers.pooled else []
        if self.workers.pooled and self._first_pipeline():
            # nothing changes the item between the spider and this stage: its work (and the
            # stages' after it) goes along with the page's own trip to a worker (spiders.items)
            self.crawler.veille_item_steps = self.steps

    def steps(self) -> list[Step]:
        """The pure work of this stage and of the pipelines right after it, for one worker trip."""
        return [step for step in (stage.step() for stage in (self, *self.following)) if step is not None]

    def _pipelines(self) -> list[Any]:
        engine = getattr(self.crawler, "engine", None)
        itemproc = getattr(getattr(engine, "scraper", None), "itemproc", None)
        return list(getattr(itemproc, "middlewares", ()))

    def _first_pipeline(self) -> bool:
        pipelines = self._pipelines()
        return bool(pipelines) and pipelines[0] is self

    def close_spider(self, spider: Any = None) -> None:
        self.workers.close()

    def _stages_after(self) -> list[Any]:
        """The pipelines right after this one in the crawl's item pipelines that have pure work
        for the same worker trip (a :meth:`step`, worker processes): stages, and the store's
        full-text keys."""
        pipelines = self._pipelines()
        if self not in pipelines:
            return []
        after: list[Any] = []
        for pipeline in pipelines[pipelines.index(self) + 1 :]:
            workers = getattr(pipeline, "workers", None)
            if not (hasattr(pipeline, "step") and isinstance(workers, Workers) and workers.pooled):
                break
            after.append(pipeline)
        return after

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """The item (or, with worker processes, a coroutine giving it), or ``DropItem``."""
        if not isinstance(item, Article):
            return item
        if self.name in item.stage_results:  # computed with an earlier stage's work
            return self.finish(item, item.stage_results.pop(self.name))
        if self.workers.pooled:
            return self._elsewhere(item)
        return self.finish(item, self.work_here(item))

    async def _elsewhere(self, item: Article) -> Article:
        if not self.following:
            fn, args = self.work(item)
            return self.finish(item, await self.workers.run(fn, *args))
        done = await self.workers.run(run_steps, item, self.steps())
        return self.finish(done, done.stage_results.pop(self.name))
