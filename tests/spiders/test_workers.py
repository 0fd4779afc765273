"""Worker processes (veille.core.workers) and the pure functions the crawl runs in them: the
pooled path must give exactly what the inline path gives."""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash

from pipeline import dedup
from pipeline.relevance import judge, judged, load_lexicon, score
from veille.core.conf.pipeline import DedupConfig, RelevanceConfig
from veille.core.models import Article
from veille.core.workers import Workers, worker_count

TEXT = (
    "Casanearshore accueille un nouvel opérateur de relation client : 450 positions de travail "
    "et 300 recrutements de téléconseillers d'ici décembre, selon l'AMDIE. Le centre d'appels "
    "servira des assureurs français ; l’offshoring confirme sa place dans les exportations de "
    "services du Royaume, portées par les ESN et l'externalisation des processus métiers (BPO)."
)


def test_worker_count() -> None:
    assert worker_count(0) == 0 and worker_count("3") == 3 and worker_count(-1) == 0
    assert worker_count("auto") >= 1 and worker_count(None) >= 1
    with pytest.raises(ValueError, match="VEILLE_WORKERS"):
        worker_count("many")


def test_workers_without_a_pool_run_inline() -> None:
    workers = Workers(0)
    workers.open()
    assert not workers.pooled
    assert asyncio.run(workers.run(sorted, [3, 1, 2])) == [1, 2, 3]
    workers.close()


def _datasketch_minhash(text: str, config: DedupConfig) -> LeanMinHash | None:
    """The reference: datasketch's own MinHash.update_batch over the shingles."""
    w = dedup.words(text)
    if len(w) < config.min_words:
        return None
    mh = MinHash(num_perm=config.num_perm, seed=config.seed)
    mh.update_batch(sorted(dedup._shingles(w, config.shingle)))
    return LeanMinHash(mh)


@pytest.mark.parametrize("text", [TEXT, TEXT[:120], "trop court", "Été " * 40])
def test_minhash_and_fingerprint_match_datasketch(text: str) -> None:
    config = DedupConfig()
    expected = _datasketch_minhash(text, config)
    got = dedup.minhash(text, config)
    assert (got is None) == (expected is None)
    if expected is not None and got is not None:
        assert np.array_equal(got.hashvalues, expected.hashvalues) and got.seed == expected.seed
    digest, data = dedup.fingerprint(text, "Titre", None, config)
    assert digest == dedup.content_hash(text)
    assert data == (dedup.minhash_bytes(expected) if expected is not None else None)
    assert dedup.fingerprint("", "Titre seul", text, config) == (
        dedup.content_hash("Titre seul"),
        dedup.minhash_bytes(expected) if expected is not None else None,
    )


def test_term_patterns_match_where_the_plain_lookbehind_does() -> None:
    """``word(?<= word)rest`` (literal first, fast to scan for) finds the spans ``(?<= )word rest`` does."""
    lexicon = load_lexicon()
    views = [" " + re.sub(r"[^a-z0-9]+", " ", TEXT.lower()) + " ", " BPO ESN ADD AMDIE IA 5G P2I xBPO ", " "]
    for term in lexicon.terms:
        parts = re.fullmatch(r"(\w+)\(\?<= \1\)(.*)", term.pattern.pattern, re.S)
        assert parts is not None, term.pattern.pattern
        plain = re.compile(r"(?<= )" + parts[1] + parts[2])
        for view in views:
            found = [m.span() for m in term.pattern.finditer(view)]
            assert found == [m.span() for m in plain.finditer(view)], term.label


def test_judged_is_judge_with_the_lexicon_of_a_config_dir() -> None:
    a = Article(url="https://x.ma/a", source="x", title="Offshoring : 450 postes", text=TEXT)
    b = Article(url="https://x.ma/a", source="x", title="Offshoring : 450 postes", text=TEXT)
    expected = judge(a, load_lexicon(), RelevanceConfig())
    same, *got = judged(b, RelevanceConfig(), None)
    assert tuple(got) == expected
    assert (same.language, same.relevance, same.matched_terms, same.themes) == (
        a.language,
        a.relevance,
        a.matched_terms,
        a.themes,
    )
    assert score(a, load_lexicon()).score == a.relevance


def test_the_stages_work_in_one_trip_as_each_would_alone() -> None:
    """``run_steps`` (one worker call for normalise, relevance, dedup and the store's full-text keys)
    gives each stage what its own call gives, and stops where the item will be dropped."""
    from pipeline.dedup import DedupPipeline, fingerprinted
    from pipeline.normalise import NormalisePipeline
    from pipeline.relevance import RelevancePipeline
    from pipeline.stage import run_steps
    from pipeline.storage import index_keys
    from veille.core.conf.pipeline import NormaliseConfig

    norm = NormalisePipeline(NormaliseConfig())
    rel = RelevancePipeline(load_lexicon(), RelevanceConfig())
    dd = DedupPipeline(None, DedupConfig())
    steps = [norm.step(), rel.step(), dd.step(), ("store", index_keys, (), None)]

    def article(text: str, title: str = "Offshoring : 450 postes - X") -> Article:
        return Article(url="https://x.ma/a?utm_source=rss", source="x", title=title, text=text)

    together = run_steps(article(TEXT + "\n\n\n" + TEXT[:80]), steps)
    alone = norm.work_here(article(TEXT + "\n\n\n" + TEXT[:80]))
    _, reason, _ = rel.work_here(alone)
    assert reason is None
    assert together.stage_results["normalise"] is together  # normalised in place, as alone
    assert (together.canonical_url, together.title, together.text) == (
        alone.canonical_url,
        alone.title,
        alone.text,
    )
    assert together.stage_results["relevance"][1:] == (None, None)
    assert (together.relevance, together.matched_terms, together.themes) == (
        alone.relevance,
        alone.matched_terms,
        alone.themes,
    )
    assert together.stage_results["dedup"] == fingerprinted(alone, DedupConfig())
    assert together.stage_results["store"] == index_keys(alone)

    football = run_steps(
        article("Le match de football de samedi soir s'est terminé sur un score nul. " * 5, "Botola"), steps
    )
    assert football.stage_results["relevance"][1] == "off-topic"
    assert set(football.stage_results) == {"normalise", "relevance"}  # not hashed for nothing

    # a stage handed its result on the item decides with it, without working again
    done = norm.process_item(together)
    assert done is together and "normalise" not in together.stage_results
    assert rel.process_item(together) is together and "relevance" not in together.stage_results
