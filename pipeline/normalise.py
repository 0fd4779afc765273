"""Normalise stage: canonical URLs, clean text and titles, drop empty items.

Pure functions first (:func:`canonical_url`, :func:`clean_text`, :func:`clean_title`),
testable without Scrapy; :class:`NormalisePipeline` applies them to each
:class:`~veille.core.models.Article` and drops items left with neither text nor title
(reason ``empty``).

Text conventions after this stage: Unicode NFC, one paragraph per block, paragraphs
separated by a blank line (``"\\n\\n"``), runs of spaces and tabs collapsed to one space.
Non-breaking spaces (U+00A0, U+202F) are kept: French typography and the figure
extractor's thousands separators depend on them.
"""

from __future__ import annotations

import fnmatch
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from pipeline.config import pipeline_config
from pipeline.limits import cap_text
from pipeline.stage import Stage, Step
from veille.archive.store import fold, unaccent  # noqa: F401  (the archive's fold, re-exported for the stages)
from veille.core.conf.pipeline import DEFAULT_BOILERPLATE, DEFAULT_TRACKING_PARAMS, NormaliseConfig
from veille.core.models import Article
from veille.core.workers import Workers

TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ")

_HOST_PREFIXES = ("amp.", "m.", "mobile.")
_AMP_CACHE = re.compile(r"^[a-z0-9-]+\.cdn\.ampproject\.org$")
_OTHER_SPACE = r"[\t\f\v\u2000-\u200a\u205f\u3000]"
_SPACE = r"[ \t\f\v\u2000-\u200a\u205f\u3000]"  # keeps U+00A0 and U+202F
# a run of spaces to write as one " ": all but a lone " " (replacing it by itself would only cost);
# each branch opens with a class, so the engine skips ahead to a candidate
_SPACES = re.compile(rf"{_OTHER_SPACE}{_SPACE}*| {_SPACE}+")
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\v\f]")


# -- URLs ---------------------------------------------------------------------------------
def _is_tracking(name: str, patterns: Iterable[str]) -> bool:
    key = name.lower()
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def _desktop_path(path: str) -> str:
    """Remove AMP markers from a path: ``/a/amp/`` -> ``/a/``, ``/amp/a`` -> ``/a``, ``x.amp.html`` -> ``x.html``."""
    if path.endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    elif path.endswith(".amp"):
        path = path[: -len(".amp")]
    segments = path.split("/")
    kept = [s for s in segments if s.lower() != "amp"]
    if len(kept) != len(segments):
        path = "/".join(kept)  # "/a/amp/" -> "/a/", "/a/amp" -> "/a"
        if not path.startswith("/"):
            path = "/" + path
    return path or "/"


