"""Relevance stage: keep French articles about the offshoring and digital sector.

Pure functions first: :func:`detect_language` (langdetect with a fixed seed, so the same
text always gets the same answer) and :func:`score` (a weighted lexicon from
``config/lexicon.toml``, see :func:`load_lexicon`). :class:`RelevancePipeline` sets
``language``, ``relevance``, ``matched_terms`` and ``themes`` on each article and drops
articles in another language (reason ``language:<code>``) or scoring below the
lexicon's ``threshold`` (reason ``off-topic``).

Scoring. Title, lead and text are accent- and case-folded; hyphens and apostrophes count
as spaces. Each lexicon term contributes ``weight * (n / (n + 1) + title_weight * in_title)``
where ``n`` is its number of matches in lead and text: repeats saturate, a title match
weighs more. The sum ``raw`` becomes a score in [0, 1): ``1 - exp(-raw / scale)``. A theme
is given to the article when its terms contribute at least ``theme_min``.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import pipeline_config
from pipeline.normalise import fold, unaccent
from pipeline.stage import Stage, Step
from veille.core.conf import PACKAGE_CONFIG, optional, read_toml, require
from veille.core.conf.pipeline import RelevanceConfig
from veille.core.errors import ConfigError
from veille.core.models import Article
from veille.core.workers import Workers

ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LETTERS = re.compile(r"[^\W\d_]")


# -- language -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _factory() -> Any:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0  # deterministic: same text, same answer
    return factory


# Function words found in French but not in Spanish, Italian, Portuguese or English text.
FRENCH_MARKERS = frozenset(
    "le les des du et est une dans pour qui sur avec au aux cette ces ses sont ont été selon leur "
    "leurs mais où nous vous il ils elle elles ne pas plus d l qu n s c j y".split()
)
ENGLISH_MARKERS = frozenset("the and of to is are was were with for that this from by on at".split())


def _clearly_french(sample: str) -> bool:
    """A fast, deterministic answer for the common case: plenty of French-only function words."""
    tokens = re.findall(r"[^\W\d_]+", sample.lower())
    if len(tokens) < 12:
        return False
    french = sum(tok in FRENCH_MARKERS for tok in tokens) / len(tokens)
    english = sum(tok in ENGLISH_MARKERS for tok in tokens) / len(tokens)
    return french >= 0.18 and english < 0.03


def detect_language(text: str, min_letters: int = 20) -> str | None:
    """ISO 639-1 code of ``text`` ("fr", "en", "ar"...), or None when too short to tell.

    Deterministic: clearly French text is recognised by its function words; anything else
    goes to langdetect, run with a fixed seed on at most the first 3,000 characters.
    """
    sample = text[:3000]
    if ARABIC.search(sample) is None:  # the common case: count letters only up to min_letters
        if (
            min_letters > 0
            and next(itertools.islice(LETTERS.finditer(sample), min_letters - 1, None), None) is None
        ):
            return None
    else:
        letters = len(LETTERS.findall(sample))
        if letters < min_letters:
            return None
        if len(ARABIC.findall(sample)) > 0.4 * letters:
            return "ar"
    if _clearly_french(sample[:1500]):
        return "fr"
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.append(sample)
    try:
        return str(detector.detect())
    except LangDetectException:
        return None


# -- lexicon ---------------------------------------------------------------------------------
def _plain(text: str) -> str:
    """Accent-stripped, punctuation as spaces, case kept (for acronyms)."""
    return " " + re.sub(r"[^A-Za-z0-9]+", " ", unaccent(text)) + " "


def _folded(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", fold(text)) + " "


# Byte tables for the views of a whole text: every byte but the view's letters and digits becomes
# a space (so does any character outside ASCII: it is encoded as "?").
_CASED_WORDS = bytes(c if chr(c).isascii() and chr(c).isalnum() else 0x20 for c in range(256))
_FOLDED_WORDS = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 0x20 for c in range(256))


def _words(text: str, case_sensitive: bool) -> list[bytes]:
    """The words of :func:`_plain` (``case_sensitive``) or :func:`_folded` of ``text``, in one
    pass of ``bytes.translate`` instead of a regular expression: runs of ASCII letters and digits of
    the accent-stripped text (case-folded first, for the folded view)."""
    stripped = fold(text) if not case_sensitive else unaccent(text)
    table = _CASED_WORDS if case_sensitive else _FOLDED_WORDS
    return stripped.encode("ascii", "replace").translate(table).split()


def _view(words: list[bytes]) -> str:
    """The view as :func:`_plain` and :func:`_folded` spell it: the words between single spaces
    (only the spaces at either end may differ, and no term's match depends on them)."""
    return " " + b" ".join(words).decode("ascii") + " "


def _term_regex(term: str, case_sensitive: bool) -> re.Pattern[str]:
    """``"centre* d'appel"`` -> the words in order; ``*`` ends a word freely; words may take s/x.

    A match starts after a space. The pattern opens with the first word's letters and checks
    the space behind them afterwards (``centre(?<= centre)``) rather than first: ``re`` then
    scans the text for that literal prefix instead of trying the pattern at every position.
    """
    parts = _term_parts(term, case_sensitive)
    first = _term_anchor(term, case_sensitive)[1:]
    literal = re.escape(first)
    if not parts[0].startswith(literal):  # not expected: keep the plain form
        return re.compile(r"(?<= )" + " ".join(parts) + r"(?= )")
    head = literal + f"(?<= {literal})" + parts[0][len(literal) :]
    return re.compile(" ".join([head, *parts[1:]]) + r"(?= )")


def _term_anchor(term: str, case_sensitive: bool) -> str:
    """What any match of the term starts with: a space and its first word (or word start)."""
    normalise = _plain if case_sensitive else _folded
    for raw in term.split():
        pieces = normalise(raw.rstrip("*")).split()
        if pieces:
            return " " + pieces[0]
    return ""


def _anchor_runs_on(term: str, case_sensitive: bool) -> bool:
    """May a matching word be longer than the anchor's word plus "s" or "x" (a "*" right after
    it: ``"centre*"``, not ``"centre d'appel*"``)?"""
    normalise = _plain if case_sensitive else _folded
    for raw in term.split():
        pieces = normalise(raw.rstrip("*")).split()
        if pieces:
            return raw.endswith("*") and len(pieces) == 1
    return True


def _term_parts(term: str, case_sensitive: bool) -> list[str]:
    normalise = _plain if case_sensitive else _folded
    parts: list[str] = []
    for raw in term.split():
        star = raw.endswith("*")
        pieces = normalise(raw.rstrip("*")).split()
        for i, word in enumerate(pieces):
            if star and i == len(pieces) - 1:
                parts.append(re.escape(word) + "[A-Za-z0-9]*")
            elif word[-1].isalpha() and not case_sensitive:
                parts.append(re.escape(word) + "(?:s|x)?")
            else:
                parts.append(re.escape(word))
    if not parts:
        raise ValueError(f"empty term {term!r}")
    return parts


@dataclass(frozen=True)
class Term:
    label: str  # as shown in matched_terms
    theme: str
    weight: float
    pattern: re.Pattern[str]
    case_sensitive: bool = False
    anchor: str = ""  # a substring every match starts with (" word"): a cheap test before the regex
    runs_on: bool = True  # the anchor's word may run on ("centre*"); else a match's first word is
    # the anchor's, or it with "s" or "x"


@dataclass(frozen=True)
class Lexicon:
    """``config/lexicon.toml``: weighted terms grouped into themes, and the scoring knobs."""

    terms: tuple[Term, ...]
    labels: dict[str, str] = field(default_factory=dict)  # theme id -> French label
    threshold: float = 0.30
    scale: float = 3.0
    title_weight: float = 2.0
    theme_min: float = 1.0


def _parse_lexicon(data: dict[str, Any], path: Path) -> Lexicon:
    themes = require(data, "themes", dict, path, "lexicon")
    terms: list[Term] = []
    labels: dict[str, str] = {}
    for theme_id, spec in themes.items():
        where = f"themes.{theme_id}"
        if not isinstance(spec, dict):
            raise ConfigError(path, "a theme must be a table", field=where)
        labels[theme_id] = optional(spec, "label", str, theme_id, path, where)
        plain = optional(spec, "terms", dict, {}, path, where)
        acronyms = optional(spec, "acronyms", dict, {}, path, where)
        if not plain and not acronyms:
            raise ConfigError(path, "a theme needs 'terms' or 'acronyms'", field=where)
        for table, case_sensitive in ((plain, False), (acronyms, True)):
            for term, weight in table.items():
                if not isinstance(weight, int | float) or isinstance(weight, bool):
                    raise ConfigError(path, f"weight of {term!r} must be a number", field=where)
                try:
                    pattern = _term_regex(term, case_sensitive)
                except ValueError as exc:
                    raise ConfigError(path, str(exc), field=where) from None
                anchor, runs_on = _term_anchor(term, case_sensitive), _anchor_runs_on(term, case_sensitive)
                terms.append(
                    Term(
                        term.replace("*", ""),
                        theme_id,
                        float(weight),
                        pattern,
                        case_sensitive,
                        anchor,
                        runs_on,
                    )
                )
    terms.sort(key=lambda t: -t.pattern.pattern.count(" "))  # stable: longest phrases first
    number = (int, float)
    lex = Lexicon(
        terms=tuple(terms),
        labels=labels,
        threshold=float(optional(data, "threshold", number, 0.30, path, "lexicon")),
        scale=float(optional(data, "scale", number, 3.0, path, "lexicon")),
        title_weight=float(optional(data, "title_weight", number, 2.0, path, "lexicon")),
        theme_min=float(optional(data, "theme_min", number, 1.0, path, "lexicon")),
    )
    if not 0 <= lex.threshold < 1:
        raise ConfigError(path, "threshold must be between 0 and 1", field="threshold")
    if lex.scale <= 0:
        raise ConfigError(path, "scale must be positive", field="scale")
    return lex


@functools.lru_cache(maxsize=8)
def _load_lexicon(path: Path, mtime: float) -> Lexicon:
    return _parse_lexicon(read_toml(path), path)


def load_lexicon(config_dir: str | Path | None = None) -> Lexicon:
    """Load ``lexicon.toml`` from ``config_dir`` (default: the bundled ``config/``)."""
    path = Path(config_dir or PACKAGE_CONFIG) / "lexicon.toml"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise ConfigError(path, "file not found") from None
    return _load_lexicon(path, mtime)


def _hashes(match: re.Match[str]) -> str:
    return "#" * len(match.group())


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(_hashes, text)


# -- scoring -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Relevance:
    score: float  # in [0, 1)
    matched_terms: tuple[str, ...] = ()  # strongest first
    themes: tuple[str, ...] = ()  # theme ids, strongest first


def _starts_a_word(words: list[str], prefix: str) -> bool:
    """Does a word of ``words`` (sorted) start with ``prefix``?"""
    i = bisect.bisect_left(words, prefix)
    return i < len(words) and words[i].startswith(prefix)


class _Vocabulary:
    """The words of one view of an article (title and text): can a term match there at all?"""

    def __init__(self, title: str, text: str) -> None:
        self.words = set(title.split())
        self.words.update(text.split())
        self._sorted: list[str] | None = None

    def admits(self, term: Term) -> bool:
        """False when no word of the view is one a match of ``term`` starts with."""
        if not term.anchor:
            return True
        first = term.anchor[1:]
        if not term.runs_on:
            words = self.words
            return first in words or f"{first}s" in words or f"{first}x" in words
        if self._sorted is None:
            self._sorted = sorted(self.words)
        return _starts_a_word(self._sorted, first)


def score(article: Article, lexicon: Lexicon) -> Relevance:
    """How much ``article`` is about the sector, and through which terms and themes."""
    body = article.text or ""
    if article.lead and fold(article.lead)[:80] not in fold(body[:2000]):
        body = article.lead + "\n" + body
    views: dict[bool, tuple[str, str]] = {}
    vocabulary: dict[bool, _Vocabulary] = {}  # a term can only match where a word starts with its anchor
    for case in (False, True):
        views[case] = (_view(_words(article.title or "", case)), _view(_words(body, case)))
        vocabulary[case] = _Vocabulary(*views[case])
    contributions: dict[str, float] = {}
    by_theme: dict[str, float] = {}
    for term in lexicon.terms:  # longest first: a matched phrase hides the words inside it
        if not vocabulary[term.case_sensitive].admits(term):
            continue  # no match possible: skip the regexes (most terms, on most articles)
        title, text = views[term.case_sensitive]
        blanked, n = term.pattern.subn(_hashes, text)  # count and blank in one pass
        in_title = term.pattern.search(title) is not None
        if not n and not in_title:
            continue
        views[term.case_sensitive] = (_blank(term.pattern, title) if in_title else title, blanked)
        value = term.weight * (n / (n + 1) + lexicon.title_weight * in_title)
        contributions[term.label] = contributions.get(term.label, 0.0) + value
        by_theme[term.theme] = by_theme.get(term.theme, 0.0) + value
    raw = sum(contributions.values())
    result = 1.0 - math.exp(-raw / lexicon.scale)
    terms = tuple(k for k, _ in sorted(contributions.items(), key=lambda kv: (-kv[1], kv[0])))
    themes = tuple(
        k for k, v in sorted(by_theme.items(), key=lambda kv: (-kv[1], kv[0])) if v >= lexicon.theme_min
    )
    return Relevance(round(result, 4), terms, themes)


# -- the Scrapy stage -----------------------------------------------------------------------------
def judge(article: Article, lexicon: Lexicon, config: RelevanceConfig) -> tuple[str | None, str | None]:
    """Set language and relevance on ``article``; return ``(reason_key, message)`` if it must go."""
    sample = "\n".join(x for x in (article.title, article.lead or "", article.text) if x)
    detected = detect_language(sample)
    language = detected or (article.language.lower()[:2] if article.language else None)
    article.language = language
    # a document (a file of a documents source) is kept whatever its score: the source is there
    # for its files, and a table-only spreadsheet has too little text to score or to tell its
    # language; one written in another language is still dropped
    document = article.kind == "document"
    if language is None:
        if not config.keep_unknown_language and not document:
            return "language:unknown", "language:unknown (too short to tell)"
    elif language not in config.languages:
        return f"language:{language}", f"language:{language} (kept: {', '.join(config.languages)})"
    result = score(article, lexicon)
    article.relevance = result.score
    article.matched_terms = list(result.matched_terms)
    article.themes = list(result.themes)
    if result.score < lexicon.threshold and not document:
        return "off-topic", f"off-topic (score {result.score:.2f} < {lexicon.threshold:.2f})"
    return None, None


def judged(
    article: Article, config: RelevanceConfig, config_dir: str | None
) -> tuple[Article, str | None, str | None]:
    """:func:`judge` with the lexicon of ``config_dir``: ``(article, reason, message)``.

    Plain arguments, so a worker process can run it (its lexicon is loaded once, then cached).
    """
    reason, message = judge(article, load_lexicon(config_dir), config)
    return article, reason, message


def kept(result: tuple[Article, str | None, str | None], item: Article) -> Article | None:
    """The judged article, or None when :func:`judged` says it will be dropped."""
    article, reason, _ = result
    return None if reason is not None else article


class RelevancePipeline(Stage):
    """Scrapy item pipeline: language filter, then sector relevance."""

    name = "relevance"

    def __init__(
        self,
        lexicon: Lexicon,
        config: RelevanceConfig,
        crawler: Any = None,
        workers: Workers | None = None,
        config_dir: str | None = None,
    ) -> None:
        super().__init__(crawler, workers)  # workers judge with the lexicon of config_dir
        self.lexicon = lexicon
        self.config = config
        self.config_dir = config_dir

    @classmethod
    def from_crawler(cls, crawler: Any) -> RelevancePipeline:
        config_dir = crawler.settings.get("VEILLE_CONFIG_DIR")
        workers = Workers.from_settings(crawler.settings)
        config = pipeline_config(crawler.settings).relevance
        return cls(load_lexicon(config_dir), config, crawler, workers, config_dir)

    def step(self) -> Step:
        return self.name, judged, (self.config, str(self.config_dir) if self.config_dir else None), kept

    def work_here(self, item: Article) -> tuple[Article, str | None, str | None]:
        return (item, *judge(item, self.lexicon, self.config))

    def finish(self, item: Article, result: tuple[Article, str | None, str | None]) -> Article:
        judged_item, reason, message = result
        if reason is not None:
            raise self.drop(judged_item, reason, message or reason)
        return judged_item


__all__: Sequence[str] = (
    "Lexicon", "Relevance", "RelevanceConfig", "RelevancePipeline", "Term",
    "detect_language", "judge", "judged", "kept", "load_lexicon", "score",
)  # fmt: skip
