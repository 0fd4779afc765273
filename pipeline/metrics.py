"""The metric a figure measures, from the dependency parse: a short lowercased French label.

Order of preference, all within the figure's sentence:
1. the noun the figure complements: "un chiffre d'affaires de 10 MMDH" -> "chiffre d'affaires";
2. for jobs/seats/count, the counted noun with its adjectives: "emplois directs";
3. for a percentage of something, a share: "62 % des effectifs" -> "part des effectifs";
4. the subject of the verb the figure is the object of: "les exportations ont atteint 18 MMDH";
5. the nearest metric head noun of the lexicon before the figure in the same clause.

A label is a noun phrase: generic words ("total", "secteur", "million"), trailing adverbs
and verbs are never a label.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from pipeline.lexicon import Lexicon

_STOP_DEPS = {"punct", "cc", "conj", "acl:relcl", "advcl", "parataxis"}
_DETS = {"DET", "PRON"}
_LINK_WORDS = {"de", "d'", "d’", "du", "des", "à", "au", "aux", "en"}
_NOUN_UNITS = {"jobs", "seats", "count"}
_SUBJECT_DEPS = {"nsubj", "nsubj:pass", "csubj"}
_MONEY = {"MAD", "EUR", "USD"}
_MAX_TOKENS = 6
# verbs that give the level of their subject: "les recettes ont atteint", "le coût s'élève à"
_LEVEL_VERBS = {
    "atteindre", "élever", "chiffrer", "chiffre", "établir", "totaliser", "dépasser", "frôler", "avoisiner", "estimer",
    "évaluer", "situer", "culminer", "afficher", "monter", "porter",
}  # fmt: skip
_GENERIC = {
    "total", "million", "millions", "milliard", "milliards", "état", "secteur", "société", "groupe",
    "entreprise", "office", "an", "année", "fois", "chiffre", "travail", "zone", "titre", "niveau", "mot",
}  # fmt: skip
_SHARE = re.compile(
    r"[\s\u00a0]+(des|du|de[\s\u00a0]+la|de[\s\u00a0]+l['’]|de|d['’])[\s\u00a0]*((?:leurs?|ses|son|sa|nos|notre|ces|cette)[\s\u00a0]+)?([^\W\d_][\w\-]*(?:[\s\u00a0]+d['’]affaires)?)"
)


def metric_for(
    doc: Doc, start: int, end: int, unit: str, lex: Lexicon, sent: Span | None = None
) -> str | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    sent = sent if sent is not None else span.sent
    if unit not in _MONEY:
        return _metric(span, unit, lex, sent, _good)
    firsts = {h[0] for h in lex.money_heads}

    def money(label: str | None) -> bool:
        first = re.split(r"(?<=['’])|\s+", label)[0] if _good(label) else ""  # type: ignore[arg-type]
        return first in firsts or first.rstrip("sx") in firsts

    label = _metric(span, unit, lex, sent, money)
    if label is None:
        label = _nearest_head(sent, span, lex, lex.money_heads)
    if label is None:  # "40 milliards DH de chiffre d'affaires"
        label = _money_after(span, sent, lex)
    if not money(label):
        # "le total des travaux se chiffre à 360 millions": what reaches the amount names it
        label = _level_subject(span)
        return label if _good(label) else None
    return label


def _level_subject(span: Span) -> str | None:
    """The noun whose level the figure gives: the subject of "atteindre", "s'élever à", "se
    chiffrer à"... ("la contribution des investisseurs s'élève à 400 MDH"), or the noun a
    participle of them qualifies ("le CA des centres, estimé à 85 millions d'euros")."""
    root = span.root
    verb = root.head if root.head.pos_ in ("VERB", "AUX") else None
    if verb is None and root.head.pos_ == "ADP" and root.head.head.pos_ in ("VERB", "AUX"):
        verb = root.head.head
    if verb is None or verb.lemma_.lower() not in _LEVEL_VERBS or root.dep_ in _SUBJECT_DEPS:
        return None
    if verb.dep_ == "acl" and verb.head.pos_ == "NOUN" and verb.head.i < span.start:
        return _phrase(verb.head, span)
    for child in verb.children:
        if child.dep_ in _SUBJECT_DEPS and child.pos_ == "NOUN" and child.i < span.start:
            return _phrase(child, span)
    return None


def _money_after(span: Span, sent: Span, lex: Lexicon) -> str | None:
    doc = span.doc
    i = span.end
    if i + 1 >= sent.end or doc[i].lower_ not in ("de", "d'", "d’"):
        return None
    lowers = [t.lower_ for t in doc[i + 1 : min(sent.end, i + 5)]]
    for head in sorted(lex.money_heads, key=len, reverse=True):
        if tuple(lowers[: len(head)]) == head or (
            len(head) == 1 and lowers and lowers[0].rstrip("sx") == head[0]
        ):
            return _text(list(doc[i + 1 : i + 1 + len(head)]))
    return None


def _metric(span: Span, unit: str, lex: Lexicon, sent: Span, _good) -> str | None:  # noqa: ANN001
    root = span.root
    head = root.head
    if (
        head.i not in range(span.start, span.end)
        and head.pos_ == "NOUN"
        and root.dep_ in ("nmod", "obl", "appos", "obj")
    ):
        for _ in range(3):  # "chiffre d'affaires à l'export de X": climb to "chiffre"
            up = head.head
            if head.dep_ == "nmod" and up.pos_ == "NOUN" and up.i < head.i and head.i - up.i <= 6:
                head = up
            else:
                break
        label = _phrase(head, span)
        if _good(label):
            return label
    if unit in _NOUN_UNITS:
        label = _counted(span)
        if _good(label):
            return label
    if unit == "percent":
        m = _SHARE.match(
            sent.text, span.end_char - sent.start_char
        )  # the sentence, not doc.text (joins every token)
        if m and m.group(3).lower() not in _GENERIC:
            det = re.sub(r"[\s\u00a0]+", " ", m.group(1).lower())
            glue = "" if det.endswith(("'", "’")) else " "
            owner = m.group(2).lower().split()[0] + " " if m.group(2) else ""  # "30 % de son activité"
            return f"part {det}{glue}{owner}{m.group(3).lower()}"
    verb = head if head.pos_ in ("VERB", "AUX") else None
    if verb is None and head.pos_ == "ADP":
        verb = head.head if head.head.pos_ in ("VERB", "AUX") else None
    if (
        verb is not None
        and verb.dep_ in ("advcl", "xcomp")
        and not any(c.dep_ in _SUBJECT_DEPS for c in verb.children)
    ):
        verb = verb.head  # "le volume a doublé pour atteindre 5,5 milliards": the subject of "doublé"
    if verb is not None and root.dep_ not in _SUBJECT_DEPS:
        for child in verb.children:
            if child.dep_ in _SUBJECT_DEPS and child.pos_ == "NOUN" and child.i < span.start:
                label = _phrase(child, span)
                if _good(label):
                    return label
    label = _nearest_head(sent, span, lex, lex.metric_heads)
    return label if _good(label) else None


def _good(label: str | None) -> bool:
    return bool(label) and label not in _GENERIC  # type: ignore[operator]


def _phrase(noun: Token, figure: Span) -> str | None:
    """The noun and its right complements up to the figure: "chiffre d'affaires à l'export"."""
    words = [noun]
    for tok in noun.doc[noun.i + 1 : min(figure.start, noun.i + 1 + _MAX_TOKENS)]:
        if tok.dep_ in _STOP_DEPS or tok.dep_ == "ROOT" or tok.is_punct or tok.pos_ in ("VERB", "AUX", "NUM"):
            break
        if not _within(tok, noun):
            break
        words.append(tok)
    while words and (words[-1].lower_ in _LINK_WORDS or words[-1].pos_ in _DETS | {"ADP", "ADV", "CCONJ"}):
        words.pop()
    return _text(words)


def _within(tok: Token, root: Token) -> bool:
    t = tok
    for _ in range(6):
        if t == root:
            return True
        if t.head == t:
            return False
        t = t.head
    return False


def _counted(span: Span) -> str | None:
    nouns = [t for t in span if t.pos_ in ("NOUN", "PROPN") and not t.like_num]
    if not nouns:
        return None
    noun = nouns[-1]
    words = [noun]
    # morph.get(field, None): spaCy's stub makes the default (None, read as []) a required argument
    for tok in span.doc[noun.i + 1 : noun.i + 3]:
        if tok.head == noun and (
            tok.pos_ == "ADJ" or tok.tag_ == "VERB" and tok.morph.get("VerbForm", None) == ["Part"]
        ):
            words.append(tok)
        else:
            break
    return _text(words)


def _nearest_head(sent: Span, figure: Span, lex: Lexicon, heads: tuple[tuple[str, ...], ...]) -> str | None:
    doc = sent.doc
    lowers = [t.lower_ for t in doc[sent.start : figure.start]]
    firsts = {h[0] for h in heads}
    best = None
    for i in range(figure.start - 1, sent.start - 1, -1):
        tok = doc[i]
        if tok.is_punct and tok.text in ";:":
            break
        j = i - sent.start
        if lowers[j] not in firsts and tok.lemma_.lower() not in firsts:
            continue
        for head in heads:
            n = len(head)
            if tuple(lowers[j : j + n]) == head or (n == 1 and tok.lemma_.lower() == head[0]):
                best = tok
                break
        if best is not None:
            break
    return _phrase(best, figure) if best is not None else None


def _text(tokens: list[Token]) -> str | None:
    while tokens and tokens[0].pos_ in _DETS:
        tokens = tokens[1:]
    if not tokens:
        return None
    doc = tokens[0].doc
    text = doc[tokens[0].i : tokens[-1].i + 1].text.lower()
    return text if any(c.isalpha() for c in text) else None
