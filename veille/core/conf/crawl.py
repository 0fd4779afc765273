"""``config/crawl.toml``: how the spiders crawl (politeness, limits, AutoThrottle) and Scrapy
settings passed through, checked against the names Scrapy knows."""

from __future__ import annotations

import difflib
import functools
from typing import Any

from pydantic import Field, field_validator

from veille.core.conf import Bool, Float, Int, Model, Str

DEFAULT_USER_AGENT = "Veille/0.1 (+veille sector watch; contact veille@example.ma)"
# Scrapy settings that Veille's own keys or code set: [crawl.scrapy] may not override them
# behind the typed keys' backs.
OWN = {
    "USER_AGENT": "user_agent",
    "CONCURRENT_REQUESTS": "concurrent_requests",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "concurrent_requests_per_domain",
    "DOWNLOAD_DELAY": "download_delay",
    "DOWNLOAD_TIMEOUT": "download_timeout",
    "RETRY_TIMES": "retry_times",
    "REDIRECT_MAX_TIMES": "redirect_max_times",
    "DOWNLOAD_MAXSIZE": "max_page_size",
    "DOWNLOAD_WARNSIZE": "warn_page_size",
    "ROBOTSTXT_OBEY": "robots_obey",
    "AUTOTHROTTLE_ENABLED": "autothrottle.enabled",
    "AUTOTHROTTLE_START_DELAY": "autothrottle.start_delay",
    "AUTOTHROTTLE_MAX_DELAY": "autothrottle.max_delay",
    "AUTOTHROTTLE_TARGET_CONCURRENCY": "autothrottle.target_concurrency",
}


# Veille's own crawl settings an operator may tune here (the rest are set by `veille crawl`)
TUNABLE = frozenset({"VEILLE_WORKERS", "VEILLE_EXTRACT", "VEILLE_EXTRACT_PROCESSES", "VEILLE_PROGRESS_EVERY"})


@functools.cache
def scrapy_names() -> frozenset[str]:
    """The setting names Scrapy defines (its default settings module), and Veille's tunable ones."""
    from scrapy.settings import default_settings

    return frozenset(n for n in dir(default_settings) if n.isupper()) | TUNABLE


def unknown_setting(name: str, known: frozenset[str]) -> str | None:
    """Why ``name`` is not a setting of ``known`` ("... (did you mean DOWNLOAD_DELAY?)"), or None."""
    if name in known:
        return None
    near = difflib.get_close_matches(name, sorted(known), n=1)
    return f"{name!r} is not a Scrapy setting" + (f" (did you mean {near[0]}?)" if near else "")


class Autothrottle(Model):
    enabled: Bool = True
    start_delay: Float = Field(1.0, ge=0)
    max_delay: Float = Field(30.0, ge=0)
    target_concurrency: Float = Field(1.0, gt=0)


class DocumentLimits(Model):
    """``[crawl.documents]``: what a file of a ``documents`` source may be (a hostile or broken
    one is refused with one line in the run ledger)."""

    max_file_size: Int = Field(30_000_000, ge=1)  # bytes downloaded
    max_pages: Int = Field(300, ge=1)  # PDF pages read (the rest is left, the ledger says so)
    max_sheets: Int = Field(50, ge=1)
    max_cells: Int = Field(500_000, ge=1)  # cells read over a workbook's sheets or a CSV file
    max_unzipped_size: Int = Field(200_000_000, ge=1)  # bytes: an xlsx is a zip; a bigger one is refused
    max_zip_ratio: Float = Field(200.0, gt=1)  # uncompressed / compressed size of an xlsx part
    timeout: Float = Field(120.0, gt=0)  # seconds to read one file, in a process of its own
    memory: Int = Field(1_500_000_000, ge=100_000_000)  # bytes of memory that process may use
    # days before a refused file is downloaded again whatever its server says (0: every crawl);
    # until then it is asked with a conditional request when its server gave an ETag or a
    # Last-Modified date, else not at all
    retry_refused_after: Float = Field(30.0, ge=0)


