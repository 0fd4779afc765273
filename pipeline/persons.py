"""Persons with their role and organisation: spaCy component ``veille_persons`` (after ``veille_orgs``).

Takes spaCy's PER entities, minus organisations mislabelled as persons ("Medz Sourcing"),
strips titles ("M.", "Mme"), and reads the role and organisation from the usual
apposition patterns of business news:

* after the name: "Karim Bennani, DG de Medz Sourcing", "selon X, présidente de l'AMRC";
* before the name: "le directeur général de l'AMDIE, Youssef Tazi", "la ministre déléguée
  chargée de la Transition numérique, Leila Benchekroun", "le ministre Karim Slaoui".

Roles are lightly normalised (DG -> directeur général, PDG -> président-directeur général);
the organisation is the canonical name of the organisation named in the role phrase, or,
for ministers, the ministry whose portfolio the title names. "M. Bennani", "Bennani" and
"Karim Bennani" become one person. Sets ``doc._.persons`` (list of :class:`veille.models.Person`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.organisations import (
    DEFAULT_GAZETTEER,
    ORGANISATIONS_KEY,
    Gazetteer,
    fold,
    load_gazetteer,
)
from veille.models import Mention, Person

PERSONS_KEY = "veille:persons"

_TITLES = {
    "m.",
    "m",
    "mme",
    "mlle",
    "mr",
    "dr",
    "pr",
    "me",
    "monsieur",
    "madame",
    "mademoiselle",
    "docteur",
    "professeur",
}
# words that open a role; folded
_ROLE_HEADS = {
    "directeur", "directrice", "dg", "dga", "pdg", "president", "presidente", "president-directeur",
    "presidente-directrice", "vice-president", "vice-presidente", "ceo", "coo", "cto", "cfo", "cio", "cdo",
    "dsi", "drh", "daf", "fondateur", "fondatrice", "cofondateur", "cofondatrice", "co-fondateur",
    "co-fondatrice", "ministre", "secretaire", "responsable", "chef", "cheffe", "patron", "patronne",
    "gerant", "gerante", "administrateur", "administratrice", "associe", "associee", "manager",
    "economiste", "analyste", "consultant", "consultante", "porte-parole", "wali", "gouverneur",
    "delegue", "deleguee", "coordinateur", "coordinatrice", "conseiller", "conseillere", "expert",
    "experte", "professeur", "professeure", "chercheur", "chercheuse", "tresorier", "tresoriere",
    "country", "head", "managing", "vp", "senior", "partner", "haut-commissaire", "gouverneure", "membre",
}  # fmt: skip
_ROLE_EXPANSIONS = {
    "dg": "directeur général",
    "dga": "directeur général adjoint",
    "pdg": "président-directeur général",
    "drh": "directeur des ressources humaines",
    "dsi": "directeur des systèmes d'information",
    "daf": "directeur administratif et financier",
}
_ROLE_KEEP_CASE = {"ceo", "coo", "cto", "cfo", "cio", "cdo", "vp"}
_PREPOSITIONS = {"de", "d'", "du", "des", "chez", "au", "a", "aupres", "pour", "sein"}
_ARTICLES = {"la", "le", "l'", "les", "son", "sa", "leur", "notre", "groupe", "societe", "cabinet"}
_CLAUSE_STOP = {",", ".", ";", ":", "(", ")", "«", "»", '"', "!", "?", "—", "–"}
_PLACE_WORDS = {"afrique", "europe", "maroc", "region", "nord", "sud"}
_PARTICLES = {
    "el",
    "al",
    "ben",
    "bin",
    "ibn",
    "ait",
    "aït",
    "de",
    "da",
    "du",
    "la",
    "le",
    "van",
    "von",
    "bel",
    "ou",
}


@dataclass
class _Found:
    name: str
    tokens: tuple[str, ...]  # folded name words
    mentions: list[Mention] = field(default_factory=list)
    role: str | None = None
    organisation: str | None = None
    titled: bool = False  # written "M. X" / "Mme X"


def _persons_getter(doc: Doc) -> list[Person]:
    return [person_from_dict(d) for d in doc.user_data.get(PERSONS_KEY, [])]


def person_from_dict(d: dict[str, Any]) -> Person:
    return Person(
        name=d["name"],
        role=d.get("role"),
        organisation=d.get("organisation"),
        mentions=tuple(Mention(m["start"], m["end"], m["text"]) for m in d.get("mentions", ())),
    )


if not Doc.has_extension("persons"):
    Doc.set_extension("persons", getter=_persons_getter)


class PersonRecogniser:
    """spaCy component ``veille_persons``: sets ``doc._.persons``."""

    def __init__(self, nlp: Language, name: str, gazetteer_path: str) -> None:
        self.name = name
        self.gazetteer = load_gazetteer(gazetteer_path)

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[PERSONS_KEY] = [p.to_dict() for p in persons_from_doc(doc, self.gazetteer)]
        return doc


@Language.factory("veille_persons", default_config={"gazetteer_path": str(DEFAULT_GAZETTEER)})
def make_person_recogniser(nlp: Language, name: str, gazetteer_path: str) -> PersonRecogniser:
    return PersonRecogniser(nlp, name, gazetteer_path)


def persons_from_doc(doc: Doc, gazetteer: Gazetteer | None = None) -> list[Person]:
    """Persons of a doc that went through ``ner`` (and ideally ``veille_orgs``)."""
    gaz = gazetteer or load_gazetteer(str(DEFAULT_GAZETTEER))
    org_spans = _org_spans(doc)
    found: list[_Found] = []
    for ent, is_per in _candidates(doc):
        span = _clean_name(ent)
        if span is None or any(s < span.end_char and span.start_char < e for s, e, _ in org_spans):
            continue
        if gaz.lookup(span.text) is not None or gaz.is_not_org(span.text):
            continue
        if not _plausible_person(span) or (not is_per and len(span) < 2):
            continue
        titled = (span.start > 0 and fold(doc[span.start - 1].text) in _TITLES) or span.start != ent.start
        role, org = _role_after(doc, span, org_spans)
        if role is None:
            proper = all(t.pos_ == "PROPN" for t in span)
            role, before_org = _role_before(doc, span, org_spans, apposition_only=not (is_per or proper))
            org = before_org or org  # "X (Intelcia)" keeps its bracketed organisation
        if not is_per and role is None:
            continue  # a capitalised run or MISC span is a person only in a role apposition
        if role and org is None and fold(role).startswith("ministre"):
            org = _ministry(role, gaz) or _nearest_of_kind(doc, span.start_char, {"ministry"}, "ministere")
        words = tuple(fold(t.text) for t in span if not t.is_punct)
        found.append(
            _Found(span.text, words, [Mention(span.start_char, span.end_char, span.text)], role, org, titled)
        )
    return _merge(found)


def _candidates(doc: Doc) -> list[tuple[Span, bool]]:
    """PER entities, plus MISC/LOC entities and capitalised runs the NER left out (checked later)."""
    out = [(e, e.label_ == "PER") for e in doc.ents if e.label_ in {"PER", "MISC"}]
    taken = {t.i for e in doc.ents for t in e if e.label_ in {"PER", "MISC", "LOC", "ORG"}}
    taken -= {t.i for e in doc.ents if e.label_ == "LOC" and fold(e[0].text) not in _PLACE_WORDS for t in e}
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and j - i < 5 and j not in taken and _name_word(doc, j):
            j += 1
        if j - i >= 2 and _name_word(doc, i) and doc[i].text != "-" and doc[j - 1].text != "-":
            out.append((doc[i:j], False))
            i = j
        else:
            i += 1
    return sorted(out, key=lambda c: c[0].start)


def _name_word(doc: Doc, i: int) -> bool:
    t = doc[i]
    if t.text == "-":
        return 0 < i < len(doc) - 1 and not t.whitespace_ and doc[i + 1].text[:1].isupper()
    return (
        t.is_alpha
        and t.text[:1].isupper()
        and not t.is_upper
        or (fold(t.text) in _PARTICLES and t.text[:1].isupper())
    )


def _org_spans(doc: Doc) -> list[tuple[int, int, str]]:
    out = []
    for org in doc.user_data.get(ORGANISATIONS_KEY, []):
        for m in org["mentions"]:
            out.append((m["start"], m["end"], org["name"]))
    return sorted(out)


def _clean_name(ent: Span) -> Span | None:
    doc = ent.doc
    start, end = ent.start, ent.end
    while start < end and (fold(doc[start].text) in _TITLES or doc[start].is_punct or doc[start].is_lower):
        start += 1
    # "le ministre de l'Industrie et du Commerce Ryad Mezzour": the NOUN belongs to the title
    while (
        end - start > 2 and start > 0 and doc[start].pos_ == "NOUN" and doc[start - 1].pos_ in {"ADP", "DET"}
    ):
        start += 1
    while end > start and (doc[end - 1].is_punct and doc[end - 1].text != "-" or doc[end - 1].is_space):
        end -= 1
    return doc[start:end] if end > start else None


def _plausible_person(span: Span) -> bool:
    words = [t for t in span if not t.is_punct]
    if not words or len(words) > 5:
        return False
    for t in words:
        if any(c.isdigit() for c in t.text) or "\n" in t.text:
            return False
        if not t.text[:1].isupper() and fold(t.text) not in _PARTICLES:
            return False
    if len(words) == 1 and (words[0].is_upper or len(words[0].text) < 3):
        return False
    return not (len(words) == 1 and fold(words[0].text) in _ROLE_HEADS)


def _role_after(doc: Doc, name: Span, org_spans: list[tuple[int, int, str]]) -> tuple[str | None, str | None]:
    """'X, directeur général de Y' / 'X (PDG de Y)'."""
    i = name.end
    if i >= len(doc) or doc[i].text not in {",", "("}:
        return None, None
    if doc[i].text == "(":  # "Karim Alaoui (Intelcia)": the organisation alone in brackets
        close = next((k for k in range(i + 1, min(i + 15, len(doc))) if doc[k].text == ")"), None)
        if close is not None and close > i + 1:
            s_char, e_char = doc[i + 1].idx, doc[close - 1].idx + len(doc[close - 1].text)
            inside = [n for s, e, n in org_spans if s == s_char and e == e_char]
            if inside:
                return None, inside[0]
    j = i + 1
    while j < len(doc) and fold(doc[j].text) in _ARTICLES - {"groupe", "societe", "cabinet"}:
        j += 1
    if j >= len(doc) or not _is_role_head(doc[j]):
        return None, None
    end = j
    # morph.get(field, None): spaCy's stub makes the default (None, read as []) a required argument
    while end < len(doc) and doc[end].text not in _CLAUSE_STOP and "\n" not in doc[end].text:
        if (
            end > j
            and doc[end].pos_ in {"VERB", "AUX"}
            and "Part" not in doc[end].morph.get("VerbForm", None)
        ):
            break
        end += 1
    return _role_and_org(doc, j, end, org_spans)


def _role_before(
    doc: Doc, name: Span, org_spans: list[tuple[int, int, str]], apposition_only: bool = False
) -> tuple[str | None, str | None]:
    """'le directeur général de Y, X' / 'le DG de Y, M. X' / 'le ministre X'."""
    end = name.start
    while end > 0 and fold(doc[end - 1].text) in _TITLES:
        end -= 1
    if end > 0 and doc[end - 1].text == ",":
        end -= 1
        limit = 25
    elif apposition_only:
        return None, None
    else:
        limit = 12
    k = end - 1
    head = None
    while k >= 0 and end - k <= limit:
        t = doc[k]
        if t.text in _CLAUSE_STOP or "\n" in t.text or "\n" in t.whitespace_:
            break
        if t.pos_ in {"VERB", "AUX"} and "Part" not in t.morph.get("VerbForm", None):
            break
        if _is_role_head(t):
            head = k
        k -= 1
    if head is None:
        return None, None
    # extend to the first role head of "président-directeur général", "cofondateur et PDG"
    return _role_and_org(doc, head, end, org_spans)


def _is_role_head(tok: Token) -> bool:
    w = fold(tok.text)
    return w in _ROLE_HEADS or w.split("-")[0] in {
        "directeur",
        "directrice",
        "president",
        "presidente",
        "vice",
    }


def _role_and_org(
    doc: Doc, start: int, end: int, org_spans: list[tuple[int, int, str]]
) -> tuple[str | None, str | None]:
    """Split a role phrase doc[start:end] into the role words and the organisation it names."""
    s_char, e_char = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
    orgs = [(s, e, n) for s, e, n in org_spans if s >= s_char and e <= e_char]
    minister = fold(doc[start].text) == "ministre"
    org: str | None
    if orgs and not minister:
        first = orgs[0]
        k = start
        while k < end and doc[k].idx < first[0]:
            k += 1
        # drop the preposition and determiner between the role and the organisation
        while k > start + 1 and (fold(doc[k - 1].text) in _PREPOSITIONS | _ARTICLES):
            k -= 1
        role_end, org = k, first[2]
    else:
        role_end, org = _role_extent(doc, start, end, minister), (orgs[0][2] if orgs else None)
    role = _normalise_role(doc[start:role_end].text)
    after = role_end
    if org is None:
        org, after = _anaphor(doc, role_end, end)
    elif orgs:
        after = next((k for k in range(role_end, end) if doc[k].idx >= orgs[0][1]), end)
    if org is None and start > 0 and fold(doc[start - 1].text) in {"son", "sa", "leur", "ses"}:
        org = _possessor(doc, start, org_spans)
    if role and org is not None and not minister:
        role += _charge(doc, after, end)
    return (role or None), org


# "du groupe", "de la fédération": the organisation of that kind the article is about
_ANAPHORS: dict[str, tuple[set[str | None], str | None]] = {
    "groupe": ({"company", None}, None), "societe": ({"company", "zone_operator", None}, None),
    "filiale": ({"company", "zone_operator", None}, None),
    "entreprise": ({"company", None}, None), "firme": ({"company", None}, None),
    "start-up": ({"company", None}, None), "startup": ({"company", None}, None),
    "cabinet": ({"company", None}, None), "operateur": ({"company", "zone_operator", None}, None),
    "federation": ({"federation"}, "federation"), "association": ({"association"}, "association"),
    "confederation": ({"federation"}, "confederation"), "agence": ({"agency"}, "agence"),
    "banque": ({"bank"}, "banque"), "ministere": ({"ministry"}, "ministere"),
    "office": ({"public_body"}, "office"), "caisse": ({"public_body"}, "caisse"),
}  # fmt: skip


def _anaphor(doc: Doc, k: int, end: int) -> tuple[str | None, int]:
    """'président du groupe', 'présidente de la Fédération': (the organisation, index after it)."""
    j = k
    while j < end and fold(doc[j].text) in {"de", "d'", "du", "la", "le", "l'"}:
        j += 1
    if j == k or j >= end:
        return None, k
    noun = fold(doc[j].text)
    if noun == "start" and j + 2 < end and fold(doc[j + 2].text) == "up":
        noun, j = "start-up", j + 2
    if noun not in _ANAPHORS or (j + 1 < end and doc[j + 1].text[:1].isupper()):
        return None, k
    if j + 2 < end and fold(doc[j + 1].text) in {"de", "d'"}:
        return None, k  # "la société de gestion": a description, not a reference back
    kinds, head = _ANAPHORS[noun]
    return _nearest_of_kind(doc, doc[j].idx, kinds, head), j + 1


def _nearest_of_kind(doc: Doc, before: int, kinds: set[str | None], head: str | None) -> str | None:
    """The organisation of one of ``kinds`` (or whose name starts with ``head``) mentioned most often
    before ``before``; ties go to the latest mentioned."""
    best: tuple[int, int, str] | None = None
    for org in doc.user_data.get(ORGANISATIONS_KEY, []):
        name = org["name"]
        if org.get("kind") not in kinds and not (head and fold(name).split(" ")[0] == head):
            continue
        starts = [m["start"] for m in org["mentions"] if m["start"] < before]
        if starts and (best is None or (len(starts), max(starts)) > best[:2]):
            best = (len(starts), max(starts), name)
    return best[2] if best else None


def _charge(doc: Doc, k: int, end: int) -> str:
    """' en charge de l'offshoring' / ' chargé des ventes' after the organisation, kept in the role."""
    if k < end and fold(doc[k].text) == "," and k + 1 < end:
        k += 1
    if k + 1 < end and fold(doc[k].text) == "en" and fold(doc[k + 1].text) == "charge":
        return " " + doc[k:end].text.strip(" ,")
    if k < end and fold(doc[k].text) in {"charge", "chargee"}:
        return " " + doc[k:end].text.strip(" ,")
    return ""


