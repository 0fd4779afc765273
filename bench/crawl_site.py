"""The generated news site crawled by ``bench/crawl_throughput.py``: ~30 KB French article
pages (navigation, JSON-LD, standfirst, comments, sidebar; 1 page in 20 a syndicated copy of
the one before) and an RSS feed listing them, served from loopback.

:func:`serve` runs one ``ThreadingHTTPServer`` per loopback address (Linux routes all of
127.0.0.0/8 to ``lo``, so 127.0.0.1, 127.0.0.2... are as many "sites" for Scrapy's
per-domain slots); page ``i`` is listed in the feed on address ``i % len(addresses)``. Every
answer can wait a simulated network latency, drawn per path from a seeded generator
(uniform, 0.5 to 1.5 times the mean), so both crawls of a run see the same latencies.
"""

from __future__ import annotations

import http.server
import random
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECTOR = (
    "offshoring nearshore Maroc Casablanca Rabat Fès Tanger Oujda centres d'appel relation client "
    "emplois ingénieurs développeurs entreprises opérateurs plateaux investissements exportations "
    "services numériques externalisation formation diplômés salaires croissance marché clients européens "
    "Casanearshore Technopolis APEBI ADD ministère transition numérique stratégie programme zones parc "
    "secteur chiffre d'affaires milliards dirhams millions postes recrutement talents projet annonce"
).split()
FRENCH = [
    w for w in (REPO / "bench" / "data" / "fr_words.txt").read_text(encoding="utf-8").split() if w.isalpha()
][:2000]
SECTIONS = [
    "Économie",
    "Entreprises",
    "Emploi",
    "Tech",
    "Régions",
    "Finance",
    "Société",
    "International",
    "Offshoring",
    "Industrie",
    "Start-up",
    "Formation",
    "Opinions",
    "Vidéos",
    "Podcasts",
]
STYLE = "".join(f".c{k}{{margin:{k}px;padding:{k % 7}px;color:#{k:03x}}}" for k in range(200))
TRACKER = (
    "(function(w,d){"
    + "".join(f"w.q{k}=w.q{k}||[];w.q{k}.push(['evt',{k}]);" for k in range(90))
    + "})(window,document);"
)


ZIPF = [1 / (rank + 1) for rank in range(len(FRENCH))]  # fr_words.txt is in frequency order


def _sentence(rng: random.Random, lo: int = 12, hi: int = 24) -> str:
    n = rng.randint(lo, hi)
    words = [rng.choice(SECTOR) if rng.random() < 0.06 else w for w in rng.choices(FRENCH, ZIPF, k=n)]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 4)))


def _headline(rng: random.Random, i: int) -> str:
    return f"{rng.choice(SECTOR).capitalize()} : {_sentence(rng, 6, 9)[:-1]} ({i})"


def make_page(
    i: int, rng: random.Random, wire: list[str] | None = None, paragraphs: int = 19
) -> tuple[str, str, str, list[str]]:
    title = _headline(rng, i)
    lead = _sentence(rng, 25, 35)
    body = list(wire) if wire else [_paragraph(rng) for _ in range(paragraphs)]
    if wire:  # a syndicated copy: the same wire story with the site's own intro
        body[0] = _paragraph(rng)
    blocks = []
    for k, p in enumerate(body):
        if k in (5, 11):
            blocks.append(f"<h2>{_sentence(rng, 4, 7)[:-1]}</h2>")
        if k == 8:
            blocks.append(
                f'<p class="related"><strong>Lire aussi :</strong> <a href="/a/{max(i - 3, 0)}.html">'
                f"{_headline(rng, max(i - 3, 0))}</a></p>"
            )
        blocks.append(f"<p>{p}</p>")
    day = f"2025-05-{1 + i % 28:02d}"
    links = lambda prefix, k: "".join(  # noqa: E731
        f'<li><a href="/{prefix}/{j}/">{_headline(rng, j)}</a></li>' for j in range(k)
    )
    nav = "".join(f'<li><a href="/rubrique/{s.lower()}/">{s}</a></li>' for s in SECTIONS)
    page = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Le Bench</title>
