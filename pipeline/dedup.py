"""Dedup stage: drop exact copies, group near-copies into syndication clusters.

- **Exact duplicates.** ``content_hash`` is the SHA-256 of the accent- and case-folded
  text (:func:`veille.core.folding.content_hash`). An item whose text is identical to an archived
  (or earlier in this run) article under another URL is dropped with reason ``duplicate``.
- **Near duplicates.** A wire story republished by five sites, each with its own intro or
  trimmed ending, is kept five times but as one cluster: ``article.cluster`` is the archive
  id of the cluster's first member. Texts are compared with MinHash (word 5-shingles on
  folded text, 128 permutations) and a MinHash LSH index (Jaccard threshold 0.7), built
  when the spider opens from the minhashes stored in the archive over a recent window
  (90 days), so clusters span runs. The minhash travels on the item (``article.minhash``:
  the 128 hash values as little-endian uint64 bytes) and is stored with it.
- **Catching up.** Before each item's cluster is looked up, the index reads the articles archived
  since it last looked, by other crawlers of the run and by other processes (``veille crawl
  --worker`` on other machines): one indexed query (:func:`refresh_index`). On PostgreSQL an
  article's id is taken when its batch inserts it and seen by others when the batch commits, so a
  batch committed late shows ids below those already read: the ids skipped are asked for again
  until they appear (or for ``GAP_SECONDS``: an id may also be lost to a rolled-back write).

Settings: the ``[dedup]`` section of ``config/pipeline.toml``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipeline.config import pipeline_config
from pipeline.normalise import fold
from pipeline.stage import Stage, Step
from veille.archive.clusters import article_ids_above, last_article_id, signatures, signatures_since
from veille.archive.store import Store, open_store, utcnow
from veille.core.conf.pipeline import DedupConfig
from veille.core.models import Article
from veille.core.workers import Workers

WORDS = re.compile(r"[a-z0-9]+")
GAP_SECONDS = 120.0  # an id skipped by the index is asked for again this long (a batch not committed yet)
MAX_GAPS = 256  # ids asked for again at most (the most recent kept): a few batches in flight


# -- minhash --------------------------------------------------------------------------------
def words(text: str) -> list[str]:
    """The folded words of ``text`` (accents, case and punctuation ignored)."""
    return WORDS.findall(fold(text))


def content_hash(text: str) -> str:
    """:func:`veille.core.folding.content_hash` (same digest), with the faster fold."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = 5) -> set[bytes]:
    """Word ``size``-shingles of the folded text (one shingle for shorter texts)."""
    return _shingles(words(text), size)


def _shingles(w: list[str], size: int) -> set[bytes]:
    if not w:
        return set()
    if len(w) <= size:
        return {" ".join(w).encode()}
    return {" ".join(w[i : i + size]).encode() for i in range(len(w) - size + 1)}


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> Any:
    return MinHash(num_perm=num_perm, seed=seed).permutations


_MERSENNE = np.uint64((1 << 61) - 1)  # datasketch's permutation modulus and hash range
_MAX_HASH = np.uint64((1 << 32) - 1)
_TOP = np.uint64(61)
_ROWS = 256  # shingles permuted at a time: the working arrays stay in the processor's cache


def _hash32(items: Iterable[bytes]) -> Any:
    """datasketch's ``sha1_hash32`` of each item (first 4 digest bytes, little-endian), as uint64."""
    digests = b"".join([hashlib.sha1(item).digest() for item in items])
    return np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint64)  # 4 of each 20 bytes


def _shingle_bytes(w: list[str], size: int) -> list[bytes]:
    """The word ``size``-shingles of ``w`` (the words, ASCII) as :func:`_shingles` spells them,
    cut from one encoded string, repeats kept (a minimum does not care)."""
    text = " ".join(w)
    if not text.isascii():  # not from WORDS: one shingle at a time
        return list(_shingles(w, size))
    joined = text.encode()
    if len(w) <= size:
        return [joined]
    ends = list(itertools.accumulate(len(word) + 1 for word in w))  # one past each word's space
    return [joined[start : end - 1] for start, end in zip([0, *ends], ends[size - 1 :], strict=False)]


