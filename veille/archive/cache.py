"""A small in-process cache of search work, keyed by the archive's last write.

Totals, facets and the ranked list of a query cost most of a search; analysts page
through results and repeat queries. Each entry is stored with a *write marker* read
before the query ran; any committed write changes the marker, so an entry is never
served after the archive changed:

- SQLite: ``PRAGMA data_version`` on a connection of its own that never writes (its value
  changes whenever another connection, in this process or another, commits);
- PostgreSQL: the counts of the writes of the archive's content (``archive_changes``, kept by
  triggers: migration 0025), which change when a transaction that wrote articles, figures,
  organisations, persons, documents, corrections, reviews, series points or sources commits,
  and not for the runs' heartbeats, claims, leases, sessions or deliveries, nor for the other
  databases of the server. The counts are read before the query, in the same connection: a
  write committed in between is in the result and counted one more, so an entry is at worst
  recomputed once. Two counts: the *flow* (a crawl's new articles, an extraction's results:
  writers call :func:`flow_write`) and the *edits* (everything else, analysts' edits among
  them). A look-up that allows it (``lenient``: whole results, not the pieces merged into
  them) is answered by an entry the flow has moved past for the store's
  ``cache_flow_seconds`` after it was computed: while crawls write every second, a search
  shows their new articles within that time instead of emptying the cache at each batch. An
  edit is seen at once. Only the web's store allows it (``FLOW_SECONDS``); every other
  reader (the CLI, the digest, the watches, a script) gets exact results.

>>> marker = write_marker(store)
>>> CACHE.put(store, key, marker, value); CACHE.get(store, key, marker)
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

_WRITES = text(
    "SELECT coalesce(sum(writes) FILTER (WHERE id = 1), 0), coalesce(sum(writes) FILTER (WHERE id = 2), 0) "
    "FROM archive_changes"
)
_FLOW = text("SELECT set_config('veille.write_kind', 'flow', true)")
SIZE = 256  # entries per process (an entry holds at most a few thousand ids)
FLOW_SECONDS = 10.0  # the web's store: a whole result served this long after the flow moved past it


@dataclass(frozen=True)
class Counts:
    """PostgreSQL's marker: the archive's edits and flow writes counted so far."""

    edits: int
    flow: int


def flow_write(conn: Any) -> None:
    """This transaction is the flow of new work (a crawl's batch, an extraction's results): its
    commit counts on the flow (PostgreSQL; nothing to do on SQLite)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_FLOW)


class _SqliteMarker:
    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._token = uuid.uuid4().hex  # data_version counts per connection: tell two markers apart

    def __call__(self) -> tuple[str, int]:
        with self._lock:
            return self._token, int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


_markers: weakref.WeakKeyDictionary[Any, _SqliteMarker | None] = weakref.WeakKeyDictionary()
_markers_lock = threading.Lock()


def write_marker(store: Any, conn: Any = None) -> object | None:
    """A value that changes whenever a write is committed to the archive; None: do not cache."""
    if store.dialect == "sqlite":
        with _markers_lock:
            if store not in _markers:
                database = make_url(store.url).database
                marker = None
                if database and database != ":memory:" and not database.startswith("file:"):
                    marker = _SqliteMarker(database)
                    weakref.finalize(store, marker.close)
                _markers[store] = marker
            marker = _markers[store]
        return None if marker is None else marker()
    if store.dialect == "postgresql" and conn is not None:
        edits, flow = conn.execute(_WRITES).one()
        return Counts(int(edits), int(flow))
    return None


class ResultCache:
    """LRU of ``(store url, key) -> (marker, value, when stored)``; thread-safe."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._data: OrderedDict[tuple[str, Any], tuple[object, Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0  # look-ups answered from the cache, and not

    def get(self, store: Any, key: Any, marker: object | None, *, lenient: bool = False) -> Any:
        """The entry for ``key`` at ``marker``; ``lenient``: or one behind it by flow writes
        only, stored less than the store's ``cache_flow_seconds`` ago."""
        if marker is None:
            return None
        with self._lock:
            entry = self._data.get((store.url, key))
            seconds = getattr(store, "cache_flow_seconds", 0.0) if lenient else 0.0
            if entry is None or not (entry[0] == marker or _recent(entry[0], marker, entry[2], seconds)):
                self.misses += 1
                return None
            self.hits += 1
            self._data.move_to_end((store.url, key))
            return entry[1]

    def put(self, store: Any, key: Any, marker: object | None, value: Any) -> None:
        if marker is None:
            return
        with self._lock:
            self._data[(store.url, key)] = (marker, value, time.monotonic())
            self._data.move_to_end((store.url, key))
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get_or_put(self, store: Any, key: Any, marker: object | None, compute: Callable[[], Any]) -> Any:
        """The entry for ``key`` at ``marker`` (leniently), computed (and kept) when missing."""
        value = self.get(store, key, marker, lenient=True)
        if value is None:
            value = compute()
            self.put(store, key, marker, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def _recent(stored: object, marker: object, when: float, seconds: float) -> bool:
    """``stored`` differs from ``marker`` by flow writes only, and was stored less than
    ``seconds`` ago."""
    return (
        seconds > 0
        and isinstance(stored, Counts)
        and isinstance(marker, Counts)
        and stored.edits == marker.edits
        and stored.flow <= marker.flow
        and time.monotonic() - when < seconds
    )


CACHE = ResultCache()
