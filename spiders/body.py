"""The article body: trafilatura's text (layout tables unwrapped first), cleaned of the
leading paragraph that repeats the title (a standfirst stays: figures are extracted from the body),
of the lines a site puts around its articles (links to other articles, photo credits, newsletter
calls), and opened by the page's standfirst when the extractor left it out.
"""

from __future__ import annotations

import re
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


_NOT_ALNUM = re.compile(r"[\W_]+")


def _fast_key(text: str) -> str:
    """:func:`_key` of a long text, the same letters at C speed (``\\W`` drops the accents
    NFKD separates, as ``isalnum`` does)."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKD", text).casefold())


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


# -- what a site writes around its articles -----------------------------------------------
# a link to another article written as a paragraph: "Lire aussi : ...", "Lea también: ...",
# "Read more: ...", "Lesen Sie auch: ...", "MIRA | ..."
_SEE_ALSO = re.compile(
    r"^(?:(?:à\s+)?lire\s+(?:aussi|également)|voir\s+aussi|lea|lee|leer|mire|mira|vea|ver|read|see|watch"
    r"|also\s+read|related|lesen\s+sie(?:\s+auch)?|lies|auch\s+lesen|mehr\s+zum\s+thema|weiterlesen"
    r"|auch\s+interessant|(?:también\s+)?(?:te|le)\s+puede\s+interesar|leia|veja|leggi\s+anche)"
    r"(?:\s+(?:también|além|además|más|mas|more|also|auch|aussi|mehr|anche))?\s*[:>|»]",
    re.IGNORECASE,
)
# the heading of a block of links to other articles ("À lire aussi", "Sur le même sujet",
# "Weitere Artikel zum Thema", "Related stories", "Notas relacionadas") or of the tags
_RELATED = re.compile(
    r"^(?:-\s*)?(?:(?:à\s+)?lire\s+aussi|sur\s+le\s+même\s+sujet|dans\s+la\s+même\s+rubrique"
    r"|articles?\s+similaires|voir\s+aussi|les\s+plus\s+lus|nos\s+derniers\s+articles|mots-clés|étiquettes"
    r"|auch\s+interessant|(?:das|dies)(?:\s+thema)?\s+(?:könnte|dürfte)\s+(?:sie|dich)\s+auch\s+interessieren"
    r"|schon\s+gelesen|empfohlene\s+(?:beiträge|artikel)|mehr\s+(?:themen|zum\s+thema|aus|zu)\b"
    r"|weitere\s+(?:\w*(?:artikel|beiträge|themen|meldungen|nachrichten|news|tipps|links)|informationen|aktuelle)"
    r"|lesen\s+sie\s+auch|(?:zum\s+)?weiterlesen|verwandte\s+(?:artikel|themen|beiträge)"
    r"|ähnliche\s+(?:artikel|beiträge|themen)|top-themen|kommentierte\s+artikel|meistgelesen"
    r"|vorschau\s+auf\s+den\s+nächsten\s+artikel|lust\s+auf\s+mehr|schlagworte|schlagwörter|themen"
    r"|related(?:\s+(?:articles|stories|posts|content|recipes|reading))?|you\s+(?:may|might)\s+also\s+(?:like|enjoy)"
    r"|recommended(?:\s+(?:for\s+you|stories|reading))?|more\s+(?:from|stories|on\s+this)|read\s+next"
    r"|also\s+read|most\s+read|most\s+popular|popular\s+(?:posts|stories)|tags"
    r"|contenido\s+relacionado|(?:notas|noticias|artículos)\s+relacionad[oa]s|(?:te|le)\s+puede\s+interesar"
    r"|más\s+noticias|lo\s+más\s+leído|temas|leia\s+também|veja\s+também|notícias\s+relacionadas"
    r"|leggi\s+anche|articoli\s+correlati)\b.*(?<![.!])$",
    re.IGNORECASE,
)
# a photo's credit on a line of its own: "© AFP", "Photo : ...", "Foto: ...", "(Bild: ...)"
_CREDIT = re.compile(
    r"^\(?(?:©|\(c\)|copyright\b|crédits?(?:\s+photos?)?\s*:|photos?(?:\s+credit)?\s*:|image(?:\s+credit)?\s*:"
    r"|credits?\s*:|foto(?:s|grafie)?\s*:|bild(?:er|quelle)?\s*:|titelbild\s*:|beitragsbild\s*:)",
    re.IGNORECASE,
)
# a call to subscribe ("Abonnez-vous à notre newsletter", "Sign up for our newsletter",
# "Newsletter abonnieren"), or a newsletter's name as a heading; never a sentence about one
_SUBSCRIBE = re.compile(
    r"\bsubscribe\b|\bsign(?:ing)?\s+up\b|\babonn(?:ez|ieren|iere)\b|\binscrivez\b|\bsuscr[ií]b|\banmelden\b",
    re.IGNORECASE,
)


def _subscribe_call(paragraph: str) -> bool:
    return bool(_SUBSCRIBE.search(paragraph)) or (
        "newsletter" in paragraph.casefold() and not paragraph.rstrip().endswith(".")
    )


def _title_like(paragraph: str) -> bool:
    """A linked headline in a list of other articles: short, no sentence's end."""
    return len(paragraph.split()) <= 15 and not paragraph.rstrip().endswith((".", "!", "?"))


