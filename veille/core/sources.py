"""News sources: what to crawl, declared as data in ``config/sources.toml``.

One :class:`Source` per site or feed. The generic spiders (``spiders/feeds.py`` and
``spiders/sites.py``) read them; nothing about a particular site lives in code unless a
site needs a small spider subclass. The file looks like::

    [defaults]            # optional: applied to every source that does not say otherwise
    language = "fr"
    max_pages = 3

    [[source]]
    name = "medias24"                       # lower-case, digits, '-' or '_'
    label = "Médias24"                      # what readers see (default: the name)
    kind = "rss"                            # rss | atom | sitemap | listing | news-query | documents
    urls = ["https://medias24.com/feed/"]
    allowed_domains = ["medias24.com"]      # default: the hosts of ``urls``
    official = false                        # true for an agency's, ministry's, federation's site
    timezone = "Europe/Paris"               # optional: the zone of its dates written without one
    [source.selectors]                      # CSS (or XPath when starting with '/' or '(')
    article_links = "h2.title a"
    [source.link_rules]                     # regular expressions on absolute URLs
    allow = ['/\\d{4}/\\d{2}/']
    deny = ['/tag/']

A ``documents`` source is a listing page whose links to files (``.pdf``, ``.xlsx``, ``.xls``,
``.csv``) are followed (``spiders/documents.py``): selectors and link rules as for a listing,
``max_pages`` its pages; each file is archived once, as a document, with its tables.

Validation errors are :class:`~veille.core.errors.ConfigError` naming the file, the source and
the field (``config error in config/sources.toml [source 'x'.kind]: ...``).

Sources travel to and from feed readers as OPML: :mod:`veille.opml`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from veille.core.conf import optional, read_toml, require
from veille.core.conf.digest import check_timezone
from veille.core.errors import ConfigError, VeilleError

KINDS = ("rss", "atom", "sitemap", "listing", "news-query", "documents")
FEED_KINDS = ("rss", "atom", "news-query")
SELECTOR_KEYS = ("article_links", "next_page", "title", "text", "date", "author")
LINK_RULE_KEYS = ("allow", "deny")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
LABEL_MAX = 120
_SOURCE_KEYS = {
    "name", "label", "kind", "urls", "allowed_domains", "selectors", "link_rules", "language",
    "enabled", "max_pages", "official", "timezone",
}  # fmt: skip


@dataclass(frozen=True)
class Source:
    """One site or feed to watch."""

    name: str
    kind: str
    urls: tuple[str, ...]
    allowed_domains: tuple[str, ...] = ()
    selectors: Mapping[str, str] = field(default_factory=dict)
    link_rules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    language: str | None = "fr"
    enabled: bool = True
    max_pages: int = 3
    label: str | None = None  # what readers see; None: the name
    # an agency's, a ministry's or a federation's own site: its figures are official (the
    # indicator series choose them first)
    official: bool = False
    # the zone of the dates the source writes without one (IANA name); None: the site's
    # country's zone when its host or language tag names one, else digest.toml's timezone
    timezone: str | None = None

    @property
    def display_name(self) -> str:
        """The label readers see ("Médias24"), or the name when the source has none."""
        return self.label or self.name

    @property
    def is_feed(self) -> bool:
        return self.kind in FEED_KINDS

    def selector(self, key: str) -> str | None:
        return self.selectors.get(key) or None

    def allow_rules(self) -> tuple[str, ...]:
        return tuple(self.link_rules.get("allow", ()))

    def deny_rules(self) -> tuple[str, ...]:
        return tuple(self.link_rules.get("deny", ()))


# -- loading ------------------------------------------------------------------------------
def load_sources(path: str | Path, *, enabled_only: bool = False) -> list[Source]:
    """Read and validate ``sources.toml``; errors name the file, the source and the field."""
    p = Path(path)
    data = read_toml(p)
    unknown = set(data) - {"source", "defaults"}
    if unknown:
        raise ConfigError(
            p, f"unknown top-level key(s) {', '.join(sorted(unknown))}; expected [[source]] tables"
        )
    defaults = optional(data, "defaults", dict, {}, p, "defaults")
    entries = optional(data, "source", list, [], p, "source")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(p, "each [[source]] must be a table", field=f"source #{i}")
        source = parse_source(entry, p, index=i, defaults=defaults)
        if source.name in seen:
            raise ConfigError(
                p, f"duplicate name (also source #{seen[source.name]})", field=f"source '{source.name}'.name"
            )
        seen[source.name] = i
        sources.append(source)
    return [s for s in sources if s.enabled] if enabled_only else sources


def parse_source(
    entry: Mapping[str, Any], path: Path, *, index: int = 1, defaults: Mapping[str, Any] | None = None
) -> Source:
    """Validate one ``[[source]]`` table (``defaults`` fill the fields it leaves out)."""
    data = {**dict(defaults or {}), **dict(entry)}
    ctx = f"source #{index}"
    name = data.get("name")
    if isinstance(name, str) and name:
        ctx = f"source '{name}'"
    name = require(data, "name", str, path, f"{ctx}.name")
    if not _NAME.match(name):
        raise ConfigError(
            path,
            f"name {name!r} must be lower-case letters, digits, '-' or '_' (max 80)",
            field=f"{ctx}.name",
        )
    extra = set(data) - _SOURCE_KEYS
    if extra:
        raise ConfigError(path, f"unknown field(s) {', '.join(sorted(extra))}", field=ctx)
    label = _label(data.get("label"), path, f"{ctx}.label")
    kind = require(data, "kind", str, path, f"{ctx}.kind")
    if kind not in KINDS:
        raise ConfigError(path, f"kind {kind!r} must be one of {', '.join(KINDS)}", field=f"{ctx}.kind")
    urls = _urls(data.get("urls", data.get("url")), path, f"{ctx}.urls")
    domains = optional(data, "allowed_domains", list, None, path, f"{ctx}.allowed_domains")
    if domains is None:
        domains = [] if kind == "news-query" else _hosts(urls)
    for d in domains:
        if not isinstance(d, str) or not d or "/" in d or ":" in d:
            raise ConfigError(path, f"{d!r} is not a bare domain name", field=f"{ctx}.allowed_domains")
    selectors = _selectors(optional(data, "selectors", dict, {}, path, f"{ctx}.selectors"), path, ctx)
    rules = _link_rules(optional(data, "link_rules", dict, {}, path, f"{ctx}.link_rules"), path, ctx)
    language = optional(data, "language", str, "fr", path, f"{ctx}.language") or None
    enabled = optional(data, "enabled", bool, True, path, f"{ctx}.enabled")
    official = optional(data, "official", bool, False, path, f"{ctx}.official")
    max_pages = optional(data, "max_pages", int, 3, path, f"{ctx}.max_pages")
    if isinstance(max_pages, bool) or max_pages < 1:
        raise ConfigError(path, "max_pages must be an integer >= 1", field=f"{ctx}.max_pages")
    return Source(
        name=name,
        kind=kind,
        urls=tuple(urls),
        allowed_domains=tuple(d.lower() for d in domains),
        selectors=selectors,
        link_rules=rules,
        language=language,
        enabled=enabled,
        max_pages=max_pages,
        label=label,
        official=official,
        timezone=_timezone(optional(data, "timezone", str, None, path, f"{ctx}.timezone"), path, ctx),
    )


def _urls(raw: Any, path: Path, where: str) -> list[str]:
    """``urls`` (or ``url``): one http(s) URL or a non-empty list of them."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise ConfigError(path, "urls must be a non-empty list of http(s) URLs", field=where)
    urls: list[str] = []
    for u in raw:
        if not isinstance(u, str) or urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).hostname:
            raise ConfigError(path, f"{u!r} is not an http(s) URL", field=where)
        urls.append(u.strip())
    return urls


