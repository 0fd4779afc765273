"""How Veille connects: SQLite (WAL, mapped file, folding function) or PostgreSQL (session
settings for short interactive queries). :func:`make_engine` is used by :class:`veille.archive.store.Store`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from veille.core.errors import StoreError
from veille.core.folding import fold


def redact_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"


# Veille's queries are short and interactive: JIT compiling, and parallel workers that must start
# and then share the server's few cores, cost more than they save (a figure listing: 56 ms with 2
# workers, 31 ms without, on 2 cores). An archive's working set is cached or on SSD: random reads
# cost about what sequential ones do (PostgreSQL's default 4.0 is for spinning disks; with it the
# planner scanned 50,000 figures instead of reading the few hundred an index points to).
PG_SESSION_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
SQLITE_MMAP_BYTES = 1 << 30  # address space only: pages are shared with the OS cache
SQLITE_CACHE_KIB = 32 * 1024  # page cache per connection


def upsert(dialect: str, table: Any) -> Any:
    """An INSERT on ``table`` that takes ON CONFLICT clauses, for the engine's ``dialect``."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the archive folder for {database}: {exc.strerror}") from None
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            # searches read large parts of big archives: map the file instead of a read() per page,
            # and keep more pages per connection than SQLite's 2 MB default
            cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()
            # accent/case folding for filters (metric, person...) as PostgreSQL's unaccent(lower())
            dbapi_conn.create_function(
                "veille_fold", 1, lambda v: fold(v) if isinstance(v, str) else v, deterministic=True
            )

        return engine
    try:
        if url.startswith("postgresql"):
            return create_engine(
                url, pool_pre_ping=True, connect_args={"connect_timeout": 10, "options": PG_SESSION_OPTIONS}
            )
        return create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # unknown dialect, bad URL, missing driver
        raise StoreError(f"cannot use database URL {redact_url(url)}: {exc}") from None