def _modulo_mersenne(xs: Any, ys: Any) -> None:
    """``xs %= 2**61 - 1`` in place (uint64; ``ys``, of the same shape, is overwritten)."""
    np.right_shift(xs, _TOP, out=ys)
    np.bitwise_and(xs, _MERSENNE, out=xs)
    np.add(xs, ys, out=xs)  # < p + 8, congruent modulo p
    np.subtract(xs, _MERSENNE, out=ys)  # wraps to a larger number where xs < p
    np.minimum(xs, ys, out=xs)


def minhash(text: str, config: DedupConfig = DedupConfig()) -> LeanMinHash | None:
    """MinHash of ``text``'s shingles, or None when it has fewer than ``min_words`` words."""
    return _minhash_of_words(words(text), config)


def _minhash_of_words(w: list[str], config: DedupConfig) -> LeanMinHash | None:
    """datasketch's ``MinHash.update_batch`` over the shingles, vectorised: same hash values.

    datasketch computes ``((a * h + b) mod 2**64) mod (2**61 - 1)``, then keeps the low 32 bits;
    the modulo by the Mersenne prime is done here without a division: ``x`` is ``x & p`` plus
    its top three bits (2**61 is 1 modulo p), less ``p`` once if that is still ``p`` or more.
    """
    if len(w) < config.min_words or not w:
        return None
    a, b = _permutations(config.num_perm, config.seed)
    hv = _hash32(_shingle_bytes(w, config.shingle)).reshape(-1, 1)
    rows = min(_ROWS, len(hv))
    x, y = np.empty((rows, len(a)), dtype=np.uint64), np.empty((rows, len(a)), dtype=np.uint64)
    best = np.full(len(a), _MAX_HASH, dtype=np.uint64)
    for start in range(0, len(hv), rows):
        h = hv[start : start + rows]
        xs, ys = x[: len(h)], y[: len(h)]
        np.multiply(h, a, out=xs)  # wraps modulo 2**64, as datasketch's does
        np.add(xs, b, out=xs)
        _modulo_mersenne(xs, ys)
        np.bitwise_and(xs, _MAX_HASH, out=xs)
        np.minimum(best, xs.min(axis=0), out=best)
    return LeanMinHash(seed=config.seed, hashvalues=best)


def fingerprint(
    text: str, title: str = "", lead: str | None = None, config: DedupConfig = DedupConfig()
) -> tuple[str, bytes | None]:
    """``(content hash, minhash bytes or None)`` of an article: what the dedup stage computes
    from the item alone (pure, so it can run in a worker process). The text is folded once."""
    hashed, shingled = text or title, text or lead or ""
    folded = fold(hashed)
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()
    w = WORDS.findall(folded if shingled == hashed else fold(shingled))
    mh = _minhash_of_words(w, config)
    return digest, (minhash_bytes(mh) if mh is not None else None)


def fingerprinted(article: Article, config: DedupConfig = DedupConfig()) -> tuple[str, bytes | None]:
    """:func:`fingerprint` of an article."""
    return fingerprint(article.text, article.title, article.lead, config)


def minhash_bytes(mh: MinHash) -> bytes:
    """Serialise for ``articles.minhash``: the hash values as little-endian uint64."""
    return np.asarray(mh.hashvalues, dtype="<u8").tobytes()


def minhash_from_bytes(data: bytes | None, config: DedupConfig = DedupConfig()) -> LeanMinHash | None:
    """Read back :func:`minhash_bytes`; None when absent or made with another ``num_perm``."""
    if not data or len(data) != 8 * config.num_perm:
        return None
    return LeanMinHash(seed=config.seed, hashvalues=np.frombuffer(bytes(data), dtype="<u8").astype(np.uint64))


def similarity(a: MinHash, b: MinHash) -> float:
    """Estimated Jaccard similarity of two minhashes."""
    return float(np.count_nonzero(np.asarray(a.hashvalues) == np.asarray(b.hashvalues))) / len(a.hashvalues)


# -- the index ----------------------------------------------------------------------------------
@dataclass
class _Member:
    mh: MinHash
    cluster: int | None  # known cluster id (archived members)
    article: Article | None  # in-run members: their id and cluster appear once stored
    urls: frozenset[str] = field(default_factory=frozenset)
    order: int = 0  # in-run members: the order they were added in

    def cluster_id(self) -> int | None:
        if self.cluster is not None:
            return self.cluster
        if self.article is not None:
            return self.article.cluster if self.article.cluster is not None else self.article.id
        return None


