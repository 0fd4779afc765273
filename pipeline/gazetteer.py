"""The sector gazetteer (``config/organisations.toml``) and the text normalisation it relies on.

Entries of kind ``zone`` (business parks: Casanearshore, Technopolis, Fès Shore…) are
places, not organisations: they are matched so that the NER never reports them, but never
emitted (:attr:`OrgEntry.is_place`). Their operators (MEDZ, MITC…) are organisations.
``[not_org]`` lists forms that must never be taken for an organisation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from veille.core.conf import PACKAGE_CONFIG, optional, read_toml, require
from veille.core.errors import ConfigError

PLACE_KINDS = frozenset({"zone"})
DEFAULT_GAZETTEER = PACKAGE_CONFIG / "organisations.toml"
KINDS = (
    "agency", "ministry", "federation", "association", "zone", "zone_operator",
    "company", "bank", "school", "public_body", "international", "media",
)  # fmt: skip
# --- text normalisation ---------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})


def strip_accents(text: str) -> str:
    """'Fès Économie' -> 'Fes Economie'; also unifies apostrophes and dashes."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in text if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Accent- and case-insensitive comparison key with collapsed whitespace."""
    return " ".join(strip_accents(text).lower().split())


# Determiners and prepositions that may precede a name: "la société Xyz", "l'ADD", "du groupe CDG".
_LEADING = {
    "le", "la", "les", "l'", "du", "des", "de", "d'", "au", "aux", "a", "son", "sa", "ses", "leur",
    "leurs", "notre", "nos", "ce", "cet", "cette", "par", "avec", "chez", "selon", "pour", "et", "un", "une",
}  # fmt: skip
# Generic nouns before a company name; stripped when a capitalised word follows.
_GENERIC_HEADS = {
    "societe", "groupe", "firme", "entreprise", "cabinet", "operateur", "start-up", "startup",
    "filiale", "compagnie", "enseigne", "prestataire", "specialiste", "integrateur", "editeur",
    "jeune", "pousse", "fonds", "constructeur", "multinationale", "geant", "leader", "banque",
    "operateurs", "centre", "plateforme", "fintech", "ssii", "esn", "marque", "assureur", "plateau",
}  # fmt: skip
# Adjectives that may sit between a generic noun and the name: "l'intégrateur casablancais Novatech".
_GENERIC_ADJ = re.compile(
    r"^(casablancais|casablancaise|marocain|marocaine|français|française|espagnol|espagnole|"
    r"americain|americaine|européen|européenne|allemand|allemande|britannique|indien|indienne|"
    r"canadien|canadienne|rbati|rbatie|tangérois|tangéroise|fassi|fassie|local|locale|"
    r"international|internationale|informatique|spécialisé|spécialisée|de|capital-risque|"
    r"jeune|nouvelle|nouveau)$"
)
# First words of things that are not organisations even when capitalised.
_NOT_ORG_HEADS = {
    "plan", "programme", "strategie", "loi", "salon", "forum", "initiative", "label", "offre", "vision",
    "pacte", "charte", "contrat-programme", "projet", "prix", "trophees", "journee", "journees", "sommet",
    "conference", "rapport", "barometre", "dahir", "decret", "code", "budget", "semaine", "edition",
    "nouveau", "m.", "mme", "mlle", "mr", "dr", "monsieur", "madame", "selon", "sm", "sa",
}  # fmt: skip
# Heads that make a MISC/LOC/PER span an organisation.
_ORG_HEADS = {
    "federation", "association", "agence", "groupe", "societe", "banque", "universite", "ecole",
    "institut", "office", "centre", "observatoire", "chambre", "union", "confederation", "direction",
    "ministere", "conseil", "caisse", "autorite", "fondation", "syndicat", "cabinet", "cluster",
    "groupement", "organisation", "fonds", "haut-commissariat", "commission", "compagnie", "bureau",
    "departement", "agency", "university", "bank", "council", "holding", "region",
}  # fmt: skip
# Last words that make a span a company name: "Vireo Systems", "Kaoutar Labs".
_COMPANY_TAILS = {
    "consulting", "technologies", "technology", "systems", "solutions", "services", "group", "groupe",
    "labs", "lab", "partners", "capital", "bank", "ingenierie", "engineering", "software", "digital",
    "tech", "sa", "sarl", "holding", "invest", "ventures", "call", "center", "centre", "contact",
    "outsourcing", "sourcing", "telecom", "conseil", "informatique", "data", "cloud", "pay", "maghreb",
    "africa", "international", "industries", "networks", "security", "studio", "interactive",
}  # fmt: skip
_COUNTRY_TAILS = {"maroc", "morocco", "group", "groupe", "sa"}
# Titles before a person's name and words that open a role after it (folded); read by
# pipeline.roles for persons and by pipeline.organisations to keep a person out of the organisations.
TITLES = {
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
ROLE_HEADS = {
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


# --- the gazetteer ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgEntry:
    """One organisation of the sector."""

    name: str
    kind: str
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    portfolio: tuple[str, ...] = ()  # ministries: keywords of the minister's title
    organisation: bool = True  # False for places (business parks, free zones)
    successor: str | None = (
        None  # a former name: the entry it became ("Ministère de l'Industrie et du Commerce")
    )
    years: str | None = None  # a former name: when it was in use, "2007-2013"
    regional: bool = False  # one body per region ("CRI de Fès"): the region written after it names it

    @property
    def is_place(self) -> bool:
        """A business park or free zone: matched (so the NER never reports it) but not emitted."""
        return self.kind in PLACE_KINDS or not self.organisation

    @property
    def acronym(self) -> str | None:
        return self.acronyms[0] if self.acronyms else None

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Gazetteer:
    """The sector organisations plus the forms that must never be taken for one."""

    entries: tuple[OrgEntry, ...]
    not_org: frozenset[str] = frozenset()  # folded forms
    source: str = ""
    _by_form: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_acronym: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_form: dict[str, int] = {}
        by_acronym: dict[str, int] = {}
        for i, entry in enumerate(self.entries):
            for form in entry.forms:
                by_form.setdefault(fold(form), i)
            for acronym in entry.acronyms:
                by_acronym.setdefault(strip_accents(acronym), i)
        object.__setattr__(self, "_by_form", by_form)
        object.__setattr__(self, "_by_acronym", by_acronym)

    @classmethod
    def from_toml(cls, path: str | Path = DEFAULT_GAZETTEER) -> Gazetteer:
        path = Path(path)
        data = read_toml(path)
        rows = require(data, "organisation", list, path, "organisation")
        entries = []
        seen: set[str] = set()
        for i, row in enumerate(rows):
            where = f"organisation #{i + 1}"
            if not isinstance(row, dict):
                raise ConfigError(path, "each [[organisation]] must be a table", field=where)
            name = require(row, "name", str, path, where).strip()
            kind = require(row, "kind", str, path, f"{where} ({name})")
            if kind not in KINDS:
                raise ConfigError(
                    path, f"unknown kind '{kind}', expected one of {', '.join(KINDS)}", field=name
                )
            if fold(name) in seen:
                raise ConfigError(path, f"duplicate organisation '{name}'", field=where)
            seen.add(fold(name))
            lists = {}
            for key in ("acronyms", "aliases", "portfolio"):
                values = optional(row, key, list, [], path, name)
                if not all(isinstance(v, str) and v.strip() for v in values):
                    raise ConfigError(path, f"'{key}' must be a list of non-empty strings", field=name)
                lists[key] = tuple(v.strip() for v in values)
            is_org = optional(row, "organisation", bool, kind not in PLACE_KINDS, path, name)
            regional = optional(row, "regional", bool, False, path, name)
            entries.append(
                OrgEntry(
                    name=name,
                    kind=kind,
                    organisation=is_org,
                    acronyms=lists["acronyms"],
                    aliases=lists["aliases"],
                    portfolio=lists["portfolio"],
                    regional=regional,
                )
            )
            # former names: entries of their own, emitted as written and linked to today's entry
            for j, former in enumerate(optional(row, "former", list, [], path, name)):
                fwhere = f"{name}.former[{j}]"
                if not isinstance(former, dict) or set(former) - {
                    "name",
                    "aliases",
                    "acronyms",
                    "since",
                    "until",
                }:
                    raise ConfigError(
                        path,
                        "a former name is a table of name, aliases, acronyms, since, until",
                        field=fwhere,
                    )
                fname = require(former, "name", str, path, fwhere).strip()
                since, until = former.get("since"), former.get("until")
                if not (isinstance(since, int) and isinstance(until, int) and 1900 <= since <= until <= 2100):
                    raise ConfigError(path, "'since' and 'until' must be years, since <= until", field=fwhere)
                if fold(fname) in seen:
                    raise ConfigError(path, f"duplicate organisation '{fname}'", field=fwhere)
                seen.add(fold(fname))
                entries.append(
                    OrgEntry(
                        name=fname,
                        kind=kind,
                        aliases=tuple(optional(former, "aliases", list, [], path, fwhere)),
                        acronyms=tuple(optional(former, "acronyms", list, [], path, fwhere)),
                        successor=name,
                        years=f"{since}-{until}",
                    )
                )
        not_org_table = optional(data, "not_org", dict, {}, path, "not_org")
        not_org: set[str] = set()
        for key, values in not_org_table.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(path, f"'{key}' must be a list of strings", field="not_org")
            not_org.update(fold(v) for v in values)
        return cls(entries=tuple(entries), not_org=frozenset(not_org), source=str(path))

    def lookup(self, form: str) -> OrgEntry | None:
        """The entry a surface form names: acronyms match case-sensitively, names and aliases not."""
        stripped = strip_accents(form.strip())
        if stripped in self._by_acronym:
            return self.entries[self._by_acronym[stripped]]
        key = fold(strip_leading(form))
        i = self._by_form.get(key)
        if i is None:
            return None
        entry = self.entries[i]
        if " " not in key and not _case_ok(form, entry):
            return None
        return entry

    def is_not_org(self, form: str) -> bool:
        key = fold(strip_leading(form))
        if key in self.not_org:
            return True
        first = key.split(" ", 1)[0] if key else ""
        return first in _NOT_ORG_HEADS

    def index(self, entry: OrgEntry) -> int:
        return self.entries.index(entry)


def _case_ok(surface: str, entry: OrgEntry) -> bool:
    """A one-word alias ("Orange", "Technopolis") needs its capital, unless written lower-case in the config."""
    s = strip_leading(surface).strip()
    if not s:
        return False
    forms = [f for f in entry.forms if fold(f) == fold(s)]
    if any(f == f.lower() for f in forms):
        return True
    return s[0].isupper() or s[0].isdigit()


def strip_leading(text: str) -> str:
    """Drop leading determiners and generic nouns: "la société Xyz Labs" -> "Xyz Labs"."""
    words = text.strip().split()
    out = list(words)
    while out:
        w = strip_accents(out[0]).lower()
        if w in _LEADING:
            out.pop(0)
        elif w.startswith(("l'", "d'")) and len(w) > 2:
            out[0] = out[0][2:]
        elif w in _GENERIC_HEADS and len(out) > 1 and any(x[:1].isupper() for x in out[1:]):
            out.pop(0)
        elif _GENERIC_ADJ.match(out[0].lower()) and len(out) > 1 and len(out) < len(words):
            out.pop(0)
        else:
            break
    return " ".join(out) if out else text.strip()


@lru_cache(maxsize=8)
def load_gazetteer(path: str = str(DEFAULT_GAZETTEER)) -> Gazetteer:
    """The gazetteer at ``path``, read once per process."""
    return Gazetteer.from_toml(path)
