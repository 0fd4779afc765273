"""How much text the extractor is given: ``[extract] max_text_chars`` in ``config/pipeline.toml``.

spaCy's cost grows with the text (memory above all: a 5 MB text took 8.7 GB), so every text
is bounded before it reaches the extractor. The default, 300,000 characters, is several
times the longest real article. ``veille analyze`` refuses a longer text with one line; in
a crawl, a longer article is kept with its text cut at the limit (at a paragraph, sentence
or word boundary) and flagged ``truncated`` in the archive.
"""

from __future__ import annotations

from pathlib import Path

from veille.core.config import PACKAGE_CONFIG, file_table, optional
from veille.core.errors import ConfigError

DEFAULT_MAX_TEXT_CHARS = 300_000
MIN_MAX_TEXT_CHARS = 200


def load_max_text_chars(config_dir: str | Path | None = None) -> int:
    path = Path(config_dir or PACKAGE_CONFIG) / "pipeline.toml"
    section = file_table(path, "extract") or {}
    value = optional(section, "max_text_chars", int, DEFAULT_MAX_TEXT_CHARS, path, "extract.max_text_chars")
    if isinstance(value, bool) or value < MIN_MAX_TEXT_CHARS:
        raise ConfigError(
            path, f"max_text_chars must be at least {MIN_MAX_TEXT_CHARS}", field="extract.max_text_chars"
        )
    return int(value)


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
