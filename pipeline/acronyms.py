"""Acronym definitions written in the text: spaCy component ``veille_acronyms``.

Finds "l'Agence de développement du digital (ADD)" and "le CMIA (Centre marocain de
l'intelligence artificielle)" with the Schwartz-Hearst rule (the acronym's letters, in
order, in the long form, the first one starting a word) and sets ``doc._.acronyms``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.gazetteer import DEFAULT_GAZETTEER, Gazetteer, fold, load_gazetteer, strip_accents

ACRONYMS_KEY = "veille:acronyms"
_ACRONYM_RE = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Z][A-Za-z0-9&]{1,9}$")


@dataclass(frozen=True, slots=True)
class AcronymDefinition:
    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


def _schwartz_hearst(short: str, long: str) -> int | None:
    """Offset in ``long`` where the long form of ``short`` starts, or None (Schwartz & Hearst 2003)."""
    s = strip_accents(short).lower()
    lf = strip_accents(long).lower()
    si, li = len(s) - 1, len(lf) - 1
    while si >= 0:
        c = s[si]
        if not c.isalnum():
            si -= 1
            continue
        while li >= 0 and (lf[li] != c or (si == 0 and li > 0 and lf[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
        si -= 1
    return li + 1


def looks_like_acronym(text: str) -> bool:
    return bool(_ACRONYM_RE.match(text))


def find_acronyms(doc: Doc, gazetteer: Gazetteer | None = None) -> list[AcronymDefinition]:
    """Acronym definitions in either order: "Long Form (ACR)" and "ACR (Long Form)"."""
    out: list[AcronymDefinition] = []
    for tok in doc:
        if tok.text != "(" or tok.i + 2 >= len(doc) or doc[tok.i + 2].text != ")":
            close = _closing(doc, tok.i) if tok.text == "(" else None
            if close is None:
                continue
            # "ACR (Long Form)"
            if tok.i == 0 or not looks_like_acronym(doc[tok.i - 1].text):
                continue
            short_tok = doc[tok.i - 1]
            inner = doc[tok.i + 1 : close]
            d = _definition(
                short_tok.text, inner.text, inner.start_char, short_tok.idx, gazetteer, whole=True
            )
            if d:
                out.append(d)
            continue
        short_tok = doc[tok.i + 1]
        if not looks_like_acronym(short_tok.text):
            continue
        # "Long Form (ACR)": candidate words before "(" in the same sentence
        sent_start = 0  # stop words below bound the window; the parser's sentences cut names
        n_words = min(len(short_tok.text) + 8, len(short_tok.text) * 3)
        start = tok.i
        words = 0
        while start > sent_start and words < n_words:
            prev = doc[start - 1]
            if prev.text in {".", ";", ":", "«", "»", '"', "(", ")", "!", "?"} or "\n" in prev.text:
                break
            start -= 1
            if not prev.is_punct:
                words += 1
        if start == tok.i:
            continue
        window = doc[start : tok.i]
        d = _definition(short_tok.text, window.text, window.start_char, short_tok.idx, gazetteer, whole=False)
        if d:
            out.append(d)
    return out


def _closing(doc: Doc, i: int) -> int | None:
    for j in range(i + 1, min(i + 16, len(doc))):
        if doc[j].text == ")":
            return j if j > i + 2 else None
        if doc[j].text in {"(", "."} or "\n" in doc[j].text:
            return None
    return None


def _definition(
    short: str, long: str, long_offset: int, short_start: int, gazetteer: Gazetteer | None, whole: bool
) -> AcronymDefinition | None:
    if gazetteer is not None and (gazetteer.is_not_org(short) or fold(short) in gazetteer.not_org):
        return None
    at = _known_long_form(short, long, gazetteer) if not whole else None
    if at is None:
        at = _schwartz_hearst(short, long)
    if at is None:
        return None
    if whole and long[:at].strip():
        return None
    candidate = long[at:]
    # drop leading determiners ("l'Agence" -> "Agence") keeping offsets
    m = re.match(r"^(?:(?:l|d)['’]|(?:la|le|les|du|de|des)\s+)", candidate, flags=re.I)
    if m and len(candidate) > m.end():
        at += m.end()
        candidate = long[at:]
    candidate = candidate.rstrip(" ,")
    words = candidate.split()
    if len(words) < 2 or not candidate[:1].isupper() or len(words) > len(short) * 3 + 2:
        return None
    if gazetteer is not None and gazetteer.is_not_org(candidate):
        return None
    return AcronymDefinition(
        short=short,
        long=candidate,
        short_start=short_start,
        short_end=short_start + len(short),
        long_start=long_offset + at,
        long_end=long_offset + at + len(candidate),
    )


def _known_long_form(short: str, long: str, gazetteer: Gazetteer | None) -> int | None:
    """Where the window before a known acronym ends with one of its organisation's names ("le port
    bat son record selon l'Agence spéciale Tanger Med (TMSA)"): the long form is that name, not
    the longest run of words whose initials happen to spell the acronym."""
    entry = gazetteer.lookup(short) if gazetteer is not None else None
    if entry is None or short not in entry.acronyms:
        return None
    tail = strip_accents(long.rstrip(" ,")).lower()
    for form in sorted(entry.forms, key=len, reverse=True):
        folded = strip_accents(form).lower()
        if (
            len(form.split()) > 1
            and tail.endswith(folded)
            and (len(tail) == len(folded) or not tail[-len(folded) - 1].isalnum())
        ):
            return len(tail) - len(folded)
    return None


def _acronyms_getter(doc: Doc) -> list[AcronymDefinition]:
    return [AcronymDefinition(**d) for d in doc.user_data.get(ACRONYMS_KEY, [])]


if not Doc.has_extension("acronyms"):
    Doc.set_extension("acronyms", getter=_acronyms_getter)


class AcronymLinker:
    """spaCy component ``veille_acronyms``: sets ``doc._.acronyms``."""

    def __init__(self, nlp: Language, name: str, gazetteer_path: str) -> None:
        self.name = name
        self.gazetteer = load_gazetteer(gazetteer_path)

    def __call__(self, doc: Doc) -> Doc:
        found = find_acronyms(doc, self.gazetteer)
        doc.user_data[ACRONYMS_KEY] = [
            {k: getattr(d, k) for k in AcronymDefinition.__slots__}
            for d in found  # type: ignore[attr-defined]
        ]
        return doc


@Language.factory("veille_acronyms", default_config={"gazetteer_path": str(DEFAULT_GAZETTEER)})
def make_acronym_linker(nlp: Language, name: str, gazetteer_path: str) -> AcronymLinker:
    return AcronymLinker(nlp, name, gazetteer_path)
