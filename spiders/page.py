"""HTML page -> article fields. Pure functions: no Scrapy, no network, no store.

The spiders and ``veille page`` both call :func:`extract_page`, so what the command shows
is what a crawl archives. Where each field comes from, first match wins:

- text: the source's ``text`` selector, then trafilatura (with its fallback extractors,
  ``include_comments=False``), then JSON-LD ``articleBody``, then the feed summary. A leading
  paragraph repeating the title (the ``<h1>``) is removed, and so are the lines a site writes
  around its articles (links to other articles, photo credits, calls to subscribe); a
  standfirst stays at the head of the body, or is put there when trafilatura left it out
  (figures are extracted from the body; the web page shows it once);
- title: the source's selector, then the page's headline (:mod:`spiders.titles`: the
  ``<h1>`` that agrees with JSON-LD ``headline``, ``og:title``, the feed's title or
  ``<title>``, entities decoded and the site's name removed), then the feed's title;
- date, author, lead: the source's selectors, then JSON-LD (``NewsArticle`` and
  kin), then meta tags (``og:``, ``article:published_time``, ``name=author``,
  ``description``...), then the feed entry, then what trafilatura found (its date can be a
  comment's date, so it comes last) and, for the date, a date written near the top of the
  page ("Publié le 12 mars 2025", "il y a 3 heures", "hier à 10h", "13. Januar 2014").

Dates are timezone-aware; a date without a zone is read in the source's zone (``zone``: its
``timezone`` in sources.toml), else its site's country's, else ``default_zone`` (digest.toml's
timezone); a UTC timestamp is shown in the site's own zone; relative dates are resolved
against the fetch time, and a date in the future (beyond a day) or
before 1990 is rejected. Bytes are decoded with the header, BOM and ``<meta>`` charset as
browsers do (w3lib), then checked: invalid UTF-8 falls back to cp1252, and UTF-8 read as
Latin-1 ("Ã©") is repaired.

The pieces live in :mod:`spiders.encoding`, :mod:`spiders.dates`, :mod:`spiders.metadata`,
:mod:`spiders.body`, :mod:`spiders.titles` and :mod:`spiders.markup`; their public names are importable from here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from spiders.body import (
    byline_author,
    drop_boilerplate,
    paragraphs,
    run_trafilatura,
    standfirst,
    strip_repeated_heading,
)
from spiders.dates import (
    EARLIEST,
    FRENCH_DATE,
    MODIFIED_META,
    PUBLISHED_META,
    SPECIFIC_META,
    TZ,
    as_written,
    dates_zone,
    find_french_date,
    has_zone,
    midnight,
    parse_date,
    plausible,
    publication_day,
    site_zone,
)
from spiders.encoding import decode_html, repair_mojibake
from spiders.markup import clean, html_fragment_to_text, parse_html, select
from spiders.metadata import ARTICLE_TYPES, json_ld, language_code, ld_text, meta, visible_date
from spiders.titles import decode as decode_entities
from spiders.titles import page_title, site_named

__all__ = [
    "ARTICLE_TYPES",
    "EARLIEST",
    "FRENCH_DATE",
    "TZ",
    "FeedEntry",
    "PageFields",
    "clean",
    "decode_html",
    "extract_page",
    "find_french_date",
    "html_fragment_to_text",
    "midnight",
    "page_links",
    "parse_date",
    "parse_html",
    "plausible",
    "repair_mojibake",
    "strip_repeated_heading",
]


# -- inputs and outputs -----------------------------------------------------------------
@dataclass(frozen=True)
class FeedEntry:
    """What a feed (or sitemap) says about an article, used as a fallback."""

    url: str
    title: str = ""
    summary: str = ""  # plain text, paragraphs separated by "\n\n"
    published: datetime | None = None
    author: str | None = None
    language: str | None = None
    publisher: str | None = None  # RSS <source url=...>Name</source> (news-query feeds)
    publisher_url: str | None = None


@dataclass(frozen=True)
class PageFields:
    url: str
    title: str = ""
    text: str = ""
    published: datetime | None = None
    author: str | None = None
    lead: str | None = None
    language: str | None = None
    modified: datetime | None = None  # last modified, when the page says so (kept apart from published)
    canonical_url: str | None = None
    encoding: str | None = None
    title_tag: str | None = None  # the page's <title> as written (a crawl learns the site's suffix from it)
    sources: Mapping[str, str] = field(default_factory=dict)  # field -> where it came from

    def to_dict(self) -> dict[str, Any]:
        """The public view printed by ``veille page --json`` (published in ISO 8601)."""
        return {
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "author": self.author,
            "lead": self.lead,
            "text": self.text,
            "language": self.language,
        }

    def debug_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d["modified"] = self.modified.isoformat() if self.modified else None
        d["sources"] = dict(self.sources)
        return d


# -- the extractor ----------------------------------------------------------------------
def extract_page(
    html: str | bytes,
    url: str,
    *,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
    entry: FeedEntry | None = None,
    language: str | None = None,
    selectors: Mapping[str, str] | None = None,
    site_names: Sequence[str] = (),
    zone: ZoneInfo | None = None,
    default_zone: ZoneInfo = TZ,
) -> PageFields:
    """Everything Veille wants from one article page (see the module docstring)."""
    text_html, encoding = _read(html, content_type)
    page = _Page.parse(text_html, url, fetched_at or datetime.now(TZ), entry, selectors or {}, site_names)
    page = page.in_zones(zone, default_zone)
    origins = _Origins()
    # the order is the order of the fields' origins in ``sources``; the body comes after the
    # metadata (trafilatura works on a copy of the tree, the metadata is read first)
    title = _title(page, origins)
    published = _published(page, origins)
    modified = _modified(page)
    author = _author(page, origins)
    lead = _lead(page, origins)
    text = _text(page, origins, title, lead)
    return PageFields(
        url=url,
        title=title,
        text=text,
        published=published,
        author=author,
        lead=lead,
        language=_language(page, origins, language),
        modified=modified,
        canonical_url=_canonical(page.tree, _base_url(page.tree, url)),
        encoding=encoding,
        title_tag=_title_tag(page.tree),
        sources=origins.where,
    )


def _read(html: str | bytes, content_type: str | None) -> tuple[str, str | None]:
    """The page as text and the encoding it was decoded from (None when handed text, whose
    mojibake is still repaired)."""
    if isinstance(html, bytes):
        return decode_html(html, content_type)
    return repair_mojibake(html)[0], None


@dataclass(frozen=True)
class _Page:
    """One parsed page and what every field reads: its tree, JSON-LD, feed entry and the
    source's selectors' matches."""

    html: str
    url: str
    tree: Any
    ld: dict[str, Any]
    entry: FeedEntry | None
    fetched_at: datetime
    selected: dict[str, list[str]]
    site_names: Sequence[str]
    zone: ZoneInfo = TZ  # dates written without a zone are read in it
    local_zone: ZoneInfo | None = None  # the site's own (its UTC timestamps are shown in it)

    @classmethod
    def parse(
        cls,
        html: str,
        url: str,
        fetched_at: datetime,
        entry: FeedEntry | None,
        selectors: Mapping[str, str],
        site_names: Sequence[str],
    ) -> _Page:
        tree = parse_html(html)
        selected = {
            k: select(tree, html, v) for k, v in selectors.items() if k in ("title", "text", "date", "author")
        }
        return cls(html, url, tree, json_ld(tree), entry, fetched_at, selected, site_names)

    def in_zones(self, configured: ZoneInfo | None, default: ZoneInfo) -> _Page:
        """The page with its zones: the source's configured one, else its site's country's
        (host or language tag), else ``default``."""
        lang = (self.tree.xpath("/html/@lang") or [None])[0]
        site = configured or site_zone(self.url, lang)
        return replace(self, zone=dates_zone(configured, self.url, lang, default), local_zone=site)

    def date(self, value: Any) -> datetime | None:
        return parse_date(value, self.fetched_at, self.zone) if isinstance(value, str) else None


@dataclass
class _Origins:
    """Field -> where its value came from, filled as each field takes its first candidate."""

    where: dict[str, str] = field(default_factory=dict)

    def first(self, name: str, *candidates: tuple[str, Any]) -> Any:
        for origin, value in candidates:
            if value:
                self.where[name] = origin
                return value
        return None


def _base_url(tree: Any, url: str) -> str:
    """The URL relative links resolve against: the page's ``<base href>``, else its own."""
    for href in tree.xpath("//base/@href")[:1]:
        return urljoin(url, href.strip())
    return url


