"""What a crawl shows while it works, on stderr (``veille crawl``, ``veille demo``).

On a terminal, a rich progress bar: one line for the whole crawl (sources finished of those
crawled, pages fetched, new articles) above one per source (a spinner, then a tick, with its
article pages fetched, new articles and errors so far). Elsewhere (a log, a pipe), one line
per source as it finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


@dataclass
class SourceCounts:
    responses: int = 0  # every response: feeds, listings and robots.txt too
    items: int = 0  # articles the stages kept
    dropped: int = 0
    fetched: int = 0  # article pages (the ledger's count)
    new: int = 0
    errors: int = 0
    done: bool = False

    def read(self, name: str, stats: Mapping[str, Any]) -> None:
        """The counts the spider and the stages keep in the crawl's stats (see spiders/settings.py)."""
        prefix = f"veille/{name}/"
        self.fetched = int(stats.get(prefix + "fetched", 0))
        self.new = int(stats.get(prefix + "new", 0))
        self.errors = int(stats.get(prefix + "errors", 0))


class CrawlProgress:
    """The progress of the sources ``names``: :meth:`watch` a crawler per source, or call
    :meth:`update` and :meth:`finish` with the crawl's stats."""

    def __init__(self, names: list[str], console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.counts = {name: SourceCounts() for name in names}
        self.bar: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._refs: list[Callable[..., None]] = []  # signals hold weak references

    def start(self) -> None:
        if not self.console.is_terminal:
            return  # a line per source as it finishes, not a bar redrawn
        self.bar = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self._tasks[""] = self.bar.add_task("crawl", total=len(self.counts), counts="")
        for name in self.counts:
            self._tasks[name] = self.bar.add_task(name, total=None, counts="")
        for name in self.counts:
            self._draw(name)
        self.bar.start()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(
        self, name: str, stats: Mapping[str, Any], *, responses: int = 0, items: int = 0, dropped: int = 0
    ) -> None:
        counts = self.counts[name]
        counts.responses += responses
        counts.items += items
        counts.dropped += dropped
        counts.read(name, stats)
        self._draw(name)

    def finish(self, name: str, stats: Mapping[str, Any]) -> None:
        counts = self.counts[name]
        counts.read(name, stats)
        counts.done = True
        if self.bar is None:
            self.console.file.write(
                f"{name}: {counts.responses} responses, {counts.items} articles kept, "
                f"{counts.dropped} dropped, {counts.errors} errors\n"
            )
            self.console.file.flush()
        self._draw(name)

    def _draw(self, name: str) -> None:
        if self.bar is None:
            return
        c = self.counts[name]
        counts = f"{c.fetched} fetched · {c.new} new · {c.errors} errors"
        if c.done:
            self.bar.update(self._tasks[name], total=1, completed=1, counts=counts)
        else:
            self.bar.update(self._tasks[name], counts=counts)
        every = self.counts.values()
        finished = sum(x.done for x in every)
        self.bar.update(
            self._tasks[""],
            completed=finished,
            counts=f"{finished}/{len(self.counts)} sources · {sum(x.fetched for x in every)} fetched · "
            f"{sum(x.new for x in every)} new",
        )

    def watch(self, name: str, crawler: Any) -> None:
        """Follow the Scrapy crawler of source ``name``."""
        from scrapy import signals

        def counting(**bumps: int) -> Callable[..., None]:
            def handler(*args: Any, **kwargs: Any) -> None:
                self.update(name, crawler.stats.get_stats(), **bumps)

            return handler

        def closed(*args: Any, **kwargs: Any) -> None:
            self.finish(name, crawler.stats.get_stats())

        handlers = [
            (counting(responses=1), signals.response_received),
            (counting(items=1), signals.item_scraped),
            (counting(dropped=1), signals.item_dropped),
            (closed, signals.spider_closed),
        ]
        for handler, signal in handlers:
            self._refs.append(handler)
            crawler.signals.connect(handler, signal=signal)
