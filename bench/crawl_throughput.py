"""Crawl throughput: Veille's full crawl (spider + page extraction + every pipeline stage,
archive included) against a bare Scrapy spider fetching the same pages, on a generated
2,000-page loopback site (RSS feed + ~30 KB French article pages, see ``crawl_site.py``).

    python bench/crawl_throughput.py [--pages 2000] [--no-extraction] [--profile DIR]
    python bench/crawl_throughput.py --polite [--delay-scale 0.1] [--hosts 16] [--latency 150]

Two modes; each prints a header line with the settings used, pages/s for each side and the
ratio Veille / bare. Prints, never asserts.

- **Unthrottled** (the default): what the crawl costs. 32 concurrent requests (32 per
  domain), no download delay, no AutoThrottle, robots.txt not fetched, one host, no server
  latency. The crawl is CPU-bound, so the ratio is the ratio of CPU per page.
- **Polite** (``--polite``): whether Veille's pipeline slows a crawl paced as in
  production. Both sides get the politeness settings a Veille crawl gets (spiders/settings.py
  then ``config/crawl.toml``, read through ``spiders.run.scrapy_settings``):
  CONCURRENT_REQUESTS, CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY, AUTOTHROTTLE_*,
  ROBOTSTXT_OBEY; DOWNLOAD_DELAY and the AutoThrottle start/max delays are multiplied by
  ``--delay-scale`` (default 0.1, so a run takes about a minute; production waits
  1/scale times longer between requests to a site, which makes this run harsher on Veille
  than production). The pages are spread over ``--hosts`` loopback addresses (127.0.0.1,
  127.0.0.2..., default 16) so per-domain politeness applies as over a list of sources, and
  the server waits ``--latency`` ms (default 150; 0.5-1.5 times that, seeded per page)
  before each answer, like a remote site.

Each crawl runs in its own child process (one Twisted reactor per process) and is timed the
same way, from the crawler start to its end; the spaCy extraction stage, which runs batched
when the spider closes, is timed and reported apart. Veille runs with a copy of
``config/`` (its real crawl.toml) whose sources.toml names the bench feed, the politeness
settings above given with ``-s`` (identical to the bare spider's), LOG_LEVEL ERROR, and
every bench address allowed through its SSRF guard (``--allow-host``; the bare spider has
no guard).

What each side does. The bare spider gets its URLs from ``start()`` and yields one small
dict per page; nothing else. Veille reads the RSS feed first (one more request), then per
page: its SSRF guard and retry/backoff downloader middlewares, page extraction (lxml,
trafilatura, JSON-LD, meta tags), then the item pipeline: normalise, language + relevance,
dedup (content hash, MinHash, LSH index), the archive write (SQLite, one transaction per
article, full-text keys). Veille's pure CPU work (extraction, normalise, relevance, the
dedup hashes) runs in ``VEILLE_WORKERS`` processes ("auto": one per CPU) beside the
reactor, as in production; the bare spider has no such work. ``--profile`` profiles the
reactor's process only.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crawl_site import base_url, loopback_addresses, make_feed, make_pages, serve

REPO = Path(__file__).resolve().parent.parent

UNTHROTTLED: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_DELAY": 0.0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
}
SCALED = ("DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY")


def polite_settings(scale: float) -> dict[str, Any]:
    """The politeness settings of a production Veille crawl, delays multiplied by ``scale``."""
    sys.path.insert(0, str(REPO))
    from spiders.run import scrapy_settings
    from veille.core.config import Settings

    s = scrapy_settings(Settings.load(config_dir=REPO / "config", data_dir=REPO))
    out: dict[str, Any] = {
        "CONCURRENT_REQUESTS": s.getint("CONCURRENT_REQUESTS"),
        "CONCURRENT_REQUESTS_PER_DOMAIN": s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
        "DOWNLOAD_DELAY": s.getfloat("DOWNLOAD_DELAY"),
        "AUTOTHROTTLE_ENABLED": s.getbool("AUTOTHROTTLE_ENABLED"),
        "AUTOTHROTTLE_START_DELAY": s.getfloat("AUTOTHROTTLE_START_DELAY"),
        "AUTOTHROTTLE_MAX_DELAY": s.getfloat("AUTOTHROTTLE_MAX_DELAY"),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": s.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY"),
        "ROBOTSTXT_OBEY": s.getbool("ROBOTSTXT_OBEY"),
    }
    for key in SCALED:
        out[key] = round(out[key] * scale, 6)
    return out


def describe(args: argparse.Namespace, politeness: dict[str, Any]) -> str:
    """The header line: mode and settings."""
    p = politeness
    if args.polite and args.delay_scale == 1:
        mode = "polite (config/crawl.toml as in production, delays unscaled)"
    elif args.polite:
        mode = (
            f"polite (config/crawl.toml as in production, delays x{args.delay_scale:g} to keep the run "
            f"short: production waits {1 / args.delay_scale:g}x longer)"
        )
    else:
        mode = "unthrottled (the default: CPU-bound)"
    throttle = (
        f"AutoThrottle on (start {p['AUTOTHROTTLE_START_DELAY']:g} s, max {p['AUTOTHROTTLE_MAX_DELAY']:g} s, "
        f"target concurrency {p['AUTOTHROTTLE_TARGET_CONCURRENCY']:g})"
        if p["AUTOTHROTTLE_ENABLED"]
        else "AutoThrottle off"
    )
    return (
        f"mode: {mode}; both sides: concurrency {p['CONCURRENT_REQUESTS']}, per-domain "
        f"{p['CONCURRENT_REQUESTS_PER_DOMAIN']}, delay {p['DOWNLOAD_DELAY']:g} s, {throttle}, robots.txt "
        f"{'obeyed' if p['ROBOTSTXT_OBEY'] else 'not fetched'}; {args.hosts} host(s); server latency "
        + (f"{args.latency:g} ms (x0.5-1.5 per page, seeded)" if args.latency else "0 ms")
    )


BARE = """
import json, sys, time, scrapy
from scrapy.crawler import CrawlerProcess
bases, n, politeness = json.loads(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
urls = [f"{bases[i % len(bases)]}/a/{i}.html" for i in range(n)]
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for u in urls:
            yield scrapy.Request(u)
    def parse(self, response):
        yield {"url": response.url, "n": len(response.body)}
p = CrawlerProcess({"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
                    **politeness})
p.crawl(Bare)
t = time.perf_counter(); p.start(); print(time.perf_counter() - t)
"""

# The Veille crawl as `veille crawl --json` runs it, timed the way the bare spider is
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
from veille.cli import main
argv = ["crawl", "--json", "-q", *sys.argv[2:]]
profile = sys.argv[1]
if profile:
    import cProfile
    prof = cProfile.Profile()
    rc = prof.runcall(main, argv)
    prof.dump_stats(profile)
else:
    rc = main(argv)
print("VEILLE-TIMING " + json.dumps(timing), file=sys.stderr)
sys.exit(rc)
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


def run_bare(bases: list[str], pages: int, politeness: dict[str, Any]) -> float:
    """Print the bare spider's line; return its pages/s."""
    t0, cpu0 = time.perf_counter(), _children_cpu()
    bare = subprocess.run(
        [sys.executable, "-c", BARE, json.dumps(bases), str(pages), json.dumps(politeness)],
        capture_output=True, text=True,
    )  # fmt: skip
    secs = float(bare.stdout.strip().splitlines()[-1]) if bare.returncode == 0 else float("nan")
    print(
        f"bare Scrapy spider: {secs:.1f} s crawling -> {pages / secs:.1f} pages/s "
        f"(process {time.perf_counter() - t0:.1f} s, {_children_cpu() - cpu0:.1f} s CPU)",
        flush=True,
    )
    return pages / secs


def veille_config(tmp: Path, feed_url: str) -> Path:
    """A copy of config/ whose only source is the bench feed."""
    conf = tmp / "config"
    shutil.copytree(REPO / "config", conf)
    (conf / "sources.toml").write_text(
        f'[[source]]\nname = "bench"\nkind = "rss"\nurls = ["{feed_url}"]\nallowed_domains = []\n',
        encoding="utf-8",
    )
    return conf


def scrapy_args(settings: dict[str, Any]) -> list[str]:
    """``-s NAME=VALUE`` options of ``veille crawl`` (strings as is, other values as JSON)."""
    text = {key: value if isinstance(value, str) else json.dumps(value) for key, value in settings.items()}
    return [arg for key, value in text.items() for arg in ("-s", f"{key}={value}")]


def run_veille(conf: Path, data: Path, extra: list[str], profile: str = "") -> tuple[dict, dict, float]:
    """(ledger line, {"crawl": s, "extract": s, "cpu": s}, process seconds) of one Veille crawl."""
    t0, cpu0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(
        [sys.executable, "-c", VEILLE, profile, "bench", "--config-dir", str(conf), "--data-dir", str(data),
         *extra],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr[-1500:]}")
    marker = [ln for ln in proc.stderr.splitlines() if ln.startswith("VEILLE-TIMING ")]
    timing = json.loads(marker[-1].split(" ", 1)[1])
    timing["cpu"] = _children_cpu() - cpu0
    return json.loads(proc.stdout)["sources"][0], timing, secs


def report_veille(label: str, pages: int, line: dict, timing: dict, secs: float) -> list[tuple[str, float]]:
    """Print one Veille line; return its (label, pages/s) for the ratios."""
    crawl = timing["crawl"] - timing["extract"]
    print(f"Veille, {label}: crawl {crawl:.1f} s -> {pages / crawl:.1f} pages/s"
          + (f"; spaCy extraction at close {timing['extract']:.1f} s "
             f"({line['new'] / max(timing['extract'], 1e-9):.1f} articles/s); crawl + extraction "
             f"{timing['crawl']:.1f} s -> {pages / timing['crawl']:.1f} pages/s" if timing["extract"] else "")
          + f" (process {secs:.1f} s, {timing['cpu']:.1f} s CPU); fetched {line['fetched']}, new {line['new']}, "
          f"duplicate {line['duplicate']}, dropped {line['drop_reasons']}", flush=True)  # fmt: skip
    rates = [(f"Veille {label}, crawl only", pages / crawl)]
    if timing["extract"]:
        rates.append((f"Veille {label}, crawl + extraction", pages / timing["crawl"]))
    return rates


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--no-extraction", action="store_true", help="skip the run with the spaCy stage")
    parser.add_argument(
        "--profile", metavar="DIR", help="also write a cProfile dump of each Veille crawl to DIR"
    )
    parser.add_argument(
        "--polite", action="store_true", help="production politeness (config/crawl.toml) on both sides"
    )
    parser.add_argument(
        "--delay-scale", type=float, default=0.1, metavar="F",
        help="polite mode: multiply DOWNLOAD_DELAY and the AutoThrottle start/max delays by F (default 0.1)",
    )  # fmt: skip
    parser.add_argument(
        "--hosts", type=int, help="serve the site on 127.0.0.1..127.0.0.N (default: 16 polite, 1 otherwise)"
    )
    parser.add_argument(
        "--latency", type=float, metavar="MS", help="mean server latency per answer (default: 150 polite, 0)"
    )
    args = parser.parse_args()
    if args.delay_scale <= 0:
        parser.error("--delay-scale must be positive")
    args.hosts = args.hosts or (16 if args.polite else 1)
    args.latency = args.latency if args.latency is not None else (150.0 if args.polite else 0.0)
    return args


def main() -> int:
    args = parse_args()
    politeness = polite_settings(args.delay_scale) if args.polite else UNTHROTTLED
    pages, items = make_pages(args.pages)
    size = sum(len(v) for v in pages.values()) / args.pages
    servers = serve(pages, loopback_addresses(args.hosts), args.latency / 1000)
    bases = [base_url(s) for s in servers]
    pages["/feed.xml"] = make_feed(items, bases)
    print(describe(args, politeness), flush=True)
    hosts = bases[0] + (f" ... {bases[-1]}" if len(bases) > 1 else "")
    print(f"{args.pages} pages of {size / 1024:.0f} KB on {hosts}", flush=True)
    bare_rate = run_bare(bases, args.pages, politeness)
    common = scrapy_args({**politeness, "LOG_LEVEL": "ERROR"})
    common += [arg for s in servers for arg in ("--allow-host", s.server_address[0])]
    variants = [("without extraction", ["-s", "ITEM_PIPELINES=" + json.dumps(WITHOUT_EXTRACTION)])]
    if not args.no_extraction:
        variants.append(("with extraction at close", []))
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        conf = veille_config(Path(tmp), f"{bases[0]}/feed.xml")
        for n, (label, extra) in enumerate(variants):
            profile = str(Path(args.profile) / f"veille-{n}.prof") if args.profile else ""
            try:
                result = run_veille(conf, Path(tmp) / f"data-{n}", [*common, *extra], profile)
            except RuntimeError as exc:
                print(f"Veille, {label}: failed: {exc}", flush=True)
                continue
            rates += report_veille(label, args.pages, *result)
    for label, rate in rates:
        print(f"ratio {label} / bare Scrapy: {rate / bare_rate:.2f}")
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
