"""NER span repair for organisations: trimming, split names, names introduced by a noun.

* :func:`trim` drops leading determiners and generic nouns and trailing punctuation, verbs and
  adverbs ("l'Agence de l'Oriental finance" -> "Agence de l'Oriental");
* :func:`merge_split_names` joins a long federation name the NER cut in two;
* :func:`introduced_names` finds "la start-up Qaryati Pay", "un partenaire français, Voxalis";
* :func:`names_a_person` tells a person's name by a title before it or a role after it;
* :func:`head_then_a_clause` tells "du Groupe et la consolidation" from a name.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from pipeline.gazetteer import (
    _COMPANY_TAILS,
    _GENERIC_ADJ,
    _GENERIC_HEADS,
    _LEADING,
    _ORG_HEADS,
    ROLE_HEADS,
    TITLES,
    fold,
)


def trim(span: Span) -> Span | None:
    """Drop leading determiners/generic nouns and trailing punctuation from an entity span."""
    doc = span.doc
    start, end = span.start, span.end
    while start < end:
        t = doc[start]
        w = fold(t.text)
        nxt = doc[start + 1] if start + 1 < end else None
        if w in _LEADING or t.is_punct or t.is_space:
            start += 1
        elif w in _GENERIC_HEADS and nxt is not None and not t.text[:1].isupper() and nxt.text[:1].isupper():
            start += 1
        else:
            break
    while end > start:
        last = doc[end - 1]
        if (last.is_punct or last.is_space) and last.text not in {")"}:
            end -= 1
        elif end - start > 1 and _trailing_non_name(last):
            end -= 1  # "l'Agence de l'Oriental finance": the verb after the name
        else:
            break
    if end <= start:
        return None
    return doc[start:end]


def _trailing_non_name(tok: Token) -> bool:
    """A lower-case last word that is not part of a name: a verb, an adverb, a function word, or a
    noun glued to a capitalised word and followed by a determiner ("Oriental finance la ...")."""
    if not tok.is_lower or fold(tok.text) in _COMPANY_TAILS:
        return False
    if tok.pos_ in {"VERB", "AUX", "ADV", "PRON", "DET", "ADP", "CCONJ", "SCONJ", "NUM"}:
        return True
    prev = tok.doc[tok.i - 1]
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    return tok.pos_ == "NOUN" and prev.text[:1].isupper() and nxt is not None and nxt.pos_ in {"DET", "NUM"}


# Heads the press writes in lower case before a capitalised complement that names one body
# ("le ministère de l'Économie", "l'université Hassan II", "la wilaya de la région de Fès").
_LOWER_CASE_HEADS = {"ministere", "universite", "wilaya"}


def plausible_name(span: Span) -> bool:
    text = span.text
    if len(text) < 2 or not any(c.isalpha() for c in text):
        return False
    if not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in span):
        return False
    if text[:1].islower() and not text[:1].isdigit() and fold(span[0].text) not in _LOWER_CASE_HEADS:
        return False  # "ministère de l'Agriculture" is a name the press writes in lower case
    if "\n" in text or "«" in text or "»" in text:
        return False
    return len(span) <= 20


def names_a_person(span: Span) -> bool:
    """ "Salma Idrissi, directrice de ...", "M. Alaoui", "Nadia Amrani (fondatrice)": two or three
    capitalised words, no organisation's head nor company's tail, after a title or before a
    comma or a bracket that opens a role: a person, whatever label the NER gave."""
    doc = span.doc
    words = [t for t in span if not t.is_punct]
    if not 2 <= len(span) <= 3 or len(words) != len(span) or not all(t.text[:1].isupper() for t in words):
        return False
    if fold(span[0].text) in _ORG_HEADS or fold(span[-1].text) in _COMPANY_TAILS or span.text.isupper():
        return False
    if span.start > 0 and fold(doc[span.start - 1].text) in TITLES and doc[span.start - 1].text[:1].isupper():
        return True
    after = doc[span.end : span.end + 2]
    return len(after) == 2 and after[0].text in {",", "("} and fold(after[1].text) in ROLE_HEADS


def head_then_a_clause(span: Span) -> bool:
    """ "du Groupe et la consolidation de ...", "cette Association pour les deux années": a house
    style's capitalised "Groupe" standing for a company named before, then ordinary words; no
    name has a head word followed by "et", nor, after a demonstrative, by "pour" and lower case."""
    if len(span) < 3 or fold(span[0].text) not in _ORG_HEADS:
        return False
    rest = list(span)[1:]
    if any(t.text[:1].isupper() or t.text[:1].isdigit() for t in rest):
        return False
    second = fold(rest[0].text)
    before = fold(span.doc[span.start - 1].text) if span.start > 0 else ""
    return second == "et" or (second == "pour" and before in _ANAPHORIC)


_ANAPHORIC = {"ce", "cet", "cette", "du", "notre", "son", "sa", "leur"}


def merge_split_names(doc: Doc, ents: list[Span]) -> list[tuple[Span, str]]:
    """Join "Fédération marocaine des technologies de l'information" + ", des télécommunications
    et de l'offshoring" style splits: an org-headed entity continued by lower-case complements."""
    out: list[tuple[Span, str]] = []
    i = 0
    while i < len(ents):
        ent = ents[i]
        label = ent.label_
        head = trim(ent)
        if head is not None and fold(head[0].text) in _ORG_HEADS:
            end = ent.end
            j = end
            # absorb ", d'industrie et de services de la région X" up to a clause boundary
            while j < len(doc) and j - ent.end < 14:
                t = doc[j]
                w = fold(t.text)
                if (
                    t.text == ","
                    and j + 1 < len(doc)
                    and fold(doc[j + 1].text) in {"de", "d'", "des", "du", "et"}
                ):
                    j += 1
                    continue
                if w in {"de", "d'", "des", "du", "et", "la", "l'", "le", "les"}:
                    j += 1
                    continue
                if j == end and t.is_lower and t.pos_ != "ADJ":
                    break  # "l'Agence de l'Oriental finance la ...": a verb, not a complement
                if t.is_alpha and t.pos_ in {"NOUN", "ADJ", "PROPN"} and not after_stop(t):
                    j += 1
                    end = j
                    continue
                if t.text == "-" or (t.ent_type_ and t.i < len(doc)):
                    j += 1
                    end = j
                    continue
                break
            if end > ent.end and not any(doc[k].text in {"(", ")"} for k in range(ent.end, end)):
                span = doc[ent.start : end]
                while i + 1 < len(ents) and ents[i + 1].start < end:
                    i += 1
                out.append((span, "ORG"))
                i += 1
                continue
        if label == "ORG":
            end = ent.end
            while (
                end < len(doc)
                and _capitalised_word(doc[end])
                and (not doc[end].ent_type_ or doc[end].ent_type_ == "ORG")
            ):
                end += 1
            if end > ent.end:
                ent = doc[ent.start : end]
                while i + 1 < len(ents) and ents[i + 1].start < end:
                    i += 1
        out.append((ent, label))
        i += 1
    return out


