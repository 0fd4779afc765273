"""An article page's metadata: JSON-LD (``NewsArticle`` and kin), meta tags, a visible date,
the language code. Each function reads a parsed tree and returns plain values (or None).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from spiders.dates import TZ, find_french_date, parse_date
from spiders.labels import OTHER_ITEMS, labelled_date, without_changes
from spiders.markup import clean

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "scholarlyarticle", "techarticle",
    "report", "webpage", "liveblogposting", "posting", "socialmediaposting",
}  # fmt: skip


_META_ATTRS = ("property", "name", "itemprop")
# the meta tags of the last page read: an extraction asks for some thirty names, and walking
# the whole tree for each (and each attribute) cost more than the main text's extraction
_last_meta: tuple[Any, dict[tuple[str, str], str]] | None = None


def _meta_index(tree: Any) -> dict[tuple[str, str], str]:
    global _last_meta
    if _last_meta is not None and _last_meta[0] is tree:
        return _last_meta[1]
    index: dict[tuple[str, str], str] = {}
    for el in tree.iter("meta"):
        value = None
        for attr in _META_ATTRS:
            name = el.get(attr)
            if not name:
                continue
            pair = (attr, name.lower())
            if pair in index:
                continue
            if value is None:
                value = clean(el.get("content")) or ""
            if value:
                index[pair] = value
    _last_meta = (tree, index)
    return index


def meta(tree: Any, *names: str) -> str | None:
    """The first non-empty ``content`` of a meta tag named (property, name or itemprop,
    case aside) by one of ``names``, in that order."""
    index = _meta_index(tree)
    for name in names:
        for attr in _META_ATTRS:
            value = index.get((attr, name))
            if value:
                return value
    return None


def json_ld(tree: Any) -> dict[str, Any]:
    """The page's article object from JSON-LD (``@graph`` and lists flattened)."""
    found: list[dict[str, Any]] = []
    named: dict[str, dict[str, Any]] = {}  # "@id" -> node with a name (Yoast's Person nodes)

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if isinstance(node.get("@id"), str) and node.get("name"):
                named.setdefault(node["@id"], node)
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
    if not found:
        return {}
    article = dict(found[0])
    for field in ("author", "creator", "publisher"):  # {"@id": ...} references to other nodes
        article[field] = _resolve(article.get(field), named)
    return article


def _resolve(value: Any, named: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_resolve(v, named) for v in value]
    if isinstance(value, dict) and not value.get("name") and isinstance(value.get("@id"), str):
        return named.get(value["@id"], value)
    return value


