"""An article page's title: the headline, HTML entities decoded, the site's name removed.

Candidates, read from the parsed page: the ``<h1>`` headings (those inside the article
first), JSON-LD ``headline``, ``og:title`` / ``twitter:title`` and ``<title>``. The site's
names are ``og:site_name``, ``application-name``, JSON-LD ``publisher.name``, the host name
and, in a crawl, the suffixes learned from a source's earlier pages (``site_names``). A
site name is removed from either end of a title, after or before " - ", " | ", " – ", " — ",
" · ", " » ", " :: ", "//" or ":".

Choice: a heading that agrees with another candidate (same letters, or contained in the
``<title>``) wins, as it is what the page shows; then a heading inside the article, JSON-LD
``headline`` and ``og:title``; ``<title>`` last. A candidate that is only the site's name
is never chosen.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

# separators between a title and a site name; ":" only where a site name sits on one side
_SEP = re.compile(r"(\s+(?:[|–—·•»«~/\\:-]|::|//|\|\||-{2})\s+|\s*\|\s*|(?<=\w):\s+)")
_SEP_QUOTED = re.compile(r"(\s+(?:[|–—·•~/\\:-]|::|//|\|\||-{2})\s+|\s*\|\s*|(?<=\w):\s+)")  # « » quote
_EDGE = re.compile(r"^(?:[-|–—·:/]+\s+)+|(?:\s+[-|–—·:/]+)+$|^\s+|\s+$")
_DOMAIN = re.compile(r"^[\w.-]+\.[a-z]{2,6}$", re.IGNORECASE)
# words a site puts around its titles that are no part of any headline (WordPress's "Blog Archive")
_BOILERPLATE = {"blogarchive", "blogarchiv", "archives", "startseite", "accueil", "home"}
# a heading's kicker or screen-reader text: "<span class=kicker>Klimaschutz</span> Bohren, bis..."
_KICKER = re.compile(
    r"kicker|dachzeile|overline|roofline|topline|subheadline|eyebrow|supertitle|surtitre|visually-hidden"
    r"|sr-only|screen-reader|label|rubri|category|categorie|date|time|toptitle|subtitle|untertitel|small"
)
_GENERIC_HOST_LABELS = {"www", "blog", "blogs", "news", "m", "de", "com", "org", "net", "fr", "www2", "web"}


def decode(text: str | None) -> str:
    """Entities decoded (twice encoded ones too: "&amp;#039;"), whitespace folded."""
    value = text or ""
    for _ in range(2):
        if "&" not in value:
            break
        value = html.unescape(value)
    return " ".join(value.replace("\xad", "").split())


def key(text: str | None) -> str:
    """Letters and digits only, accents and case folded."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed.casefold() if c.isalnum() and not unicodedata.combining(c))


class SiteNames:
    """What a site calls itself, to recognise its name in a title."""

    def __init__(self, names: Iterable[str | None], url: str = "") -> None:
        self.keys: set[str] = set()
        for name in names:
            if not name:
                continue
            name = decode(name)
            self.keys.add(key(name))
            for part in _SEP.split(name)[::2]:  # "gizmeo.eu | inside the machine": each part too
                if len(key(part)) >= 4:
                    self.keys.add(key(part))
        self.keys.discard("")
        self.keys.update(_BOILERPLATE)
        host = (urlsplit(url).hostname or "").lower()
        self.host_labels = {
            key(label)
            for label in host.split(".")[:-1]
            if len(label) >= 4 and label not in _GENERIC_HOST_LABELS
        }
        if host:
            bare = host.removeprefix("www.")
            self.keys.update({key(bare), key(host)})

    def match(self, segment: str) -> bool:
        """Is ``segment`` (a piece of a title) the site's name?"""
        k = key(segment)
        if not k:
            return True  # a bare separator or punctuation
        if k in self.keys:
            return True
        words = len(segment.split())
        if words <= 6 and any(
            len(s) >= 5
            and len(k) >= 4
            and ((s in k and len(s) >= 0.6 * len(k)) or (k in s and len(k) >= 0.4 * len(s)))
            for s in self.keys
        ):
            return True
        if words <= 4 and any(
            (k.startswith(label) or k.endswith(label)) and len(k) - len(label) <= 6
            for label in self.host_labels
        ):
            return True
        return words == 1 and bool(_DOMAIN.match(segment.strip(".:")))