# Nouns that introduce a company name: "la start-up Qaryati Pay", "l'intégrateur casablancais Novatech".
_INTRODUCERS = {
    "societe", "groupe", "firme", "entreprise", "cabinet", "start-up", "startup", "prestataire",
    "integrateur", "editeur", "filiale", "fintech", "esn", "ssii", "operateur", "centre", "plateforme",
    "pousse", "fonds", "assureur", "constructeur", "multinationale", "specialiste", "incubateur",
    "partenaire", "sous-traitant", "client",
}  # fmt: skip
# Introducers that need an adjective and a comma before the name: "un partenaire français, Voxalis".
_APPOSED_ONLY = {"partenaire", "sous-traitant", "client"}


# a person's title before "de/d'/du" and a capitalised name: "directeur général de Pro2C",
# "DG d'Alten DC Maroc", "fondateur de Netopia"
_TITLES = {
    "dg", "pdg", "ceo", "fondateur", "fondatrice", "cofondateur", "cofondatrice", "co-fondateur", "co-fondatrice",
    "patron", "patronne", "directeur", "directrice", "president", "presidente", "gerant", "gerante",
    "administrateur", "administratrice", "associe", "associee", "dirigeant", "dirigeante",
    "filiale", "filiales", "actionnaire", "maison-mere",  # "filiale de Sofrecom", "actionnaire de Nemotek"
}  # fmt: skip
_TITLE_TAILS = {
    "general",
    "generale",
    "delegue",
    "deleguee",
    "adjoint",
    "adjointe",
    "executif",
    "executive",
    "pays",
}


def _person_or_place(doc: Doc, j: int, k: int) -> bool:
    """The NER reads tokens j..k as a person, or as a place when it is a single word ("Thiès")."""
    return any(doc[i].ent_type_ == "PER" for i in range(j, k)) or (k - j == 1 and doc[j].ent_type_ == "LOC")


