"""What a figure measures (its indicator), whether it has happened (its status) and what a rate
is per: the reading of a figure's clause that turns a number into a point of a series.

Text in, values out, no spaCy needed: :func:`classify` takes the article text, a figure's
span, unit and metric phrase and its sentence bounds. The taxonomy is data
(``config/indicators.toml``, loaded by :func:`load_taxonomy`); the decision rules for status
are those of ``tests/data/realpress/CONVENTION.md``:

- ``target``: an objective set by an actor ("objectif", "ambitionne", "vise", "à l'horizon");
- ``forecast``: what someone expects ("devrait atteindre", "prévoit une croissance de");
- ``announced``: an investment, opening or hiring decided but not made ("va investir",
  "créera", "prévoit d'ouvrir");
- ``actual`` otherwise, including what is reported ("a annoncé un chiffre d'affaires de").

The cue nearest the figure in its clause decides; a cue after the figure counts when it closes
the same clause ("3.000 startups à l'horizon 2030").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from veille.config import PACKAGE_CONFIG, read_toml
from veille.errors import ConfigError
from veille.models import UNITS

DEFAULT_TAXONOMY = PACKAGE_CONFIG / "indicators.toml"
FALLBACK = "autre"


class IndicatorSpec(BaseModel):
    """One table of config/indicators.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    definition: str
    units: tuple[str, ...]
    cues: tuple[str, ...] = ()

    @field_validator("units")
    @classmethod
    def _known_units(cls, units: tuple[str, ...]) -> tuple[str, ...]:
        bad = [u for u in units if u not in UNITS]
        if bad:
            raise ValueError(f"unknown unit {bad[0]!r} (known: {', '.join(UNITS)})")
        return units


@dataclass(frozen=True)
class Taxonomy:
    indicators: dict[str, IndicatorSpec]

    def label(self, key: str | None) -> str:
        spec = self.indicators.get(key or "")
        return spec.label if spec else (key or "")

    def for_unit(self, unit: str) -> list[str]:
        return [k for k, spec in self.indicators.items() if unit in spec.units and k != FALLBACK]


@functools.lru_cache(maxsize=4)
def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read and check config/indicators.toml: one line naming the file, table and field on error."""
    p = Path(path)
    data = read_toml(p)
    if not data:
        raise ConfigError(p, "no indicator defined")
    out: dict[str, IndicatorSpec] = {}
    for key, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(p, "expected a table", field=key)
        try:
            out[key] = IndicatorSpec(**table)
        except ValidationError as exc:
            e = exc.errors()[0]
            where = ".".join(str(x) for x in (key, *e["loc"]))
            raise ConfigError(p, e["msg"], field=where) from None
        except TypeError as exc:
            raise ConfigError(p, str(exc), field=key) from None
    if FALLBACK not in out:
        raise ConfigError(p, f"the fallback indicator [{FALLBACK}] is missing")
    return Taxonomy(out)


# ---------------------------------------------------------------------------------------------
# per: what a rate is per, read just after the figure ("80 DH/m²/mois", "450 euros par mois")

_SP = r"[\s\u00a0\u202f]*"
_PER_AFTER = [
    (
        "m2/month",
        re.compile(
            r"^"
            + _SP
            + r"(?:HT"
            + _SP
            + r")?(?:/|par|le)"
            + _SP
            + r"m(?:²|2|ètre carré)"
            + _SP
            + r"(?:/|par)"
            + _SP
            + r"mois",
            re.I,
        ),
    ),
    (
        "m2",
        re.compile(
            r"^" + _SP + r"(?:HT" + _SP + r")?(?:/|par|le)" + _SP + r"(?:m²|m2|mètre carré)(?!\w)", re.I
        ),
    ),
    (
        "month",
        re.compile(
            r"^"
            + _SP
            + r"(?:(?:brut|net|bruts|nets|HT|TTC)"
            + _SP
            + r")?(?:/|par)"
            + _SP
            + r"mois(?!\w)|^"
            + _SP
            + r"(?:brut|net)?s?"
            + _SP
            + r"mensuel",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            r"^"
            + _SP
            + r"(?:(?:brut|net|bruts|nets)"
            + _SP
            + r")?(?:/|par)"
            + _SP
            + r"(?:an|année)(?!\w)|^"
            + _SP
            + r"(?:brut|net)?s?"
            + _SP
            + r"annuel",
            re.I,
        ),
    ),
    ("day", re.compile(r"^" + _SP + r"(?:/|par)" + _SP + r"jour(?!\w)", re.I)),
    ("hour", re.compile(r"^" + _SP + r"(?:/|par|de l['’])" + _SP + r"heure(?!\w)", re.I)),
    (
        "person",
        re.compile(
            r"^"
            + _SP
            + r"par"
            + _SP
            + r"(?:poste|salarié|emploi|employé|personne|tête|bénéficiaire|stagiaire|lauréat)",
            re.I,
        ),
    ),
]
_PER_BEFORE = [
    ("month", re.compile(r"(?:mensuel(?:le)?s?|par mois)(?:\W+\w+){0,4}\W*$", re.I)),
    ("year", re.compile(r"(?:annuel(?:le)?s?)(?:\W+\w+){0,2}\W*$", re.I)),
]
_MONEY = ("MAD", "EUR", "USD")


def per_of(text: str, start: int, end: int, unit: str, clause_start: int) -> str | None:
    """The rate's denominator read from the words right after the figure (or a "mensuel" before it)."""
    after = text[end : end + 40]
    for per, rx in _PER_AFTER:
        if rx.search(after):
            if per in ("m2", "m2/month") and unit not in _MONEY:
                continue
            return per
    if unit in _MONEY:
        before = text[max(clause_start, start - 60) : start]
        for per, rx in _PER_BEFORE:
            if rx.search(before):
                return per
    return None


