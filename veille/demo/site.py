"""The bundled demo news site that ``veille demo`` serves and crawls.

"Atlas Éco" is a small, invented French-language Moroccan economic news site. Its
articles are TOML files in ``veille/demo/corpus/``, read and validated by
:mod:`veille.demo.corpus`. :class:`DemoSite` renders them once with the Jinja2 templates
in ``veille/demo/templates/`` and serves the result from memory with the standard
library's threading HTTP server, in a daemon thread, on loopback and an ephemeral port
by default::

    with DemoSite() as site:
        crawl(site.rss_url, site.atom_url, site.listing_url)

Pages:

- ``/`` home (latest articles), ``/actualites/`` listing, 8 per page, with
  ``/actualites/page/2/``... and a "Page suivante" link (``rel="next"``);
- ``/rubrique/<section>/`` one page per section (linked from the navigation bar);
- ``/YYYY/MM/DD/<slug>/`` article pages: HTML5 with the boilerplate an extractor must skip
  (navigation, cookie banner, share buttons, related links, newsletter box, footer),
  the content in ``<article>``, meta tags, a canonical link and a JSON-LD ``NewsArticle``;
- ``/rss.xml`` (RSS 2.0, articles with ``in_rss``), ``/atom.xml`` (Atom 1.0, articles
  with ``in_atom``): some articles are in both feeds, some in neither (listing only);
- ``/robots.txt``, ``/sitemap.xml`` and a 404 page for anything else.

Feeds, sitemap and canonical links use the actual ``base_url``. Requests are not logged.
"""

from __future__ import annotations

import errno
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from veille.demo.corpus import CORPUS_DIR, SECTIONS, DemoArticle, load_corpus
from veille.demo.errors import DemoCorpusError, DemoSiteError

TEMPLATES_DIR = Path(__file__).parent / "templates"
PER_PAGE = 8
HOME_COUNT = 10
SITE_NAME = "Atlas Éco"
SITE_TAGLINE = "L'actualité économique du Maroc"
PUBLISHER = "Atlas Éco Médias"


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True, slots=True)
class _Page:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


def _french_date(when: datetime) -> str:
    months = ("janvier février mars avril mai juin juillet août septembre octobre novembre décembre").split()
    day = "1er" if when.day == 1 else str(when.day)
    return f"{day} {months[when.month - 1]} {when.year} à {when:%H}h{when:%M}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["french_date"] = _french_date
    env.filters["rfc822"] = format_datetime
    env.filters["iso"] = lambda d: d.isoformat()
    return env


def _related(article: DemoArticle, articles: list[DemoArticle], n: int = 4) -> list[DemoArticle]:
    """Same-section articles first (closest in time), then the latest others."""
    others = [a for a in articles if a.slug != article.slug]
    same = sorted(
        (a for a in others if a.section == article.section),
        key=lambda a: abs((a.published - article.published).total_seconds()),
    )
    rest = [a for a in others if a not in same]
    return (same + rest)[:n]


def _json_ld(article: DemoArticle, base_url: str) -> str:
    url = base_url + article.path
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.lead,
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": {"@type": "Person", "name": article.author},
        "publisher": {
            "@type": "Organization",
            "name": PUBLISHER,
            "logo": {"@type": "ImageObject", "url": f"{base_url}/static/logo.png"},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": article.section_label,
        "keywords": ", ".join(article.tags),
        "inLanguage": "fr-MA",
        "wordCount": article.word_count,
    }
    # "</" cannot close the <script> element once escaped.
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")


def render_site(articles: list[DemoArticle], base_url: str) -> dict[str, _Page]:
    """Every page of the site, keyed by path, rendered for *base_url* (no trailing slash)."""
    env = _environment()
    html = "text/html; charset=utf-8"
    latest = articles[:5]
    common = {
        "site_name": SITE_NAME,
        "tagline": SITE_TAGLINE,
        "publisher": PUBLISHER,
        "base_url": base_url,
        "sections": SECTIONS,
        "latest": latest,
        "year": max(a.published for a in articles).year,
    }

    def page(template: str, content_type: str = html, **context: Any) -> _Page:
        text = env.get_template(template).render(**common, **context)
        return _Page(200, content_type, text.encode("utf-8"))

    pages: dict[str, _Page] = {}
    pages["/"] = page("home.html", articles=articles[:HOME_COUNT], canonical=base_url + "/")
    pages.update(_listing_pages(page, articles, base_url))
    for section, label in SECTIONS.items():
        in_section = [a for a in articles if a.section == section]
        path = f"/rubrique/{section}/"
        pages[path] = page(
            "section.html", articles=in_section, section=section, label=label, canonical=base_url + path
        )
    for article in articles:
        pages[article.path] = page(
            "article.html",
            article=article,
            related=_related(article, articles),
            json_ld=_json_ld(article, base_url),
            canonical=base_url + article.path,
        )
    listing_paths = [p for p in pages if p.startswith("/actualites/") and pages[p].status == 200]
    pages.update(_feed_pages(page, articles, base_url, listing_paths))
    not_found = env.get_template("404.html").render(**common, canonical=None)
    pages[""] = _Page(404, html, not_found.encode("utf-8"))  # served for unknown paths
    return pages


