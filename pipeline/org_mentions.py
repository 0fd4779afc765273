"""Mentions of organisations ("hits"), merged and named.

A hit is a character span with the key of the organisation it names (``g:<entry>`` for the
gazetteer, ``a:<acronym>`` for a definition in the text, ``n:<name>`` for an unknown name,
``r:<entry>:<region>`` for a regional office). Here: merging keys (appositions, a short name
inside a longer one), extending spans (ordinals, "Maroc"), the other mentions of a name, an
opening dateline's agency, regional offices, and one :class:`Organisation` per key.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.gazetteer import _COUNTRY_TAILS, _ORG_HEADS, Gazetteer, fold, strip_leading
from pipeline.org_filters import ACTING_ZONE, SUBSIDIARY_TAILS, distinctive, media_acts
from veille.core.models import Mention, Organisation


@dataclass(slots=True)
class Hit:
    start: int
    end: int
    key: str  # "g:<entry index>", "a:<acronym>" or "n:<normalised name>"
    source: str  # gazetteer, acronym, ner


def merge_into_longer_names(hits: list[Hit]) -> None:
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


def extend_tails(text: str, hits: list[Hit]) -> None:
    """Spans extended over what ends a name (in place): a regnal or ordinal number ("Université
    Mohammed 1er", "Mohammed VI"), then a subsidiary's country ("Zoralis Maroc" where the NER saw
    only "Zoralis": the subsidiary's form is an alias)."""
    for h in hits:
        tail = _ORDINAL_TAIL.match(text, h.end)
        if tail and not any(overlaps(o, tail.start(1), tail.end()) for o in hits if o is not h):
            h.end = tail.end()
    for h in hits:
        tail = _SUBSIDIARY_RE.match(text, h.end)
        if tail and not any(overlaps(o, tail.start(1), tail.end()) for o in hits):
            h.end = tail.end()


# "Dakar, 27 jan (APS) –": a place, a comma, a date with its day, the agency, a dash
_DATELINE = re.compile(
    r"\s*[A-ZÀ-Ý][^\n(),]{1,30},[^\n(),]{0,25}?\d[^\n(),]{0,15}\(\s*([A-Z][A-Z/]{1,7})\s*\)\s*[–—-]"
)


# a news site written as its address: "rapporte le site zawya.com", "nos confrères d'Afrik.com"
_WEB_OUTLET = re.compile(r"(?<![\w@/.])[A-Za-z][\w-]{2,}\.(?:com|ma|fr|net|info|africa)(?![\w/-])")


_SOURCE_BEFORE = re.compile(
    r"(?<!\w)(?:selon|d['’]après|rapport\w*|indiqu\w*|révél\w*|écrit|publi\w*|relay\w*|cit[ée]\w*|le site|confrères?)"
    r"(?!\w)[^.;!?\n]{0,25}$",
    re.IGNORECASE,
)
_SOURCE_AFTER = re.compile(
    r"[\s’'»\"),]*(?:rapporte|indique|révèle|a appris|écrit|publie|a publié)\b", re.IGNORECASE
)


def web_outlets(text: str, hits: list[Hit]) -> list[Hit]:
    """News sites written as their address and quoted as a source: hits of their own."""
    return [
        Hit(m.start(), m.end(), f"n:{m.group(0).lower()}", "ner")
        for m in _WEB_OUTLET.finditer(text)
        if (
            _SOURCE_BEFORE.search(text, max(0, m.start() - 50), m.start())
            or _SOURCE_AFTER.match(text, m.end())
        )
        and not any(overlaps(h, m.start(), m.end()) for h in hits)
    ]


def dateline_agency(text: str, hits: list[Hit], gaz: Gazetteer) -> list[Hit]:
    """The agency of a dateline that opens the article ("Dakar, 3 mai (APS) –"), even one the
    gazetteer does not know: a hit of its own (a known agency is already a gazetteer hit)."""
    m = _DATELINE.match(text)
    if m is None or gaz.is_not_org(m.group(1)) or any(overlaps(h, m.start(1), m.end(1)) for h in hits):
        return []
    return [Hit(m.start(1), m.end(1), f"n:{fold(m.group(1))}", "ner")]


# the region after a regional body: "de Fès", "du Grand Casablanca", "d'Agadir Souss-Massa-Drâa",
# "de la région de l'Oriental"
_REGION_AFTER = re.compile(
    r"[ \u00a0]+(?:de[ \u00a0]+la[ \u00a0]+région[ \u00a0]+)?(?:de[ \u00a0]+l['’]|de[ \u00a0]+|du[ \u00a0]+|d['’])"
    r"((?:Grand[ \u00a0]+)?[A-ZÀ-Ý][\w'’-]*\w(?:[ \u00a0]+[A-ZÀ-Ý][\w'’]*-[\w'’-]*\w)?)"
)
_ORDINAL_TAIL = re.compile(r"[ \u00a0]+(1er|Ier|I{1,3}|IV|VI{0,3})(?![\w'’])")
_SUBSIDIARY_RE = re.compile(r"[ \u00a0]+(Maroc|Morocco)\b")


def own_name(doc: Doc, start: int, end: int, covered: list[Hit], gaz: Gazetteer) -> bool:
    """Whether an NER name starting with a gazetteer name is another organisation: the known name
    followed by capitalised words that are not a country or a place ("CDG Capital", "Cegedim Services
    Maroc", not "Inetum Maroc")."""
    first = min(covered, key=lambda h: h.start)
    if first.start != start or any(h.end > end for h in covered) or len(covered) > 1:
        return False
    rest = [t for t in doc.char_span(first.end, end, alignment_mode="expand") or () if not t.is_space]
    if not rest or doc.char_span(start, end, alignment_mode="expand") is None:
        return False
    if gaz.lookup(doc.text[start:end]) is not None:
        return False
    while len(rest) > 1 and fold(rest[-1].text) in SUBSIDIARY_TAILS | _COUNTRY_TAILS:
        rest.pop()  # "Cegedim Services Maroc": the subsidiary's own name, then its country
    return all(
        t.text[:1].isupper()
        and t.is_alpha
        and fold(t.text) not in SUBSIDIARY_TAILS | _COUNTRY_TAILS
        and not gaz.is_not_org(t.text)
        for t in rest
    )


def overlaps(h: Hit, start: int, end: int) -> bool:
    return h.start < end and start < h.end


def name_key(surface: str) -> str:
    """Merge key of an organisation not in the gazetteer: "la société Xyz Maroc" ~ "Xyz"."""
    words = fold(strip_leading(surface)).split()
    while len(words) > 1 and words[-1] in _COUNTRY_TAILS:
        words.pop()
    return " ".join(words)


def best_name(surfaces: list[str]) -> str:
    cleaned = [strip_leading(s) for s in surfaces]
    # "Nexalys Maroc" next to "Nexalys": the group's name is canonical, the subsidiary's an alias
    seen = {fold(c) for c in cleaned}
    cleaned = [
        " ".join(c.split()[:-1])
        if len(c.split()) > 1
        and fold(c.split()[-1]) in SUBSIDIARY_TAILS
        and fold(" ".join(c.split()[:-1])) in seen
        else c
        for c in cleaned
    ]
    counts = Counter(cleaned)
    return max(cleaned, key=lambda s: (len(s.split()) > 1, counts[s], len(s)))


def split_subsidiaries(
    text: str,
    groups: dict[str, list[Hit]],
    defined: dict[str, tuple[str, str | None, str | None]],
    gaz: Gazetteer,
) -> None:
    """ "Webhelp Maroc" written beside "Webhelp": the subsidiary named with its country is an
    organisation of its own, apart from its group (in place: its mentions move to a key of their
    own, named in ``defined``). Written alone, "Webhelp Maroc" stays a form of the one name."""
    for key in list(groups):
        group = groups[key]
        local = [h for h in group if _country_tail(text[h.start : h.end])]
        if not local or len(local) == len(group) or key.startswith("r:"):
            continue
        if key.startswith("g:") and _country_tail(gaz.entries[int(key[2:])].name):
            continue  # the gazetteer names the local company itself ("Orange Maroc")
        kind = (
            gaz.entries[int(key[2:])].kind if key.startswith("g:") else defined.get(key, ("", None, None))[1]
        )
        groups[key] = [h for h in group if h not in local]
        sub = f"s:{key}"
        groups[sub] = local
        names = [strip_leading(text[h.start : h.end]) for h in local]
        defined[sub] = (Counter(names).most_common(1)[0][0], kind, None)


def _country_tail(surface: str) -> bool:
    words = fold(surface).split()
    return len(words) > 1 and words[-1] in SUBSIDIARY_TAILS


def merge_appositions(text: str, hits: list[Hit], gaz: Gazetteer) -> None:
    """ "Tamwilcom, la Société nationale de garantie …,": an unknown org-headed name apposed
    to a name takes that name's key (in place)."""
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


def regional_offices(
    text: str, hits: list[Hit], gaz: Gazetteer
) -> dict[str, tuple[str, str | None, str | None]]:
    """ "le CRI de Fès", "le Centre régional d'investissement du Grand Casablanca": a body with one
    office per region, named with the region written after it (hits extended and re-keyed in
    place; a bare "le CRI" then takes the one office the text names). Returns key -> (name,
    kind, acronym) of each office."""
    offices: dict[str, tuple[str, str | None, str | None]] = {}
    for h in hits:
        entry = gaz.entries[int(h.key[2:])] if h.key.startswith("g:") else None
        m = _REGION_AFTER.match(text, h.end) if entry is not None and entry.regional else None
        if (
            entry is None
            or m is None
            or any(overlaps(o, m.start(1), m.end()) for o in hits if o.source != "ner")
        ):
            continue
        hits[:] = [o for o in hits if o is h or not overlaps(o, m.start(1), m.end())]
        h.key = f"r:{h.key[2:]}:{fold(m.group(1))}"
        offices[h.key] = (entry.name + text[h.end : m.end()], entry.kind, entry.acronym)
        h.end = m.end()
    for i in {k.split(":")[1] for k in offices}:
        keys = [k for k in offices if k.split(":")[1] == i]
        for h in hits:
            if len(keys) == 1 and h.key == f"g:{i}":
                h.key = keys[0]
    return offices


def other_mentions(doc: Doc, hits: list[Hit], gaz: Gazetteer) -> list[Hit]:
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
        if len(keys) == 1 and len(first) > 3 and first[0].isupper() and distinctive(doc, first, gaz):
            known.setdefault(first, next(iter(keys)))
    for surface, key in known.items():
        for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
            if not any(overlaps(h, m.start(), m.end()) for h in hits):
                hits.append(Hit(m.start(), m.end(), key, "ner"))
    return hits


def build_organisation(
    text: str,
    key: str,
    group: list[Hit],
    defined: dict[str, tuple[str, str | None, str | None]],
    gaz: Gazetteer,
) -> Organisation | None:
    """The organisation a key's hits name: the gazetteer's entry (None for a place that does
    not act, or a media outlet that is not an actor here), a name defined in the text, or the
    best of the unknown name's surfaces."""
    successor = years = None
    surfaces = [text[h.start : h.end] for h in group]
    kind: str | None
    if key.startswith("g:"):
        entry = gaz.entries[int(key[2:])]
        if entry.is_place:
            if not any(ACTING_ZONE.search(text, max(0, h.start - 12), h.start) for h in group):
                return None  # a business park or free zone: a place, not an organisation
            # "la société Casanearshore, filiale de MEDZ": the company that runs it
            entry = dataclasses.replace(entry, kind="zone_operator")
        if entry.kind == "media":
            group = [h for h in group if media_acts(text, h.start, h.end, entry)]
            if not group:
                return None  # a byline, a credit or a common word: not an actor here
            surfaces = [text[h.start : h.end] for h in group]
        name, kind, acronym = entry.name, entry.kind, entry.acronym
        successor, years = entry.successor, entry.years
    elif key in defined:
        name, kind, acronym = defined[key]
        name = name[0].upper() + name[1:]
    else:
        name = best_name(surfaces)
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
