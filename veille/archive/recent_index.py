"""PostgreSQL: a second full-text index over the newest articles only, kept up by the archive.

A text search walks the newest matches first, in id slices (``veille.archive.search.ranking``), and
PostgreSQL's GIN index cannot read part of a word's posting list: a slice of the newest 10,000
ids still decodes every entry of its words across the archive (~10 ms for a word in half of
100,000 articles, on this project's machine). A partial GIN index ``WHERE id >= T`` holds only
the newest ids' entries; the planner proves that a slice starting at or above ``T`` lies in it
and reads it instead (4.6 instead of 9-10 ms for "emploi"). Queries do not name it.

It covers at least :data:`RECENT` and at most twice that many of the newest ids: new articles
enter it as they are written; :func:`refresh` (run when a collection run ends and by
``veille init``) builds it anew, without blocking writers, once it covers more than
``2 * RECENT``. Below ``2 * RECENT`` articles the whole index is small and none is built.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from veille.archive import schema as t

NAME = "ix_articles_search_recent"
RECENT = 25_000  # the newest ids it covers at least: a search's first slices (~10,000 ids) and more


def threshold(conn: Any) -> int | None:
    """The lowest id the index covers, from its definition; None when there is none."""
    pred = conn.execute(
        sa.text(
            "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index AS i "
            "JOIN pg_class AS c ON c.oid = i.indexrelid WHERE c.relname = :name AND i.indisvalid"
        ),
        {"name": NAME},
    ).scalar()
    found = re.fullmatch(r"\(id >= (\d+)\)", pred or "")
    return int(found.group(1)) if found else None


def refresh(engine: sa.Engine, recent: int | None = None) -> int | None:
    """Build the index anew when it is missing or covers more than twice ``recent`` ids
    (default :data:`RECENT`); returns its threshold (None: no index, SQLite or a small archive)."""
    if engine.dialect.name != "postgresql":
        return None
    recent = recent or RECENT
    with engine.connect() as conn:
        top = conn.scalar(sa.select(sa.func.max(t.articles.c.id)))
        current = threshold(conn)
    if top is None or top < 2 * recent:
        return current
    if current is not None and top - current < 2 * recent:
        return current
    start = int(top) - recent + 1
    # CONCURRENTLY: articles keep being written meanwhile; it cannot run in a transaction
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}_new"))  # left by a killed build
        conn.execute(
            sa.text(
                f"CREATE INDEX CONCURRENTLY {NAME}_new ON articles USING gin (search_vector) WHERE id >= {start}"
            )
        )
        conn.execute(sa.text(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}"))
        conn.execute(sa.text(f"ALTER INDEX {NAME}_new RENAME TO {NAME}"))
        # a new GIN index counts its (word, article) entries as its rows (5 million here, for
        # 25,000 articles): the planner would find it dearer than the whole index and never
        # read it, until the next VACUUM. ANALYZE counts its articles.
        conn.execute(sa.text("ANALYZE articles"))
    return start