class Cluster(Model):
    """``[crawl.cluster]``: where ``veille crawl --worker`` processes share their frontier (Redis,
    through scrapy-redis) and their per-host limits. No secret here: the URL names no password
    (run Redis on a private network, or behind a TLS tunnel, for the workers only)."""

    redis_url: Str = Field("redis://127.0.0.1:6379/0", min_length=1)
    frontier: Str = Field("veille", pattern=r"^[A-Za-z0-9_.-]{1,64}$")  # key prefix of this watch
    worker_ttl: Float = Field(15.0, ge=1, le=3600)  # seconds without a heartbeat: the worker is dead
    lease_margin: Float = Field(10.0, ge=0, le=3600)  # a host lease lasts download_timeout + this

    @field_validator("redis_url")
    @classmethod
    def _no_secret(cls, value: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError("expected a redis://, rediss:// or unix:// URL")
        if parts.password:
            raise ValueError("the URL holds a password: keep secrets out of crawl.toml")
        return value


class CrawlConfig(Model):
    """The ``[crawl]`` table."""

    user_agent: Str = Field(DEFAULT_USER_AGENT, min_length=1)
    concurrent_requests: Int = Field(16, ge=1, le=1000)
    concurrent_requests_per_domain: Int = Field(2, ge=1, le=1000)
    download_delay: Float = Field(1.0, ge=0)
    download_timeout: Float = Field(20.0, gt=0)
    retry_times: Int = Field(2, ge=0, le=100)
    retry_backoff_base: Float = Field(2.0, ge=0)
    retry_backoff_max: Float = Field(60.0, ge=0)
    redirect_max_times: Int = Field(5, ge=0, le=100)
    max_page_size: Int = Field(5_000_000, ge=0)
    warn_page_size: Int = Field(2_000_000, ge=0)
    robots_obey: Bool = True
    allow_private_hosts: tuple[Str, ...] = ()
    autothrottle: Autothrottle = Autothrottle()
    documents: DocumentLimits = DocumentLimits()
    cluster: Cluster = Cluster()
    scrapy: dict[str, Any] = {}

    @field_validator("scrapy")
    @classmethod
    def _scrapy_names(cls, values: dict[str, Any]) -> dict[str, Any]:
        for key in values:
            if key in OWN:
                raise ValueError(f"{key} is set by [crawl] {OWN[key]}: set it there")
            problem = unknown_setting(key, scrapy_names())
            if problem:
                raise ValueError(problem)
        return values

    def to_scrapy_settings(self) -> dict[str, Any]:
        """The Scrapy settings this configuration stands for."""
        at = self.autothrottle
        out: dict[str, Any] = {
            "USER_AGENT": self.user_agent,
            "CONCURRENT_REQUESTS": self.concurrent_requests,
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.concurrent_requests_per_domain,
            "DOWNLOAD_DELAY": self.download_delay,
            "DOWNLOAD_TIMEOUT": self.download_timeout,
            "RETRY_TIMES": self.retry_times,
            "VEILLE_RETRY_BACKOFF_BASE": self.retry_backoff_base,
            "VEILLE_RETRY_BACKOFF_MAX": self.retry_backoff_max,
            "REDIRECT_MAX_TIMES": self.redirect_max_times,
            "DOWNLOAD_MAXSIZE": self.max_page_size,
            "DOWNLOAD_WARNSIZE": self.warn_page_size,
            "ROBOTSTXT_OBEY": self.robots_obey,
            "VEILLE_ALLOW_HOSTS": list(self.allow_private_hosts),
            "AUTOTHROTTLE_ENABLED": at.enabled,
            "AUTOTHROTTLE_START_DELAY": at.start_delay,
            "AUTOTHROTTLE_MAX_DELAY": at.max_delay,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": at.target_concurrency,
            "VEILLE_DOCUMENT_LIMITS": self.documents.model_dump(),
            "VEILLE_CLUSTER": self.cluster.model_dump(),
        }
        out.update(self.scrapy)
        return out


class CrawlFile(Model):
    crawl: CrawlConfig = CrawlConfig()
