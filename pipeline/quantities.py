"""Find quantities in French text: number + scale + unit, with qualifiers and ranges.

Regex over the raw text (offsets are exact character offsets), no spaCy: the caller
gives sentence boundaries. The grammar, read left to right from each number:

    [sign] NUMBER [SCALE ["et demi"]] UNIT
    NUMBER := digits | number words | "une trentaine" | "un demi-milliard"
    SCALE  := mille | million(s) | milliard(s) | Md | Mds | M/k (before a currency only)
    UNIT   := currency | "de"/"d'" currency (after a scale) | % / pour cent | [adj] noun
              | "de"/"d'" [adj] noun (after a scale or "une trentaine")
    range  := [entre] A (et|à|-) B, A taking B's scale and unit

A number with a scale word and no unit takes the currency of the article ("18 milliards
additionnels" after amounts in DH). Anything else without a unit is not a figure, which
is what keeps years, codes, ranks, times, ages and durations out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipeline.lexicon import Lexicon
from pipeline.numbers import (
    DIGITS_AT,
    DIGITS_RE,
    NUMBER_WORDS_RE,
    find_fractions,
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
_DETERMINER_BEFORE = re.compile(
    r"(?<!\w)(?:les|ces|aux|ses|leurs|nos|vos|des|mes|tes)[\s\u00a0]+$", re.IGNORECASE
)
_PREFIX_CURRENCY = re.compile(r"(?<![\w$€])(\$|€|USD|EUR|MAD)[\s\u00a0]?$")
_RANGE_START = re.compile(r"(?<!\w)(entre|de|d['’]|du)[\s\u00a0]+$", re.IGNORECASE)
_CONNECTOR = re.compile(
    r"(?P<period>[\s\u00a0]+en[\s\u00a0]+(?:19|20)\d\d)?"
    r"(?:[\s\u00a0]+(?P<word>à|et|au)[\s\u00a0]+|[\s\u00a0]?(?P<dash>[-–])[\s\u00a0]?)",
    re.IGNORECASE,
)
_QUALIFIER_WORDS = r"(?:(?:environ|près de|plus de|moins de|quelque|à peine|seulement|presque|un peu plus de|jusqu'à)[\s\u00a0]+)?"
_INHERIT_BEFORE = re.compile(
    r"(?:(?<!\w)(?:dont|contre|soit|et|pour|sur(?:[\s\u00a0]+les)?)|,)[\s\u00a0]+" + _QUALIFIER_WORDS + "$",
    re.IGNORECASE,
)
_INHERIT_AFTER = re.compile(
    r"[\s\u00a0]*(?:[.,;:)!?]|$|l['’]|(?:pour|à|au|aux|en|dans|par|d['’]ici|contre|dont|et|le|la|les|un|une|sur|selon|fin|"
    r"depuis|cette|cet|ce|que|qui|aujourd['’]hui|actuellement|auparavant|précédemment|seulement|désormais|jusqu|il[\s\u00a0]+y[\s\u00a0]+a)(?!\w))",
    re.IGNORECASE,
)
_WORD_START = re.compile(r"[^\W\d_]", re.UNICODE)
_ARTICLE = re.compile(
    r"(?:la|le|les|l['’]|ce|cette|ces|son|sa|ses|leur|leurs|notre|nos)(?!\w)", re.IGNORECASE
)
_RATIO = re.compile(
    r"[\s\u00a0]+sur[\s\u00a0]+(?:\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|cent)(?!\w)"
    # "1.200 emplois sur cinq ans", "sur deux étages": a duration or a layout, not a ratio
    r"(?![\s\u00a0]+(?:ans|années|mois|semaines|jours|exercices|trimestres|semestres|niveaux|étages)(?!\w))",
    re.IGNORECASE,
)
_ELLIPTIC_AFTER = re.compile(
    r"[\s\u00a0]+(?:directs|indirects|supplémentaires|additionnels|de plus)(?!\w)", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
_NUMBER_OF = re.compile(r"(?<!\w)nombre (?:de|d['’])", re.IGNORECASE)
_YEAR = re.compile(r"(?:19[5-9]\d|20\d\d)")
_CLAUSE_BREAK = re.compile(r"[.;:!?\n]")
_SCALE_NOUN = re.compile(r"(milliard|million)(?=[\s\u00a0]+(?:de[\s\u00a0]+|d['’]))", re.IGNORECASE)
_LE_BEFORE = re.compile(
    r"(?<!\w)(?:le|au|du)[\s\u00a0]+$", re.IGNORECASE
)  # "franchir le milliard de dirhams"
_GROUP_AFTER = re.compile(
    r"[\s\u00a0]+(?:premiers|premières|derniers|dernières|principaux|principales|plus[\s\u00a0]+grand)", re.I
)
_NUMBER_OF_AFTER = re.compile(
    r"[\s\u00a0]+le[\s\u00a0]+nombre[\s\u00a0]+(?:de[\s\u00a0]+|d['’])", re.IGNORECASE
)
_INHERIT_STRONG = re.compile(r"(?<!\w)(?:dont|contre)[\s\u00a0]+" + _QUALIFIER_WORDS + "$", re.IGNORECASE)
_CLAUSE_END_AFTER = re.compile(r"[\s\u00a0]*(?:[;!?]|\.(?:\s|$)|$)")
_WORD_BEFORE = re.compile(r"(?<![A-Z])[a-zàâçéèêëîïôûù]{3,}[\s\u00a0]+$")
# "nous en comptons aujourd'hui 1 140", "il en sort quelque 8 000": "en" (the parse checks it
# is the pronoun) stands for the noun counted before.
_EN_BEFORE = re.compile(
    r"(?<!\w)en[\s\u00a0]+(?:[^\W\d_][\w'’\-]*[\s\u00a0]+){1,3}" + _QUALIFIER_WORDS + "$", re.IGNORECASE
)
_RANK_MOVE_BEFORE = re.compile(
    r"(?:gagn|perd|perdu|grimp|recul|remont|chut|dégringol|progress|glissé|descend|monté|avancé)\w*[\s\u00a0]+(?:de[\s\u00a0]+|d['’])?$",
    re.IGNORECASE,
)
_PLACES_AFTER = re.compile(r"[\s\u00a0]+(?:places?|rangs?|crans?)(?!\w)", re.IGNORECASE)
_RANK_BOUND_BEFORE = re.compile(
    r"(?<!\w)(?:parmi[\s\u00a0]+les|le[\s\u00a0]+top|du[\s\u00a0]+top|top)[\s\u00a0]+$", re.IGNORECASE
)
_ON_SURFACE = re.compile(
    r"[\s\u00a0]+sur[\s\u00a0]+[\d.,\s\u00a0]+(?:m2|m²|ha|hectares?|mètres)(?!\w)", re.IGNORECASE
)
_YEAR_BEFORE = re.compile(r"(?<!\w)(?:en|depuis|dès|fin|début|année|l['’]an)[\s\u00a0]+$", re.IGNORECASE)
_TO_BEFORE = re.compile(r"(?<!\w)(?:puis[\s\u00a0]+)?à[\s\u00a0]+$", re.IGNORECASE)
_PAREN_BEFORE = re.compile(r"\([\s\u00a0]*$")
_PAREN_AFTER = re.compile(r"[\s\u00a0]*\)")
_AMONG_AFTER = re.compile(r"[\s\u00a0]+d['’][\s\u00a0]*entre[\s\u00a0]+(?:eux|elles)(?!\w)", re.IGNORECASE)
_AT_PLACE_AFTER = re.compile(r"[\s\u00a0]+(?:à|au|en)[\s\u00a0]+[A-ZÉÈÀÂÎÔÛ]")
_PAIR_BEFORE = re.compile(r"\d[\s\u00a0]+(?:et|ou|à)[\s\u00a0]+$", re.IGNORECASE)


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
class _Number:
    start: int
    end: int
    value: float
    kind: str  # digits | words | approx | vague ("des milliers": at least)
    approx: bool = False


def _number_at(text: str, pos: int, first: bool, lex: Lexicon) -> _Number | None:
    """The number starting at pos (digits, words, approx noun, demi-milliard, "le milliard de")."""
    m = _SCALE_NOUN.match(text, pos)
    if m and _LE_BEFORE.search(text, max(0, pos - 5), pos):
        return _Number(pos, m.end(), 1e9 if m.group(1).lower() == "milliard" else 1e6, "demi")
    m = _DEMI.match(text, pos)
    if m:
        scale = 1e9 if m.group(1).lower().startswith("milliard") else 1e6
        return _Number(pos, m.end(), 0.5 * scale, "demi")
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
        return _Number(m.start(), m.end(), parse_digits(m.group("num"), m.group("sign")), "digits")
    m = NUMBER_WORDS_RE.match(text, pos)
    if m:
        parsed = longest_word_number(text, m.start(), m.end())
        if parsed:
            return _Number(pos, parsed[0], parsed[1], "words")
    return None


def _approx_after(text: str, pos: int, start: int, mult: float, lex: Lexicon) -> _Number | None:
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
    return _Number(start, end, value, "approx", approx=True)


def _skip_ws(text: str, pos: int) -> int:
    """End of the spaces at ``pos`` (``_WS`` matches the empty string, so always a match)."""
    m = _WS_RE.match(text, pos)
    assert m is not None
    return m.end()


def _unit_after(
    text: str, pos: int, num: _Number, lex: Lexicon
) -> tuple[int, float, str | None, dict] | None:
    """Scale and unit after a number: (end, multiplier, unit, flags); None if a non-unit noun follows."""
    flags: dict = {}
    mult = 1.0
    p = pos
    had_scale = num.kind == "demi"
    ws = _skip_ws(text, p)
    sm = lex.scales.match(text, ws) if num.kind != "demi" else None
    if sm and num.kind not in ("approx", "vague"):
        token = sm.group(0)
        after_scale = sm.end()
        if token in lex.currency_only_scales:
            cm = lex.currency.match(text, _skip_ws(text, after_scale))
            dm = _DE.match(text, after_scale)
            if not cm and not (dm and (lex.currency.match(text, dm.end()) or _noun_at(text, dm.end(), lex))):
                return None  # "5 M" alone is no scale; "33,7 M d'usagers" counts millions of users
        mult = lex.scale_values[token]
        had_scale = True
        p = after_scale
        em = _ET_DEMI.match(text, p)
        if em:
            mult *= 1.0 + 0.5 / max(num.value, 1e-9)
            p = em.end()
    ws = _skip_ws(text, p)
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
            noun = _noun_at(text, dm.end(), lex)
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
            noun = _noun_at(text, ws, lex)
            if noun:
                end, unit, factor, nflags = noun
                return end, mult * factor, unit, nflags
    if had_scale and num.kind in ("digits", "words", "demi"):
        noun = _noun_at(text, ws, lex) if ws > p else None
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


def _noun_at(text: str, pos: int, lex: Lexicon) -> tuple[int, str, float, dict] | None:
    nm = None
    for p in skip_adjectives(text, pos, lex):
        nm = lex.nouns.match(text, p)
        if nm:
            break
    group = (nm.lastgroup or "") if nm else ""
    if not nm or (_RATIO.match(text, nm.end()) and group != "m2" and not _ON_SURFACE.match(text, nm.end())):
        return None  # "1 candidat sur 5" is a ratio; "2.100 m2 sur 4 niveaux" is not
    if group == "m2":
        return nm.end(), "m2", lex.m2_factor(nm.group(0)), {}
    if group in ("people", "professionals", "seekers"):
        return nm.end(), "count", 1.0, {"people": group, "noun_end": nm.end()}
    if group == "anaphoric":
        return nm.end(), "count", 1.0, {"anaphoric": True}
    return nm.end(), group, 1.0, {}


def _candidates(text: str, lex: Lexicon) -> list[int]:
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


def _quantity(
    text: str, pos: int, lex: Lexicon, first: bool = True
) -> tuple[_Number, int, float, str | None, dict] | None:
    num = _number_at(text, pos, first, lex)
    if not num:
        return None
    tail = _unit_after(text, num.end, num, lex)
    if tail is None:
        return None
    end, mult, unit, flags = tail
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


def scan(text: str, lex: Lexicon) -> list[Quantity]:
    """All quantities in text, left to right, not overlapping; units may still be pending."""
    out: list[Quantity] = []
    last = 0
    for pos in _candidates(text, lex):
        if pos < last:
            continue
        found = _quantity(text, pos, lex)
        if not found:
            continue
        num, end, mult, unit, flags = found
        before = text[max(0, num.start - 40) : num.start]
        if _not_a_figure(text, num, before, mult, unit):
            continue
        pair = _range_or_pair(text, num, end, mult, unit, flags, lex)
        if pair:
            for q in pair:
                out.append(q)
            last = pair[-1].end
            continue
        inherit = False
        if unit is None and flags.get("bare"):
            bare = _bare_number(text, num, before, flags, lex, out)
            if bare is None:
                continue
            unit, flags, inherit = bare
        out.append(_quantity_of(num, end, mult, unit, flags, inherit))
        last = out[-1].end
    return _with_fractions(text, out)


def _not_a_figure(text: str, num: _Number, before: str, mult: float, unit: str | None) -> bool:
    """A number that counts nothing: "both", a group, a rank, an average, a ratio."""
    if num.kind == "words" and _DETERMINER_BEFORE.search(before) and num.value == 2 and mult == 1.0:
        return True  # "les deux pays": "both", not a count
    if _DETERMINER_BEFORE.search(before) and _GROUP_AFTER.match(text, num.end):
        return True  # "les cinq premiers opérateurs": a group, not a count
    if _RANK_MOVE_BEFORE.search(before) and _PLACES_AFTER.match(text, num.end):
        return True  # "a gagné 9 places", "perdu deux rangs": a rank change, not a count
    if _RANK_BOUND_BEFORE.search(before):
        return True  # "parmi les 50 pays les plus attractifs", "le top 10": a rank bound
    if unit in ("count", "jobs", "seats") and mult == 1.0 and num.value != int(num.value) and num.value < 100:
        return True  # "1,8 salarié par poste": an average, not a count
    if unit is None and _RATIO.match(text, num.end):
        return True  # "trois sur quatre"
    return False


def _bare_number(
    text: str, num: _Number, before: str, flags: dict, lex: Lexicon, out: list[Quantity]
) -> tuple[str | None, dict, bool] | None:
    """A number without a unit: its unit when the text gives one ("le nombre de cadres", a
    currency sign before it), or whether it inherits the unit of the figure before it; with its
    flags. None when it is not a figure (a year, a number written in words with no noun)."""
    unit: str | None = None
    inherit = False
    if _YEAR.fullmatch(text[num.start : num.end]) or num.kind not in ("digits", "words", "approx", "vague"):
        return None
    if num.kind == "words" and "noun_at" not in flags:
        return None
    nm = _NUMBER_OF_AFTER.match(text, num.end)
    if nm and num.kind == "digits":
        noun = _noun_at(text, nm.end(), lex)  # "porter à 20 000 le nombre de cadres"
        if noun:
            flags = {**noun[3], "noun_at": None}
            unit = noun[1]
    pm = _PREFIX_CURRENCY.search(before)
    if unit is not None:
        pass
    elif pm:
        unit = lex.currency_of(pm.group(1))[0]  # type: ignore[index]
        num.start = num.start - len(pm.group(0))
        flags = {}
    else:
        inherit = _inherits(text, num, before, out)
        if not inherit and num.kind == "digits" and num.value >= 10 and _AT_PLACE_AFTER.match(text, num.end):
            flags = {**flags, "forward": True}
        em = _EN_BEFORE.search(before)
        if em:
            flags = {**flags, "en_at": num.start - len(before) + em.start()}
        elif num.kind in ("approx", "vague") and not inherit:
            return None
    return unit, flags, inherit


def _inherits(text: str, num: _Number, before: str, out: list[Quantity]) -> bool:
    """A bare number takes the unit of the figure before it: "dont 300", "contre 250", "passée de
    40 salariés à 3 200", "la Tunisie (8.000)", "300 d'entre eux"; never the second of a pair of
    bare numbers ("niveau 2 et 3")."""
    inherit = bool(
        (_INHERIT_BEFORE.search(before) and _INHERIT_AFTER.match(text, num.end))
        or _INHERIT_STRONG.search(before)
        or _ELLIPTIC_AFTER.match(text, num.end)
        or (
            num.kind == "digits"
            and num.value >= 100
            and _CLAUSE_END_AFTER.match(text, num.end)
            and _WORD_BEFORE.search(before)
        )
    )
    if (
        not inherit
        and out
        and num.kind == "digits"
        and not _SENTENCE_END.search(text, out[-1].end, num.start)
    ):
        near = num.start - out[-1].end < 80
        inherit = bool(
            (near and _TO_BEFORE.search(before) and _INHERIT_AFTER.match(text, num.end))
            or (near and _PAREN_BEFORE.search(before) and _PAREN_AFTER.match(text, num.end))
            or _AMONG_AFTER.match(text, num.end)
        )  # "passée de 40 salariés à 3 200", "la Tunisie (8.000)", "300 d'entre eux"
    if inherit and out and out[-1].bare and not out[-1].inherit and _PAIR_BEFORE.search(before):
        inherit = False  # "niveau 2 et 3": a pair of bare numbers
    return inherit


def _quantity_of(
    num: _Number, end: int, mult: float, unit: str | None, flags: dict, inherit: bool
) -> Quantity:
    return Quantity(
        start=num.start,
        end=end if unit or flags.get("implied") else num.end,
        value=num.value * mult,
        unit=unit,
        approx=num.approx,
        qualifier="more_than" if num.kind == "vague" else None,
        implied=bool(flags.get("implied")),
        people=flags.get("people"),
        noun_end=flags.get("noun_end"),
        points=bool(flags.get("points")),
        bare=bool(flags.get("bare")),
        noun_at=flags.get("noun_at"),
        inherit=inherit,
        forward=bool(flags.get("forward")),
        anaphoric=bool(flags.get("anaphoric")),
        en_at=flags.get("en_at"),
    )


def _with_fractions(text: str, out: list[Quantity]) -> list[Quantity]:
    """The quantities with the fractions ("la moitié des entreprises": 50 %) in their place,
    instead of the numbers they overlap."""
    fractions = find_fractions(text)
    if fractions:
        out = [q for q in out if not any(q.start < e and s < q.end for s, e, _ in fractions)]
        out = sorted(out + [Quantity(s, e, v, "percent") for s, e, v in fractions], key=lambda q: q.start)
    return out


def _bare_range(text: str, num: _Number, num2: _Number) -> list[Quantity] | None:
    """ "entre 20 000 et 22 000" without a unit: a range that takes the unit before, when both
    are written in digits, the second is no year and the first is the smaller."""
    if (
        num.kind == num2.kind == "digits"
        and not _YEAR.fullmatch(text[num2.start : num2.end])
        and num.value < num2.value
    ):
        # "les besoins sont estimés entre 20 000 et 22 000": a range that takes the unit before
        return [Quantity(num.start, num2.end, num.value, None, range_max=num2.value, bare=True, inherit=True)]
    return None


def _verb_governs(text: str, start: int, opener: str, lex: Lexicon) -> bool:
    """ "est passé de 3 à 5": the verb governs "de" (a few words at most between them); in "porté
    par une croissance annuelle de 20 à 30 %" it does not: a range."""
    lead = text[max(0, start - 40) : start].split(".")[-1]
    verb = lex.from_to.search(lead)
    return (
        opener in ("de", "d'", "d’", "du")
        and verb is not None
        and len(re.findall(r"[^\W\d_]+", lead[verb.end() :])) <= 4
        and not re.search(
            r"(?<!\w)(?:par|croissance|hausse|baisse|taux|rythme|progression|augmentation|marge|part)(?!\w)",
            lead[verb.end() :],
            re.I,
        )
    )