# ---------------------------------------------------------------------------------------------
# status

_TARGET = re.compile(
    r"objectifs?|ambition\w*|ambitionn\w*|\bvis(?:e|ent|ait|aient|er|ant)\b|cibl(?:e|es|er|ant)\b"
    r"|à l['’]horizon|horizon 20\d\d|d['’]ici (?:à |l['’]an |fin |la fin (?:de )?)?(?:20\d\d|\d+ ans)"
    r"|se fix\w+|escompt\w*|entend (?:atteindre|porter|créer|générer|passer)"
    r"|compte atteindre|souhait\w+ (?:atteindre|porter|créer)|veut (?:atteindre|porter|créer|passer)",
    re.I,
)
_FORECAST = re.compile(
    r"\bdevr(?:ait|aient)\b|\bpourr(?:ait|aient|a|ont)\b|prévisions?|projections?|projeté\w*|tabl(?:e|ent) sur"
    r"|s['’]attend\w*|\battendu\w*|anticip\w+|estim\w+ que|prévoi\w* une (?:croissance|hausse|progression|baisse|augmentation)"
    r"|selon les (?:estimations|prévisions)|permettr\w+ (?:de |d['’]|la |l['’])|\w+(?:era|eront|ira|iront) (?:à|de) (?:atteindre|dépasser)",
    re.I,
)
# decided or committed, not yet done: "announced" for an investment, a hiring, an opening;
# for an outcome (a turnover, a growth rate) the same words are a forecast
_PLANNED = re.compile(
    r"\b(?:va|vont|allait|allaient) (?:\w+ )?\w+(?:er|ir|re)\b|\w+(?:era|eront|ira|iront)\b"
    r"|\b(?:sera|seront) (?:\w+ )?\w+(?:é|és|ée|ées|u|us|ue|ues|is|ise|it|ite)\b|\bdevr(?:a|ont)\b"
    r"|prévoi\w* (?:de |d['’]|la création|l['’]ouverture|l['’]investissement|le recrutement|un investissement|des investissements|la mise)"
    r"|\bprévu(?:e|s|es)?\b|programmé\w*|annonc\w* (?:l['’]ouverture|la création|un investissement|le lancement|son intention|le recrutement|un plan)"
    r"|(?:compte|entend|souhaite|veut|décidé d['’]) ?(?:investir|recruter|créer|ouvrir|embaucher|injecter|mobiliser)"
    r"|s['’]engag\w+|engagé\w* à|engagement|projet(?:te|tent)? d|nouvel(?:le)? (?:usine|site|centre|unité)"
    r"|en cours de (?:construction|réalisation)|signé\w*|signature|conventions?|mémorandums?|protocole|accord d['’]investissement"
    r"|devant (?:générer|créer|permettre)|mobiliser|approuv\w+|validé\w*|projets? d['’]investissement|projeté|potentiel d['’]investissement"
    r"|à pourvoir|\b(?:re)?cherch(?:e|ent|ons)\b(?!\s+et\b)|à terme|\bà créer|en projet",
    re.I,
)
# done or measured: the nearest of these before the figure keeps it "actual"
_ACTUAL = re.compile(
    r"passant de|passé de|contre\b|d['’]ores et déjà|\bdéjà\b|\ba (?:été|investi|recruté|créé|réalisé|enregistré|atteint|nécessité|mobilisé|généré|levé|employé|formé)"
    r"|\bont (?:été|investi|recruté|créé|réalisé|enregistré|atteint|nécessité|mobilisé|généré|levé|employé|formé)"
    r"|avons (?:\w+ )?(?:recruté|créé|investi|réalisé|atteint|formé)|emploie|emploient|compte\b|comptent|totalis\w+"
    r"|ayant (?:\w+ )?\w+(?:é|i|u|is)\b|\w+ait (?:de|d['’]) (?:\w+ )?(?:atteindre|dépasser)",
    re.I,
)
# future verbs that are not plans ("aura": the copula; "fera" vague)
_NOT_FUTURE = re.compile(
    r"^(?:aura|auront|fera|feront|mettra|mettront|pourra|pourront|ira|iront|verra|verront|faudra|permettra|permettront)$",
    re.I,
)
_BREAK = re.compile(r"[;!?\n]|\.(?=\s)|\s[–—]\s")
_EVENT_INDICATORS = {
    "investissement",
    "emplois_crees",
    "fonds",
    "sites",
    "positions",
    "projets",
    "surface",
    "personnes_formees",
    "effectif",
}
_CUES = (("target", _TARGET), ("forecast", _FORECAST), ("planned", _PLANNED), ("actual", _ACTUAL))