class ClusterIndex:
    """A MinHash LSH index of cluster members: which cluster, if any, does a text join?"""

    def __init__(self, config: DedupConfig = DedupConfig()) -> None:
        self.config = config
        self.lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
        self.members: dict[str, _Member] = {}
        self.last_id = 0  # highest archive id seen (see refresh_index)
        self.gaps: dict[int, float] = {}  # ids below last_id not seen yet -> when first missed (monotonic)
        self.added = 0  # in-run members added (their keys: "r1", "r2"... for every stage sharing the index)

    def __len__(self) -> int:
        return len(self.members)

    def add(
        self,
        key: str,
        mh: MinHash,
        *,
        cluster: int | None = None,
        article: Article | None = None,
        urls: Iterable[str] = (),
    ) -> None:
        if key in self.members:
            self.lsh.remove(key)
        self.members[key] = _Member(mh, cluster, article, frozenset(u for u in urls if u), self.added)
        self.lsh.insert(key, mh)

    def add_article(self, article: Article, mh: MinHash, urls: Iterable[str]) -> None:
        """Add an article of this run (its id and cluster appear once it is stored)."""
        self.added += 1
        self.add(f"r{self.added}", mh, article=article, urls=urls)

    def find(self, mh: MinHash, exclude_urls: Iterable[str] = ()) -> int | None:
        """The cluster (its first member's archive id) of the closest-enough texts, or None."""
        return self.closest(mh, exclude_urls)[0]

    def closest(self, mh: MinHash, exclude_urls: Iterable[str] = ()) -> tuple[int | None, Article | None]:
        """``(cluster, None)``: the cluster (its first member's archive id) of the closest-enough
        texts; else ``(None, article)``: the first article of this run among them, not stored yet
        (the store's writes go in batches), whose cluster the text joins; else ``(None, None)``.

        Candidates from the LSH are checked against the threshold; when several clusters
        match, the oldest (smallest id) wins. ``exclude_urls`` keeps an article that is
        being re-crawled from matching its own archived copy.
        """
        exclude = {u for u in exclude_urls if u}
        best: int | None = None
        waiting: _Member | None = None
        for key in self.lsh.query(mh):
            member = self.members[key]
            if member.urls & exclude:
                continue
            if similarity(mh, member.mh) < self.config.threshold:
                continue
            cluster = member.cluster_id()
            if cluster is not None and (best is None or cluster < best):
                best = cluster
            elif (
                cluster is None
                and member.article is not None
                and (waiting is None or member.order < waiting.order)
            ):
                waiting = member
        if best is not None or waiting is None:
            return best, None
        return None, waiting.article


def load_index(
    store: Store, config: DedupConfig = DedupConfig(), *, now: datetime | None = None
) -> ClusterIndex:
    """An index of the archive's articles from the last ``window_days`` (all when 0)."""
    index = ClusterIndex(config)
    since = (now or utcnow()) - timedelta(days=config.window_days) if config.window_days else None
    index.last_id = last = last_article_id(store)
    _add_rows(index, signatures(store, since), config)
    # the most recent ids not archived yet (a batch still in flight): asked for again
    low = max(0, last - MAX_GAPS)
    archived, missed = article_ids_above(store, low), time.monotonic()
    index.gaps = {i: missed for i in range(low + 1, last + 1) if i not in archived}
    return index


def refresh_index(store: Store, index: ClusterIndex, *, now: float | None = None) -> int:
    """Add the articles archived since the index was built or last refreshed (by other crawlers
    of the run, other processes and machines), and those skipped then; return how many."""
    now = time.monotonic() if now is None else now
    before, known = len(index), index.last_id
    index.gaps = {i: t for i, t in index.gaps.items() if now - t < GAP_SECONDS}
    rows = signatures_since(store, known, index.gaps)
    top = known  # ``now``: monotonic seconds, to age the ids skipped
    for row in rows:
        if row.id <= known:
            index.gaps.pop(row.id, None)
            continue
        for skipped in range(max(top + 1, row.id - MAX_GAPS), row.id):
            index.gaps[skipped] = now  # taken by a transaction not committed yet, or lost
        top = row.id
    _add_rows(index, rows, index.config)
    if len(index.gaps) > MAX_GAPS:
        index.gaps = dict(sorted(index.gaps.items())[-MAX_GAPS:])
    return len(index) - before


