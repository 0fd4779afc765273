"""A run that failed never reads "ok": errors raised inside the crawl fail the run, with one line,
a non-zero exit and the ledger's status "failed" (``veille crawl`` in a child process)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import REPO
from tests.spiders.conftest import PYTHON, child_env
from tests.spiders.test_crawl import FAST_PIPELINES
from veille.archive.store import open_store
from veille.core.config import Settings


@pytest.fixture
def fast_config_dir(config_dir: Path) -> Path:
    """The fixture sites' config, without the (slow, spaCy) extraction stage."""
    with (config_dir / "crawl.toml").open("a", encoding="utf-8") as fh:
        fh.write(FAST_PIPELINES)
    return config_dir


def veille_crawl(config_dir: Path, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "veille", "crawl", "fixture-legacy", "-q", "--allow-host", "127.0.0.1", *args],
        cwd=REPO, env=child_env(config_dir, data), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def last_run(config_dir: Path, data: Path) -> dict:
    store = open_store(Settings.load(data_dir=data, config_dir=config_dir).database_url)
    try:
        return store.runs(limit=1)[0]
    finally:
        store.close()


def assert_failed_in_one_line(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode != 0, proc.stdout[-2000:]
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: run ") and " failed: " in err[0], proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr + proc.stdout and "— ok" not in proc.stdout
    for needle in needles:
        assert needle in err[0], err[0]


def test_a_stage_that_cannot_be_built_fails_the_run(fast_config_dir: Path, tmp_path: Path) -> None:
    # (a bad value in pipeline.toml no longer gets this far: the config is checked before the run)
    toml = fast_config_dir / "crawl.toml"
    last = '"pipeline.storage.StorePipeline" = 400 }'
    assert last in toml.read_text(encoding="utf-8")
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(last, last[:-2] + ', "pipeline.nowhere.Stage" = 450 }')
    )
    data = tmp_path / "data"
    proc = veille_crawl(fast_config_dir, data)
    assert_failed_in_one_line(proc, "fixture-legacy", "pipeline.nowhere")
    assert last_run(fast_config_dir, data)["status"] == "failed"


def test_a_store_that_cannot_be_written_fails_the_run(fast_config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings.load(data_dir=data, config_dir=fast_config_dir)
    settings.ensure_data_dir()
    store = open_store(settings.database_url)
    with store.engine.begin() as conn:  # the archive refuses every new article
        conn.execute(
            text(
                "CREATE TRIGGER no_room BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        )
    store.close()
    proc = veille_crawl(fast_config_dir, data)
    assert_failed_in_one_line(proc, "database or disk is full")
    run = last_run(fast_config_dir, data)
    assert run["status"] == "failed" and run["finished_at"] is not None


def test_quiet_crawl_prints_the_summary_only(fast_config_dir: Path, tmp_path: Path) -> None:
    """`veille crawl -q`: the summary table on stdout, nothing else (Scrapy's log goes to its file)."""
    data = tmp_path / "data"
    proc = veille_crawl(fast_config_dir, data)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == ""
    lines = [x for x in proc.stdout.splitlines() if x.strip()]
    assert (
        lines[0].strip().startswith("Run 1 — ") and "fixture-legacy" in proc.stdout and "total" in lines[-2]
    )
    assert not any("INFO" in x or "WARNING" in x for x in lines)
    assert list((data / "logs").glob("crawl-1.log"))


def test_crawl_progress_off_a_terminal_is_one_line_per_source(fast_config_dir: Path, tmp_path: Path) -> None:
    """Not a terminal (a pipe here): one line per source as it finishes, then the summary."""
    data = tmp_path / "data"
    proc = subprocess.run(
        [PYTHON, "-m", "veille", "crawl", "fixture-legacy", "fixture-news", "--allow-host", "127.0.0.1"],
        cwd=REPO, env=child_env(fast_config_dir, data), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = sorted(proc.stderr.strip().splitlines())
    assert len(lines) == 2, proc.stderr
    assert lines[0].startswith("fixture-legacy: ") and lines[1].startswith("fixture-news: ")
    # "responses" counts feeds, listings and robots.txt too: the summary's "pages fetched" counts articles
    assert all("responses" in x and "articles kept" in x and "errors" in x for x in lines)


# A spider that cannot start, put in place as a site's custom spider is (spiders.loader.CUSTOM_SPIDERS),
# in the child process that runs `veille crawl`: its class, constructor, from_crawler or start raises.
BROKEN_SPIDER = """
import sys

from spiders import loader
from spiders.sites import SiteSpider

WHERE = sys.argv[1]


class Base(SiteSpider):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if WHERE == "class" and cls.__name__ != "Broken":
            raise TypeError("the spider class cannot be built")


class Broken(Base):
    def __init__(self, *args, **kwargs):
        if WHERE == "init":
            raise RuntimeError("the spider cannot be made")
        super().__init__(*args, **kwargs)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        if WHERE == "from_crawler":
            raise RuntimeError("the spider cannot be made")
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self):
        if WHERE == "start":
            raise RuntimeError("the spider cannot start")
        async for request in super().start():
            yield request


if __name__ == "__main__":  # not in the worker processes, which import this module again
    loader.CUSTOM_SPIDERS["fixture-legacy"] = Broken
    from veille.cli import main

    sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("class", "fixture-legacy: the spider cannot be built: TypeError: the spider class cannot be built"),
        ("init", "fixture-legacy: the crawl cannot start: RuntimeError: the spider cannot be made"),
        ("from_crawler", "fixture-legacy: the crawl cannot start: RuntimeError: the spider cannot be made"),
        ("start", "fixture-legacy: the spider cannot start: RuntimeError: the spider cannot start"),
    ],
)
def test_a_spider_that_cannot_start_fails_the_run(
    fast_config_dir: Path, tmp_path: Path, where: str, said: str
) -> None:
    script = tmp_path / "broken_spider.py"
    script.write_text(BROKEN_SPIDER, encoding="utf-8")
    data = tmp_path / "data"
    proc = subprocess.run(
        [PYTHON, str(script), where, "crawl", "fixture-legacy", "fixture-news", "-q", "--allow-host", "127.0.0.1"],
        cwd=REPO, env=child_env(fast_config_dir, data), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert_failed_in_one_line(proc, f"failed: {said} (log: ")
    run = last_run(fast_config_dir, data)
    assert run["status"] == "failed" and run["finished_at"] is not None
    news = next(line for line in run["sources"] if line["source"] == "fixture-news")
    assert news["new"] > 0  # the other source was crawled all the same


def test_crawl_settings_that_cannot_be_read_stop_before_the_run(
    fast_config_dir: Path, tmp_path: Path
) -> None:
    """crawl.toml is checked with every config file before any work: one line naming the field,
    exit 2, and no run left in the ledger (nor any archive made)."""
    toml = fast_config_dir / "crawl.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("download_timeout = 4", 'download_timeout = "4 s"')
    )
    data = tmp_path / "data"
    proc = veille_crawl(fast_config_dir, data)
    err = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(err) == 1 and "crawl.toml [crawl.download_timeout]" in err[0], (
        proc.stderr
    )
    assert not data.exists()
