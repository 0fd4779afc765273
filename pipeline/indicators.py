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
    if unit in ("percent", "points") and "croissance" in candidates:
        changed = _GROWTH.search(text[max(lo, start - 30) : start]) and _BY_BEFORE.search(
            text, max(lo, start - 12), start
        )
        # "le taux de chômage a baissé de 0,5 point": a change in points of a rate the metric names
        named_rate = unit == "points" and any(v >= 4.0 for k, v in scores.items() if k != "croissance")
        if (changed or _GROWTH_AFTER.match(after)) and not named_rate:
            scores["croissance"] = scores.get("croissance", 0.0) + 6.0
        elif _GROWTH.search(text[max(lo, start - 80) : start]):
            scores["croissance"] = scores.get("croissance", 0.0) + 2.0
    if scores:
        top = max(scores.values())
        return next(k for k in candidates if scores.get(k) == top)
    if previous is not None and previous in candidates:
        return previous
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
