"""The generic site spider: listing pages (with pagination) and (news) sitemaps.

Links come from the source's ``article_links`` selector, or from every link of the page
filtered by ``link_rules`` and ``allowed_domains`` (without rules, obvious non-articles
such as tag, category and author pages are skipped). The next page comes from the
``next_page`` selector or ``rel="next"``, up to ``max_pages``. Sitemaps may be indexes;
news sitemaps give each article's date and title, so old entries are skipped unfetched.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import etree
from scrapy.http import Request, Response

from spiders.base import SourceSpider
from spiders.page import TZ, FeedEntry, parse_date

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NEXT_TEXT = re.compile(r"^\s*(page\s+)?(suivante?|next|plus d'articles|›|»|>>)\s*$", re.IGNORECASE)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, url: str, *, zone: ZoneInfo = TZ) -> tuple[list[str], list[FeedEntry]]:
    """A sitemap -> (child sitemaps, entries). Gzip, indexes and news sitemaps understood; a
    date written without a zone is read in ``zone``."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except OSError:
            return [], []
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    children: list[str] = []
    entries: list[FeedEntry] = []
    kind = _local(root.tag)
    for node in root:
        if _local(node.tag) not in ("sitemap", "url"):
            continue
        fields: dict[str, str] = {}
        for child in node.iter():
            name = _local(child.tag)
            if name and child.text and child.text.strip() and name not in fields:
                fields[name] = child.text.strip()
        loc = fields.get("loc")
        if not loc:
            continue
        loc = urljoin(url, loc)
        if kind == "sitemapindex":
            children.append(loc)
            continue
        published = parse_date(fields.get("publication_date"), zone=zone) or parse_date(
            fields.get("lastmod"), zone=zone
        )
        entries.append(FeedEntry(url=loc, title=fields.get("title", ""), published=published,
                                 language=(fields.get("language") or None)))  # fmt: skip
    return children, entries


class SiteSpider(SourceSpider):
    """One per listing/sitemap source (see :func:`spiders.loader.spider_class_for`)."""

    name = "veille-site"

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.urls:
            if self.source.kind == "sitemap":
                yield self.index_request(url, self.parse_sitemap, depth=0)
            else:
                yield self.index_request(url, self.parse_listing, page=1)

    # -- listings ---------------------------------------------------------------------------
    def parse_listing(self, response: Response, page: int = 1) -> Iterator[Request]:
        if not hasattr(response, "text"):
            self.error(f"{response.url}: listing is not an HTML page")
            return
        links = [u for u in self.article_links(response) if u != response.url]
        entries = [FeedEntry(url=u) for u in links if self.in_domains(u)]
        self.stat("entries", len(entries))
        for entry in self.new_entries(entries):
            yield self.article_request(entry)
        following = self.next_page(response)
        if following and page < self.source.max_pages and following != response.url:
            if self.limit is None or self.requested < self.limit:
                yield self.index_request(following, self.parse_listing, page=page + 1)

    def article_links(self, response: Response) -> list[str]:
        """Absolute article URLs of a listing page, in order (override for odd sites)."""
        selector = self.source.selector("article_links")
        if selector:
            nodes = (
                response.xpath(selector)
                if selector.lstrip().startswith(("/", "("))
                else response.css(selector)
            )
            hrefs = []
            for node in nodes:
                href = node.attrib.get("href") if hasattr(node, "attrib") else None
                hrefs += [href] if href else node.xpath(".//a/@href").getall()
            guess = False
        else:
            hrefs = response.xpath("//a/@href").getall()
            guess = True
        out: list[str] = []
        for href in hrefs:
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if (
                url.startswith(("http://", "https://"))
                and url not in out
                and self.follows_rules(url, guess=guess)
            ):
                out.append(url)
        return out

    def next_page(self, response: Response) -> str | None:
        selector = self.source.selector("next_page")
        if selector:
            nodes = (
                response.xpath(selector)
                if selector.lstrip().startswith(("/", "("))
                else response.css(selector)
            )
            for node in nodes:
                href = node.attrib.get("href") or node.xpath(".//a/@href").get()
                if href:
                    return response.urljoin(href.strip())
            return None
        href = response.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").get()
        if not href:
            for a in response.xpath("//a[@href]"):
                if _NEXT_TEXT.match(" ".join(a.xpath(".//text()").getall())):
                    href = a.attrib["href"]
                    break
        return response.urljoin(href.strip()) if href else None

    # -- sitemaps ---------------------------------------------------------------------------
    def parse_sitemap(self, response: Response, depth: int = 0) -> Iterator[Request]:
        children, entries = parse_sitemap(response.body, response.url, zone=self.date_zone(response.url))
        if not children and not entries:
            self.error(f"{response.url}: not a sitemap, or an empty one")
            return
        if depth < 2:
            for url in children[: self.source.max_pages]:
                if self.in_domains(url):
                    yield self.index_request(url, self.parse_sitemap, depth=depth + 1)
        newest_first = sorted(entries, key=lambda e: e.published or _EPOCH, reverse=True)
        self.stat("entries", len(entries))
        for entry in self.new_entries(newest_first):
            yield self.article_request(entry)
