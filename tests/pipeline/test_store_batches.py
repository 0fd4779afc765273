"""The store stage's batches (``VEILLE_STORE_BATCH``): written when full and at close, copies and
near copies inside one batch, one bad item that loses nothing else, the ledger counted right, on
SQLite and PostgreSQL; and a real batched crawl killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select, text

from pipeline.dedup import DedupPipeline
from pipeline.normalise import NormalisePipeline
from pipeline.relevance import RelevancePipeline
from pipeline.storage import StorePipeline
from tests.pipeline.test_dedup import wire_articles
from tests.pipeline.test_storage import _lines, _run, _spider_process, archive, db_url, sector_article
from veille.archive import schema as t
from veille.archive.store import Store
from veille.core.models import Article

__all__ = ["archive", "db_url"]  # fixtures, shared with test_storage


class Batched:
    """Normalise, relevance and dedup as Scrapy drives them, then the store stage's batches: each
    item's outcome arrives once its batch is written (``outcomes``: url -> item, or the error)."""

    def __init__(self, url: str, size: int, **settings: Any) -> None:
        self.crawler = get_crawler(
            Spider, settings_dict={"VEILLE_DATABASE_URL": url, "VEILLE_STORE_BATCH": size, **settings}
        )
        self.crawler.spider = self.crawler._create_spider("veille-test")
        self.crawler.stats.open_spider()
        self.stages = [
            NormalisePipeline.from_crawler(self.crawler),
            RelevancePipeline.from_crawler(self.crawler),
            DedupPipeline.from_crawler(self.crawler),
        ]
        self.storage = StorePipeline.from_crawler(self.crawler)
        for stage in [*self.stages, self.storage]:
            stage.open_spider()
        self.outcomes: dict[str, Any] = {}

    def _dropped(self, item: Article, exc: Exception) -> None:
        self.outcomes[item.url] = exc
        if isinstance(exc, DropItem):
            self.crawler.signals.send_catch_log(
                signal=signals.item_dropped,
                item=item,
                response=None,
                spider=self.crawler.spider,
                exception=exc,
            )

    def feed(self, item: Article) -> None:
        self.crawler.stats.inc_value(f"veille/{item.source}/fetched")
        try:
            for stage in self.stages:
                item = stage.process_item(item)
        except DropItem as exc:
            self._dropped(item, exc)
            return
        done = self.storage.enqueue(item)
        done.addCallbacks(
            lambda kept: self.outcomes.__setitem__(kept.url, kept),
            lambda failure: self._dropped(item, failure.value),
        )

    def close(self) -> None:
        self.storage.close_spider()
        for stage in reversed(self.stages):
            stage.close_spider()


def _count(store: Store) -> int:
    return store.count_articles()


def test_a_batch_is_written_when_full(db_url: str, archive: Store) -> None:
    crawl = Batched(db_url, size=3)
    items = [sector_article(i) for i in range(4)]
    for item in items[:2]:
        crawl.feed(item)
    assert _count(archive) == 0 and crawl.outcomes == {}  # waiting in the batch
    crawl.feed(items[2])
    assert _count(archive) == 3
    assert [crawl.outcomes[a.url].id for a in items[:3]] == sorted(a.id for a in items[:3])
    assert all(a.id is not None for a in items[:3])
    crawl.feed(items[3])
    assert _count(archive) == 3 and items[3].url not in crawl.outcomes
    crawl.close()  # the last one, at close
    assert _count(archive) == 4 and crawl.outcomes[items[3].url] is items[3]
    line = _lines(archive, crawl.storage.run_id)["le360"]  # type: ignore[arg-type]
    assert (line["fetched"], line["new"], line["duplicate"], line["dropped"]) == (4, 4, 0, 0)


def test_a_batch_is_written_at_close_and_the_ledger_counts_it(db_url: str, archive: Store) -> None:
    crawl = Batched(db_url, size=50)
    for i in range(5):
        crawl.feed(sector_article(i, "medias24"))
    crawl.feed(sector_article(1, "medias24"))  # the same page again, in the same batch
    assert _count(archive) == 0
    run_id = crawl.storage.run_id
    assert run_id is not None and _run(archive, run_id)["status"] == "running"
    crawl.close()
    assert _count(archive) == 5
    run = _run(archive, run_id)
    assert run["status"] == "ok"
    line = _lines(archive, run_id)["medias24"]
    assert (line["fetched"], line["new"], line["duplicate"], line["drop_reasons"]) == (6, 5, 1, {"known": 1})


