"""The generic feed spider: RSS 0.9x/1.0/2.0 and Atom (and news-search RSS feeds).

Each entry is followed to its article page; when the page cannot be had (401/403, paywall,
timeout, 5xx) the entry's summary is kept with ``partial=True``. A malformed feed yields
what feedparser could read, with a warning (feedparser's "bozo" flag).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Request, Response

from spiders.base import SourceSpider
from spiders.page import FeedEntry, html_fragment_to_text, parse_date

_BENIGN = {"NonXMLContentType", "CharacterEncodingOverride"}


@dataclass(frozen=True)
class ParsedFeed:
    title: str = ""
    language: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    bozo: bool = False
    problem: str = ""  # feedparser's complaint about a malformed feed
    version: str = ""  # "rss20", "atom10"... ("" when not a feed at all)


def parse_feed(body: bytes | str, url: str, content_type: str | None = None) -> ParsedFeed:
    """A feed document -> its entries (pure: no network)."""
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    feed = parsed.get("feed", {})
    language = (feed.get("language") or "").split("-")[0].lower() or None
    entries: list[FeedEntry] = []
    for e in parsed.get("entries", []):
        link = e.get("link") or next(
            (lk.get("href") for lk in e.get("links", []) if lk.get("rel", "alternate") == "alternate"), None
        )
        if not link:
            continue
        contents = [c.get("value", "") for c in e.get("content", []) if c.get("value")]
        summary_html = max([e.get("summary", "") or "", *contents], key=len)
        published = _entry_date(e)
        entries.append(
            FeedEntry(
                url=urljoin(url, link.strip()),
                title=" ".join((e.get("title") or "").split()),
                summary=html_fragment_to_text(summary_html),
                published=published,
                author=(e.get("author") or None),
                language=language,
            )
        )
    problem = ""
    bozo = bool(parsed.get("bozo"))
    exc = parsed.get("bozo_exception")
    if bozo and type(exc).__name__ in _BENIGN:
        bozo = False  # a missing/odd Content-Type or a charset override: the feed itself is fine
    elif bozo:
        problem = f"{type(exc).__name__}: {exc}" if exc else "malformed feed"
    return ParsedFeed(
        title=feed.get("title", ""),
        language=language,
        entries=entries,
        bozo=bozo,
        problem=problem,
        version=parsed.get("version", ""),
    )


def _entry_date(e: Any) -> datetime | None:
    for key in ("published", "updated", "created", "dc_date"):
        raw = e.get(key)
        if raw:
            dt = parse_date(raw)
            if dt:
                return dt
    for key in ("published_parsed", "updated_parsed"):
        t = e.get(key)
        if t:
            return datetime(*t[:6]).replace(tzinfo=UTC)
    return None


class FeedSpider(SourceSpider):
    """One per rss/atom/news-query source (see :func:`spiders.loader.spider_class_for`)."""

    name = "veille-feed"

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.urls:
            yield self.index_request(url, self.parse_feed)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        feed = parse_feed(response.body, response.url, ctype)
        if feed.bozo:
            self.logger.warning("Malformed feed %s (%s): using the %d entries read", response.url, feed.problem,
                                len(feed.entries))  # fmt: skip
            self.stat("malformed_feed")
        if not feed.entries:
            if not feed.version:
                self.error(f"{response.url}: not a feed ({feed.problem or 'no entries'})")
            return
        self.stat("entries", len(feed.entries))
        for entry in self.new_entries(feed.entries):
            yield self.article_request(entry)
