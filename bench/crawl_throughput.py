"""Crawl throughput: Veille's full crawl (spider + page extraction + every pipeline stage,
archive included) against a bare Scrapy spider fetching the same pages, on a generated
2,000-page loopback site (RSS feed + ~30 KB French article pages).

Each crawl runs in its own child process (one Twisted reactor per process) and is timed as
the bare spider is, from the crawler start to its end; the spaCy extraction stage, which
runs batched when the spider closes, is timed and reported apart. Prints, never asserts.
Usage: ``python bench/crawl_throughput.py [--pages 2000] [--no-extraction] [--profile DIR]``.
"""

from __future__ import annotations

import argparse
import http.server
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
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


def make_page(i: int, rng: random.Random, wire: list[str] | None = None) -> tuple[str, str, str, list[str]]:
    title = _headline(rng, i)
    lead = _sentence(rng, 25, 35)
    body = list(wire) if wire else [_paragraph(rng) for _ in range(19)]
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


def make_pages(n: int, seed: int = 42) -> dict[str, bytes]:
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
    pages["/feed.xml"] = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()
    return pages


def serve(pages: dict[str, bytes]) -> http.server.ThreadingHTTPServer:
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path == "/feed.xml":
                body = body.replace(b"{base}", f"http://127.0.0.1:{self.server.server_address[1]}".encode())
            self.send_response(200)
            self.send_header(
                "Content-Type",
                "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8",
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


BARE = """
import sys, time, scrapy
from scrapy.crawler import CrawlerProcess
urls = [f"{sys.argv[1]}/a/{i}.html" for i in range(int(sys.argv[2]))]
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for u in urls:
            yield scrapy.Request(u)
    def parse(self, response):
        yield {"url": response.url, "n": len(response.body)}
p = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
                    "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False})
p.crawl(Bare)
t = time.perf_counter(); p.start(); print(time.perf_counter() - t)
"""

# The Veille crawl as `python -m spiders.run` runs it, timed the way the bare spider is
# (CrawlerProcess.start: spider open to close), the spaCy stage at close timed apart.
# Optionally under cProfile (--profile DIR).
VEILLE = """
import json, sys, time
from scrapy.crawler import CrawlerProcess
from pipeline.extract import ExtractPipeline
timing = {"crawl": 0.0, "extract": 0.0}
def timed(key, fn):
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            timing[key] += time.perf_counter() - t
    return wrapper
CrawlerProcess.start = timed("crawl", CrawlerProcess.start)
ExtractPipeline.close_spider = timed("extract", ExtractPipeline.close_spider)
from spiders.run import main
profile = sys.argv[1]
if profile:
    import cProfile
    prof = cProfile.Profile()
    rc = prof.runcall(main, sys.argv[2:])
    prof.dump_stats(profile)
else:
    rc = main(sys.argv[2:])
print("VEILLE-TIMING " + json.dumps(timing), file=sys.stderr)
sys.exit(rc)
"""

CRAWL_TOML = """
[crawl]
concurrent_requests = 32
concurrent_requests_per_domain = 32
download_delay = 0
robots_obey = false
[crawl.autothrottle]
enabled = false
[crawl.scrapy]
LOG_LEVEL = "ERROR"
"""

WITHOUT_EXTRACTION = {
    "pipeline.normalise.NormalisePipeline": 100,
    "pipeline.relevance.RelevancePipeline": 200,
    "pipeline.dedup.DedupPipeline": 300,
    "pipeline.storage.StorePipeline": 400,
}


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (the machine may be shared: wall time varies)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_veille(
    base: str, conf: Path, data: Path, extra: list[str], profile: str = ""
) -> tuple[dict, dict, float]:
    """(ledger line, {"crawl": s, "extract": s}, process seconds) of one Veille crawl."""
    t0, cpu0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(
        [sys.executable, "-c", VEILLE, profile, "bench", "--config-dir", str(conf), "--data-dir", str(data),
         "--allow-host", "127.0.0.1", *extra],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr[-1500:]}")
    marker = [ln for ln in proc.stderr.splitlines() if ln.startswith("VEILLE-TIMING ")]
    timing = json.loads(marker[-1].split(" ", 1)[1])
    timing["cpu"] = _children_cpu() - cpu0
    return json.loads(proc.stdout)["sources"][0], timing, secs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--no-extraction", action="store_true", help="skip the run with the spaCy stage")
    parser.add_argument(
        "--profile", metavar="DIR", help="also write a cProfile dump of each Veille crawl to DIR"
    )
    args = parser.parse_args()
    pages = make_pages(args.pages)
    size = sum(len(v) for k, v in pages.items() if k != "/feed.xml") / args.pages
    server = serve(pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"{args.pages} pages of {size / 1024:.0f} KB on {base}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        t0, cpu0 = time.perf_counter(), _children_cpu()
        bare = subprocess.run(
            [sys.executable, "-c", BARE, base, str(args.pages)], capture_output=True, text=True
        )
        bare_secs = float(bare.stdout.strip().splitlines()[-1]) if bare.returncode == 0 else float("nan")
        bare_rate = args.pages / bare_secs
        print(
            f"bare Scrapy spider: {bare_secs:.1f} s crawling -> {bare_rate:.1f} pages/s "
            f"(process {time.perf_counter() - t0:.1f} s, {_children_cpu() - cpu0:.1f} s CPU)",
            flush=True,
        )
        conf = Path(tmp) / "config"
        shutil.copytree(REPO / "config", conf)
        (conf / "crawl.toml").write_text(CRAWL_TOML, encoding="utf-8")
        (conf / "sources.toml").write_text(
            f'[[source]]\nname = "bench"\nkind = "rss"\nurls = ["{base}/feed.xml"]\nallowed_domains = []\n',
            encoding="utf-8",
        )
        variants = [("without extraction", ["-s", "ITEM_PIPELINES=" + json.dumps(WITHOUT_EXTRACTION)])]
        if not args.no_extraction:
            variants.append(("with extraction at close", []))
        ratios = []
        for n, (label, extra) in enumerate(variants):
            profile = str(Path(args.profile) / f"veille-{n}.prof") if args.profile else ""
            try:
                line, timing, secs = run_veille(base, conf, Path(tmp) / f"data-{n}", extra, profile)
            except RuntimeError as exc:
                print(f"Veille, {label}: failed: {exc}", flush=True)
                continue
            crawl = timing["crawl"] - timing["extract"]
            print(f"Veille, {label}: crawl {crawl:.1f} s -> {args.pages / crawl:.1f} pages/s"
                  + (f"; spaCy extraction at close {timing['extract']:.1f} s "
                     f"({line['new'] / max(timing['extract'], 1e-9):.1f} articles/s); crawl + extraction "
                     f"{timing['crawl']:.1f} s -> {args.pages / timing['crawl']:.1f} pages/s" if timing["extract"] else "")
                  + f" (process {secs:.1f} s, {timing['cpu']:.1f} s CPU); fetched {line['fetched']}, new {line['new']}, "
                  f"duplicate {line['duplicate']}, dropped {line['drop_reasons']}", flush=True)  # fmt: skip
            ratios.append((f"Veille {label}, crawl only", args.pages / crawl))
            if timing["extract"]:
                ratios.append((f"Veille {label}, crawl + extraction", args.pages / timing["crawl"]))
        for label, rate in ratios:
            print(f"ratio {label} / bare Scrapy: {rate / bare_rate:.2f}")
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
