"""Watch benchmark: 500 watches matched against the 1,000 newest articles of the search
benchmark's 100,000-article archive, as a ratio to running the same 500 searches over the whole
archive, in the same run.

The archive is ``bench/search_bench.py``'s (its generator and loader; ``--reuse`` takes the one an
earlier run of either script left in ``--dir``). The 500 watches are drawn (fixed seed) from what
analysts save: words and phrases of the sector vocabulary, an organisation, a source or a theme with
words, jobs above a threshold, amounts above a threshold in MAD (EUR and USD converted through
``config/rates.toml``), each built by the one query builder (:func:`veille.queries.watch_query`).
The matching is :func:`veille.archive.matching.match_many`, what ``veille watch run`` does for the
watches due (every match in the window, all pages; the watches of one window together); the
baseline is the same query as the search page runs it (its first page of 20 with the total, with
and without the facets). The result cache is emptied before each pass; the passes alternate,
three runs, medians printed. Once, untimed: whether every watch's matches are, in the same order,
what ``search_ids`` (the search's own walk, one query at a time) finds in the window. Prints only.

Example: python bench/watch_bench.py --dir /tmp/watchbench --reuse
Results: docs/benchmarks.md (*Watches*).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_bench import ORGS, SECTOR, SOURCES, THEMES, load, machine_check, pg_database  # noqa: E402
from veille.archive.cache import CACHE  # noqa: E402
from veille.archive.matching import match_many  # noqa: E402
from veille.archive.search import SearchQuery, search, search_ids  # noqa: E402
from veille.archive.store import Store, open_store  # noqa: E402
from veille.core.conf.rates import load_rates  # noqa: E402
from veille.queries import watch_query  # noqa: E402

WATCHES = 500
NEWEST = 1000


def watch_params(n: int, seed: int = 19) -> list[dict[str, Any]]:
    """``n`` watches' values, as a user types them (the builder's field names)."""
    rng = random.Random(seed)
    words = [w for w, _, _ in SECTOR]
    out: list[dict[str, Any]] = []
    while len(out) < n:
        kind = rng.random()
        if kind < 0.30:
            out.append({"text": rng.choice(words)})
        elif kind < 0.45:
            a, b = rng.sample(words, 2)
            out.append({"text": f'"{a}" {b}' if " " in a else f"{a} {b}"})
        elif kind < 0.58:
            out.append({"text": rng.choice(words), "org": rng.choice(ORGS)[1]})
        elif kind < 0.66:
            out.append({"org": rng.choice(ORGS)[0]})
        elif kind < 0.74:
            out.append({"text": rng.choice(words), "sources": rng.sample(SOURCES, 2)})
        elif kind < 0.80:
            out.append({"theme": rng.choice(THEMES), "text": rng.choice(words)})
        elif kind < 0.90:
            out.append({"unit": "jobs", "min_value": rng.choice([500, 1000, 2000, 5000, 10000])})
        else:
            out.append({"unit": "MAD", "min_value": rng.choice([1e8, 2e8, 5e8, 1e9])})
    return out


Timing = tuple[float, float]  # (wall, CPU) seconds: SQLite runs in the process, so its work is CPU time here


def _matching(store: Store, queries: list[SearchQuery], after: int, upto: int) -> tuple[Timing, int]:
    CACHE.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    found = sum(len(m) for m in match_many(store, [(q, after, upto) for q in queries]))
    return (time.perf_counter() - t0, time.process_time() - c0), found


def _same_as_searches(store: Store, queries: list[SearchQuery], after: int, upto: int) -> str:
    together = match_many(store, [(q, after, upto) for q in queries])
    alone = [search_ids(store, dataclasses.replace(q, id_after=after, id_upto=upto)) for q in queries]
    differ = sum(1 for a, b in zip(together, alone, strict=True) if a != b)
    return "yes" if not differ else f"NO ({differ} watches differ)"


def _searching(store: Store, queries: list[SearchQuery], *, facets: bool) -> Timing:
    CACHE.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    for q in queries:
        search(store, q, with_facets=facets)
    return time.perf_counter() - t0, time.process_time() - c0


def bench(store: Store, runs: int) -> None:
    rates = load_rates()
    queries = [
        q
        for q in (watch_query("search", p, rates=rates) for p in watch_params(WATCHES))
        if isinstance(q, SearchQuery)
    ]
    with store.engine.connect() as conn:
        top = int(conn.scalar(sa.text("SELECT max(id) FROM articles")) or 0)
    after = top - NEWEST
    print(f"  {len(queries)} watches, articles {after + 1}..{top} new")
    print(
        f"  each watch's matches as its search finds them, one by one: {_same_as_searches(store, queries, after, top)}"
    )
    _matching(store, queries[:20], after, top)  # warm-up: statements compiled, pages read once
    _searching(store, queries[:20], facets=False)
    watch_s: list[Timing] = []
    page_s: list[Timing] = []
    facet_s: list[Timing] = []
    found = 0
    for r in range(runs):
        order = ("w", "p", "f") if r % 2 == 0 else ("f", "p", "w")
        for step in order:
            if step == "w":
                elapsed, found = _matching(store, queries, after, top)
                watch_s.append(elapsed)
            elif step == "p":
                page_s.append(_searching(store, queries, facets=False))
            else:
                facet_s.append(_searching(store, queries, facets=True))
        print(f"  run {r + 1} (wall / CPU s): watches {_t(watch_s[-1])} ({found} matches), searches "
              f"{_t(page_s[-1])}, with facets {_t(facet_s[-1])}")  # fmt: skip
    for i, clock in enumerate(("wall", "CPU")):
        w, p, f = (statistics.median(x[i] for x in xs) for xs in (watch_s, page_s, facet_s))
        print(f"  median {clock}: {len(queries)} watches over the {NEWEST} newest articles {w:.2f} s; the same "
              f"searches over the whole archive {p:.2f} s ({p / w:.1f}x), with facets {f:.2f} s ({f / w:.1f}x)")  # fmt: skip


def _t(t: Timing) -> str:
    return f"{t[0]:.2f} / {t[1]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles in the archive")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite file is (or goes)")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--pg-name", default=None, help="the PostgreSQL database (default veille_watchbench_N)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the archive an earlier run left")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    machine_check(args.pg_url if args.backend == "postgresql" else None)
    if args.backend == "sqlite":
        workdir = args.dir or Path(tempfile.mkdtemp(prefix="veille-bench-"))
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / f"bench-{args.n}.db"
        fresh = not (args.reuse and path.exists())
        if fresh:
            for p in workdir.glob(f"bench-{args.n}.db*"):
                p.unlink()
        store = open_store(f"sqlite:///{path}")
        print(f"\nSQLite {args.n} articles ({path})")
    else:
        name = args.pg_name or f"veille_watchbench_{args.n}"
        url, fresh = pg_database(args.pg_url, name, args.reuse)
        store = open_store(url, create=True)
        print(f"\nPostgreSQL {args.n} articles ({name})")
    if fresh:
        for k, v in load(store, args.n).items():
            print(f"  {k}: {v:.1f} s")
    elif args.backend == "postgresql":
        store.refresh_search_index()
    bench(store, args.runs)
    store.close()


if __name__ == "__main__":
    main()
