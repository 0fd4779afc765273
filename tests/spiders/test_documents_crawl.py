"""A documents source crawled end to end (``veille crawl`` in a child process): a loopback listing
of the fixture files, a press feed rounding the office's figure; the files read, refused or
skipped as they should, every expected figure extracted with its provenance, the running text
through the article extractor, and the indicator series choosing the official figure."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import REPO
from tests.spiders.conftest import CRAWL_TOML, crawl
from tests.spiders.documents_fixtures import documents_site, write_files
from tests.store.documents_archive import missing_figures
from veille.archive import schema as t
from veille.archive.indicators import SeriesQuery, series
from veille.archive.store import Store, open_store
from veille.core.conf.rates import RatesFile
from veille.core.config import Settings
from veille.core.series import SeriesRule


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    files = write_files(tmp_path_factory.mktemp("files"))
    with documents_site(files) as served:
        yield served


def _config(tmp_path: Path, base: str) -> Path:
    conf = tmp_path / "config"
    shutil.copytree(REPO / "config", conf)
    (conf / "crawl.toml").write_text(CRAWL_TOML, encoding="utf-8")
    (conf / "sources.toml").write_text(
        f"""
[[source]]
name = "office"
label = "Office des changes"
kind = "documents"
urls = ["{base}/docs/publications"]
allowed_domains = ["127.0.0.1"]
official = true
max_pages = 2

[[source]]
name = "presse"
kind = "rss"
urls = ["{base}/presse/feed.xml"]
allowed_domains = ["127.0.0.1"]
""",
        encoding="utf-8",
    )
    return conf


def _store(conf: Path, data: Path) -> Store:
    return open_store(Settings.load(data_dir=data, config_dir=conf).database_url)


@pytest.mark.slow
def test_a_documents_source_crawled_read_and_extracted(tmp_path: Path, site: tuple[str, list[str]]) -> None:
    base, hits = site
    conf, data = _config(tmp_path, base), tmp_path / "data"
    before = len(hits)
    proc, report = crawl(conf, data, "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert report is not None
    office = next(s for s in report["sources"] if s["name"] == "office")
    # 7 files listed over two pages and the same PDF again under another URL; not the page nor the .docx
    assert (office["fetched"], office["new"], office["duplicate"], office["errors"]) == (8, 5, 1, 2), office
    assert office["drop_reasons"] == {"known": 1}
    messages = sorted(office["error_messages"])
    assert messages[0].endswith("corrompu.pdf: broken PDF (PSEOF: Unexpected EOF)"), messages
    assert messages[1].endswith("protege.pdf: encrypted PDF refused (it needs a password to open)"), messages
    fetched = hits[before:]
    assert "/docs/a-propos.html" not in fetched and "/docs/note.docx" not in fetched

    store = _store(conf, data)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(t.articles.c.id, t.articles.c.url, t.articles.c.kind)).all()
        # the same PDF is listed twice (the second time under /copie/): whichever came first is kept
        ids = {url.rsplit("/", 1)[-1].replace("indicateurs.pdf", "indicateurs-septembre-2025.pdf"): i
               for i, url, kind in rows if kind == "document"}  # fmt: skip
        assert set(ids) == {"indicateurs-septembre-2025.pdf", "rapport-annuel-2023.pdf", "barometre-2025.xlsx",
                            "entreprises-zones.xls", "emplois-zones.csv"}  # fmt: skip
        assert missing_figures(store, ids) == []
        report_doc = store.document(ids["rapport-annuel-2023.pdf"])
        assert report_doc is not None and report_doc.title == "Rapport annuel 2023 du secteur"
        assert report_doc.date_from == "listing" and report_doc.published is not None
        assert report_doc.published.date().isoformat() == "2024-03-15"
        # the report's running text went through the article extractor
        from veille.archive import search as s

        text_figures = [
            f for f in s.figures_of_articles(store, [ids["rapport-annuel-2023.pdf"]]) if f.cell is None
        ]
        assert {(f.value, f.unit) for f in text_figures} >= {(45.0, "count"), (12_000.0, "count")}
        # the series: the office's exact figure over the press's rounding
        rule = SeriesRule(
            rates=RatesFile(source="test"), default_country="Maroc", official_sources=frozenset({"office"})
        )
        points = series(store, SeriesQuery(indicator="exportations", scope_kind="country", year_from=2025), rule,
                        with_citations=True)  # fmt: skip
        (point,) = points
        assert point.value == pytest.approx(18_234.5e6) and point.values[0].official
        assert {c.source for c in point.citations} == {"office", "presse"}
    finally:
        store.close()

    # a second crawl archives nothing again and fetches no archived URL again (only the URL whose
    # bytes were archived under the other one is asked again, then skipped by its hash), nor the
    # files refused (remembered; this server gives no ETag nor Last-Modified to ask whether they
    # changed: they wait for the retry delay)
    before = len(hits)
    proc, again = crawl(conf, data, "office", "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = again["sources"]  # type: ignore[index]
    assert line["new"] == 0 and line["duplicate"] == 6 and line["errors"] == 0, line
    assert line["drop_reasons"] == {"known": 6, "refused": 2}, line
    refetched = [h for h in hits[before:] if h.startswith("/docs/") and "publications" not in h]
    assert refetched in (["/docs/indicateurs-septembre-2025.pdf"], ["/docs/copie/indicateurs.pdf"]), refetched


FAST = """
ITEM_PIPELINES = { "pipeline.normalise.NormalisePipeline" = 100, "pipeline.relevance.RelevancePipeline" = 200, "pipeline.dedup.DedupPipeline" = 300, "pipeline.storage.StorePipeline" = 400 }
"""


def test_the_limits_of_crawl_toml_hold_in_a_crawl(tmp_path: Path, site: tuple[str, list[str]]) -> None:
    base, _ = site
    conf, data = _config(tmp_path, base), tmp_path / "data"
    toml = (conf / "crawl.toml").read_text(encoding="utf-8")
    limits = "[crawl.documents]\nmax_file_size = 5000\nmax_pages = 1\n"
    (conf / "crawl.toml").write_text(
        toml.replace("[crawl.autothrottle]", limits + "[crawl.autothrottle]") + FAST
    )
    proc, report = crawl(conf, data, "office", "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = report["sources"]  # type: ignore[index]
    assert line["drop_reasons"].get("too_big") == 2, line  # the workbook and the xls file (6 KB)
    assert any(m.endswith("indicateurs-septembre-2025.pdf: pages 2-2 not read (max_pages 1)") or
               m.endswith("/copie/indicateurs.pdf: pages 2-2 not read (max_pages 1)") for m in line["error_messages"]), line  # fmt: skip
    store = _store(conf, data)
    try:
        kept = {d.url.rsplit("/", 1)[-1]: d for d in store.documents()}
        assert "barometre-2025.xlsx" not in kept and "emplois-zones.csv" in kept
        indicators = next(d for name, d in kept.items() if "indicateurs" in name)
        assert indicators.pages == 2 and store.document(indicators.id).tables == []  # type: ignore[union-attr]
    finally:
        store.close()


def test_sources_check_counts_the_file_links(tmp_path: Path, site: tuple[str, list[str]]) -> None:
    from spiders.check import check_source
    from veille.core.sources import load_sources

    base, _ = site
    (office,) = [s for s in load_sources(_config(tmp_path, base) / "sources.toml") if s.name == "office"]
    (result,) = check_source(office, allow_hosts=["127.0.0.1"])
    assert (
        result.reachable and result.error is None and result.items == 7
    )  # the files; not the page nor the .docx