def ld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return clean(value) or None
    if isinstance(value, dict):
        return ld_text(value.get("name") or value.get("@value"))
    if isinstance(value, list):
        names = [n for n in (ld_text(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def visible_date(
    tree: Any, fetched_at: datetime | None, zone: ZoneInfo = TZ, html: str = ""
) -> datetime | None:
    """A date in the page's header area: the date the page marks as its publication date
    (:func:`marked_date`), a ``<time datetime>``, then a date in date-ish elements' text:
    French first (a bare "hier" or "aujourd'hui", without an hour, is no date there: "hier" is
    a German word too, and a page's other days are often "hier" next to a title), else in any
    language htmldate reads when written with its full year ("13. Januar 2014", "Updated June
    13, 2019"; a two-digit year, "20.11.22", is as often an event's day). Links and the blocks
    of comments, teasers and related articles are skipped: their dates are other pages'. A
    date written without a zone is read in ``zone``."""
    marked = marked_date(tree, fetched_at, zone)
    if marked:
        return marked
    scope = tree.xpath("//article") or tree.xpath("//main") or [tree]
    for el in scope[0].xpath(".//time[@datetime]")[:2]:
        dt = parse_date(el.get("datetime"), fetched_at, zone)
        if dt:
            return dt
    under = headline_date(tree, fetched_at, zone)
    if under:
        return under
    pattern = "date|time|publi|posted|byline|meta|auteur|author|datum|fecha"
    for el in scope[0].xpath(".//*[@class or @itemprop or @id]")[:400]:
        marker = " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("id")))).lower()
        if re.search(pattern, marker) and el.tag != "a" and not _in_other_item(el, marker, scope[0]):
            text = without_changes(_BARE_RELATIVE.sub(" ", clean(" ".join(el.itertext()))[:200]))
            dt = find_french_date(text, fetched_at, zone)
            if dt is None and _FULL_YEAR.search(text[:120]):
                dt = _text_date(text[:120], fetched_at, zone)
            if dt:
                return dt
    return labelled_date(html, lambda text: _label_date(text, fetched_at, zone)) if html else None


def headline_date(tree: Any, fetched_at: datetime | None, zone: ZoneInfo = TZ) -> datetime | None:
    """The date written in a short line just under the headline (the first ``<h1>`` of three
    words or more), whatever the line's class: "1. Februar 2022, Daniel Dillenburg",
    "Written: 2023-11-07 15:03 / Updated: …" (a change's date is cut first). Only the first
    lines with text after the headline are read, links, comments, teasers and related articles
    aside, and the date must open the line
    (its first 40 characters) and carry its full year."""
    heads = [h for h in tree.xpath("//body//h1")[:3] if len(clean(" ".join(h.itertext())).split()) >= 3]
    if not heads:
        return None
    lines = 0
    for el in heads[0].xpath("following::*[position() <= 12]"):
        marker = " ".join(filter(None, (el.get("class"), el.get("id")))).lower()
        if el.tag in ("a", "script", "style") or el.xpath("ancestor::a") or _in_other_item(el, marker, None):
            continue
        text = clean(" ".join(el.itertext()))
        if not text:
            continue
        if len(text) <= 200:
            head = without_changes(text)[:60]
            if _FULL_YEAR.search(head):
                dt = _label_date(head, fetched_at, zone)
                if dt:
                    return dt
        lines += 1
        if lines >= 4:
            return None
    return None


def _label_date(text: str, fetched_at: datetime | None, zone: ZoneInfo) -> datetime | None:
    """The date at the start of the text after a label, written in French or, with its full
    year, in any language htmldate reads."""
    head = clean(text)[:40]
    if not re.match(r"\W{0,3}(?:\w+[,:]?\s+)?\d", head):  # the label's date, not a later one
        return None
    return find_french_date(head, fetched_at, zone) or (
        _text_date(head, fetched_at, zone) if _FULL_YEAR.search(head) else None
    )


# a comment's, a teaser's or a related article's date is not the article's
_OTHER_ITEM = re.compile(OTHER_ITEMS)
_FULL_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _in_other_item(el: Any, marker: str, scope: Any) -> bool:
    """Is this element (or a block around it, inside ``scope``) a comment, a teaser of another
    article or a related link? Their dates are not the article's."""
    if _OTHER_ITEM.search(marker):
        return True
    for block in el.iterancestors():
        if block is scope or block.tag in ("body", "html"):
            return False
        if _OTHER_ITEM.search((block.get("class") or "").lower()):
            return True
    return False


# "hier" or "aujourd'hui" without an hour after it
_BARE_RELATIVE = re.compile(
    r"\b(?:avant-hier|hier|aujourd['’]hui)\b(?!\s*(?:à|a|,|-|–)?\s*\d{1,2}\s*(?:h|:))", re.I
)
# the publication date marked as such in the page's body: microdata, or the microformat
# class "published" of blog themes ("<abbr class='published' title='2017-09-09T10:52:00+02:00'>")
_MARKED = "//body//*[@itemprop='datePublished' or contains(@class, 'published')]"


def marked_date(tree: Any, fetched_at: datetime | None, zone: ZoneInfo = TZ) -> datetime | None:
    """The date an element of the page's body marks as the publication date (microdata
    ``itemprop="datePublished"``, microformat class ``published``): its ``datetime``,
    ``content`` or ``title`` attribute, else its text in any language htmldate reads."""
    marked = [
        el for el in tree.xpath(_MARKED) if el.get("itemprop") or "published" in el.get("class", "").split()
    ]
    for el in marked[:3]:
        for attr in ("datetime", "content", "title"):
            value = (el.get(attr) or "").strip()
            if re.match(r"\d{4}-\d{2}-\d{2}", value):
                dt = parse_date(value, fetched_at, zone)
                if dt:
                    return dt
        dt = _text_date(clean(" ".join(el.itertext()))[:80], fetched_at, zone)
        if dt:
            return dt
    return None


def _text_date(text: str, fetched_at: datetime | None, zone: ZoneInfo = TZ) -> datetime | None:
    """A date written in words or digits in any language htmldate knows ("May 19, 2020",
    "20. Mai 2007", "5 mars 2025", "16.02.2022"), at midnight; None without one."""
    if not re.search(r"\d", text):
        return None
    from datetime import timedelta

    from htmldate.extractors import try_date_expr

    now = fetched_at or datetime.now(TZ)
    latest = now.replace(tzinfo=None) + timedelta(days=1)
    found = try_date_expr(text, "%Y-%m-%d", False, datetime(1990, 1, 1), latest)  # no fuzzy search: faster
    return parse_date(found, fetched_at, zone) if found else None


def language_code(value: str | None) -> str | None:
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None
