"""What a figure measures: its indicator, a key of the taxonomy kept as data in
``config/indicators.toml`` (loaded and checked by :func:`veille.core.taxonomy.load_taxonomy`), read from the figure's
own words, its metric phrase and its clause; and :func:`classify`, which adds the status and
what a rate is per (:mod:`pipeline.status`). Text in, values out, no spaCy needed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.status import MONEY, clause_start, per_of, status_of
from pipeline.status_cues import Verb
from veille.core.taxonomy import FALLBACK, Taxonomy

# ---------------------------------------------------------------------------------------------
# indicator

_GROWTH = re.compile(
    r"(?:hausse|progress\w*|croissance|augment\w*|baiss\w*|recul\w*|évolu\w*|bond|repli|accroissement|grimp\w*|chut\w*|diminu\w*|cr[uû]|progresse|taux de croissance|en plus|en moins)",
    re.I,
)


@functools.lru_cache(maxsize=512)
def _cue_rx(cue: str) -> re.Pattern[str]:
    # a cue written with a trailing space ("ir ", "ca ") is a whole word, others a word's start
    whole = r"(?!\w)" if cue.endswith(" ") else ""
    return re.compile(r"(?<!\w)" + re.escape(cue.strip()).replace("'", "['’]") + whole, re.I)


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
_BY_BEFORE = re.compile(
    r"(?:de|d['’]|\+|-)[\s\u00a0]*$", re.I
)  # "a reculé de 2 %" (a change), not "à 15 %" (a level)
# "passant de 10,3 % à 11,1 %": the two ends of a change are levels, not a change
_CHANGE_START = re.compile(r"(?<!\w)pass\w*[\s\u00a0]+(?:de|d['’])[\s\u00a0]*$", re.I)
_SHARE_OF = re.compile(r"^[\s\u00a0]*(?:de[\s\u00a0]+la|de[\s\u00a0]+l['’]|du|des)[\s\u00a0]", re.I)
_EXPORT = re.compile(r"export|devises", re.I)
_FLOW_STATUSES = {"announced", "target", "forecast"}


def _price_of(
    text: str, candidates: Sequence[str], lo: int, start: int, end: int, per: str | None
) -> str | None:
    """An amount per square metre or per period is a rent or a wage (what the words around it
    say), unless they speak of a budget, a turnover, exports or an investment."""
    if per is None:
        return None
    if per in ("m2/month", "m2") and "loyer" in candidates:
        return "loyer"
    if "salaire" in candidates and per in ("month", "year", "hour", "day"):
        window = text[max(lo, start - 80) : end + 15].lower()
        if any(c in window for c in ("loyer", "location", "louer")):
            return "loyer"
        if not any(c in window for c in ("budget", "chiffre", "export", "invest")):
            return "salaire"
    return None


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
    previous: str | None = None,
) -> str:
    """The taxonomy key that best fits the figure: its own words and metric phrase first, then its
    clause; with no cue at all, ``previous`` (the indicator of the figure before it in the same
    enumeration: "de 17,1 % au lieu de 17 %", "2 à Casablanca, 1 à Rabat")."""
    candidates = taxonomy.for_unit(unit)
    if not candidates:
        return FALLBACK
    lo = clause_start(text, s_start, start)
    priced = _price_of(text, candidates, lo, start, end, per) if unit in MONEY else None
    if priced is not None:
        return priced
    before = text[max(lo, start - 300) : start]
    after = text[end : min(s_end, end + 60)]
    own = text[start:end] + " "
    noun = _OWN_NOUN.match(after)
    # "1,3 MMDH d'investissements": the noun after the figure, unless a share's whole ("5 % de la croissance")
    share = unit == "percent" and _SHARE_OF.match(after)
    complement = noun.group(1) if noun and not share else ""
    metric_text = (metric or "").lower()
    scores: dict[str, float] = {}
    other_cues = taxonomy.indicators[FALLBACK].cues
    if _cue_hits(other_cues, own + complement) or (
        metric_text and _cue_hits(other_cues, " " + metric_text + " ")
    ):
        return FALLBACK
    if unit == "count":
        uncovered = _uncovered_count(taxonomy, candidates, text, own, complement, (lo, start, end, s_end))
        if uncovered is not None:
            return uncovered
    for key in candidates:
        cues = taxonomy.indicators[key].cues
        score = 0.0
        if _cue_hits(cues, own):
            score += 6.0  # the figure's own noun: "37 établissements"
        elif complement and _cue_hits(cues, " " + complement + " "):
            score += 5.0  # its complement: "de formation", "d'investissements"
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
    if (
        "exportations" in scores
        and "chiffre_affaires" in scores
        and _EXPORT.search(own + complement + " " + metric_text)
    ):
        return "exportations"
    if unit == "percent" and "part" in candidates and _SHARE_OF.match(after):
        scores["part"] = scores.get("part", 0.0) + 3.0  # "5 % de la croissance du PIB": a share of it
    growth = _growth_score(text, unit, lo, start, after, scores) if unit in ("percent", "points") else 0.0
    if growth and "croissance" in candidates:
        scores["croissance"] = scores.get("croissance", 0.0) + growth
    if scores:
        top = max(scores.values())
        return next(k for k in candidates if scores.get(k) == top)
    if previous is not None and previous in candidates:
        return previous
    return _DEFAULT.get(unit, FALLBACK) if _DEFAULT.get(unit) in candidates else FALLBACK


def _growth_score(text: str, unit: str, lo: int, start: int, after: str, scores: dict[str, float]) -> float:
    """What the words before a percentage add to "croissance": a change ("a reculé de 2 %"), not
    the ends of one ("passant de 10,3 % à 11,1 %") nor a change in points of a rate the metric
    names ("le taux de chômage a baissé de 0,5 point")."""
    changed = (
        _GROWTH.search(text[max(lo, start - 30) : start])
        and _BY_BEFORE.search(text, max(lo, start - 12), start)
        and not _CHANGE_START.search(text, max(lo, start - 20), start)
    )
    named_rate = unit == "points" and any(v >= 4.0 for k, v in scores.items() if k != "croissance")
    if (changed or _GROWTH_AFTER.match(after)) and not named_rate:
        return 6.0
    return 2.0 if _GROWTH.search(text[max(lo, start - 80) : start]) else 0.0


_COUNTRIES = re.compile(r"(?<!\w)pays(?!\w)", re.I)
_PRESENCE = re.compile(r"(?<!\w)(?:présen[ct]\w*|implant\w*|opère|opérant|actif|active)(?!\w)", re.I)
# people: what they are (trained, hired, clients) is read from the clause, not their noun
_PEOPLE = re.compile(
    r"(?<!\w)(?:jeune|personne|ingénieur|développeu|technicien|candidat|diplômé|talent|profil|femme|homme|"
    r"chercheur|demandeur|étudiant|stagiaire|apprenant|lauréat|expert|spécialiste|informaticien|consultant|"
    r"cadre|manager|professionnel|citoyen|individu|agent|conseiller|participant|inscrit|salarié|employé|"
    r"collaborat|ouvrier|travailleur|enseignant|formateur|médecin|chômeur|habitant|porteur)",
    re.I,
)
_NOT_NOUNS = frozenset(
    "zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "vingt vingts trente quarante cinquante soixante cent cents mille million millions milliard milliards "
    "de d et des plus près quelque quelques dizaine dizaines douzaine quinzaine vingtaine trentaine "
    "quarantaine cinquantaine soixantaine centaine centaines millier milliers".split()
)


def _own_noun(own: str) -> bool:
    """Whether the figure's own words name what it counts ("cinq étages"), not only a number."""
    words = re.findall(r"[^\W\d_]+", own.lower())
    return any(w not in _NOT_NOUNS for w in words)