def _titled_names(doc: Doc) -> list[tuple[int, int]]:
    out = []
    for tok in doc:
        if fold(tok.text) not in _TITLES:
            continue
        j = tok.i + 1
        while j < len(doc) and fold(doc[j].text) in _TITLE_TAILS:
            j += 1
        if j >= len(doc) or fold(doc[j].text) not in {"de", "d'", "du"}:
            continue
        j += 1
        k = j
        while (
            k < len(doc)
            and k - j < 5
            and (
                (doc[k].text[:1].isupper() and (doc[k].text.isalnum() or "-" in doc[k].text))
                or (doc[k].text in {"&", "-"} and k > j)
            )
        ):
            k += 1
        if (
            k > j
            and doc[k - 1].text not in {"&", "-"}
            and not any(doc[i].ent_type_ == "PER" for i in range(j, k))
        ):
            out.append((doc[j].idx, doc[k - 1].idx + len(doc[k - 1].text)))
    return out


# after a name, an apposition that says what the organisation does: "Wafra Chimie, acteur de
# l'industrie chimique", "Nemotek, spécialisée dans les produits optiques"
_APPOSITIONS = {
    "acteur", "specialiste", "specialisee", "specialise", "leader", "filiale", "operateur", "fabricant", "editeur",
    "integrateur", "prestataire", "fournisseur", "equipementier", "pionnier", "numero", "champion", "societe",
    "entreprise", "groupe", "cabinet", "firme", "start-up", "startup", "banque", "assureur",
}  # fmt: skip


def _apposed_names(doc: Doc) -> list[tuple[int, int]]:
    out = []
    for tok in doc:
        if tok.text != "," or tok.i + 1 >= len(doc) or fold(doc[tok.i + 1].text) not in _APPOSITIONS:
            continue
        k = tok.i
        j = k
        while (
            j - 1 >= 0
            and k - j < 4
            and doc[j - 1].text[:1].isupper()
            and (doc[j - 1].text.isalnum() or "-" in doc[j - 1].text)
        ):
            j -= 1
        if j == k or doc[j].is_sent_start and k - j == 1:
            continue  # no name, or a single capitalised word opening the sentence
        if (
            j > 0
            and fold(doc[j - 1].text) in {"le", "la", "les", "l'", "du", "des", "au", "aux"}
            and k - j == 1
        ):
            continue  # "la Tunisie, leader de": a common noun's capital, or a country
        if _person_or_place(doc, j, k):
            continue  # "Fadwa Jouali, spécialiste senior des paiements": a person's apposition
        out.append((doc[j].idx, doc[k - 1].idx + len(doc[k - 1].text)))
    return out


def introduced_names(doc: Doc) -> list[tuple[int, int]]:
    """Capitalised names right after an introducing noun (and optional adjectives) the NER missed,
    after a person's title ("directeur général de Pro2C"), or before an apposition that says what
    the organisation does ("Wafra Chimie, acteur de l'industrie chimique")."""
    out = _titled_names(doc) + _apposed_names(doc)
    for tok in doc:
        word = fold(tok.text)
        if word == "up" and tok.i >= 2 and fold(doc[tok.i - 2].text) == "start":
            word = "start-up"  # the tokenizer splits "start-up"
        if word not in _INTRODUCERS or tok.text[:1].isupper():
            continue
        j = tok.i + 1
        while (
            j < len(doc)
            and j - tok.i <= 3
            and doc[j].is_lower
            and (_GENERIC_ADJ.match(doc[j].text) or doc[j].pos_ == "ADJ")
        ):
            j += 1
        if word in _APPOSED_ONLY:
            if j == tok.i + 1 or j + 1 >= len(doc) or doc[j].text != ",":
                continue
            j += 1
            if j + 1 < len(doc) and doc[j + 1].text not in {".", ",", ";", ")"}:
                continue  # a one-word name closing the apposition only
        k = j
        while (
            k < len(doc)
            and k - j < 5
            and (
                (doc[k].text[:1].isupper() and (doc[k].is_alpha or doc[k].like_num or "-" in doc[k].text))
                or (doc[k].text in {"&", "-"} and k > j)
                or (doc[k].like_num and k > j)
            )
        ):
            k += 1
        if k > j and doc[k - 1].text not in {"&", "-"}:
            out.append((doc[j].idx, doc[k - 1].idx + len(doc[k - 1].text)))
    return out


def _capitalised_word(tok: Token) -> bool:
    return (
        tok.is_alpha
        and tok.text[:1].isupper()
        and not tok.is_upper
        and not after_stop(tok)
        and fold(tok.text) not in _LEADING
    )


def after_stop(tok: Token) -> bool:
    """Whether the token opens a sentence or paragraph (the parser's own guess is unreliable here)."""
    if tok.i == 0:
        return True
    prev = tok.doc[tok.i - 1]
    return (
        prev.text in {".", "!", "?", ":", "«", "»", '"', "…"} or "\n" in prev.text or "\n" in prev.whitespace_
    )
