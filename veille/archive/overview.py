"""Every point of the archive's indicator series: what the indicators' list and the points to
check (the web's "À vérifier") are made of, kept in the archive (:mod:`veille.archive.points`).

Computing every point reads every figure with an indicator and a period (seconds over a large
archive), so it is not done while a reader waits:

- **the extraction run** computes them at its end (``veille extract``, a crawl's end, the demo),
  and ``veille indicators refresh`` does on demand (after ``rates.toml`` or the official sources
  changed);
- **a correction** recomputes the series it touched, before and after (every period and status
  of that indicator, scope, unit and ``per``: a target's progress is measured on its actual
  series), in the correction's request;
- **the web** only reads them. When it finds them computed before the figures' last write (an
  organisation merged, an archive extracted by an older version) or with another rule, it starts
  one computation in a process of its own (at most one every ``REFRESH_EVERY`` seconds) and
  serves the points kept meanwhile, saying so. Only an archive whose points were never computed
  has them computed while the first reader waits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import make_url

from veille.archive import points as kept
from veille.archive.indicators import SeriesQuery, series
from veille.archive.store import Store, open_store
from veille.core.clock import utcnow
from veille.core.series import MONEY, Point, SeriesRule

log = logging.getLogger("veille.archive")
REFRESH_EVERY = 30.0  # seconds: at most one computation in a process of its own this often
SeriesKey = tuple[str, str, str, str, str]  # indicator, scope kind, scope, unit (MAD for money), per


@dataclass(frozen=True)
class Overview:
    """When every point kept was computed, and whether it takes in the archive as it is now (if
    not, a computation is under way in a process of its own)."""

    computed_at: datetime | None
    current: bool = True


def rule_key(rule: SeriesRule) -> str:
    """A fingerprint of what the rule weighs besides the figures (the same in every process)."""
    rates = rule.rates
    dump = rates.model_dump() if hasattr(rates, "model_dump") else repr(rates)
    data = {"rates": dump, "country": rule.default_country, "kinds": sorted(rule.official_kinds),
            "sources": sorted(rule.official_sources), "shares": [rule.conflict_share, rule.approx_share]}  # fmt: skip
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def refresh(store: Store, rule: SeriesRule) -> int:
    """Compute every point of the archive and keep them; how many."""
    with store.engine.begin() as conn:
        since = kept.start(conn)
    found = series(store, SeriesQuery(), rule)
    with store.engine.begin() as conn:
        kept.write_all(conn, found, utcnow(), rule_key(rule), since)
    return len(found)


def refresh_series(store: Store, rule: SeriesRule, keys: Iterable[SeriesKey]) -> None:
    """Compute again the points of these series (after a correction), when every point was
    computed once (else the first reader computes them all)."""
    wanted = sorted(set(keys))
    with store.engine.connect() as conn:
        found_state = kept.state(conn)
    if not wanted or found_state is None or found_state.computed_at is None:
        return
    found: list[Point] = []
    for indicator, scope_kind, scope, unit, per in wanted:
        q = SeriesQuery(indicator=indicator, scope_kind=scope_kind, scope=scope, unit=unit, per=per,
                        exact_scope=True)  # fmt: skip
        found += [p for p in series(store, q, rule) if (p.unit, p.per or "") == (unit, per)]
    with store.engine.begin() as conn:
        kept.write_series(conn, wanted, found)


def series_of(values: dict[str, Any] | None, rule: SeriesRule) -> SeriesKey | None:
    """The series a figure's values (as a correction keeps them) belong to; None: in none."""
    if not values or not values.get("indicator") or not values.get("period"):
        return None
    unit = "MAD" if values.get("unit") in MONEY else str(values.get("unit"))
    return (str(values["indicator"]), values.get("scope_kind") or "country",
            values.get("scope") or rule.default_country, unit, values.get("per") or "")  # fmt: skip


def overview(store: Store, rule: SeriesRule) -> Overview:
    """Whether the points kept take in the archive as it is (see the module's text): a
    computation started in a process of its own when not; the first computed now."""
    with store.engine.connect() as conn:
        found = kept.state(conn)
    if found is None or found.computed_at is None:
        refresh(store, rule)
        with store.engine.connect() as conn:
            found = kept.state(conn)
        return Overview(found.computed_at if found else None)
    current = not found.changed and found.rule == rule_key(rule)
    if not current:
        _start(store, rule)
    return Overview(found.computed_at, current)


def counts(store: Store) -> list[kept.IndicatorCounts]:
    with store.engine.connect() as conn:
        return kept.counts(conn)


def flagged(store: Store, indicator: str | None, offset: int, limit: int) -> tuple[int, list[Point]]:
    """How many points kept have disagreeing citations, and ``limit`` from ``offset``."""
    with store.engine.connect() as conn:
        return kept.flagged(conn, indicator, offset, limit)


def every_point(store: Store) -> list[Point]:
    with store.engine.connect() as conn:
        return kept.every(conn)


_running: dict[str, Any] = {}  # store url -> the process (or thread) computing its points
_started: dict[str, float] = {}
_lock = threading.Lock()


def _separate(url: str) -> bool:
    """Whether another process can open the archive (not an in-memory SQLite one)."""
    database = make_url(url).database or ""
    return not make_url(url).drivername.startswith("sqlite") or (
        bool(database) and database != ":memory:" and not database.startswith("file:")
    )


def _start(store: Store, rule: SeriesRule) -> None:
    url = store.url
    with _lock:
        running = _running.get(url)
        if running is not None and running.is_alive():
            return
        if time.monotonic() - _started.get(url, float("-inf")) < REFRESH_EVERY:
            return
        _started[url] = time.monotonic()
        if _separate(url):
            worker: Any = multiprocessing.get_context("spawn").Process(
                target=_compute_apart, args=(store.url, rule), daemon=True
            )
        else:
            worker = threading.Thread(target=_compute_here, args=(store, rule), daemon=True)
        _running[url] = worker
        worker.start()


def _compute_apart(url: str, rule: SeriesRule) -> None:
    """Every point, computed in a process of its own."""
    store = open_store(url, migrate=False)
    try:
        _compute_here(store, rule)
    finally:
        store.close()


def _compute_here(store: Store, rule: SeriesRule) -> None:
    try:
        refresh(store, rule)
    except Exception:
        log.exception("the indicator series' points could not be computed")


def settle(timeout: float = 120.0) -> None:
    """Wait for the computations under way (tests, benchmarks); the next one may start at once."""
    with _lock:
        workers = list(_running.values())
        _started.clear()
    for worker in workers:
        worker.join(timeout)
    with _lock:
        for url, worker in list(_running.items()):
            if not worker.is_alive():
                del _running[url]