def _nearest(rx: re.Pattern[str], window: str, from_end: bool) -> int | None:
    """Distance (chars) of the cue nearest the figure in ``window`` (before: from its end)."""
    best = None
    for m in rx.finditer(window):
        if rx is _PLANNED and _NOT_FUTURE.match(m.group(0)):
            continue
        d = len(window) - m.end() if from_end else m.start()
        best = d if best is None or d < best else best
    return best


_OUTCOMES = {
    "chiffre_affaires", "exportations", "resultat", "croissance", "part", "taille_marche",
    "taux_chomage", "taux_occupation", "clients", "salaire", "loyer",
}  # fmt: skip
_AGREEMENTS = re.compile(r"mémorandum|convention|projet|accord|protocole|action|contrat|partenariat", re.I)


def status_of(
    text: str,
    start: int,
    end: int,
    s_start: int,
    s_end: int,
    indicator: str | None,
    prev_end: int | None = None,
) -> str:
    """actual, announced, forecast or target, from the cues of the figure's clause.

    The cue nearest before the figure, after the previous figure of its clause (``prev_end``),
    decides; else the nearest after it in the clause ("les 14 milliards prévus", "3.000 startups
    à l'horizon 2030"); else the nearest non-"actual" cue earlier in the clause ("vise ...
    passant de 17,9 milliards en 2023 à 25 MMDH en 2026": the second is the goal)."""
    lo = s_start
    for m in _BREAK.finditer(text, s_start, start):
        lo = m.end()
    full = text[max(lo, start - 200) : start]
    own_lo = max(lo, start - 200, prev_end if prev_end is not None and prev_end <= start else lo)
    own = text[own_lo:start]
    hi_m = _BREAK.search(text, end, s_end)
    after = text[end : hi_m.start() if hi_m else s_end][:70]
    found = [(d, st) for st, rx in _CUES if (d := _nearest(rx, own, from_end=True)) is not None]
    if not found:
        found = [
            (d, st)
            for st, rx in _CUES
            if st != "actual" and (d := _nearest(rx, after, from_end=False)) is not None
        ]
    if not found and own_lo > max(lo, start - 200):
        found = [
            (d, st)
            for st, rx in _CUES
            if st != "actual" and (d := _nearest(rx, full, from_end=True)) is not None
        ]
    if not found:
        return "actual"
    status = min(found)[1]
    if _AGREEMENTS.search(text[start:end]) and status != "target":
        return "actual"  # "la signature de 135 mémorandums": the signing is the fact
    if status == "planned":
        # a decision for an investment, a hiring or an opening; an expected outcome otherwise
        return "forecast" if indicator in _OUTCOMES else "announced"
    return status