<meta name="description" content="{lead}"><meta property="og:title" content="{title}">
<meta property="og:description" content="{lead}"><meta property="og:type" content="article">
<meta property="article:published_time" content="{day}T10:00:00+01:00"><meta name="author" content="Rédaction Le Bench">
<link rel="canonical" href="/a/{i}.html"><link rel="stylesheet" href="/static/site.css">
<style>{STYLE}</style>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}",
"datePublished":"{day}T10:00:00+01:00","author":{{"@type":"Person","name":"Rédaction Le Bench"}},
"publisher":{{"@type":"Organization","name":"Le Bench"}},"description":"{lead}"}}</script>
<script>{TRACKER}</script></head>
<body class="single-post">
<div id="cookie-banner">Ce site utilise des cookies pour mesurer l'audience. <button>Accepter</button> <button>Refuser</button></div>
<header class="site-header"><a class="logo" href="/">Le Bench</a>
<form class="search" action="/recherche"><input name="q" placeholder="Rechercher"></form>
<nav class="main-nav"><ul>{nav}</ul></nav>
<div class="ticker"><span>En continu</span><ul>{links("flash", 6)}</ul></div></header>
<main><div class="breadcrumb"><a href="/">Accueil</a> › <a href="/rubrique/economie/">Économie</a> › Offshoring</div>
<article class="post">
<h1 class="entry-title">{title}</h1>
<p class="chapo">{lead}</p>
<div class="byline">Par <a href="/auteur/redaction/">Rédaction Le Bench</a> | Publié le <time datetime="{day}T10:00:00+01:00">{day}</time></div>
<div class="share">Partager : <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">LinkedIn</a> <a href="#">WhatsApp</a></div>
<figure><img src="/img/{i}.jpg" alt="illustration"><figcaption>{_sentence(rng, 6, 10)} © DR</figcaption></figure>
<div class="entry-content">
{"".join(blocks)}
</div>
<div class="tags">Mots-clés : {" ".join(f'<a href="/tag/{t.lower()}/">{t}</a>' for t in rng.sample(SECTOR, 6))}</div>
</article>
<section class="comments"><h3>3 commentaires</h3>
<div class="comment"><b>Karim</b> <span>il y a 2 heures</span><p>{_sentence(rng)}</p></div>
<div class="comment"><b>Salma</b> <span>il y a 3 heures</span><p>{_sentence(rng)}</p></div>
<div class="comment"><b>Youssef</b> <span>hier</span><p>{_sentence(rng)}</p></div>
<form><textarea name="c"></textarea><button>Poster un commentaire</button></form></section>
</main>
<aside class="sidebar"><h3>Les plus lus</h3><ol>{links("a", 10)}</ol>
<h3>Dernières infos</h3><ul>{links("b", 14)}</ul>
<div class="newsletter"><h3>Newsletter</h3><p>Inscrivez-vous à notre newsletter pour recevoir l'essentiel de l'actualité.</p>
<input type="email"><button>S'inscrire</button></div></aside>
<footer><ul>{"".join(f'<li><a href="/page/{k}/">{s} {k}</a></li>' for k, s in enumerate(SECTIONS * 3))}</ul>
<p>© 2025 Le Bench. Tous droits réservés. Mentions légales · Contact · Publicité</p></footer>
<script src="/static/app.js"></script><script>{TRACKER}</script>
</body></html>"""
    return page, title, lead, body


def make_pages(n: int, seed: int = 42) -> tuple[dict[str, bytes], list[str]]:
    """The article pages by path, and one RSS ``<item>`` per page (its link starts ``{base}``)."""
    rng = random.Random(seed)
    pages: dict[str, bytes] = {}
    items = []
    previous: list[str] | None = None
    for i in range(n):
        wire = previous if i % 20 == 19 else None  # 1 page in 20 is a syndicated copy of the one before
        html, title, lead, body = make_page(i, rng, wire)
        previous = body
        pages[f"/a/{i}.html"] = html.encode()
        items.append(
            f"<item><title>{title}</title><link>{{base}}/a/{i}.html</link>"
            f"<pubDate>Thu, 01 May 2025 10:00:00 +0000</pubDate><description>{lead}</description></item>"
        )
    return pages, items


def make_feed(items: list[str], bases: list[str]) -> bytes:
    """The RSS feed: item ``i`` links to its page on ``bases[i % len(bases)]``."""
    linked = (item.replace("{base}", bases[i % len(bases)], 1) for i, item in enumerate(items))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
        + "".join(linked)
        + "</channel></rss>"
    ).encode()


def latency_of(path: str, mean: float, seed: int = 42) -> float:
    """Seconds the server waits before answering ``path``: 0.5 to 1.5 times ``mean``."""
    return mean * random.Random(f"{seed}:{path}").uniform(0.5, 1.5) if mean > 0 else 0.0


def _handler(pages: dict[str, bytes], latency: float, seed: int) -> type[http.server.BaseHTTPRequestHandler]:
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(latency_of(self.path, latency, seed))
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header(
                "Content-Type",
                "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8",
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return H


def serve(
    pages: dict[str, bytes], addresses: list[str], latency: float = 0.0, seed: int = 42
) -> list[http.server.ThreadingHTTPServer]:
    """One threaded server per address (each on a free port) serving ``pages``, which the
    caller may still fill in (the feed names the servers' ports). ``latency``: mean seconds."""
    handler = _handler(pages, latency, seed)
    servers = []
    for address in addresses:
        server = http.server.ThreadingHTTPServer((address, 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def base_url(server: http.server.ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def loopback_addresses(n: int) -> list[str]:
    """127.0.0.1 ... 127.0.0.n (at most 254)."""
    if not 1 <= n <= 254:
        raise ValueError(f"--hosts must be between 1 and 254, got {n}")
    return [f"127.0.0.{k}" for k in range(1, n + 1)]
