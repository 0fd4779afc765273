"""One archive per crawl process: every source's spider and stages work with the same Store, the
near-duplicate index is built once per process and caught up with what others archive, and the
"is this URL known?" question is asked once, in the write."""

from __future__ import annotations

from scrapy import Spider
from scrapy.utils.test import get_crawler

from pipeline.dedup import DedupPipeline, fingerprint
from pipeline.storage import StorePipeline
from spiders.archive import ArchiveExtension, CrawlArchive
from veille.archive.store import Store, open_store
from veille.core.models import Article

TEXT = (
    "Le centre de relation client de Fès Shore recrute 400 téléconseillers bilingues cette année, "
    "a annoncé son directeur lors de l'inauguration du nouveau plateau, qui compte 300 positions."
)


def _crawler(url: str, archive: CrawlArchive | None, name: str):  # type: ignore[no-untyped-def]
    crawler = get_crawler(Spider, settings_dict={"VEILLE_DATABASE_URL": url})
    if archive is not None:
        crawler.veille_archive = archive
    crawler.spider = crawler._create_spider(name)
    crawler.stats.open_spider()
    return crawler


def _article(url: str) -> Article:
    digest, mh = fingerprint(TEXT, "Fès Shore recrute")
    return Article(url=url, source="x", title="Fès Shore recrute", text=TEXT, content_hash=digest, minhash=mh)


def test_the_sources_of_one_process_share_one_store_and_one_caught_up_index(any_store: Store) -> None:
    url = str(any_store.engine.url.render_as_string(hide_password=False))
    archive = CrawlArchive(open_store(url))
    first, second = _crawler(url, archive, "a"), _crawler(url, archive, "b")
    dedups = [DedupPipeline.from_crawler(c) for c in (first, second)]
    storages = [StorePipeline.from_crawler(c) for c in (first, second)]
    dedups[0].open_spider()
    assert len(dedups[0].index) == 0
    any_store.upsert_article(_article("https://ailleurs.ma/a"))  # another process archives meanwhile
    dedups[1].open_spider()  # no second index: the process's one, caught up
    assert dedups[1].index is dedups[0].index and len(dedups[0].index) == 1
    for s in storages:
        s.open_spider()
    assert {id(p.store) for p in (*dedups, *storages)} == {id(archive.store)}
    for p in (*dedups, *storages):
        p.close_spider()
    assert archive.store.count_articles() == 1  # the stages did not close the process's store
    archive.store.close()


def test_a_crawler_started_without_veille_crawl_gets_its_own_archive_closed_at_the_end(
    any_store: Store,
) -> None:
    url = str(any_store.engine.url.render_as_string(hide_password=False))
    crawler = _crawler(url, None, "seul")
    ext = ArchiveExtension.from_crawler(crawler)
    archive = crawler.veille_archive
    assert isinstance(archive, CrawlArchive) and ext.own is archive
    again = ArchiveExtension.from_crawler(crawler)  # already there: nothing opened
    assert again.own is None and crawler.veille_archive is archive
    ext.engine_stopped()


def test_a_known_url_is_left_as_it_is_in_the_same_write(any_store: Store) -> None:
    first = _article("https://site.ma/a")
    first.canonical_url = "https://site.ma/a-canonique"
    article_id, created = any_store.upsert_article(first)
    assert created is True
    for url, canonical in (
        ("https://site.ma/a", None),  # as fetched
        ("https://site.ma/a?utm=1", "https://site.ma/a-canonique"),  # by its canonical URL
        ("https://site.ma/a-canonique", None),  # fetched at the other's canonical URL
    ):
        again = _article(url)
        again.canonical_url = canonical
        again.title = "Titre changé"
        assert any_store.upsert_article(again, keep_known=True) == (article_id, None)
    assert any_store.get_article(article_id)["title"] == "Fès Shore recrute"  # type: ignore[index]
    new = _article("https://site.ma/b")
    new.text = TEXT + " Une autre histoire."
    assert any_store.upsert_article(new, keep_known=True)[1] is True
