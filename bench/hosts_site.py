"""A loopback news site spread over several hosts (127.0.0.2, 127.0.0.3...: Linux routes all of
127.0.0.0/8 to ``lo``) whose servers count what politeness is about: the requests in flight at
once on each host, the shortest gap between two requests reaching it, and how often each page
was asked for. Used by the distributed-crawl test and ``bench/scale_out.py``.

Pages are the bench site's 30 KB French sector articles (``bench/crawl_site.py``), every one
distinct (no syndicated copies), so each is archived once; an RSS feed on the first host lists
them all, page ``i`` on host ``i % hosts``.
"""

from __future__ import annotations

import http.server
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.crawl_site import make_page


@dataclass
class HostCounters:
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0
    max_active: int = 0
    last_start: float | None = None
    min_gap: float = float("inf")
    hits: Counter[str] = field(default_factory=Counter)
    starts: list[float] = field(default_factory=list)

    def short_gaps(self, delay: float) -> int:
        """How many requests came sooner than ``delay`` after the one before."""
        s = sorted(self.starts)
        return sum(1 for a, b in zip(s, s[1:], strict=False) if b - a < delay)

    def most_in(self, window: float) -> int:
        """The most requests that came within any ``window`` seconds."""
        s, best, lo = sorted(self.starts), 0, 0
        for hi, t in enumerate(s):
            while t - s[lo] > window:
                lo += 1
            best = max(best, hi - lo + 1)
        return best


class HostsSite:
    def __init__(
        self,
        pages: int,
        hosts: int = 3,
        latency: float = 0.0,
        slow: float = 0.0,
        seed: int = 7,
        paragraphs: int = 19,
    ) -> None:
        """``latency``: seconds every page waits before its answer; ``slow``: what one page in
        five waits instead (downloads that overlap, so that a host's concurrency limit binds);
        ``paragraphs``: the article's length (19, about 1,200 words, is the bench site's)."""
        rng = random.Random(seed)
        self.latency, self.slow = latency, slow
        self.bodies = {
            f"/a/{i}.html": make_page(i, rng, paragraphs=paragraphs)[0].encode() for i in range(pages)
        }
        self.counters = {f"127.0.0.{k + 2}": HostCounters() for k in range(hosts)}
        self.servers = [self._serve(addr) for addr in self.counters]
        self.bases = [f"http://{s.server_address[0]}:{s.server_address[1]}" for s in self.servers]
        self.page_urls = [f"{self.bases[i % hosts]}/a/{i}.html" for i in range(pages)]
        items = "".join(
            f"<item><title>Article {i}</title><link>{u}</link>"
            f"<pubDate>Thu, 01 May 2025 10:00:00 +0000</pubDate></item>"
            for i, u in enumerate(self.page_urls)
        )
        self.feed = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hosts</title>'
            f"{items}</channel></rss>"
        ).encode()
        self.feed_url = f"{self.bases[0]}/feed.xml"

    @property
    def hosts(self) -> list[str]:
        return list(self.counters)

    def _serve(self, address: str) -> http.server.ThreadingHTTPServer:
        site, counters = self, self.counters[address]

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:
                now = time.monotonic()
                with counters.lock:
                    counters.active += 1
                    counters.max_active = max(counters.max_active, counters.active)
                    if counters.last_start is not None:
                        counters.min_gap = min(counters.min_gap, now - counters.last_start)
                    counters.last_start = now
                    counters.starts.append(now)
                    counters.hits[self.path] += 1
                try:
                    self._answer()
                finally:
                    with counters.lock:
                        counters.active -= 1

            def _answer(self) -> None:
                if self.path == "/robots.txt":
                    body, ctype, status = b"User-agent: *\nAllow: /\n", "text/plain", 200
                elif self.path == "/feed.xml":
                    body, ctype, status = site.feed, "application/rss+xml", 200
                else:
                    number = self.path.rsplit("/", 1)[-1].split(".")[0]
                    wait = (
                        site.slow if site.slow and number.isdigit() and int(number) % 5 == 0 else site.latency
                    )
                    time.sleep(wait)
                    page = site.bodies.get(self.path)
                    body, ctype, status = (
                        (page, "text/html; charset=utf-8", 200) if page else (b"", "text/plain", 404)
                    )
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

        server = http.server.ThreadingHTTPServer((address, 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def close(self) -> None:
        for s in self.servers:
            s.shutdown()
            s.server_close()
