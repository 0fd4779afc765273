"""How much text the extractor is given: ``[extract] max_text_chars`` in ``config/pipeline.toml``
(:class:`veille.core.conf.pipeline.ExtractConfig`).

spaCy's cost grows with the text (memory above all: a 5 MB text took 8.7 GB), so every text
is bounded before it reaches the extractor. The default, 300,000 characters, is several
times the longest real article. ``veille analyze`` refuses a longer text with one line; in
a crawl, a longer article is kept with its text cut at the limit (at a paragraph, sentence
or word boundary) and flagged ``truncated`` in the archive.
"""

from __future__ import annotations


def cap_text(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` characters, at the last paragraph, sentence or word
    boundary of the last quarter (else exactly at the limit); and whether it was cut."""
    if len(text) <= limit:
        return text, False
    window = text[:limit]
    floor = limit * 3 // 4
    for sep in ("\n\n", "\n", ". ", " "):
        cut = window.rfind(sep)
        if cut >= floor:
            return window[: cut + (1 if sep == ". " else 0)].rstrip(), True
    return window, True