# ---------------------------------------------------------------------------------------------
# indicator

_GROWTH = re.compile(
    r"(?:hausse|progress\w*|croissance|augment\w*|baisse|recul\w*|évolu\w*|bond|repli|accroissement|grimp\w*|chut\w*|diminu\w*|cr[uû]|progresse|taux de croissance|en plus|en moins)",
    re.I,
)


@functools.lru_cache(maxsize=512)
def _cue_rx(cue: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(cue.strip()).replace("'", "['’]"), re.I)


def _cue_hits(cues: tuple[str, ...], text: str) -> list[int]:
    """Where each cue last starts a word of ``text``."""
    out = []
    for c in cues:
        last = None
        for m in _cue_rx(c).finditer(text):
            last = m.start()
        if last is not None:
            out.append(last)
    return out


_OWN_NOUN = re.compile(
    r"^[\s\u00a0]*(?:de[\s\u00a0]+|d['’][\s\u00a0]*)((?:[^\W\d_][\w'’\-]*[\s\u00a0]*){1,4})"
)
_GROWTH_AFTER = re.compile(
    r"^[\s\u00a0]*(?:de[\s\u00a0]+|d['’])(?:croissance|hausse|progression|augmentation|baisse|recul)", re.I
)
_EXPORT = re.compile(r"export|devises", re.I)
_FLOW_STATUSES = {"announced", "target", "forecast"}


