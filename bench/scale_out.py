"""Crawl scale-out: pages/s of one ``veille crawl --worker`` pinned to one core against two
workers pinned to one core each, in the same run, on the same loopback site.

    python bench/scale_out.py [--pages 2000] [--hosts 8] [--runs 3] [--latency 0.005]

The site (``bench/hosts_site.py``): ``--pages`` distinct ~30 KB French sector articles spread
over ``--hosts`` loopback addresses (127.0.0.2...), listed by one RSS feed; its servers run in
this process, unpinned, and count requests. PostgreSQL (``VEILLE_BENCH_POSTGRES_URL``, default
127.0.0.1:5432, a fresh database per crawl) and Redis (``VEILLE_BENCH_REDIS_URL``, a fresh key
prefix per crawl) are unpinned too. Politeness is set so that it does not bind (8 requests per
host at once, no delay): the workers are CPU-bound, which is what the ratio is about.

Each round crawls the whole site twice, in turn: one worker under ``taskset -c 0``, then two
workers under ``taskset -c 0`` and ``taskset -c 1``. A crawl's time runs from the first worker's
run start to the last one's finish, as the run ledger records them (the processes' start-up is
left out). Prints each crawl's pages/s and the workers' CPU per page (their worker processes
included: what coordinating through Redis costs shows there, whatever the machine's load), then the median ratio two workers / one worker (goal
>= 1.6). Prints, never asserts; compare ratios within one invocation, the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.hosts_site import HostsSite  # noqa: E402

PG_ADMIN = os.environ.get(
    "VEILLE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("VEILLE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def crawl_toml(frontier: str) -> str:
    return f"""
[crawl]
concurrent_requests = 32
concurrent_requests_per_domain = 8
download_delay = 0
download_timeout = 30
robots_obey = false
[crawl.autothrottle]
enabled = false
[crawl.cluster]
redis_url = "{REDIS_URL}"
frontier = "{frontier}"
[crawl.scrapy]
LOG_LEVEL = "INFO"
"""


def fresh_database() -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"veille_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    from veille.archive.store import open_store

    open_store(url).close()  # migrated before the clock starts
    return url


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def ledger_span(url: str) -> tuple[float, int]:
    """(seconds from the first run's start to the last run's finish, articles archived)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        first, last = conn.execute(text("SELECT min(started_at), max(finished_at) FROM runs")).one()
        n = int(conn.execute(text("SELECT count(*) FROM articles")).scalar() or 0)
    engine.dispose()
    return (last - first).total_seconds(), n


def crawl(site: HostsSite, cores: list[int], tmp: Path) -> tuple[float, int, float]:
    """Pages/s of one crawl of the site by one worker per core in ``cores``, pages archived, and
    the workers' CPU per page (ms, their worker processes included)."""
    frontier = f"bench-{uuid.uuid4().hex[:8]}"
    conf = tmp / f"config-{frontier}"
    shutil.copytree(REPO / "config", conf)
    (conf / "sources.toml").write_text(
        f'[[source]]\nname = "hosts"\nkind = "rss"\nurls = ["{site.feed_url}"]\nallowed_domains = []\n',
        encoding="utf-8",
    )
    (conf / "crawl.toml").write_text(crawl_toml(frontier), encoding="utf-8")
    db = fresh_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(VEILLE_CONFIG_DIR=str(conf), VEILLE_DATA_DIR=str(tmp / f"data-{frontier}"),
               VEILLE_DATABASE_URL=db, PYTHONPATH=str(REPO))  # fmt: skip
    hosts = [arg for h in site.hosts for arg in ("--allow-host", h)]
    cmd = [sys.executable, "-m", "veille", "crawl", "--worker", "-q", *hosts,
           "-s", "VEILLE_EXTRACT=false", "-s", "VEILLE_WORKERS=1"]  # fmt: skip
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        procs = []
        for core in cores:
            procs.append(subprocess.Popen(["taskset", "-c", str(core), *cmd], cwd=REPO, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))  # fmt: skip
            time.sleep(0.2)
        for p in procs:
            _, err = p.communicate(timeout=1800)
            if p.returncode != 0:
                raise RuntimeError(f"worker exit {p.returncode}: {err.decode(errors='replace')[-1500:]}")
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        secs, archived = ledger_span(db)
        return archived / secs, archived, 1000 * cpu / max(archived, 1)
    finally:
        drop_database(db)
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{frontier}:*"))
        if keys:
            client.delete(*keys)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.005, help="seconds every page waits at the server")
    args = ap.parse_args()
    if (os.cpu_count() or 1) < 2:
        print("this benchmark needs two cores")
        return 2
    site = HostsSite(pages=args.pages, hosts=args.hosts, latency=args.latency)
    ratios = []
    print(
        f"{args.pages} pages on {args.hosts} loopback hosts; {os.cpu_count()} cores; load {os.getloadavg()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.runs):
            one, n1, cpu1 = crawl(site, [0], Path(tmp))
            two, n2, cpu2 = crawl(site, [0, 1], Path(tmp))
            ratios.append(two / one)
            print(f"round {r + 1}: one worker {one:.1f} pages/s ({n1} archived, {cpu1:.1f} ms CPU a page), "
                  f"two workers {two:.1f} pages/s ({n2} archived, {cpu2:.1f} ms CPU a page), "
                  f"ratio {two / one:.2f}; load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    site.close()
    print(f"median ratio two workers / one worker: {statistics.median(ratios):.2f} (goal >= 1.6); "
          f"load after {os.getloadavg()}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
