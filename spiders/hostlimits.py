"""Politeness across crawl workers: per-host leases kept in Redis (a downloader middleware).

Scrapy's per-domain slots (``CONCURRENT_REQUESTS_PER_DOMAIN``, ``DOWNLOAD_DELAY``) count the
requests of one process. With several workers (``veille crawl --worker``) a site would get the
sum of them, so each worker asks Redis before a request leaves it:

- a *lease* per request in flight, a member of the sorted set ``P:host:{host}:leases`` scored by
  its expiry (the download timeout and a margin: a worker killed mid-download frees its leases
  when they expire), at most ``concurrency`` of them at once;
- a *next allowed time* ``P:host:{host}:next``: a request starts no sooner than ``delay`` after
  the previous one to the host, whichever worker sent it.

Both are checked and taken in one Lua script on Redis's own clock (``TIME``), so workers on
several machines agree without synchronised clocks. A request that may not leave yet waits
(a timer of the reactor, never a blocking sleep) and asks again. The middleware sits last before
the downloader so that nothing waits between the lease and the connection; in worker mode the
process's own slots send at once (``DOWNLOAD_DELAY = 0``): the delay is this one.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Request

LEASE_META = "veille_host_lease"
POLL_SECONDS = 0.05  # how soon a request asks again while the host is at its concurrency

# KEYS: leases, next; ARGV: token, concurrency, delay ms, lease ms. Returns 0 (taken), the ms to
# wait for the delay, or -1 (the host is at its concurrency).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return nxt - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local delay = tonumber(ARGV[3])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay) end
return 0
"""


class HostLimiter:
    """Per-host concurrency and delay shared by every worker using the same Redis and prefix."""

    def __init__(self, server: Any, prefix: str, concurrency: int, delay: float, lease: float) -> None:
        self.server = server
        self.prefix = prefix
        self.concurrency = max(int(concurrency), 1)
        self.delay_ms = max(int(round(delay * 1000)), 0)
        self.lease_ms = max(int(lease * 1000), 1000)
        self._acquire = server.register_script(_ACQUIRE)

    def keys(self, host: str) -> list[str]:
        return [f"{self.prefix}:host:{host}:leases", f"{self.prefix}:host:{host}:next"]

    def try_acquire(self, host: str, token: str) -> float:
        """0 when the lease is taken, else the seconds to wait before asking again."""
        answer = int(self._acquire(keys=self.keys(host), args=[token, self.concurrency, self.delay_ms,
                                                               self.lease_ms]))  # fmt: skip
        if answer == 0:
            return 0.0
        return POLL_SECONDS if answer < 0 else answer / 1000

    def release(self, host: str, token: str) -> None:
        self.server.zrem(self.keys(host)[0], token)


def request_host(request: Request) -> str:
    return (urlsplit(request.url).hostname or "").lower()


class HostLimitMiddleware:
    """Downloader middleware of a worker: a lease of the request's host before it leaves."""

    def __init__(self, limiter: HostLimiter, crawler: Any = None) -> None:
        self.limiter = limiter
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostLimitMiddleware:
        s = crawler.settings
        cluster = s.getdict("VEILLE_CLUSTER")
        if not s.getbool("VEILLE_HOST_LIMITS") or not cluster:
            raise NotConfigured("not a crawl worker")
        from scrapy_redis.connection import get_redis_from_settings

        limiter = HostLimiter(
            get_redis_from_settings(s),
            str(cluster.get("frontier", "veille")),
            s.getint("VEILLE_HOST_CONCURRENCY", 1),
            s.getfloat("VEILLE_HOST_DELAY", 0.0),
            s.getfloat("DOWNLOAD_TIMEOUT", 180) + float(cluster.get("lease_margin", 10.0)),
        )
        return cls(limiter, crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        host = request_host(request)
        if not host or request.url.startswith(("data:", "file:")):
            return
        token = uuid.uuid4().hex
        waited = 0.0
        while (wait := self.limiter.try_acquire(host, token)) > 0:
            waited += wait
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        request.meta[LEASE_META] = (host, token)
        if waited and self.crawler is not None:
            self.crawler.stats.inc_value("veille/hosts/waited_ms", int(waited * 1000))

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(LEASE_META, None)
        if lease:
            self.limiter.release(*lease)
