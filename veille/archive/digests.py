"""The digests' repository: the stored digest of each period (draft or sent, with the articles an
editor pinned or excluded), and what the composer reads of a week (its articles, their
organisations, the organisations a reader follows). The digest stage (``digest/``) and the
web's digest pages ask here; nothing outside the archive writes the ``digests`` table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from veille.archive import schema as t
from veille.archive.store import Store
from veille.core.folding import fold

# -- stored digests ------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDigest:
    """A period's row of ``digests``: the letter as built (html and text are None in listings)."""

    id: int
    period: str
    status: str  # draft | sent
    subject: str | None
    html: str | None
    text: str | None
    pinned: tuple[int, ...]
    excluded: tuple[int, ...]
    built_at: datetime | None


def _stored(row: Any, *, body: bool = True) -> StoredDigest:
    return StoredDigest(
        id=row.id,
        period=row.period,
        status=row.status,
        subject=row.subject,
        html=row.html if body else None,
        text=row.text if body else None,
        pinned=tuple(row.pinned or ()),
        excluded=tuple(row.excluded or ()),
        built_at=row.built_at,
    )


def list_digests(store: Store, limit: int = 200) -> list[StoredDigest]:
    """The newest periods first, without their bodies."""
    d = t.digests
    cols = (d.c.id, d.c.period, d.c.status, d.c.subject, d.c.built_at, d.c.pinned, d.c.excluded)
    with store.engine.connect() as conn:
        rows = conn.execute(select(*cols).order_by(d.c.period.desc(), d.c.id.desc()).limit(limit)).all()
    return [_stored(r, body=False) for r in rows]


def get_digest(store: Store, digest_id: int) -> StoredDigest | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.digests).where(t.digests.c.id == digest_id)).first()
    return _stored(row) if row else None


def digest_of(store: Store, period: str) -> StoredDigest | None:
    """The stored digest of a period ("2026-W48"), if any."""
    with store.engine.connect() as conn:
        row = conn.execute(select(t.digests).where(t.digests.c.period == period)).first()
    return _stored(row) if row else None


def save_digest(store: Store, period: str, **values: Any) -> StoredDigest:
    """Create or update the period's row (status defaults to draft on creation); two writers
    racing on a new period end with one row."""
    with store.engine.begin() as conn:
        found = conn.scalar(select(t.digests.c.id).where(t.digests.c.period == period))
        if found is None:
            try:
                with conn.begin_nested():
                    row = {"status": "draft", "pinned": [], "excluded": [], **values}
                    conn.execute(insert(t.digests).values(period=period, **row))
                values = {}
            except IntegrityError:
                pass
        if values:
            conn.execute(update(t.digests).where(t.digests.c.period == period).values(**values))
    stored = digest_of(store, period)
    assert stored is not None
    return stored


def missing_articles(store: Store, ids: Sequence[int]) -> list[int]:
    """The ids of ``ids`` that no archived article has, sorted."""
    if not ids:
        return []
    with store.engine.connect() as conn:
        known = set(conn.scalars(select(t.articles.c.id).where(t.articles.c.id.in_(list(ids)))))
    return sorted(set(ids) - known)


# -- what the composer reads -------------------------------------------------------------


@dataclass
class ArticleRow:
    id: int
    url: str
    source: str
    title: str
    lead: str | None
    text: str
    published: datetime | None
    relevance: float
    themes: list[str]
    cluster: int
    partial: bool
    kind: str = "article"  # or "document": the digest lists documents in a block of their own


_COLUMNS = (
    t.articles.c.id, t.articles.c.url, t.articles.c.canonical_url, t.articles.c.source, t.articles.c.title,
    t.articles.c.lead, t.articles.c.text, t.articles.c.published, t.articles.c.created_at,
    t.articles.c.relevance, t.articles.c.themes, t.articles.c.cluster_id, t.articles.c.partial,
    t.articles.c.kind,
)  # fmt: skip