def _title(page: _Page, origins: _Origins) -> str:
    entry = page.entry
    headline, origin = page_title(
        page.tree, page.ld, page.url, page.site_names, clean(entry.title) if entry else None
    )
    return (
        origins.first(
            "title",
            ("selector", decode_entities(next(iter(page.selected.get("title", [])), ""))),
            (origin, headline),
            ("feed", decode_entities(entry.title) if entry else None),
        )
        or ""
    )


def _published(page: _Page, origins: _Origins) -> datetime | None:
    tree, ld, entry, fetched_at, d = page.tree, page.ld, page.entry, page.fetched_at, page.date
    zone = page.local_zone
    ld_pub = as_written(d(ld.get("datePublished")) or d(ld.get("dateCreated")), zone)
    meta_pub = as_written(next((x for x in (d(meta(tree, n)) for n in PUBLISHED_META) if x), None), zone)
    feed_pub = (
        entry.published if entry and entry.published and plausible(entry.published, fetched_at) else None
    )
    on_page = visible_date(tree, fetched_at, page.zone, page.html)
    # the page's own publication date, when written with its zone (not a naive one read in ours)
    zoned = (d(v) for v in (ld.get("datePublished"), *(meta(tree, n) for n in SPECIFIC_META)) if has_zone(v))
    written = _local_instant(as_written(next((x for x in zoned if x), None), zone), on_page)
    bare = _bare_meta_only(page, ld_pub, written)
    return origins.first(
        "published",
        ("selector", next((x for x in (d(v) for v in page.selected.get("date", [])) if x), None)),
        (
            "htmldate",
            publication_day(
                tree,
                fetched_at,
                (
                    ld_pub,
                    None if bare and on_page else meta_pub,
                    feed_pub,
                    on_page,
                ),
                prefer=_preferred(ld_pub, feed_pub, on_page, bare),
                written=written,
                zone=page.zone,
            ),
        ),
        ("feed", feed_pub),
        ("json-ld", ld_pub),
        ("meta", meta_pub),
        ("page", on_page),
    )


