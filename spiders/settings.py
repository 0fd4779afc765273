"""Scrapy settings of the Veille project (``scrapy.cfg`` points here).

``config/crawl.toml`` is applied on top of these defaults by every Veille spider
(:meth:`spiders.base.SourceSpider.update_settings`), so ``scrapy crawl NAME`` and
``veille crawl NAME`` crawl the same way; ``-s KEY=VALUE`` still wins.

Veille's own settings, read by the spiders and the item pipelines through
``from_crawler(crawler)``:

- ``VEILLE_DATABASE_URL``: the archive (default: ``$VEILLE_DATABASE_URL`` or the SQLite
  file in the data directory);
- ``VEILLE_DATA_DIR``, ``VEILLE_CONFIG_DIR``: as ``--data-dir`` / ``--config-dir``;
- ``VEILLE_REFRESH`` (bool): fetch again URLs already archived;
- ``VEILLE_RUN_ID`` (int or None): the run-ledger id created by ``veille crawl`` before
  crawling (``store.start_run``). None under a bare ``scrapy crawl``: the StorePipeline
  then starts its own run;
- ``VEILLE_SINCE`` (ISO 8601 or None), ``VEILLE_LIMIT`` (int or None): skip feed/sitemap
  entries older than SINCE; request at most LIMIT article pages per source;
- ``VEILLE_ALLOW_HOSTS`` (list): hosts the SSRF guard lets through although private;
- ``VEILLE_TIMEZONE``: ``digest.toml``'s timezone, the zone of dates written without one when
  neither the source's ``timezone`` nor its site's country names one;
- ``VEILLE_RETRY_BACKOFF_BASE`` / ``VEILLE_RETRY_BACKOFF_MAX`` (seconds);
- ``VEILLE_WORKERS``: processes doing the pure CPU work of a crawl (page extraction,
  normalise, relevance, dedup hashes) beside the reactor (``"auto"``: one per CPU; ``0``:
  in the reactor's process), see :mod:`veille.core.workers`;
- ``VEILLE_STORE_BATCH`` (items), ``VEILLE_STORE_BATCH_SECONDS``: the store stage writes the
  articles in one transaction per batch, when it is full or its first item has waited that
  long (``1``: one transaction per article), see :mod:`pipeline.storage`.

Stats the spiders keep per source, read by the StorePipeline at close for the ledger:
``veille/{source}/fetched`` (article pages downloaded, plus feed summaries used in their
place), ``veille/{source}/dropped/{reason}`` (reasons: too_big, not_html, robots,
blocked_host, blocked_scheme, http_404..., not_modified...), ``veille/{source}/errors`` and
``veille/{source}/error_messages`` (a list of one-line messages), and
``veille/{source}/partial`` (items built from the feed summary). The StorePipeline adds
``veille/{source}/archived_partial`` (partial articles archived: the ledger's ``partial``)
and ``veille/{source}/completed`` (partial articles this source's articles completed in place).
"""

from __future__ import annotations

import os
from pathlib import Path

from veille.core.conf.digest import DEFAULT_TIMEZONE


def _database_url() -> str:
    """The archive URL as ``veille`` would compute it (env or the data-dir SQLite file)."""
    if os.environ.get("VEILLE_DATABASE_URL"):
        return os.environ["VEILLE_DATABASE_URL"]
    try:
        from veille.core.config import Settings

        return Settings.load().database_url
    except Exception:  # a bad config dir surfaces later, with its own clear error
        return ""


BOT_NAME = "veille"
SPIDER_MODULES: list[str] = []
SPIDER_LOADER_CLASS = "spiders.loader.SourceSpiderLoader"
COMMANDS_MODULE = "veille.scrapy_commands"  # `scrapy crawl` starts the crawl `veille crawl` starts

VEILLE_DATA_DIR = os.environ.get("VEILLE_DATA_DIR") or None
VEILLE_CONFIG_DIR = os.environ.get("VEILLE_CONFIG_DIR") or str(
    Path(__file__).resolve().parent.parent / "config"
)
VEILLE_DATABASE_URL = _database_url()
VEILLE_REFRESH = False
VEILLE_RUN_ID = None
VEILLE_SINCE = None
VEILLE_LIMIT = None
VEILLE_ALLOW_HOSTS: list[str] = []
VEILLE_RETRY_BACKOFF_BASE = 2.0
VEILLE_RETRY_BACKOFF_MAX = 60.0
VEILLE_WORKERS = "auto"
VEILLE_STORE_BATCH = 25
VEILLE_STORE_BATCH_SECONDS = 0.5
VEILLE_TIMEZONE = DEFAULT_TIMEZONE  # a crawl sets digest.toml's (spiders.run.scrapy_settings)

ITEM_PIPELINES = {
    "pipeline.normalise.NormalisePipeline": 100,
    "pipeline.relevance.RelevancePipeline": 200,
    "pipeline.dedup.DedupPipeline": 300,
    "pipeline.storage.StorePipeline": 400,
    "pipeline.extract.ExtractPipeline": 500,
}

EXTENSIONS = {
    "spiders.archive.ArchiveExtension": 0,  # one archive per crawl process (veille crawl makes it)
}

DOWNLOADER_MIDDLEWARES = {
    "spiders.safety.SafetyMiddleware": 50,  # before robots.txt (100): robots fetches are guarded too
    "spiders.safety.BackoffMiddleware": 60,
}

# Politeness and limits (crawl.toml overrides these).
USER_AGENT = "Veille/0.1 (+veille sector watch; contact veille@example.ma)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 5_000_000
DOWNLOAD_WARNSIZE = 2_000_000
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
# Scrapy starts this many tasks for every response to work through what its callback gives: an
# article page gives one item, an index page requests that are only scheduled; Scrapy's 100
# cost more reactor time than the item pipeline's own work on a page.
CONCURRENT_ITEMS = 8
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no control port listening during crawls
DNSCACHE_ENABLED = True
HTTPCACHE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