def _listing_pages(
    page: Callable[..., _Page], articles: list[DemoArticle], base_url: str
) -> dict[str, _Page]:
    """The paginated news listing (``/actualites/``, ``/actualites/page/N/``), page 1 under its
    short path only (its long one redirects)."""

    def listing_path(n: int) -> str:
        return "/actualites/" if n == 1 else f"/actualites/page/{n}/"

    pages: dict[str, _Page] = {}
    n_pages = max(1, -(-len(articles) // PER_PAGE))
    for number in range(1, n_pages + 1):
        path = listing_path(number)
        pages[path] = page(
            "listing.html",
            articles=articles[(number - 1) * PER_PAGE : number * PER_PAGE],
            number=number,
            n_pages=n_pages,
            canonical=base_url + path,
            prev_path=listing_path(number - 1) if number > 1 else None,
            next_path=listing_path(number + 1) if number < n_pages else None,
            page_paths=[listing_path(n) for n in range(1, n_pages + 1)],
        )
    pages["/actualites/page/1/"] = _Page(301, "text/html; charset=utf-8", b"", location="/actualites/")
    return pages


def _feed_pages(
    page: Callable[..., _Page], articles: list[DemoArticle], base_url: str, listing_paths: list[str]
) -> dict[str, _Page]:
    """What machines read: the RSS and Atom feeds, the sitemap and robots.txt."""
    updated = max(a.modified for a in articles)
    pages: dict[str, _Page] = {}
    pages["/rss.xml"] = page(
        "rss.xml",
        "application/rss+xml; charset=utf-8",
        items=[a for a in articles if a.in_rss],
        build_date=updated,
    )
    pages["/atom.xml"] = page(
        "atom.xml",
        "application/atom+xml; charset=utf-8",
        entries=[a for a in articles if a.in_atom],
        updated=updated,
    )
    pages["/sitemap.xml"] = page(
        "sitemap.xml",
        "application/xml; charset=utf-8",
        urls=[("/", updated, "hourly")]
        + [(p, updated, "hourly") for p in listing_paths]
        + [(a.path, a.modified, "monthly") for a in articles],
    )
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {base_url}/sitemap.xml\n"
    pages["/robots.txt"] = _Page(200, "text/plain; charset=utf-8", robots.encode("utf-8"))
    return pages


# --------------------------------------------------------------------------- serving


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for idle keep-alive connections
    pages: dict[str, _Page]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection frees its thread after this

    def _lookup(self) -> _Page:
        pages = self.server.pages
        path = self.path.split("?", 1)[0].split("#", 1)[0] or "/"
        if path in pages:
            return pages[path]
        if not path.endswith("/") and path + "/" in pages:
            return _Page(301, "text/html; charset=utf-8", b"", location=path + "/")
        return pages[""]

    def _respond(self, with_body: bool) -> None:
        page = self._lookup()
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        if page.location:
            self.send_header("Location", page.location)
        self.end_headers()
        if with_body:
            self.wfile.write(page.body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the demo prints its own progress."""


class DemoSite:
    """The demo site served on *host*:*port* (0 picks a free port) in a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        articles: list[DemoArticle] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.articles = articles if articles is not None else load_corpus()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> DemoSite:
        if self._server is not None:
            return self
        try:
            server = _Server((self.host, self.port), _Handler)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise DemoSiteError(
                    f"demo site: port {self.port} on {self.host} is already in use; "
                    "choose another port or use port 0 for a free one"
                ) from None
            raise DemoSiteError(
                f"demo site: cannot listen on {self.host}:{self.port}: {err.strerror or err}"
            ) from None
        self.port = server.server_address[1]
        server.pages = render_site(self.articles, self._base_url())
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="veille-demo-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses
    @property
    def running(self) -> bool:
        return self._server is not None

    def _base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise DemoSiteError("demo site is not started; call start() or use it as a context manager")
        return self._base_url()

    @property
    def rss_url(self) -> str:
        return self.base_url + "/rss.xml"

    @property
    def atom_url(self) -> str:
        return self.base_url + "/atom.xml"

    @property
    def listing_url(self) -> str:
        return self.base_url + "/actualites/"

    @property
    def sitemap_url(self) -> str:
        return self.base_url + "/sitemap.xml"

    def url_for(self, article: DemoArticle) -> str:
        """The absolute URL of *article*'s page on this running site."""
        return self.base_url + article.path

    def paths(self) -> Iterator[str]:
        """Every path the site serves with 200, for tests and checks."""
        if self._server is None:
            raise DemoSiteError("demo site is not started; call start() or use it as a context manager")
        return (p for p, page in self._server.pages.items() if p and page.status == 200)


__all__ = [
    "CORPUS_DIR",
    "PER_PAGE",
    "DemoArticle",
    "DemoCorpusError",
    "DemoSite",
    "DemoSiteError",
    "load_corpus",
    "render_site",
]