def _preferred(
    ld_pub: datetime | None, feed_pub: datetime | None, on_page: datetime | None, bare: bool
) -> datetime | None:
    """The date that wins over htmldate's day when they differ. Without date metadata: the
    feed's, else the one the page's header shows. With JSON-LD's publication date that the
    page's header shows too: that day (two sources of the page agree). With only a bare
    ``date`` meta (``bare``: often the page's last change, not its publication): the header's date."""
    if ld_pub is not None and on_page is not None and ld_pub.date() == on_page.date():
        return ld_pub
    return feed_pub or on_page if bare else None


def _local_instant(written: datetime | None, on_page: datetime | None) -> datetime | None:
    """The page's publication instant in the site's own zone: a date written in UTC ("Z",
    "+00:00") that the page's header shows at the same instant with its local offset is
    that header's date (its day is the publisher's day)."""
    if written is None or on_page is None or written.utcoffset() or not on_page.utcoffset():
        return written
    return on_page if abs((on_page - written).total_seconds()) < 60 else written


def _bare_meta_only(page: _Page, ld_pub: datetime | None, named: datetime | None) -> bool:
    """Has the page no publication date named as such (JSON-LD, a specific meta), at most a
    bare ``date`` meta?"""
    return ld_pub is None and named is None and not any(meta(page.tree, n) for n in SPECIFIC_META)


def _modified(page: _Page) -> datetime | None:
    return page.date(page.ld.get("dateModified")) or next(
        (x for x in (page.date(meta(page.tree, n)) for n in MODIFIED_META) if x), None
    )


_AUTHOR_META = (
    "author",
    "article:author",
    "og:article:author",
    "citation_author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "parsely-author",
    "sailthru.author",
)