def strip_site(title: str, sites: SiteNames) -> str:
    """``title`` without the site's name at its start or end (the whole title if it is only that)."""
    parts = (_SEP_QUOTED if "«" in title and "»" in title else _SEP).split(title)
    segments = parts[::2]
    seps = parts[1::2]
    while len(segments) > 1 and sites.match(segments[-1]):
        segments.pop()
        seps.pop()
    while len(segments) > 1 and sites.match(segments[0]):
        segments.pop(0)
        seps.pop(0)
    out = segments[0]
    for sep, seg in zip(seps, segments[1:], strict=True):
        out += sep + seg
    out = _EDGE.sub("", out)
    if out.count("«") != out.count("»"):  # a separator left over ("» Jens Weber"), not a quotation
        out = re.sub(r"^»\s+|\s+«$", "", out)
    return out or title


def choose_title(
    *,
    headings: Sequence[str],
    article_headings: Sequence[str],
    metadata: Sequence[str | None],
    title_tag: str | None,
    sites: SiteNames,
) -> tuple[str, str]:
    """(title, where it came from), from the candidates read off the page (see the module doc)."""
    tag = decode(title_tag)
    meta = [strip_site(decode(m), sites) for m in metadata if m and decode(m)]
    meta = [m for m in meta if not sites.match(m)]
    tag_clean = strip_site(tag, sites) if tag else ""
    if tag_clean and sites.match(tag_clean):
        tag_clean = ""
    wider = [key(m) for m in (*meta, tag_clean) if m]
    tag_key = key(tag)

    def usable(h: str) -> bool:
        return bool(key(h)) and not sites.match(h)

    heads = [decode(h) for h in headings]
    heads = [h for h in heads if usable(h)]
    inside = [decode(h) for h in article_headings]
    inside = [h for h in inside if usable(h)]
    for h in [*inside, *heads]:
        k = key(h)
        if k in wider or (len(k) >= 8 and k in tag_key):
            return strip_site(h, sites), "h1"
    for h in [*inside, *heads]:  # a section label or kicker before the headline ("Politics | ...")
        tail = _headline_after_label(h, wider)
        if tail:
            return tail, "h1"
    for h in inside:  # a one- or two-word label ("News", "Sections") is not the headline
        if len(h.split()) > 2 or not (meta or tag_clean):
            return strip_site(h, sites), "h1"
    if meta:
        return meta[0], "meta"
    if tag_clean:
        return _longest_between_bars(tag_clean), "title"
    if heads:
        return heads[0], "h1"
    # every candidate looks like the site's name; one that says more than a name the site
    # gives itself ("15 Jahre rete-mirabile.net") is a headline about the site, not its name
    for candidate, origin in [*((decode(h), "h1") for h in headings), *((decode(m), "meta") for m in metadata if m),
                              (tag, "title")]:  # fmt: skip
        k = key(candidate)
        if k and k not in sites.keys and len(candidate.split()) >= 3:
            return strip_site(candidate, sites), origin
    return "", ""


def _headline_after_label(heading: str, others: Sequence[str]) -> str | None:
    """The part of a heading after its first separator(s), when that part alone is what the
    other candidates say ("Local News | Brothel busted in Boston" and a <title> "Brothel
    busted in Boston")."""
    parts = _SEP.split(heading)
    for i in range(2, len(parts), 2):
        tail = "".join(parts[i:])
        k = key(tail)
        if len(k) >= 12 and k in others:
            return tail
    return None


def _longest_between_bars(title: str) -> str:
    """A ``<title>`` (nothing better on the page) still cut by " | " after the site's name was
    removed ("kein App Store mehr ? | iPhone | Forum"): its longest part, the headline, when
    it is clearly the longest; " | " separates a site's sections, seldom a headline's words."""
    parts = [p.strip() for p in re.split(r"\s+\|\s+", title)]
    if len(parts) < 2:
        return title
    longest = max(parts, key=len)
    others = [p for p in parts if p is not longest]
    if len(longest.split()) >= 3 and all(len(longest) > len(p) for p in others):
        return longest
    return title


