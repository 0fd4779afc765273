"""What the digest reads from the archive: the period's articles, their organisations and figures.

SQLAlchemy Core on :mod:`veille.archive.schema`; figures go through the core's one
:func:`veille.archive.search.figures`. Each function takes an open connection (or the store) and
returns plain rows for :mod:`digest.compose` to rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from digest.period import Period, week_period
from veille.archive import schema as t
from veille.archive.search import FigureQuery, FigureRow
from veille.archive.search import figures as search_figures
from veille.archive.store import Store, fold

LOCAL_TZ = ZoneInfo("Africa/Casablanca")


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


def aware(value: datetime | None) -> datetime | None:
    """The store returns aware UTC datetimes; a naive value (older rows) is read as local time."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


COLUMNS = (
    t.articles.c.id, t.articles.c.url, t.articles.c.canonical_url, t.articles.c.source, t.articles.c.title,
    t.articles.c.lead, t.articles.c.text, t.articles.c.published, t.articles.c.created_at,
    t.articles.c.relevance, t.articles.c.themes, t.articles.c.cluster_id, t.articles.c.partial,
)  # fmt: skip


def to_row(r: Any) -> ArticleRow:
    return ArticleRow(
        id=r.id,
        url=r.canonical_url or r.url,
        source=r.source,
        title=r.title or "(sans titre)",
        lead=r.lead,
        text=r.text or "",
        published=aware(r.published or r.created_at),
        relevance=float(r.relevance or 0.0),
        themes=list(r.themes or []),
        cluster=r.cluster_id or r.id,
        partial=bool(r.partial),
    )


def articles(conn: Any, period: Period, min_relevance: float) -> list[ArticleRow]:
    when = func.coalesce(t.articles.c.published, t.articles.c.created_at)
    pad = timedelta(days=1)  # SQLite keeps no offset: widen in SQL, filter exactly in Python
    q = select(*COLUMNS).where(
        when >= period.since.astimezone(UTC) - pad,
        when < period.until.astimezone(UTC) + pad,
        t.articles.c.relevance >= min_relevance,
    )
    rows = [to_row(r) for r in conn.execute(q)]
    return [r for r in rows if r.published and period.since <= r.published < period.until]


def articles_by_id(conn: Any, ids: Iterable[int]) -> list[ArticleRow]:
    wanted = list(ids)
    if not wanted:
        return []
    return [to_row(r) for r in conn.execute(select(*COLUMNS).where(t.articles.c.id.in_(wanted)))]


def org_mentions(conn: Any, article_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """(article_id, org_id, org name) for each mention."""
    out: list[tuple[int, int, str]] = []
    for i in range(0, len(article_ids), 500):
        q = (
            select(t.org_mentions.c.article_id, t.organisations.c.id, t.organisations.c.name)
            .join(t.organisations, t.organisations.c.id == t.org_mentions.c.org_id)
            .where(t.org_mentions.c.article_id.in_(article_ids[i : i + 500]))
        )
        out += [(a, o, n) for a, o, n in conn.execute(q)]
    return out


def followed_org_ids(conn: Any, wanted: Sequence[str]) -> set[int]:
    """Ids of the organisations a subscriber follows (name, acronym or any alias, accent-folded)."""
    keys = {fold(w) for w in wanted if w.strip()}
    if not keys:
        return set()
    q = (
        select(t.organisations.c.id)
        .outerjoin(t.org_aliases, t.org_aliases.c.org_id == t.organisations.c.id)
        .where(or_(t.org_aliases.c.alias_key.in_(keys), func.lower(t.organisations.c.name).in_(keys)))
    )
    ids = set(conn.scalars(q))
    for org_id, name, acronym in conn.execute(
        select(t.organisations.c.id, t.organisations.c.name, t.organisations.c.acronym)
    ):
        if fold(name) in keys or (acronym and fold(acronym) in keys):
            ids.add(org_id)
    return ids


def figures(store: Store, period: Period, article_ids: Iterable[int]) -> list[FigureRow]:
    """The figures of these articles, through the core's one :func:`veille.archive.search.figures`."""
    ids = set(article_ids)
    if not ids:
        return []
    rows: list[FigureRow] = []
    offset = 0
    while True:  # a day of margin each side: the article set is already exact
        # every copy: the digest keeps its own articles' figures and merges a story's copies itself
        q = FigureQuery(since=period.start - timedelta(days=1), until=period.end + timedelta(days=1),
                        limit=1000, offset=offset, copies=True)  # fmt: skip
        result = search_figures(store, q)
        rows += [r for r in result.rows if r.article_id in ids]
        offset += 1000
        if len(result.rows) < 1000:  # the last page (the total may be capped: not used here)
            break
    for article_id in ids - {r.article_id for r in rows}:  # pinned from outside the period
        rows += search_figures(store, FigureQuery(article_id=article_id, limit=1000, copies=True)).rows
    return rows


def latest_week_with_articles(store: Store, timezone: str = "Africa/Casablanca") -> str | None:
    """The ISO week id ("2026-W48") of the most recently published article, or None."""
    with store.engine.connect() as conn:
        latest = conn.scalar(select(func.max(t.articles.c.published)))
    if latest is None:
        return None
    return week_period(aware(latest).astimezone(ZoneInfo(timezone)).date(), timezone).id  # type: ignore[union-attr]