def _possessor(doc: Doc, i: int, org_spans: list[tuple[int, int, str]]) -> str | None:
    """'Son président, X': the first organisation named (outside quotes) in this sentence
    before the role, else in the previous sentence."""
    quotes = [(m.start(), m.end()) for m in re.finditer(r"«[^»]*»|\"[^\"]*\"", doc.text)]

    def first_org(start: int, end: int) -> str | None:
        for s, e, name in org_spans:
            if start <= s and e <= end and not any(qs <= s < qe for qs, qe in quotes):
                return name
        return None

    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return first_org(0, doc[i].idx)
    sent = doc[i].sent
    found = first_org(sent.start_char, doc[i].idx)
    for _ in range(3):  # a quotation may span several sentences: look further back
        if found is not None or sent.start == 0:
            break
        sent = doc[sent.start - 1].sent
        found = first_org(sent.start_char, sent.end_char)
    return found


def _role_extent(doc: Doc, start: int, end: int, minister: bool) -> int:
    """Without an organisation: keep complements like 'des ressources humaines', stop at
    'de la fédération', 'pour la région', 'au Maroc'. Ministers keep their whole title."""
    if minister:
        return end
    k = start + 1
    while k < end:
        w = fold(doc[k].text)
        if w in {"de", "d'", "du", "des", "et"} and k + 1 < end and fold(doc[k + 1].text) not in _ARTICLES:
            k += 2
            continue
        if w in {"pour", "au", "aux", "a", "en", "chez", "sur", "dans", "aupres", "de", "d'", "du", "des"}:
            break
        if doc[k].pos_ in {"ADJ", "NOUN"} or _is_role_head(doc[k]) or doc[k].text == "-":
            k += 1
            continue
        break
    return k