def drop_boilerplate(text: str) -> str:
    """``text`` without what a site writes around its articles: paragraphs linking to another
    article ("Lire aussi : ..."), a heading of links to other articles or tags with the linked
    headlines under it (never the first paragraph; the links stop at the first sentence), a
    photo credit, a call to subscribe. Each is a short paragraph; the article's own sentences
    are longer."""
    paragraphs = text.split("\n\n")
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        p = paragraphs[i]
        words = len(p.split())
        if i > 0 and words <= 8 and _RELATED.match(p):
            i += 1
            listed = i < len(paragraphs) and paragraphs[i].startswith("- ")
            while i < len(paragraphs) and len(paragraphs[i].split()) <= 25:
                if not (paragraphs[i].startswith("- ") if listed else _title_like(paragraphs[i])):
                    break
                i += 1
            continue
        dropped = (
            (words <= 30 and _SEE_ALSO.match(p))
            or (words <= 12 and _CREDIT.match(p))
            or (words <= 15 and _subscribe_call(p))
        )
        if not dropped:
            out.append(p)
        i += 1
    return "\n\n".join(out) if out else text


# -- the standfirst ------------------------------------------------------------------------
# where a standfirst sits: the smallest of these around the text that starts it
_BLOCK_TAGS = {
    "p", "div", "section", "header", "article", "main", "aside", "h2", "h3", "li", "td", "blockquote", "dd",
    "figure", "body",
}  # fmt: skip
_NOT_TEXT = {"script", "style", "noscript", "a", "title", "button", "option", "textarea", "template", "head"}
_WORD = re.compile(r"\w{2,}")


def standfirst(tree: Any, text: str, lead: str | None) -> str | None:
    """The page's standfirst when the extracted ``text`` lacks it: the block of the page that
    begins as the page's description (``lead``: JSON-LD, meta tags or the feed) does, which
    the extractor left out (many sites mark it "teaser" or put it in the article's header,
    both of which it discards). None when the text already holds it or the page does not show
    it; never a block longer than 1,500 characters, nor one holding the ``<h1>`` (a
    description that only repeats the title would bring the whole header back)."""
    start = _key(lead.rstrip(".… ") if lead else "")[:60]
    if len(start) < 30 or start in _fast_key(text):
        return None
    word = _WORD.search(lead or "")
    if word is None:
        return None
    for node in tree.xpath("//body//text()[contains(., $w)]", w=word.group(0)):
        head = _key(node[:200])[: len(start)]
        if not head or not start.startswith(head):  # the block must start with this text
            continue
        parent = node.getparent()
        el = parent.getparent() if node.is_tail else parent
        if el is None or el.tag in _NOT_TEXT or any(a.tag in _NOT_TEXT for a in el.iterancestors()):
            continue
        while el is not None and el.tag not in _BLOCK_TAGS:
            el = el.getparent()
        if el is None:
            continue
        if el.tag in ("body", "main", "article") or el.find(".//h1") is not None:
            continue  # a description that is the title: the header would come back whole
        block = clean(" ".join(el.itertext()))
        if len(block) <= 1500 and _key(block).startswith(start):
            return block
    return None
