"""Store stage: archive writes, run ledger, refresh, and what survives an abrupt stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from pipeline.dedup import DedupPipeline
from pipeline.normalise import NormalisePipeline
from pipeline.relevance import RelevancePipeline
from pipeline.storage import StorePipeline
from veille.archive import schema as t
from veille.archive.store import Store, open_store
from veille.core.ledger import ledger_lines, reason_key
from veille.core.models import Article

REPO = Path(__file__).resolve().parents[2]

ZONES = ["Casanearshore", "Technopolis", "Fès Shore", "Oujda Shore", "Tétouan Shore", "Technopark"]
TRADES = ["relation client", "services informatiques", "externalisation des processus métiers", "infogérance"]
CLIENTS = ["assureurs", "banques", "opérateurs télécoms", "distributeurs", "constructeurs automobiles"]


def sector_article(i: int, source: str = "le360") -> Article:
    """A distinct on-topic French article (number ``i``)."""
    zone, trade, client = ZONES[i % len(ZONES)], TRADES[i % len(TRADES)], CLIENTS[i % len(CLIENTS)]
    text = (
        f"Un nouvel opérateur spécialisé dans la {trade} s'installe à {zone} avec {100 + 7 * i} positions de travail. "
        f"Il servira des {client} français et belges, et prévoit {20 + i} recrutements d'ici la fin du trimestre "
        f"numéro {i}.\n"
        f"Selon l'AMDIE, l'offshoring confirme sa place dans les exportations de services du Royaume, "
        f"avec un chiffre d'affaires en hausse de {3 + i % 9} % sur un an pour le dossier {i}."
    )
    return Article(
        url=f"https://{source}.ma/economie/offshoring-{i}?utm_source=rss",
        source=source,
        title=f"{zone} : {100 + 7 * i} positions pour la {trade} - {source.capitalize()}",
        text=text,
    )


FOOTBALL = Article(
    url="https://le360.ma/sport/botola",
    source="le360",
    title="Botola : le leader accroché à domicile",
    text="Le leader du championnat a été tenu en échec samedi soir par une équipe réduite à dix "
    "pendant toute la seconde période, devant un stade comble et un public déçu par le manque d'occasions.",
)
ENGLISH = Article(
    url="https://medias24.com/en/offshoring",
    source="medias24",
    title="Offshoring keeps growing",
    text="Morocco's offshoring sector keeps growing as European firms move customer service operations "
    "to Casablanca, according to a report published on Monday by the industry federation.",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """A fresh archive URL: a temp SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield settings.database_url
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def archive(db_url: str) -> Iterator[Store]:
    store = open_store(db_url)
    yield store
    store.close()


class Crawl:
    """The four stages, driven as Scrapy drives them, with a real Crawler and its signals."""

    def __init__(self, db_url: str, **settings: Any) -> None:
        self.crawler = get_crawler(Spider, settings_dict={"VEILLE_DATABASE_URL": db_url, **settings})
        self.crawler.spider = self.crawler._create_spider("veille-test")
        self.crawler.stats.open_spider()
        self.stages = [
            NormalisePipeline.from_crawler(self.crawler),
            RelevancePipeline.from_crawler(self.crawler),
            DedupPipeline.from_crawler(self.crawler),
            StorePipeline.from_crawler(self.crawler),
        ]
        self.storage: StorePipeline = self.stages[-1]  # type: ignore[assignment]
        for stage in self.stages:
            if hasattr(stage, "open_spider"):
                stage.open_spider()

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def fetched(self, source: str, n: int = 1) -> None:
        """What a spider counts for each page it fetched."""
        self.stats.inc_value(f"veille/{source}/fetched", n)

    def error(self, source: str, message: str) -> None:
        self.stats.inc_value(f"veille/{source}/errors")
        self.stats.set_value(
            f"veille/{source}/error_messages",
            [*self.stats.get_value(f"veille/{source}/error_messages", []), message],
        )

    def feed(self, item: Article, extra: Any = None) -> Article | None:
        self.fetched(item.source)
        try:
            for stage in [*self.stages[:-1], *([extra] if extra else []), self.stages[-1]]:
                item = stage.process_item(item)
            return item
        except DropItem as exc:
            self.crawler.signals.send_catch_log(
                signal=signals.item_dropped,
                item=item,
                response=None,
                spider=self.crawler.spider,
                exception=exc,
            )
            return None

    def close(self, reason: str = "finished") -> None:
        for stage in reversed(self.stages):
            if hasattr(stage, "close_spider"):
                stage.close_spider()
        self.crawler.signals.send_catch_log(
            signal=signals.spider_closed, spider=self.crawler.spider, reason=reason
        )

    def abandon(self) -> None:
        """An abrupt stop: no close_spider, no signal; only release connections (the OS would)."""
        for stage in self.stages:
            store = getattr(stage, "store", None)
            if store is not None:
                store.engine.dispose()


def _lines(store: Store, run_id: int) -> dict[str, dict[str, Any]]:
    run = next(r for r in store.runs(100) if r["id"] == run_id)
    return {line["source"]: line for line in run["sources"]}


