"""Two numbers joined by "à", "et", "au" or a dash: one range ("entre 3 et 5 %", "3 à 5
milliards de DH") or two figures of a change ("est passé de 15 à 20 %")."""

from __future__ import annotations

import re
from typing import Any

from pipeline.lexicon import Lexicon
from pipeline.quantity_reader import YEAR, Number, Quantity, read_quantity

_RANGE_START = re.compile(r"(?<!\w)(entre|de|d['’]|du)[\s\u00a0]+$", re.IGNORECASE)
_CONNECTOR = re.compile(
    r"(?P<period>[\s\u00a0]+en[\s\u00a0]+(?:19|20)\d\d)?"
    r"(?:[\s\u00a0]+(?P<word>à|et|au)[\s\u00a0]+|[\s\u00a0]?(?P<dash>[-–])[\s\u00a0]?)",
    re.IGNORECASE,
)
_ASIDE = re.compile(
    r",?[\s\u00a0]*pour[\s\u00a0]+(?:sa|leur|leurs|notre|ma|votre)[\s\u00a0]+part[\s\u00a0]*,?", re.I
)
_NOT_GOVERNED = re.compile(
    r"(?<!\w)(?:par|croissance|hausse|baisse|taux|rythme|progression|augmentation|marge|part)(?!\w)", re.I
)
# an earlier "de 10,3 % à 11,1 %" after the verb, and this "de" opening a parallel one
_EARLIER_CHANGE = re.compile(r"(?<!\w)de[\s\u00a0]+[-+−]?\d[^.;]{0,60}?[\s\u00a0]à[\s\u00a0]+[-+−]?\d", re.I)
_PARALLEL_OPENER = re.compile(r"(?:,|(?<!\w)et)[\s\u00a0]+(?:de[\s\u00a0]+|d['’]|du[\s\u00a0]+)$", re.I)
_YEAR_BEFORE = re.compile(r"(?<!\w)(?:en|depuis|dès|fin|début|année|l['’]an)[\s\u00a0]+$", re.IGNORECASE)


def _bare_range(text: str, num: Number, num2: Number) -> list[Quantity] | None:
    """ "entre 20 000 et 22 000" without a unit: a range that takes the unit before, when both
    are written in digits, the second is no year and the first is the smaller."""
    if (
        num.kind == num2.kind == "digits"
        and not YEAR.fullmatch(text[num2.start : num2.end])
        and num.value < num2.value
    ):
        # "les besoins sont estimés entre 20 000 et 22 000": a range that takes the unit before
        return [Quantity(num.start, num2.end, num.value, None, range_max=num2.value, bare=True, inherit=True)]
    return None


def _verb_governs(text: str, start: int, opener: str, lex: Lexicon) -> bool:
    """ "est passé de 3 à 5": the verb governs "de" (a few words at most between them, an aside
    such as "pour leur part" not counted); so does it the "de 9 % à 9,9 %" that repeats a change
    earlier in its sentence ("est passé de 10,3 % à 11,1 % en ville et de 9 % à 9,9 % ..."); in
    "porté par une croissance annuelle de 20 à 30 %" it does not: a range."""
    if opener not in ("de", "d'", "d’", "du"):
        return False
    lead = _ASIDE.sub(" ", text[max(0, start - 40) : start].split(".")[-1])
    verb = lex.from_to.search(lead)
    if verb is not None and len(re.findall(r"[^\W\d_]+", lead[verb.end() :])) <= 4:
        return not _NOT_GOVERNED.search(lead[verb.end() :])
    sentence = _ASIDE.sub(" ", re.split(r"[.;!?\n]", text[max(0, start - 250) : start])[-1])
    verb = lex.from_to.search(sentence)
    return (
        verb is not None
        and _EARLIER_CHANGE.search(sentence, verb.end()) is not None
        and _PARALLEL_OPENER.search(sentence) is not None
    )


def range_or_pair(text, num, end, mult, unit, flags, lex) -> list[Quantity] | None:
    """'entre 3 et 5 %', '3 à 5 milliards de DH' -> one range; 'passé de 15 à 20 %' -> two."""
    a_end = end if (unit or flags.get("implied")) else num.end
    cm = _CONNECTOR.match(text, a_end)
    if not cm:
        return None
    before = text[max(0, num.start - 60) : num.start]
    if (
        unit is None
        and num.kind == "digits"
        and YEAR.fullmatch(text[num.start : num.end])
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
    second = read_quantity(text, cm.end(), lex, first=False)
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
