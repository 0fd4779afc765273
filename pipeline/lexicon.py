"""The figure extractor's word lists (config/figures.toml) compiled into regexes.

Loaded once by the spaCy factory and passed in explicitly; :func:`load_lexicon` caches by
path so tests and the bench share one compiled copy.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veille.core.conf import read_toml, require
from veille.core.errors import ConfigError

DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "config" / "figures.toml"

_FUNCTION_WORDS = {"de", "d'", "du", "des", "à", "d’"}
_END = r"(?![\w\-’'])"  # a word ends here (no letter, digit, hyphen or apostrophe)
# What may follow a verb stem: conjugated forms and -ment/-tion nouns ("porté", "relèvement"),
# not any word ("Portugal", "portefeuille").
_VERB_ENDING = (
    r"(?:e|es|ent|é|ée|és|ées|er|ez|ons|ait|aient|ant|a|ai|era|eront|erait|eraient|ra|ront|rait|"
    r"i|ie|is|it|issent|issant|ssent|ssant|t|ement|ements|ation|ution|tion|u|ue|us|ues)?(?!\w)"
)


def _plural_pattern(entry: str) -> str:
    """'poste de travail' -> 'postes?\\s+de\\s+travails?' (each content word may take s/x)."""
    pattern = ""
    glue = False  # previous piece was an elided article: no space after it
    for word in re.split(r"(?<=['’])|\s+", entry.strip()):
        if not word:
            continue
        if pattern and not glue:
            pattern += r"[\s\u00a0]+"
        if word.endswith(("'", "’")):
            pattern += re.escape(word[:-1]) + "['’]"
            glue = True
            continue
        glue = False
        if word.lower() in _FUNCTION_WORDS or not word[-1].isalpha():
            pattern += re.escape(word)
        else:
            pattern += re.escape(word) + "(?:s|x)?"
    return pattern


def _alternation(patterns: list[str]) -> str:
    return "(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + ")"


def _words(entries: list[str]) -> str:
    return _alternation([_plural_pattern(e) for e in entries])


@dataclass(frozen=True)
class Lexicon:
    path: Path
    nouns: re.Pattern[str]  # named groups: jobs, seats, count, people, m2
    m2_factors: dict[str, float]
    adjectives: re.Pattern[str]
    hiring: re.Pattern[str]
    training: re.Pattern[str]  # training verbs/nouns: "former 400 jeunes" is a count
    employed_after: re.Pattern[str]  # after a people noun: "personnes employées"
    staff_before: re.Pattern[str]  # before a people noun: "un centre d'appels de 450 personnes"
    placing: re.Pattern[str]  # verbs that make job seekers jobs: "a placé 6 800 candidats"
    hired_after: re.Pattern[str]  # after a count of people: "dont 140 ont été recrutés"
    leaving_after: re.Pattern[str]  # after professionals: "5 000 ingénieurs quittent le pays"
    not_counted: frozenset[str]  # lowercased nouns (and plurals) never counted
    currency_symbols: dict[str, tuple[str, float]]
    currency: re.Pattern[str]  # a currency token right here
    currency_words: dict[str, str]
    foreign_currency: re.Pattern[str]  # a currency outside MAD/EUR/USD right here: no figure
    scales: re.Pattern[str]
    scale_values: dict[str, float]
    currency_only_scales: frozenset[str]
    approx_nouns: dict[str, float]
    approx_noun: re.Pattern[str]
    percent: re.Pattern[str]
    points: re.Pattern[str]
    percent_context: re.Pattern[str]
    qualifiers_before: tuple[tuple[str, re.Pattern[str]], ...]
    qualifiers_after: tuple[tuple[str, re.Pattern[str]], ...]
    from_to: re.Pattern[str]
    metric_heads: tuple[tuple[str, ...], ...]  # lowercased token sequences
    money_heads: tuple[tuple[str, ...], ...]  # heads a money amount's label may start with

    def currency_of(self, token: str) -> tuple[str, float] | None:
        if token in self.currency_symbols:
            return self.currency_symbols[token]
        low = token.lower()
        for word, unit in self.currency_words.items():
            if re.fullmatch(_plural_pattern(word), low, re.IGNORECASE):
                return unit, 1.0
        return None

    def m2_factor(self, token: str) -> float:
        low = re.sub(r"\s+", " ", token.lower())
        for word, factor in self.m2_factors.items():
            if re.fullmatch(_plural_pattern(word.lower()), low):
                return factor
        return 1.0


def _numbers(data: dict[str, Any], key: str, path: Path, where: str) -> dict[str, float]:
    """A table of words to numbers; a value that is not a number names its field."""
    out = {}
    for word, value in require(data, key, dict, path, where).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, f"must be a number, got {value!r}", field=f"{where}.{word}")
        out[word] = float(value)
    return out


def _symbols(table: dict[str, Any], path: Path) -> dict[str, tuple[str, float]]:
    """Currency symbols: ``"$" = ["USD", 1]`` (the currency and a multiplier)."""
    out = {}
    for symbol, value in table.items():
        ok = isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
        if not ok or isinstance(value[1], bool) or not isinstance(value[1], int | float):
            raise ConfigError(
                path, f"must be [currency, multiplier], got {value!r}", field=f"currencies.symbols.{symbol}"
            )
        out[symbol] = (value[0], float(value[1]))
    return out


def _verbs(units: dict[str, Any], key: str, path: Path) -> str:
    """An alternation of the escaped entries of ``units[key]``."""
    return _alternation([re.escape(v) for v in require(units, key, list, path, f"units.{key}")])


def _unit_patterns(units: dict[str, Any], path: Path) -> dict[str, Any]:
    """What makes a number a count of something: unit nouns, and the verbs and words around a
    count of people that say whether it is jobs, staff, trainees or departures."""
    m2 = require(units, "m2", dict, path, "units.m2")
    groups = []
    for name in ("seats", "jobs", "count", "people", "professionals", "seekers", "anaphoric"):
        entries = require(units, name, list, path, f"units.{name}")
        groups.append(f"(?P<{name}>{_words(entries)})")
    groups.append(f"(?P<m2>{_words(list(m2))})")
    hired = [
        _plural_pattern(h).replace("(?:s|x)?", "")
        for h in require(units, "hired_after", list, path, "units.hired_after")
    ]
    return {
        # One alternation over all nouns, longest first across groups, so "postes de travail"
        # (seats) wins over "postes" (jobs): order the groups by their longest entries.
        "nouns": re.compile(r"(?:" + "|".join(groups) + r")" + _END, re.IGNORECASE),
        "m2_factors": _numbers(units, "m2", path, "units.m2"),
        "hiring": re.compile(r"(?<!\w)" + _verbs(units, "hiring_verbs", path), re.IGNORECASE),
        "training": re.compile(r"(?<!\w)" + _verbs(units, "training_verbs", path), re.IGNORECASE),
        "staff_before": re.compile(
            "(?<!\\w)"
            + _verbs(units, "staff_before", path)
            + r"[\s\u00a0]*(?:plus de[\s\u00a0]+|près de[\s\u00a0]+)?$",
            re.IGNORECASE,
        ),
        "employed_after": re.compile(
            r"[\s\u00a0]+(?:\S+[\s\u00a0]+)?(?:qui[\s\u00a0]+)?(?:y[\s\u00a0]+)?"
            # an auxiliary before the verb: "1500 jeunes qui vont travailler"
            r"(?:(?:vont|va|iront|pourront|peuvent|devraient|doivent|seront|sont appelés à)[\s\u00a0]+)?"
            + _verbs(units, "employed_after", path),
            re.IGNORECASE,
        ),
        "placing": re.compile(r"(?<!\w)" + _verbs(units, "placing_verbs", path), re.IGNORECASE),
        "hired_after": re.compile(
            r"[\s\u00a0]+(?:\S+[\s\u00a0]+)?" + _alternation(hired) + _END, re.IGNORECASE
        ),
        "leaving_after": re.compile(
            r"[\s\u00a0]+(?:\S+[\s\u00a0]+)?" + _verbs(units, "leaving_after", path), re.IGNORECASE
        ),
        "not_counted": frozenset(
            form
            for w in require(units, "not_counted", list, path, "units.not_counted")
            for form in (w.lower(), w.lower() + "s", w.lower() + "x")
        ),
    }


def _money_patterns(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Currencies (symbols and words) and the scale words after an amount ("millions")."""
    cur = require(data, "currencies", dict, path, "currencies")
    symbols = _symbols(require(cur, "symbols", dict, path, "currencies.symbols"), path)
    words = {k: str(v) for k, v in require(cur, "words", dict, path, "currencies.words").items()}
    sym_alt = _alternation([re.escape(s) + (_END if s[-1].isalnum() else "") for s in symbols])
    scales_cfg = require(data, "scales", dict, path, "scales")
    cur_only = _numbers(scales_cfg, "currency_only", path, "scales.currency_only")
    all_scales = {**_numbers(scales_cfg, "words", path, "scales.words"), **cur_only}
    foreign = cur.get("foreign", {})
    foreign_syms = [re.escape(s).replace(r"\ ", r"[\s\u00a0]+") + _END for s in foreign.get("symbols", [])]
    foreign_words = _words(foreign.get("words", [])) if foreign.get("words") else "(?!x)x"
    return {
        "foreign_currency": re.compile(
            rf"(?:[\s\u00a0]*(?:de[\s\u00a0]+|d['’][\s\u00a0]*))?[\s\u00a0]*"
            rf"(?:{_alternation(foreign_syms or ['(?!x)x'])}|(?i:{foreign_words}){_END})"
        ),
        "currency_symbols": symbols,
        "currency": re.compile(rf"(?P<sym>{sym_alt})|(?P<word>(?i:{_words(list(words))}){_END})"),
        "currency_words": words,
        "scales": re.compile(_alternation([re.escape(s) for s in all_scales]) + r"(?![\w\-])"),
        "scale_values": all_scales,
        "currency_only_scales": frozenset(cur_only),
    }


