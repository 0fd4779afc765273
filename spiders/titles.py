"""An article page's title: the headline, HTML entities decoded, the site's name removed.

Candidates, read from the parsed page: the ``<h1>`` headings (those inside the article
first; a hidden one left out), the first ``<h2>``, JSON-LD ``headline``, ``og:title`` /
``twitter:title`` and ``<title>``. The site's names are ``og:site_name``, ``application-name``,
JSON-LD ``publisher.name``, the host name, a heading that is the site's logo (marked so, or a
link to its home page, as blog themes write the blog's name above each post) and, in a
crawl, the suffixes learned from a source's earlier pages (``site_names``). A site name is
removed from either end of a title, after or before " - ", " | ", " – ", " — ", " · ", " » ",
" :: ", "//" or ":".

Choice: a heading that agrees with another candidate wins, as it is what the page shows: an
``<h1>`` saying what the metadata says, an ``<h2>`` saying it (the ``<h1>`` is then a rubric),
an ``<h1>`` saying what the ``<title>`` says, the longest ``<h1>`` inside the ``<title>``, an
``<h2>`` that is a whole part of the ``<title>``; then a heading inside the article, JSON-LD
``headline`` and ``og:title``; a page without metadata, its one ``<h1>``; ``<title>`` last. A
candidate that is only the site's name is never chosen.
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

    def __init__(self, names: Iterable[str | None], url: str = "", exact: Iterable[str] = ()) -> None:
        self.keys: set[str] = set()
        # names matched only whole (a logo heading: "Stiftung Offshore-Windenergie" names the
        # site, not every title segment its words are part of)
        self.exact = {key(decode(n)) for n in exact} - {""}
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
        if k in self.keys or k in self.exact:
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
    subheadings: Sequence[str] = (),
) -> tuple[str, str]:
    """(title, where it came from), from the candidates read off the page (see the module doc)."""
    tag = decode(title_tag)
    meta = [strip_site(decode(m), sites) for m in metadata if m and decode(m)]
    meta = [m for m in meta if not sites.match(m)]
    tag_clean = strip_site(tag, sites) if tag else ""
    if tag_clean and sites.match(tag_clean):
        tag_clean = ""
    wider = [key(m) for m in (*meta, tag_clean) if m]

    def usable(h: str) -> bool:
        return bool(key(h)) and not sites.match(h)

    heads = [decode(h) for h in headings]
    heads = [h for h in heads if usable(h)]
    inside = [decode(h) for h in article_headings]
    inside = [h for h in inside if usable(h)]
    agreeing = _agreeing(
        [*inside, *heads], [decode(h) for h in subheadings if usable(decode(h))], meta, tag, tag_clean, sites
    )
    if agreeing:
        return strip_site(agreeing, sites), "h1"
    for h in [*inside, *heads]:  # a section label or kicker before the headline ("Politics | ...")
        tail = _headline_after_label(h, wider)
        if tail:
            return tail, "h1"
    for h in inside:  # a one- or two-word label ("News", "Sections") is not the headline
        if len(h.split()) > 2 or not (meta or tag_clean):
            return strip_site(h, sites), "h1"
    if meta:
        return meta[0], "meta"
    if len(heads) == 1:  # no metadata: the one headline the page shows, over its <title>
        return strip_site(heads[0], sites), "h1"
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


def _agreeing(
    headings: Sequence[str],
    subheadings: Sequence[str],
    meta: Sequence[str],
    tag: str,
    tag_clean: str,
    sites: SiteNames,
) -> str | None:
    """The heading the other candidates confirm, best first: an ``<h1>`` saying what the metadata
    says, an ``<h2>`` saying it (the ``<h1>`` then is a section's or the site's name), an
    ``<h1>`` saying what the ``<title>`` says, an ``<h2>`` saying it,
    the longest ``<h1>`` found inside the ``<title>``, an ``<h2>`` that is a whole part of the
    ``<title>`` (a page with no headline ``<h1>``)."""
    meta_keys = {key(m) for m in meta}
    clean_key, tag_key = key(tag_clean), key(tag)
    parts = {key(p) for p in _SEP.split(tag)[::2] if len(p.split()) >= 2} - {""}
    ranked: list[tuple[int, int, str]] = []
    for h in headings:
        k = key(h)
        tier = 0 if k in meta_keys else 2 if k == clean_key else 4 if len(k) >= 8 and k in tag_key else -1
        if tier >= 0:
            ranked.append((tier, -len(k) if tier == 4 else 0, h))
    for h in subheadings:
        k = key(h)
        tier = 1 if k in meta_keys else 3 if k == clean_key else 5 if k in parts else -1
        if tier >= 0 and not sites.match(h):
            ranked.append((tier, -len(k), _DECORATION.sub("", h)))
    return min(ranked, key=lambda r: r[:2])[2] if ranked else None


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
    # a hidden <h1> is no headline; an element marked up as the headline is one, shown or not
    shown = [h for h in tree.xpath("//h1 | //*[@itemprop='headline']") if h.tag != "h1" or not _hidden(h)]
    logos = [h for h in shown if _names_the_site(h, url)]  # the site's name, linked to its home page
    sites = SiteNames([*names, *site_names], url, exact=[heading_text(h) for h in logos])
    shown = [h for h in shown if h not in logos]
    in_article = set(tree.xpath("//article//h1 | //*[@itemprop='headline'] | //main//h1"))
    article_headings = [heading_text(h) for h in shown if h in in_article][:3]
    headings = [heading_text(h) for h in shown if h.tag == "h1"][:5]
    subheadings = [heading_text(h) for h in tree.xpath("//h2")[:5] if not _hidden(h)]
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
        subheadings=subheadings,
    )


_DECORATION = re.compile(r"^[\[(]?[<>|»/:·•\-–—]+[\])]?\s+")  # "[> Jens Weber"
_HIDDEN = re.compile(
    r"\b(?:hidden|sr-only|aural|visually-hidden|screen-reader(?:-text)?|invisible|offscreen)\b"
)
_LOGO = re.compile(r"\b(?:logo|site-?title|site-?name|blog-?title|blog-?name|brand(?:ing)?)\b")


def _hidden(el: Any) -> bool:
    """A heading the reader does not see: for screen readers only, or hidden by its style."""
    marker = f"{el.get('class', '')} {el.get('id', '')}".lower()
    style = (el.get("style") or "").replace(" ", "").lower()
    return _HIDDEN.search(marker) is not None or "display:none" in style


def _names_the_site(el: Any, url: str) -> bool:
    """Is this heading the site's name: marked as its logo or title, or a link to its home
    page ("<h1><a href="/">Le Blog</a></h1>", as blog themes write it above each post)?"""
    if _LOGO.search(f"{el.get('class', '')} {el.get('id', '')}".lower()):
        return True
    links = el.xpath(".//a[@href]")
    if len(links) != 1 or key(" ".join(links[0].itertext())) != key(" ".join(el.itertext())):
        return False
    return links[0].get("rel") == "home" or _is_home(links[0].get("href", ""), url)


def _is_home(href: str, url: str) -> bool:
    """Does ``href`` lead to the site's home page? (An archived copy's links keep the original
    address after the archive's own: the part after the last "://" is read.)"""
    from urllib.parse import urljoin

    target = urljoin(url, href.strip()).split("#", 1)[0]
    rest = target.rsplit("://", 1)[-1]
    host, _, path = rest.partition("/")
    return bool(host) and path.split("?", 1)[0] in ("", "index.html", "index.php")


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