def indicator_of(
    taxonomy: Taxonomy,
    text: str,
    start: int,
    end: int,
    unit: str,
    metric: str | None,
    s_start: int,
    s_end: int,
    per: str | None = None,
) -> str:
    """The taxonomy key that best fits the figure: its own words and metric phrase first, then its clause."""
    candidates = taxonomy.for_unit(unit)
    if not candidates:
        return FALLBACK
    if unit in _MONEY and per is not None:
        if per in ("m2/month", "m2") and "loyer" in candidates:
            return "loyer"
        if "salaire" in candidates and per in ("month", "year", "hour", "day"):
            clause_lo = s_start
            for m in _BREAK.finditer(text, s_start, start):
                clause_lo = m.end()
            window = text[max(clause_lo, start - 80) : end + 40].lower()
            if any(c in window for c in ("loyer", "location", "louer")):
                return "loyer"
            if not any(c in window for c in ("budget", "chiffre", "export", "invest")):
                return "salaire"
    lo = s_start
    for m in _BREAK.finditer(text, s_start, start):
        lo = m.end()
    before = text[max(lo, start - 300) : start]
    after = text[end : min(s_end, end + 60)]
    own = text[start:end] + " "
    noun = _OWN_NOUN.match(after)
    if noun:  # "1,3 MMDH d'investissements", "10 milliards de DH de chiffre d'affaires à l'export"
        own += noun.group(1)
    metric_text = (metric or "").lower()
    scores: dict[str, float] = {}
    other_cues = taxonomy.indicators[FALLBACK].cues
    if _cue_hits(other_cues, own) or (metric_text and _cue_hits(other_cues, " " + metric_text + " ")):
        return FALLBACK
    for key in candidates:
        cues = taxonomy.indicators[key].cues
        score = 0.0
        if _cue_hits(cues, own):
            score += 6.0
        if metric_text and _cue_hits(cues, " " + metric_text + " "):
            score += 4.0
        hits_after = _cue_hits(cues, after[:40])
        if hits_after:
            score += 2.0 - min(hits_after) / 40
        hits_before = _cue_hits(cues, before)
        if hits_before:
            score += 1.0 + max(hits_before) / max(len(before), 1)
        if score:
            scores[key] = score
    if "exportations" in scores and "chiffre_affaires" in scores and _EXPORT.search(own + " " + metric_text):
        return "exportations"
    if unit in ("percent", "points") and "croissance" in candidates:
        if _GROWTH.search(text[max(lo, start - 30) : start]) or _GROWTH_AFTER.match(after):
            scores["croissance"] = scores.get("croissance", 0.0) + 6.0
        elif _GROWTH.search(text[max(lo, start - 80) : start]):
            scores["croissance"] = scores.get("croissance", 0.0) + 2.0
    if scores:
        top = max(scores.values())
        return next(k for k in candidates if scores.get(k) == top)
    return _DEFAULT.get(unit, FALLBACK) if _DEFAULT.get(unit) in candidates else FALLBACK


_DEFAULT = {
    "jobs": "effectif",
    "seats": "positions",
    "m2": "surface",
    "percent": "part",
    "points": "croissance",
}


@dataclass(frozen=True)
class Reading:
    indicator: str
    status: str
    per: str | None


def classify(
    taxonomy: Taxonomy,
    text: str,
    start: int,
    end: int,
    unit: str,
    metric: str | None,
    s_start: int,
    s_end: int,
    prev_end: int | None = None,
) -> Reading:
    """Indicator, status and per of one figure of ``text`` (``prev_end``: where the previous
    figure of the same sentence ends)."""
    lo = s_start
    for m in _BREAK.finditer(text, s_start, start):
        lo = m.end()
    per = per_of(text, start, end, unit, lo)
    indicator = indicator_of(taxonomy, text, start, end, unit, metric, s_start, s_end, per)
    status = status_of(text, start, end, s_start, s_end, indicator, prev_end)
    if indicator == "effectif" and status in _FLOW_STATUSES and "emplois_crees" in taxonomy.indicators:
        window = text[max(lo, start - 60) : end + 30].lower()
        if not re.search(r"emplo(?:yer|ie|ient)|effectif", window):
            indicator = "emplois_crees"  # a planned or targeted hiring is a flow
    return Reading(indicator, status, per)


# ---------------------------------------------------------------------------------------------
# periods that only the publication date resolves

_NOW = re.compile(
    r"aujourd['’]hui|actuellement|à ce jour|à l['’]heure actuelle|cette année|en ce moment|désormais|à présent",
    re.I,
)
_LAST_YEAR = re.compile(r"l['’]an(?:née)? (?:dernier|dernière|passé|passée)", re.I)
_NEXT_YEAR = re.compile(r"l['’]an(?:née)? prochain(?:e)?", re.I)


def relative_year(text: str, start: int, end: int, s_start: int, s_end: int, year: int) -> str | None:
    """The year that "aujourd'hui" or "l'an dernier" in the figure's clause means, given the publication year."""
    lo = s_start
    for m in _BREAK.finditer(text, s_start, start):
        lo = m.end()
    hi_m = _BREAK.search(text, end, s_end)
    clause = text[lo : hi_m.start() if hi_m else s_end]
    if _LAST_YEAR.search(clause):
        return str(year - 1)
    if _NEXT_YEAR.search(clause):
        return str(year + 1)
    if _NOW.search(clause):
        return str(year)
    return None
