"""The article body: trafilatura's text (layout tables unwrapped first), cleaned of the
leading paragraph that repeats the title (a standfirst stays: figures are extracted from the body).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from spiders.markup import clean


def unwrap_layout_tables(tree: Any) -> Any:
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


def run_trafilatura(tree: Any, url: str) -> Any:
    """trafilatura's main text from the page already parsed (it works on its own copy)."""
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            unwrap_layout_tables(tree), url=url, fast=False, include_comments=False, include_tables=True
        )
    except Exception:  # trafilatura can fail on pathological markup; the fallbacks remain
        return None


def byline_author(tree: Any) -> str | None:
    """The author named in the page's byline (trafilatura's author expressions), when neither
    JSON-LD, the meta tags nor the feed name one."""
    from trafilatura.metadata import extract_author

    try:
        return extract_author(tree) or None
    except Exception:  # a byline that trips trafilatura: no author rather than no article
        return None


def paragraphs(text: str | None) -> str:
    if not text:
        return ""
    return "\n\n".join(clean(line) for line in text.splitlines() if clean(line))


def _key(text: str) -> str:
    """Letters and digits only, accents and case folded: "Offshoring : 18,5 MMDH" -> "offshoring185mmdh"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum() and not unicodedata.combining(c))


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