def aware(value: datetime | None, tz: tzinfo) -> datetime | None:
    """The store returns aware UTC datetimes; a naive value (older rows) is read as local time."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


class WeekReads:
    """Reads of one consistent view of the archive (one connection) for composing a digest."""

    def __init__(self, conn: Any, tz: tzinfo) -> None:
        self._conn = conn
        self._tz = tz

    def _row(self, r: Any) -> ArticleRow:
        return ArticleRow(
            id=r.id,
            url=r.canonical_url or r.url,
            source=r.source,
            title=r.title or "(sans titre)",
            lead=r.lead,
            text=r.text or "",
            published=aware(r.published or r.created_at, self._tz),
            relevance=float(r.relevance or 0.0),
            themes=list(r.themes or []),
            cluster=r.cluster_id or r.id,
            partial=bool(r.partial),
            kind=r.kind or "article",
        )

    def articles(self, since: datetime, until: datetime, min_relevance: float) -> list[ArticleRow]:
        """Articles published in [since, until) (aware datetimes) at or above the relevance."""
        when = func.coalesce(t.articles.c.published, t.articles.c.created_at)
        pad = timedelta(days=1)  # SQLite keeps no offset: widen in SQL, filter exactly in Python
        q = select(*_COLUMNS).where(
            when >= since.astimezone(UTC) - pad,
            when < until.astimezone(UTC) + pad,
            t.articles.c.relevance >= min_relevance,
        )
        rows = [self._row(r) for r in self._conn.execute(q)]
        return [r for r in rows if r.published and since <= r.published < until]

    def articles_by_id(self, ids: Iterable[int]) -> list[ArticleRow]:
        wanted = list(ids)
        if not wanted:
            return []
        return [
            self._row(r) for r in self._conn.execute(select(*_COLUMNS).where(t.articles.c.id.in_(wanted)))
        ]

    def org_mentions(self, article_ids: Sequence[int]) -> list[tuple[int, int, str]]:
        """(article_id, org_id, org name) for each mention."""
        out: list[tuple[int, int, str]] = []
        for i in range(0, len(article_ids), 500):
            q = (
                select(t.org_mentions.c.article_id, t.organisations.c.id, t.organisations.c.name)
                .join(t.organisations, t.organisations.c.id == t.org_mentions.c.org_id)
                .where(t.org_mentions.c.article_id.in_(article_ids[i : i + 500]))
            )
            out += [(a, o, n) for a, o, n in self._conn.execute(q)]
        return out

    def followed_org_ids(self, wanted: Sequence[str]) -> set[int]:
        """Ids of the organisations a subscriber follows (name, acronym or any alias, accent-folded)."""
        keys = {fold(w) for w in wanted if w.strip()}
        if not keys:
            return set()
        o, al = t.organisations, t.org_aliases
        q = (
            select(o.c.id)
            .outerjoin(al, al.c.org_id == o.c.id)
            .where(or_(al.c.alias_key.in_(keys), func.lower(o.c.name).in_(keys)))
        )
        ids = set(self._conn.scalars(q))
        for org_id, name, acronym in self._conn.execute(select(o.c.id, o.c.name, o.c.acronym)):
            if fold(name) in keys or (acronym and fold(acronym) in keys):
                ids.add(org_id)
        return ids


@contextmanager
def week_reads(store: Store) -> Iterator[WeekReads]:
    """``with week_reads(store) as db: db.articles(...)``: one connection; times in the store's
    zone (digest.toml's timezone, when the store was opened from the settings)."""
    with store.engine.connect() as conn:
        yield WeekReads(conn, store.timezone)


def latest_published(store: Store) -> datetime | None:
    """The newest article's publication time (aware, in the store's zone), or None in an empty
    archive."""
    with store.engine.connect() as conn:
        latest = conn.scalar(select(func.max(t.articles.c.published)))
    return aware(latest, store.timezone)