def page_title(
    tree: Any, ld: dict[str, Any], url: str, site_names: Iterable[str] = (), feed_title: str | None = None
) -> tuple[str, str]:
    """The page's title and where it came from (``h1``, ``meta``, ``title`` or ""). ``site_names``:
    what the source is known to append to its titles; ``feed_title``: the feed entry's title."""
    from spiders.metadata import ld_text, meta

    publisher = ld.get("publisher")
    title_tag = " ".join(" ".join(t.itertext()) for t in tree.xpath("//head/title | //title")[:1])
    names = [
        meta(tree, "og:site_name"),
        meta(tree, "application-name", "apple-mobile-web-app-title"),
        ld_text(publisher) if isinstance(publisher, dict | list) else None,
    ]
    # a "site name" that is the whole <title> ("Headline | Site" in og:site_name) names nothing
    tag_key = key(decode(title_tag))
    names = [n for n in names if n and not (key(n) == tag_key and (_SEP.search(n) or len(n.split()) >= 4))]
    sites = SiteNames([*names, *site_names], url)
    article_headings = [
        heading_text(h) for h in tree.xpath("//article//h1 | //*[@itemprop='headline'] | //main//h1")[:3]
    ]
    headings = [heading_text(h) for h in tree.xpath("//h1")[:5]]
    metadata = [
        ld_text(ld.get("headline")),
        feed_title,
        meta(tree, "og:title"),
        meta(tree, "twitter:title"),
        ld_text(ld.get("name")),
    ]
    return choose_title(
        headings=headings,
        article_headings=article_headings,
        metadata=metadata,
        title_tag=title_tag,
        sites=sites,
    )


def heading_text(el: Any) -> str:
    """A heading's text without its kicker ("<span class=kicker>Klimaschutz</span>"), a
    ``<small>`` line above it, or screen-reader-only text."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                marker = f"{child.get('class', '')} {child.get('itemprop', '')}".lower()
                kicker = _KICKER.search(marker) is not None and "headline" not in marker.replace(
                    "subheadline", ""
                )
                skip = child.tag == "small" or kicker
                if not skip:
                    walk(child)
                elif child.tag in ("span", "small", "div", "p", "time"):
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    text = " ".join("".join(parts).split())
    return text or " ".join(" ".join(el.itertext()).split())


class SuffixLearner:
    """The suffix (or prefix) a site repeats on its pages' ``<title>`` (" | L'Hebdo du Nord"),
    learned during a crawl: the same end segment on at least ``min_pages`` pages and on most
    of the titles seen. Never a segment that is a whole title."""

    def __init__(self, min_pages: int = 3, share: float = 0.6) -> None:
        self.min_pages, self.share = min_pages, share
        self.titles = 0
        self.ends: dict[str, int] = {}
        self.shown: dict[str, str] = {}

    def add(self, title_tag: str | None) -> None:
        title = decode(title_tag)
        segments = _SEP.split(title)[::2]
        if not title:
            return
        self.titles += 1
        if len(segments) < 2:
            return
        for segment in {segments[-1].strip(), segments[0].strip()}:
            k = key(segment)
            if k and len(segment.split()) <= 8:
                self.ends[k] = self.ends.get(k, 0) + 1
                self.shown.setdefault(k, segment)

    def suffix(self) -> str | None:
        """The learned site name, or None while no segment repeats enough."""
        if not self.ends:
            return None
        k, count = max(self.ends.items(), key=lambda kv: kv[1])
        if count >= self.min_pages and count >= self.share * self.titles:
            return self.shown[k]
        return None


def reclean(title: str, url: str, site_names: Iterable[str] = ()) -> str:
    """An archived title cleaned again: entities decoded and the site's names (the learned
    suffix, the host name) removed (``veille extract --titles``)."""
    cleaned = strip_site(decode(title), SiteNames(list(site_names), url))
    return cleaned if key(cleaned) else title


def site_named(tree: Any, ld: dict[str, Any], url: str, name: str) -> bool:
    """Is ``name`` (an author field, say) only the site's name: a domain ("ORF.at"), or the
    name the page gives its site (``og:site_name``, the JSON-LD publisher)? A person's blog
    named after its host keeps its author."""
    from spiders.metadata import ld_text, meta

    if _DOMAIN.match(name.strip()):
        return True
    publisher = ld.get("publisher")
    names = [
        meta(tree, "og:site_name"),
        meta(tree, "application-name"),
        ld_text(publisher) if isinstance(publisher, dict | list) else None,
    ]
    k = key(name)
    return bool(k) and any(k == key(decode(n)) for n in names if n)
