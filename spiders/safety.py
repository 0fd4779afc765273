"""Crawling safely: the SSRF guard and retry backoff (downloader middlewares).

A feed is data from the outside world: an entry may link to ``http://10.0.0.1/admin`` or
the cloud metadata service. :class:`SafetyMiddleware` refuses, before any connection,

- every scheme but http and https (``file://``, ``ftp://``, ``data:``...);
- hosts that are, or resolve to, private, loopback, link-local (169.254.169.254 included),
  multicast, reserved or unspecified addresses,

unless the host is in the ``VEILLE_ALLOW_HOSTS`` setting (the tests and the demo allow
``127.0.0.1``). Redirects go through the middleware again, so a public page redirecting
to a private address is refused too. Refusals raise :class:`BlockedRequest` and are
counted as ``veille/{source}/dropped/blocked_host`` (or ``blocked_scheme``).

Known limit: the address is checked when the request is scheduled; a DNS answer that
changes between the check and the connection (DNS rebinding) is not caught. Run crawlers
where the metadata service and internal networks are firewalled off as well.

The other protections are Scrapy settings set in ``spiders/settings.py`` and
``config/crawl.toml``: DOWNLOAD_MAXSIZE / DOWNLOAD_WARNSIZE, ROBOTSTXT_OBEY, AutoThrottle,
RETRY_TIMES with :class:`BackoffMiddleware`, DOWNLOAD_TIMEOUT, REDIRECT_MAX_TIMES and a
descriptive USER_AGENT.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

# the guard itself lives on the ground floor: the webhooks of the alerts apply it too
from veille.core.addresses import METADATA_HOSTS as METADATA_HOSTS
from veille.core.addresses import address_is_public as address_is_public
from veille.core.addresses import check_url as check_url
from veille.core.addresses import normalise_hosts as normalise_hosts


class BlockedRequest(IgnoreRequest):
    """The SSRF guard refused a request (the reason is the message)."""

    def __init__(self, reason: str, url: str) -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{reason}: {url}")


class SafetyMiddleware:
    """Downloader middleware: the SSRF guard (must run first: priority 50)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.allow_hosts = normalise_hosts(crawler.settings.getlist("VEILLE_ALLOW_HOSTS"))

    @classmethod
    def from_crawler(cls, crawler: Any) -> SafetyMiddleware:
        return cls(crawler)

    async def process_request(self, request: Any) -> None:
        reason = check_url(request.url, self.allow_hosts, resolve=_no_resolve)
        host = (urlsplit(request.url).hostname or "").lower()
        if reason is None and host and host not in self.allow_hosts and not _is_ip(host):
            addresses = await self._resolve(host)
            if any(not address_is_public(a) for a in addresses):
                reason = "blocked_host"
        if reason is not None:
            spider = self.crawler.spider
            source = getattr(spider, "source_name", None) or getattr(spider, "name", "unknown")
            stats = self.crawler.stats
            stats.inc_value(f"veille/{source}/dropped/{reason}")
            messages = stats.get_value(f"veille/{source}/error_messages") or []
            stats.set_value(
                f"veille/{source}/error_messages", [*messages, f"refused ({reason}): {request.url}"]
            )
            raise BlockedRequest(reason, request.url)
        return None

    async def _resolve(self, host: str) -> list[str]:
        """Through Twisted's resolver (Scrapy's caching one), so the download reuses it."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor

        try:
            # zope interfaces declare methods without self: mypy reads host as self (no zope plugin)
            address = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined, arg-type]
        except Exception:
            return []
        return [address]


def _no_resolve(host: str) -> list[str]:
    return []


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return True
    except ValueError:
        return False


class BackoffMiddleware:
    """Downloader middleware: wait before a retried request, ``base * 2**(n-1)`` seconds
    (``VEILLE_RETRY_BACKOFF_BASE``, capped at ``VEILLE_RETRY_BACKOFF_MAX``). Scrapy's
    RetryMiddleware decides what to retry; this only spaces the attempts out."""

    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffMiddleware:
        s = crawler.settings
        return cls(s.getfloat("VEILLE_RETRY_BACKOFF_BASE", 2.0), s.getfloat("VEILLE_RETRY_BACKOFF_MAX", 60.0))

    def delay(self, attempt: int) -> float:
        return 0.0 if attempt <= 0 else min(self.cap, self.base * 2 ** (attempt - 1))

    async def process_request(self, request: Any) -> None:
        wait = self.delay(int(request.meta.get("retry_times", 0)))
        if wait > 0:
            from scrapy.utils.defer import maybe_deferred_to_future
            from twisted.internet import reactor
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))  # type: ignore[arg-type]
        return None
