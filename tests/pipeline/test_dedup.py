"""Dedup stage: exact duplicates dropped, syndicated copies clustered, across runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import select, update

from pipeline.dedup import (
    ClusterIndex,
    DedupConfig,
    DedupPipeline,
    load_index,
    minhash,
    minhash_bytes,
    minhash_from_bytes,
    refresh_index,
    shingles,
    similarity,
)
from pipeline.storage import StorePipeline
from veille.archive import schema as t
from veille.archive.store import Store, content_hash, open_store, utcnow
from veille.core.config import load_pipeline
from veille.core.errors import ConfigError
from veille.core.models import Article

# A wire story (MAP-style dispatch) and how five sites republished it.
WIRE = (
    "Le groupe français spécialisé dans l'externalisation de la relation client a annoncé mercredi "
    "l'ouverture d'un nouveau site à Tétouan Shore, la zone dédiée aux métiers de l'offshoring au nord du "
    "Royaume. Le centre accueillera dans un premier temps 400 conseillers, avant de monter en charge pour "
    "atteindre 1.200 postes à l'horizon 2027.\n\n"
    "Selon le directeur général de la filiale marocaine, le choix de Tétouan s'explique par la disponibilité "
    "de profils bilingues formés par les établissements de la région, ainsi que par la qualité des "
    "infrastructures de télécommunications de la zone. Les premiers recrutements ont démarré en partenariat "
    "avec l'ANAPEC et l'OFPPT, qui assureront une formation initiale de six semaines.\n\n"
    "Le site traitera principalement des appels entrants pour le compte d'opérateurs de télécommunications "
    "et d'assureurs espagnols et français. Il s'agit du troisième centre du groupe au Maroc, après "
    "Casablanca et Rabat, pour un investissement global estimé à 120 millions de dirhams.\n\n"
    "L'Agence marocaine de développement des investissements et des exportations a salué un projet qui "
    "confirme l'attractivité des zones régionales, au moment où le gouvernement cherche à répartir les "
    "emplois du secteur au-delà de l'axe Casablanca-Rabat."
)

SITES = {
    "le360": (
        "https://le360.ma/economie/tetouan-shore-centre",
        "Tétouan Shore : 1.200 postes d'ici 2027",
        "Lire aussi nos dossiers.\n\n" + WIRE,
    ),
    "medias24": (
        "https://medias24.com/2026/11/04/tetouan-shore",
        "Relation client : un nouveau centre à Tétouan",
        WIRE + "\n\n(Avec MAP)",
    ),
    "h24info": (
        "https://www.h24info.ma/economie/centre-tetouan",
        "Un géant de la relation client s'installe à Tétouan",
        "TÉTOUAN - " + WIRE.replace("mercredi", "ce mercredi"),
    ),
    "leseco": (
        "https://leseco.ma/business/tetouan-shore.html",
        "Offshoring : Tétouan Shore attire un nouveau centre",
        WIRE.rsplit("\n\n", 1)[0],
    ),
    "lematin": (
        "https://lematin.ma/economie/tetouan-offshoring",
        "Tétouan Shore : 400 conseillers dans un premier temps",
        "Bonne nouvelle pour l'emploi dans le Nord.\n\n" + WIRE.replace("1.200", "1200"),
    ),
}

OTHER = (
    "La Fédération des technologies de l'information a présenté jeudi son baromètre annuel des "
    "entreprises de services du numérique. Le chiffre d'affaires des ESN marocaines a progressé de 11% "
    "sur un an, tiré par les contrats de développement logiciel et d'infogérance pour des clients "
    "européens. La pénurie d'ingénieurs reste le premier frein à la croissance, selon les dirigeants "
    "interrogés, devant la concurrence des pays d'Europe de l'Est."
)


def _article(source: str, url: str, title: str, text: str) -> Article:
    return Article(url=url, canonical_url=url, source=source, title=title, text=text)


def wire_articles() -> list[Article]:
    return [_article(source, *spec) for source, spec in SITES.items()]


# -- pure functions ------------------------------------------------------------------------------
def test_shingles_and_minhash() -> None:
    assert shingles("Un deux trois", 5) == {b"un deux trois"}
    assert shingles("Él dos, TROIS quatre cinq six", 5) == {
        b"el dos trois quatre cinq",
        b"dos trois quatre cinq six",
    }
    assert minhash("trop court pour un regroupement") is None
    a, b = minhash(SITES["le360"][2]), minhash(SITES["lematin"][2])
    assert a is not None and b is not None
    assert similarity(a, b) > 0.7
    other = minhash(OTHER)
    assert other is not None and similarity(a, other) < 0.1


def test_minhash_bytes_round_trip() -> None:
    mh = minhash(WIRE)
    assert mh is not None
    data = minhash_bytes(mh)
    assert len(data) == 128 * 8
    back = minhash_from_bytes(data)
    assert back is not None and similarity(mh, back) == 1.0
    assert minhash_from_bytes(data, DedupConfig(num_perm=64)) is None  # made with other settings
    assert minhash_from_bytes(None) is None


def test_cluster_index_prefers_the_oldest_cluster_and_skips_itself() -> None:
    index = ClusterIndex()
    mh = minhash(WIRE)
    assert mh is not None
    index.add("a7", mh, cluster=7, urls=["https://a.ma/1"])
    index.add("a3", mh, cluster=3, urls=["https://b.ma/1"])
    assert index.find(mh) == 3
    assert index.find(mh, exclude_urls=["https://b.ma/1"]) == 7
    other = minhash(OTHER)
    assert other is not None and index.find(other) is None


def test_config_from_file(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text("[dedup]\nthreshold = 0.8\nwindow_days = 30\n")
    assert load_pipeline(tmp_path).dedup == DedupConfig(threshold=0.8, window_days=30)
    (tmp_path / "pipeline.toml").write_text("[dedup]\nthreshold = 1.5\n")
    with pytest.raises(ConfigError, match=r"pipeline.toml \[dedup.threshold\]"):
        load_pipeline(tmp_path)
    assert load_pipeline(Path(__file__).parents[2] / "config").dedup == DedupConfig()


# -- the Scrapy stages ----------------------------------------------------------------------------
class Run:
    """Dedup then store, driven like Scrapy drives them (drops reach the item_dropped signal)."""

    def __init__(self, url: str, **settings: Any) -> None:
        self.crawler = get_crawler(Spider, settings_dict={"VEILLE_DATABASE_URL": url, **settings})
        self.crawler.spider = self.crawler._create_spider("test")
        self.crawler.stats.open_spider()
        self.dedup = DedupPipeline.from_crawler(self.crawler)
        self.storage = StorePipeline.from_crawler(self.crawler)
        self.dedup.open_spider()
        self.storage.open_spider()
        self.dropped: list[str] = []

    def feed(self, item: Article) -> Article | None:
        try:
            return self.storage.process_item(self.dedup.process_item(item))
        except DropItem as exc:
            self.dropped.append(str(exc))
            self.crawler.signals.send_catch_log(
                signal=signals.item_dropped,
                item=item,
                response=None,
                spider=self.crawler.spider,
                exception=exc,
            )
            return None

    def close(self) -> None:
        self.storage.close_spider()
        self.dedup.close_spider()


@pytest.fixture
def db_url(store: Store) -> Iterator[str]:
    yield store.url


def _clusters(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            row.url: row.cluster_id for row in conn.execute(select(t.articles.c.url, t.articles.c.cluster_id))
        }


def test_five_sites_one_cluster_all_kept(db_url: str, store: Store) -> None:
    run = Run(db_url)
    items = wire_articles()
    for item in items:
        assert run.feed(item) is item
    run.feed(_article("fed", "https://apebi.ma/barometre", "Baromètre ESN", OTHER))
    run.close()
    clusters = _clusters(store)
    first = items[0].id
    assert [clusters[a.url] for a in items] == [first] * 5
    assert clusters["https://apebi.ma/barometre"] not in (None, first)
    assert all(a.minhash is not None and a.content_hash for a in items)
    line = store.runs()[0]["sources"]
    assert sum(s["new"] for s in line) == 6


def test_exact_duplicate_under_another_url_is_dropped(db_url: str, store: Store) -> None:
    run = Run(db_url)
    run.feed(_article("le360", "https://le360.ma/a", "Titre", WIRE))
    copy = _article(
        "yabiladi", "https://yabiladi.com/copie", "Autre titre", WIRE.replace("\n\n", "\n").upper()
    )
    assert run.feed(copy) is None
    assert run.dropped == ["duplicate (same text as https://le360.ma/a)"]
    assert run.crawler.stats.get_value("veille/yabiladi/dropped/duplicate") == 1
    run.close()
    assert store.count_articles() == 1
    line = {s["source"]: s for s in store.runs()[0]["sources"]}["yabiladi"]
    assert (line["duplicate"], line["dropped"], line["drop_reasons"]) == (1, 0, {"duplicate": 1})
    assert copy.content_hash == content_hash(WIRE)


def test_exact_duplicate_of_an_archived_article_in_a_later_run(db_url: str, store: Store) -> None:
    first = Run(db_url)
    first.feed(_article("le360", "https://le360.ma/a", "Titre", WIRE))
    first.close()
    second = Run(db_url)
    assert second.feed(_article("autre", "https://autre.ma/b", "Titre", WIRE)) is None
    assert second.dropped[0].startswith("duplicate")
    # the same URL again is not a duplicate text: the store stage skips it as known
    assert second.feed(_article("le360", "https://le360.ma/a", "Titre", WIRE)) is None
    assert second.dropped[1].startswith("known")
    second.close()
    assert store.count_articles() == 1


def test_clusters_span_runs(db_url: str, store: Store) -> None:
    items = wire_articles()
    first = Run(db_url)
    for item in items[:2]:
        first.feed(item)
    first.close()
    second = Run(db_url)
    assert len(second.dedup.index) == 2  # built from the archive's stored minhashes
    for item in items[2:]:
        second.feed(item)
    second.close()
    clusters = _clusters(store)
    assert {clusters[a.url] for a in items} == {items[0].id}
    assert len(clusters) == 5


def test_parallel_crawlers_of_one_run_share_clusters(db_url: str, store: Store) -> None:
    """One crawler per source, all opened before any write (as ``veille crawl`` runs them)."""
    items = wire_articles()
    crawls = [Run(db_url) for _ in items]
    for crawl, item in zip(crawls, items, strict=True):
        assert crawl.feed(item) is item
    for crawl in crawls:
        crawl.close()
    assert set(_clusters(store).values()) == {items[0].id}


def test_refresh_does_not_match_itself(db_url: str, store: Store) -> None:
    items = wire_articles()
    first = Run(db_url)
    for item in items[:3]:
        first.feed(item)
    first.close()
    again = Run(db_url, VEILLE_REFRESH=True)
    for item in wire_articles()[:3]:
        assert again.feed(item) is item
    again.close()
    clusters = _clusters(store)
    assert store.count_articles() == 3
    assert set(clusters.values()) == {items[0].id}


def test_window_limits_the_index(db_url: str, store: Store) -> None:
    items = wire_articles()
    first = Run(db_url)
    first.feed(items[0])
    first.close()
    old = utcnow() - timedelta(days=200)
    with store.engine.begin() as conn:
        conn.execute(update(t.articles).values(created_at=old, published=old))
    assert len(load_index(store, DedupConfig(window_days=90))) == 0
    assert len(load_index(store, DedupConfig(window_days=0))) == 1  # 0 = whole archive
    second = Run(db_url)
    second.feed(items[1])
    second.close()
    assert items[1].cluster is None and _clusters(store)[items[1].url] == items[1].id


def test_postgresql_archive(pg_url: str) -> None:
    items = wire_articles()
    first = Run(pg_url)
    for item in items[:3]:
        first.feed(item)
    first.close()
    second = Run(pg_url)
    for item in items[3:]:
        second.feed(item)
    assert second.feed(_article("copie", "https://copie.ma/x", "Copie", items[1].text)) is None
    second.close()
    store = open_store(pg_url)
    try:
        assert set(_clusters(store).values()) == {items[0].id}
        assert store.count_articles() == 5
    finally:
        store.close()


def test_documents_are_one_by_their_bytes_not_their_words(db_url: str, store: Store) -> None:
    from veille.core.models import Document

    run = Run(db_url)
    # two monthly bulletins: the same words, other figures in their tables (other bytes)
    months = [
        Article(url=f"https://oc.ma/{m}.pdf", canonical_url=f"https://oc.ma/{m}.pdf", source="oc", title=m,
                text=WIRE, kind="document", document=Document("pdf", sha, 1000))
        for m, sha in (("septembre", "a" * 64), ("octobre", "b" * 64))
    ]  # fmt: skip
    assert [run.feed(a) for a in months] == months  # neither is a copy of the other
    assert [a.content_hash for a in months] == ["a" * 64, "b" * 64] and months[0].minhash is None
    assert run.feed(_article("le360", "https://le360.ma/a", "Titre", WIRE)) is not None  # nor of an article
    run.close()
    assert store.count_articles() == 3 and len(set(_clusters(store).values())) == 3


def test_workers_catch_up_with_a_batch_committed_late_on_postgresql(pg_url: str) -> None:
    """Two crawl workers, each with its own connections and index (two processes on two machines):
    worker B archives a wire story in a transaction that commits only after worker A has read a
    later id. PostgreSQL gave B's article the smaller id: A, reading "after the last id seen",
    would never see it; it must still recognise the next copy as B's story."""
    import threading

    from sqlalchemy import event

    items = wire_articles()
    a, b = Run(pg_url), Run(pg_url)
    assert b.storage.store is not None
    reached, release = threading.Event(), threading.Event()

    def hold_commit(conn: Any) -> None:  # B's batch: inserted, its ids taken, not committed yet
        reached.set()
        release.wait(30)

    event.listen(b.storage.store.engine, "commit", hold_commit)
    writer = threading.Thread(target=b.feed, args=(items[0],))
    writer.start()
    try:
        assert reached.wait(30)
        a.feed(_article("fed", "https://apebi.ma/barometre", "Baromètre ESN", OTHER))  # a later id, committed
        assert a.dedup.store is not None
        refresh_index(a.dedup.store, a.dedup.index)  # A reads what is committed: OTHER, not B's story
    finally:
        release.set()
        writer.join(30)
    event.remove(b.storage.store.engine, "commit", hold_commit)
    assert items[0].id is not None and a.dedup.index.last_id > items[0].id
    assert a.feed(items[1]) is items[1]
    assert items[1].cluster == items[0].id  # A caught up with B's late batch
    assert not a.dedup.index.gaps  # the id skipped was read once it committed
    a.close()
    b.close()
    store = open_store(pg_url)
    try:
        clusters = _clusters(store)
        assert clusters[items[1].url] == clusters[items[0].url] == items[0].id
    finally:
        store.close()
