"""Extraction stage: figures, organisations and persons for archived articles.

Library first: :func:`extract_articles` runs the spaCy pipeline in batches over articles
that were never extracted, or extracted by an older extractor version (or all of them),
and replaces each article's figures and mentions atomically. One bad article never stops
a batch. :class:`ExtractPipeline` is the Scrapy stage: it notes the ids the store stage
wrote and extracts them in one batch when the spider closes, which is several times
faster than running spaCy item by item.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from veille.archive.store import Store, open_store
from veille.core.models import Analysis, Article
from veille.core.series import SeriesRule

log = logging.getLogger(__name__)


@dataclass
class ExtractReport:
    processed: int = 0
    failed: int = 0
    figures: int = 0
    organisations: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lost: int = 0  # a worker's articles taken over by another worker before it committed them


# Texts per nlp.pipe call: every call with n_process > 1 starts fresh workers that load the
# model again, so calls are few and large; results are written as they stream back, while
# the workers go on with the next batches.
CHUNK = 2000


def _results(
    texts: Sequence[str],
    nlp: Any,
    n_process: int,
    batch_size: int,
    published: Sequence[date | None] | None = None,
) -> Iterator[Analysis | Exception]:
    """One result per text, in order. If the batch fails, the rest is redone text by text."""
    from pipeline.nlp import analyze, analyze_many

    dates = list(published) if published is not None else [None] * len(texts)
    done = 0
    try:
        for result in analyze_many(
            list(texts), nlp=nlp, n_process=n_process, batch_size=batch_size, published=dates
        ):
            done += 1
            yield result
        return
    except Exception as exc:  # noqa: BLE001 - isolate the culprit below
        log.warning("batch extraction failed (%s); retrying article by article", exc)
    for text, day in zip(texts[done:], dates[done:], strict=True):
        try:
            yield analyze(text, nlp=nlp, published=day)
        except Exception as exc:  # noqa: BLE001 - one bad article never stops a batch
            yield exc


def extract_articles(
    store: Store,
    *,
    ids: Iterable[int] | None = None,
    redo_all: bool = False,
    since: datetime | None = None,
    n_process: int = 1,
    batch_size: int = 64,
    config_dir: Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    rule: SeriesRule | None = None,
    nlp: Any = None,
    worker: str | None = None,
    tick: Callable[[], None] | None = None,
) -> ExtractReport:
    """Extract the given articles, or the pending ones (never extracted or older version); then
    compute every point of the indicator series again (with ``rule``, else the config's), except
    in an extraction worker, whose batches leave that to the readers' refresh (the points are
    marked stale by every write).

    An extraction worker (:mod:`pipeline.worker`) passes its loaded ``nlp``, its id (each save
    releases its claim, and is skipped when the claim was taken over) and a ``tick`` called
    after each article (it renews the worker's lease)."""
    from pipeline.limits import cap_text
    from pipeline.nlp import EXTRACTOR_VERSION, build_nlp
    from veille.core.config import load_pipeline

    todo = (
        list(ids)
        if ids is not None
        else store.pending_extraction(EXTRACTOR_VERSION, redo_all=redo_all, since=since)
    )
    report = ExtractReport()
    if not todo:
        return report
    limit = load_pipeline(config_dir).extract.max_text_chars  # archived before the limit, or by another path
    nlp = nlp if nlp is not None else build_nlp(config_dir)
    if len(todo) < 4 * batch_size:
        n_process = 1  # starting workers costs more than it saves on a small batch
    finished = 0
    for i in range(0, len(todo), CHUNK):
        rows = list(store.article_texts(todo[i : i + CHUNK]))
        documents = store.document_tables([article_id for article_id, _, _ in rows])  # their tables
        results = _results(
            [cap_text(text, limit)[0] for _, text, _ in rows],
            nlp,
            n_process,
            batch_size,
            [day for _, _, day in rows],
        )
        for (article_id, _, _), result in zip(rows, results, strict=True):
            finished += 1
            if article_id in documents and not isinstance(result, Exception):
                result = with_tables(store, article_id, result, documents[article_id], config_dir)
            _save(store, article_id, result, report, worker)
            if tick is not None:
                tick()
            if on_progress and (finished % 25 == 0 or finished == len(todo)):
                on_progress(finished, len(todo))
    if report.processed and worker is None:
        refresh_points(store, rule, config_dir)
    return report


def refresh_points(store: Store, rule: SeriesRule | None, config_dir: Path | None) -> None:
    """Every point of the indicator series computed again from the figures just written (what
    the indicators' list and the "à vérifier" page read): the extraction run pays for it, not a
    reader. A failure is logged; the web computes them later."""
    from veille.archive.overview import refresh
    from veille.core.config import Settings

    try:
        refresh(store, rule or Settings.load(config_dir=config_dir).series_rule)
    except Exception:
        log.exception("the indicator series' points could not be computed after the extraction")


def _save(
    store: Store, article_id: int, result: Analysis | Exception, report: ExtractReport, worker: str | None
) -> None:
    """One article's result written (or its failure noted: a worker's claim is let go, to be
    tried again) and counted."""
    from pipeline.nlp import EXTRACTOR_VERSION

    if isinstance(result, Exception):
        report.failed += 1
        report.errors.append(f"article {article_id}: {type(result).__name__}: {result}")
        if worker is not None:
            store.fail_claim(article_id, worker)
    elif store.save_analysis(article_id, result, EXTRACTOR_VERSION, worker=worker):
        report.processed += 1
        report.figures += len(result.figures)
        report.organisations.update(o.name for o in result.organisations)
    else:
        report.lost += 1
        log.warning("article %d: taken over by another worker (lease expired): not saved", article_id)


def with_tables(
    store: Store, article_id: int, analysis: Analysis, tables: list[Any], config_dir: Path | None
) -> Analysis:
    """The analysis of a document's text with the figures of its tables after them
    (:mod:`pipeline.tables`)."""
    from dataclasses import replace

    from pipeline.tables import document_figures, readers
    from veille.core.conf import PACKAGE_CONFIG

    title = store.document_titles([article_id]).get(article_id, "")
    found = document_figures(tables, readers(Path(config_dir) if config_dir else PACKAGE_CONFIG), title=title)
    return replace(analysis, figures=(*analysis.figures, *found))


class ExtractPipeline:
    """Scrapy item pipeline (last): extract what this crawl stored, in one batch at close."""

    def __init__(
        self, database_url: str, enabled: bool, n_process: int, config_dir: Path | None, crawler: Any = None
    ) -> None:
        self.database_url = database_url
        self.crawler = crawler
        self.enabled = enabled
        self.n_process = n_process
        self.config_dir = config_dir
        self.ids: list[int] = []
        self.report: ExtractReport | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        s = crawler.settings
        config_dir = s.get("VEILLE_CONFIG_DIR")
        return cls(
            database_url=s.get("VEILLE_DATABASE_URL"),
            enabled=s.getbool("VEILLE_EXTRACT", True),
            n_process=s.getint("VEILLE_EXTRACT_PROCESSES", 1),
            config_dir=Path(config_dir) if config_dir else None,
            crawler=crawler,
        )

    def process_item(self, item: Article, spider: Any = None) -> Article:
        if item.id is not None:
            self.ids.append(item.id)
        return item

    def close_spider(self, spider: Any = None) -> None:
        if not (self.enabled and self.database_url):
            return
        from pipeline.nlp import EXTRACTOR_VERSION

        shared = getattr(self.crawler, "veille_archive", None)  # the crawl process's one archive
        store = shared.store if shared is not None else open_store(self.database_url, migrate=False)
        try:
            # what this crawl stored, and what a crawl killed before its extraction left behind
            left = [
                i
                for i in store.pending_extraction(EXTRACTOR_VERSION, never_extracted=True)
                if i not in self.ids
            ]
            if not (self.ids or left):
                return
            if left:
                log.info("extracting %d articles archived by an earlier crawl and never extracted", len(left))
            self.report = extract_articles(
                store, ids=[*self.ids, *left], n_process=self.n_process, config_dir=self.config_dir
            )
            log.info(
                "extracted %d articles (%d failed): %d figures",
                self.report.processed, self.report.failed, self.report.figures,
            )  # fmt: skip
        finally:
            if shared is None:
                store.close()
