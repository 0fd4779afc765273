"""Text keys shared by the archive and the pipeline: accents and case folded away.

``fold`` keys content hashes of archived articles: it must not change.

Both functions remember their last few answers: the stages of a crawl fold the same article text
in turn (relevance, then the dedup hashes, in one worker trip), and a whole text costs far more
to fold again than to look up (a string's hash is computed once and kept on it).
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata


class _Unaccent(dict[int, str | None]):
    """``str.translate`` table dropping combining marks, filled one character at a time."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        value = None if unicodedata.combining(char) else char
        self[code] = value
        return value


_UNACCENT = _Unaccent()


@functools.lru_cache(maxsize=8)
def unaccent(text: str) -> str:
    """NFKD ``text`` without its combining marks ("Développement" -> "Developpement")."""
    return text if text.isascii() else unicodedata.normalize("NFKD", text).translate(_UNACCENT)


@functools.lru_cache(maxsize=8)
def fold(text: str) -> str:
    """Case- and accent-insensitive key ("Agence du Développement" -> "agence du developpement").

    Content hashes of archived articles are computed on it: it must not change.
    """
    return " ".join(unaccent(text).casefold().replace("’", "'").split())


def content_hash(text: str) -> str:
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()
