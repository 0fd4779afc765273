"""Every point of the archive's indicator series: what the indicators' list and the points to
check (the web's "À vérifier") are made of.

Computing it reads every figure with an indicator and a period (seconds over a large archive),
so the last one computed is served while a computation in the background takes in the archive's
newest writes (the archive's cache, :mod:`veille.archive.cache`, would recompute it on the next
request after every write of a crawl). The first one of a process is computed while the caller
waits. What is served says whether the archive changed since (``current``), and is never older
than ``REFRESH_EVERY`` seconds and one computation.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from veille.archive.cache import write_marker
from veille.archive.indicators import SeriesQuery, series
from veille.archive.store import Store
from veille.core.series import Point, SeriesRule

log = logging.getLogger("veille.archive")


@dataclass(frozen=True)
class Overview:
    """Every point of the archive (what the indicators' list and the points to check are made
    of), when it was computed, and whether the archive changed since (a new computation is then
    under way in the background)."""

    points: tuple[Point, ...]
    computed_at: datetime
    current: bool = True


@dataclass
class _Kept:
    marker: object
    overview: Overview
    rule: SeriesRule  # held: the entry is keyed by its id


_kept: dict[tuple[str, int], _Kept] = {}
_running: dict[tuple[str, int], threading.Thread] = {}
_lock = threading.Lock()
_computing = threading.Lock()  # one computation of every point at a time per process
REFRESH_EVERY = 30.0  # seconds: at most one computation in the background this often


def overview(store: Store, rule: SeriesRule) -> Overview:
    """Every point of the archive. Computing it reads every figure (seconds over a large
    archive), so the last one computed is served while a computation in the background takes in
    the archive's newest writes (``current`` is then False; one at most every ``REFRESH_EVERY``
    seconds, so a long crawl's writes do not keep a processor busy); the first one of a process
    is computed while the caller waits."""
    key = (store.url, id(rule))
    with store.engine.connect() as conn:
        marker = write_marker(store, conn)
    with _lock:
        kept = _kept.get(key)
    if kept is not None and marker is not None and kept.marker == marker:
        return kept.overview
    if kept is None or marker is None:
        return _compute(store, rule, key, marker)
    age = (datetime.now(UTC) - kept.overview.computed_at).total_seconds()
    with _lock:
        if key not in _running and age >= REFRESH_EVERY:
            thread = threading.Thread(
                target=_compute, args=(store, rule, key, marker), kwargs={"background": True}, daemon=True
            )
            _running[key] = thread
            thread.start()
    return replace(kept.overview, current=False)


def _compute(
    store: Store, rule: SeriesRule, key: tuple[str, int], marker: object, *, background: bool = False
) -> Overview:
    try:
        with _computing:
            with _lock:
                kept = _kept.get(key)
            if kept is not None and marker is not None and kept.marker == marker:
                return kept.overview  # computed by another request while this one waited
            done = Overview(tuple(series(store, SeriesQuery(), rule)), datetime.now(UTC))
        if marker is not None:
            with _lock:
                _kept[key] = _Kept(marker, done, rule)
        return done
    except Exception:
        log.exception("the indicator series' overview could not be computed")
        if not background:
            raise
        return Overview((), datetime.now(UTC), current=False)
    finally:
        if background:
            with _lock:
                _running.pop(key, None)


def settle(timeout: float = 60.0) -> None:
    """Wait for the overviews being computed in the background (tests, benchmarks)."""
    with _lock:
        threads = list(_running.values())
    for thread in threads:
        thread.join(timeout)


def forget() -> None:
    """Drop every overview kept (benchmarks: time the first computation again)."""
    settle()
    with _lock:
        _kept.clear()
