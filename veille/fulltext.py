"""French full-text normalisation shared by indexing, querying and snippets.

A word becomes a *key*: folded (lowercase, no diacritics), dropped if it is a French
stop word, stripped of a final plural ``s`` (Snowball stems "téléconseillers" and
"téléconseiller" apart), stemmed by Snowball's French stemmer, then stripped of a final
plural ``s``/``x`` that Snowball keeps after a vowel ("emplois" -> "emploi"). The SQLite FTS5 index stores
keys; queries are turned into keys the same way, so "Création d'emplois" and
"creation emploi" meet. Snippets are cut from the original text, highlighting the
original (accented) words whose key matches.
"""

from __future__ import annotations

import html
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"[^\W_]+")

# PostgreSQL's french.stop (Snowball list), so both backends ignore the same words.
STOPWORDS = frozenset(
    """au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes moi mon ne
    nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d
    j l à m n s t y été étée étées étés étant étante étants étantes suis es est sommes êtes sont serai seras sera
    serons serez seront serais serait serions seriez seraient étais était étions étiez étaient fus fut fûmes
    fûtes furent sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes
    ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions
    auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse
    eusses eût eussions eussiez eussent""".split()
)

_local = threading.local()


def _stem(word: str) -> str:
    """Snowball's French stem. A stemmer object keeps state (and a cache) while it works: one per
    thread, as the web server stems snippets in several threads at once."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer.stemWord(word)


@lru_cache(maxsize=200_000)
def _stem_folded(folded: str) -> str:
    """The stem of a folded, singular word; cached (a crawl meets the same words again and again,
    and "Emplois", "emplois" and "emploi" share this entry)."""
    stem = _stem(folded)
    if len(stem) > 3 and stem[-1] in "sx" and not stem[:-1].endswith(("s", "x")):
        stem = stem[:-1]
    return stem


@lru_cache(maxsize=500_000)
def fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


FOLDED_STOPWORDS = frozenset(fold_word(w) for w in STOPWORDS)


@lru_cache(maxsize=500_000)
def key(word: str) -> str:
    """The index key of one word, or "" for a stop word. ``key("Emplois") == key("emploi")``."""
    folded = fold_word(word)
    if not folded or folded in FOLDED_STOPWORDS:
        return ""
    if len(folded) > 3 and folded[-1] == "s" and folded[-2] != "s":
        folded = folded[:-1]  # singular first: "teleconseillers" -> "teleconseiller" -> "teleconseil"
    return _stem_folded(folded)


@lru_cache(maxsize=100_000)
def prefix_key(prefix: str) -> str:
    """The key of a typed prefix ("export*"): folded and stemmed, as PostgreSQL does."""
    folded = fold_word(prefix)
    return key(folded) or folded


def tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` for every word of ``text``."""
    for m in WORD_RE.finditer(text or ""):
        yield m.start(), m.end(), m.group()


def index_text(text: str | None) -> str:
    """The space-separated keys of ``text`` (stop words dropped), as stored in FTS5."""
    if not text:
        return ""
    return " ".join(filter(None, map(key, WORD_RE.findall(text))))


class Matcher:
    """Tells which original words a query hits: exact keys and key prefixes."""

    def __init__(self, keys: Iterable[str], prefixes: Iterable[str] = ()) -> None:
        self.keys = frozenset(k for k in keys if k)
        self.prefixes = tuple(p for p in prefixes if p)
        self._seen: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        try:
            return self._seen[word]
        except KeyError:
            found = self._seen[word] = self._match(word)
            return found

    def matching(self, words: set[str]) -> set[str]:
        """The words of ``words`` that match (one dictionary lookup each once seen)."""
        seen = self._seen
        for w in words - seen.keys():
            seen[w] = self._match(w)
        return {w for w in words if seen[w]}

    def _match(self, word: str) -> str | None:
        k = key(word)
        if not k:
            return None
        if k in self.keys:
            return k
        folded = fold_word(word)
        for p in self.prefixes:
            if k.startswith(p) or folded.startswith(p):
                return p
        return None

    def __bool__(self) -> bool:
        return bool(self.keys or self.prefixes)


def highlight(text: str, matcher: Matcher) -> str:
    """The whole ``text`` escaped, with ``<mark>`` around matching words."""
    out: list[str] = []
    pos = 0
    for start, end, word in tokens(text):
        if matcher(word):
            out.append(html.escape(text[pos:start]))
            out.append(f"<mark>{html.escape(word)}</mark>")
            pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def snippet(text: str, matcher: Matcher, *, words: int = 32) -> str:
    """An HTML-safe excerpt of about ``words`` words around the densest cluster of matches.

    Escaped text with ``<mark>`` around original words whose key matches; "…" marks cuts.
    """
    toks = WORD_RE.findall(text)  # words only (fast); offsets below for the chosen window only
    if not toks:
        return ""
    hits: list[int] = []
    if matcher:
        found = matcher.matching(set(toks))  # each distinct word tested once
        hits = [i for i, w in enumerate(toks) if w in found]
    best_start = 0
    if hits:
        # the window of ``words`` tokens holding the most distinct matched keys, then the most matches
        best_score = (-1, -1)
        j = 0
        for i, h in enumerate(hits):
            while hits[j] < h - words + 1:
                j += 1
            inside = hits[j : i + 1]
            distinct = len({matcher(toks[x]) for x in inside})
            score = (distinct, len(inside))
            if score > best_score:
                best_score = score
                best_start = max(0, inside[0] - 4)
    best_start = min(best_start, max(0, len(toks) - words))
    last = min(len(toks), best_start + words) - 1
    spans = list(itertools.islice(WORD_RE.finditer(text), best_start, last + 1))
    # start the excerpt at a sentence start when one is close
    begin = spans[0].start() if best_start else 0
    end = spans[-1].end()
    if last == len(toks) - 1:
        end = len(text)
    body = highlight(text[begin:end].strip(), matcher) if matcher else html.escape(text[begin:end].strip())
    return ("… " if begin > 0 else "") + body + (" …" if end < len(text.rstrip()) else "")
