"""Fixture web sites served over real HTTP on 127.0.0.1 (stdlib server, ephemeral port).

One server plays several sites, each under its own path prefix:

- ``/wp/``: a WordPress-like site, UTF-8, JSON-LD, with an RSS feed ``/wp/feed/`` whose
  entries also point at the trouble pages below;
- ``/legacy/``: an old cp1252 site without feed, charset wrong or missing, a table layout,
  a listing ``actualites.php?page=N`` paginated by a "Page suivante" text link;
- ``/news/``: a site with a news sitemap (``sitemap_index.xml`` -> ``news-sitemap.xml``)
  and an Atom feed, holding a syndicated copy of a /wp/ article;
- trouble: ``/error/500``, ``/slow`` (sleeps ``SLOW_SECONDS``), ``/loop/a`` <-> ``/loop/b``,
  ``/private/`` (disallowed by robots.txt), ``/huge`` (``HUGE_BYTES``), ``/wp/missing/``
  (404), ``/wp/doc.pdf``, ``/bad/feed.xml`` (malformed), ``/ssrf/feed.xml`` (links to
  private addresses and odd schemes).

The article pages are the pinned fixtures of ``tests/data/pages/``.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
SLOW_SECONDS = 10.0
HUGE_BYTES = 1_500_000

WP = {  # path -> (fixture, title, date, summary)
    "/wp/2025/03/12/offshoring-exportations-record/": (
        "wordpress/offshoring-exportations",
        "Offshoring : les exportations atteignent un record",
        "2025-03-12T09:30:00+00:00",
        "Les exportations de l'offshoring atteignent 18,5 milliards de dirhams.",
    ),
    "/wp/2025/05/20/nearshore-nextalis-rabat/": (
        "wordpress/nearshore-emplois",
        "Nearshore : Nextalis ouvre un centre à Rabat",
        "2025-05-20T13:00:00+00:00",
        "Un centre nearshore de 600 ingénieurs ouvre à Technopolis Rabat.",
    ),
    "/wp/2025/04/02/tarhil-khadamat/": (
        "wordpress/arabic",
        "برنامج جديد لدعم ترحيل الخدمات",
        "2025-04-02T09:00:00+00:00",
        "برنامج جديد لدعم ترحيل الخدمات.",
    ),
    "/wp/2025/04/06/derby-nul/": (
        "wordpress/football",
        "Botola : le derby se termine sur un nul",
        "2025-04-06T21:10:00+00:00",
        "Le derby casablancais s'est soldé par un match nul.",
    ),
    "/wp/2025/05/02/centres-appel-recomposition/": (
        "wordpress/paywall",
        "Centres d'appel : la grande recomposition",
        "2025-05-02T06:00:00+00:00",
        "Le marché des centres d'appel connaît une recomposition rapide après le rachat de plusieurs "
        "opérateurs de l'offshoring au Maroc. Les nouveaux propriétaires veulent regrouper les plateaux "
        "de Casablanca et de Rabat et investir dans l'automatisation, au risque de supprimer des postes de "
        "téléconseillers. Les syndicats du secteur demandent des garanties sur l'emploi et la formation.",
    ),
}
TROUBLE = {  # path -> (title, summary): feed entries whose page cannot be had normally
    "/error/500": (
        "Casanearshore : un opérateur double ses effectifs",
        "Un opérateur de centres d'appel installé à Casanearshore double ses effectifs à 2 000 salariés.",
    ),
    "/slow": (
        "Offshoring : la Tunisie et le Portugal accélèrent",
        "La concurrence du nearshore s'intensifie pour le Maroc face à la Tunisie et au Portugal.",
    ),
    "/loop/a": ("Boucle de redirection", "Cette page redirige en boucle."),
    "/private/secret/": ("Page interdite", "Interdite par robots.txt."),
    "/huge": ("Page énorme", "Une page trop grosse."),
    "/wp/missing/": ("Article supprimé", "Cet article n'existe plus."),
    "/wp/doc.pdf": ("Rapport annuel (PDF)", "Le rapport annuel de la fédération."),
}
LEGACY = {"/legacy/article-1.php": "legacy/article-1", "/legacy/article-2.php": "legacy/article-2",
          "/legacy/article-3.php": "legacy/article-3"}  # fmt: skip
LEGACY_HEADERS = {  # what the old server says (article-1's <meta> claims utf-8, wrongly)
    "legacy/article-1": "text/html",
    "legacy/article-2": "text/html",
    "legacy/article-3": "text/html",
}
NEWS = {
    "/news/technopolis-extension.html": ("newsite/technopolis", "2025-05-15T11:20:00+01:00",
                                         "Technopolis Rabat s'agrandit de 25 hectares"),
    "/news/offshoring-record-map.html": ("newsite/syndicated-exportations", "2025-03-12T12:05:00+00:00",
                                         "Offshoring : record de 18,5 milliards de dirhams à l'export"),
    "/news/vieille-depeche.html": ("newsite/technopolis", "2010-01-05T10:00:00+00:00", "Une vieille dépêche"),
}  # fmt: skip


def _rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso))


def rss(base: str, items: list[tuple[str, str, str, str]], title: str = "Maroc Éco Hebdo") -> bytes:
    """items: (url, title, iso date, summary)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"<channel><title>{title}</title><link>{base}/wp/</link><language>fr-FR</language>",
    ]
    for url, t, date, summary in items:
        out.append(
            f"<item><title><![CDATA[{t}]]></title><link>{url}</link><guid>{url}</guid>"
            f"<pubDate>{_rfc822(date)}</pubDate><dc:creator>Rédaction</dc:creator>"
            f"<description><![CDATA[<p>{summary}</p>]]></description></item>"
        )
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def wp_feed(base: str) -> bytes:
    items = [(base + path, t, d, s) for path, (_, t, d, s) in WP.items()]
    items += [(base + path, t, "2025-05-28T08:00:00+00:00", s) for path, (t, s) in TROUBLE.items()]
    items.append(
        (base + "/wp/2010/01/01/ancien/", "Un très vieil article", "2010-01-01T08:00:00+00:00", "Ancien.")
    )
    return rss(base, items)


