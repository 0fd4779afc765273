"""Read one quantity at a position: the number (digits, words, "une trentaine", "un
demi-milliard"), then its scale and unit ("2,5 milliards de DH", "5 000 nouveaux emplois").

The grammar is described in :mod:`pipeline.quantities`, which scans a whole text with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.lexicon import Lexicon
from pipeline.numbers import (
    DIGITS_AT,
    DIGITS_RE,
    NUMBER_WORDS_RE,
    longest_word_number,
    parse_digits,
    parse_words,
)

_WS = r"[\s\u00a0\u202f]*"
_WS_RE = re.compile(_WS)
_DE = re.compile(r"[\s\u00a0\u202f]*(?:de[\s\u00a0]+|d['’][\s\u00a0]*)", re.IGNORECASE)
_ET_DEMI = re.compile(r"[\s\u00a0]+et[\s\u00a0]+demie?(?!\w)", re.IGNORECASE)
_DEMI = re.compile(r"(?<!\w)(?:un|une)[\s\u00a0]+demi[\s\-]?(milliards?|millions?)(?!\w)", re.IGNORECASE)
_APPROX_DET = re.compile(
    r"(?<!\w)(une|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|\d{1,3})[\s\u00a0]+", re.IGNORECASE
)
_VAGUE_DET = re.compile(
    r"(?<!\w)(?:des|quelques)[\s\u00a0]+(?=(?:dizaines|douzaines|centaines|milliers)(?!\w))", re.IGNORECASE
)
_DE_MULT = re.compile(r"[\s\u00a0]+de[\s\u00a0]+(milliers|millions|milliards)(?!\w)", re.IGNORECASE)
_MULT = {"milliers": 1e3, "millions": 1e6, "milliards": 1e9}
_WORD_START = re.compile(r"[^\W\d_]", re.UNICODE)
_ARTICLE = re.compile(
    r"(?:la|le|les|l['’]|ce|cette|ces|son|sa|ses|leur|leurs|notre|nos)(?!\w)", re.IGNORECASE
)
RATIO = re.compile(
    r"[\s\u00a0]+sur[\s\u00a0]+(?:\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|cent)(?!\w)"
    # "1.200 emplois sur cinq ans", "sur deux étages": a duration or a layout, not a ratio
    r"(?![\s\u00a0]+(?:ans|années|mois|semaines|jours|exercices|trimestres|semestres|niveaux|étages)(?!\w))",
    re.IGNORECASE,
)
YEAR = re.compile(r"(?:19[5-9]\d|20\d\d)")
_SCALE_NOUN = re.compile(r"(milliard|million)(?=[\s\u00a0]+(?:de[\s\u00a0]+|d['’]))", re.IGNORECASE)
_LE_BEFORE = re.compile(
    r"(?<!\w)(?:le|au|du)[\s\u00a0]+$", re.IGNORECASE
)  # "franchir le milliard de dirhams"
_ON_SURFACE = re.compile(
    r"[\s\u00a0]+sur[\s\u00a0]+[\d.,\s\u00a0]+(?:m2|m²|ha|hectares?|mètres)(?!\w)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Quantity:
    start: int
    end: int
    value: float
    unit: str | None  # None: a bare number, resolved later or dropped
    approx: bool = False
    qualifier: str | None = None
    range_max: float | None = None
    implied: bool = False  # scale word without a currency: article's currency
    people: str | None = (
        None  # "people" (jobs if employed), "professionals" (jobs unless trained), "seekers" (jobs if placed)
    )
    noun_end: int | None = None  # end of the unit noun, for what follows it ("personnes employées")
    points: bool = False  # "points": percent only in a percentage sentence
    bare: bool = False  # number with no scale nor unit (may inherit: "dont 3 000")
    noun_at: int | None = None  # a word follows: the parse decides if it is a counted noun
    inherit: bool = False  # in an enumeration after a figure: "dont 3 000", "contre 380"
    forward: bool = (
        False  # the noun comes later: "Nous sommes 3000 à Casablanca, ... 800 collaborateurs à Tanger"
    )
    anaphoric: bool = False  # "3 900 unités": the unit of the figure before
    en_at: int | None = None  # offset of an "en" before a bare number: "nous en comptons 1 140"


@dataclass(slots=True)
class Number:
    start: int
    end: int
    value: float
    kind: str  # digits | words | approx | vague ("des milliers": at least)
    approx: bool = False


def _number_at(text: str, pos: int, first: bool, lex: Lexicon) -> Number | None:
    """The number starting at pos (digits, words, approx noun, demi-milliard, "le milliard de")."""
    m = _SCALE_NOUN.match(text, pos)
    if m and _LE_BEFORE.search(text, max(0, pos - 5), pos):
        return Number(pos, m.end(), 1e9 if m.group(1).lower() == "milliard" else 1e6, "demi")
    m = _DEMI.match(text, pos)
    if m:
        scale = 1e9 if m.group(1).lower().startswith("milliard") else 1e6
        return Number(pos, m.end(), 0.5 * scale, "demi")
    m = _VAGUE_DET.match(text, pos)
    if m:  # "des milliers de clients": at least a thousand
        found = _approx_after(text, m.end(), pos, 1.0, lex)
        if found:
            found.kind = "vague"
            return found
    m = _APPROX_DET.match(text, pos)
    if m:
        det = m.group(1).lower()
        mult = float(det) if det.isdigit() else parse_words(det)
        found = _approx_after(text, m.end(), pos, mult or 1.0, lex)
        if found:
            return found
    m = (DIGITS_RE if first else DIGITS_AT).match(text, pos)
    if m:
        return Number(m.start(), m.end(), parse_digits(m.group("num"), m.group("sign")), "digits")
    m = NUMBER_WORDS_RE.match(text, pos)
    if m:
        parsed = longest_word_number(text, m.start(), m.end())
        if parsed:
            return Number(pos, parsed[0], parsed[1], "words")
    return None


def _approx_after(text: str, pos: int, start: int, mult: float, lex: Lexicon) -> Number | None:
    """'une trentaine', 'deux centaines', 'une dizaine de milliers' (pos: after the determiner)."""
    m = lex.approx_noun.match(text, pos)
    if not m:
        return None
    base = lex.approx_nouns[m.group(0).lower().rstrip("s")]
    end = m.end()
    value = mult * base
    dm = _DE_MULT.match(text, end)
    if dm:
        value *= _MULT[dm.group(1).lower()]
        end = dm.end()
    return Number(start, end, value, "approx", approx=True)


def skip_ws(text: str, pos: int) -> int:
    """End of the spaces at ``pos`` (``_WS`` matches the empty string, so always a match)."""
    m = _WS_RE.match(text, pos)
    assert m is not None
    return m.end()


def _unit_after(text: str, pos: int, num: Number, lex: Lexicon) -> tuple[int, float, str | None, dict] | None:
    """Scale and unit after a number: (end, multiplier, unit, flags); None if a non-unit noun follows."""
    flags: dict = {}
    mult = 1.0
    p = pos
    had_scale = num.kind == "demi"
    ws = skip_ws(text, p)
    sm = lex.scales.match(text, ws) if num.kind != "demi" else None
    if sm and num.kind not in ("approx", "vague"):
        token = sm.group(0)
        after_scale = sm.end()
        if token in lex.currency_only_scales:
            cm = lex.currency.match(text, skip_ws(text, after_scale))
            dm = _DE.match(text, after_scale)
            if not cm and not (dm and (lex.currency.match(text, dm.end()) or noun_at(text, dm.end(), lex))):
                return None  # "5 M" alone is no scale; "33,7 M d'usagers" counts millions of users
        mult = lex.scale_values[token]
        had_scale = True
        p = after_scale
        em = _ET_DEMI.match(text, p)
        if em:
            mult *= 1.0 + 0.5 / max(num.value, 1e-9)
            p = em.end()
    ws = skip_ws(text, p)
    # currency right here: "DH", "MMDH", "€", "dirhams"
    cm = lex.currency.match(text, ws)
    if cm:
        unit, cmult = lex.currency_of(cm.group(0)) or (None, 1.0)
        if unit:
            if cmult != 1.0 and had_scale:
                cmult = 1.0
            return cm.end(), mult * cmult, unit, flags
    # "de DH", "d'euros" after a scale or an approx noun
    if had_scale or num.kind in ("approx", "vague"):
        dm = _DE.match(text, p)
        if dm:
            cm = lex.currency.match(text, dm.end())
            if cm:
                unit, cmult = lex.currency_of(cm.group(0)) or (None, 1.0)
                if unit:
                    return cm.end(), mult, unit, flags
            noun = noun_at(text, dm.end(), lex)
            if noun:
                end, unit, factor, nflags = noun
                return end, mult * factor, unit, nflags
            if not _ARTICLE.match(text, dm.end()):
                # "2 millions de touristes": the parse decides whether it is counted
                return p, mult, None, {"noun_at": dm.end()}
    if not had_scale and num.kind not in ("approx", "vague"):
        pm = lex.percent.match(text, ws)
        if pm and not pm.group(0).startswith("PC"):  # "2.000 PC portables": computers, not per cent
            return pm.end(), 1.0, "percent", flags
        pm = lex.points.match(text, ws)
        if pm:
            return pm.end(), 1.0, "percent", {"points": True}
        if ws > p or num.kind == "words":
            noun = noun_at(text, ws, lex)
            if noun:
                end, unit, factor, nflags = noun
                return end, mult * factor, unit, nflags
    if had_scale and num.kind in ("digits", "words", "demi"):
        noun = noun_at(text, ws, lex) if ws > p else None
        if noun:  # "350 mille emplois": "mille" takes no "de"
            end, unit, factor, nflags = noun
            return end, mult * factor, unit, nflags
        return p, mult, None, {"implied": True}
    flags = {"bare": True}
    if ws > p and _WORD_START.match(text, ws):
        flags["noun_at"] = ws
    return p, mult, None, flags


def skip_adjectives(text: str, pos: int, lex: Lexicon) -> list[int]:
    """Positions after 0, 1 or 2 prenominal adjectives, longest first."""
    found = [pos]
    for _ in range(2):
        am = lex.adjectives.match(text, found[-1])
        if not am:
            break
        found.append(am.end())
    return found[::-1]


def noun_at(text: str, pos: int, lex: Lexicon) -> tuple[int, str, float, dict] | None:
    nm = None
    for p in skip_adjectives(text, pos, lex):
        nm = lex.nouns.match(text, p)
        if nm:
            break
    group = (nm.lastgroup or "") if nm else ""
    if not nm or (RATIO.match(text, nm.end()) and group != "m2" and not _ON_SURFACE.match(text, nm.end())):
        return None  # "1 candidat sur 5" is a ratio; "2.100 m2 sur 4 niveaux" is not
    if group == "m2":
        return nm.end(), "m2", lex.m2_factor(nm.group(0)), {}
    if group in ("people", "professionals", "seekers"):
        return nm.end(), "count", 1.0, {"people": group, "noun_end": nm.end()}
    if group == "anaphoric":
        return nm.end(), "count", 1.0, {"anaphoric": True}
    return nm.end(), group, 1.0, {}


def read_quantity(
    text: str, pos: int, lex: Lexicon, first: bool = True
) -> tuple[Number, int, float, str | None, dict] | None:
    num = _number_at(text, pos, first, lex)
    if not num:
        return None
    tail = _unit_after(text, num.end, num, lex)
    if tail is None:
        return None
    end, mult, unit, flags = tail
    if unit is None and lex.foreign_currency.match(text, end):
        return None  # "81,1 millions de dinars", "30 000 DA": a currency we do not annotate
    if num.kind == "words" and unit is None and not flags.get("implied") and "noun_at" not in flags:
        return None
    if (
        num.kind == "words"
        and text[num.start : num.end].lower() in ("un", "une")
        and not flags.get("implied")
        and mult == 1.0
    ):
        return None  # "une entreprise" is not a figure
    return num, end, mult, unit, flags


def candidates(text: str, lex: Lexicon) -> list[int]:
    """Where a quantity may start: digits, number words, "un demi-", "des milliers", "le milliard"."""
    starts = {m.start() for m in DIGITS_RE.finditer(text)}
    starts |= {m.start() for m in NUMBER_WORDS_RE.finditer(text)}
    starts |= {m.start() for m in _DEMI.finditer(text)}
    starts |= {m.start() for m in _VAGUE_DET.finditer(text)}
    starts |= {
        m.start()
        for m in _SCALE_NOUN.finditer(text)
        if _LE_BEFORE.search(text, max(0, m.start() - 5), m.start())
    }
    return sorted(starts)
