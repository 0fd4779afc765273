"""HTML page -> article fields. Pure functions: no Scrapy, no network, no store.

The spiders and ``veille page`` both call :func:`extract_page`, so what the command shows
is what a crawl archives. Where each field comes from, first match wins:

- text: the source's ``text`` selector, then trafilatura (``fast=True``,
  ``include_comments=False``), then JSON-LD ``articleBody``, then the feed summary. The
  text is the body only: leading paragraphs repeating the title (the ``<h1>``) or a
  standfirst shown apart from the body (the lead, from the description) are removed, as
  fundus keeps title, summary and body apart;
- title, date, author, lead: the source's selectors, then JSON-LD (``NewsArticle`` and
  kin), then meta tags (``og:``, ``article:published_time``, ``name=author``,
  ``description``...), then the feed entry, then what trafilatura found (its date can be a
  comment's date, so it comes last) and, for the date, a French date written near the top
  of the page ("Publié le 12 mars 2025", "il y a 3 heures", "hier à 10h").

Dates are timezone-aware; a date without a zone is read in Africa/Casablanca, relative
dates are resolved against the fetch time, and a date in the future (beyond a day) or
before 1990 is rejected. Bytes are decoded with the header, BOM and ``<meta>`` charset as
browsers do (w3lib), then checked: invalid UTF-8 falls back to cp1252, and UTF-8 read as
Latin-1 ("Ã©") is repaired.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

TZ = ZoneInfo("Africa/Casablanca")
ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "scholarlyarticle", "techarticle",
    "report", "webpage", "liveblogposting", "posting", "socialmediaposting",
}  # fmt: skip
EARLIEST = datetime(1990, 1, 1, tzinfo=TZ)


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


@dataclass(frozen=True)
class PageFields:
    url: str
    title: str = ""
    text: str = ""
    published: datetime | None = None
    author: str | None = None
    lead: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    encoding: str | None = None
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
        d["sources"] = dict(self.sources)
        return d


# -- decoding -----------------------------------------------------------------------------
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€[\u0080-\u00bf™œ\u009d“”˜¦]|Â[\u00a0-\u00bf]")


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding), as a browser would, with two repairs for wrong charsets."""
    from w3lib.encoding import html_to_unicode

    encoding, text = html_to_unicode(content_type, body)
    if "\ufffd" in text:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if encoding.replace("-", "").lower() in ("utf8", "utf_8", "utf8sig", "ascii"):
                return body.decode("cp1252", errors="replace"), "cp1252"
    return repair_mojibake(text, body, encoding)


def repair_mojibake(text: str, body: bytes | None = None, encoding: str = "") -> tuple[str, str]:
    """UTF-8 bytes read as Latin-1/cp1252 ("rÃ©gion") -> the right text, when that is sure."""
    if len(_MOJIBAKE.findall(text)) < 2:
        return text, encoding
    if body is not None:
        try:
            fixed = body.decode("utf-8")
            if len(_MOJIBAKE.findall(fixed)) < len(_MOJIBAKE.findall(text)):
                return fixed, "utf-8"
        except UnicodeDecodeError:
            pass
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return fixed, "utf-8"
    return text, encoding


# -- dates --------------------------------------------------------------------------------
_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
    "|janv|févr|fevr|avr|juil|sept|oct|nov|déc|dec"
)
_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_HOUR = r"(?:\s*(?:à|a|,|-|–)?\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?:\s*(?:min|mn))?)?"
FRENCH_DATE = re.compile(
    r"(?:il\s+y\s+a\s+(?:\d+|une?|quelques)\s+(?:secondes?|minutes?|min|heures?|h|jours?|semaines?|mois|ans?)"
    r"|(?:avant-hier|hier|aujourd'hui|aujourd’hui)" + _HOUR + r"|(?:(?:" + _DAYS + r")\s+)?(?:1er|\d{1,2})\s+"
    r"(?:" + _MONTHS + r")\.?(?:\s+\d{4})?" + _HOUR + r"|\d{1,2}[/.]\d{1,2}[/.]\d{4}" + _HOUR + r")",
    re.IGNORECASE,
)


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt


def parse_date(value: str | None, fetched_at: datetime | None = None) -> datetime | None:
    """ISO 8601, RFC 822 or French ("12 mars 2025", "mardi 3 juin", "il y a 3 heures",
    "hier") -> an aware datetime, or None when unreadable or not plausible."""
    if not value or not isinstance(value, str):
        return None
    s = " ".join(value.split())
    if not s:
        return None
    now = _aware(fetched_at) if fetched_at else datetime.now(TZ)
    dt: datetime | None = None
    iso = s.replace("Z", "+00:00") if s.endswith("Z") else s
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        try:
            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        dt = _parse_french(s, now)
    if dt is None:
        return None
    dt = _aware(dt)
    return dt if plausible(dt, now) else None