def json_feed(base: str) -> bytes:
    """The WordPress articles as a JSON Feed 1.1 (authors list, content_html, language)."""
    items = [
        {
            "id": base + path,
            "url": base + path,
            "title": t,
            "date_published": d,
            "content_html": f"<p>{s}</p><p>Lire la suite&nbsp;&amp; réagir.</p>",
            "authors": [{"name": "Rédaction"}],
        }
        for path, (_, t, d, s) in WP.items()
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Maroc Éco Hebdo (JSON)",
        "home_page_url": base + "/wp/",
        "language": "fr-FR",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False).encode("utf-8")


def utf16_feed(base: str) -> bytes:
    """The WordPress articles as RSS in UTF-16 with a byte-order mark, its XML declaration
    naming no encoding (served as text/xml without a charset)."""
    items = [(base + path, t, d, s) for path, (_, t, d, s) in WP.items()]
    text = (
        rss(base, items)
        .decode("utf-8")
        .replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>')
    )
    return text.encode("utf-16")  # Python writes the BOM


def ssrf_feed(base: str, port: int) -> bytes:
    items = [
        (
            f"http://127.0.0.1:{port}/wp/2025/05/20/nearshore-nextalis-rabat/",
            "Loopback",
            "2025-05-20T13:00:00+00:00",
            "x",
        ),
        ("http://10.0.0.1/admin", "Réseau privé", "2025-05-20T13:00:00+00:00", "x"),
        ("http://169.254.169.254/latest/meta-data/", "Métadonnées cloud", "2025-05-20T13:00:00+00:00", "x"),
        ("file:///etc/passwd", "Fichier local", "2025-05-20T13:00:00+00:00", "x"),
        ("ftp://127.0.0.1/pub/", "FTP", "2025-05-20T13:00:00+00:00", "x"),
    ]
    return rss(base, items, title="Flux piégé")


