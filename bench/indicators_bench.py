"""Indicator series benchmark: the indicator pages and the indicators API over a synthetic archive,
p50/p95 per backend, in process (FastAPI's test client: routing, the archive's reads, the rule,
the rendering; no network).

The archive is ``bench/search_bench.py``'s (N articles of ~400 words, 0-6 figures each, 5 %
syndicated copies), its figures given what the series need (:func:`enrich`): an indicator of
their unit, a status (70 % actual, 12 % announced, 10 % target, 8 % forecast), a scope (half
Morocco, then organisations, zones, competitor countries, regions), a period (the publication
year +-1, 30 % quarters; targets 2-8 years ahead) and a value drawn around a "true" series of
that indicator and scope: 78 % the value itself, 8 % approximate ("environ", within 7 %), 4 %
ranges around it, 10 % in euros for money, 4 % off by 10-30 % (the conflicts), 8 % attributed
to an official body (always the true value).

Timed: each indicator's page and series API for the default scope (Morocco) and for a zone, a
competitor and a company; a point's page and API (its first page of citations); the indicators
list, the "à vérifier" page and their API, which read every point of the archive as kept in it:
computing them is timed once (what the extraction run pays at its end,
:mod:`veille.archive.overview`), then the requests reading them, and the same requests again
while the figures are marked written since, so that the first request starts the computation in
a process of its own and the others run beside it. Cold: the archive's result cache emptied before each request;
warm: the same request again, archive unchanged. Baseline, same run: the same series read figure
by figure (every citation consolidated in Python) instead of grouped in the database. Prints
only; asserts nothing.

Example: python bench/indicators_bench.py --n 100000 --backend both
Results: docs/benchmarks.md ("Indicator series").
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search_bench  # noqa: E402

from veille.archive.cache import CACHE  # noqa: E402
from veille.archive.indicators import SeriesQuery, series  # noqa: E402
from veille.archive.overview import counts, refresh, settle  # noqa: E402
from veille.archive.points import mark_changed  # noqa: E402
from veille.archive.store import Store, open_store  # noqa: E402
from veille.core.config import Settings  # noqa: E402
from veille.core.runtime import settle_heap  # noqa: E402

INDICATORS = {
    "jobs": (("effectif", 55), ("emplois_crees", 45)),
    "MAD": (("investissement", 40), ("exportations", 35), ("chiffre_affaires", 25)),
    "percent": (("croissance", 60), ("part", 40)),
}
STATUSES = (("actual", 70), ("announced", 12), ("target", 10), ("forecast", 8))
ZONES = (
    "Casanearshore",
    "Technopolis Rabat",
    "Fès Shore",
    "Oujda Shore",
    "Tétouan Shore",
    "Atlantic Free Zone",
)
COMPETITORS = ("Tunisie", "Égypte", "Portugal", "Roumanie", "Sénégal")
REGIONS = ("Casablanca-Settat", "Rabat-Salé-Kénitra", "Fès-Meknès", "Oriental", "Tanger-Tétouan-Al Hoceïma")
COMPANIES = tuple(o[0] for o in search_bench.ORGS if o[2] == "company")
SCOPES = (("country", ("Maroc",), 50), ("organisation", COMPANIES, 20), ("zone", ZONES, 15),
          ("country", COMPETITORS, 10), ("region", REGIONS, 5))  # fmt: skip
BASE = {"effectif": 120_000, "emplois_crees": 15_000, "investissement": 2e9, "exportations": 18e9,
        "chiffre_affaires": 9e9, "croissance": 8.0, "part": 12.0}  # fmt: skip
KIND_FACTOR = {"country": 1.0, "organisation": 0.04, "zone": 0.12, "region": 0.2}
STOCKS = ("effectif", "croissance", "part")  # a quarter's value is not a quarter of the year's
OFFICIAL = {"effectif": "APEBI", "emplois_crees": "ANAPEC", "exportations": "Office des changes",
            "investissement": "AMDIE", "chiffre_affaires": "Office des changes", "croissance": "Haut-Commissariat au Plan",
            "part": "Haut-Commissariat au Plan"}  # fmt: skip
EUR = 10.8


def _pick(rng: random.Random, weighted: Any) -> Any:
    return rng.choices([w[:-1] if len(w) > 2 else w[0] for w in weighted], weights=[w[-1] for w in weighted])[
        0
    ]


def _round(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits}g}")


def _true(indicator: str, kind: str, scope: str, period: str, status: str) -> float:
    """The series a synthetic figure is drawn around: a base per indicator and scope, 6 % a year."""
    year = int(period[:4])
    spread = 0.5 + (zlib.crc32(f"{indicator}|{scope}".encode()) % 1000) / 1000
    competitor = 0.4 if kind == "country" and scope != "Maroc" else 1.0
    value = BASE[indicator] * KIND_FACTOR[kind] * competitor * spread * 1.06 ** (year - 2020)
    if "-Q" in period and indicator not in STOCKS:
        value /= 4
    return value * {"target": 1.4, "forecast": 1.1}.get(status, 1.0)


def enrich(figure: dict[str, Any], article: dict[str, Any]) -> dict[str, Any]:
    """The figure row with an indicator, a status, a scope, a period and a value (see the module's
    text). Drawn from the figure's own sentence and offset: a syndicated copy says the same."""
    rng = random.Random(zlib.crc32(f"{figure['sentence']}|{figure['start']}".encode()))
    unit = figure["unit"]
    indicator = _pick(rng, INDICATORS[unit])
    status = _pick(rng, STATUSES)
    kind, names = _pick(rng, SCOPES)
    scope = rng.choice(names)
    period = figure["period"]
    if status == "target":
        period = str(int(period[:4]) + rng.randint(2, 8))
    true = _true(indicator, kind, scope, period, status)
    out = {**figure, "indicator": indicator, "status": status, "scope_kind": kind, "scope": scope,
           "period": period, "value": _round(true), "range_max": None, "approx": False, "attributed_to": None}  # fmt: skip
    draw = rng.random()
    if draw < 0.08:
        out["attributed_to"] = OFFICIAL[indicator]  # an official body: the true value
    elif draw < 0.16:
        out.update(value=_round(true * rng.uniform(0.93, 1.07), 2), approx=True)
    elif draw < 0.20:
        out.update(value=_round(true * 0.9, 2), range_max=_round(true * 1.1, 2))
    elif draw < 0.24:
        out["value"] = _round(true * rng.choice((rng.uniform(0.7, 0.9), rng.uniform(1.1, 1.3))), 2)
    if unit == "MAD" and rng.random() < 0.10:
        out.update(
            unit="EUR",
            value=_round(out["value"] / EUR),
            range_max=out["range_max"] and out["range_max"] / EUR,
        )
    return out


