"""Load test of the web UI: N concurrent users searching for D seconds against ``veille serve``.

Starts ``veille serve`` (``--workers`` uvicorn processes, default 1) on a free loopback
port over an archive, then runs a bounded asyncio client (httpx): each user sends one
request at a time, a mix of HTML searches (plain words, phrase, filters, page 2) and JSON
API searches. Users arrive one after the other over ``--ramp`` seconds (as locust spawns
them); the steady state after the ramp-up is reported apart from the whole run, which
includes the server's first requests (cold caches, the first 50 queries at once).
``--think S`` makes each user pause S seconds on average (exponential) between requests,
like an analyst reading the page (default 3 s); 0 sends requests back to back — a stress
test of throughput, not a model of analysts. Prints requests/s, p50/p95/p99 latency and
errors (HTTP >= 500 or transport errors; 4xx are counted apart), overall and per endpoint.
Prints only; asserts nothing.

``--writer N`` (0 or more) runs, beside the load, a process that writes to the archive as a
crawl and its workers do: every second a batch of N new articles, and between batches a run's
heartbeat and ledger line and a lease renewed (``--beats`` writes a second). The server's result
cache reports its look-ups answered from the cache (hits) and not (misses) at the end.

The archive is a data directory (or a ``veille.db`` file) given as argument, a database
URL (``--database-url``, e.g. the PostgreSQL archive of ``bench/search_bench.py``), or a
synthetic one generated with ``bench/search_bench.py``'s generator (``--n`` articles).

Example: python bench/web_load.py /tmp/vperf/bench-100000.db --users 50 --duration 60 --workers 2 --think 3
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
WORDS = [
    "offshoring", "emploi", "emplois", "nearshore", "formation", "export", "exportations", "cybersécurité",
    "startup", "Casablanca", "Rabat", "Fès", "Tanger", "investissement", "croissance", "talents", "zone franche",
    "centre d'appels", "numérique", "Tunisie", "Portugal", "ingénieurs", "recrutement", "plateforme",
]  # fmt: skip
ORGS = ["ADD", "APEBI", "Teleperformance", "Majorel", "OFPPT", "CGEM", "AMDIE"]
SOURCES = ["medias24", "leseco", "lematin", "hespress", "le360"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _search_bench():  # type: ignore[no-untyped-def]
    """bench/search_bench.py as a module, or None where it is absent."""
    if not (HERE / "search_bench.py").exists():
        return None
    sys.path.insert(0, str(HERE.parent))
    spec = importlib.util.spec_from_file_location("search_bench", HERE / "search_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(n: int, data_dir: Path) -> None:
    """A synthetic archive of n articles: search_bench's generator if present, else a small one here."""
    sys.path.insert(0, str(HERE.parent))
    from veille.archive.store import open_store

    data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(f"sqlite:///{data_dir / 'veille.db'}")
    t0 = time.perf_counter()
    module = _search_bench()
    if module is not None:
        module.load(store, n)
        how = "bench/search_bench.py"
    else:
        _quick_generate(store, n)
        how = "built-in generator"
    store.close()
    print(f"generated {n} articles with {how} in {time.perf_counter() - t0:.1f} s -> {data_dir}")


def _quick_generate(store, n: int) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from veille.core.models import Article

    rng = random.Random(7)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(200))
        store.upsert_article(
            Article(
                url=f"https://example.ma/{i}", source=rng.choice(SOURCES), title=" ".join(rng.sample(WORDS, 6)),
                text=words, published=start + timedelta(hours=i), relevance=rng.random(),
            )
        )  # fmt: skip