def canonical_url(url: str, tracking_params: Sequence[str] = DEFAULT_TRACKING_PARAMS) -> str:
    """The one URL under which an article is archived.

    Lowercases scheme and host, drops the fragment, default ports, tracking parameters and
    AMP or mobile markers (``/amp/``, ``?amp``, ``.amp.html``, ``amp.``/``m.``/``mobile.``
    hosts, Google AMP cache URLs) and sorts the query. Anything not ``http(s)`` is returned
    stripped but otherwise untouched.

    >>> canonical_url("https://M.Example.ma/eco/offshoring/amp/?utm_source=fb&b=2&a=1#top")
    'https://example.ma/eco/offshoring/?a=1&b=2'
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    path = parts.path
    if _AMP_CACHE.match(host):  # https://www-x-ma.cdn.ampproject.org/c/s/www.x.ma/article
        inner = re.match(r"^/[a-z](?:/s)?/(?P<rest>[^/]+/.*)$", path)
        if inner:
            secure = "/s/" in path[:5]
            query = f"?{parts.query}" if parts.query else ""
            return canonical_url(f"{'https' if secure else 'http'}://{inner['rest']}{query}", tracking_params)
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k, tracking_params)
    ]
    rebuilt = urlunsplit((scheme, netloc, _desktop_path(path), urlencode(kept), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


# -- text -----------------------------------------------------------------------------------
def _compile(patterns: Iterable[str]) -> re.Pattern[str] | None:
    patterns = list(patterns)
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _visible(text: str) -> str:
    """``text`` without its invisible characters (looked for first: they are rare, and
    ``str.translate`` is slow on a long text that has none)."""
    if any(char in text for char in _INVISIBLE_CHARS):
        return text.translate(_INVISIBLE)
    return text


def _clean_line(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def clean_text(
    text: str,
    boilerplate: Sequence[str] = DEFAULT_BOILERPLATE,
    max_boilerplate_chars: int = 200,
    *,
    _pattern: re.Pattern[str] | None = None,
) -> str:
    """NFC, no invisible characters, collapsed spaces, one paragraph per block, no boilerplate.

    Every non-empty line is a paragraph (extractors emit one paragraph per line); the
    result separates paragraphs with ``"\\n\\n"``. Boilerplate lines ("Lire aussi : ...",
    share prompts) are removed when short; a paragraph repeated right after itself is kept once.
    """
    if not text:
        return ""
    if "&" in text and ";" in text:
        text = html.unescape(text)
    text = _visible(unicodedata.normalize("NFC", text))
    text = _LINE_BREAKS.sub("\n", text)
    pattern = _pattern if _pattern is not None else _compile(boilerplate)
    paragraphs: list[str] = []
    for raw in text.split("\n"):
        line = _clean_line(raw)
        if not line:
            continue
        if pattern is not None and len(line) <= max_boilerplate_chars and pattern.match(_fold_line(line)):
            continue
        if paragraphs and paragraphs[-1] == line:
            continue
        paragraphs.append(line)
    return "\n\n".join(paragraphs)


def _fold_line(line: str) -> str:
    return fold(line).strip(" \u00a0\u202f-–—•·>»«*#:|")


def _squash(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(s))


def _looks_like_site(suffix: str, host: str, source: str, site_names: Sequence[str]) -> bool:
    key = _squash(suffix)
    if not key:
        return False
    if any(_squash(name) == key for name in site_names):
        return True
    labels = [lab for lab in host.split(".") if lab not in ("www", "m", "amp", "mobile")]
    candidates = {_squash(lab) for lab in labels[:-1] if len(lab) >= 3} | {_squash(source)}
    candidates.discard("")
    if "." in suffix and " " not in suffix.strip():  # "Le360.ma", "H24info.ma"
        return True
    return any(c == key or (len(c) >= 4 and (c in key or key in c)) for c in candidates)


def clean_title(title: str, url: str = "", source: str = "", site_names: Sequence[str] = ()) -> str:
    """Clean a headline and strip a trailing site name ("Titre - Le360", "Titre | Médias24").

    A suffix is stripped only when it names the site: it matches a configured site name,
    the source name or the host name, or looks like a domain. A real subtitle after a dash
    is kept.
    """
    if not title:
        return ""
    if "&" in title and ";" in title:
        title = html.unescape(title)
    title = _visible(unicodedata.normalize("NFC", title))
    title = _clean_line(_LINE_BREAKS.sub(" ", title).replace("\n", " "))
    host = (urlsplit(url).hostname or "").lower() if url else ""
    for _ in range(2):  # "Titre - Économie - Le360": at most the site, then a section name
        cut = max(((title.rfind(sep), sep) for sep in TITLE_SEPARATORS), default=(-1, ""))
        index, sep = cut
        if index <= 0:
            break
        head, suffix = title[:index].strip(), title[index + len(sep) :].strip()
        if len(head.split()) < 2 or len(suffix) > 40 or len(suffix.split()) > 5:
            break
        short_after_bar = sep == " | " and len(suffix) <= 30 and len(suffix.split()) <= 3
        if not (short_after_bar or _looks_like_site(suffix, host, source, site_names)):
            break
        title = head
    return title


# -- the Scrapy stage -------------------------------------------------------------------------
def normalise_article(
    article: Article, config: NormaliseConfig, *, _pattern: re.Pattern[str] | None = None
) -> Article:
    """Apply the clean-ups to ``article`` in place and return it."""
    article.url = article.url.strip()
    article.canonical_url = canonical_url(article.canonical_url or article.url, config.tracking_params)
    article.title = clean_title(article.title, article.url, article.source, config.site_names)
    pattern = _pattern if _pattern is not None else _compile(config.boilerplate)
    article.text = clean_text(
        article.text, config.boilerplate, config.boilerplate_max_chars, _pattern=pattern
    )
    article.text, cut = cap_text(article.text, config.max_text_chars)
    article.truncated = article.truncated or cut  # kept, cut and flagged: never dropped for its length
    if article.lead:
        article.lead = clean_text(article.lead, (), 0).replace("\n\n", " ") or None
    if article.author:
        article.author = _clean_line(unicodedata.normalize("NFC", article.author)) or None
    return article


class NormalisePipeline(Stage):
    """Scrapy item pipeline (first): clean URLs, titles and text; drop empty items."""

    name = "normalise"

    def __init__(self, config: NormaliseConfig, crawler: Any = None, workers: Workers | None = None) -> None:
        super().__init__(crawler, workers)
        self.config = config
        self._pattern = _compile(config.boilerplate)

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalisePipeline:
        config = pipeline_config(crawler.settings).normalise
        return cls(config, crawler, Workers.from_settings(crawler.settings))

    def step(self) -> Step:
        return self.name, normalise_article, (self.config,), None

    def work_here(self, item: Article) -> Article:
        return normalise_article(item, self.config, _pattern=self._pattern)

    def finish(self, item: Article, result: Article) -> Article:
        if not result.text and not result.title:
            raise self.drop(result, "empty", f"empty (no text and no title: {result.url})")
        return result