def _parse_french(s: str, now: datetime) -> datetime | None:
    import dateparser

    text = re.sub(r"\b1er\b", "1", s, flags=re.IGNORECASE)
    text = re.sub(r"(\d{1,2})\s*h\s*(\d{2})\b", r"\1:\2", text)
    text = re.sub(r"(\d{1,2})\s*h\b", r"\1:00", text)
    text = re.sub(r"\b(?:à|a)\s+(?=\d{1,2}:)", "", text)
    text = re.sub(r"^(?:publié|publie|mis à jour|mise à jour|modifié|le)\s+(?:le\s+)?", "", text, flags=re.I)
    base = now.astimezone(TZ).replace(tzinfo=None)
    settings = {
        "RELATIVE_BASE": base,
        "TIMEZONE": "Africa/Casablanca",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
    }
    try:
        return dateparser.parse(text, languages=["fr"], settings=settings)  # type: ignore[arg-type]
    except Exception:  # dateparser raises assorted errors on odd input
        return None


def plausible(dt: datetime, now: datetime | None = None) -> bool:
    now = now or datetime.now(TZ)
    return EARLIEST <= dt <= now + timedelta(days=1)


def find_french_date(text: str, fetched_at: datetime | None = None) -> datetime | None:
    """The first plausible French date written in ``text``."""
    for m in FRENCH_DATE.finditer(text):
        dt = parse_date(m.group(0), fetched_at)
        if dt is not None:
            return dt
    return None


# -- HTML helpers -----------------------------------------------------------------------
def parse_html(text: str) -> Any:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        return lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def html_fragment_to_text(fragment: str) -> str:
    """A feed summary (HTML) -> plain text, paragraphs separated by a blank line."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return "\n\n".join(clean(p) for p in re.split(r"\n\s*\n", fragment) if clean(p))
    marked = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</h\d\s*>", "\n\n", fragment)
    try:
        root = lxml.html.fragment_fromstring(marked, create_parent="div")
        raw = root.text_content()
    except (etree.ParserError, ValueError):
        raw = re.sub(r"<[^>]+>", " ", marked)
    return "\n\n".join(clean(p) for p in re.split(r"\n\s*\n", raw) if clean(p))


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for el in tree.xpath(
                f"//meta[translate(@{attr},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')=$n]",
                n=name,
            ):
                value = clean(el.get("content"))
                if value:
                    return value
    return None


def _json_ld(tree: Any) -> dict[str, Any]:
    """The page's article object from JSON-LD (``@graph`` and lists flattened)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            types = node.get("@type", [])
            types = [types] if isinstance(types, str) else types
            if any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in types):
                found.append(node)
            if "@graph" in node:
                walk(node["@graph"])
            main = node.get("mainEntity")
            if isinstance(main, dict | list):
                walk(main)

    for script in tree.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        raw = re.sub(r"^<!--|-->$", "", raw).strip()
        try:
            walk(json.loads(raw, strict=False))
        except (json.JSONDecodeError, RecursionError):
            continue
    # prefer a real article type over WebPage
    found.sort(key=lambda n: "webpage" in str(n.get("@type", "")).lower())
    return found[0] if found else {}