def _selectors(selectors: Mapping[str, Any], path: Path, ctx: str) -> dict[str, str]:
    """``[source.selectors]``: known keys, each a CSS or XPath expression that compiles."""
    for key, value in selectors.items():
        where = f"{ctx}.selectors.{key}"
        if key not in SELECTOR_KEYS:
            raise ConfigError(
                path, f"unknown selector; expected one of {', '.join(SELECTOR_KEYS)}", field=where
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, "a selector must be a non-empty string", field=where)
        _check_selector(value, path, where)
    return dict(selectors)


def _link_rules(rules_in: Mapping[str, Any], path: Path, ctx: str) -> dict[str, tuple[str, ...]]:
    """``[source.link_rules]``: ``allow`` and ``deny``, each a list of regular expressions."""
    rules: dict[str, tuple[str, ...]] = {}
    for key, value in rules_in.items():
        where = f"{ctx}.link_rules.{key}"
        if key not in LINK_RULE_KEYS:
            raise ConfigError(path, "unknown link rule; expected allow or deny", field=where)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(path, "must be a list of regular expressions", field=where)
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    path, f"invalid regular expression {pattern!r}: {exc}", field=where
                ) from None
        rules[key] = tuple(value)
    return rules


def _timezone(value: str | None, path: Path, ctx: str) -> str | None:
    """An optional IANA zone name (``Europe/Paris``): the zone of the source's dates written
    without one."""
    if value is None:
        return None
    try:
        return check_timezone(value.strip())
    except ValueError as exc:
        raise ConfigError(
            path, f"{exc}: use an IANA zone name such as Europe/Paris", field=f"{ctx}.timezone"
        ) from None


