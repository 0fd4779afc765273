"""What every Veille spider shares: its source, the crawl.toml settings, the stats the run
ledger is built from, incremental crawling and the article page callback.

A spider class per source is made by :func:`spiders.loader.spider_class_for`; a site that
needs special handling gets a small subclass overriding one method (``article_links``,
``next_page``...).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from spiders.aggregators import aggregator_page as aggregator_page  # read by the feeds tests
from spiders.dates import TZ, dates_zone
from spiders.failures import classify_failure
from spiders.items import PageSource, feed_article, page_item
from spiders.page import FeedEntry, parse_date
from spiders.titles import SuffixLearner
from veille.core.clock import utcnow
from veille.core.models import Article
from veille.core.sources import Source
from veille.core.workers import Workers

HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain")
_NON_ARTICLE = re.compile(
    r"/(tag|tags|category|categorie|rubrique|page|author|auteur|search|recherche|login|contact|feed|rss|wp-json"
    r"|wp-admin|wp-login|newsletter|abonnement|mentions-legales|cgu|about|a-propos)(/|$)|\.(pdf|jpe?g|png|gif|zip|mp3|mp4|xml)$",
    re.IGNORECASE,
)


class SourceSpider(scrapy.Spider):
    """Base of the generic spiders. Subclasses set ``source`` (and ``name`` = its name)."""

    source: ClassVar[Source]
    name = "veille-source"
    # from_crawler sets these from the spider arguments or the settings (VEILLE_SINCE...)
    since: datetime | None = None
    limit: int | None = None
    refresh: bool = False
    default_zone: ZoneInfo = TZ  # from_crawler: VEILLE_TIMEZONE, digest.toml's timezone

    def __init__(
        self, *args: Any, since: Any = None, limit: Any = None, refresh: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._since_arg, self._limit_arg, self._refresh_arg = since, limit, refresh
        self.requested = 0
        self._store: Any = None
        self._store_failed = False
        self.workers = Workers()  # from_crawler: the crawl's VEILLE_WORKERS
        self.suffixes = SuffixLearner()  # what the site appends to its titles, learned from its pages
        self._site_names: list[str] | None = None

    # -- settings ----------------------------------------------------------------------
    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """Apply ``config/crawl.toml`` (priority "spider": ``-s`` and run_crawl still win)."""
        super().update_settings(settings)
        config_dir = settings.get("VEILLE_CONFIG_DIR")
        if not config_dir or settings.getbool("VEILLE_CRAWL_CONFIG_APPLIED"):
            return  # `veille crawl` applied the settings' crawl.toml already
        from veille.core.conf import load_file
        from veille.core.conf.crawl import CrawlFile

        values = load_file(CrawlFile, Path(config_dir) / "crawl.toml").crawl.to_scrapy_settings()
        hosts = values.pop("VEILLE_ALLOW_HOSTS")
        settings.setdict(values, priority="spider")
        merged = list(dict.fromkeys([*settings.getlist("VEILLE_ALLOW_HOSTS"), *hosts]))
        prio = max(settings.getpriority("VEILLE_ALLOW_HOSTS") or 0, 30)
        settings.set("VEILLE_ALLOW_HOSTS", merged, priority=prio)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.default_zone = ZoneInfo(s.get("VEILLE_TIMEZONE") or TZ.key)
        since = spider._since_arg if spider._since_arg is not None else s.get("VEILLE_SINCE")
        spider.since = (
            since
            if isinstance(since, datetime) or since is None
            else parse_date(str(since), zone=spider.default_zone)
        )
        if spider.since is not None and spider.since.tzinfo is None:
            spider.since = spider.since.replace(tzinfo=UTC)
        limit = spider._limit_arg if spider._limit_arg is not None else s.get("VEILLE_LIMIT")
        spider.limit = int(limit) if limit not in (None, "") else None
        refresh = spider._refresh_arg if spider._refresh_arg is not None else s.getbool("VEILLE_REFRESH")
        spider.refresh = refresh in (True, "1", "true", "True", "yes")
        spider.workers = Workers.from_settings(s)
        crawler.signals.connect(spider._close_store, signal=scrapy.signals.spider_closed)
        crawler.signals.connect(spider._open_workers, signal=scrapy.signals.spider_opened)
        crawler.signals.connect(spider._close_workers, signal=scrapy.signals.spider_closed)
        crawler.signals.connect(spider._request_dropped, signal=scrapy.signals.request_dropped)
        return spider

    def _open_workers(self, spider: Any = None) -> None:
        self.workers.open()  # the pool starts while the feed or listing downloads

    def _close_workers(self, spider: Any = None) -> None:
        self.workers.close()

    def _request_dropped(self, request: Request, spider: Any = None) -> None:
        """A redirect back to a URL already requested: the duplicate filter ends the loop."""
        if request.meta.get("redirect_times"):
            self.error(
                f"{request.meta.get('redirect_urls', [request.url])[0]}: redirect loop (stopped at {request.url})"
            )

    @property
    def source_name(self) -> str:
        return self.source.name

    @property
    def source_zone(self) -> ZoneInfo | None:
        """The zone ``sources.toml`` gives the source's dates written without one, if any."""
        return ZoneInfo(self.source.timezone) if self.source.timezone else None

    def date_zone(self, url: str) -> ZoneInfo:
        """The zone of the dates a feed or sitemap at ``url`` writes without one."""
        return dates_zone(self.source_zone, url, default=self.default_zone)

    # -- stats (the run ledger is built from these) -------------------------------------
    def stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"veille/{self.source_name}/{key}", count)

    def drop(self, reason: str, url: str = "") -> None:
        self.stat(f"dropped/{reason}")
        self.logger.info("Dropped %s (%s)", url, reason)

    def error(self, message: str) -> None:
        self.stat("errors")
        key = f"veille/{self.source_name}/error_messages"
        messages = self.crawler.stats.get_value(key) or []
        self.crawler.stats.set_value(key, [*messages, message][-50:])
        self.logger.warning(message)

    # -- incremental crawling -------------------------------------------------------------
    def archive(self) -> Any:
        """The crawl process's archive (``crawler.veille_archive``); else one opened here once;
        None without one or when it cannot be read."""
        shared = getattr(getattr(self, "crawler", None), "veille_archive", None)
        if shared is not None:
            return shared.store
        if self._store is None and not self._store_failed:
            url = self.crawler.settings.get("VEILLE_DATABASE_URL")
            if not url:
                return None
            try:
                from veille.archive.store import open_store

                self._store = open_store(url)
            except Exception as exc:
                self._store_failed = True
                self.error(f"cannot read the archive to skip known URLs: {exc}")
        return self._store

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """URLs already archived (none when refreshing or without an archive)."""
        urls = list(urls)
        if self.refresh or not urls:
            return set()
        store = self.archive()
        return store.known_urls(urls) if store is not None else set()

    # -- the site's title suffix --------------------------------------------------------------
    def site_names(self) -> list[str]:
        """What the source appends to its titles: learned by earlier runs (kept in the archive)
        and by this one once the same suffix repeats across its pages."""
        if self._site_names is None:
            store = self.archive()
            known = store.title_suffixes().get(self.source_name) if store is not None else None
            self._site_names = [known] if known else []
        learned = self.suffixes.suffix()
        if learned and learned not in self._site_names:
            self._site_names.append(learned)
        return self._site_names

    def _close_store(self, spider: Any = None) -> None:
        learned = self.suffixes.suffix()
        store = self.archive()
        if learned and store is not None:
            try:
                store.record_title_suffix(self.source_name, learned)
            except Exception as exc:  # the articles are archived; the suffix is a refinement
                self.logger.warning("cannot keep the learned title suffix: %s", exc)
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- filters ----------------------------------------------------------------------------
    def in_domains(self, url: str) -> bool:
        domains = self.source.allowed_domains
        if not domains:
            return True
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in domains)

    def follows_rules(self, url: str, *, guess: bool = False) -> bool:
        """Link rules from the config; with none and ``guess``, skip obvious non-articles."""
        allow, deny = self.source.allow_rules(), self.source.deny_rules()
        if any(re.search(p, url) for p in deny):
            return False
        if allow:
            return any(re.search(p, url) for p in allow)
        if guess:
            path = urlsplit(url).path
            return (
                bool(path.strip("/"))
                and not _NON_ARTICLE.search(path)
                and ("-" in path or bool(re.search(r"\d", path)) or path.endswith((".html", ".htm", ".php")))
            )
        return True

    def is_recent(self, published: datetime | None) -> bool:
        return self.since is None or published is None or published >= self.since

    def take(self) -> bool:
        """One more article request allowed by --limit?"""
        if self.limit is not None and self.requested >= self.limit:
            return False
        self.requested += 1
        return True

    def new_entries(self, entries: Iterable[FeedEntry]) -> Iterator[FeedEntry]:
        """Entries to fetch: recent, on the source's domains, not archived, within --limit."""
        wanted: list[FeedEntry] = []
        seen: set[str] = set()
        for e in entries:
            if not e.url or e.url in seen:
                continue
            seen.add(e.url)
            if not self.is_recent(e.published):
                self.stat("skipped/old")
                continue
            if not self.in_domains(e.url):
                self.drop("offsite", e.url)
                continue
            if not self.follows_rules(e.url):
                self.stat("skipped/link_rules")
                continue
            wanted.append(e)
        known = self.known_urls(e.url for e in wanted)
        for e in wanted:
            if e.url in known:
                self.stat("dropped/known")  # the ledger counts "known" as a duplicate
                continue
            if not self.take():
                self.stat("skipped/limit")
                continue
            yield e

    # -- requests ---------------------------------------------------------------------------
    def article_request(self, entry: FeedEntry) -> Request:
        return Request(
            entry.url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"entry": entry},
            meta={"veille_entry": entry},
        )

    def index_request(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        """A feed, listing or sitemap request (its failure is the source's error)."""
        return Request(
            url, callback=callback, errback=self.index_failed, cb_kwargs=cb_kwargs, dont_filter=True
        )

    # -- article pages ----------------------------------------------------------------------
    async def parse_article(
        self, response: Response, entry: FeedEntry | None = None
    ) -> AsyncIterator[Article]:
        fetched_at = utcnow()
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        body = response.body
        looks_html = body.lstrip()[:1] == b"<" and b"<html" in body[:5000].lower()
        if ctype and not ctype.startswith(HTML_TYPES) and not looks_html:
            self.drop("not_html", response.url)
            return
        if not ctype and not looks_html:
            self.drop("not_html", response.url)
            return
        self.stat("fetched")
        page = await self.workers.run(  # in a worker process (veille.core.workers), with the stages' work
            page_item,
            body,
            response.url,
            ctype or None,
            fetched_at,
            entry,
            self.page_source(),
            self.item_steps(),
        )
        self.suffixes.add(page.title_tag)
        if page.skipped == "empty":
            self.drop("empty", response.url)
            return
        if page.skipped == "old":
            self.stat("skipped/old")
            return
        if page.partial:
            self.stat("partial")
        if page.article is not None:
            yield page.article

    def page_source(self) -> PageSource:
        """What reading one of this source's pages needs to know (see :func:`spiders.items.page_item`)."""
        return PageSource(
            self.source_name,
            self.source.kind,
            self.source.language,
            dict(self.source.selectors or {}),
            tuple(self.site_names()),
            self.since,
            self.source_zone,
            self.default_zone,
        )

    def item_steps(self) -> list[Any]:
        """The pure work of the item pipeline's first stages, done in the page's worker trip: what
        the first stage offers (``crawler.veille_item_steps``, see :mod:`pipeline.stage`), else none."""
        offer = getattr(getattr(self, "crawler", None), "veille_item_steps", None)
        return list(offer()) if offer is not None else []

    def feed_article(self, entry: FeedEntry) -> Article:
        """The article as the feed tells it (title, summary, date, publisher): a partial one."""
        return feed_article(entry, self.source_name, self.source.language)

    def article_failed(self, failure: Failure) -> Iterator[Article]:
        request = failure.request  # type: ignore[attr-defined]
        entry: FeedEntry | None = request.cb_kwargs.get("entry")
        kind, detail = classify_failure(failure)
        if kind == "blocked":
            return  # counted by the SSRF guard
        if kind == "drop":
            self.drop(detail, request.url)
            return
        if kind == "fallback" and entry is not None and (entry.summary or entry.title):
            self.logger.info("Using the feed summary for %s (%s)", request.url, detail)
            self.stat("fetched")
            self.stat("partial")
            yield self.feed_article(entry)
            return
        self.error(f"{request.url}: {detail}")

    def index_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind, detail = classify_failure(failure)
        if kind == "blocked":
            return
        self.error(f"{request.url}: {detail}")
