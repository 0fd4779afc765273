"""From a fetched article page to the crawl's item, as one pure function (:func:`page_item`) that
a worker process runs: the page extraction (:func:`spiders.page.extract_page`), what the spider
decides with it (an aggregator's page kept from the feed, a paywall or a feed-only text, an
empty page, one older than ``--since``), the :class:`~veille.core.models.Article` and then, in
the same trip, the pure work of the item pipeline's first stages (the steps the pipeline gives,
see :mod:`pipeline.stage`), so a page costs one trip to a worker, not two. The spider counts
and yields in the reactor's process (:meth:`spiders.base.SourceSpider.parse_article`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from spiders.aggregators import aggregator_page, site_host
from spiders.dates import TZ
from spiders.page import FeedEntry, extract_page
from spiders.titles import SiteNames, decode, strip_site
from veille.core.clock import utcnow
from veille.core.models import Article
from veille.core.workers import Step, run_steps

PAYWALL = re.compile(
    r"(réservé aux abonnés|reserve aux abonnes|contenu réservé|article réservé|abonnez-vous pour lire"
    r"|class=\"[^\"]*paywall|id=\"paywall|premium-content-lock)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PageSource:
    """What the spider knows of its source that reading one of its pages needs (plain data)."""

    name: str
    kind: str
    language: str | None = None
    selectors: Mapping[str, str] = field(default_factory=dict)
    site_names: tuple[str, ...] = ()
    since: datetime | None = None
    zone: ZoneInfo | None = None  # of the source's dates written without one (sources.toml)
    default_zone: ZoneInfo = TZ  # else digest.toml's


@dataclass
class PageItem:
    """What came of a page: the item (None when skipped), and what the spider counts."""

    title_tag: str | None  # the page's <title>, for the spider's suffix learner
    article: Article | None = None
    partial: bool = False  # kept from the feed (an aggregator's page, a paywall, a feed-only text)
    skipped: str | None = None  # "empty" (dropped) or "old" (older than --since)


def page_item(
    body: bytes,
    url: str,
    content_type: str | None,
    fetched_at: datetime,
    entry: FeedEntry | None,
    source: PageSource,
    steps: Sequence[Step] = (),
) -> PageItem:
    """Read an article page into the crawl's item, then run ``steps`` on it (pure: a worker runs it)."""
    fields = extract_page(
        body,
        url,
        content_type=content_type,
        fetched_at=fetched_at,
        entry=entry,
        language=source.language,
        selectors=source.selectors,
        site_names=source.site_names,
        zone=source.zone,
        default_zone=source.default_zone,
    )
    page = _decide(fields, body, url, fetched_at, entry, source)
    if page.article is not None and steps:
        run_steps(page.article, list(steps))
    return page


def _decide(
    fields: Any, body: bytes, url: str, fetched_at: datetime, entry: FeedEntry | None, source: PageSource
) -> PageItem:
    if entry is not None and source.kind == "news-query" and aggregator_page(url, fields, entry):
        # an aggregator's redirect or interstitial page, not the publisher's article: the
        # item is kept from the feed until the publisher's own feed or site completes it
        article = feed_article(entry, source.name, source.language)
        if fields.canonical_url and site_host(fields.canonical_url) == site_host(entry.publisher_url):
            article.canonical_url = fields.canonical_url  # the page names the publisher's URL
        return PageItem(fields.title_tag, article, partial=True)
    partial = False
    text = fields.text
    if entry and entry.summary and (fields.sources.get("text") == "feed" or paywalled(body, text, entry)):
        text, partial = entry.summary, True
    if not text.strip() and not fields.title:
        return PageItem(fields.title_tag, skipped="empty")
    if source.since is not None and fields.published is not None and fields.published < source.since:
        return PageItem(fields.title_tag, skipped="old")
    article = Article(
        url=url,
        source=source.name,
        title=fields.title,
        text=text,
        canonical_url=fields.canonical_url or "",
        published=fields.published,
        author=fields.author,
        lead=fields.lead,
        language=fields.language,
        partial=partial,
        publisher=entry.publisher if entry else None,
        fetched_at=fetched_at,
    )
    return PageItem(fields.title_tag, article, partial=partial)


def feed_article(entry: FeedEntry, source: str, language: str | None) -> Article:
    """The article as the feed tells it (title, summary, date, publisher): a partial one."""
    title = entry.title
    if entry.publisher:  # "Tanger recrute - Le Matin": the aggregator appends the publisher
        title = strip_site(decode(title), SiteNames([entry.publisher], entry.publisher_url or ""))
    return Article(
        url=entry.url,
        source=source,
        title=title,
        text=entry.summary,
        published=entry.published,
        author=entry.author,
        lead=entry.summary.split("\n\n")[0][:1000] if entry.summary else None,
        language=entry.language or language,
        partial=True,
        publisher=entry.publisher,
        fetched_at=utcnow(),
    )


def paywalled(body: bytes, text: str, entry: FeedEntry) -> bool:
    """Is the page's text cut by a paywall (short, and a paywall marker or shorter than the feed's)?"""
    words, summary_words = len(text.split()), len(entry.summary.split())
    if words >= 150:
        return False
    marker = PAYWALL.search(body.decode("utf-8", "replace")) is not None
    return marker or words < min(40, summary_words)
