"""What near-duplicate detection reads of the archive: each article's MinHash signature with its
cluster, newest window or since a given id (so an index built once per process catches up with
the articles other crawls archive meanwhile), and the ids it has not seen yet below that id (on
PostgreSQL an id is taken when a row is inserted, so a batch committed late appears below ids
another transaction committed earlier)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select

from veille.archive import schema as t
from veille.archive.store import Store

_INDEXED = select(  # what the near-duplicate index reads of an article
    t.articles.c.id,
    t.articles.c.url,
    t.articles.c.canonical_url,
    t.articles.c.cluster_id,
    t.articles.c.minhash,
)
_AFTER = _INDEXED.where(t.articles.c.minhash.is_not(None), t.articles.c.id > bindparam("after")).order_by(
    t.articles.c.id
)


_SINCE = _INDEXED.where(
    or_(t.articles.c.id > bindparam("after"), t.articles.c.id.in_(bindparam("missing", expanding=True)))
).order_by(t.articles.c.id)


def signatures_since(store: Store, after_id: int, missing: Collection[int] = ()) -> list[Any]:
    """Rows (id, url, canonical_url, cluster_id, minhash or None) of the articles with an id above
    ``after_id`` or among ``missing``, by id, with a signature or not (an id read is an id settled)."""
    with store.engine.connect() as conn:
        return list(conn.execute(_SINCE, {"after": after_id, "missing": list(missing)}))


def article_ids_above(store: Store, after_id: int) -> set[int]:
    """The ids of the articles archived above ``after_id`` (committed so far)."""
    with store.engine.connect() as conn:
        return set(conn.scalars(select(t.articles.c.id).where(t.articles.c.id > after_id)))


def last_article_id(store: Store) -> int:
    """The highest article id archived so far (0 in an empty archive)."""
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.max(t.articles.c.id))) or 0)


def signatures(store: Store, since: datetime | None = None, after_id: int = 0) -> Iterator[Any]:
    """Rows (id, url, canonical_url, cluster_id, minhash) of the articles with a signature, by id:
    those published or archived since ``since`` (all when None) and with an id above ``after_id``."""
    a = t.articles
    if since is None:  # asked for every item of a crawl (refresh_index): one statement, built once
        with store.engine.connect() as conn:
            yield from conn.execute(_AFTER, {"after": after_id})
        return
    q = select(a.c.id, a.c.url, a.c.canonical_url, a.c.cluster_id, a.c.minhash).where(
        a.c.minhash.is_not(None), a.c.id > after_id, or_(a.c.published >= since, a.c.created_at >= since)
    )
    with store.engine.connect() as conn:
        yield from conn.execute(q.order_by(a.c.id))
