"""Quick looks at sources without a crawl: ``veille sources check``, ``sources health``
and ``veille page URL``.

Fetching here is one plain HTTP GET (urllib, short timeout, the crawl's user agent) with
the same SSRF guard as the spiders, checked again at every redirect; parsing reuses the
spiders' code (:func:`spiders.feeds.parse_feed`, :func:`spiders.sites.parse_sitemap`,
``SiteSpider.article_links``), so a check sees what a crawl would see.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from spiders.safety import check_url
from veille.core.conf.crawl import DEFAULT_USER_AGENT
from veille.core.errors import FetchError
from veille.core.sources import Source


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None


def fetch(
    url: str,
    *,
    timeout: float = 10.0,
    allow_hosts: Iterable[str] = (),
    user_agent: str = DEFAULT_USER_AGENT,
    max_bytes: int = 5_000_000,
) -> Fetched:
    """GET ``url``; HTTP errors come back with their status, other failures raise FetchError."""
    allow = tuple(allow_hosts)
    reason = check_url(url, allow)
    if reason:
        raise FetchError(
            f"refused to fetch {url} ({reason.replace('_', ' ')}: private, local or non-http address)"
        )

    class GuardedRedirects(urllib.request.HTTPRedirectHandler):
        max_redirections = 5

        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            why = check_url(newurl, allow)
            if why:
                raise FetchError(
                    f"refused redirect from {req.full_url} to {newurl} ({why.replace('_', ' ')})"
                )
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(GuardedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": "*/*"})
    try:
        with opener.open(request, timeout=timeout) as resp:
            body = resp.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(f"{url}: page larger than {max_bytes} bytes")
            return Fetched(resp.geturl(), resp.status, body, resp.headers.get("Content-Type"))
    except urllib.error.HTTPError as exc:
        return Fetched(exc.geturl() or url, exc.code, exc.read(200_000) if exc.fp else b"",
                       exc.headers.get("Content-Type") if exc.headers else None)  # fmt: skip
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise FetchError(f"{url}: timed out after {timeout:g} s") from None
    except OSError as exc:
        raise FetchError(f"{url}: {exc}") from None


def _reason(reason: Any) -> str:
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    return str(getattr(reason, "strerror", None) or reason)


@dataclass(frozen=True)
class SourceCheck:
    name: str
    url: str
    reachable: bool
    status: int | None = None
    items: int = 0
    newest: datetime | None = None
    error: str | None = None


def _zone(source: Source, url: str) -> ZoneInfo:
    """The zone of the dates ``url`` writes without one, as the source's crawl reads them."""
    from spiders.dates import dates_zone

    return dates_zone(ZoneInfo(source.timezone) if source.timezone else None, url)


def check_source(
    source: Source, *, timeout: float = 10.0, allow_hosts: Iterable[str] = ()
) -> list[SourceCheck]:
    """Fetch each of the source's feed/listing/sitemap URLs once and count what it lists."""
    from scrapy.http import HtmlResponse

    from spiders.feeds import parse_feed
    from spiders.loader import spider_class_for
    from spiders.sites import SiteSpider, parse_sitemap

    out: list[SourceCheck] = []
    for url in source.urls:
        try:
            got = fetch(url, timeout=timeout, allow_hosts=allow_hosts)
        except FetchError as exc:
            out.append(SourceCheck(source.name, url, False, error=str(exc)))
            continue
        if got.status >= 400:
            out.append(SourceCheck(source.name, url, True, got.status, error=f"HTTP {got.status}"))
            continue
        items, newest, error = 0, None, None
        if source.is_feed:
            feed = parse_feed(got.body, got.url, got.content_type, zone=_zone(source, got.url))
            items = len(feed.entries)
            dates = [e.published for e in feed.entries if e.published]
            newest = max(dates) if dates else None
            if not feed.version and not items:
                error = "not a feed"
            elif feed.bozo:
                error = f"malformed feed ({feed.problem[:80]})"
        elif source.kind == "sitemap":
            children, entries = parse_sitemap(got.body, got.url, zone=_zone(source, got.url))
            items = len(entries) or len(children)
            dates = [e.published for e in entries if e.published]
            newest = max(dates) if dates else None
            if not items:
                error = "not a sitemap, or an empty one"
        else:
            spider = spider_class_for(source)()
            assert isinstance(spider, SiteSpider)  # a listing source: SiteSpider or a subclass of it
            response = HtmlResponse(url=got.url, body=got.body,
                                    headers={"Content-Type": got.content_type or "text/html"})  # fmt: skip
            items = len([u for u in spider.article_links(response) if spider.in_domains(u)])
            if not items:
                error = "no article link found (check selectors / link_rules)"
        out.append(SourceCheck(source.name, url, True, got.status, items, newest, error))
    return out


@dataclass(frozen=True)
class SourceHealth:
    name: str
    runs: int
    fetched: int
    new: int
    errors: int
    last_error: str | None
    last_run: datetime | None

    @property
    def flagged(self) -> bool:
        return self.runs == 0 or self.errors > 0 or self.new == 0

    @property
    def problem(self) -> str:
        if self.runs == 0:
            return "not crawled in the window"
        parts = []
        if self.errors:
            parts.append(f"{self.errors} error(s)")
        if self.new == 0:
            parts.append("no new article")
        return ", ".join(parts) or "ok"


def source_health(
    store: Any, sources: Iterable[Source], days: int = 7, now: datetime | None = None
) -> list[SourceHealth]:
    """Per source over the last ``days``: runs and errors from the run ledger; new articles counted
    in the archive (the ledger's counts are flushed every 50 items: a killed crawl's last ones
    are archived but not counted there). Runs left running by a dead process are marked
    interrupted first."""
    store.mark_interrupted_runs()
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    runs = [r for r in store.runs(limit=10_000) if r.get("kind", "crawl") == "crawl"]
    archived = store.new_articles_by_source(since)
    rows: list[SourceHealth] = []
    for source in sources:
        n = fetched = errors = 0
        last_error = None
        last_run = None
        for run in runs:
            started = run.get("started_at")
            if started is not None and started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            if started is None or started < since:
                continue
            for line in run["sources"]:
                if line["source"] != source.name:
                    continue
                n += 1
                fetched += line.get("fetched") or 0
                errors += line.get("errors") or 0
                if line.get("error_messages") and last_error is None:
                    last_error = line["error_messages"][-1]
                last_run = max(last_run, started) if last_run else started
        new = archived.get(source.name, 0)
        rows.append(SourceHealth(source.name, n, fetched, new, errors, last_error, last_run))
    return rows
