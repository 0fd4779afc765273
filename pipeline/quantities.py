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

from pipeline.lexicon import Lexicon
from pipeline.numbers import find_fractions
from pipeline.quantity_context import bare_number, not_a_figure
from pipeline.quantity_ranges import range_or_pair
from pipeline.quantity_reader import RATIO, Number, Quantity, candidates, read_quantity, skip_adjectives

__all__ = ["RATIO", "Quantity", "scan", "skip_adjectives"]


def scan(text: str, lex: Lexicon) -> list[Quantity]:
    """All quantities in text, left to right, not overlapping; units may still be pending."""
    out: list[Quantity] = []
    last = 0
    for pos in candidates(text, lex):
        if pos < last:
            continue
        found = read_quantity(text, pos, lex)
        if not found:
            continue
        num, end, mult, unit, flags = found
        before = text[max(0, num.start - 40) : num.start]
        if not_a_figure(text, num, end, before, mult, unit):
            continue
        pair = range_or_pair(text, num, end, mult, unit, flags, lex)
        if pair:
            for q in pair:
                out.append(q)
            last = pair[-1].end
            continue
        inherit = False
        if unit is None and flags.get("bare"):
            bare = bare_number(text, num, before, flags, lex, out)
            if bare is None:
                continue
            unit, flags, inherit = bare
        out.append(_quantity_of(num, end, mult, unit, flags, inherit))
        last = out[-1].end
    return _with_fractions(text, out)


def _quantity_of(
    num: Number, end: int, mult: float, unit: str | None, flags: dict, inherit: bool
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
