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


def _accented_forms() -> dict[str, str]:
    """Each folded letter and the characters that fold to it ("e" -> "eéèêë…")."""
    forms: dict[str, str] = {}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        folded = fold_word(ch)
        if len(folded) == 1 and folded != ch and folded.isalpha():
            forms[folded] = forms.get(folded, folded) + ch
    return forms


_ACCENTED = _accented_forms()


def _letter_class(c: str) -> str:
    forms = _ACCENTED.get(c)
    return f"[{re.escape(forms)}]" if forms else re.escape(c)


class Matcher:
    """Tells which original words a query hits: exact keys and key prefixes."""

    def __init__(self, keys: Iterable[str], prefixes: Iterable[str] = ()) -> None:
        self.keys = frozenset(k for k in keys if k)
        self.prefixes = tuple(p for p in prefixes if p)
        self._seen: dict[str, str | None] = {}
        self._candidates: re.Pattern[str] | None = None

    def __call__(self, word: str) -> str | None:
        try:
            return self._seen[word]
        except KeyError:
            found = self._seen[word] = self._match(word)
            return found

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, key)`` of every matching word of ``text``, in order. A regular expression
        finds the words starting like a key or prefix (accents and case aside: a stem starts like
        its word), then each is checked; the rest of the text is not tokenised."""
        if self._candidates is None:
            heads = sorted({k[:3] for k in self.keys} | {p[:3] for p in self.prefixes})
            alternatives = "|".join("".join(_letter_class(c) for c in h) for h in heads)
            self._candidates = re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)
        out = []
        for m in self._candidates.finditer(text):
            found = self(m.group())
            if found:
                out.append((m.start(), m.end(), found))
        return out

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
    Only the words that may match are looked at (:meth:`Matcher.find`), then the window.
    """
    if not WORD_RE.search(text):
        return ""
    hits = matcher.find(text) if matcher else []
    begin = 0
    if hits:
        # the stretch of about ``words`` words holding the most distinct matched keys, then the most
        # matches; the excerpt starts a few words before its first match
        span = words * CHARS_PER_WORD
        best_score, anchor, j = (-1, -1), 0, 0
        for i, (start, _, _) in enumerate(hits):
            while hits[j][0] < start - span:
                j += 1
            inside = hits[j : i + 1]
            score = (len({h[2] for h in inside}), len(inside))
            if score > best_score:
                best_score, anchor = score, inside[0][0]
        begin = _start_of_words_before(text, anchor, 4)
    end, count = _end_of_words(text, begin, words)
    if count < words and begin > 0:  # near the end of the text: take the missing words before
        begin = _start_of_words_before(text, begin, words - count)
        end, count = _end_of_words(text, begin, words)
    if not WORD_RE.search(text, end):
        end = len(text)
    part = text[begin:end]
    lead = len(part) - len(part.lstrip())
    begin, end = begin + lead, begin + len(part.rstrip())
    body = _marked(text, begin, end, [(s, e) for s, e, _ in hits if s >= begin and e <= end])
    return ("… " if begin > 0 else "") + body + (" …" if end < len(text.rstrip()) else "")


def _marked(text: str, begin: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[begin:end]`` escaped, with ``<mark>`` around the given (ordered) spans."""
    out: list[str] = []
    pos = begin
    for start, stop in spans:
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        pos = stop
    out.append(html.escape(text[pos:end]))
    return "".join(out)


CHARS_PER_WORD = 7  # a French word and its space, on average: how far apart matches may be


def _start_of_words_before(text: str, pos: int, n: int) -> int:
    """Where the ``n``-th word before ``pos`` starts (0 when there are fewer)."""
    low = max(0, pos - 30 * n)
    starts = [m.start() for m in WORD_RE.finditer(text, low, pos)]
    if len(starts) >= n:
        return starts[-n]
    return 0 if low == 0 or not starts else starts[0]


def _end_of_words(text: str, begin: int, n: int) -> tuple[int, int]:
    """Where ``n`` words from ``begin`` end, and how many words there were (fewer at the end)."""
    end, count = begin, 0
    for m in WORD_RE.finditer(text, begin):
        end, count = m.end(), count + 1
        if count == n:
            break
    return end, count
