"""Organisations: the sector gazetteer, acronym definitions and NER, merged and canonicalised.

Two spaCy components, placed after ``ner``:

* ``veille_acronyms`` finds definitions written in the text, "l'Agence de développement du
  digital (ADD)" or "le CMIA (Centre marocain de l'intelligence artificielle)", with the
  Schwartz-Hearst rule (the acronym's letters, in order, in the long form, the first one
  starting a word) and sets ``doc._.acronyms``.
* ``veille_orgs`` matches the gazetteer (``config/organisations.toml``) on accent-folded
  lower-case tokens, adds spaCy's ORG spans (and MISC/PER/LOC spans that look like an
  organisation, a decision the learned model of :mod:`pipeline.org_model` takes from the label,
  the span and its context), fixes the known mislabels (the currency "DH" tagged ORG, "Medz Sourcing"
  tagged PER, a long federation name cut in two, "APEBI-AMRC-ADD" as one MISC), drops
  currencies, plans and programmes, and groups every mention under one canonical name. It
  sets ``doc._.organisations`` (list of :class:`veille.core.models.Organisation`).

Results are kept as plain data in ``doc.user_data`` so they survive ``nlp.pipe(n_process=2)``.
The gazetteer lives in :mod:`pipeline.gazetteer` (business parks there are places, never emitted),
acronym definitions in :mod:`pipeline.acronyms`, NER span repair in :mod:`pipeline.ner_spans`;
their public names stay importable from here. Subsidiaries with their own name ("CDG Capital")
are not merged into the parent; "Inetum Maroc" is an alias of "Inetum".
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.acronyms import (  # noqa: F401  (re-exported)
    ACRONYMS_KEY,
    AcronymDefinition,
    AcronymLinker,
    find_acronyms,
    looks_like_acronym,
)
from pipeline.gazetteer import (  # noqa: F401  (re-exported)
    _COMPANY_TAILS,
    _COUNTRY_TAILS,
    _GENERIC_ADJ,
    _GENERIC_HEADS,
    _LEADING,
    _ORG_HEADS,
    DEFAULT_GAZETTEER,
    KINDS,
    Gazetteer,
    OrgEntry,
    _case_ok,
    fold,
    load_gazetteer,
    strip_accents,
    strip_leading,
)
from pipeline.ner_spans import (
    after_stop,
    head_then_a_clause,
    introduced_names,
    merge_split_names,
    names_a_person,
    plausible_name,
    trim,
)
from pipeline.org_model import Features, OrgModel, features, load_model
from veille.core.models import Mention, Organisation

ORGANISATIONS_KEY = "veille:organisations"


def _organisations_getter(doc: Doc) -> list[Organisation]:
    return [organisation_from_dict(d) for d in doc.user_data.get(ORGANISATIONS_KEY, [])]


def organisation_from_dict(d: dict[str, Any]) -> Organisation:
    return Organisation(
        name=d["name"],
        aliases=tuple(d.get("aliases", ())),
        kind=d.get("kind"),
        acronym=d.get("acronym"),
        mentions=tuple(Mention(m["start"], m["end"], m["text"]) for m in d.get("mentions", ())),
        successor=d.get("successor"),
        years=d.get("years"),
    )


if not Doc.has_extension("organisations"):
    Doc.set_extension("organisations", getter=_organisations_getter)


# --- organisations ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    key: str  # "g:<entry index>", "a:<acronym>" or "n:<normalised name>"
    source: str  # gazetteer, acronym, ner


class OrganisationRecogniser:
    """spaCy component ``veille_orgs``: sets ``doc._.organisations``."""

    def __init__(self, nlp: Language, name: str, gazetteer_path: str) -> None:
        self.name = name
        self.gazetteer = load_gazetteer(gazetteer_path)
        self.model: OrgModel | None = None  # the shipped one, read at the first candidate
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        # match id -> (entry index, acronym forms that must match case-sensitively, or None)
        self._labels: dict[int, tuple[int, frozenset[str] | None]] = {}
        patterns: dict[tuple[int, bool, tuple[str, ...]], set[str]] = {}
        for i, entry in enumerate(self.gazetteer.entries):
            for form in (*entry.forms, *entry.acronyms):
                words = tuple(_fold_token(t.text) for t in nlp.make_doc(form) if not t.is_space)
                if words:
                    patterns.setdefault((i, form in entry.acronyms, words), set()).add(form)
        for n, ((i, is_acronym, words), forms) in enumerate(patterns.items()):
            label = f"veille_org_{n}"
            match_id = nlp.vocab.strings.add(label)
            self._labels[match_id] = (i, frozenset(strip_accents(f) for f in forms) if is_acronym else None)
            self.matcher.add(label, [Doc(nlp.vocab, words=list(words))])

    # gazetteer ---------------------------------------------------------------------------
    def _gazetteer_hits(self, doc: Doc) -> list[_Hit]:
        words = [_fold_token(t.text) for t in doc]
        shadow = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        spans = []
        for match_id, start, end in self.matcher(shadow):
            i, acronym = self._labels[match_id]
            span = doc[start:end]
            if acronym is not None:
                if strip_accents(span.text) not in acronym:
                    continue
            elif end - start == 1 and not _case_ok(span.text, self.gazetteer.entries[i]):
                continue
            elif span.text == span.text.lower() and not _lowercase_form(span.text, self.gazetteer.entries[i]):
                continue  # "les centres régionaux d'investissement": a common noun phrase
            spans.append(Span(doc, start, end, label=match_id))
        hits = []
        for s in filter_spans(spans):
            end = s.end
            # "Inetum Maroc", "Capgemini Morocco": the subsidiary's form, kept as an alias of the group
            if end < len(doc) and fold(doc[end].text) in _SUBSIDIARY_TAILS and doc[end].text[:1].isupper():
                end += 1
            hits.append(
                _Hit(
                    s.start_char,
                    doc[end - 1].idx + len(doc[end - 1].text),
                    f"g:{self._labels[s.label][0]}",
                    "gazetteer",
                )
            )
        # acronyms glued by a dash or slash inside one token: "APEBI/AMRC"
        for tok in doc:
            if len(tok.text) > 3 and re.search(r"[-/]", tok.text):
                pos = 0
                for part in re.split(r"([-/])", tok.text):
                    entry = self.gazetteer.lookup(part) if part not in "-/" else None
                    if entry is not None and part in entry.acronyms:
                        at = tok.idx + pos
                        hits.append(_Hit(at, at + len(part), f"g:{self.gazetteer.index(entry)}", "gazetteer"))
                    pos += len(part)
        return hits

    # NER ---------------------------------------------------------------------------------
    def _ner_candidates(self, doc: Doc) -> list[tuple[int, int]]:
        """Char spans of NER entities that look like organisations, after fixing known splits."""
        out = [
            (span.start_char, span.end_char)
            for span, label in self.ner_spans(doc)
            if self._says_org(span, label)
        ]
        for start, end in introduced_names(doc):
            if not self.gazetteer.is_not_org(doc.text[start:end]):
                out.append((start, end))
        return out

    def _says_org(self, span: Span, label: str) -> bool:
        """The learned decision (:mod:`pipeline.org_model`), which also reads the label rule's."""
        if self.model is None:
            self.model = load_model()
        rule = _label_says_org(span, label, self.gazetteer)
        if rule and len(span) > 1 and fold(span[0].text) in _ORG_HEADS:
            return True  # "Agence du Sud", "Université Mohammed 1er": the head word names the kind
        return self.model.says_org(features(span, label, rule, self.gazetteer))

    def candidate_features(self, doc: Doc) -> list[tuple[Span, Features]]:
        """Each NER candidate with what the model reads of it (for training and its tests)."""
        return [
            (span, features(span, label, _label_says_org(span, label, self.gazetteer), self.gazetteer))
            for span, label in self.ner_spans(doc)
        ]

    def ner_spans(self, doc: Doc) -> list[tuple[Span, str]]:
        """The NER entities (ORG, MISC, PER, LOC; known splits repaired, trimmed) that nothing
        rules out as an organisation: not a place or a term of the gazetteer, not part of a
        plan's name, not a menu line, a report's title or adjectives only."""
        ents = [e for e in doc.ents if e.label_ in {"ORG", "MISC", "PER", "LOC"}]
        merged = merge_split_names(doc, ents)
        out = []
        span: Span | None
        for span, label in merged:
            span = trim(span)
            if span is None:
                continue
            text = span.text
            if self.gazetteer.is_not_org(text) or any(
                self.gazetteer.is_not_org(t.text) and t.is_upper for t in span
            ):
                continue
            if self._inside_not_org(span):
                continue  # "Digital 2030" cut out of "Maroc Digital 2030"
            if not plausible_name(span) or names_a_person(span) or head_then_a_clause(span):
                continue
            if _tail_of_a_longer_name(doc.text, span.start_char) and self.gazetteer.lookup(text) is None:
                continue  # "Nouvelles technologies" cut out of "Ministère de l'Industrie, ... et des Nouvelles technologies"
            if _menu_line(doc.text, span.start_char, span.end_char):
                continue  # "Accueil Economie Entreprises Sport": a site's menu pasted with the article
            if ":" in text or all(_ADJECTIVE_WORD.search(t.text) for t in span if t.is_alpha):
                continue  # a report's title ("... Market: Investment Analysis"), or adjectives only ("Technologique Universitaire")
            out.append((span, label))
        return out

    def _inside_not_org(self, span: Span, reach: int = 3) -> bool:
        """The span is part of a longer name that is not an organisation (a plan, a programme)."""
        doc = span.doc
        for i in range(max(0, span.start - reach), span.start + 1):
            for j in range(span.end, min(len(doc), span.end + reach) + 1):
                if (i, j) != (span.start, span.end) and fold(
                    strip_leading(doc[i:j].text)
                ) in self.gazetteer.not_org:
                    return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[ORGANISATIONS_KEY] = [o.to_dict() for o in self.organisations(doc)]
        return doc

    def organisations(self, doc: Doc) -> list[Organisation]:
        """Hits from each source, in order (the gazetteer, the acronyms defined in the text, the
        NER), their keys merged and their spans extended, then one Organisation per key."""
        hits = self._gazetteer_hits(doc)
        hits, defined, long_keys = self._definition_hits(doc, hits)
        hits = self._ner_hits(doc, hits, long_keys)
        self._merge_appositions(doc.text, hits)
        _merge_into_longer_names(hits)
        hits = self._other_mentions(doc, hits)
        hits += _dateline_agency(doc.text, hits, self.gazetteer)
        _extend_tails(doc.text, hits)
        defined.update(self._regional_offices(doc.text, hits))
        groups: dict[str, list[_Hit]] = {}
        for h in sorted(hits, key=lambda h: (h.start, h.end)):
            groups.setdefault(h.key, []).append(h)
        orgs = []
        for key, group in groups.items():
            org = self._organisation(doc.text, key, group, defined)
            if org is not None:
                orgs.append(org)
        return orgs

    def _definition_hits(
        self, doc: Doc, hits: list[_Hit]
    ) -> tuple[list[_Hit], dict[str, tuple[str, str | None, str | None]], dict[str, str]]:
        """Acronym definitions: the long form and the acronym name the same organisation. Returns
        the hits (a definition's two halves replace what they overlap, and the acronym's later
        mentions are added), the organisations defined only in the text (key -> (name, kind,
        acronym)) and the key of each defined long form (by :func:`name_key`)."""
        gaz = self.gazetteer
        names: dict[str, tuple[str, str | None, str | None]] = {}  # key -> (name, kind, acronym)
        definitions = doc._.acronyms if ACRONYMS_KEY in doc.user_data else find_acronyms(doc, gaz)
        acronym_keys: dict[str, str] = {}
        long_keys: dict[str, str] = {}  # name_key of a defined long form -> its key
        for d in definitions:
            entry = gaz.lookup(d.short) or gaz.lookup(d.long)
            if entry is None:
                inside = [h for h in hits if d.long_start <= h.start and h.end <= d.long_end]
                if inside and inside[0].start == d.long_start and inside[0].end >= d.long_end - 1:
                    key = inside[0].key
                else:
                    key = f"a:{d.short}"
                    names[key] = (d.long, None, d.short)
            else:
                key = f"g:{gaz.index(entry)}"
            acronym_keys[d.short] = key
            long_keys[name_key(d.long)] = key
            hits = [
                h
                for h in hits
                if not _overlaps(h, d.long_start, d.long_end) and not _overlaps(h, d.short_start, d.short_end)
            ]
            hits.append(_Hit(d.long_start, d.long_end, key, "acronym"))
            hits.append(_Hit(d.short_start, d.short_end, key, "acronym"))
        if acronym_keys:
            for tok in doc:
                found = acronym_keys.get(tok.text)
                if found and not any(_overlaps(h, tok.idx, tok.idx + len(tok.text)) for h in hits):
                    hits.append(_Hit(tok.idx, tok.idx + len(tok.text), found, "acronym"))
        return hits, names, long_keys

    def _ner_hits(self, doc: Doc, hits: list[_Hit], long_keys: dict[str, str]) -> list[_Hit]:
        """The hits with the NER spans the gazetteer and the definitions did not cover."""
        text = doc.text
        gaz = self.gazetteer
        for start, end in self._ner_candidates(doc):
            covered = [h for h in hits if _overlaps(h, start, end)]
            if covered and _own_name(doc, start, end, covered, gaz):
                hits = [h for h in hits if h not in covered]  # "CDG Capital", "BMCE Capital Research"
            elif covered:
                continue
            surface = text[start:end]
            entry = gaz.lookup(surface)
            if entry is not None:
                hits.append(_Hit(start, end, f"g:{gaz.index(entry)}", "gazetteer"))
                continue
            # the long form of a defined acronym, written again without it: the same organisation
            hits.append(_Hit(start, end, long_keys.get(name_key(surface), f"n:{name_key(surface)}"), "ner"))
        return hits

    def _merge_appositions(self, text: str, hits: list[_Hit]) -> None:
        """ "Tamwilcom, la Société nationale de garantie …,": an unknown org-headed name apposed
        to a name takes that name's key (in place)."""
        gaz = self.gazetteer
        ordered = sorted(hits, key=lambda h: h.start)
        for a, b in zip(ordered, ordered[1:], strict=False):
            between = text[a.end : b.start]
            b_words = fold(strip_leading(text[b.start : b.end])).split()
            if (
                b.source == "ner"
                and a.key != b.key
                and not (a.key.startswith("g:") and gaz.entries[int(a.key[2:])].is_place)
                and re.fullmatch(r",\s*(?:la|le|l')\s*", between, flags=re.I)
                and b_words
                and b_words[0] in _ORG_HEADS
                and re.match(r"\s*,", text[b.end : b.end + 3])
            ):
                b.key = a.key

    def _regional_offices(self, text: str, hits: list[_Hit]) -> dict[str, tuple[str, str | None, str | None]]:
        """ "le CRI de Fès", "le Centre régional d'investissement du Grand Casablanca": a body with one
        office per region, named with the region written after it (hits extended and re-keyed in
        place; a bare "le CRI" then takes the one office the text names). Returns key -> (name,
        kind, acronym) of each office."""
        offices: dict[str, tuple[str, str | None, str | None]] = {}
        for h in hits:
            entry = self.gazetteer.entries[int(h.key[2:])] if h.key.startswith("g:") else None
            m = _REGION_AFTER.match(text, h.end) if entry is not None and entry.regional else None
            if (
                entry is None
                or m is None
                or any(_overlaps(o, m.start(1), m.end()) for o in hits if o.source != "ner")
            ):
                continue
            hits[:] = [o for o in hits if o is h or not _overlaps(o, m.start(1), m.end())]
            h.key = f"r:{h.key[2:]}:{fold(m.group(1))}"
            offices[h.key] = (entry.name + text[h.end : m.end()], entry.kind, entry.acronym)
            h.end = m.end()
        for i in {k.split(":")[1] for k in offices}:
            keys = [k for k in offices if k.split(":")[1] == i]
            for h in hits:
                if len(keys) == 1 and h.key == f"g:{i}":
                    h.key = keys[0]
        return offices

    def _other_mentions(self, doc: Doc, hits: list[_Hit]) -> list[_Hit]:
        """The hits with the other mentions of the unknown names, each name's own surfaces and a
        distinctive first word standing for the whole name ("Novatech" for "Novatech Ingénierie")."""
        text = doc.text
        known = {text[h.start : h.end]: h.key for h in hits if h.source == "ner" and h.end - h.start > 2}
        firsts: dict[str, set[str]] = {}
        for h in hits:
            words = text[h.start : h.end].split()
            if h.source == "ner" and len(words) > 1:
                firsts.setdefault(words[0], set()).add(h.key)
        for first, keys in firsts.items():
            if (
                len(keys) == 1
                and len(first) > 3
                and first[0].isupper()
                and _distinctive(doc, first, self.gazetteer)
            ):
                known.setdefault(first, next(iter(keys)))
        for surface, key in known.items():
            for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
                if not any(_overlaps(h, m.start(), m.end()) for h in hits):
                    hits.append(_Hit(m.start(), m.end(), key, "ner"))
        return hits

    def _organisation(
        self,
        text: str,
        key: str,
        group: list[_Hit],
        defined: dict[str, tuple[str, str | None, str | None]],
    ) -> Organisation | None:
        """The organisation a key's hits name: the gazetteer's entry (None for a place that does
        not act, or a media outlet that is not an actor here), a name defined in the text, or the
        best of the unknown name's surfaces."""
        successor = years = None
        surfaces = [text[h.start : h.end] for h in group]
        kind: str | None
        if key.startswith("g:"):
            entry = self.gazetteer.entries[int(key[2:])]
            if entry.is_place:
                if not any(_ACTING_ZONE.search(text, max(0, h.start - 12), h.start) for h in group):
                    return None  # a business park or free zone: a place, not an organisation
                # "la société Casanearshore, filiale de MEDZ": the company that runs it
                entry = dataclasses.replace(entry, kind="zone_operator")
            if entry.kind == "media":
                group = [h for h in group if _media_acts(text, h, entry)]
                if not group:
                    return None  # a byline, a credit or a common word: not an actor here
                surfaces = [text[h.start : h.end] for h in group]
            name, kind, acronym = entry.name, entry.kind, entry.acronym
            successor, years = entry.successor, entry.years
        elif key in defined:
            name, kind, acronym = defined[key]
            name = name[0].upper() + name[1:]
        else:
            name = _best_name(surfaces)
            kind, acronym = None, None
        return Organisation(
            name=name,
            aliases=tuple(dict.fromkeys(surfaces)),
            kind=kind,
            acronym=acronym,
            mentions=tuple(Mention(h.start, h.end, text[h.start : h.end]) for h in group),
            successor=successor,
            years=years,
        )


