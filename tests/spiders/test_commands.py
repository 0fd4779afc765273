"""``veille page``, ``veille sources ...`` against the loopback fixture sites."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from spiders.check import check_source, source_health
from tests.conftest import REPO
from tests.spiders.site import FixtureSite
from veille.archive import schema as t
from veille.archive.store import open_store
from veille.cli import app, main
from veille.core.sources import load_sources

PAGE = REPO / "tests" / "data" / "pages" / "wordpress" / "offshoring-exportations.html"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_command_has_an_example() -> None:
    import typer.main

    group = typer.main.get_command(app)
    for name in ("crawl", "page"):
        assert "Example:" in group.commands[name].help  # type: ignore[attr-defined]
    sources = group.commands["sources"]
    assert "Example:" in (sources.help or "")
    for sub in sources.commands.values():  # type: ignore[attr-defined]
        assert "Example:" in sub.help, sub.name


def test_page_file_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["page", str(PAGE), "--url", "https://exemple.ma/a/", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["url", "title", "published", "author", "lead", "text", "language"]
    assert data["url"] == "https://exemple.ma/a/" and data["published"] == "2025-03-12T09:30:00+00:00"
    assert data["author"] == "Salma Bennani" and data["language"] == "fr"
    assert data["text"].count("\n\n") == 4


def test_page_reads_zone_less_dates_in_the_configured_zones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "Publié le 12 mars 2025 à 10h15" on a site whose host names no country: digest.toml's
    timezone, or the source's own when sources.toml gives one."""
    import shutil

    from veille.commands.page import date_zones

    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    digest = config / "digest.toml"
    digest.write_text(
        digest.read_text(encoding="utf-8").replace(
            'timezone = "Africa/Casablanca"', 'timezone = "Europe/Paris"'
        ),
        encoding="utf-8",
    )
    with (config / "sources.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[source]]\nname = "exemple"\nkind = "rss"\nurls = ["https://exemple.test/feed"]\n'
                 'timezone = "Atlantic/Canary"\n')  # fmt: skip
    page = REPO / "tests" / "data" / "pages" / "legacy" / "article-1.html"
    argv = ["page", str(page), "--url", "https://exemple.test/a", "--config-dir", str(config), "--json"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert json.loads(out)["published"] == "2025-03-12T10:15:00+01:00"  # Paris; Casablanca was +00:00
    zone, default = date_zones("exemple", config_dir=config)
    assert str(zone) == "Atlantic/Canary" and str(default) == "Europe/Paris"
    assert date_zones("inconnue", config_dir=config)[0] is None


def test_page_url_uses_the_same_code_path(site: FixtureSite, capsys: pytest.CaptureFixture[str]) -> None:
    url = site.url("/legacy/article-1.php")
    code, out, _ = run(["page", url, "--allow-host", "127.0.0.1", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["title"] == "Casanearshore accueille trois nouveaux opérateurs" and "Maârouf" in data["text"]


@pytest.mark.parametrize("target", ["http://10.0.0.1/", "http://127.0.0.1:9/x", "/nonexistent/page.html"])
def test_page_errors_are_one_line(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["page", target], capsys)
    assert code != 0 and err.startswith("Error:") and err.strip().count("\n") == 0


def test_sources_list(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["sources", "list", "--config-dir", str(config_dir)], capsys)
    assert code == 0 and "fixture-legacy" in out and "fixture-disabled" in out


def test_check_source_values(config_dir: Path, site: FixtureSite) -> None:
    sources = {s.name: s for s in load_sources(config_dir / "sources.toml")}
    (wp,) = check_source(sources["fixture-wp"], timeout=2, allow_hosts=["127.0.0.1"])
    assert wp.reachable and wp.status == 200 and wp.items == 13 and wp.error is None
    assert wp.newest == datetime(2025, 5, 28, 8, 0, tzinfo=UTC)
    (legacy,) = check_source(sources["fixture-legacy"], timeout=2, allow_hosts=["127.0.0.1"])
    assert legacy.items == 2 and legacy.error is None
    (news,) = check_source(sources["fixture-news"], timeout=2, allow_hosts=["127.0.0.1"])
    assert news.items == 1  # an index listing one news sitemap
    (bad,) = check_source(sources["fixture-bad"], timeout=2, allow_hosts=["127.0.0.1"])
    assert bad.items >= 1 and "malformed" in (bad.error or "")
    (refused,) = check_source(sources["fixture-wp"], timeout=2)
    assert not refused.reachable and "refused" in (refused.error or "")


def test_sources_check_command(
    config_dir: Path, site: FixtureSite, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["sources", "check", "fixture-wp", "fixture-legacy", "--config-dir", str(config_dir),
                        "--allow-host", "127.0.0.1", "--timeout", "2"], capsys)  # fmt: skip
    assert code == 0 and "fixture-wp" in out and "2025-05-28" in out
    code, out, _ = run(["sources", "check", "fixture-bad", "--config-dir", str(config_dir), "--allow-host",
                        "127.0.0.1"], capsys)  # fmt: skip
    assert code != 0 and "malformed" in out


def test_opml_export_then_import(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "out.opml"
    code, _, _ = run(["sources", "export-opml", "-o", str(opml), "--config-dir", str(config_dir)], capsys)
    assert code == 0 and "fixture-wp" in opml.read_text()
    other = tmp_path / "other"
    other.mkdir()
    (other / "sources.toml").write_text("# vide\n", encoding="utf-8")
    code, out, _ = run(["sources", "import-opml", str(opml), "--config-dir", str(other)], capsys)
    assert code == 0 and "Added 6 source(s)" in out  # fixture-disabled shares fixture-wp's URL: skipped
    original = [s for s in load_sources(config_dir / "sources.toml") if s.name != "fixture-disabled"]
    assert load_sources(other / "sources.toml") == original


def test_health_reads_the_ledger_and_the_archive(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    from veille.core.config import Settings

    store = open_store(Settings.load(data_dir=data, config_dir=config_dir).database_url)
    run_id = store.start_run("crawl")
    store.record_source(run_id, "fixture-wp", {"fetched": 5, "new": 3, "errors": 0})
    store.record_source(
        run_id, "fixture-legacy", {"fetched": 2, "new": 0, "errors": 1, "error_messages": ["boom"]}
    )
    store.finish_run(run_id)
    from veille.core.models import Article

    for i in range(3):  # new articles are counted in the archive
        store.upsert_article(
            Article(url=f"https://wp.test/{i}", source="fixture-wp", title=f"Article {i}", text="texte")
        )
    sources = load_sources(config_dir / "sources.toml", enabled_only=True)
    rows = {r.name: r for r in source_health(store, sources, days=7)}
    store.close()
    assert not rows["fixture-wp"].flagged and rows["fixture-wp"].new == 3
    assert rows["fixture-legacy"].flagged and rows["fixture-legacy"].last_error == "boom"
    assert rows["fixture-news"].problem == "not crawled in the window"
    code, out, _ = run(["sources", "health", "--days", "7", "--config-dir", str(config_dir), "--data-dir", str(data)],
                       capsys)  # fmt: skip
    assert code == 0 and "5 of 6 source(s) flagged" in out
    later = datetime.now(UTC) + timedelta(days=30)
    store = open_store(Settings.load(data_dir=data, config_dir=config_dir).database_url)
    assert all(r.runs == 0 for r in source_health(store, sources, days=7, now=later))
    store.close()


def test_health_marks_runs_left_running_by_a_dead_process_interrupted(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`veille sources health` reads the ledger: a run whose process is gone (same host, its pid
    dead) is marked interrupted first; a run whose process lives is left running."""
    import subprocess
    import sys

    from veille.core.config import Settings

    data = tmp_path / "data"
    store = open_store(Settings.load(data_dir=data, config_dir=config_dir).database_url)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    runs = {}
    for source, pid in (("fixture-wp", gone.pid), ("fixture-legacy", None)):
        runs[source] = store.start_run("crawl")  # this host, this (live) process
        store.record_source(runs[source], source, {"fetched": 1, "new": 1})
        if pid is not None:
            with store.engine.begin() as conn:
                conn.execute(update(t.runs).where(t.runs.c.id == runs[source]).values(pid=pid))
    store.close()
    code, out, _ = run(
        ["sources", "health", "--config-dir", str(config_dir), "--data-dir", str(data)], capsys
    )
    assert code == 0 and "fixture-wp" in out
    store = open_store(Settings.load(data_dir=data, config_dir=config_dir).database_url)
    status = {r["id"]: r["status"] for r in store.runs()}
    store.close()
    assert status[runs["fixture-wp"]] == "interrupted" and status[runs["fixture-legacy"]] == "running"
