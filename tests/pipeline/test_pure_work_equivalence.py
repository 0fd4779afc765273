"""The cheaper pure work of a crawled page gives what the plain implementations give.

Relevance scores with word views cut by ``bytes.translate`` and skips the terms whose first
word is not in the text; normalise collapses only the runs of spaces that change and looks for
invisible characters before removing them; folding remembers its last answers; MinHash permutes
the shingles' hashes without a division. Each is checked here against a plain reference (the
regular-expression views and every term's pattern tried, as scoring was written before; the
unconditional substitutions; datasketch's own MinHash) on every text of the test data and on
texts made to hit the edges (accents, ligatures, letters that fold to two, Arabic, punctuation at
either end, every lexicon term as written, in capitals, in the plural and run on).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash

from pipeline import dedup, normalise
from pipeline.relevance import (
    Lexicon,
    Relevance,
    _blank,
    _folded,
    _hashes,
    _plain,
    judge,
    load_lexicon,
    score,
)
from veille.core.conf.pipeline import DedupConfig, RelevanceConfig
from veille.core.folding import fold, unaccent
from veille.core.models import Article

DATA = Path(__file__).resolve().parent.parent / "data"

EDGES = [
    "",
    "   ",
    "« Offshoring » : le Maroc attire les centres d’appels",
    "…offshoring…",
    "  Offshoring au Maroc  ",
    "Straße STRASSE ß ẞ : la ﬁntech et l'ﬀ offshoring",
    "Kelvin K, İstanbul, ŉ, ǰ : Cybersécurité, CYBERSÉCURITÉ, cyber-attaques",
    "يواصل قطاع ترحيل الخدمات بالمغرب نموه offshoring",
    "BPO, ESN, IA générative, 5G, P2I, xBPO, BPOs, Teleperformance's",
    "loi 09-08 et loi09-08, ISO 27001, ISO27001",
    "start-up, startups, Start-Upper, start up, data centers, datacenters",
    "centre d'appels, centres d’appel, CENTRE D'APPELS, centre  d'appel",
    "Offshoring\u00a0: l\u2019externalisation\u202fdes processus métiers",
    "e\u0301mploi de\u0301localise\u0301 te\u0301le\u0301conseillers",  # decomposed accents
]


def _data_texts() -> list[tuple[str, str]]:
    """(title, text) of every text of the test data: its first line and the rest."""
    texts = []
    for path in sorted(DATA.rglob("*.txt")):
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        texts.append((title, text))
    return texts


def _term_texts(lexicon: Lexicon) -> list[tuple[str, str]]:
    """Each lexicon term as written, in capitals, in the plural and run on, in a sentence."""
    out = []
    for term in lexicon.terms:
        label = term.label
        out.append((label, f"Selon le rapport, {label} progresse."))
        out.append(("", f"{label.upper()} ; {label}s et {label}x, puis {label}ing et «{label}»."))
        out.append((f"{label}-{label}", f"({label})"))
    return out


# -- relevance ----------------------------------------------------------------------------------------
def reference_score(article: Article, lexicon: Lexicon) -> Relevance:
    """Scoring as written before: the views by regular expression, every term's pattern tried."""
    body = article.text or ""
    if article.lead and fold(article.lead)[:80] not in fold(body[:2000]):
        body = article.lead + "\n" + body
    views = {
        False: (_folded(article.title or ""), _folded(body)),
        True: (_plain(article.title or ""), _plain(body)),
    }
    contributions: dict[str, float] = {}
    by_theme: dict[str, float] = {}
    for term in lexicon.terms:
        title, text = views[term.case_sensitive]
        blanked, n = term.pattern.subn(_hashes, text)
        in_title = term.pattern.search(title) is not None
        if not n and not in_title:
            continue
        views[term.case_sensitive] = (_blank(term.pattern, title) if in_title else title, blanked)
        value = term.weight * (n / (n + 1) + lexicon.title_weight * in_title)
        contributions[term.label] = contributions.get(term.label, 0.0) + value
        by_theme[term.theme] = by_theme.get(term.theme, 0.0) + value
    raw = sum(contributions.values())
    terms = tuple(k for k, _ in sorted(contributions.items(), key=lambda kv: (-kv[1], kv[0])))
    themes = tuple(
        k for k, v in sorted(by_theme.items(), key=lambda kv: (-kv[1], kv[0])) if v >= lexicon.theme_min
    )
    return Relevance(round(1.0 - math.exp(-raw / lexicon.scale), 4), terms, themes)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def test_the_data_has_texts_to_compare_on() -> None:
    assert len(_data_texts()) >= 200


def test_score_is_the_reference_score_on_every_text(lexicon: Lexicon) -> None:
    texts = _data_texts() + [(t, t) for t in EDGES] + [("", t) for t in EDGES] + _term_texts(lexicon)
    kept = matched = 0
    for title, text in texts:
        for lead in (None, text[:200], "Chapeau sans rapport : offshoring et relation client."):
            article = Article(url="https://x.ma/a", source="x", title=title, text=text, lead=lead)
            expected = reference_score(article, lexicon)
            assert score(article, lexicon) == expected, (title, text[:80], lead)
            kept += expected.score >= lexicon.threshold
            matched += bool(expected.matched_terms)
    assert kept > 100 and matched > len(texts)  # the comparison covers kept and matched articles


