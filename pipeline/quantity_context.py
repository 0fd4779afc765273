"""What the words around a number say about it: not a figure at all (a rank, "les deux",
an average, a ratio), or a bare number that takes the unit of the figure before it ("dont 300",
"passée de 40 salariés à 3 200", "la Tunisie (8.000)")."""

from __future__ import annotations

import re

from pipeline.lexicon import Lexicon
from pipeline.quantity_reader import RATIO, YEAR, Number, Quantity, noun_at

_DETERMINER_BEFORE = re.compile(
    r"(?<!\w)(?:les|ces|aux|ses|leurs|nos|vos|des|mes|tes)[\s\u00a0]+$", re.IGNORECASE
)
_PREFIX_CURRENCY = re.compile(r"(?<![\w$€])(\$|€|USD|EUR|MAD)[\s\u00a0]?$")
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
_ELLIPTIC_AFTER = re.compile(
    r"[\s\u00a0]+(?:directs|indirects|supplémentaires|additionnels|de plus)(?!\w)", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
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
_TO_BEFORE = re.compile(r"(?<!\w)(?:puis[\s\u00a0]+)?à[\s\u00a0]+$", re.IGNORECASE)
_PAREN_BEFORE = re.compile(r"\([\s\u00a0]*$")
_PAREN_AFTER = re.compile(r"[\s\u00a0]*\)")
_AMONG_AFTER = re.compile(r"[\s\u00a0]+d['’][\s\u00a0]*entre[\s\u00a0]+(?:eux|elles)(?!\w)", re.IGNORECASE)
_AT_PLACE_AFTER = re.compile(r"[\s\u00a0]+(?:à|au|en)[\s\u00a0]+[A-ZÉÈÀÂÎÔÛ]")
_MONEY = ("MAD", "EUR", "USD")
_EQUALS_BEFORE = re.compile(r"=[\s\u00a0]*$")
_EQUALS_AFTER = re.compile(r"[\s\u00a0]*=")
_PAIR_BEFORE = re.compile(r"\d[\s\u00a0]+(?:et|ou|à)[\s\u00a0]+$", re.IGNORECASE)


def not_a_figure(text: str, num: Number, end: int, before: str, mult: float, unit: str | None) -> bool:
    """A number that counts nothing: "both", a group, a rank, an average, a ratio, an
    exchange rate."""
    if unit in _MONEY and (_EQUALS_BEFORE.search(before) or _EQUALS_AFTER.match(text, end)):
        return True  # "(1 dollar = 0,91 euro)": an exchange rate, not an amount
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
    if unit is None and RATIO.match(text, num.end):
        return True  # "trois sur quatre"
    return False


def bare_number(
    text: str, num: Number, before: str, flags: dict, lex: Lexicon, out: list[Quantity]
) -> tuple[str | None, dict, bool] | None:
    """A number without a unit: its unit when the text gives one ("le nombre de cadres", a
    currency sign before it), or whether it inherits the unit of the figure before it; with its
    flags. None when it is not a figure (a year, a number written in words with no noun)."""
    unit: str | None = None
    inherit = False
    if YEAR.fullmatch(text[num.start : num.end]) or num.kind not in ("digits", "words", "approx", "vague"):
        return None
    if num.kind == "words" and "noun_at" not in flags:
        return None
    nm = _NUMBER_OF_AFTER.match(text, num.end)
    if nm and num.kind == "digits":
        noun = noun_at(text, nm.end(), lex)  # "porter à 20 000 le nombre de cadres"
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


def _inherits(text: str, num: Number, before: str, out: list[Quantity]) -> bool:
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
