"""HTML parsing helpers shared by the page extractor: parse, select, flatten to text."""

from __future__ import annotations

import re
import warnings
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


_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "figcaption", "pre")


def html_fragment_to_text(fragment: str) -> str:
    """A feed summary or ``content:encoded`` (HTML, often sloppy) -> plain text, paragraphs
    separated by a blank line. Beautiful Soup reads the fragment: it takes any tag soup
    (unclosed ``<p>``, stray ``</div>``, entities) as a browser would."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return "\n\n".join(clean(p) for p in re.split(r"\n\s*\n", fragment) if clean(p))
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

    with warnings.catch_warnings():  # a summary that is only a URL is still a summary
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(fragment, "lxml")
    for el in soup.find_all(["script", "style", "noscript", "iframe"]):
        el.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n\n")
    for el in soup.find_all(_BLOCKS):
        el.append("\n\n")
    raw = soup.get_text()
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