def _percent_patterns(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Percent words, points of percentage, and the words that make "%" a share."""
    pct = require(data, "percent", dict, path, "percent")
    pct_words = require(pct, "words", list, path, "percent.words")
    ctx = require(pct, "percent_context", list, path, "percent.percent_context")
    return {
        "percent": re.compile(
            _alternation(
                [re.escape(w).replace(r"\ ", r"[\s\u00a0]+") + ("" if w == "%" else _END) for w in pct_words]
            ),
            re.IGNORECASE,
        ),
        "points": re.compile(
            _alternation([re.escape(w) for w in require(pct, "points", list, path, "percent.points")]) + _END
        ),
        "percent_context": re.compile(
            _alternation(
                [re.escape(w) if not w[0].isalpha() else r"(?<!\w)" + re.escape(w) + r"(?!\w)" for w in ctx]
            ),
            re.IGNORECASE,
        ),
    }


def _qualifier_patterns(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Qualifiers before and after a number ("plus de", "au moins") and range verbs."""
    qual = require(data, "qualifiers", dict, path, "qualifiers")
    try:
        before = tuple(
            (kind, re.compile(r"(?<![\w])(?:" + rx + r")$", re.IGNORECASE))
            for kind, rx in require(qual, "before", list, path, "qualifiers.before")
        )
        after = tuple(
            (kind, re.compile(rx, re.IGNORECASE))
            for kind, rx in require(qual, "after", list, path, "qualifiers.after")
        )
    except (re.error, ValueError) as exc:
        raise ConfigError(path, f"bad qualifier pattern: {exc}", field="qualifiers") from None
    verbs = require(qual, "from_to_verbs", list, path, "qualifiers.from_to_verbs")
    return {
        "qualifiers_before": before,
        "qualifiers_after": after,
        "from_to": re.compile(
            r"(?<!\w)" + _alternation([re.escape(v) for v in verbs]) + _VERB_ENDING, re.IGNORECASE
        ),
    }


def _heads(metrics: dict[str, Any], key: str, path: Path) -> tuple[tuple[str, ...], ...]:
    """Lowercased token sequences of the metric heads under ``metrics[key]``."""
    return tuple(
        tuple(t for t in re.split(r"(?<=['’])|\s+", h.lower()) if t)
        for h in require(metrics, key, list, path, f"metrics.{key}")
    )


def _build(path: Path, data: dict[str, Any]) -> Lexicon:
    adjectives = require(data, "adjectives", dict, path, "adjectives")
    prenominal = require(adjectives, "prenominal", list, path, "adjectives.prenominal")
    approx = _numbers(data, "approx_nouns", path, "approx_nouns")
    metrics = require(data, "metrics", dict, path, "metrics")
    return Lexicon(
        path=path,
        adjectives=re.compile(
            _alternation([re.escape(a) for a in prenominal]) + r"[\s\u00a0]+", re.IGNORECASE
        ),
        approx_nouns=approx,
        approx_noun=re.compile(_alternation([re.escape(a) + "s?" for a in approx]) + _END, re.IGNORECASE),
        metric_heads=_heads(metrics, "heads", path),
        money_heads=_heads(metrics, "money_heads", path),
        **_unit_patterns(require(data, "units", dict, path, "units"), path),
        **_money_patterns(data, path),
        **_percent_patterns(data, path),
        **_qualifier_patterns(data, path),
    )


@functools.lru_cache(maxsize=8)
def load_lexicon(path: str | Path = DEFAULT_LEXICON) -> Lexicon:
    """Read and compile config/figures.toml (or another lexicon file)."""
    p = Path(path)
    return _build(p, read_toml(p))
