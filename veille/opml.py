"""Sources to and from OPML, the feed readers' exchange format.

:func:`sources_to_opml` writes every source; Veille-specific fields travel in ``veille:*``
attributes so that an export re-imports to the same sources, while a plain OPML from a feed
reader imports as RSS sources (:func:`sources_from_opml`). The OPML ``text`` and ``title``
carry the label (what a feed reader shows), ``veille:name`` the name.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from veille.core.errors import ConfigError
from veille.core.sources import LABEL_MAX, LINK_RULE_KEYS, Source, parse_source

VEILLE_NS = "https://veille.invalid/opml"  # namespace of the Veille-specific OPML attributes


def sources_to_opml(sources: Iterable[Source], title: str = "Veille — sources") -> str:
    """An OPML 2.0 document; feed readers see the feeds, Veille re-imports everything."""
    ET.register_namespace("veille", VEILLE_NS)
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for s in sources:
        attrs = {
            "text": s.display_name,
            "title": s.display_name,
            f"{{{VEILLE_NS}}}name": s.name,
            "type": "rss" if s.is_feed else "link",
            "xmlUrl" if s.is_feed else "url": s.urls[0],
            "htmlUrl": f"https://{s.allowed_domains[0]}/" if s.allowed_domains else s.urls[0],
            f"{{{VEILLE_NS}}}kind": s.kind,
            f"{{{VEILLE_NS}}}urls": " ".join(s.urls),
            f"{{{VEILLE_NS}}}allowedDomains": " ".join(s.allowed_domains),
            f"{{{VEILLE_NS}}}enabled": "true" if s.enabled else "false",
            f"{{{VEILLE_NS}}}maxPages": str(s.max_pages),
        }
        if s.language:
            attrs["language"] = s.language
        if s.official:
            attrs[f"{{{VEILLE_NS}}}official"] = "true"
        for key, value in s.selectors.items():
            attrs[f"{{{VEILLE_NS}}}sel-{key}"] = value
        for key, values in s.link_rules.items():
            attrs[f"{{{VEILLE_NS}}}{key}"] = "\n".join(values)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def sources_from_opml(
    text: str | bytes, *, origin: str = "<opml>", language: str | None = "fr"
) -> list[Source]:
    """Sources from an OPML file: every outline with an ``xmlUrl`` (nested categories are
    walked); Veille's own exports come back with all their fields."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ConfigError(origin, f"not a valid OPML/XML document: {exc}") from None
    if root.tag != "opml":
        raise ConfigError(origin, f"root element is <{root.tag}>, expected <opml>")
    v = f"{{{VEILLE_NS}}}"
    out: list[Source] = []
    names: set[str] = set()
    for i, node in enumerate(root.iter("outline"), start=1):
        kind = node.get(f"{v}kind")
        url = node.get("xmlUrl") or (node.get("url") if kind else None)
        if not url:
            continue  # a category folder
        shown = " ".join((node.get("text") or node.get("title") or "").split())
        where = f"outline '{shown or url}'"
        if kind is None:
            kind = "atom" if (node.get("type") or "").lower() == "atom" else "rss"
        urls = (node.get(f"{v}urls") or url).split()
        name = _unique(
            node.get(f"{v}name")
            or slugify(shown or url)
            or slugify(urlsplit(url).hostname or "")
            or "source",
            names,
        )
        entry: dict[str, Any] = {"name": name, "kind": kind, "urls": urls}
        if shown and shown not in (name, url):  # older Veille exports wrote the name there
            entry["label"] = shown[:LABEL_MAX]
        if node.get(f"{v}allowedDomains") is not None:
            entry["allowed_domains"] = node.get(f"{v}allowedDomains", "").split()
        lang = node.get("language") or language
        if lang:
            entry["language"] = lang
        if node.get(f"{v}enabled") is not None:
            entry["enabled"] = node.get(f"{v}enabled") == "true"
        if node.get(f"{v}official") is not None:
            entry["official"] = node.get(f"{v}official") == "true"
        if node.get(f"{v}maxPages"):
            try:
                entry["max_pages"] = int(node.get(f"{v}maxPages", ""))
            except ValueError:
                raise ConfigError(origin, "maxPages must be an integer", field=where) from None
        selectors = {k[len(v) + 4 :]: val for k, val in node.attrib.items() if k.startswith(f"{v}sel-")}
        if selectors:
            entry["selectors"] = selectors
        rules = {k: node.get(f"{v}{k}", "").split("\n") for k in LINK_RULE_KEYS if node.get(f"{v}{k}")}
        if rules:
            entry["link_rules"] = rules
        out.append(parse_source(entry, Path(origin), index=i))
    return out


def slugify(text: str) -> str:
    """'Médias24 — Économie' -> 'medias24-economie' (a valid source name)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_ = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:60]


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate
