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
acronym definitions in :mod:`pipeline.acronyms`, NER span repair in :mod:`pipeline.ner_spans`,
what rules a candidate in or out from its context in :mod:`pipeline.org_filters`, and the mentions'
merging and naming in :mod:`pipeline.org_mentions`; their public names stay importable from here.
Subsidiaries with their own name ("CDG Capital") are not merged into the parent; "Inetum Maroc"
written alone is a form of "Inetum", written beside "Inetum" an organisation of its own.
"""

from __future__ import annotations

import re
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
    head_then_a_clause,
    introduced_names,
    merge_split_names,
    names_a_person,
    plausible_name,
    trim,
)
from pipeline.org_filters import (
    ADJECTIVE_WORD,
    SUBSIDIARY_TAILS,
    label_says_org,
    lowercase_form,
    menu_line,
    tail_of_a_longer_name,
)
from pipeline.org_mentions import (  # noqa: F401  (name_key re-exported)
    Hit,
    build_organisation,
    dateline_agency,
    extend_tails,
    merge_appositions,
    merge_into_longer_names,
    name_key,
    other_mentions,
    overlaps,
    own_name,
    regional_offices,
    split_subsidiaries,
    web_outlets,
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
    def _gazetteer_hits(self, doc: Doc) -> list[Hit]:
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
            elif span.text == span.text.lower() and not lowercase_form(span.text, self.gazetteer.entries[i]):
                continue  # "les centres régionaux d'investissement": a common noun phrase
            spans.append(Span(doc, start, end, label=match_id))
        hits = []
        for s in filter_spans(spans):
            end = s.end
            # "Inetum Maroc", "Capgemini Morocco": the subsidiary's form, kept as an alias of the group
            if end < len(doc) and fold(doc[end].text) in SUBSIDIARY_TAILS and doc[end].text[:1].isupper():
                end += 1
            hits.append(
                Hit(
                    s.start_char,
                    doc[end - 1].idx + len(doc[end - 1].text),
                    f"g:{self._labels[s.label][0]}",
                    "gazetteer",
                )
            )
        return hits + self._glued_acronyms(doc)

    def _glued_acronyms(self, doc: Doc) -> list[Hit]:
        """Known acronyms glued inside one token: by a dash or slash ("APEBI/AMRC"), or to an
        elided article whose apostrophe a copy lost ("lAPEBI", "dANAPEC")."""
        hits = []
        for tok in doc:
            parts: list[tuple[int, str]] = []
            if len(tok.text) > 3 and re.search(r"[-/]", tok.text):
                pos = 0
                for part in re.split(r"([-/])", tok.text):
                    parts.append((pos, part))
                    pos += len(part)
            elif _ELIDED_ACRONYM.fullmatch(tok.text):
                parts.append((1, tok.text[1:]))
            for pos, part in parts:
                entry = self.gazetteer.lookup(part) if part not in "-/" else None
                if entry is not None and part in entry.acronyms:
                    at = tok.idx + pos
                    hits.append(Hit(at, at + len(part), f"g:{self.gazetteer.index(entry)}", "gazetteer"))
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
        rule = label_says_org(span, label, self.gazetteer)
        if rule and len(span) > 1 and fold(span[0].text) in _ORG_HEADS:
            return True  # "Agence du Sud", "Université Mohammed 1er": the head word names the kind
        return self.model.says_org(features(span, label, rule, self.gazetteer))

    def candidate_features(self, doc: Doc) -> list[tuple[Span, Features]]:
        """Each NER candidate with what the model reads of it (for training and its tests)."""
        return [
            (span, features(span, label, label_says_org(span, label, self.gazetteer), self.gazetteer))
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
            if tail_of_a_longer_name(doc.text, span.start_char) and self.gazetteer.lookup(text) is None:
                continue  # "Nouvelles technologies" cut out of "Ministère de l'Industrie, ... et des Nouvelles technologies"
            if menu_line(doc.text, span.start_char, span.end_char):
                continue  # "Accueil Economie Entreprises Sport": a site's menu pasted with the article
            if ":" in text or all(ADJECTIVE_WORD.search(t.text) for t in span if t.is_alpha):
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
        merge_appositions(doc.text, hits, self.gazetteer)
        merge_into_longer_names(hits)
        hits = other_mentions(doc, hits, self.gazetteer)
        hits += dateline_agency(doc.text, hits, self.gazetteer)
        hits += web_outlets(doc.text, hits)
        extend_tails(doc.text, hits)
        defined.update(regional_offices(doc.text, hits, self.gazetteer))
        groups: dict[str, list[Hit]] = {}
        for h in sorted(hits, key=lambda h: (h.start, h.end)):
            groups.setdefault(h.key, []).append(h)
        split_subsidiaries(doc.text, groups, defined, self.gazetteer)
        orgs = []
        for key, group in groups.items():
            org = build_organisation(doc.text, key, group, defined, self.gazetteer)
            if org is not None:
                orgs.append(org)
        return orgs

    def _definition_hits(
        self, doc: Doc, hits: list[Hit]
    ) -> tuple[list[Hit], dict[str, tuple[str, str | None, str | None]], dict[str, str]]:
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
                if not overlaps(h, d.long_start, d.long_end) and not overlaps(h, d.short_start, d.short_end)
            ]
            hits.append(Hit(d.long_start, d.long_end, key, "acronym"))
            hits.append(Hit(d.short_start, d.short_end, key, "acronym"))
        if acronym_keys:
            for tok in doc:
                found = acronym_keys.get(tok.text)
                if found and not any(overlaps(h, tok.idx, tok.idx + len(tok.text)) for h in hits):
                    hits.append(Hit(tok.idx, tok.idx + len(tok.text), found, "acronym"))
        return hits, names, long_keys

    def _ner_hits(self, doc: Doc, hits: list[Hit], long_keys: dict[str, str]) -> list[Hit]:
        """The hits with the NER spans the gazetteer and the definitions did not cover."""
        text = doc.text
        gaz = self.gazetteer
        for start, end in self._ner_candidates(doc):
            before = [h for h in hits if h.source == "gazetteer" and text[h.end : start] == " "]
            if before and fold(text[start:end].split()[0]) in _COMPANY_TAILS:
                start = before[0].start  # "Cegedim | Services Maroc": a name the NER cut after its group's
            covered = [h for h in hits if overlaps(h, start, end)]
            if covered and own_name(doc, start, end, covered, gaz):
                hits = [h for h in hits if h not in covered]  # "CDG Capital", "BMCE Capital Research"
            elif covered:
                continue
            surface = text[start:end]
            entry = gaz.lookup(surface)
            if entry is not None:
                hits.append(Hit(start, end, f"g:{gaz.index(entry)}", "gazetteer"))
                continue
            # the long form of a defined acronym, written again without it: the same organisation
            hits.append(Hit(start, end, long_keys.get(name_key(surface), f"n:{name_key(surface)}"), "ner"))
        return hits


# "lAPEBI", "dANAPEC": an elided article glued to an acronym, the apostrophe lost in a copy
_ELIDED_ACRONYM = re.compile(r"[ld][A-Z][A-Z0-9]{1,9}")


def _fold_token(text: str) -> str:
    return fold(text) or text


@Language.factory("veille_orgs", default_config={"gazetteer_path": str(DEFAULT_GAZETTEER)})
def make_organisation_recogniser(nlp: Language, name: str, gazetteer_path: str) -> OrganisationRecogniser:
    return OrganisationRecogniser(nlp, name, gazetteer_path)
