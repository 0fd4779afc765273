"""The generic feed spider: RSS 0.9x/1.0/2.0, Atom and JSON Feed 1.0/1.1 (and news-search
RSS feeds).

A feed starting with a byte-order mark (UTF-8, UTF-16 or UTF-32) is read in that encoding
whatever the Content-Type says: served as ``text/xml`` without a charset, RFC 3023 would
make it US-ASCII, and a wrong charset would garble it.

Each entry is followed to its article page; when the page cannot be had (401/403, paywall,
timeout, 5xx) the entry's summary is kept with ``partial=True``. A malformed feed yields
what feedparser could read, with a warning (feedparser's "bozo" flag).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from scrapy.http import Request, Response

from spiders.base import SourceSpider
from spiders.page import TZ, FeedEntry, html_fragment_to_text, parse_date

_BENIGN = {"NonXMLContentType", "CharacterEncodingOverride"}


@dataclass(frozen=True)
class ParsedFeed:
    title: str = ""
    language: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    bozo: bool = False
    problem: str = ""  # feedparser's complaint about a malformed feed
    version: str = ""  # "rss20", "atom10"... ("" when not a feed at all)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)  # UTF-32 LE before UTF-16 LE: its BOM starts with UTF-16 LE's


def sniff_bom(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """A feed with a byte-order mark -> UTF-8 bytes (declaration rewritten) and a Content-Type
    saying so; any other feed unchanged."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = body[len(bom) :].decode(codec, errors="replace")
            text = re.sub(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", r"\1\2utf-8\2", text)
            media = (content_type or "application/xml").split(";")[0].strip() or "application/xml"
            return text.encode("utf-8"), f"{media}; charset=utf-8"
    return body, content_type


def parse_feed(
    body: bytes | str, url: str, content_type: str | None = None, *, zone: ZoneInfo = TZ
) -> ParsedFeed:
    """A feed document (RSS, Atom or JSON Feed) -> its entries (pure: no network). A date
    written without a zone is read in ``zone``."""
    import feedparser

    if isinstance(body, bytes):
        body, content_type = sniff_bom(body, content_type)
    if is_json_feed(body, content_type):
        return parse_json_feed(body, url, zone=zone)

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
        published = _entry_date(e, zone)
        origin = e.get("source") or {}
        entries.append(
            FeedEntry(
                url=urljoin(url, link.strip()),
                title=" ".join((e.get("title") or "").split()),
                summary=html_fragment_to_text(summary_html),
                published=published,
                author=(e.get("author") or None),
                language=language,
                publisher=" ".join(str(origin.get("title") or "").split()) or None,
                publisher_url=str(origin.get("href") or origin.get("url") or "").strip() or None,
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


def is_json_feed(body: bytes | str, content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("application/feed+json", "application/json"):
        return True
    head = body[:200].lstrip()
    head = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    return head.startswith("{") and "jsonfeed.org/version" in head


def parse_json_feed(body: bytes | str, url: str, *, zone: ZoneInfo = TZ) -> ParsedFeed:
    """JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) -> its entries."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return ParsedFeed(bozo=True, problem=f"JSON Feed: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return ParsedFeed(bozo=True, problem="JSON Feed: no items list")
    version = str(data.get("version", ""))
    language = (str(data.get("language") or "").split("-")[0].lower()) or None
    feed_authors = _json_authors(data)
    entries: list[FeedEntry] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        link = (
            item.get("url")
            or item.get("external_url")
            or (item.get("id") if str(item.get("id", "")).startswith("http") else None)
        )
        if not isinstance(link, str) or not link.strip():
            continue
        html_body = str(item.get("content_html") or "")
        plain = str(item.get("content_text") or "")
        text = html_fragment_to_text(html_body) if html_body else _plain_paragraphs(plain)
        summary = text or _plain_paragraphs(str(item.get("summary") or ""))
        published = None
        for key in ("date_published", "date_modified"):
            if isinstance(item.get(key), str):
                published = parse_date(item[key], zone=zone)
                if published:
                    break
        item_language = (str(item.get("language") or "").split("-")[0].lower()) or language
        entries.append(
            FeedEntry(
                url=urljoin(url, link.strip()),
                title=" ".join(str(item.get("title") or "").split()),
                summary=summary,
                published=published,
                author=_json_authors(item) or feed_authors,
                language=item_language,
            )
        )
    tag = "json11" if version.endswith("1.1") else "json10" if "jsonfeed.org" in version else "json"
    return ParsedFeed(title=str(data.get("title") or ""), language=language, entries=entries, version=tag)


def _plain_paragraphs(text: str) -> str:
    """JSON Feed's ``content_text`` and ``summary`` are plain text: paragraphs, never markup."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())


def _json_authors(node: dict[str, Any]) -> str | None:
    """``authors`` (1.1) or ``author`` (1.0) -> "Name, Name"."""
    people = node.get("authors") or ([node["author"]] if isinstance(node.get("author"), dict) else [])
    names = [str(p.get("name")).strip() for p in people if isinstance(p, dict) and p.get("name")]
    return ", ".join(names) or None


def _entry_date(e: Any, zone: ZoneInfo) -> datetime | None:
    for key in ("published", "updated", "created", "dc_date"):
        raw = e.get(key)
        if raw:
            dt = parse_date(raw, zone=zone)
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
        feed = parse_feed(response.body, response.url, ctype, zone=self.date_zone(response.url))
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