def _author(page: _Page, origins: _Origins) -> str | None:
    tree, ld, entry = page.tree, page.ld, page.entry
    meta_author = meta(tree, *_AUTHOR_META)
    if meta_author and meta_author.startswith(("http://", "https://")):
        meta_author = None

    def person(value: str | None) -> str | None:
        """An author field without its label ("Par", "Post author By"), never the site's name."""
        value = _BYLINE_LABEL.sub("", value).strip() if value else None
        return None if not value or site_named(tree, ld, page.url, value) else value

    chosen = ", ".join(page.selected.get("author", []))
    author = origins.first(
        "author", ("selector", _BYLINE_LABEL.sub("", chosen).strip() or None)
    ) or origins.first(
        "author",
        ("json-ld", person(ld_text(ld.get("author") or ld.get("creator")))),
        ("meta", person(meta_author)),
        ("feed", person(clean(entry.author)) if entry and entry.author else None),
    )
    if not author:  # the byline, read only when nothing else names anyone (a tree copy)
        author = origins.first("author", ("byline", person(byline_author(tree))))
    return author


def _lead(page: _Page, origins: _Origins) -> str | None:
    entry = page.entry
    return origins.first(
        "lead",
        ("json-ld", ld_text(page.ld.get("description") or page.ld.get("abstract"))),
        ("meta", meta(page.tree, "description", "og:description", "twitter:description", "dc.description")),
        ("feed", clean(entry.summary)[:1000] if entry and entry.summary else None),
    )


def _text(page: _Page, origins: _Origins, title: str, lead: str | None) -> str:
    """The body (trafilatura works on a copy of the tree: the metadata is read first)."""
    entry, ld = page.entry, page.ld
    doc = run_trafilatura(page.tree, page.url)
    body_ld = ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else None
    text = (
        origins.first(
            "text",
            ("selector", "\n\n".join(page.selected.get("text", []))),
            ("trafilatura", paragraphs(getattr(doc, "text", None))),
            ("json-ld", paragraphs(body_ld)),
            ("feed", entry.summary if entry else None),
        )
        or ""
    )
    if origins.where.get("text") == "trafilatura":
        # the title is a field of its own: the body starts after it. A standfirst stays at the
        # head of the body, where the figure extractor (which reads the body) finds its figures
        text = strip_repeated_heading(drop_boilerplate(text), title)
        opening = standfirst(page.tree, text, lead)
        if opening:  # left out by trafilatura (a "teaser" class, the article's header)
            text = f"{opening}\n\n{text}"
    return text


def _language(page: _Page, origins: _Origins, configured: str | None) -> str | None:
    tree, ld, entry = page.tree, page.ld, page.entry
    return origins.first(
        "language",
        ("html", language_code((tree.xpath("/html/@lang") or tree.xpath("/html/@xml:lang") or [None])[0])),
        ("meta", language_code(meta(tree, "og:locale", "content-language", "language", "dc.language"))),
        ("json-ld", language_code(ld_text(ld.get("inLanguage")))),
        ("feed", entry.language if entry else None),
        ("config", configured),
    )


def _canonical(tree: Any, base: str) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, resolved against the page's base."""
    canonical = None
    for href in tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href")[:1]:
        canonical = urljoin(base, href.strip())
    if not canonical:
        og = meta(tree, "og:url")
        canonical = urljoin(base, og) if og else None
    return canonical


def _title_tag(tree: Any) -> str | None:
    return " ".join(" ".join(t.itertext()) for t in tree.xpath("//head/title | //title")[:1]) or None


# "Par", "By", "Post author By", "Author:", "Von", "Vom", "Por" before a byline's name
_BYLINE_LABEL = re.compile(
    r"^(?:(?:post\s+)?(?:author|autor|auteur|autorin)\s*:?\s+)?(?:par|by|von|vom|por)?\s*:?\s+"
    r"|^(?:post\s+)?(?:author|autor|auteur|autorin)\s*:?\s+",
    re.IGNORECASE,
)


def page_links(html: str, url: str) -> list[str]:
    """Absolute http(s) links of a page, in order, without fragments (relative links resolved)."""
    tree = parse_html(html)
    base = _base_url(tree, url)
    out: list[str] = []
    for href in tree.xpath("//a/@href"):
        absolute = urljoin(base, href.strip()).split("#", 1)[0]
        if absolute.startswith(("http://", "https://")) and absolute not in out:
            out.append(absolute)
    return out
