"""The SSRF guard refuses private, local and odd-scheme URLs without connecting."""

from __future__ import annotations

import asyncio
import socket
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from spiders.safety import BackoffMiddleware, BlockedRequest, SafetyMiddleware, check_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/", "http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/", "http://[::1]/", "http://0.0.0.0/", "http://224.0.0.1/", "http://localhost/",
        "http://metadata.google.internal/", "http://[::ffff:10.0.0.1]/",
    ],
)  # fmt: skip
def test_private_hosts_are_refused(url: str) -> None:
    assert check_url(url, resolve=lambda h: ["10.0.0.2"]) == "blocked_host"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/pub/", "gopher://x/", "data:text/html,hi"]
)
def test_other_schemes_are_refused(url: str) -> None:
    assert check_url(url) == "blocked_scheme"


def test_names_resolving_to_private_addresses_are_refused() -> None:
    assert check_url("http://intranet.exemple.ma/", resolve=lambda h: ["10.1.2.3"]) == "blocked_host"
    assert check_url("http://medias24.com/", resolve=lambda h: ["104.21.3.4"]) is None


def test_allow_list() -> None:
    assert check_url("http://127.0.0.1:9000/feed", ["127.0.0.1"]) is None
    assert check_url("http://10.0.0.1/", ["127.0.0.1"]) == "blocked_host"


def _crawler(allow: list[str]) -> SimpleNamespace:
    crawler = SimpleNamespace(
        settings=Settings({"VEILLE_ALLOW_HOSTS": allow}), spider=SimpleNamespace(source_name="src")
    )
    crawler.stats = MemoryStatsCollector(crawler)  # type: ignore[arg-type]
    return crawler


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "ftp://10.0.0.1/x",
    ],
)
def test_middleware_refuses_without_connecting(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to connect")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    crawler = _crawler([])
    mw = SafetyMiddleware.from_crawler(crawler)
    with pytest.raises(BlockedRequest):
        asyncio.run(mw.process_request(Request(url)))
    stats = crawler.stats.get_stats()
    reason = "blocked_scheme" if not url.startswith("http") else "blocked_host"
    assert stats[f"veille/src/dropped/{reason}"] == 1
    assert url in stats["veille/src/error_messages"][0]


def test_middleware_lets_allowed_loopback_through() -> None:
    mw = SafetyMiddleware.from_crawler(_crawler(["127.0.0.1"]))
    assert asyncio.run(mw.process_request(Request("http://127.0.0.1:8000/feed"))) is None


def test_backoff_doubles_and_caps() -> None:
    mw = BackoffMiddleware(base=2.0, cap=5.0)
    assert [mw.delay(n) for n in range(5)] == [0.0, 2.0, 4.0, 5.0, 5.0]