def request_mix(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    """(kind, path, params) of one user action."""
    roll = rng.random()
    word = rng.choice(WORDS)
    if roll < 0.45:
        return "html:mots", "/", {"q": f"{word} {rng.choice(WORDS)}" if rng.random() < 0.5 else word}
    if roll < 0.55:
        return "html:page2", "/", {"q": word, "page": "2"}
    if roll < 0.70:
        return "html:filtres", "/", {"q": word, "org": rng.choice(ORGS), "since": "2024-01-01"}
    if roll < 0.80:
        return "html:source", "/", {"source": rng.choice(SOURCES), "order": "date"}
    return "api:search", "/api/search", {"q": word, "limit": "20"}


async def user(
    client: httpx.AsyncClient,
    rng: random.Random,
    stop_at: float,
    results: list,  # type: ignore[type-arg]
    think: float,
    start_after: float = 0.0,
) -> None:
    await asyncio.sleep(start_after)  # users arrive one after the other (ramp-up), as in locust
    while time.perf_counter() < stop_at:
        kind, path, params = request_mix(rng)
        t0 = time.perf_counter()
        try:
            r = await client.get(path, params=params)
            status = r.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        results.append((kind, time.perf_counter() - t0, status, t0))
        if think > 0:  # an analyst reads the page: exponential pause around the mean
            await asyncio.sleep(min(rng.expovariate(1 / think), 5 * think))


async def run_load(
    base: str, users: int, duration: float, seed: int, think: float = 0.0, ramp: float = 0.0
) -> list:  # type: ignore[type-arg]
    """Every request as (kind, seconds, status, start time); user i starts after i * ramp / users s."""
    results: list = []  # type: ignore[type-arg]
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        # warm-up: one request per kind
        for _ in range(5):
            await client.get("/", params={"q": "offshoring"})
        stop_at = time.perf_counter() + duration
        await asyncio.gather(
            *(
                user(client, random.Random(seed + i), stop_at, results, think, i * ramp / users)
                for i in range(users)
            )
        )
    return results


def write_loop(url: str, per_second: int, beats: int, stop: object) -> None:  # type: ignore[no-untyped-def]
    """Until ``stop`` (a multiprocessing Event) is set: a batch of ``per_second`` new articles each
    second (none when 0), and ``beats`` writes a second that touch no content (a run's
    heartbeat and ledger line, a lease renewed)."""
    from veille.archive.store import open_store
    from veille.core.models import Article

    store = open_store(url)
    run = store.start_run("crawl", {"writer": "bench/web_load.py"})
    store.acquire_lease("bench-writer", "bench", 60)
    rng, k, next_batch = random.Random(11), 0, time.monotonic()
    while not stop.is_set():  # type: ignore[attr-defined]
        if per_second and time.monotonic() >= next_batch:
            batch = [Article(url=f"https://bench-writer.ma/{os.getpid()}/{k + i}", source=rng.choice(SOURCES),
                             title=" ".join(rng.sample(WORDS, 6)), text=" ".join(rng.choices(WORDS, k=150)))
                     for i in range(per_second)]  # fmt: skip
            store.upsert_articles(batch)
            k, next_batch = k + per_second, next_batch + 1.0
        store.heartbeat(run)
        store.record_source(run, "bench", {"fetched": k, "new": k})
        store.renew_lease("bench-writer", "bench", 60)
        time.sleep(1 / max(beats, 1))
    store.finish_run(run)
    store.close()
    print(f"writer: {k} articles written meanwhile")


# the server, with its result cache's hits and misses written to a file at exit
SERVE = """
import json, sys, threading, time
from veille.archive.cache import CACHE
path = sys.argv.pop(1)
def keep():  # uvicorn ends the process with the signal it caught: no atexit, a file kept up to date
    while True:
        time.sleep(0.5)
        open(path, "w").write(json.dumps({"hits": CACHE.hits, "misses": CACHE.misses}))
threading.Thread(target=keep, daemon=True).start()
from veille.cli import run
run()
"""


def start_writer(args: argparse.Namespace, data_dir: Path) -> tuple[object, object] | None:
    if args.writer is None:
        return None
    import multiprocessing

    url = args.database_url or f"sqlite:///{(data_dir / 'veille.db').resolve()}"
    stop = multiprocessing.Event()
    proc = multiprocessing.Process(target=write_loop, args=(url, args.writer, args.beats, stop))
    proc.start()
    print(f"writer: {args.writer} articles a second in one batch, {args.beats} writes of no content a second")
    return proc, stop


def stop_writer(writer: tuple[object, object] | None) -> None:
    if writer is not None:
        proc, stop = writer
        stop.set()  # type: ignore[attr-defined]
        proc.join(30)  # type: ignore[attr-defined]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def report(results: list, duration: float, users: int, label: str = "") -> None:  # type: ignore[type-arg]
    if not results:
        print(f"\n{label}: no request")
        return
    lat = [r[1] * 1000 for r in results]
    errors = [r for r in results if not isinstance(r[2], int) or r[2] >= 500]
    client_errors = [r for r in results if isinstance(r[2], int) and 400 <= r[2] < 500]
    print(
        f"\n{label}{users} users, {duration:.0f} s: {len(results)} requests, {len(results) / duration:.1f} requests/s"
    )
    print(
        f"latency ms: p50 {pct(lat, 50):.0f}  p95 {pct(lat, 95):.0f}  p99 {pct(lat, 99):.0f}  max {max(lat):.0f}"
    )
    print(f"errors (5xx or transport): {len(errors)}   4xx: {len(client_errors)}")
    if errors:
        print("  " + ", ".join(f"{k}: {n}" for k, n in Counter(str(e[2]) for e in errors).most_common(5)))
    by_kind: dict[str, list[float]] = defaultdict(list)
    failed: Counter[str] = Counter()
    for kind, seconds, status, _ in results:
        by_kind[kind].append(seconds * 1000)
        if not isinstance(status, int) or status >= 500:
            failed[kind] += 1
    print(f"{'endpoint':<14}{'n':>7}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'errors':>8}  (ms)")
    for kind, values in sorted(by_kind.items()):
        print(
            f"{kind:<14}{len(values):>7}{len(values) / duration:>8.1f}{pct(values, 50):>8.0f}"
            f"{pct(values, 95):>8.0f}{pct(values, 99):>8.0f}{failed[kind]:>8}"
        )
    print(f"mean {statistics.fmean(lat):.0f} ms")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "archive", nargs="?", help="data directory holding veille.db, or a .db file (default: generate)"
    )
    ap.add_argument("--n", type=int, default=20000, help="articles to generate when no archive is given")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="mean think time per user between requests, in seconds (exponential; default 3: "
        "analysts reading their results; 0: back-to-back requests, a throughput stress test)",
    )
    ap.add_argument(
        "--ramp",
        type=float,
        default=10.0,
        help="seconds over which the users arrive, one after the other (locust's spawn rate); the "
        "steady state is reported apart from the whole run",
    )
    ap.add_argument("--workers", type=int, default=1, help="veille serve --workers (uvicorn processes)")
    ap.add_argument(
        "--database-url", help="serve this archive instead (e.g. postgresql+psycopg://postgres@127.0.0.1/db)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated archive")
    ap.add_argument(
        "--writer", type=int, help="articles written a second meanwhile (a crawl; 0: workers that only beat)"
    )
    ap.add_argument("--beats", type=int, default=4, help="with --writer: writes of no content a second")
    args = ap.parse_args(argv)

    bench = _search_bench()
    if bench is not None:  # how fast this machine is now, as search_bench prints it
        bench.machine_check(args.database_url if (args.database_url or "").startswith("postgresql") else None)
    tmp = Path(tempfile.mkdtemp(prefix="veille-web-load-"))
    if args.database_url:
        data_dir = tmp / "data"  # the server's data folder (the archive is the database)
        data_dir.mkdir()
    elif args.archive:
        src = Path(args.archive)
        data_dir = src if src.is_dir() else tmp / "data"
        if src.is_file():
            data_dir.mkdir()
            os.symlink(src.resolve(), data_dir / "veille.db")
    else:
        data_dir = tmp / "data"
        generate(args.n, data_dir)
    port = free_port()
    env = {**os.environ, "VEILLE_SECRET_KEY": "bench-" + "x" * 20}
    env.pop("VEILLE_DATABASE_URL", None)
    if args.database_url:
        env["VEILLE_DATABASE_URL"] = args.database_url
    log = (tmp / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(tmp / "cache.json"), "serve", "--port", str(port),
         "--data-dir", str(data_dir), "--log-level", "warning", "--workers", str(args.workers)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/static/veille.css", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("veille serve did not start: " + (tmp / "serve.log").read_text()[-2000:])
        print(
            f"server {base} ({args.workers} uvicorn worker(s)), archive {args.database_url or data_dir}, "
            f"{args.users} users arriving over {args.ramp:g} s, think time {args.think:g} s, pid {server.pid}"
        )
        writer = start_writer(args, data_dir)
        t0 = time.perf_counter()
        results = asyncio.run(run_load(base, args.users, args.duration, args.seed, args.think, args.ramp))
        stop_writer(writer)
        report(results, args.duration, args.users, "whole run (ramp-up included): ")
        steady = [r for r in results if r[3] - t0 >= args.ramp]
        report(
            steady,
            args.duration - args.ramp,
            args.users,
            f"steady state (after the {args.ramp:g} s ramp-up): ",
        )
    finally:
        server.terminate()
        server.wait(10)
        log.close()
        if (tmp / "cache.json").exists():
            counts = json.loads((tmp / "cache.json").read_text())
            looked = counts["hits"] + counts["misses"]
            print(f"result cache: {counts['hits']} hits, {counts['misses']} misses "
                  f"({100 * counts['hits'] / max(looked, 1):.0f} % of look-ups answered)")  # fmt: skip
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")


if __name__ == "__main__":
    main()
