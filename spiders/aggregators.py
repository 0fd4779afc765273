"""News-query items (an aggregator's search feed): is the page an item's link led to the
publisher's article, or the aggregator's own redirect or interstitial page? The spider keeps
the latter as a partial article from the feed until the publisher's own feed or site brings it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from spiders.page import FeedEntry


def site_host(url: str | None) -> str:
    """The host of ``url``, lower-case, without ``www.``."""
    host = (urlsplit(url or "").hostname or "").lower()
    return host.removeprefix("www.")


def aggregator_page(url: str, fields: Any, entry: FeedEntry) -> bool:
    """Is the page a news-query item led to an aggregator's redirect or interstitial page
    rather than the publisher's article? It has no article text of its own, or neither it nor
    its canonical (or ``og:url``) is on the site of the publisher the item names."""
    if not fields.text.strip() or fields.sources.get("text") == "feed":
        return True
    publisher = site_host(entry.publisher_url)
    if not publisher:
        return False

    def same(host: str) -> bool:
        return bool(host) and (host == publisher or host.endswith("." + publisher))

    return not (same(site_host(url)) or same(site_host(fields.canonical_url)))
