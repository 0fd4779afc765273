"""What rules a candidate out as an organisation, or in, read from its words and its context.

The rule on spaCy's label (an ORG unless a lone common word; MISC, PER or LOC only with an
organisation's head word or a company's tail), a media outlet that acts in the text rather than
signs it, a site's menu line, a span that continues a longer name, a subsidiary's "X Maroc".
Pure functions over text and spans, used by :mod:`pipeline.organisations` and
:mod:`pipeline.org_mentions`.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from pipeline.gazetteer import _COMPANY_TAILS, _ORG_HEADS, Gazetteer, OrgEntry, fold, strip_accents
from pipeline.ner_spans import after_stop


def label_says_org(span: Span, label: str, gaz: Gazetteer) -> bool:
    """The rule on NER's label: ORG unless a lone common word or a common noun phrase; MISC,
    PER or LOC only with an organisation's head word or a company's or subsidiary's tail."""
    words = [fold(t.text) for t in span]
    first, last = words[0], words[-1]
    if label == "ORG":
        if len(span) == 1 and after_stop(span[0]) and not span[0].is_upper and span[0].pos_ != "PROPN":
            return False
        # "Banque digitale", "Agence nationale": a common noun phrase
        return not (first in _ORG_HEADS and len(span) <= 2 and all(t.is_lower for t in span[1:]))
    if len(span) == 1:
        return False
    if first in _ORG_HEADS or last in _COMPANY_TAILS:
        return True
    return last in SUBSIDIARY_TAILS and subsidiary_name(span, gaz)  # "Nexalys Maroc" tagged PER or LOC


_MEDIA_BEFORE = re.compile(
    r"(?:selon|d['’]après|indiqu\w*|soulign\w*|rapport\w*|écri\w*|révél\w*|relev\w*|précis\w*|affirm\w*|publi\w*"
    r"|cit[ée]\w*|contact[ée]\w*|interrog[ée]\w*|déclar[ée]\w*|confi[ée]\w*|au micro d[e'’]|confrères?|quotidien|hebdomadaire"
    r"|magazine|journal|site|agence|revue de presse|tirée?s?|classement|étude|enquête|organis\w*|lanc\w*|partenariat avec)"
    r"[^.;!?\n]{0,25}$",
    re.IGNORECASE,
)
_MEDIA_AFTER = re.compile(
    r"^[\s\u00a0’'»\"),]*(?:dans (?:son|sa) (?:édition|livraison|numéro|classement)|rapporte|indique|révèle|a appris|écrit|publie"
    r"|a publié|selon|a organisé|organise|\)\s*[–—-])",
    re.IGNORECASE,
)


def media_acts(text: str, start: int, end: int, entry: OrgEntry) -> bool:
    """A media outlet is an organisation where it acts: quoted as a source, publishing a study,
    taking a statement, organising; or the agency of an opening dateline ("Rabat, 12 mars (MAP) –")."""
    surface = strip_accents(text[start:end])
    if surface not in {strip_accents(f) for f in (*entry.forms, *entry.acronyms)}:
        return False  # "le matin", "challenge": the outlet's name is written with its capitals
    if start < 200 and re.search(r"\(\s*$", text[max(0, start - 3) : start]):
        return bool(re.match(r"\s*\)\s*[–—-]", text[end : end + 6]))  # a dateline's agency
    before = text[max(0, start - 60) : start]
    return bool(_MEDIA_BEFORE.search(before) or _MEDIA_AFTER.match(text[end : end + 40]))


_SECTION_WORDS = {
    "accueil", "economie", "politique", "societe", "sport", "sports", "culture", "regions", "monde", "international",
    "videos", "video", "contact", "actualites", "actualite", "entreprises", "finance", "medias", "opinions", "tech",
    "high-tech", "emploi", "auto", "sante", "lifestyle", "podcasts", "dossiers", "chroniques", "afrique", "maroc",
}  # fmt: skip


_LONGER_NAME_BEFORE = re.compile(
    r"(?:Minist[eè]re|Société|Direction|Office|Agence|Centre|Fédération|Association|Confédération|Secrétariat|"
    r"Département|Délégation|Chambre|Conseil|Commission|Haut|Institut|École|Ecole|Université|Groupement|Caisse|"
    r"Banque|Fonds|Organisation|Union|Ingénierie)\b[^.;:\n()«»]{0,90}?(?:\s(?:de\s+la|de\s+l['’]|des|du|de|et|d['’])|,)\s*$"
)


def tail_of_a_longer_name(text: str, start: int) -> bool:
    """The span continues a name begun before it: "... du Commerce et des | Nouvelles technologies"."""
    return bool(_LONGER_NAME_BEFORE.search(text, max(0, start - 120), start))


def menu_line(text: str, start: int, end: int) -> bool:
    """A span on a line that is a menu or a breadcrumb: capitalised words only, several of them
    section names ("Accueil Economie Entreprises Sport Culture"), or separated by "|", ">" or "›"."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    words = re.findall(r"[^\W\d_][\w\-’']*", line)
    if len(words) < 3 or any(c in line for c in ".;"):
        return False
    sections = sum(fold(w) in _SECTION_WORDS for w in words)
    return (all(w[0].isupper() for w in words) and sections >= 2) or bool(re.search(r"\s[|>›»]\s", line))


ACTING_ZONE = re.compile(r"(?:société|filiale|entreprise|opérateur)[\s\u00a0]+$", re.IGNORECASE)
ADJECTIVE_WORD = re.compile(
    r"(?:ique|iques|aire|aires|elle|elles|ive|ives|ienne|iennes|ale|ales)$", re.IGNORECASE
)
SUBSIDIARY_TAILS = {"maroc", "morocco"}


def subsidiary_name(span: Span, gaz: Gazetteer) -> bool:
    """ "Nexalys Maroc": capitalised words that are not places nor directions, then "Maroc"."""
    head = list(span)[:-1]
    return all(
        t.text[:1].isupper() and not gaz.is_not_org(t.text) and fold(t.text) not in _DIRECTIONS for t in head
    )


_DIRECTIONS = {"nord", "sud", "est", "ouest", "centre", "royaume", "grand", "oriental"}


def lowercase_form(surface: str, entry: OrgEntry) -> bool:
    """Whether the config writes this form in lower case ("inwi"), so a lower-case match is a name."""
    return any(f == f.lower() and fold(f) == fold(surface) for f in (*entry.forms, *entry.acronyms))


def distinctive(doc: Doc, word: str, gaz: Gazetteer) -> bool:
    """A word that is not French vocabulary, a place or a programme: likely a brand name."""
    lex = doc.vocab[word.lower()]
    return not (lex.has_vector or lex.is_stop or gaz.is_not_org(word) or fold(word) in _ORG_HEADS)