def _run(store: Store, run_id: int) -> dict[str, Any]:
    return next(r for r in store.runs(100) if r["id"] == run_id)


# -- pure helpers -------------------------------------------------------------------------------
def test_reason_key() -> None:
    assert reason_key("off-topic (score 0.12 < 0.30)") == "off-topic"
    assert reason_key("language:en (kept: fr)") == "language:en"
    assert reason_key("empty") == "empty"
    assert reason_key("Too old: published 2019") == "too"
    assert reason_key("too-old: published 2019") == "too-old"
    assert reason_key("") == "unspecified"


def test_ledger_lines_from_stats() -> None:
    stats = {
        "item_scraped_count": 3,
        "veille/le360/fetched": 7,
        "veille/le360/new": 3,
        "veille/le360/updated": 1,
        "veille/le360/dropped/off-topic": 1,
        "veille/le360/dropped/known": 2,
        "veille/le360/errors": 1,
        "veille/le360/error_messages": ["HTTP 500 https://le360.ma/x"],
        "veille/medias24/dropped/language:en": 1,
        "veille/medias24/archived_partial": 2,
        "veille/medias24/completed": 1,
    }
    lines = ledger_lines(stats, {"le360": {"off-topic": 1, "too-old": 1}, "medias24": {"language:en": 1}})
    assert lines["le360"] == {
        "fetched": 7,
        "new": 3,
        "duplicate": 3,  # 2 known URLs skipped + 1 refreshed
        "dropped": 2,
        "drop_reasons": {"known": 2, "off-topic": 1, "too-old": 1},
        "errors": 1,
        "error_messages": ["HTTP 500 https://le360.ma/x"],
        "partial": 0,
        "completed": 0,
    }
    assert lines["medias24"]["dropped"] == 1 and lines["medias24"]["fetched"] == 1
    # partial articles archived from the feed, and partial articles completed in place
    assert (lines["medias24"]["partial"], lines["medias24"]["completed"]) == (2, 1)


# -- the stage in a crawl ---------------------------------------------------------------------------
def test_ledger_lines_for_a_crawl(db_url: str, archive: Store) -> None:
    crawl = Crawl(db_url)
    run_id = crawl.storage.run_id
    assert run_id is not None and _run(archive, run_id)["status"] == "running"
    stored = [crawl.feed(sector_article(i)) for i in range(3)]
    assert all(a is not None and a.id for a in stored)
    assert crawl.feed(FOOTBALL) is None
    assert crawl.feed(ENGLISH) is None
    assert crawl.feed(sector_article(0)) is None  # same page again: known URL
    assert crawl.feed(Article(url="https://medias24.com/vide", source="medias24")) is None
    crawl.fetched("medias24", 2)  # pages the spider could not turn into items
    crawl.error("medias24", "HTTP 503 https://medias24.com/page/2")
    crawl.close()

    lines = _lines(archive, run_id)
    assert set(lines) == {"le360", "medias24"}
    le360, medias24 = lines["le360"], lines["medias24"]
    assert (le360["fetched"], le360["new"], le360["duplicate"], le360["dropped"]) == (5, 3, 1, 1)
    assert le360["drop_reasons"] == {"known": 1, "off-topic": 1}
    assert (medias24["fetched"], medias24["new"], medias24["dropped"], medias24["errors"]) == (4, 0, 2, 1)
    assert medias24["drop_reasons"] == {"empty": 1, "language:en": 1}
    assert medias24["error_messages"] == ["HTTP 503 https://medias24.com/page/2"]
    run = _run(archive, run_id)
    assert run["status"] == "ok" and run["finished_at"] is not None
    assert run["detail"] == {"spider": "veille-test"}
    assert archive.count_articles() == 3
    row = archive.get_article(stored[0].id)  # type: ignore[union-attr]
    assert row["canonical_url"] == "https://le360.ma/economie/offshoring-0"
    assert row["title"].endswith("relation client")  # " - Le360" stripped
    assert row["language"] == "fr" and row["relevance"] > 0.9 and "offshoring" in row["matched_terms"]
    assert row["cluster_id"] == stored[0].id and row["minhash"] is not None


def test_given_run_id_and_drops_from_other_stages(db_url: str, archive: Store) -> None:
    run_id = archive.start_run("crawl", detail={"sources": ["le360"]})

    class TooOld:  # a stage that raises DropItem without counting it
        def process_item(self, item: Article, spider: Any = None) -> Article:
            if "7" in item.url:
                raise DropItem("too-old (published 2019-03-01)")
            return item

    crawl = Crawl(db_url, VEILLE_RUN_ID=run_id)
    assert crawl.storage.run_id == run_id
    for i in range(6, 9):
        crawl.feed(sector_article(i), extra=TooOld())
    crawl.close()
    line = _lines(archive, run_id)["le360"]
    assert (line["new"], line["dropped"], line["drop_reasons"]) == (2, 1, {"too-old": 1})
    run = _run(archive, run_id)
    assert run["status"] == "ok" and run["detail"] == {"sources": ["le360"]}


