"""A small in-process cache of search work, keyed by the archive's last write.

Totals, facets and the ranked list of a query cost most of a search; analysts page
through results and repeat queries. Each entry is stored with a *write marker* read
before the query ran; any committed write changes the marker, so an entry is never
served after the archive changed:

- SQLite: ``PRAGMA data_version`` on a connection of its own that never writes (its value
  changes whenever another connection, in this process or another, commits);
- PostgreSQL: the current snapshot (``pg_current_snapshot()``: xmin, xmax and in-progress
  transactions), which changes when any transaction starts writing or commits.

>>> marker = write_marker(store)
>>> CACHE.put(store, key, marker, value); CACHE.get(store, key, marker)
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

SIZE = 256  # entries per process (an entry holds at most a few thousand ids)


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
        return str(conn.execute(text("SELECT pg_current_snapshot()::text")).scalar())
    return None


class ResultCache:
    """LRU of ``(store url, key) -> (marker, value)``; thread-safe."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._data: OrderedDict[tuple[str, Any], tuple[object, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: Any, key: Any, marker: object | None) -> Any:
        if marker is None:
            return None
        with self._lock:
            entry = self._data.get((store.url, key))
            if entry is None or entry[0] != marker:
                return None
            self._data.move_to_end((store.url, key))
            return entry[1]

    def put(self, store: Any, key: Any, marker: object | None, value: Any) -> None:
        if marker is None:
            return
        with self._lock:
            self._data[(store.url, key)] = (marker, value)
            self._data.move_to_end((store.url, key))
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get_or_put(self, store: Any, key: Any, marker: object | None, compute: Callable[[], Any]) -> Any:
        """The entry for ``key`` at ``marker``, computed (and kept) when missing."""
        value = self.get(store, key, marker)
        if value is None:
            value = compute()
            self.put(store, key, marker, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


CACHE = ResultCache()