def _uncovered_count(
    taxonomy: Taxonomy,
    candidates: Sequence[str],
    text: str,
    own: str,
    complement: str,
    bounds: tuple[int, int, int, int],
) -> str | None:
    """A count whose own words (its span ``own`` and its ``complement``) no indicator covers is
    ``autre`` ("cinq étages", "quatre piliers"), not what its clause speaks of; the countries a
    group is present in are its footprint ("présent dans 22 pays"). People are left to the clause
    (trained, hired, clients), and so is a figure with no noun of its own. None: the usual
    reading. ``bounds``: the clause's start, the figure's start and end, the sentence's end."""
    lo, start, end, s_end = bounds
    words = own + " " + complement + " "
    if not _own_noun(own) or any(_cue_hits(taxonomy.indicators[k].cues, words) for k in candidates):
        return None
    if _COUNTRIES.search(own) and "sites" in candidates:
        return "sites" if _PRESENCE.search(text, max(lo, start - 120), min(s_end, end + 60)) else FALLBACK
    return None if _PEOPLE.search(own) else FALLBACK


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
    prev_start: int | None = None,
    previous: str | None = None,
    verb: Verb | None = None,
) -> Reading:
    """Indicator, status and per of one figure of ``text`` (``prev_end``: where the previous
    figure of the same sentence ends; ``verb``: the verb the figure depends on in the parse)."""
    lo = clause_start(text, s_start, start)
    per = per_of(text, start, end, unit, lo)
    indicator = indicator_of(taxonomy, text, start, end, unit, metric, s_start, s_end, per, previous)
    status = status_of(text, start, end, s_start, s_end, indicator, prev_end, prev_start, verb)
    if indicator == "effectif" and status in _FLOW_STATUSES and "emplois_crees" in taxonomy.indicators:
        window = text[max(lo, start - 60) : end + 30].lower()
        if not re.search(r"emplo(?:yer|ie|ient)|effectif", window):
            indicator = "emplois_crees"  # a planned or targeted hiring is a flow
    return Reading(indicator, status, per)