BAD_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Flux cassé</title>
<item><title>Offshoring : premier article lisible</title><link>{base}/wp/2025/03/12/offshoring-exportations-record/</link>
<description>Un résumé & un esperluette nue</description><pubDate>Wed, 12 Mar 2025 09:30:00 +0000</pubDate></item>
<item><title>Deuxième article <b>mal fermé</title><link>{base}/wp/2025/05/20/nearshore-nextalis-rabat/</link>
<description>Encore un résumé</description>
</channel>
"""


def legacy_listing(page: int) -> bytes:
    links = {1: ["article-1.php", "article-2.php"], 2: ["article-3.php"]}[page]
    items = "".join(f'<tr><td class="titre-liste"><a href="{h}">Article {h}</a></td></tr>' for h in links)
    nxt = '<a href="actualites.php?page=2">Page suivante</a>' if page == 1 else ""
    html = (
        "<html><head><title>Actualités - L'Écho du Détroit</title></head><body>"
        '<table><tr><td class="menu"><a href="index.php">Accueil</a> | <a href="contact.php">Contact</a> | '
        '<a href="rubrique.php?id=3">Société</a></td></tr>'
        f"{items}</table><p>Dernières nouvelles de la région de l'Oriental, mises à jour chaque jour.</p>{nxt}</body></html>"
    )
    return html.encode("cp1252")


def news_sitemap(base: str) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication><news:name>Dépêches Maroc</news:name>"
        f"<news:language>fr</news:language></news:publication><news:publication_date>{date}</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
        for path, (_, date, title) in NEWS.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def atom(base: str) -> bytes:
    entries = "".join(
        f'<entry><title>{title}</title><link rel="alternate" href="{base}{path}"/><id>{base}{path}</id>'
        f"<updated>{date}</updated><published>{date}</published><author><name>Dépêches Maroc</name></author>"
        f"<summary>{title}.</summary></entry>"
        for path, (_, date, title) in list(NEWS.items())[:2]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
        f"<title>Dépêches Maroc</title><id>{base}/news/</id><updated>2025-05-15T11:20:00+01:00</updated>{entries}</feed>"
    ).encode()


# /hebdo/: a site whose every <title> ends with its name, written nowhere else on its pages
# (no og:site_name, no heading, a host name that says nothing): a crawl learns the suffix
HEBDO_SUFFIX = "L'Hebdo du Nord"
HEBDO = {
    f"/hebdo/{n}/": (headline, f"2025-03-{10 + n:02d}T09:00:00+00:00")
    for n, headline in enumerate(
        [
            "Les exportations de services progressent",
            "Un nouveau centre d'appels ouvre à Tanger",
            "Un centre nearshore s'installe à Nador",
            "Les jeunes diplômés recrutés dans l'offshoring",
        ],
        start=1,
    )
}


def hebdo_page(headline: str) -> bytes:
    words = headline.split()
    body = f"<p>{headline}. " + " ".join(  # a text of its own on each page (dedup keeps them apart)
        f"{words[k % len(words)].capitalize()} : {k * len(headline) + 17} emplois selon {words[-1 - k % len(words)]}"
        f" et {words[(3 * k) % len(words)]} en {1990 + (k * len(headline)) % 35}."
        for k in range(12)
    )
    return (
        f"<html lang='fr'><head><meta charset='utf-8'><title>{headline} | {HEBDO_SUFFIX}</title></head>"
        f"<body><div class='content'>{body}</p><p>{body}</p></div></body></html>"
    ).encode()


# /pub/: a publisher with its own feed; /gnews/: a news-query feed on the same server naming
# that publisher in <source url=...>, whose links go through an aggregator's redirect page
# served on a second loopback host ("localhost", /agg/), as news aggregators do
PUB_NAME = "Le Courrier du Détroit"
PUB = {  # path -> (headline, date, body sentence)
    "/pub/2025/06/02/tanger-centre-appels/": (
        "Un centre d'appels de 800 postes ouvre à Tanger",
        "2025-06-02T08:00:00+00:00",
        "Le nouveau centre d'appels de Tanger Med emploiera 800 téléconseillers d'ici 2026",
    ),
    "/pub/2025/06/03/offshoring-rabat/": (
        "L'offshoring recrute 1 200 ingénieurs à Rabat",
        "2025-06-03T10:00:00+00:00",
        "Les sociétés d'offshoring de Technopolis Rabat recruteront 1 200 ingénieurs cette année",
    ),
}


def pub_page(path: str) -> bytes:
    headline, date, sentence = PUB[path]
    paragraphs = "".join(
        f"<p>{sentence}, selon l'agence régionale ({k + 1}/6). Les salaires des profils "
        f"qualifiés progressent de {3 + k} % dans le secteur de l'offshoring.</p>"
        for k in range(6)
    )
    return (
        f"<html lang='fr'><head><meta charset='utf-8'><title>{headline} - {PUB_NAME}</title>"
        f"<meta property='og:site_name' content='{PUB_NAME}'>"
        f"<meta property='article:published_time' content='{date}'></head>"
        f"<body><article><h1>{headline}</h1>{paragraphs}</article></body></html>"
    ).encode()


def gnews_feed(base: str, port: int) -> bytes:
    """The news-query feed: titles "Headline - Publisher", links to the aggregator's page."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>"offshoring" - News</title>'
    ]
    for n, (_path, (headline, date, sentence)) in enumerate(PUB.items()):
        out.append(
            f"<item><title>{headline} - {PUB_NAME}</title>"
            f"<link>http://localhost:{port}/agg/articles/{n}</link><guid>agg-{n}</guid>"
            f"<pubDate>{_rfc822(date)}</pubDate>"
            f"<description>&lt;p&gt;{sentence}.&lt;/p&gt;</description>"
            f'<source url="{base}/pub/">{PUB_NAME}</source></item>'
        )
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def aggregator_page(target: str, here: str) -> bytes:
    """An interstitial page: no article, a script and a link to the publisher's page."""
    return (
        f"<html><head><title>Redirection</title><link rel='canonical' href='{here}'>"
        f"<script>window.location.replace({json.dumps(target)});</script></head>"
        f"<body><p>Ouverture de l'article…</p><a href='{target}'>Continuer</a></body></html>"
    ).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send(
        self, status: int, body: bytes, ctype: str | None = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:  # noqa: C901 - a routing table
        server = self.server
        server.hits.append(self.path)  # type: ignore[attr-defined]
        port = server.server_address[1]
        host = self.headers.get("Host") or f"127.0.0.1:{port}"
        base = f"http://{host}"
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/wp/feed/":
            return self.send(200, wp_feed(base), "application/rss+xml; charset=UTF-8")
        if path in WP:
            return self.send(200, (PAGES / f"{WP[path][0]}.html").read_bytes())
        if path == "/error/500":
            return self.send(500, b"<html><body>Erreur interne</body></html>")
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return self.send(200, b"<html><body>Trop tard</body></html>")
        if path in ("/loop/a", "/loop/b"):
            other = "/loop/b" if path == "/loop/a" else "/loop/a"
            return self.send(302, b"", None, Location=other)
        if path.startswith("/private/"):
            return self.send(200, b"<html><body>secret</body></html>")
        if path == "/huge":
            para = "<p>" + "Offshoring au Maroc. " * 50 + "</p>\n"
            body = ("<html><body>" + para * (HUGE_BYTES // len(para) + 1) + "</body></html>").encode()
            return self.send(200, body)
        if path == "/wp/doc.pdf":
            return self.send(200, b"%PDF-1.4 fake", "application/pdf")
        if path == "/hebdo/feed/":
            items = [  # the feed repeats the pages' titles, suffix included
                (base + path, f"{headline} | {HEBDO_SUFFIX}", date, headline + ".")
                for path, (headline, date) in HEBDO.items()
            ]
            return self.send(200, rss(base, items, HEBDO_SUFFIX), "application/rss+xml; charset=UTF-8")
        if path in HEBDO:
            return self.send(200, hebdo_page(HEBDO[path][0]))
        if path == "/gnews/rss":
            return self.send(200, gnews_feed(f"http://127.0.0.1:{port}", port), "application/rss+xml")
        if path.startswith("/agg/articles/"):
            target = f"http://127.0.0.1:{port}" + list(PUB)[int(path.rsplit("/", 1)[1])]
            return self.send(200, aggregator_page(target, base + path))
        if path == "/pub/feed/":
            items = [
                (base + p, headline, date, sentence + ".") for p, (headline, date, sentence) in PUB.items()
            ]
            return self.send(200, rss(base, items, PUB_NAME), "application/rss+xml; charset=UTF-8")
        if path in PUB:
            return self.send(200, pub_page(path))
        if path == "/json/feed.json":
            return self.send(200, json_feed(base), "application/feed+json")
        if path == "/utf16/feed.xml":
            return self.send(200, utf16_feed(base), "text/xml")
        if path == "/bad/feed.xml":
            return self.send(200, BAD_FEED.format(base=base).encode(), "application/rss+xml")
        if path == "/ssrf/feed.xml":
            return self.send(200, ssrf_feed(base, port), "application/rss+xml")
        if path in ("/legacy/actualites.php", "/legacy/"):
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            return self.send(200, legacy_listing(page), "text/html")
        if path in LEGACY:
            fixture = LEGACY[path]
            return self.send(200, (PAGES / f"{fixture}.html").read_bytes(), LEGACY_HEADERS[fixture])
        if path == "/news/sitemap_index.xml":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/news/news-sitemap.xml</loc></sitemap></sitemapindex>"
            ).encode()
            return self.send(200, body, "application/xml")
        if path == "/news/news-sitemap.xml":
            return self.send(200, news_sitemap(base), "application/xml")
        if path == "/news/atom.xml":
            return self.send(200, atom(base), "application/atom+xml")
        if path in NEWS:
            return self.send(200, (PAGES / f"{NEWS[path][0]}.html").read_bytes())
        return self.send(404, b"<html><body>Page introuvable</body></html>")


class FixtureSite:
    """``with FixtureSite() as site: site.url("/wp/feed/")``."""

    def __init__(self) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.hits = []  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def hits(self) -> list[str]:
        return self.server.hits  # type: ignore[attr-defined]

    def __enter__(self) -> FixtureSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
