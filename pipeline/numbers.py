"""French number forms: digits with French separators and number words.

Pure functions over strings, no spaCy. Used by :mod:`pipeline.quantities`.

- digits: thousands grouped by ``.``, space, U+00A0 or U+202F ("69.900", "51 000",
  "1 200 000"), decimal comma ("1,5"), a lone dot followed by other than three digits is
  a decimal point ("1.5"); an explicit sign is kept ("-1,8", "+12").
- words: "cinq cents", "trois mille", "vingt et un" (via text2num), "un"/"une" only where
  the caller allows it (never alone).
"""

from __future__ import annotations

import re

from text_to_num import text2num

SPACES = " \u00a0\u202f"
_SEP = "[ \u00a0\u202f]"

# A number that is not glued to a preceding word, digit or decimal mark.
# Grouped thousands need 1-3 leading digits and groups of exactly three; the same
# separator must be used throughout (so "12 000.5" is not one number).
_DIGITS_CORE = (
    r"(?P<sign>[+\-−](?=\d))?"
    r"(?P<num>"
    r"\d{1,3}(?:(?P<sep>[ \u00a0\u202f.])\d{3})(?:(?P=sep)\d{3})*(?:,\d+)?(?![\d])"
    r"|\d+(?:[.,]\d+)?"
    r")"
)
DIGITS_RE = re.compile(r"(?<![\w.,/\-+−–°])" + _DIGITS_CORE)
# The same, for the second number of a range ("3-5 %"), where a hyphen may precede.
DIGITS_AT = re.compile(_DIGITS_CORE)

_UNITS = (
    "zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
    "quinze seize vingt vingts trente quarante cinquante soixante septante huitante "
    "nonante cent cents mille"
).split()
_WORD = "(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")"
# "quatre-vingt-dix", "vingt et un", "trois mille cinq cents"
NUMBER_WORDS_RE = re.compile(
    rf"(?<![\w\-]){_WORD}(?:(?:[\s\-]+et[\s\-]+|[\s\-]+){_WORD})*(?![\w\-])",
    re.IGNORECASE,
)
ARTICLE_ONLY = {"un", "une"}


def parse_digits(num: str, sign: str | None = None) -> float:
    """'69.900' -> 69900, '1 200 000' -> 1200000, '1,5' -> 1.5, '1.5' -> 1.5."""
    s = num
    for ch in SPACES:
        s = s.replace(ch, "")
    if "," in s:
        intpart, frac = s.split(",", 1)
        s = intpart.replace(".", "") + "." + frac
    elif s.count(".") == 1:
        intpart, frac = s.split(".")
        if len(frac) == 3 and len(intpart) <= 3 and not intpart.startswith("0"):
            s = intpart + frac  # thousands separator
    else:
        s = s.replace(".", "")
    value = float(s)
    if sign and sign in "-−":
        value = -value
    return value


def parse_words(words: str) -> float | None:
    """'cinq cents' -> 500; None when the sequence is not one number."""
    cleaned = re.sub(r"\s+", " ", words.strip().lower())
    if cleaned in ARTICLE_ONLY:
        return 1.0
    try:
        return float(text2num(cleaned, "fr"))
    except ValueError:
        return None


def longest_word_number(text: str, start: int, end: int) -> tuple[int, float] | None:
    """Parse the longest prefix of text[start:end] that is one number; (end, value)."""
    chunk = text[start:end]
    cuts = [m.start() for m in re.finditer(r"[\s\-]+", chunk)] + [len(chunk)]
    for cut in sorted(cuts, reverse=True):
        value = parse_words(chunk[:cut])
        if value is not None:
            return start + cut, value
    return None


# Fractions in words that quantify a share, as a percentage: "la moitié des entreprises",
# "trois quarts des dirigeants", "un tiers de leur chiffre d'affaires", "dont près des deux
# tiers". A fraction needs a share complement (de + article/possessive, des, du, d'entre)
# or "dont" before it, so "un quart d'heure", "un tiers de confiance", "réduit de moitié"
# and "quarts de finale" are not figures.
_FRACTION = re.compile(
    r"(?<![\w\-])(?:(?P<half>la|une)[\s\u00a0]+moitié"
    r"|(?P<n>le|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf)[\s\u00a0]+"
    r"(?P<den>tiers|quarts?|cinquièmes?|dixièmes?))(?![\w\-])",
    re.IGNORECASE,
)
_SHARE_OF = re.compile(
    r"[\s\u00a0]+(?:de[\s\u00a0]+(?:l['’]|(?:la|leurs?|ses|son|sa|nos|notre|vos|votre|ces|cette|ce|cet)(?!\w))"
    r"|des(?!\w)|du(?!\w)|d['’][\s\u00a0]*(?:entre|un|une)(?!\w))",
    re.IGNORECASE,
)
_DONT_BEFORE = re.compile(r"(?<!\w)dont[\s\u00a0]+(?:[^\W\d]+[\s\u00a0]+){0,3}$", re.IGNORECASE)
_DENOMINATORS = {"tiers": 100 / 3, "quart": 25.0, "cinquième": 20.0, "dixième": 10.0}
_SMALL = {
    "le": 1,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
}


def find_fractions(text: str) -> list[tuple[int, int, float]]:
    """(start, end, percent) of every fraction in words that quantifies a share."""
    out = []
    for m in _FRACTION.finditer(text):
        if not (
            _SHARE_OF.match(text, m.end()) or _DONT_BEFORE.search(text, max(0, m.start() - 40), m.start())
        ):
            continue
        if m.group("half"):
            value = 50.0
        else:
            den = m.group("den").lower()
            den = den if den == "tiers" else den.rstrip("s")
            n = _SMALL[m.group("n").lower()]
            if n > 1 and den != "tiers" and not m.group("den").lower().endswith("s"):
                continue  # "deux quart": not a fraction
            value = n * _DENOMINATORS[den]
            if value >= 100:
                continue
        out.append((m.start(), m.end(), round(value, 1)))
    return out
