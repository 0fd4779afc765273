"""Crawl throughput: Veille's crawl (spider + page extraction + every pipeline stage, archive
included) against two bare Scrapy spiders fetching the same pages, on a generated 2,000-page
loopback site (RSS feed + ~30 KB French article pages, see ``crawl_site.py``).

    python bench/crawl_throughput.py [--pages 2000] [--runs 3] [--no-extraction] [--profile DIR]
    python bench/crawl_throughput.py --polite [--delay-scale 0.1] [--hosts 16] [--latency 150]

The three sides, run in turn ``--runs`` times (default 3; interleaved: bare, bare + page
extractor, Veille, then again), each in a child process of its own:

- **bare**: a Scrapy spider that gets its URLs from ``start()`` and yields one small dict per
  page; nothing else.
- **bare + page extractor**: the same spider, whose callback also runs Veille's page
  extractor (``spiders.page.extract_page``, what the spiders call, with the feed's title,
  summary and date as they pass them) in Veille's worker pool (``veille.core.workers``,
  ``VEILLE_WORKERS`` "auto": one process per CPU), awaited as ``SourceSpider.parse_article``
  awaits it. The baseline of the goal: what fetching and extracting a page costs.
- **Veille (no spaCy stage)**: ``veille crawl`` with every item pipeline but the spaCy
  extraction at close. Veille reads the RSS feed first (one more request), then per page: its
  SSRF guard and retry/backoff downloader middlewares, page extraction, then the item
  pipeline: normalise, language + relevance, dedup (content hash, MinHash, LSH index), the
  archive write (SQLite, full-text keys, in batches). The pure CPU work (extraction, then
  normalise, relevance, the dedup hashes and the full-text keys in one trip) runs in the
  worker processes, as in production.

Then, unless ``--no-extraction``, one run of Veille with the spaCy stage at close (timed and
reported apart). Each run prints its pages/s and its CPU: the whole process tree's (worker
processes included, sampled from /proc every 50 ms) and the reactor's process's, per page.
At the end: each side's median pages/s, and the ratios **Veille / (bare + page extractor)**
(the goal: >= 0.7, medians of the runs of one invocation), Veille / bare and
(bare + page extractor) / bare. Prints, never asserts. The machine may be shared: compare
ratios within one invocation, and the CPU per page, not pages/s across invocations.

Two modes:

- **Unthrottled** (the default): what the crawl costs. 32 concurrent requests (32 per
  domain), no download delay, no AutoThrottle, robots.txt not fetched, one host, no server
  latency. The crawl is CPU-bound, so the ratio is the ratio of CPU per page.
- **Polite** (``--polite``): whether Veille's pipeline slows a crawl paced as in
  production. Every side gets the politeness settings a Veille crawl gets (spiders/settings.py
  then ``config/crawl.toml``, read through ``spiders.run.scrapy_settings``):
  CONCURRENT_REQUESTS, CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY, AUTOTHROTTLE_*,
  ROBOTSTXT_OBEY; DOWNLOAD_DELAY and the AutoThrottle start/max delays are multiplied by
  ``--delay-scale`` (default 0.1, so a run takes about a minute; production waits
  1/scale times longer between requests to a site, which makes this run harsher on Veille
  than production). The pages are spread over ``--hosts`` loopback addresses (127.0.0.1,
  127.0.0.2..., default 16) so per-domain politeness applies as over a list of sources, and
  the server waits ``--latency`` ms (default 150; 0.5-1.5 times that, seeded per page)
  before each answer, like a remote site.

Each crawl is timed the same way, from the crawler start to its end. Veille runs with a copy
of ``config/`` (its real crawl.toml) whose sources.toml names the bench feed, the politeness
settings above given with ``-s`` (identical to the bare spiders'), LOG_LEVEL ERROR, and every
bench address allowed through its SSRF guard (``--allow-host``; the bare spiders have no
guard). Veille's own Scrapy settings stay as the project sets them (``CONCURRENT_ITEMS`` 8,
store batches of 25); the bare spiders keep Scrapy's defaults. ``--profile DIR`` writes a
cProfile dump of each Veille crawl's reactor process (the workers are not profiled).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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
        f"mode: {mode}; every side: concurrency {p['CONCURRENT_REQUESTS']}, per-domain "
        f"{p['CONCURRENT_REQUESTS_PER_DOMAIN']}, delay {p['DOWNLOAD_DELAY']:g} s, {throttle}, robots.txt "
        f"{'obeyed' if p['ROBOTSTXT_OBEY'] else 'not fetched'}; {args.hosts} host(s); server latency "
        + (f"{args.latency:g} ms (x0.5-1.5 per page, seeded)" if args.latency else "0 ms")
    )


# The bare spider: its start URLs, one small item per page. With "extract", each page also goes
# through Veille's page extractor (spiders.page.extract_page, what the spiders call, with the
# feed's entry as they pass it) in Veille's worker pool (veille.core.workers, VEILLE_WORKERS
# "auto" as in the project settings), awaited in the callback as SourceSpider.parse_article does.
BARE = """
import json, sys, time, scrapy
from datetime import UTC, datetime
from scrapy.crawler import CrawlerProcess
bases, n, politeness, extract = json.loads(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
entries = json.loads(sys.stdin.read()) if extract else []
urls = [f"{bases[i % len(bases)]}/a/{i}.html" for i in range(n)]
if extract:
    from spiders.page import FeedEntry, extract_page
    from veille.core.workers import Workers
    published = datetime(2025, 5, 1, 10, tzinfo=UTC)
    feed = {u: FeedEntry(u, title=e[0], summary=e[1], published=published) for u, e in zip(urls, entries)}
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for u in urls:
            yield scrapy.Request(u)
    def parse(self, response):
        yield {"url": response.url, "n": len(response.body)}
class BareExtract(Bare):
    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.workers = Workers.from_settings(crawler.settings)
        crawler.signals.connect(spider.workers.open, signal=scrapy.signals.spider_opened)
        crawler.signals.connect(spider.workers.close, signal=scrapy.signals.spider_closed)
        return spider
    async def parse(self, response):
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        fields = await self.workers.run(
            extract_page, response.body, response.url, content_type=ctype or None,
            fetched_at=datetime.now(UTC), entry=feed.get(response.url), language="fr", selectors={},
            site_names=(),
        )
        yield {"url": response.url, "title": fields.title, "n": len(fields.text)}
p = CrawlerProcess({"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
                    "VEILLE_WORKERS": "auto", **politeness})
p.crawl(BareExtract if extract else Bare)
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


def _cpu_of(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds so far) of a live process, from /proc (Linux); None when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_timed(
    cmd: list[str], stdin: str | None = None, cwd: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """``subprocess.run(cmd)``, the CPU seconds of its whole process tree (worker processes
    included) and of its own process (the reactor's): every descendant's time is sampled from
    /proc every 50 ms, so a process's last 50 ms may be missed. Without /proc: the CPU of the
    reaped children only."""
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    pipes = {
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "stdin": subprocess.PIPE if stdin else None,
    }
    proc = subprocess.Popen(cmd, text=True, cwd=cwd or REPO, **pipes)
    seen: dict[int, float] = {}

    def sample() -> None:
        tree = {proc.pid}
        parents = {}
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
            if entry.isdigit() and (found := _cpu_of(int(entry))) is not None:
                parents[int(entry)] = found
        for _ in range(4):  # the crawl, the fork server, its workers (and multiprocessing's helpers)
            tree |= {pid for pid, (ppid, _) in parents.items() if ppid in tree}
        for pid in tree & parents.keys():
            seen[pid] = max(seen.get(pid, 0.0), parents[pid][1])

    sampler_done = threading.Event()

    def sampler() -> None:
        while not sampler_done.wait(0.05):
            sample()

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    out, err = proc.communicate(stdin)
    sampler_done.set()
    thread.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = usage.ru_utime + usage.ru_stime - usage0.ru_utime - usage0.ru_stime
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    return done, max(sum(seen.values()), reaped), seen.get(proc.pid, 0.0)


def feed_entries(items: list[str]) -> list[tuple[str, str]]:
    """(title, summary) of each RSS item, as the feed gives them to Veille's spider."""
    out = []
    for item in items:
        title = re.search(r"<title>(.*?)</title>", item, re.S)
        lead = re.search(r"<description>(.*?)</description>", item, re.S)
        out.append((title.group(1) if title else "", lead.group(1) if lead else ""))
    return out


def run_bare(
    bases: list[str], pages: int, politeness: dict[str, Any], entries: list[tuple[str, str]] | None = None
) -> float:
    """Print the bare spider's line (with ``entries``: bare + Veille's page extractor); return its pages/s."""
    t0 = time.perf_counter()
    bare, cpu, own = run_timed(
        [sys.executable, "-c", BARE, json.dumps(bases), str(pages), json.dumps(politeness),
         "extract" if entries is not None else ""],
        json.dumps(entries) if entries is not None else None,
    )  # fmt: skip
    if bare.returncode != 0:
        print(f"{BARE_LABEL[entries is not None]}: failed: {bare.stderr[-1500:]}", flush=True)
        return float("nan")
    secs = float(bare.stdout.strip().splitlines()[-1])
    print(
        f"{BARE_LABEL[entries is not None]}: {secs:.1f} s crawling -> {pages / secs:.1f} pages/s "
        f"(process {time.perf_counter() - t0:.1f} s, {cpu:.1f} s CPU, {1000 * cpu / pages:.1f} ms a page, "
        f"{1000 * own / pages:.1f} in the reactor's process)",
        flush=True,
    )
    return pages / secs


BARE_LABEL = {False: "bare Scrapy spider", True: "bare Scrapy spider + page extractor"}


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
    t0 = time.perf_counter()
    proc, cpu, own = run_timed(
        [sys.executable, "-c", VEILLE, profile, "bench", "--config-dir", str(conf), "--data-dir", str(data),
         *extra],
    )  # fmt: skip
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr[-1500:]}")
    marker = [ln for ln in proc.stderr.splitlines() if ln.startswith("VEILLE-TIMING ")]
    timing = json.loads(marker[-1].split(" ", 1)[1])
    timing["cpu"], timing["reactor_cpu"] = cpu, own
    return json.loads(proc.stdout)["sources"][0], timing, secs


def report_veille(label: str, pages: int, line: dict, timing: dict, secs: float) -> dict[str, float]:
    """Print one Veille line; return its pages/s: {"crawl": crawl only, "total": with extraction}."""
    crawl = timing["crawl"] - timing["extract"]
    print(f"Veille, {label}: crawl {crawl:.1f} s -> {pages / crawl:.1f} pages/s"
          + (f"; spaCy extraction at close {timing['extract']:.1f} s "
             f"({line['new'] / max(timing['extract'], 1e-9):.1f} articles/s); crawl + extraction "
             f"{timing['crawl']:.1f} s -> {pages / timing['crawl']:.1f} pages/s" if timing["extract"] else "")
          + f" (process {secs:.1f} s, {timing['cpu']:.1f} s CPU, {1000 * timing['cpu'] / pages:.1f} ms a page, "
          f"{1000 * timing['reactor_cpu'] / pages:.1f} in the reactor's process); fetched {line['fetched']}, new {line['new']}, "
          f"duplicate {line['duplicate']}, dropped {line['drop_reasons']}", flush=True)  # fmt: skip
    return {"crawl": pages / crawl, "total": pages / timing["crawl"]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="rounds of the three crawls (default 3; medians)")
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
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.hosts = args.hosts or (16 if args.polite else 1)
    args.latency = args.latency if args.latency is not None else (150.0 if args.polite else 0.0)
    return args


SIDES = ("bare", "bare + page extractor", "Veille (no spaCy stage)")


def one_round(args: argparse.Namespace, r: int, ctx: dict[str, Any], rates: dict[str, list[float]]) -> None:
    """One run of each side, in turn; their pages/s appended to ``rates``."""
    print(f"-- run {r + 1}/{args.runs}", flush=True)
    rates[SIDES[0]].append(run_bare(ctx["bases"], args.pages, ctx["politeness"]))
    rates[SIDES[1]].append(run_bare(ctx["bases"], args.pages, ctx["politeness"], ctx["entries"]))
    extra = ["-s", "ITEM_PIPELINES=" + json.dumps(WITHOUT_EXTRACTION)]
    profile = str(Path(args.profile) / f"veille-{r}.prof") if args.profile else ""
    try:
        result = run_veille(ctx["conf"], ctx["tmp"] / f"data-{r}", [*ctx["common"], *extra], profile)
    except RuntimeError as exc:
        print(f"Veille, without extraction: failed: {exc}", flush=True)
        rates[SIDES[2]].append(float("nan"))
        return
    rates[SIDES[2]].append(report_veille("without extraction", args.pages, *result)["crawl"])


def summary(rates: dict[str, list[float]], extracted: dict[str, float] | None) -> None:
    """The medians and the ratios (the goal: Veille >= 0.7 of bare + page extractor)."""
    med = {side: statistics.median(values) for side, values in rates.items()}
    runs = len(rates[SIDES[0]])
    each = lambda side: ", ".join(f"{v:.1f}" for v in rates[side])  # noqa: E731
    print(f"medians of {runs} run(s), pages/s: " + "; ".join(f"{s} {med[s]:.1f} [{each(s)}]" for s in SIDES))
    per_run = [v / b for v, b in zip(rates[SIDES[2]], rates[SIDES[1]], strict=True)]
    print(
        f"ratio Veille (no spaCy stage) / (bare + page extractor): {med[SIDES[2]] / med[SIDES[1]]:.2f} "
        f"(medians; per run {', '.join(f'{x:.2f}' for x in per_run)}; goal >= 0.7)"
    )
    print(f"ratio Veille (no spaCy stage) / bare: {med[SIDES[2]] / med[SIDES[0]]:.2f}")
    print(f"ratio (bare + page extractor) / bare: {med[SIDES[1]] / med[SIDES[0]]:.2f}")
    if extracted:
        print(
            f"ratio Veille with the spaCy stage at close (one run) / (bare + page extractor): crawl only "
            f"{extracted['crawl'] / med[SIDES[1]]:.2f}, crawl + extraction {extracted['total'] / med[SIDES[1]]:.2f}"
        )


def main() -> int:
    args = parse_args()
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    politeness = polite_settings(args.delay_scale) if args.polite else UNTHROTTLED
    pages, items = make_pages(args.pages)
    size = sum(len(v) for v in pages.values()) / args.pages
    servers = serve(pages, loopback_addresses(args.hosts), args.latency / 1000)
    bases = [base_url(s) for s in servers]
    pages["/feed.xml"] = make_feed(items, bases)
    print(describe(args, politeness), flush=True)
    hosts = bases[0] + (f" ... {bases[-1]}" if len(bases) > 1 else "")
    print(
        f"{args.pages} pages of {size / 1024:.0f} KB on {hosts}; {args.runs} run(s) of each side", flush=True
    )
    common = scrapy_args({**politeness, "LOG_LEVEL": "ERROR"})
    common += [arg for s in servers for arg in ("--allow-host", s.server_address[0])]
    rates: dict[str, list[float]] = {side: [] for side in SIDES}
    extracted = None
    with tempfile.TemporaryDirectory() as tmp:
        ctx = {
            "bases": bases, "politeness": politeness, "entries": feed_entries(items), "common": common,
            "conf": veille_config(Path(tmp), f"{bases[0]}/feed.xml"), "tmp": Path(tmp),
        }  # fmt: skip
        for r in range(args.runs):
            one_round(args, r, ctx, rates)
        if not args.no_extraction:
            print("-- Veille with the spaCy stage at close (one run)", flush=True)
            profile = str(Path(args.profile) / "veille-extraction.prof") if args.profile else ""
            try:
                result = run_veille(ctx["conf"], Path(tmp) / "data-extraction", common, profile)
                extracted = report_veille("with extraction at close", args.pages, *result)
            except RuntimeError as exc:
                print(f"Veille, with extraction at close: failed: {exc}", flush=True)
    summary(rates, extracted)
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