def _add_rows(index: ClusterIndex, rows: Iterable[Any], config: DedupConfig) -> None:
    """Add the rows with a signature to ``index``."""
    for row in rows:
        index.last_id = max(index.last_id, row.id)
        mh = minhash_from_bytes(row.minhash, config)
        if mh is not None:
            index.add(f"a{row.id}", mh, cluster=row.cluster_id or row.id, urls=(row.url, row.canonical_url))


# -- the Scrapy stage ----------------------------------------------------------------------------------
class DedupPipeline(Stage):
    """Scrapy item pipeline (before the store): drop exact copies, set ``cluster`` and ``minhash``."""

    name = "dedup"

    def __init__(
        self,
        database_url: str | None,
        config: DedupConfig,
        crawler: Any = None,
        workers: Workers | None = None,
    ) -> None:
        super().__init__(crawler, workers)  # the hashes run in the workers
        self.database_url = database_url
        self.config = config
        self.store: Store | None = None
        self._own_store = True
        self.index = ClusterIndex(config)
        self.hashes: dict[str, set[str]] = {}  # content hash -> URLs seen in this run

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        from pipeline.storage import database_url

        s = crawler.settings
        config = pipeline_config(s).dedup
        return cls(database_url(s), config, crawler, Workers.from_settings(s))

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        shared = getattr(self.crawler, "veille_archive", None)  # the crawl process's one archive
        if shared is not None:
            self.store, self._own_store = shared.store, False
            # one index per process for every source it crawls, caught up with what the others
            # (and other processes) archived since it was built
            key = ("dedup_index", self.config)
            if key not in shared.shared:
                shared.shared[key] = load_index(self.store, self.config)
            self.index = shared.shared[key]
            refresh_index(self.store, self.index)
        elif self.database_url:
            self.store, self._own_store = open_store(self.database_url), True
            self.index = load_index(self.store, self.config)

    def close_spider(self, spider: Any = None) -> None:
        super().close_spider(spider)
        if self.store is not None and self._own_store:
            self.store.close()
        self.store = None

    def _duplicate_of(self, digest: str, urls: set[str]) -> str | None:
        """The URL of an article with the same text under another URL, if any."""
        seen = self.hashes.get(digest)
        if seen and not (seen & urls):
            return sorted(seen)[0]
        if self.store is not None:
            found = self.store.article_id_by_hash(digest)
            if found is not None:
                row = self.store.get_article(found) or {}
                if not ({row.get("url"), row.get("canonical_url")} & urls):
                    return str(row.get("canonical_url") or row.get("url"))
        return None

    def step(self) -> Step:
        """The hashes (in a worker process); the index and the archive stay here."""
        return self.name, fingerprinted, (self.config,), None

    def finish(self, item: Article, result: tuple[str, bytes | None]) -> Article:
        """Drop an exact copy; otherwise give the item its minhash and cluster (no await after
        the hashes: the index and the archive are read and written in one go)."""
        digest, minhash_data = result
        if item.kind == "document" and item.document is not None:
            # a file is one by its bytes (the spider skipped those archived): monthly bulletins
            # share most of their words and are no copies of one another, nor a story's copies
            item.content_hash = item.document.sha256
            return item
        urls = {u for u in (item.url, item.canonical_url) if u}
        item.content_hash = digest
        if item.text:
            original = self._duplicate_of(item.content_hash, urls)
            if original is not None:
                raise self.drop(item, "duplicate", f"duplicate (same text as {original})")
            self.hashes.setdefault(item.content_hash, set()).update(urls)
        mh = minhash_from_bytes(minhash_data, self.config)
        if mh is not None:
            item.minhash = minhash_data
            if self.store is not None:
                refresh_index(self.store, self.index)
            item.cluster, item.cluster_member = self.index.closest(mh, exclude_urls=urls)
            self.index.add_article(item, mh, urls)
        return item
