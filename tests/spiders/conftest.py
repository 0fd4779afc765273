"""Fixtures for the spider tests: the loopback fixture sites and a config dir pointing at them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.spiders.site import FixtureSite

PYTHON = sys.executable

# Fast, strict crawl settings for tests: 4 s timeout (the slow page sleeps 10 s; a shorter
# timeout made normal pages time out on a loaded 2-core machine), one retry
# with a tiny backoff, no politeness delay, a 1 MB page limit (the huge page is 1.5 MB).
CRAWL_TOML = """
[crawl]
user_agent = "Veille/0.1 (+veille sector watch; contact tests@example.invalid)"
concurrent_requests = 16
concurrent_requests_per_domain = 16
download_delay = 0
download_timeout = 4
retry_times = 1
retry_backoff_base = 0.05
retry_backoff_max = 0.1
redirect_max_times = 4
max_page_size = 1_000_000
warn_page_size = 500_000
robots_obey = true
allow_private_hosts = []
[crawl.autothrottle]
enabled = false
[crawl.scrapy]
LOG_LEVEL = "INFO"
"""


def sources_toml(site: FixtureSite) -> str:
    b = site.base
    return f"""
[[source]]
name = "fixture-wp"
kind = "rss"
urls = ["{b}/wp/feed/"]
allowed_domains = []

[[source]]
name = "fixture-legacy"
kind = "listing"
urls = ["{b}/legacy/actualites.php?page=1"]
allowed_domains = ["127.0.0.1"]
max_pages = 5
[source.link_rules]
allow = ['/legacy/article-\\d+\\.php$']

[[source]]
name = "fixture-news"
kind = "sitemap"
urls = ["{b}/news/sitemap_index.xml"]
allowed_domains = ["127.0.0.1"]

[[source]]
name = "fixture-atom"
kind = "atom"
urls = ["{b}/news/atom.xml"]
allowed_domains = ["127.0.0.1"]

[[source]]
name = "fixture-bad"
kind = "rss"
urls = ["{b}/bad/feed.xml"]
allowed_domains = ["127.0.0.1"]

[[source]]
name = "fixture-ssrf"
kind = "rss"
urls = ["{site.url("/ssrf/feed.xml", host="localhost")}"]
allowed_domains = []

[[source]]
name = "fixture-disabled"
kind = "rss"
urls = ["{b}/wp/feed/"]
enabled = false
"""


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as s:
        yield s


@pytest.fixture
def config_dir(tmp_path: Path, site: FixtureSite) -> Path:
    """The repository's config/ with sources.toml and crawl.toml replaced for the fixtures."""
    conf = tmp_path / "config"
    shutil.copytree(REPO / "config", conf)
    (conf / "sources.toml").write_text(sources_toml(site), encoding="utf-8")
    (conf / "crawl.toml").write_text(CRAWL_TOML, encoding="utf-8")
    return conf


def child_env(config_dir: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(VEILLE_CONFIG_DIR=str(config_dir), VEILLE_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    return env


def crawl(
    config_dir: Path, data_dir: Path, *args: str, timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], dict | None]:
    """``veille crawl --json ARGS`` in a child process (one reactor per process)."""
    proc = subprocess.run(
        [PYTHON, "-m", "veille", "crawl", "--json", "--config-dir", str(config_dir), "--data-dir", str(data_dir), *args],
        cwd=REPO, env=child_env(config_dir, data_dir), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    report = json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout.strip() else None
    return proc, report