def _normalise_role(text: str) -> str:
    words = []
    for w in re.split(r"(\s+)", text.strip()):
        key = fold(w)
        if key in _ROLE_EXPANSIONS:
            words.append(_ROLE_EXPANSIONS[key])
        elif key in _ROLE_KEEP_CASE:
            words.append(w.upper())
        else:
            words.append(w)
    role = "".join(words).strip(" ,")
    if role and role[0].isupper() and not role[:2].isupper():
        role = role[0].lower() + role[1:]
    return role


def _ministry(role: str, gaz: Gazetteer) -> str | None:
    key = fold(role)
    for entry in gaz.entries:
        if entry.kind == "ministry" and any(fold(p) in key for p in entry.portfolio):
            return entry.name
    return None


def _merge(found: list[_Found]) -> list[Person]:
    """'M. Bennani' and 'Bennani' join the earlier 'Karim Bennani'; first role and organisation win."""
    people: list[_Found] = []
    for f in found:
        target = None
        for p in people:
            if p.tokens == f.tokens:
                target = p
            elif len(f.tokens) < len(p.tokens) and p.tokens[-len(f.tokens) :] == f.tokens:
                target = target or p
        if target is None:
            for p in people:  # an earlier surname-only mention completed later
                if len(p.tokens) < len(f.tokens) and f.tokens[-len(p.tokens) :] == p.tokens:
                    target = p
                    target.name, target.tokens = f.name, f.tokens
                    break
        if target is None:
            if len(f.tokens) == 1 and not f.titled:
                continue  # a lone surname with no full name nor title: too unsure
            people.append(f)
            continue
        target.mentions.extend(f.mentions)
        if target.role is None and f.role is not None:
            target.role, target.organisation = f.role, f.organisation
        elif target.organisation is None and f.organisation is not None:
            target.organisation = f.organisation
    return [
        Person(
            name=p.name,
            role=p.role,
            organisation=p.organisation,
            mentions=tuple(sorted(p.mentions, key=lambda m: m.start)),
        )
        for p in people
    ]