def build(store: Store, n: int) -> None:
    for name, seconds in search_bench.load(store, n, enrich=enrich).items():
        print(f"  {name}: {seconds:.1f} s")


def _pct(values: list[float], p: float) -> float:
    return search_bench._pct(values, p)


def _time(client: Any, url: str, repeat: int, *, cold: bool) -> list[float]:
    """Milliseconds per request (status checked: a 4xx or 5xx stops the bench)."""

    def call() -> None:
        r = client.get(url)
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code} {r.text[:300]}")

    return search_bench._time(call, repeat, cold=cold)


def _urls(store: Store, settings: Settings) -> dict[str, list[str]]:
    """What is timed: pages and API of each indicator for Morocco, a zone, a competitor and a
    company; three points (most, median and fewest citations of Morocco's actual series)."""
    keys = [k for ks in INDICATORS.values() for k, _ in ks]
    pages, api = [], []
    for key in keys:
        for scope in (
            "country:Maroc",
            "zone:Casanearshore",
            "country:Tunisie",
            f"organisation:{COMPANIES[0]}",
        ):
            pages.append(f"/indicateurs/{key}?" + urlencode({"portee": scope}))
            api.append(f"/api/indicators/{key}?" + urlencode({"scope": scope, "grain": "year"}))
    points = series(store, SeriesQuery(indicator="effectif", statuses=("actual",), scope_kind="country",
                                       scope="Maroc", grain="year"), settings.series_rule)  # fmt: skip
    ranked = sorted(points, key=lambda p: p.citations_count)
    chosen = [ranked[-1], ranked[len(ranked) // 2], ranked[0]] if ranked else []
    point_pages, point_api = [], []
    for p in chosen:
        point_pages.append(f"/indicateurs/{p.indicator}/point?" + urlencode(
            {"statut": p.status, "portee": f"{p.scope_kind}:{p.scope}", "periode": p.period, "unite": p.unit}))  # fmt: skip
        point_api.append(f"/api/indicators/{p.indicator}/point?" + urlencode(
            {"status": p.status, "scope": f"{p.scope_kind}:{p.scope}", "period": p.period, "unit": p.unit}))  # fmt: skip
    print(f"  points timed: {[p.citations_count for p in chosen]} citations")
    return {
        "indicator pages": pages,
        "series API": api,
        "point pages (first 100 citations)": point_pages,
        "point API (first 200 citations)": point_api,
        "every point: /indicateurs, /a-verifier": ["/indicateurs", "/a-verifier"],
        "every point: /api/indicators, /api/conflicts": ["/api/indicators", "/api/conflicts"],
    }


def _describe(store: Store, settings: Settings) -> None:
    CACHE.clear()
    t0 = time.perf_counter()
    found = refresh(store, settings.series_rule)
    took = (time.perf_counter() - t0) * 1000
    per = counts(store)
    flagged = sum(c.conflicts for c in per)
    citations = sum(c.citations for c in per)
    print(f"  {found} points, {citations} citations, {flagged} points with disagreeing citations "
          f"({flagged / max(1, found):.0%}); every point computed and kept (the extraction run's end, "
          f"or a process of its own): {took:.0f} ms")  # fmt: skip


def _mark_changed(store: Store) -> None:
    """The figures written since the points were computed: the next page starts a computation."""
    settle()
    with store.engine.begin() as conn:
        mark_changed(conn)


def run(store: Store, settings: Settings, repeat: int) -> None:
    from fastapi.testclient import TestClient

    from veille.web import create_app

    settle_heap()
    _describe(store, settings)
    urls = _urls(store, settings)
    with TestClient(create_app(settings, store=store)) as client:
        print(f"  {'requests':48} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9}")
        for label, group in urls.items():
            _line(client, label, group, repeat)
        _mark_changed(store)
        t0 = time.perf_counter()
        _line(client, "/indicateurs, /a-verifier, computing apart", urls["every point: /indicateurs, /a-verifier"],
              repeat)  # fmt: skip
        during = time.perf_counter() - t0
        settle()
        print(f"  (that line's requests took {during:.1f} s; the computation apart "
              f"{time.perf_counter() - t0:.1f} s in all)")  # fmt: skip
    _baseline(store, settings, repeat)


def _line(client: Any, label: str, group: list[str], repeat: int) -> None:
    cold = [ms for u in group for ms in _time(client, u, repeat, cold=True)]
    warm = [ms for u in group for ms in _time(client, u, repeat, cold=False)]
    print(f"  {label + f' ({len(group)})':48} {_pct(cold, 50):9.1f} {_pct(cold, 95):9.1f} "
          f"{_pct(warm, 50):9.1f} {_pct(warm, 95):9.1f}")  # fmt: skip


def _baseline(store: Store, settings: Settings, repeat: int) -> None:
    """The default series of each indicator (Morocco), grouped in the database vs read one figure
    at a time, cold."""
    rule = settings.series_rule
    grouped, single = [], []
    for key in (k for ks in INDICATORS.values() for k, _ in ks):
        q = SeriesQuery(indicator=key, scope_kind="country", scope="Maroc")
        grouped += search_bench._time(lambda q=q: series(store, q, rule), repeat)
        single += search_bench._time(
            lambda q=q: series(store, q, rule, with_citations=True), max(1, repeat // 2)
        )
    print(f"  baseline, Morocco's series of each indicator (archive reads + rule, no page): grouped p50 "
          f"{_pct(grouped, 50):.1f} ms, p95 {_pct(grouped, 95):.1f} ms; figure by figure p50 {_pct(single, 50):.1f} ms, "
          f"p95 {_pct(single, 95):.1f} ms -> {_pct(single, 50) / max(0.01, _pct(grouped, 50)):.1f}x")  # fmt: skip


def _settings(url: str, workdir: Path) -> Settings:
    os.environ.setdefault("VEILLE_SECRET_KEY", "banc-d-essai-des-indicateurs-0123456789")
    return Settings.load(data_dir=workdir, database_url=url)


def bench_sqlite(n: int, repeat: int, workdir: Path, reuse: bool) -> None:
    path = workdir / f"bench-series-{n}.db"
    fresh = not (reuse and path.exists())
    if fresh:
        for p in workdir.glob(f"bench-series-{n}.db*"):
            p.unlink()
    url = f"sqlite:///{path}"
    store = open_store(url)
    print(f"\nSQLite {n} articles ({path})")
    if fresh:
        build(store, n)
    run(store, _settings(url, workdir), repeat)
    store.close()


def bench_pg(n: int, repeat: int, admin_url: str, workdir: Path, reuse: bool) -> None:
    name = f"veille_bench_series_{n}"
    url, fresh = search_bench.pg_database(admin_url, name, reuse)
    store = open_store(url, create=True)
    print(f"\nPostgreSQL {n} articles ({name})")
    if fresh:
        build(store, n)
    run(store, _settings(url, workdir), repeat)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of synthetic articles")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per URL, cold and warm")
    parser.add_argument(
        "--pg-url", default=search_bench.PG_ADMIN, help="PostgreSQL server (admin database) URL"
    )
    parser.add_argument("--dir", type=Path, default=None, help="where to put the SQLite file")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse an archive left by an earlier run (same --n)"
    )
    args = parser.parse_args()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="veille-series-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    search_bench.machine_check(args.pg_url if args.backend != "sqlite" else None)
    if args.backend in ("sqlite", "both"):
        bench_sqlite(args.n, args.repeat, workdir, args.reuse)
    if args.backend in ("postgresql", "both"):
        bench_pg(args.n, args.repeat, args.pg_url, workdir, args.reuse)


if __name__ == "__main__":
    main()
