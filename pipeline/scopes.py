"""What each figure is about (its scope) and whom the text gives as its source (its
attribution), read from the figure's sentence with the article's organisations and persons and
the places and segments of ``config/zones.toml``. Text in, values out; the spaCy component
``veille_scopes`` runs it after ``veille_figures``.

Decision rules (tests/data/realpress/CONVENTION.md, "Scope and attribution"):

- **Window.** A figure's words are its clause (:mod:`pipeline.status`); the text between two
  figures of one clause is cut at its last separator (a comma, "et", "contre", "devant",
  "face à"...): the part before goes to the earlier figure, the rest to the later one.
- **Scope**, the first kind found in the window, in this order, the mention nearest the figure
  within a kind: a *zone* or park; an *organisation* that is not official (a company, a bank, a
  school, a zone operator: official bodies are sources, not subjects); a *region* (named or by
  one of its cities); a *country* (Morocco or a competitor: "en Tunisie", "l'offshoring
  sénégalais"); a *sector* segment when exactly one is named ("les centres d'appels"); else the
  default country (Morocco: the sector as a whole).
- **Attribution**, in the whole sentence, the one nearest the figure: an organisation or a person
  after a source cue ("selon", "d'après", "chiffres de", "publiés par", "rapport de"), after a
  speech verb ("a indiqué l'AMRC") or before one with "que" ("L'Office des changes indique que");
  "le ministre" unnamed is the ministry the article names; a person stands for their
  organisation. Failing that, an official organisation that is the clause's subject before the
  figure ("L'APEBI publie son baromètre : 69 900 emplois").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.gazetteer import DEFAULT_GAZETTEER
from pipeline.status import clause_end, clause_start
from veille.core.conf.zones import DEFAULT_ZONES, ZonesFile, load_zones
from veille.core.models import Figure, Organisation, Person

# ---------------------------------------------------------------------------------------------
# folding that keeps offsets: one character in, one character out


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in "’‘`´":
        return "'"
    if c in "\u00a0\u202f":
        return " "
    base = unicodedata.normalize("NFD", c)[0]
    low = base.lower()
    return low if len(low) == 1 else base


def fold_same_length(text: str) -> str:
    """``text`` lower-cased without accents, character for character (offsets unchanged)."""
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    kind: str  # zone, region, country, sector
    name: str


_KIND_OF_TABLE = {"zone": "zone", "region": "region", "country": "country", "segment": "sector"}


class Places:
    """The compiled forms of ``zones.toml``: every place or segment named in a text."""

    def __init__(self, zones: ZonesFile) -> None:
        self.zones = zones
        self.official_kinds = frozenset(zones.official_kinds)
        self._folded: list[tuple[re.Pattern[str], str, str, bool]] = []  # (rx, kind, name, capital)
        self._exact: list[tuple[re.Pattern[str], str, str]] = []
        for table, kind in _KIND_OF_TABLE.items():
            for place in getattr(zones, table):
                for form in place.forms:
                    words = form.split()
                    if len(form) >= 2 and form.isupper():  # an acronym: as written
                        self._exact.append(
                            (re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)"), kind, place.name)
                        )
                        continue
                    capital = len(words) == 1 and form[:1].isupper()
                    rx = re.compile(r"(?<!\w)" + re.escape(fold_same_length(form)) + r"(?!\w)")
                    self._folded.append((rx, kind, place.name, capital))

    def find(self, text: str, skip: Sequence[tuple[int, int]] = ()) -> list[Hit]:
        """Places and segments named in ``text``, longest first where two overlap, none inside a
        span of ``skip`` (organisations' and persons' mentions)."""
        folded = fold_same_length(text)
        raw: list[Hit] = []
        for rx, kind, name, capital in self._folded:
            for m in rx.finditer(folded):
                if capital and not text[m.start()].isupper():
                    continue
                raw.append(Hit(m.start(), m.end(), kind, name))
        for rx, kind, name in self._exact:
            raw += [Hit(m.start(), m.end(), kind, name) for m in rx.finditer(text)]
        raw.sort(key=lambda h: (-(h.end - h.start), h.start))
        kept: list[Hit] = []
        for h in raw:
            if any(h.start < e and s < h.end for s, e in skip):
                continue
            if any(h.start < k.end and k.start < h.end for k in kept):
                continue
            kept.append(h)
        return sorted(kept, key=lambda h: h.start)


@lru_cache(maxsize=4)
def places_for(path: str) -> Places:
    return Places(load_zones(Path(path)))


# ---------------------------------------------------------------------------------------------
# windows

_SEPARATOR = re.compile(
    r",|\bet\b|\bcontre\b|\bdevant\b|\bderrière\b|\bface (?:à|au|aux)\b|\bsoit\b|\bdont\b|\bou\b"
    r"|\balors que\b|\btandis que\b|\bmais\b|\bvs\.?|\bversus\b",
    re.I,
)


def windows(text: str, figures: Sequence[Figure]) -> list[tuple[int, int]]:
    """(lo, hi) of each figure's own words: its clause, cut between neighbouring figures of the
    clause at the last separator between them."""
    bounds: list[tuple[int, int]] = []
    for f in figures:
        lo = clause_start(text, f.sentence_start, f.start)
        hi = clause_end(text, f.end, f.sentence_end)
        bounds.append((lo, hi))
    out = list(bounds)
    for i in range(len(figures) - 1):
        a, b = figures[i], figures[i + 1]
        if bounds[i] != bounds[i + 1] or b.start < a.end:
            continue  # another clause: its bounds already part them
        last = None
        for m in _SEPARATOR.finditer(text, a.end, b.start):
            last = m
        cut_a, cut_b = (last.start(), last.end()) if last is not None else (b.start, a.end)
        out[i] = (out[i][0], min(out[i][1], cut_a))
        out[i + 1] = (max(out[i + 1][0], cut_b), out[i + 1][1])
    return out


# ---------------------------------------------------------------------------------------------
# attribution

_SOURCE_CUE = re.compile(
    r"(?:\bselon|\bd['’]apr[èe]s|\bde l['’]avis d[eu]|\bciti?ant|\bsource\s*:|\bsources?\s+(?:de|du|d['’])"
    r"|\b(?:chiffres?|donn[ée]es|statistiques|estimations|r[ée]sultats|indicateurs)\s+(?:\w+\s+){0,2}?(?:de|du|des|d['’]|par)"
    r"|\b(?:publi|communiqu|r[ée]v[ée]l|d[ée]voil|avanc|relev|annonc|fourni|compil)\w*\s+par"
    r"|\b(?:rapport|[ée]tude|enqu[êe]te|barom[èe]tre|bilan|note|communiqu[ée])\s+(?:\w+\s+){0,2}?(?:de|du|des|d['’]))"
    r"(?:\s+|(?<=['’]))(?:(?:l['’]|la\s+|le\s+|les\s+|du\s+|des\s+|de\s+la\s+|de\s+l['’]|son\s+|sa\s+)?"
    r"(?:[\w\-.]+\s+){0,4}?)$",
    re.I,
)
_SPEECH = (
    r"(?:indiqu|annonc|affirm|pr[ée]cis|soulign|r[ée]v[ée]l|expliqu|d[ée]clar|rappel|estim|relev|ajout"
    r"|avanc|communiqu|confi|d[ée]taill|assur|insist|d[ée]voil|not|signal|souten|fait savoir|fait [ée]tat)"
)
_SPEECH_BEFORE = re.compile(
    r"\b(?:a\s+|ont\s+|avait\s+|avaient\s+)?" + _SPEECH + r"\w*,?\s+"
    r"(?:l['’]|la\s+|le\s+|les\s+)?(?:[\w\-.]+\s+){0,5}?$",
    re.I,
)
_SPEECH_AFTER = re.compile(
    r"^[\s,)]*(?:[\w\-]+\s+){0,4}?(?:a\s+|ont\s+|avait\s+|vient\s+d['’])?"
    + _SPEECH
    + r"\w*\s+(?:que\b|qu['’]|:)",
    re.I,
)
_MINISTER = re.compile(r"\b(?:le|la)\s+(?:ministre|minist[èe]re)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[.;!?]\s")
_BREAK = re.compile(r"[.;!?](?:\s|$)")


@dataclass(frozen=True)
class _Named:
    start: int
    end: int
    org: str | None  # the organisation it stands for (a person: their organisation)
    kind: str | None
    person: bool = False


def _named(
    organisations: Iterable[Organisation], persons: Iterable[Person], kinds: dict[str, str | None]
) -> list[_Named]:
    out = [_Named(m.start, m.end, o.name, o.kind) for o in organisations for m in o.mentions]
    out += [
        _Named(m.start, m.end, p.organisation, kinds.get(p.organisation or ""), person=True)
        for p in persons
        for m in p.mentions
        if m.end > m.start
    ]
    return sorted(out, key=lambda n: n.start)


def _attributions(
    text: str,
    s_start: int,
    s_end: int,
    named: Sequence[_Named],
    ministry: str | None,
    ministry_of: Callable[[str], str | None] | None = None,
) -> list[tuple[int, int, str]]:
    """(start, end, organisation) of each attribution the sentence makes."""
    out: list[tuple[int, int, str]] = []
    for n in named:
        if not (s_start <= n.start and n.end <= s_end) or n.org is None:
            continue
        before = text[max(s_start, n.start - 70) : n.start]
        if _CLAUSE_BREAK.search(before):
            before = before[_CLAUSE_BREAK.search(before).end() :]  # type: ignore[union-attr]
        after = text[n.end : min(s_end, n.end + 70)]
        if _SOURCE_CUE.search(before) or _SPEECH_BEFORE.search(before) or _SPEECH_AFTER.match(after):
            out.append((n.start, n.end, n.org))
    for m in _MINISTER.finditer(text, s_start, s_end):
        before = text[max(s_start, m.start() - 40) : m.start()]
        after = text[m.end() : min(s_end, m.end() + 70)]
        named_here = any(
            m.end() <= n.start
            and n.end <= s_end
            and n.start - m.end() < 40
            and not _BREAK.search(text, m.end(), n.start)
            for n in named
        )
        if named_here:
            continue  # "le ministre de l'Industrie, Ryad Mezzour": the person decides
        if _SOURCE_CUE.search(before) or _SPEECH_BEFORE.search(before) or _SPEECH_AFTER.match(after):
            # "le ministre de l'Industrie": the ministry of that portfolio; else the one the article names
            which = (
                ministry_of(text[m.start() : min(s_end, m.end() + 80)]) if ministry_of else None
            ) or ministry
            if which is not None:
                out.append((m.start(), m.end(), which))
    return out


def _distance(a: tuple[int, int], f: Figure) -> int:
    return f.start - a[1] if a[1] <= f.start else max(0, a[0] - f.end)


# ---------------------------------------------------------------------------------------------
# the reader

_PRIORITY = ("zone", "organisation", "region", "country", "sector")


def assign(
    text: str,
    figures: Sequence[Figure],
    organisations: Sequence[Organisation],
    persons: Sequence[Person],
    places: Places,
    ministry_of: Callable[[str], str | None] | None = None,
) -> list[Figure]:
    """``ministry_of``: the ministry whose portfolio a title names ("le ministre de l'Industrie")."""
    if not figures:
        return list(figures)
    kinds = {o.name: o.kind for o in organisations}
    official = places.official_kinds
    named = _named(organisations, persons, kinds)
    skip = [(n.start, n.end) for n in named]
    hits = places.find(text, skip)
    ministries = [(m.start, o.name) for o in organisations if o.kind == "ministry" for m in o.mentions]
    bounds = windows(text, figures)
    default = places.zones.default_country
    by_sentence: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    out = []
    for f, (lo, hi) in zip(figures, bounds, strict=True):
        ministry = min(ministries, key=lambda m: abs(m[0] - f.start))[1] if ministries else None
        key = (f.sentence_start, f.sentence_end)
        if key not in by_sentence:
            by_sentence[key] = _attributions(
                text, f.sentence_start, f.sentence_end, named, ministry, ministry_of
            )
        attributions = by_sentence[key]
        attributed = (
            min(attributions, key=lambda a: (_distance((a[0], a[1]), f), a[0]))[2] if attributions else None
        )
        # the scope: the first kind found in the window, nearest mention first
        found: dict[str, list[tuple[int, str]]] = {k: [] for k in _PRIORITY}
        for h in hits:
            if lo <= h.start and h.end <= hi and not (f.start <= h.start < f.end):
                found[h.kind].append((_distance((h.start, h.end), f), h.name))
        for n in named:
            if lo <= n.start and n.end <= hi and not n.person and n.org is not None:
                if n.kind not in official and n.kind != "media":
                    found["organisation"].append((_distance((n.start, n.end), f), n.org))
        if attributed is None:
            subjects = [
                (f.start - n.end, n.org)
                for n in named
                if lo <= n.start
                and n.end <= f.start
                and not n.person
                and n.org is not None
                and n.kind in official
            ]
            attributed = min(subjects)[1] if subjects else None
        scope_kind, scope = "country", default
        for kind in _PRIORITY:
            candidates = found[kind]
            if kind == "sector" and len({name for _, name in candidates}) != 1:
                continue  # two segments named: the sector as a whole
            if candidates:
                scope_kind, scope = kind, min(candidates)[1]
                break
        out.append(replace(f, scope_kind=scope_kind, scope=scope, attributed_to=attributed))
    return out


# ---------------------------------------------------------------------------------------------
# the spaCy component


class ScopeReader:
    """spaCy component (after ``veille_figures``): sets each figure's scope and attribution."""

    def __init__(self, nlp: Language, name: str, zones_path: str, gazetteer_path: str) -> None:
        from pipeline.gazetteer import load_gazetteer
        from pipeline.roles import ministry

        self.name = name
        self.places = places_for(str(Path(zones_path).resolve()))
        gazetteer = load_gazetteer(gazetteer_path)
        self.ministry_of: Callable[[str], str | None] = lambda title: ministry(title, gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        from pipeline.organisations import ORGANISATIONS_KEY, organisation_from_dict
        from pipeline.persons import PERSONS_KEY, person_from_dict

        figures = doc._.figures
        if figures:
            orgs = [organisation_from_dict(d) for d in doc.user_data.get(ORGANISATIONS_KEY, [])]
            persons = [person_from_dict(d) for d in doc.user_data.get(PERSONS_KEY, [])]
            doc._.figures = assign(doc.text, figures, orgs, persons, self.places, self.ministry_of)
        return doc


@Language.factory(
    "veille_scopes",
    default_config={"zones_path": str(DEFAULT_ZONES), "gazetteer_path": str(DEFAULT_GAZETTEER)},
)
def make_scope_reader(nlp: Language, name: str, zones_path: str, gazetteer_path: str) -> ScopeReader:
    return ScopeReader(nlp, name, zones_path, gazetteer_path)
