"""The crawl process's one archive: every spider and item pipeline of a crawl process works with
the same :class:`~veille.archive.store.Store` (one engine, one connection pool) and shares what is
built once per process, such as the near-duplicate index.

``veille crawl`` makes one :class:`CrawlArchive` for all the sources it crawls in its process and
hands it to each crawler (``crawler.veille_archive``). :class:`ArchiveExtension`, a Scrapy
extension, gives a crawler started any other way (a bare ``CrawlerProcess``, a test) its own,
closed when that crawler's engine stops. Pipelines read ``crawler.veille_archive`` and, used
outside a crawl, open a store of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from veille.archive.store import Store, open_store


@dataclass
class CrawlArchive:
    store: Store
    shared: dict[str, Any] = field(default_factory=dict)  # per-process state: "dedup_index"...


class ArchiveExtension:
    """Gives the crawler a :class:`CrawlArchive` when the crawl's runner has not."""

    def __init__(self, crawler: Any, own: CrawlArchive | None) -> None:
        self.own = own
        if own is not None:
            from scrapy import signals

            crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchiveExtension:
        if getattr(crawler, "veille_archive", None) is not None:
            return cls(crawler, None)
        url = crawler.settings.get("VEILLE_DATABASE_URL")
        if not url:
            from scrapy.exceptions import NotConfigured

            raise NotConfigured("no VEILLE_DATABASE_URL")
        crawler.veille_archive = CrawlArchive(open_store(str(url)))
        return cls(crawler, crawler.veille_archive)

    def engine_stopped(self) -> None:
        if self.own is not None:
            self.own.store.close()