def _ld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return clean(value) or None
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("@value"))
    if isinstance(value, list):
        names = [n for n in (_ld_text(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _select(tree: Any, html: str, selector: str) -> list[str]:
    from parsel import Selector

    sel = Selector(root=tree) if tree is not None else Selector(text=html)
    nodes = sel.xpath(selector) if selector.lstrip().startswith(("/", "(")) else sel.css(selector)
    out = []
    for node in nodes:
        root = node.root
        if isinstance(root, str):
            value = clean(root)
        else:
            value = clean(" ".join(root.itertext()))
            if not value and root.get("datetime"):
                value = root.get("datetime")
        if value:
            out.append(value)
    return out


def _visible_date(tree: Any, fetched_at: datetime | None) -> datetime | None:
    """A date in the page's header area: <time datetime>, then date-ish elements' text."""
    scope = tree.xpath("//article") or tree.xpath("//main") or [tree]
    for el in scope[0].xpath(".//time[@datetime]")[:2]:
        dt = parse_date(el.get("datetime"), fetched_at)
        if dt:
            return dt
    pattern = "date|time|publi|posted|byline|meta|auteur|author"
    for el in scope[0].xpath(".//*[@class or @itemprop or @id]")[:400]:
        marker = " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("id")))).lower()
        if re.search(pattern, marker) and "comment" not in marker:
            dt = find_french_date(clean(" ".join(el.itertext()))[:200], fetched_at)
            if dt:
                return dt
    return None


def _unwrap_layout_tables(tree: Any) -> Any:
    """A copy of the page where tables used for layout (holding headings or paragraphs, as
    on old sites) become plain divs, so the extractor sees paragraphs, not table cells."""
    import copy

    if not tree.xpath("//table[.//p or .//h1 or .//h2]"):
        return tree
    tree = copy.deepcopy(tree)
    for table in tree.xpath("//table[.//p or .//h1 or .//h2]"):
        for el in [table, *table.xpath(".//tbody | .//thead | .//tfoot | .//tr | .//td | .//th")]:
            if el.tag in ("td", "th", "tr"):
                el.tag = "div"
                el.attrib.pop("width", None)
            elif el is table:
                el.tag = "div"
            else:
                el.drop_tag()
    return tree


def _trafilatura(html: str, url: str, tree: Any = None) -> Any:
    import trafilatura

    if tree is not None:
        unwrapped = _unwrap_layout_tables(tree)
        if unwrapped is not tree:
            html = lxml.html.tostring(unwrapped, encoding="unicode")
    try:
        return trafilatura.bare_extraction(
            html, url=url, fast=True, include_comments=False, with_metadata=True, include_tables=True
        )
    except Exception:  # trafilatura can fail on pathological markup; the fallbacks remain
        return None


def _paragraphs(text: str | None) -> str:
    if not text:
        return ""
    return "\n\n".join(clean(line) for line in text.splitlines() if clean(line))


def _key(text: str) -> str:
    """Letters and digits only, accents and case folded: "Offshoring : 18,5 MMDH" -> "offshoring185mmdh"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum() and not unicodedata.combining(c))


_STANDFIRST = re.compile(
    r"chap[oe]|lead|standfirst|intro|excerpt|summary|resume|sous-?titre|subtitle|dek|kicker|accroche"
)


def _standfirst_on_page(tree: Any, lead: str) -> bool:
    """Is ``lead`` shown on the page apart from the body (a standfirst), rather than as one of
    its paragraphs (a description copied from the first paragraph, as WordPress does)?"""
    key = _key(lead)
    for el in tree.iter("p", "div", "h2", "h3", "span", "strong"):
        if _key(" ".join(el.itertext())) != key:
            continue
        for node in (el, el.getparent()):
            if node is not None and _STANDFIRST.search(
                f"{node.get('class', '')} {node.get('id', '')}".lower()
            ):
                return True
        parent = el.getparent()
        siblings = (
            []
            if parent is None
            else [p for p in parent.iterchildren("p") if p is not el and clean(p.text_content())]
        )
        return el.tag != "p" or len(siblings) < 2
    return False


def strip_repeated_heading(text: str, title: str, lead: str | None = None) -> str:
    """``text`` without leading paragraphs that repeat the title (and the lead, when given):
    extractors keep the page's ``<h1>`` and standfirst, which Veille stores apart."""
    paragraphs = text.split("\n\n")
    heads = {k for k in (_key(title), _key(lead or "")) if k}
    while len(paragraphs) > 1 and heads:
        key = _key(paragraphs[0])
        if key not in heads:
            break
        heads.discard(key)
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def _strip_site_name(title: str) -> str:
    parts = re.split(r"\s+[|–—-]\s+", title)
    return parts[0] if len(parts) > 1 and len(parts[0]) > 15 else title


def _language(value: str | None) -> str | None:
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


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
) -> PageFields:
    """Everything Veille wants from one article page (see the module docstring)."""
    encoding = None
    if isinstance(html, bytes):
        html, encoding = decode_html(html, content_type)
    else:
        html, _ = repair_mojibake(html)
    fetched_at = fetched_at or datetime.now(TZ)
    selectors = selectors or {}
    tree = parse_html(html)
    base = url
    for href in tree.xpath("//base/@href")[:1]:
        base = urljoin(url, href.strip())
    ld = _json_ld(tree)
    doc = _trafilatura(html, url, tree)
    where: dict[str, str] = {}

    def first(name: str, *candidates: tuple[str, Any]) -> Any:
        for origin, value in candidates:
            if value:
                where[name] = origin
                return value
        return None

    sel = {
        k: _select(tree, html, v) for k, v in selectors.items() if k in ("title", "text", "date", "author")
    }

    # title
    title = (
        first(
            "title",
            ("selector", (sel.get("title") or [None])[0]),
            ("json-ld", _ld_text(ld.get("headline") or ld.get("name"))),
            ("meta", _meta(tree, "og:title", "twitter:title", "dc.title")),
            ("feed", clean(entry.title) if entry else None),
            ("trafilatura", clean(getattr(doc, "title", None))),
            ("h1", clean(" ".join(tree.xpath("//h1[1]//text()")))),
            ("title", _strip_site_name(clean(" ".join(tree.xpath("//title//text()"))))),
        )
        or ""
    )

    # date
    def d(value: Any) -> datetime | None:
        return parse_date(value, fetched_at) if isinstance(value, str) else None

    published = first(
        "published",
        ("selector", next((x for x in (d(v) for v in sel.get("date", [])) if x), None)),
        ("json-ld", d(ld.get("datePublished")) or d(ld.get("dateCreated"))),
        (
            "meta",
            next(
                (
                    x
                    for x in (
                        d(_meta(tree, n))
                        for n in (
                            "article:published_time",
                            "og:published_time",
                            "og:article:published_time",
                            "datepublished",
                            "pubdate",
                            "publishdate",
                            "publish-date",
                            "date",
                            "dc.date.issued",
                            "dc.date",
                            "dcterms.created",
                            "dcterms.date",
                            "sailthru.date",
                            "parsely-pub-date",
                            "article.published",
                            "cxenseparse:recs:publishtime",
                        )  # fmt: skip
                    )
                    if x
                ),
                None,
            ),
        ),
        (
            "feed",
            entry.published if entry and entry.published and plausible(entry.published, fetched_at) else None,
        ),
        ("page", _visible_date(tree, fetched_at)),
        ("trafilatura", d(getattr(doc, "date", None))),
    )

    # author
    meta_author = _meta(
        tree, "author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author"
    )
    if meta_author and meta_author.startswith(("http://", "https://")):
        meta_author = None
    author = first(
        "author",
        ("selector", ", ".join(sel.get("author", [])) or None),
        ("json-ld", _ld_text(ld.get("author") or ld.get("creator"))),
        ("meta", meta_author),
        ("feed", clean(entry.author) if entry and entry.author else None),
        ("trafilatura", clean(getattr(doc, "author", None))),
    )
    if author:
        author = re.sub(r"^(?:par|by)\s+", "", author, flags=re.I).strip() or None

    # lead
    lead = first(
        "lead",
        ("json-ld", _ld_text(ld.get("description") or ld.get("abstract"))),
        ("meta", _meta(tree, "description", "og:description", "twitter:description", "dc.description")),
        ("feed", clean(entry.summary)[:1000] if entry and entry.summary else None),
    )

    # text
    body_ld = ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else None
    text = (
        first(
            "text",
            ("selector", "\n\n".join(sel.get("text", []))),
            ("trafilatura", _paragraphs(getattr(doc, "text", None))),
            ("json-ld", _paragraphs(body_ld)),
            ("feed", entry.summary if entry else None),
        )
        or ""
    )

    if where.get("text") == "trafilatura":
        # title and standfirst are fields of their own (as fundus does): the body starts after them
        standfirst = (
            lead
            if lead and where.get("lead") in ("json-ld", "meta") and _standfirst_on_page(tree, lead)
            else None
        )
        text = strip_repeated_heading(text, title, standfirst)

    # language, canonical
    lang = first(
        "language",
        ("html", _language((tree.xpath("/html/@lang") or tree.xpath("/html/@xml:lang") or [None])[0])),
        ("meta", _language(_meta(tree, "og:locale", "content-language", "language", "dc.language"))),
        ("json-ld", _language(_ld_text(ld.get("inLanguage")))),
        ("feed", entry.language if entry else None),
        ("config", language),
    )
    canonical = None
    for href in tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href")[:1]:
        canonical = urljoin(base, href.strip())
    if not canonical:
        og = _meta(tree, "og:url")
        canonical = urljoin(base, og) if og else None

    return PageFields(
        url=url,
        title=title,
        text=text,
        published=published,
        author=author,
        lead=lead,
        language=lang,
        canonical_url=canonical,
        encoding=encoding,
        sources=where,
    )


def page_links(html: str, url: str) -> list[str]:
    """Absolute http(s) links of a page, in order, without fragments (relative links resolved)."""
    tree = parse_html(html)
    base = url
    for href in tree.xpath("//base/@href")[:1]:
        base = urljoin(url, href.strip())
    out: list[str] = []
    for href in tree.xpath("//a/@href"):
        absolute = urljoin(base, href.strip()).split("#", 1)[0]
        if absolute.startswith(("http://", "https://")) and absolute not in out:
            out.append(absolute)
    return out


def midnight(dt: datetime) -> datetime:
    return datetime.combine(dt.date(), time(0), tzinfo=TZ)