def _label_says_org(span: Span, label: str, gaz: Gazetteer) -> bool:
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
    return last in _SUBSIDIARY_TAILS and _subsidiary_name(span, gaz)  # "Nexalys Maroc" tagged PER or LOC


def _merge_into_longer_names(hits: list[_Hit]) -> None:
    """Unknown names: "Novatech" takes the key of "Novatech Ingénierie" when it starts exactly
    one longer unknown name (in place)."""
    ner_keys = {h.key for h in hits if h.key.startswith("n:")}
    rename: dict[str, str] = {}
    for k in ner_keys:
        longer = [o for o in ner_keys if o != k and o.startswith(k + " ")]
        if len(longer) == 1:
            rename[k] = longer[0]
    for h in hits:
        h.key = rename.get(h.key, h.key)


def _extend_tails(text: str, hits: list[_Hit]) -> None:
    """Spans extended over what ends a name (in place): a regnal or ordinal number ("Université
    Mohammed 1er", "Mohammed VI"), then a subsidiary's country ("Zoralis Maroc" where the NER saw
    only "Zoralis": the subsidiary's form is an alias)."""
    for h in hits:
        tail = _ORDINAL_TAIL.match(text, h.end)
        if tail and not any(_overlaps(o, tail.start(1), tail.end()) for o in hits if o is not h):
            h.end = tail.end()
    for h in hits:
        tail = _SUBSIDIARY_RE.match(text, h.end)
        if tail and not any(_overlaps(o, tail.start(1), tail.end()) for o in hits):
            h.end = tail.end()


# "Dakar, 27 jan (APS) –": a place, a comma, a date with its day, the agency, a dash
_DATELINE = re.compile(
    r"\s*[A-ZÀ-Ý][^\n(),]{1,30},[^\n(),]{0,25}?\d[^\n(),]{0,15}\(\s*([A-Z][A-Z/]{1,7})\s*\)\s*[–—-]"
)


def _dateline_agency(text: str, hits: list[_Hit], gaz: Gazetteer) -> list[_Hit]:
    """The agency of a dateline that opens the article ("Dakar, 3 mai (APS) –"), even one the
    gazetteer does not know: a hit of its own (a known agency is already a gazetteer hit)."""
    m = _DATELINE.match(text)
    if m is None or gaz.is_not_org(m.group(1)) or any(_overlaps(h, m.start(1), m.end(1)) for h in hits):
        return []
    return [_Hit(m.start(1), m.end(1), f"n:{fold(m.group(1))}", "ner")]


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


def _media_acts(text: str, hit: _Hit, entry: OrgEntry) -> bool:
    """A media outlet is an organisation where it acts: quoted as a source, publishing a study,
    taking a statement, organising; or the agency of an opening dateline ("Rabat, 12 mars (MAP) –")."""
    surface = strip_accents(text[hit.start : hit.end])
    if surface not in {strip_accents(f) for f in (*entry.forms, *entry.acronyms)}:
        return False  # "le matin", "challenge": the outlet's name is written with its capitals
    if hit.start < 200 and re.search(r"\(\s*$", text[max(0, hit.start - 3) : hit.start]):
        return bool(re.match(r"\s*\)\s*[–—-]", text[hit.end : hit.end + 6]))  # a dateline's agency
    before = text[max(0, hit.start - 60) : hit.start]
    return bool(_MEDIA_BEFORE.search(before) or _MEDIA_AFTER.match(text[hit.end : hit.end + 40]))


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


def _tail_of_a_longer_name(text: str, start: int) -> bool:
    """The span continues a name begun before it: "... du Commerce et des | Nouvelles technologies"."""
    return bool(_LONGER_NAME_BEFORE.search(text, max(0, start - 120), start))


def _menu_line(text: str, start: int, end: int) -> bool:
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


# the region after a regional body: "de Fès", "du Grand Casablanca", "d'Agadir Souss-Massa-Drâa",
# "de la région de l'Oriental"
_REGION_AFTER = re.compile(
    r"[ \u00a0]+(?:de[ \u00a0]+la[ \u00a0]+région[ \u00a0]+)?(?:de[ \u00a0]+l['’]|de[ \u00a0]+|du[ \u00a0]+|d['’])"
    r"((?:Grand[ \u00a0]+)?[A-ZÀ-Ý][\w'’-]*\w(?:[ \u00a0]+[A-ZÀ-Ý][\w'’]*-[\w'’-]*\w)?)"
)
_ACTING_ZONE = re.compile(r"(?:société|filiale|entreprise|opérateur)[\s\u00a0]+$", re.IGNORECASE)
_ADJECTIVE_WORD = re.compile(
    r"(?:ique|iques|aire|aires|elle|elles|ive|ives|ienne|iennes|ale|ales)$", re.IGNORECASE
)
_ORDINAL_TAIL = re.compile(r"[ \u00a0]+(1er|Ier|I{1,3}|IV|VI{0,3})(?![\w'’])")
_SUBSIDIARY_TAILS = {"maroc", "morocco"}
_SUBSIDIARY_RE = re.compile(r"[ \u00a0]+(Maroc|Morocco)\b")


def _subsidiary_name(span: Span, gaz: Gazetteer) -> bool:
    """ "Nexalys Maroc": capitalised words that are not places nor directions, then "Maroc"."""
    head = list(span)[:-1]
    return all(
        t.text[:1].isupper() and not gaz.is_not_org(t.text) and fold(t.text) not in _DIRECTIONS for t in head
    )


_DIRECTIONS = {"nord", "sud", "est", "ouest", "centre", "royaume", "grand", "oriental"}


def _lowercase_form(surface: str, entry: OrgEntry) -> bool:
    """Whether the config writes this form in lower case ("inwi"), so a lower-case match is a name."""
    return any(f == f.lower() and fold(f) == fold(surface) for f in (*entry.forms, *entry.acronyms))


def _own_name(doc: Doc, start: int, end: int, covered: list[_Hit], gaz: Gazetteer) -> bool:
    """Whether an NER name starting with a gazetteer name is another organisation: the known name
    followed by capitalised words that are not a country or a place ("CDG Capital", not "Inetum Maroc")."""
    first = min(covered, key=lambda h: h.start)
    if first.start != start or any(h.end > end for h in covered) or len(covered) > 1:
        return False
    rest = [t for t in doc.char_span(first.end, end, alignment_mode="expand") or () if not t.is_space]
    if not rest or doc.char_span(start, end, alignment_mode="expand") is None:
        return False
    if gaz.lookup(doc.text[start:end]) is not None:
        return False
    return all(
        t.text[:1].isupper()
        and t.is_alpha
        and fold(t.text) not in _SUBSIDIARY_TAILS | _COUNTRY_TAILS
        and not gaz.is_not_org(t.text)
        for t in rest
    )