def test_the_stage_decides_as_before_on_every_text(lexicon: Lexicon) -> None:
    """judge (language, then the score against the threshold) gives the reference's decision."""
    for title, text in _data_texts():
        article = Article(url="https://x.ma/a", source="x", title=title, text=text)
        reason, _ = judge(article, lexicon, RelevanceConfig())
        expected = reference_score(article, lexicon)
        if reason is None or reason == "off-topic":
            assert (article.relevance, tuple(article.matched_terms), tuple(article.themes)) == (
                expected.score,
                expected.matched_terms,
                expected.themes,
            )
            assert (reason == "off-topic") == (expected.score < lexicon.threshold)


# -- normalise ------------------------------------------------------------------------------------------
OLD_SPACES = re.compile(r"[ \t\f\v\u2000-\u200a\u205f\u3000]+")
OLD_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def reference_clean_text(text: str) -> str:
    """clean_text with every run of spaces replaced and the invisible characters always translated."""
    spaces, invisible = normalise._SPACES, normalise._visible
    normalise._SPACES = OLD_SPACES
    normalise._visible = lambda t: t.translate(OLD_INVISIBLE)
    try:
        return normalise.clean_text(text)
    finally:
        normalise._SPACES, normalise._visible = spaces, invisible


@pytest.mark.parametrize(
    "line",
    [
        "a  b",
        "a \t b",
        "\u2003a\u2003\u2003b ",
        " a b ",
        "a\u00a0 b",
        "a \u202f b\u3000",
        "\tb",
        "a\u200b b\u00ad c\ufeff",
        "un mot",
        "",
    ],
)
def test_spaces_collapse_as_before(line: str) -> None:
    assert normalise._SPACES.sub(" ", line) == OLD_SPACES.sub(" ", line)
    assert normalise._visible(line) == line.translate(OLD_INVISIBLE)


def test_clean_text_is_the_reference_on_every_text() -> None:
    for title, text in _data_texts():
        for variant in (text, text.replace(" ", "  ").replace("\n", " \t\n\u2003"), f"\u200b{text}\u00ad"):
            assert normalise.clean_text(variant) == reference_clean_text(variant)
        assert normalise.clean_title(title) == reference_clean_title(title)


def reference_clean_title(title: str) -> str:
    spaces, invisible = normalise._SPACES, normalise._visible
    normalise._SPACES = OLD_SPACES
    normalise._visible = lambda t: t.translate(OLD_INVISIBLE)
    try:
        return normalise.clean_title(title)
    finally:
        normalise._SPACES, normalise._visible = spaces, invisible


# -- folding and MinHash ------------------------------------------------------------------------------------
def test_folding_remembers_without_changing_its_answers() -> None:
    for _, text in _data_texts()[:50] + [("", t) for t in EDGES]:
        plain = " ".join(unaccent.__wrapped__(text).casefold().replace("’", "'").split())
        assert fold(text) == plain == fold(text)
        assert unaccent(text) == unaccent.__wrapped__(text)


def _datasketch_minhash(text: str, config: DedupConfig) -> LeanMinHash | None:
    """datasketch's own MinHash (its SHA-1 of each shingle, its permutations) over the shingle set:
    what the archive's stored signatures were made with."""
    w = dedup.words(text)
    if len(w) < config.min_words:
        return None
    mh = MinHash(num_perm=config.num_perm, seed=config.seed)
    mh.update_batch(sorted(dedup._shingles(w, config.shingle)))
    return LeanMinHash(mh)


@pytest.mark.parametrize("config", [DedupConfig(), DedupConfig(num_perm=64, shingle=3, seed=7, min_words=1)])
def test_minhash_is_datasketchs_on_every_text(config: DedupConfig) -> None:
    texts = [text for _, text in _data_texts()] + EDGES + [" ".join(["mot"] * 40), "un deux"]
    compared = 0
    for text in texts:
        expected, got = _datasketch_minhash(text, config), dedup.minhash(text, config)
        assert (got is None) == (expected is None), text[:80]
        if expected is not None and got is not None:
            assert np.array_equal(got.hashvalues, expected.hashvalues), text[:80]
            compared += 1
    assert compared >= 200


def test_the_modulo_without_division_is_the_modulo() -> None:
    """The values of a real text almost never reach 2**61 - 1 or above after the folding step:
    the reduction is checked on the edges themselves."""
    p = (1 << 61) - 1
    edges = [0, 1, p - 1, p, p + 1, p + 7, 2 * p, 2 * p + 1, 1 << 61, (1 << 62) - 1, (1 << 64) - 1]
    rng = np.random.default_rng(1)
    values = edges + [int(v) for v in rng.integers(0, 2**63, size=500, dtype=np.uint64)]
    values += [(v * 8) % (1 << 64) for v in values]
    xs = np.array(values, dtype=np.uint64).reshape(-1, 1)
    dedup._modulo_mersenne(xs, np.empty_like(xs))
    assert [int(x) for x in xs.ravel()] == [v % p for v in values]


@pytest.mark.parametrize("case_sensitive", [False, True])
def test_word_views_have_the_words_of_the_regular_expression_views(case_sensitive: bool) -> None:
    from pipeline.relevance import _view, _words

    reference = _plain if case_sensitive else _folded
    for title, text in _data_texts()[:80] + [(t, t) for t in EDGES]:
        for s in (title, text):
            assert _view(_words(s, case_sensitive)).split() == reference(s).split()