def _range_or_pair(text, num, end, mult, unit, flags, lex) -> list[Quantity] | None:
    """'entre 3 et 5 %', '3 à 5 milliards de DH' -> one range; 'passé de 15 à 20 %' -> two."""
    a_end = end if (unit or flags.get("implied")) else num.end
    cm = _CONNECTOR.match(text, a_end)
    if not cm:
        return None
    before = text[max(0, num.start - 60) : num.start]
    if (
        unit is None
        and num.kind == "digits"
        and _YEAR.fullmatch(text[num.start : num.end])
        and _YEAR_BEFORE.search(before)
    ):
        return None  # "passé de 9,7 millions en 2023 à 19,7 millions": a year, not a range's start
    sm = _RANGE_START.search(before)
    word = (cm.group("word") or "").lower()
    opener = sm.group(1).lower() if sm else ""
    if word == "et" and opener != "entre":
        return None
    if word == "au" and opener != "du":
        return None
    if cm.group("dash") and (unit or cm.group("period")):
        return None
    second = _quantity(text, cm.end(), lex, first=False)
    if not second:
        return None
    num2, end2, mult2, unit2, flags2 = second
    if (
        unit is None
        and unit2 is None
        and flags.get("bare")
        and flags2.get("bare")
        and opener == "entre"
        and word == "et"
    ):
        return _bare_range(text, num, num2)
    if unit2 is None and not flags2.get("implied"):
        return None
    if unit is not None and (unit != unit2 or opener not in ("entre", "de", "d'", "d’", "du")):
        return None
    from_to = bool(cm.group("period")) or _verb_governs(text, num.start, opener, lex)
    # "3 à 5 milliards": A takes B's scale; "entre 800 et 1,2 milliard": the scale below
    a_mult = mult
    if unit is None and mult == 1.0:
        if num.value <= num2.value:
            a_mult = mult2
        elif num.value < 1000 and mult2 >= 1e6:
            a_mult = mult2 / 1000
    common: dict[str, Any] = dict(
        implied=bool(flags2.get("implied")),
        people=flags2.get("people"),
        points=bool(flags2.get("points")),
        noun_end=flags2.get("noun_end"),
    )
    if from_to:
        first_end = a_end
        return [
            Quantity(num.start, first_end, num.value * a_mult, unit2, approx=num.approx, **common),
            Quantity(num2.start, end2, num2.value * mult2, unit2, approx=num2.approx, **common),
        ]
    return [
        Quantity(
            num.start,
            end2,
            num.value * a_mult,
            unit2,
            approx=num.approx or num2.approx,
            range_max=num2.value * mult2,
            **common,
        )
    ]