def _label(value: Any, path: Path, where: str) -> str | None:
    """An optional label: one line of at most ``LABEL_MAX`` characters, surrounding spaces dropped."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, "label must be a non-empty string", field=where)
    value = value.strip()
    if len(value) > LABEL_MAX:
        raise ConfigError(path, f"label is {len(value)} characters long (max {LABEL_MAX})", field=where)
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ConfigError(path, "label must be a single line (no control characters)", field=where)
    return value


def _check_selector(value: str, path: Path, where: str) -> None:
    from parsel import Selector

    try:
        sel = Selector(text="<html></html>")
        if value.lstrip().startswith(("/", "(")):
            sel.xpath(value)
        else:
            sel.css(value)
    except Exception as exc:  # cssselect / lxml syntax errors
        raise ConfigError(path, f"invalid selector {value!r}: {exc}", field=where) from None


def _hosts(urls: Iterable[str]) -> list[str]:
    hosts: list[str] = []
    for u in urls:
        host = (urlsplit(u).hostname or "").lower()
        if host.startswith("www."):
            host = host[4:]
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def find_sources(sources: Iterable[Source], names: Iterable[str]) -> list[Source]:
    """The named sources, in the order asked; an unknown name is one clear error."""
    by_name = {s.name: s for s in sources}
    missing = [n for n in names if n not in by_name]
    if missing:
        known = ", ".join(sorted(by_name)) or "none"
        raise UnknownSourceError(
            f"unknown source {', '.join(repr(m) for m in missing)} (known: {known}); see 'veille sources list'"
        )
    return [by_name[n] for n in dict.fromkeys(names)]


def source_labels(sources: Iterable[Source]) -> dict[str, str]:
    """Name -> label of the sources that have a label (look-ups fall back to the name)."""
    return {s.name: s.label for s in sources if s.label}


class UnknownSourceError(VeilleError):
    """A source name on the command line is not in sources.toml."""

    exit_code = 2


# -- the demo ------------------------------------------------------------------------------
def sources_for_demo(
    rss_url: str, atom_url: str, listing_url: str, domain: str, site_name: str = "Atlas Éco"
) -> list[Source]:
    """The sources that crawl the bundled demo site (``veille demo``, ``site_name``): its RSS
    feed, its Atom feed and its paginated listing (for the articles in neither feed)."""
    common: dict[str, Any] = {"allowed_domains": (domain,), "language": "fr"}
    return [
        Source(name="demo-rss", kind="rss", urls=(rss_url,), label=f"{site_name} (RSS)", **common),
        Source(name="demo-atom", kind="atom", urls=(atom_url,), label=f"{site_name} (Atom)", **common),
        Source(
            name="demo-listing",
            label=f"{site_name} (actualités)",
            kind="listing",
            urls=(listing_url,),
            selectors={"article_links": "h2.teaser__title a", "next_page": "a[rel=next]"},
            link_rules={"allow": (r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?$",)},
            max_pages=10,
            **common,
        ),
    ]


# -- TOML writing (for import-opml) --------------------------------------------------------
def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def source_to_toml(source: Source) -> str:
    """One ``[[source]]`` table, as it would be written by hand."""
    lines = [
        "[[source]]",
        f"name = {_toml_str(source.name)}",
        *([f"label = {_toml_str(source.label)}"] if source.label else []),
        f"kind = {_toml_str(source.kind)}",
        f"urls = {_toml_list(source.urls)}",
        f"allowed_domains = {_toml_list(source.allowed_domains)}",
    ]
    if source.language:
        lines.append(f"language = {_toml_str(source.language)}")
    lines.append(f"enabled = {'true' if source.enabled else 'false'}")
    lines.append(f"max_pages = {source.max_pages}")
    if source.official:
        lines.append("official = true")
    if source.timezone:
        lines.append(f"timezone = {_toml_str(source.timezone)}")
    if source.selectors:
        lines.append("[source.selectors]")
        lines += [f"{k} = {_toml_str(v)}" for k, v in source.selectors.items()]
    if source.link_rules:
        lines.append("[source.link_rules]")
        lines += [f"{k} = {_toml_list(v)}" for k, v in source.link_rules.items()]
    return "\n".join(lines) + "\n"


def append_sources(path: str | Path, new: Iterable[Source]) -> list[Source]:
    """Append sources to ``sources.toml`` (keeping its comments); skip names or URLs already
    there. Returns the sources actually added."""
    p = Path(path)
    existing = load_sources(p) if p.exists() else []
    names = {s.name for s in existing}
    urls = {u for s in existing for u in s.urls}
    added: list[Source] = []
    for s in new:
        if s.name in names or any(u in urls for u in s.urls):
            continue
        names.add(s.name)
        urls.update(s.urls)
        added.append(s)
    if added:
        text = p.read_text(encoding="utf-8") if p.exists() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        text += "".join("\n" + source_to_toml(s) for s in added)
        p.write_text(text, encoding="utf-8")
        load_sources(p)  # what we wrote must load back
    return added


def with_overrides(source: Source, **changes: Any) -> Source:
    """A copy of ``source`` with some fields changed (sources are frozen)."""
    return replace(source, **changes)
