"""HTML parsing helpers shared by the page extractor: parse, select, flatten to text."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree


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


def select(tree: Any, html: str, selector: str) -> list[str]:
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
