"""Persons with their role and organisation: spaCy component ``veille_persons`` (after ``veille_orgs``).

Takes spaCy's PER entities, minus organisations mislabelled as persons ("Medz Sourcing"),
strips titles ("M.", "Mme"), and reads the role and organisation from the usual
apposition patterns of business news (:mod:`pipeline.roles`):

* after the name: "Karim Bennani, DG de Medz Sourcing", "selon X, présidente de l'AMRC";
* before the name: "le directeur général de l'AMDIE, Youssef Tazi", "la ministre déléguée
  chargée de la Transition numérique, Leila Benchekroun", "le ministre Karim Slaoui".

Roles are lightly normalised (DG -> directeur général, PDG -> président-directeur général);
the organisation is the canonical name of the organisation named in the role phrase, or,
for ministers, the ministry whose portfolio the title names. "M. Bennani", "Bennani" and
"Karim Bennani" become one person. Sets ``doc._.persons`` (list of :class:`veille.core.models.Person`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.organisations import (
    DEFAULT_GAZETTEER,
    ORGANISATIONS_KEY,
    Gazetteer,
    fold,
    load_gazetteer,
)
from pipeline.roles import ROLE_HEADS, TITLES, ministry, nearest_of_kind, role_after, role_before
from veille.core.models import Mention, Person

PERSONS_KEY = "veille:persons"

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
        if _a_place(doc, span, gaz):
            continue
        titled = (span.start > 0 and fold(doc[span.start - 1].text) in TITLES) or span.start != ent.start
        role, org = role_after(doc, span, org_spans)
        if role is None:
            proper = all(t.pos_ == "PROPN" for t in span)
            role, before_org = role_before(doc, span, org_spans, apposition_only=not (is_per or proper))
            org = before_org or org  # "X (Intelcia)" keeps its bracketed organisation
        if not is_per and role is None:
            continue  # a capitalised run or MISC span is a person only in a role apposition
        if role and org is None and fold(role).startswith("ministre"):
            org = ministry(role, gaz) or nearest_of_kind(doc, span.start_char, {"ministry"}, "ministere")
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
    while start < end and (fold(doc[start].text) in TITLES or doc[start].is_punct or doc[start].is_lower):
        start += 1
    # "le ministre de l'Industrie et du Commerce Ryad Mezzour": the NOUN belongs to the title
    while (
        end - start > 2 and start > 0 and doc[start].pos_ == "NOUN" and doc[start - 1].pos_ in {"ADP", "DET"}
    ):
        start += 1
    while end > start and (doc[end - 1].is_punct and doc[end - 1].text != "-" or doc[end - 1].is_space):
        end -= 1
    return doc[start:end] if end > start else None


_PLACE_WORDS = {
    "souq", "souk", "technopolis", "technopole", "technopark", "quartier", "avenue", "boulevard", "rue", "zone",
    "parc", "shore", "nearshore", "iii", "ii", "iv",
}  # fmt: skip
_NAMED_AFTER = {
    "université", "universite", "école", "ecole", "institut", "hôpital", "hopital", "lycée", "lycee", "fondation",
    "avenue", "boulevard", "rue", "place", "stade", "aéroport", "aeroport", "port", "complexe", "centre", "prix",
}  # fmt: skip


def _a_place(doc: Doc, span: Span, gaz: Gazetteer) -> bool:
    """ "Rabat Technopolis", "Souq Lekdim", "Université Mohammed VI": a place or an institution named after someone."""
    words = [t for t in span if not t.is_punct]
    if any(fold(t.text) in _PLACE_WORDS or gaz.is_not_org(t.text) for t in words[:1] + words[1:]):
        return True
    return span.start > 0 and fold(doc[span.start - 1].text) in _NAMED_AFTER


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
    if all(len(t.text.rstrip(".")) <= 1 for t in words):
        return False  # "F. N. H.", "J. B.": an interviewer's initials, not a name

    return not (len(words) == 1 and fold(words[0].text) in ROLE_HEADS)


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