def test_copies_and_near_copies_inside_one_batch(db_url: str, archive: Store) -> None:
    crawl = Batched(db_url, size=20)
    wire = wire_articles()  # one wire story taken up by five sites
    again = wire_articles()[0]  # the first site's page a second time
    copy = Article(url="https://copie.ma/x", source="copie", title="Autre titre", text=wire[0].text.upper())
    for item in [*wire, again, copy]:
        crawl.feed(item)
    assert _count(archive) == 0
    assert str(crawl.outcomes[copy.url]).startswith("duplicate")  # the same text: dropped by dedup
    crawl.close()
    assert _count(archive) == 5
    assert str(crawl.outcomes[again.url]).startswith("known")  # the same URL: left as it is
    with archive.engine.connect() as conn:
        clusters = dict(conn.execute(select(t.articles.c.url, t.articles.c.cluster_id)).all())
    first = wire[0].id
    assert first is not None and [clusters[a.url] for a in wire] == [first] * 5  # one cluster
    assert [a.cluster for a in wire] == [None, first, first, first, first]
    assert all(a.cluster_member is None for a in wire)
    lines = _lines(archive, crawl.storage.run_id)  # type: ignore[arg-type]
    assert sum(line["new"] for line in lines.values()) == 5
    assert lines[wire[0].source]["drop_reasons"] == {"known": 1}
    assert lines["copie"]["drop_reasons"] == {"duplicate": 1}


def test_a_bad_item_loses_nothing_written_before_or_after_it(db_url: str, archive: Store) -> None:
    crawl = Batched(db_url, size=4)
    items = [sector_article(i, "lematin") for i in range(6)]
    # a date without its timezone cannot be written: only this item's write fails
    items[2].published = datetime(2025, 3, 1, 10, 0)
    for item in items:
        crawl.feed(item)
    assert _count(archive) == 3  # the first batch: written again one by one, all but the bad one
    crawl.close()
    assert _count(archive) == 5
    assert "naive datetime" in str(crawl.outcomes[items[2].url])
    assert items[2].id is None and all(crawl.outcomes[a.url] is a for a in items if a is not items[2])
    line = _lines(archive, crawl.storage.run_id)["lematin"]  # type: ignore[arg-type]
    assert (line["fetched"], line["new"], line["dropped"]) == (6, 5, 0)
    with archive.engine.connect() as conn:
        urls = {row.url for row in conn.execute(select(t.articles.c.url))}
    assert urls == {a.url for a in items if a is not items[2]}


def test_a_refresh_in_batches_rewrites_in_place(db_url: str, archive: Store) -> None:
    first = Batched(db_url, size=10)
    for i in range(3):
        first.feed(sector_article(i))
    first.close()
    refresh = Batched(db_url, size=10, VEILLE_REFRESH=True)
    changed = [sector_article(i) for i in range(3)]
    for item in changed:
        item.text += "\nMise à jour de la rédaction."
        refresh.feed(item)
    refresh.close()
    assert _count(archive) == 3
    assert all(archive.get_article(a.id)["text"].endswith("rédaction.") for a in changed)  # type: ignore[arg-type,index]
    line = _lines(archive, refresh.storage.run_id)["le360"]  # type: ignore[arg-type]
    assert (line["new"], line["duplicate"], line["dropped"]) == (0, 3, 0)


# -- a real batched crawl, killed with SIGKILL, then run again ------------------------------------------
@pytest.mark.slow
def test_kill_9_during_a_batched_crawl_loses_at_most_the_batch_and_corrupts_nothing(
    db_url: str, archive: Store, tmp_path: Path
) -> None:
    proc = _spider_process(tmp_path, db_url, count=60, pause=0.02, batch=4)
    deadline = time.monotonic() + 60
    while _count(archive) < 8:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the crawl stored nothing"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = _count(archive)
    assert 8 <= kept < 60
    with archive.engine.connect() as conn:
        if archive.dialect == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            # the full-text index was written in the batches' transactions: in step
            assert conn.execute(text("SELECT count(*) FROM article_fts")).scalar() == kept
        missing = conn.scalar(select(func.count()).where(t.articles.c.cluster_id.is_(None)))
        assert missing == 0  # every batch committed whole, clusters included
    again = _spider_process(tmp_path, db_url, count=60, pause=0, batch=4)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert _count(archive) == 60
    line = archive.runs(1)[0]["sources"][0]
    assert (line["fetched"], line["new"], line["duplicate"]) == (60, 60 - kept, kept)