def test_refresh_rewrites_known_articles(db_url: str, archive: Store) -> None:
    first = Crawl(db_url)
    first.feed(sector_article(1))
    first.close()
    again = Crawl(db_url)
    assert again.feed(sector_article(1)) is None  # skipped: already archived
    again.close()
    line = _lines(archive, again.storage.run_id)["le360"]  # type: ignore[arg-type]
    assert (line["new"], line["duplicate"], line["drop_reasons"]) == (0, 1, {"known": 1})

    changed = sector_article(1)
    changed.text += "\nMise à jour : le site ouvrira en janvier."
    refresh = Crawl(db_url, VEILLE_REFRESH=True)
    item = refresh.feed(changed)
    refresh.close()
    assert item is not None and archive.count_articles() == 1
    assert archive.get_article(item.id)["text"].endswith("ouvrira en janvier.")  # type: ignore[index, arg-type]
    line = _lines(archive, refresh.storage.run_id)["le360"]  # type: ignore[arg-type]
    assert (line["new"], line["duplicate"], line["dropped"]) == (0, 1, 0)


def test_abrupt_stop_loses_nothing_and_rerun_adds_no_duplicates(db_url: str, archive: Store) -> None:
    items = 7
    killed = Crawl(db_url, VEILLE_PROGRESS_EVERY=2)
    for i in range(items):
        killed.feed(sector_article(i, "h24info"))
    killed.abandon()  # no close_spider: as after kill -9
    assert archive.count_articles() == items  # each item was committed on its own
    run = _run(archive, killed.storage.run_id)  # type: ignore[arg-type]
    assert run["status"] == "running"
    progress = _lines(archive, run["id"])["h24info"]
    assert progress["new"] >= 6  # the ledger line written every 2 items

    rerun = Crawl(db_url)
    for i in range(items + 3):
        rerun.feed(sector_article(i, "h24info"))
    rerun.close()
    assert archive.count_articles() == items + 3
    with archive.engine.connect() as conn:
        urls = conn.execute(
            select(t.articles.c.canonical_url, func.count()).group_by(t.articles.c.canonical_url)
        )
        assert all(n == 1 for _, n in urls)
    line = _lines(archive, rerun.storage.run_id)["h24info"]  # type: ignore[arg-type]
    assert (line["new"], line["duplicate"]) == (3, items)


def test_unfinished_crawl_marks_the_run_failed(db_url: str, archive: Store) -> None:
    crawl = Crawl(db_url)
    crawl.feed(sector_article(2))
    crawl.close(reason="shutdown")
    run = _run(archive, crawl.storage.run_id)  # type: ignore[arg-type]
    assert run["status"] == "failed" and run["detail"]["reason"] == "shutdown"
    assert _lines(archive, run["id"])["le360"]["new"] == 1


# -- a real crawl, killed with SIGKILL, then run again ------------------------------------------------
SPIDER = textwrap.dedent(
    """
    import asyncio, sys
    sys.path.insert(0, {tests!r})
    from scrapy import Spider
    from scrapy.crawler import CrawlerProcess
    from test_storage import sector_article

    class Slow(Spider):
        name = "slow"

        async def start(self):
            for i in range({count}):
                self.crawler.stats.inc_value("veille/lematin/fetched")
                yield sector_article(i, "lematin")
                await asyncio.sleep({pause})

    process = CrawlerProcess(settings={{
        "VEILLE_DATABASE_URL": {url!r},
        "VEILLE_PROGRESS_EVERY": 2,
        "VEILLE_STORE_BATCH": {batch},
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "ITEM_PIPELINES": {{
            "pipeline.normalise.NormalisePipeline": 100,
            "pipeline.relevance.RelevancePipeline": 200,
            "pipeline.dedup.DedupPipeline": 300,
            "pipeline.storage.StorePipeline": 400,
        }},
    }})
    process.crawl(Slow)
    process.start()
    """
)


def _spider_process(
    tmp_path: Path, url: str, count: int, pause: float, batch: int = 1
) -> subprocess.Popen[bytes]:
    script = tmp_path / f"crawl_{count}.py"
    script.write_text(
        SPIDER.format(tests=str(Path(__file__).parent), url=url, count=count, pause=pause, batch=batch)
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_kill_9_during_a_real_crawl(db_url: str, archive: Store, tmp_path: Path) -> None:
    proc = _spider_process(tmp_path, db_url, count=40, pause=0.1)
    deadline = time.monotonic() + 60
    while archive.count_articles() < 5:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the crawl stored nothing"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = archive.count_articles()
    assert 5 <= kept < 40
    killed_run = archive.runs(1)[0]
    assert killed_run["status"] == "running" and killed_run["sources"]  # a progress line survived

    again = _spider_process(tmp_path, db_url, count=40, pause=0)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert archive.count_articles() == 40
    run = archive.runs(1)[0]
    assert run["status"] == "ok"
    line = run["sources"][0]
    assert (line["source"], line["fetched"], line["new"], line["duplicate"]) == (
        "lematin",
        40,
        40 - kept,
        kept,
    )