def _fold_token(text: str) -> str:
    return fold(text) or text


def _distinctive(doc: Doc, word: str, gaz: Gazetteer) -> bool:
    """A word that is not French vocabulary, a place or a programme: likely a brand name."""
    lex = doc.vocab[word.lower()]
    return not (lex.has_vector or lex.is_stop or gaz.is_not_org(word) or fold(word) in _ORG_HEADS)


def _overlaps(h: _Hit, start: int, end: int) -> bool:
    return h.start < end and start < h.end


def name_key(surface: str) -> str:
    """Merge key of an organisation not in the gazetteer: "la société Xyz Maroc" ~ "Xyz"."""
    words = fold(strip_leading(surface)).split()
    while len(words) > 1 and words[-1] in _COUNTRY_TAILS:
        words.pop()
    return " ".join(words)


def _best_name(surfaces: list[str]) -> str:
    cleaned = [strip_leading(s) for s in surfaces]
    # "Nexalys Maroc" next to "Nexalys": the group's name is canonical, the subsidiary's an alias
    seen = {fold(c) for c in cleaned}
    cleaned = [
        " ".join(c.split()[:-1])
        if len(c.split()) > 1
        and fold(c.split()[-1]) in _SUBSIDIARY_TAILS
        and fold(" ".join(c.split()[:-1])) in seen
        else c
        for c in cleaned
    ]
    counts = Counter(cleaned)
    return max(cleaned, key=lambda s: (len(s.split()) > 1, counts[s], len(s)))


@Language.factory("veille_orgs", default_config={"gazetteer_path": str(DEFAULT_GAZETTEER)})
def make_organisation_recogniser(nlp: Language, name: str, gazetteer_path: str) -> OrganisationRecogniser:
    return OrganisationRecogniser(nlp, name, gazetteer_path)
