"""``config/crawl.toml`` loaded into a frozen :class:`CrawlConfig`, turned into Scrapy settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veille.core.config import optional, read_toml
from veille.core.errors import ConfigError

DEFAULT_USER_AGENT = "Veille/0.1 (+veille sector watch; contact veille@example.ma)"


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = DEFAULT_USER_AGENT
    concurrent_requests: int = 16
    concurrent_requests_per_domain: int = 2
    download_delay: float = 1.0
    download_timeout: float = 20.0
    retry_times: int = 2
    retry_backoff_base: float = 2.0
    retry_backoff_max: float = 60.0
    redirect_max_times: int = 5
    max_page_size: int = 5_000_000
    warn_page_size: int = 2_000_000
    robots_obey: bool = True
    allow_private_hosts: tuple[str, ...] = ()
    autothrottle: bool = True
    autothrottle_start_delay: float = 1.0
    autothrottle_max_delay: float = 30.0
    autothrottle_target_concurrency: float = 1.0
    scrapy: dict[str, Any] = field(default_factory=dict)

    def to_scrapy_settings(self) -> dict[str, Any]:
        """The Scrapy settings this configuration stands for."""
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
            "AUTOTHROTTLE_ENABLED": self.autothrottle,
            "AUTOTHROTTLE_START_DELAY": self.autothrottle_start_delay,
            "AUTOTHROTTLE_MAX_DELAY": self.autothrottle_max_delay,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": self.autothrottle_target_concurrency,
        }
        out.update(self.scrapy)
        return out


_NUM = (int, float)


def load_crawl_config(path: str | Path) -> CrawlConfig:
    """Read ``crawl.toml``; a missing file means the defaults. Errors name the file and field."""
    p = Path(path)
    if not p.exists():
        return CrawlConfig()
    data = read_toml(p)
    c = optional(data, "crawl", dict, {}, p, "crawl")
    d = CrawlConfig()

    def get(key: str, kind: type | tuple[type, ...]) -> Any:
        value = optional(c, key, kind, getattr(d, key), p, f"crawl.{key}")
        if isinstance(value, bool) and kind is not bool:
            raise ConfigError(p, f"field '{key}' must be a number", field=f"crawl.{key}")
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(p, f"field '{key}' must not be negative", field=f"crawl.{key}")
        return value

    hosts = optional(c, "allow_private_hosts", list, [], p, "crawl.allow_private_hosts")
    if not all(isinstance(h, str) for h in hosts):
        raise ConfigError(p, "must be a list of host names", field="crawl.allow_private_hosts")
    at = optional(c, "autothrottle", dict, {}, p, "crawl.autothrottle")
    scrapy_raw = optional(c, "scrapy", dict, {}, p, "crawl.scrapy")
    for key in scrapy_raw:
        if not key.isupper():
            raise ConfigError(
                p, f"Scrapy setting names are upper-case, got {key!r}", field=f"crawl.scrapy.{key}"
            )
    return CrawlConfig(
        user_agent=get("user_agent", str),
        concurrent_requests=get("concurrent_requests", int),
        concurrent_requests_per_domain=get("concurrent_requests_per_domain", int),
        download_delay=float(get("download_delay", _NUM)),
        download_timeout=float(get("download_timeout", _NUM)),
        retry_times=get("retry_times", int),
        retry_backoff_base=float(get("retry_backoff_base", _NUM)),
        retry_backoff_max=float(get("retry_backoff_max", _NUM)),
        redirect_max_times=get("redirect_max_times", int),
        max_page_size=get("max_page_size", int),
        warn_page_size=get("warn_page_size", int),
        robots_obey=get("robots_obey", bool),
        allow_private_hosts=tuple(hosts),
        autothrottle=optional(at, "enabled", bool, d.autothrottle, p, "crawl.autothrottle.enabled"),
        autothrottle_start_delay=float(
            optional(at, "start_delay", _NUM, d.autothrottle_start_delay, p, "crawl.autothrottle.start_delay")
        ),
        autothrottle_max_delay=float(
            optional(at, "max_delay", _NUM, d.autothrottle_max_delay, p, "crawl.autothrottle.max_delay")
        ),
        autothrottle_target_concurrency=float(
            optional(
                at,
                "target_concurrency",
                _NUM,
                d.autothrottle_target_concurrency,
                p,
                "crawl.autothrottle.target_concurrency",
            )  # fmt: skip
        ),
        scrapy=dict(scrapy_raw),
    )
