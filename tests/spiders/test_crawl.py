"""Crawls of the loopback fixture sites, each in a child process (one Twisted reactor per
process): ``veille crawl`` (``--json``) and ``scrapy crawl``, the same crawl."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import REPO
from tests.spiders.conftest import PYTHON, child_env, crawl
from tests.spiders.site import FixtureSite
from veille.archive import schema as t
from veille.archive.store import open_store
from veille.core.config import Settings

FAST_PIPELINES = """
ITEM_PIPELINES = { "pipeline.normalise.NormalisePipeline" = 100, "pipeline.relevance.RelevancePipeline" = 200, "pipeline.dedup.DedupPipeline" = 300, "pipeline.storage.StorePipeline" = 400 }
"""


@pytest.fixture
def fast_config_dir(config_dir: Path) -> Path:
    """As config_dir, without the (slow, spaCy) extraction stage."""
    with (config_dir / "crawl.toml").open("a", encoding="utf-8") as fh:
        fh.write(FAST_PIPELINES)
    return config_dir


def _archive(config_dir: Path, data_dir: Path) -> dict[str, dict]:
    store = open_store(Settings.load(data_dir=data_dir, config_dir=config_dir).database_url)
    try:
        with store.engine.connect() as conn:
            return {row.url: dict(row._mapping) for row in conn.execute(select(t.articles))}
    finally:
        store.close()


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.mark.slow
def test_full_crawl_of_all_fixture_sites(config_dir: Path, tmp_path: Path, site: FixtureSite) -> None:
    data = tmp_path / "data"
    hits_before = len(site.hits)
    proc, report = crawl(config_dir, data, "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert report is not None
    by = {s["name"]: s for s in report["sources"]}
    assert set(by) == {
        "fixture-wp",
        "fixture-legacy",
        "fixture-news",
        "fixture-atom",
        "fixture-bad",
        "fixture-ssrf",
    }
    assert report["status"] in ("ok", "partial") and report["finished_at"]

    wp = by["fixture-wp"]
    for reason in ("robots", "too_big", "http_404", "not_html"):
        assert wp["drop_reasons"].get(reason) == (2 if reason == "http_404" else 1), (reason, wp)
    assert any("redirect loop" in m for m in wp["error_messages"]), wp
    assert wp["fetched"] == 7  # 5 pages + 2 feed summaries (HTTP 500, timeout)
    assert by["fixture-legacy"]["fetched"] == 3 and by["fixture-legacy"]["errors"] == 0
    assert by["fixture-ssrf"]["drop_reasons"] == {
        "blocked_host": 1
    }  # its feed is on 'localhost', not allowed

    archive = _archive(config_dir, data)
    paths = {_path(u): a for u, a in archive.items()}
    # feed summaries where the page could not be had
    assert paths["/error/500"]["partial"] and "2 000 salariés" in paths["/error/500"]["text"]
    assert paths["/slow"]["partial"]
    assert paths["/wp/2025/05/02/centres-appel-recomposition/"]["partial"]  # paywall
    full = paths["/wp/2025/03/12/offshoring-exportations-record/"]
    assert not full["partial"] and full["author"] == "Salma Bennani" and full["word_count"] > 150
    # legacy cp1252 site, through the pagination, text repaired
    for n in (1, 2, 3):
        legacy = paths[f"/legacy/article-{n}.php"]
        assert "\ufffd" not in legacy["text"] and "Ã" not in legacy["text"]
    assert "Maârouf" in paths["/legacy/article-1.php"]["text"]
    # news sitemap / atom
    # the sitemap lists the same page under two URLs (one dated 2010): whichever crawler
    # stores it first wins, the other copy is an exact duplicate, so exactly one is archived
    copies = {"/news/technopolis-extension.html", "/news/vieille-depeche.html"} & set(paths)
    assert len(copies) == 1, copies
    # the off-topic and Arabic pages were fetched but not archived by the pipeline
    assert "/wp/2025/04/06/derby-nul/" not in paths and "/wp/2025/04/02/tarhil-khadamat/" not in paths
    # never requested: robots-forbidden and disabled sources
    hits = site.hits[hits_before:]
    assert "/robots.txt" in hits and not any(h.startswith("/private/") for h in hits)

    store = open_store(Settings.load(data_dir=data, config_dir=config_dir).database_url)
    try:
        run = next(r for r in store.runs() if r["id"] == report["run_id"])
        assert run["status"] == report["status"] and {s["source"] for s in run["sources"]} == set(by)
    finally:
        store.close()


def test_ssrf_guard_in_a_crawl(fast_config_dir: Path, tmp_path: Path, site: FixtureSite) -> None:
    nearshore = "/wp/2025/05/20/nearshore-nextalis-rabat/"
    before = site.hits.count(nearshore)
    proc, report = crawl(fast_config_dir, tmp_path / "data", "fixture-ssrf", "--allow-host", "localhost")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = report["sources"]
    assert line["drop_reasons"] == {"blocked_host": 3, "blocked_scheme": 2}, line
    assert site.hits.count(nearshore) == before  # the 127.0.0.1 link was not fetched
    assert any("169.254.169.254" in m for m in line["error_messages"])


def test_since_and_limit(fast_config_dir: Path, tmp_path: Path) -> None:
    proc, report = crawl(fast_config_dir, tmp_path / "data", "fixture-news", "--since", "2025-01-01", "--limit", "1",
                         "--allow-host", "127.0.0.1")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = report["sources"]
    assert line["fetched"] == 1 and line["new"] == 1
    archive = _archive(fast_config_dir, tmp_path / "data")
    assert [_path(u) for u in archive] == ["/news/technopolis-extension.html"]  # the newest, not the 2010 one


def test_second_crawl_skips_archived_urls(fast_config_dir: Path, tmp_path: Path, site: FixtureSite) -> None:
    data = tmp_path / "data"
    proc, first = crawl(fast_config_dir, data, "fixture-legacy", "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert first["sources"][0]["new"] == 3
    before = len(site.hits)
    second = subprocess.run(
        [PYTHON, "-m", "veille", "crawl", "fixture-legacy", "--quiet", "--allow-host", "127.0.0.1"],
        cwd=REPO, env=child_env(fast_config_dir, data), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr[-3000:]
    assert "fixture-legacy" in second.stdout and "total" in second.stdout
    assert not any(h.startswith("/legacy/article-") for h in site.hits[before:])
    store = open_store(Settings.load(data_dir=data, config_dir=fast_config_dir).database_url)
    try:
        (line,) = store.runs(limit=1)[0]["sources"]
        assert line["new"] == 0 and line["duplicate"] == 3  # skipped before fetching: "known"
    finally:
        store.close()


def test_scrapy_list_and_crawl_from_the_repo_root(fast_config_dir: Path, tmp_path: Path) -> None:
    env = child_env(fast_config_dir, tmp_path / "data")
    scrapy = str(Path(PYTHON).parent / "scrapy")
    listed = subprocess.run([scrapy, "list"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert listed.stdout.split() == sorted(
        ["fixture-atom", "fixture-bad", "fixture-legacy", "fixture-news", "fixture-ssrf", "fixture-wp"]
    )
    crawled = subprocess.run(
        [scrapy, "crawl", "fixture-legacy", "-s", "VEILLE_ALLOW_HOSTS=127.0.0.1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    archive = _archive(fast_config_dir, tmp_path / "data")
    assert sorted(_path(u) for u in archive) == [f"/legacy/article-{n}.php" for n in (1, 2, 3)]
    # the same entry point as veille crawl: one run for the sources named, in the ledger, ok
    store = open_store(Settings.load(data_dir=tmp_path / "data", config_dir=fast_config_dir).database_url)
    try:
        run = store.runs(limit=1)[0]
    finally:
        store.close()
    assert run["status"] == "ok" and run["detail"]["sources"] == ["fixture-legacy"], run


def test_scrapy_crawl_checks_the_config_and_its_options_like_veille_crawl(
    fast_config_dir: Path, tmp_path: Path
) -> None:
    env = child_env(fast_config_dir, tmp_path / "data")
    scrapy = str(Path(PYTHON).parent / "scrapy")
    bad_set = subprocess.run(
        [scrapy, "crawl", "fixture-legacy", "-s", "DOWNLOAD_DELAYY=0"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad_set.returncode == 1 and "did you mean DOWNLOAD_DELAY?" in bad_set.stderr, bad_set.stderr[
        -2000:
    ]
    toml = fast_config_dir / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("threshold = 0.7", "threshold = 7"))
    bad_file = subprocess.run(
        [scrapy, "crawl", "fixture-legacy"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    lines = [x for x in bad_file.stderr.splitlines() if x.strip()]
    assert bad_file.returncode == 2 and lines == [lines[-1]] and "[dedup.threshold]" in lines[-1], (
        bad_file.stderr
    )
    assert not (tmp_path / "data").exists()


def test_scrapy_list_with_the_bundled_sources() -> None:
    env = {k: v for k, v in child_env(REPO / "config", Path("/nonexistent")).items()}
    scrapy = str(Path(PYTHON).parent / "scrapy")
    listed = subprocess.run([scrapy, "list"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert {"medias24", "leseco", "q-offshoring-maroc"} <= set(listed.stdout.split())
    assert "hespress-fr-sitemap" not in listed.stdout.split()  # disabled


def test_unknown_source_is_one_line_and_non_zero(config_dir: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [PYTHON, "-m", "veille", "crawl", "nope"],
        cwd=REPO, env=child_env(config_dir, tmp_path / "data"), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "unknown source 'nope'" in proc.stderr


def test_article_past_the_text_limit_is_kept_cut_and_flagged(config_dir: Path, tmp_path: Path) -> None:
    """Bounded work in a crawl: an article longer than [extract] max_text_chars is archived with its
    text cut at the limit and ``truncated`` set, then extracted; none is dropped for its length."""
    toml = config_dir / "pipeline.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("max_text_chars = 300_000", "max_text_chars = 300")
    )
    data = tmp_path / "data"
    proc, report = crawl(config_dir, data, "fixture-legacy", "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert report["sources"][0]["new"] == 3
    archive = _archive(config_dir, data)
    assert len(archive) == 3
    cut = [a for a in archive.values() if a["truncated"]]
    assert cut, [len(a["text"]) for a in archive.values()]
    assert all(len(a["text"]) <= 300 for a in archive.values())
    assert all(a["extractor_version"] for a in archive.values())  # extracted, cut or not


def test_json_feed_and_utf16_feed_sources(fast_config_dir: Path, tmp_path: Path, site: FixtureSite) -> None:
    """A JSON Feed 1.1 source and an RSS feed in UTF-16 (BOM, served as text/xml without a
    charset) are crawled like any feed: their entries lead to the article pages."""
    with (fast_config_dir / "sources.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            f'\n[[source]]\nname = "fixture-json"\nkind = "rss"\nurls = ["{site.base}/json/feed.json"]\n'
            f'\n[[source]]\nname = "fixture-utf16"\nkind = "rss"\nurls = ["{site.base}/utf16/feed.xml"]\n'
        )
    for name in ("fixture-json", "fixture-utf16"):
        proc, report = crawl(fast_config_dir, tmp_path / name, name, "--allow-host", "127.0.0.1")
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert report is not None
        (line,) = report["sources"]
        assert line["errors"] == 0, line
        assert line["fetched"] >= 4 and line["new"] >= 2, line
        archive = _archive(fast_config_dir, tmp_path / name)
        full = archive[site.base + "/wp/2025/03/12/offshoring-exportations-record/"]
        assert full["title"].startswith("Offshoring : les exportations atteignent un record")


def test_a_crawl_learns_the_sites_title_suffix(
    fast_config_dir: Path, tmp_path: Path, site: FixtureSite
) -> None:
    """Every <title> of the source ends with " | L'Hebdo du Nord", which its pages name nowhere
    else: the crawl keeps that suffix with the source in the archive, later runs and
    ``veille page --source`` remove it, and ``veille extract --titles`` cleans the titles
    archived before it was known."""
    from tests.spiders.site import HEBDO, HEBDO_SUFFIX, hebdo_page
    from veille.commands.extract import reclean_titles

    with (fast_config_dir / "sources.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[[source]]\nname = "fixture-hebdo"\nkind = "rss"\nurls = ["{site.base}/hebdo/feed/"]\n')
    data = tmp_path / "data"
    proc, report = crawl(fast_config_dir, data, "fixture-hebdo", "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    settings = Settings.load(data_dir=data, config_dir=fast_config_dir)
    store = open_store(settings.database_url)
    try:
        assert store.title_suffixes() == {"fixture-hebdo": HEBDO_SUFFIX}
    finally:
        store.close()
    # a later run removes it from every title, the first pages' too
    proc, report = crawl(fast_config_dir, data, "fixture-hebdo", "--allow-host", "127.0.0.1", "--refresh")
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = open_store(settings.database_url)
    try:
        titles = {i: title for i, _, _, title in store.article_titles("fixture-hebdo")}
        assert sorted(titles.values()) == sorted(headline for headline, _ in HEBDO.values()), report
        # a title archived before the suffix was known is cleaned by ``veille extract --titles``
        first = min(titles)
        store.set_titles({first: f"{titles[first]} | {HEBDO_SUFFIX}"})
        assert reclean_titles(store) == 1
        assert dict((i, t_) for i, _, _, t_ in store.article_titles("fixture-hebdo")) == titles
    finally:
        store.close()

    page = tmp_path / "page.html"
    page.write_bytes(hebdo_page("Un salon de l'emploi à Oujda"))
    out = subprocess.run(
        [PYTHON, "-m", "veille", "page", str(page), "--source", "fixture-hebdo", "--json"],
        cwd=REPO, env=child_env(fast_config_dir, data), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert '"title": "Un salon de l\'emploi à Oujda"' in out.stdout


def test_aggregator_links_kept_partial_then_completed_in_place(
    fast_config_dir: Path, tmp_path: Path, site: FixtureSite
) -> None:
    """A news-query feed whose links go through an aggregator's redirect page (a second
    loopback host): its items are archived from the feed (title without the publisher's name,
    summary, publisher) as partial, and counted so; the publisher's own feed then brings the
    same stories, which complete those articles in place (same ids, extraction to redo)."""
    from tests.spiders.site import PUB, PUB_NAME

    with (fast_config_dir / "sources.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            f'\n[[source]]\nname = "fixture-gnews"\nkind = "news-query"\nurls = ["{site.base}/gnews/rss"]\n'
            f'\n[[source]]\nname = "fixture-pub"\nkind = "rss"\nurls = ["{site.base}/pub/feed/"]\n'
        )
    data = tmp_path / "data"
    hosts = ("--allow-host", "127.0.0.1", "--allow-host", "localhost")
    proc, report = crawl(fast_config_dir, data, "fixture-gnews", *hosts)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert report is not None
    (line,) = report["sources"]
    assert line["partial"] == 2 and line["new"] == 2, line
    first = {a["title"]: a for a in _archive(fast_config_dir, data).values()}
    headlines = sorted(headline for headline, _, _ in PUB.values())
    assert sorted(first) == headlines
    assert all(a["partial"] and a["publisher"] == PUB_NAME for a in first.values())
    assert all("/agg/" in a["url"] or "/pub/" in a["canonical_url"] for a in first.values())

    store = open_store(Settings.load(data_dir=data, config_dir=fast_config_dir).database_url)
    try:  # as if the partial articles had been extracted: completing them must redo it
        with store.engine.begin() as conn:
            conn.execute(t.articles.update().values(extractor_version="before"))
    finally:
        store.close()

    proc, report = crawl(fast_config_dir, data, "fixture-pub", *hosts)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert report is not None
    (line,) = report["sources"]
    assert line["completed"] == 2 and line["new"] == 0, line
    after = {a["title"]: a for a in _archive(fast_config_dir, data).values()}
    assert sorted(after) == headlines
    for headline, article in after.items():
        assert article["id"] == first[headline]["id"]
        assert not article["partial"] and article["publisher"] == PUB_NAME
        assert _path(article["url"]).startswith("/pub/2025/") and len(article["text"]) > 500
        assert article["extractor_version"] is None  # figures extracted again from the full text
