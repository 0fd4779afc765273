"""Search the archive: one :func:`search` and one :func:`figures` for the CLI, web UI and digest.

Full text runs on SQLite FTS5 (folded, stemmed keys, BM25 with the title weighted most)
or on PostgreSQL (``veille_fr`` tsvector, ``ts_rank``); filters, cluster collapsing,
facets and snippets are the same on both. Query syntax: see :mod:`veille.query`.

Bounded work, whatever the archive's size: a text search ranks the newest
:data:`RANK_WINDOW` matches passing the filters (all of them when fewer match: the ranking
is then exact) — FTS5 walks its index newest first and computes bm25 for those rows only;
PostgreSQL combines the GIN index with the filters' indexes, ranks on a small title/lead
vector, then re-ranks the best :data:`CANDIDATES` on the full text. Totals are counted up to
:data:`TOTAL_CAP` (``total_exact`` is False beyond: "plus de 10 000"); facets are counted
over the first :data:`FACET_SAMPLE` results when more match (``facets_sample`` says so).
Totals, facets, rankings and pages are cached per query until the archive's next write
(:mod:`veille.cache`). Numbers: ``docs/benchmarks.md``.

>>> result = search(store, SearchQuery("création d'emplois", since=date(2025, 1, 1), org="ADD"))
>>> for hit in result.hits: print(hit.title, hit.snippet_html)
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from veille import schema as t
from veille.cache import CACHE, write_marker
from veille.formatting import format_value, iso_week
from veille.fulltext import Matcher, snippet
from veille.query import ParsedQuery, Phrase, QueryError, parse
from veille.store import Store, fold

__all__ = [
    "SearchQuery", "SearchResult", "Hit", "search",
    "FigureQuery", "FigureResult", "FigureRow", "figures",
    "OrgStat", "org_stats", "OrgDetail", "organisation", "ArticleRef",
    "ArticleDetail", "OrgMention", "PersonMention", "article_detail", "resolve_org", "QueryError",
    "source_counts", "TOTAL_CAP", "FACET_SAMPLE",
]  # fmt: skip

LOCAL_TZ = ZoneInfo("Africa/Casablanca")
ORDERS = ("relevance", "date")
FIGURE_ORDERS = ("date", "value")
MAX_LIMIT = 1000
FACET_SIZE = 30
TOTAL_CAP = 10_000  # counting stops beyond: the total reads "plus de 10 000"
FACET_SAMPLE = 1_000  # facets of a bigger result are counted over its first 1,000 articles
CANDIDATES = 200  # PostgreSQL: matches re-ranked on the full text (the rest by title and lead)
RANK_WINDOW = 1_000  # SQLite: text relevance ranks the newest 1,000 matches (all of them when fewer)
TITLE_WEIGHT, LEAD_WEIGHT, TEXT_WEIGHT = 10.0, 3.0, 1.0


# -- public dataclasses --------------------------------------------------------------------
@dataclass(frozen=True)
class SearchQuery:
    """What to look for. Figure filters (unit, metric, values, period) keep articles having such a figure."""

    text: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    sources: tuple[str, ...] = ()
    org: str | None = None  # canonical name or any alias, accents/case ignored
    person: str | None = None  # full name or surname
    theme: str | None = None
    min_relevance: float | None = None
    one_per_cluster: bool = True
    order: str = "relevance"  # "relevance" or "date"
    limit: int = 20
    offset: int = 0
    unit: str | None = None
    metric: str | None = None  # substring, accents/case ignored
    min_value: float | None = None
    max_value: float | None = None
    period: str | None = None  # "2024" also matches "2024-Q1"


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    url: str
    source: str
    published: datetime | None
    lead: str | None
    snippet_html: str  # escaped text, <mark> around matches: safe to insert in HTML
    score: float
    cluster_id: int | None
    cluster_size: int
    other_sources: list[str]
    themes: list[str]
    relevance: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int  # articles (clusters when collapsing) matching, all pages; at most TOTAL_CAP
    facets: dict[str, list[tuple[str, int]]] = field(
        default_factory=dict
    )  # sources, organisations, themes, units, periods
    total_exact: bool = True  # False: more than TOTAL_CAP articles match ("plus de 10 000")
    facets_sample: int | None = None  # facets counted over this many first results; None: over all of them


@dataclass(frozen=True)
class FigureQuery:
    text: str = ""  # full-text query on the figure's article
    unit: str | None = None
    metric: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    period: str | None = None
    org: str | None = None  # organisation named in the figure's sentence (name or alias)
    source: str | None = None
    since: date | None = None
    until: date | None = None
    article_id: int | None = None
    limit: int = 100
    offset: int = 0
    order: str = "date"  # "date" (newest first) or "value" (largest first)


@dataclass(frozen=True)
class FigureRow:
    id: int
    article_id: int
    published: datetime | None
    source: str
    title: str
    url: str
    text: str
    value: float
    unit: str
    formatted: str  # "10 milliards DH" (non-breaking spaces)
    approx: bool
    qualifier: str | None
    range_max: float | None
    period: str | None
    metric: str | None
    organisations: list[str]
    sentence: str
    start: int
    end: int
    sentence_start: int


@dataclass(frozen=True)
class FigureResult:
    rows: list[FigureRow]
    total: int  # at most TOTAL_CAP
    total_exact: bool = True  # False: more than TOTAL_CAP figures match


@dataclass(frozen=True)
class OrgStat:
    name: str
    kind: str | None
    aliases: list[str]
    mentions: int
    articles: int


@dataclass(frozen=True)
class ArticleRef:
    id: int
    title: str
    url: str
    source: str
    published: datetime | None
    mentions: int = 0


@dataclass(frozen=True)
class OrgDetail:
    name: str
    kind: str | None
    acronym: str | None
    aliases: list[str]
    articles: list[ArticleRef]  # newest first
    figures: list[FigureRow]  # oldest first: the organisation's figures over time
    weekly_mentions: list[tuple[str, int]]  # ("2025-W03", 4), in week order


@dataclass(frozen=True)
class OrgMention:
    name: str
    kind: str | None
    count: int
    forms: list[str]  # the texts as written


@dataclass(frozen=True)
class PersonMention:
    name: str
    role: str | None
    organisation: str | None


@dataclass(frozen=True)
class ArticleDetail:
    id: int
    url: str
    canonical_url: str
    source: str
    title: str
    lead: str | None
    text: str
    author: str | None
    published: datetime | None
    relevance: float
    themes: list[str]
    matched_terms: list[str]
    cluster_id: int | None
    cluster_size: int
    other_sources: list[str]
    figures: list[FigureRow]
    organisations: list[OrgMention]
    persons: list[PersonMention]


# -- helpers ---------------------------------------------------------------------------
A = t.articles
F = t.figures


def _bound(store: Store, d: date, *, end: bool) -> datetime:
    """Midnight of a local (Casablanca) day; the column type stores it in UTC on every backend."""
    day = d + timedelta(days=1) if end else d
    if isinstance(day, datetime):
        day = day.date()
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ)


def _folded(store: Store, col: Any) -> Any:
    if store.dialect == "sqlite":
        return sa.func.veille_fold(col)
    return sa.func.lower(sa.func.unaccent(col))


def _json_contains(store: Store, col: Any, value: str) -> Any:
    """``value`` is an element of the JSON list in ``col``."""
    if store.dialect == "sqlite":
        return sa.exists(
            sa.select(sa.literal(1))
            .select_from(sa.func.json_each(col).table_valued("value"))
            .where(sa.column("value") == value)
        )
    return sa.cast(col, sa.dialects.postgresql.JSONB).op("@>")(
        sa.cast(sa.literal(json.dumps([value])), sa.dialects.postgresql.JSONB)
    )


def _period_clause(col: Any, period: str) -> Any:
    return sa.or_(
        col == period,
        col.like(period.replace("%", "").replace("_", "") + "-Q%"),
        col.like(period.replace("%", "").replace("_", "") + "-S%"),
    )


def _check_page(limit: int, offset: int) -> tuple[int, int]:
    if not isinstance(limit, int) or limit < 1:
        raise QueryError(f"limit must be a positive whole number, got {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise QueryError(f"offset must be zero or more, got {offset!r}")
    return min(limit, MAX_LIMIT), min(offset, 100_000)


def _org_ids(conn: Any, name_or_alias: str) -> list[int]:
    k = fold(name_or_alias)
    if not k:
        return []
    ids = set(conn.scalars(sa.select(t.org_aliases.c.org_id).where(t.org_aliases.c.alias_key == k)))
    if not ids:
        for oid, name in conn.execute(sa.select(t.organisations.c.id, t.organisations.c.name)):
            if fold(name) == k:
                ids.add(oid)
    return sorted(ids)


def _person_ids(conn: Any, name: str) -> list[int]:
    k = fold(name)
    if not k:
        return []
    words = k.split()
    out = []
    for pid, pname in conn.execute(sa.select(t.persons.c.id, t.persons.c.name)):
        pk = fold(pname).split()
        if pk == words or any(pk[i : i + len(words)] == words for i in range(len(pk))):
            out.append(pid)
    return out


def resolve_org(store: Store, name_or_alias: str) -> str | None:
    """The canonical name of an organisation named by its name or any alias ("add" -> "Agence de ...")."""
    with store.engine.connect() as conn:
        ids = _org_ids(conn, name_or_alias)
        if not ids:
            return None
        return conn.scalar(sa.select(t.organisations.c.name).where(t.organisations.c.id == ids[0]))


W_RANK = "'{0.1, 0.3, 0.6, 1.0}'::float4[]"  # PostgreSQL weights D, C (text), B (lead), A (title)
FTS = sa.table("article_fts", sa.column("rowid"), sa.column("rank"))


def _fts_match(parsed: ParsedQuery) -> Any:
    return sa.text("article_fts MATCH :fts_query").bindparams(fts_query=parsed.to_fts5())


def _tsquery(parsed: ParsedQuery) -> Any:
    return sa.func.to_tsquery(
        sa.literal_column("'veille_fr'::regconfig"), sa.bindparam("ts_query", parsed.to_tsquery())
    )


def _text_match(store: Store, parsed: ParsedQuery) -> Any:
    """The full-text condition on ``articles`` (parameters only, no SQL from user text)."""
    if store.dialect == "sqlite":
        return A.c.id.in_(sa.select(FTS.c.rowid).where(_fts_match(parsed)))
    return sa.literal_column("articles.search_vector").op("@@")(_tsquery(parsed))


def _filters(store: Store, conn: Any, q: SearchQuery) -> list[Any] | None:
    """SQL conditions on ``articles`` for everything but the text; None when nothing can match."""
    where: list[Any] = []
    if q.since:
        where.append(A.c.published >= _bound(store, q.since, end=False))
    if q.until:
        where.append(A.c.published < _bound(store, q.until, end=True))
    if q.sources:
        where.append(A.c.source.in_(list(q.sources)))
    if q.min_relevance is not None:
        where.append(A.c.relevance >= q.min_relevance)
    if q.theme:
        where.append(_json_contains(store, A.c.themes, q.theme))
    if q.org:
        ids = _org_ids(conn, q.org)
        if not ids:
            return None
        # IN (not EXISTS): SQLite builds the set once and probes it, instead of a subquery per article
        where.append(
            A.c.id.in_(sa.select(t.org_mentions.c.article_id).where(t.org_mentions.c.org_id.in_(ids)))
        )
    if q.person:
        pids = _person_ids(conn, q.person)
        if not pids:
            return None
        where.append(
            A.c.id.in_(
                sa.select(t.person_mentions.c.article_id).where(t.person_mentions.c.person_id.in_(pids))
            )
        )
    fig = _figure_conditions(store, q.unit, q.metric, q.min_value, q.max_value, q.period)
    if fig:
        where.append(A.c.id.in_(sa.select(F.c.article_id).where(*fig)))
    return where


def _figure_conditions(
    store: Store, unit: str | None, metric: str | None, lo: float | None, hi: float | None, period: str | None
) -> list[Any]:
    out: list[Any] = []
    if unit:
        out.append(F.c.unit == unit)
    if metric:
        out.append(_folded(store, F.c.metric).contains(fold(metric), autoescape=True))
    if lo is not None:
        out.append(F.c.value >= lo)
    if hi is not None:
        out.append(F.c.value <= hi)
    if period:
        out.append(_period_clause(F.c.period, period))
    return out


@dataclass(frozen=True)
class _Ranking:
    rows: list[tuple[int, int, float]]  # (article id, cluster, score), in result order
    complete: bool  # rows hold every match
    total: tuple[int, bool] | None = None  # (total, exact) when counted in the same pass


def _order(q: SearchQuery, parsed: ParsedQuery | None) -> list[Any]:
    """Order without text ranking: newest first, or by relevance (the pipeline's score)."""
    if q.order == "date":
        return [A.c.published.desc().nulls_last(), A.c.id.desc()]
    return [A.c.relevance.desc(), A.c.published.desc().nulls_last(), A.c.id.desc()]


def _clusters(rows: list[tuple[int, int, float]], one_per_cluster: bool) -> list[tuple[int, int, float]]:
    if not one_per_cluster:
        return rows
    seen: set[int] = set()
    out = []
    for r in rows:
        if r[1] not in seen:
            seen.add(r[1])
            out.append(r)
    return out


def _rank(
    store: Store,
    conn: Any,
    q: SearchQuery,
    parsed: ParsedQuery | None,
    where: list[Any],
    want: int,
    sample: int,
) -> _Ranking:
    """The first results in order: enough for ``want`` entries (clusters) and ``sample`` articles."""
    n = max(sample, want * 2 if q.one_per_cluster else want, 50)
    if parsed is not None and q.order == "relevance":
        n = max(n, RANK_WINDOW)  # the ranking must not depend on the page or the facets
    one_pass = (
        store.dialect == "postgresql"
        and parsed is not None
        and q.order == "relevance"
        and (where or _has_phrase(parsed))
    )
    while True:
        if one_pass:
            ranking = _first_rows_counted(store, conn, q, parsed, where, n)  # type: ignore[arg-type]
        else:
            ranking = _Ranking(*_first_rows(store, conn, q, parsed, where, n))
        if ranking.complete or len(_clusters(ranking.rows, q.one_per_cluster)) >= want:
            return ranking
        n *= 4  # big syndication clusters: look further


def _has_phrase(parsed: ParsedQuery) -> bool:
    return any(isinstance(a, Phrase) for c in parsed.required for a in c.options) or any(
        isinstance(a, Phrase) for a in parsed.excluded
    )


def _first_rows_counted(
    store: Store, conn: Any, q: SearchQuery, parsed: ParsedQuery, where: list[Any], n: int
) -> _Ranking:
    """The ranking of :func:`_first_rows_fts5` / :func:`_first_rows_pg` and the capped total, in one
    walk over the matches: the matches passing the filters are listed newest first (ids, clusters,
    dates: no score, no text) up to :data:`TOTAL_CAP`, which gives the total; then only the newest
    ``n`` are scored. Used when the total would otherwise walk the matches a second time (filters
    to check on every match; PostgreSQL phrases, checked on the full vector read from TOAST)."""
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id).label("cluster")
    cap = max(n, TOTAL_CAP) + 1
    if store.dialect == "sqlite":
        stmt = (
            sa.select(A.c.id, cluster, A.c.published).select_from(FTS.join(A, A.c.id == FTS.c.rowid))
            .where(_fts_match(parsed), *where).order_by(FTS.c.rowid.desc())
        )  # fmt: skip
    else:
        _prefer_gin(conn)
        stmt = (
            sa.select(A.c.id, cluster, A.c.published)
            .where(_text_match_pg(parsed), *where)
            .order_by(A.c.id.desc())
        )
    matches = conn.execute(stmt.limit(cap)).all()
    if len(matches) > TOTAL_CAP:
        total = (TOTAL_CAP, False)
    else:
        total = (len({m[1] for m in matches}) if q.one_per_cluster else len(matches), True)
    complete = len(matches) <= n
    newest = matches[:n]
    if not newest:
        return _Ranking([], complete, total)
    ids = [m[0] for m in newest]
    if store.dialect == "sqlite":
        # FTS5 answers "rowid IN (...)" one id at a time: score the id range instead
        scores = {
            i: float(v or 0)
            for i, v in conn.execute(
                sa.select(FTS.c.rowid, -FTS.c.rank).where(_fts_match(parsed), FTS.c.rowid.between(ids[-1], ids[0]))
            )
        }  # fmt: skip
        rows = sorted(
            ((m[0], m[1], scores.get(m[0], 0.0), m[2]) for m in newest),
            key=lambda r: (-r[2], r[3] is None, -r[3].timestamp() if r[3] else 0.0, -r[0]),
        )
        return _Ranking([(r[0], r[1], r[2]) for r in rows], complete, total)
    tsq = _tsquery(parsed)
    head = sa.func.ts_rank(sa.literal_column(W_RANK), sa.literal_column("articles.search_vector_head"), tsq)
    heads = {
        i: float(v or 0) for i, v in conn.execute(sa.select(A.c.id, head).where(_in_ids(store, A.c.id, ids)))
    }
    first = sorted(
        newest, key=lambda r: (-heads.get(r[0], 0.0), r[2] is None, -r[2].timestamp() if r[2] else 0.0, -r[0])
    )
    return _Ranking(_rerank_pg(conn, tsq, first, heads), complete, total)


def _first_rows(
    store: Store, conn: Any, q: SearchQuery, parsed: ParsedQuery | None, where: list[Any], n: int
) -> tuple[list[tuple[int, int, float]], bool]:
    """Up to ``n`` matching articles in result order, and whether they are all the matches."""
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id).label("cluster")

    def run(stmt: Any) -> tuple[list[tuple[int, int, float]], bool]:
        rows = [(r[0], r[1], float(r[2] or 0)) for r in conn.execute(stmt.limit(n + 1))]
        return rows[:n], len(rows) <= n

    if parsed is None:
        return run(sa.select(A.c.id, cluster, sa.literal(0.0)).where(*where).order_by(*_order(q, parsed)))
    if q.order == "date":
        if store.dialect == "postgresql":
            _prefer_gin(conn)
        return run(
            sa.select(A.c.id, cluster, sa.literal(0.0))
            .where(_date_text_match(store, parsed), *where)
            .order_by(*_order(q, parsed))
        )
    if store.dialect == "sqlite":
        return _first_rows_fts5(conn, parsed, where, cluster, n)
    return _first_rows_pg(conn, parsed, where, cluster, n)


def _date_text_match(store: Store, parsed: ParsedQuery) -> Any:
    if store.dialect == "sqlite":
        # "+id": walk the published index newest first, probing the set of matching ids
        return sa.literal_column("+articles.id").in_(sa.select(FTS.c.rowid).where(_fts_match(parsed)))
    return _text_match(store, parsed)


def _first_rows_fts5(
    conn: Any, parsed: ParsedQuery, where: list[Any], cluster: Any, n: int
) -> tuple[list[tuple[int, int, float]], bool]:
    """The newest ``n`` matches passing the filters (FTS5 walks its index by descending rowid
    and stops there), ranked by bm25 with the title weighted most. When fewer match, that is
    every match: the ranking is exact. BM25 over tens of thousands of matches would cost
    hundreds of milliseconds; a news archive's best answers to a broad query are recent."""
    rows = conn.execute(
        sa.select(A.c.id, cluster, (-FTS.c.rank).label("score"), A.c.published)
        .select_from(FTS.join(A, A.c.id == FTS.c.rowid))
        .where(_fts_match(parsed), *where).order_by(FTS.c.rowid.desc()).limit(n + 1)
    ).all()  # fmt: skip
    rows = sorted(
        rows, key=lambda r: (-float(r[2] or 0), r[3] is None, -r[3].timestamp() if r[3] else 0.0, -r[0])
    )
    complete = len(rows) <= n
    if not complete:  # drop the oldest of the n + 1 (the one only fetched to know there are more)
        rows.remove(min(rows, key=lambda r: r[0]))
    return [(r[0], r[1], float(r[2] or 0)) for r in rows], complete


def _first_rows_pg(
    conn: Any, parsed: ParsedQuery, where: list[Any], cluster: Any, n: int
) -> tuple[list[tuple[int, int, float]], bool]:
    """The newest ``n`` matches passing the filters, as on SQLite: the GIN index is combined with
    an id range (newest articles) that widens until enough match. They are ranked on
    ``search_vector_head`` (title and lead, stored in the row), then the best :data:`CANDIDATES`
    on the full ``search_vector`` (one TOAST read each)."""
    tsq = _tsquery(parsed)
    head = sa.func.ts_rank(sa.literal_column(W_RANK), sa.literal_column("articles.search_vector_head"), tsq)
    top_id = int(conn.execute(sa.select(sa.func.max(A.c.id))).scalar() or 0)
    _prefer_gin(conn)
    span = 8 * n if not where else top_id  # filters: let the planner combine their indexes with GIN
    while True:
        low = top_id - span if span < top_id else None
        cond = [_text_match_pg(parsed), *where] + ([A.c.id > low] if low is not None else [])
        first = conn.execute(
            sa.select(A.c.id, cluster, head, A.c.published).where(*cond).order_by(A.c.id.desc()).limit(n + 1)
        ).all()
        if len(first) > n or low is None:
            break
        span *= 8
    complete = len(first) <= n
    first = sorted(
        first[:n], key=lambda r: (-float(r[2] or 0), r[3] is None, -r[3].timestamp() if r[3] else 0.0, -r[0])
    )
    return _rerank_pg(conn, tsq, first, {r[0]: float(r[2] or 0) for r in first}), complete


def _rerank_pg(
    conn: Any, tsq: Any, first: list[Any], heads: dict[int, float]
) -> list[tuple[int, int, float]]:
    """``first`` (id, cluster, ...) sorted by their title/lead score ``heads``: the best
    :data:`CANDIDATES` re-ranked on the full ``search_vector``, the rest below them."""
    top = [r[0] for r in first[:CANDIDATES]]
    if not top:
        return []
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id).label("cluster")
    full = sa.func.ts_rank(sa.literal_column(W_RANK), sa.literal_column("articles.search_vector"), tsq)
    scored = conn.execute(
        sa.select(A.c.id, cluster, full.label("score")).where(A.c.id.in_(top))
        .order_by(sa.desc("score"), A.c.published.desc().nulls_last(), A.c.id.desc())
    ).all()  # fmt: skip
    rows = [(r[0], r[1], float(r[2] or 0)) for r in scored]
    rows += [
        (r[0], r[1], heads.get(r[0], 0.0) * 1e-3) for r in first[CANDIDATES:]
    ]  # below every re-ranked one
    return rows


def _prefer_gin(conn: Any) -> None:
    """PostgreSQL, for the rest of this transaction: bitmap scans only. The planner does not know
    that testing ``search_vector @@`` on a row means reading its vector from TOAST; left alone it
    scans the table or walks another index and tests every row (10-20x slower), instead of
    combining the GIN index with the filters' indexes in bitmaps."""
    conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
    conn.execute(sa.text("SET LOCAL enable_indexscan = off"))


def _text_match_pg(parsed: ParsedQuery) -> Any:
    return sa.literal_column("articles.search_vector").op("@@")(_tsquery(parsed))


def _total(
    store: Store, conn: Any, q: SearchQuery, parsed: ParsedQuery | None, where: list[Any], ranking: _Ranking
) -> tuple[int, bool]:
    """(total, exact): entries matching, counted up to :data:`TOTAL_CAP` articles."""
    if ranking.complete:
        if len(ranking.rows) > TOTAL_CAP:
            return TOTAL_CAP, False
        return len(_clusters(ranking.rows, q.one_per_cluster)), True
    if parsed is not None and not where:
        # more than TOTAL_CAP matching articles: the full-text index alone says so (FTS5; GIN
        # bitmap without reading rows), no need to read clusters
        if store.dialect == "sqlite":
            only = sa.select(FTS.c.rowid).where(_fts_match(parsed))
        else:
            _prefer_gin(conn)
            only = sa.select(sa.literal(1)).select_from(A).where(_text_match_pg(parsed))
        matches = conn.execute(
            sa.select(sa.func.count()).select_from(only.limit(TOTAL_CAP + 1).subquery())
        ).scalar()
        if matches > TOTAL_CAP:
            return TOTAL_CAP, False
    cond = [*where, _text_match(store, parsed)] if parsed is not None else where
    if parsed is not None and store.dialect == "postgresql":
        _prefer_gin(conn)
    sub = (
        sa.select(sa.func.coalesce(A.c.cluster_id, A.c.id).label("c"))
        .where(*cond)
        .limit(TOTAL_CAP + 1)
        .subquery()
    )
    clusters, articles = conn.execute(
        sa.select(sa.func.count(sa.distinct(sub.c.c)), sa.func.count()).select_from(sub)
    ).one()
    if articles > TOTAL_CAP:
        return TOTAL_CAP, False
    return int(clusters if q.one_per_cluster else articles), True


def _scores(store: Store, conn: Any, parsed: ParsedQuery, ids: list[int]) -> dict[int, float]:
    """Full-text scores of a few articles (date order ranks nothing)."""
    if not ids:
        return {}
    if store.dialect == "sqlite":
        # FTS5 answers "rowid IN (...)" one id at a time, re-running the query: ask for the id range
        stmt = (
            sa.select(FTS.c.rowid, -FTS.c.rank).where(_fts_match(parsed), FTS.c.rowid.between(min(ids), max(ids)))
            .order_by(FTS.c.rowid.desc()).limit(5 * RANK_WINDOW)
        )  # fmt: skip
    else:
        full = sa.func.ts_rank(
            sa.literal_column(W_RANK), sa.literal_column("articles.search_vector"), _tsquery(parsed)
        )
        stmt = sa.select(A.c.id, full).where(A.c.id.in_(ids))
    return {i: float(v or 0) for i, v in conn.execute(stmt)}


# -- search ----------------------------------------------------------------------------
def search(store: Store, q: SearchQuery, *, with_facets: bool = True) -> SearchResult:
    """Articles matching ``q``, best first (or newest first), one per syndication cluster.

    Raises :class:`QueryError` for unusable text; everything else returns a result.
    """
    if q.order not in ORDERS:
        raise QueryError(f"unknown order {q.order!r}: use one of {', '.join(ORDERS)}")
    limit, offset = _check_page(q.limit, q.offset)
    parsed = parse(q.text) if q.text and q.text.strip() else None
    want = offset + limit
    with store.engine.connect() as conn:
        marker = write_marker(store, conn)
        done = CACHE.get(store, ("result", q, with_facets), marker)
        if done is not None:  # the same page again (reload, back button, a popular query)
            return done
        key = ("search", dataclasses.replace(q, limit=0, offset=0))
        entry: dict[str, Any] = dict(CACHE.get(store, key, marker) or {})
        if "where" not in entry:
            entry["where"] = _filters(store, conn, q)
        where = entry["where"]
        if where is None:
            return SearchResult([], 0, _empty_facets() if with_facets else {})
        ranking: _Ranking | None = entry.get("ranking")
        sample = FACET_SAMPLE if with_facets else 0
        if (
            ranking is None
            or not ranking.complete
            and (len(ranking.rows) < sample or len(_clusters(ranking.rows, q.one_per_cluster)) < want)
        ):
            ranking = entry["ranking"] = _rank(store, conn, q, parsed, where, want, sample)
        if "total" not in entry:
            entry["total"] = ranking.total or _total(store, conn, q, parsed, where, ranking)
        total, exact = entry["total"]
        facets: dict[str, list[tuple[str, int]]] = {}
        facets_sample = None
        if with_facets:
            if "facets" not in entry:
                ids = [r[0] for r in ranking.rows[:FACET_SAMPLE]]
                whole = ranking.complete and len(ranking.rows) <= FACET_SAMPLE
                entry["facets"] = (_facets(store, conn, ids), None if whole else len(ids))
            facets, facets_sample = entry["facets"]
        CACHE.put(store, key, marker, entry)
        picked = _clusters(ranking.rows, q.one_per_cluster)[offset:want]
        if parsed is not None and q.order == "date":
            scores = _scores(store, conn, parsed, [p[0] for p in picked])
            picked = [(i, c, scores.get(i, 0.0)) for i, c, _ in picked]
        hits = _hits(store, conn, picked, parsed)
        result = SearchResult(
            hits=hits, total=total, facets=facets, total_exact=exact, facets_sample=facets_sample
        )
        CACHE.put(store, ("result", q, with_facets), marker, result)
    return result


def source_counts(store: Store) -> dict[str, int]:
    """Articles archived per source (exact: one grouped scan of an index)."""
    with store.engine.connect() as conn:
        return {
            k: int(n) for k, n in conn.execute(sa.select(A.c.source, sa.func.count()).group_by(A.c.source))
        }


def _hits(
    store: Store, conn: Any, picked: list[tuple[int, int, float]], parsed: ParsedQuery | None
) -> list[Hit]:
    if not picked:
        return []
    ids = [p[0] for p in picked]
    rows = {
        r.id: r
        for r in conn.execute(
            sa.select(A.c.id, A.c.title, A.c.url, A.c.source, A.c.published, A.c.lead, A.c.text,
                      A.c.cluster_id, A.c.themes, A.c.relevance).where(A.c.id.in_(ids))
        )
    }  # fmt: skip
    clusters = {p[1] for p in picked}
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    cluster_col = sa.func.coalesce(A.c.cluster_id, A.c.id)
    for cid, aid, source in conn.execute(
        sa.select(cluster_col, A.c.id, A.c.source).where(A.c.cluster_id.in_(clusters) | A.c.id.in_(clusters))
    ):
        members[cid].append((aid, source))
    matcher = Matcher(parsed.keys(), parsed.prefixes()) if parsed else Matcher(())
    hits = []
    for aid, cid, score in picked:
        r = rows[aid]
        body = "\n".join(x for x in (r.lead, r.text) if x)
        others = sorted({s for m_id, s in members.get(cid, []) if m_id != aid and s != r.source})
        hits.append(
            Hit(
                id=aid, title=r.title, url=r.url, source=r.source, published=r.published, lead=r.lead,
                snippet_html=snippet(body or r.title, matcher), score=round(score, 6), cluster_id=r.cluster_id,
                cluster_size=max(1, len(members.get(cid, []))), other_sources=others,
                themes=list(r.themes or []), relevance=float(r.relevance or 0.0),
            )
        )  # fmt: skip
    return hits


def _empty_facets() -> dict[str, list[tuple[str, int]]]:
    return {"sources": [], "organisations": [], "themes": [], "units": [], "periods": []}


def _in_ids(store: Store, col: Any, ids: list[int]) -> Any:
    """``col IN ids`` with the ids as one parameter (a JSON array or an int array), not 1,000."""
    if store.dialect == "sqlite":
        each = sa.func.json_each(sa.bindparam("facet_ids", json.dumps(ids))).table_valued("value")
        return col.in_(sa.select(each.c.value))
    return col == sa.func.any(sa.bindparam("facet_ids", ids, type_=sa.dialects.postgresql.ARRAY(sa.Integer)))


def _facets(store: Store, conn: Any, ids: list[int]) -> dict[str, list[tuple[str, int]]]:
    """Counts of the given articles per source, organisation, theme, figure unit and period."""
    if not ids:
        return _empty_facets()

    def top(stmt: Any) -> list[tuple[str, int]]:
        return [(str(k), int(n)) for k, n in conn.execute(stmt) if k is not None]

    n = sa.func.count()
    out = {
        "sources": top(sa.select(A.c.source, n).where(_in_ids(store, A.c.id, ids))
                       .group_by(A.c.source).order_by(n.desc(), A.c.source).limit(FACET_SIZE)),
    }  # fmt: skip
    m = t.org_mentions
    o = t.organisations
    cnt = sa.func.count(sa.distinct(m.c.article_id))
    out["organisations"] = top(
        sa.select(o.c.name, cnt).select_from(m.join(o, o.c.id == m.c.org_id)).where(_in_ids(store, m.c.article_id, ids))
        .group_by(o.c.name).order_by(cnt.desc(), o.c.name).limit(FACET_SIZE)
    )  # fmt: skip
    fn = sa.func.json_each if store.dialect == "sqlite" else sa.func.json_array_elements_text
    je = fn(A.c.themes).table_valued("value").alias("theme")
    nt = sa.func.count(sa.distinct(A.c.id))
    out["themes"] = top(
        sa.select(je.c.value, nt).select_from(A.join(je, sa.true())).where(_in_ids(store, A.c.id, ids))
        .group_by(je.c.value).order_by(nt.desc(), je.c.value).limit(FACET_SIZE)
    )  # fmt: skip
    fcnt = sa.func.count(sa.distinct(F.c.article_id))
    for name, col in (("units", F.c.unit), ("periods", F.c.period)):
        out[name] = top(
            sa.select(col, fcnt).where(_in_ids(store, F.c.article_id, ids), col.isnot(None))
            .group_by(col).order_by(fcnt.desc(), col).limit(FACET_SIZE)
        )  # fmt: skip
    return out


# -- figures ---------------------------------------------------------------------------
def _figures_of(org_ids: list[int]) -> Any:
    """Ids of the figures whose sentence names one of these organisations (``figure_orgs``, indexed
    by organisation: the figures' JSON lists of names are not read)."""
    fo = t.figure_orgs
    return sa.select(fo.c.figure_id).where(fo.c.org_id.in_(org_ids))


def _figure_row(r: Any) -> FigureRow:
    return FigureRow(
        id=r.id, article_id=r.article_id, published=r.published, source=r.source, title=r.title, url=r.url,
        text=r.text, value=float(r.value), unit=r.unit,
        formatted=format_value(r.value, r.unit, approx=bool(r.approx), qualifier=r.qualifier, range_max=r.range_max),
        approx=bool(r.approx), qualifier=r.qualifier, range_max=r.range_max, period=r.period, metric=r.metric,
        organisations=list(r.organisations or []), sentence=r.sentence, start=r.start, end=r.end,
        sentence_start=r.sentence_start,
    )  # fmt: skip


_FIGURE_COLS = (
    F.c.id, F.c.article_id, A.c.published, A.c.source, A.c.title, A.c.url, F.c.text, F.c.value, F.c.unit,
    F.c.approx, F.c.qualifier, F.c.range_max, F.c.period, F.c.metric, F.c.organisations, F.c.sentence,
    F.c.start, F.c.end, F.c.sentence_start,
)  # fmt: skip


def figures(store: Store, q: FigureQuery) -> FigureResult:
    """Figures matching ``q`` (one row per figure), newest first or largest first."""
    if q.order not in FIGURE_ORDERS:
        raise QueryError(f"unknown order {q.order!r}: use one of {', '.join(FIGURE_ORDERS)}")
    limit, offset = _check_page(q.limit, q.offset)
    parsed = parse(q.text) if q.text and q.text.strip() else None
    with store.engine.connect() as conn:
        where = _figure_conditions(store, q.unit, q.metric, q.min_value, q.max_value, q.period)
        if q.since:
            where.append(A.c.published >= _bound(store, q.since, end=False))
        if q.until:
            where.append(A.c.published < _bound(store, q.until, end=True))
        if q.source:
            where.append(A.c.source == q.source)
        if q.article_id is not None:
            where.append(F.c.article_id == q.article_id)
        if q.org:
            ids = _org_ids(conn, q.org)
            if not ids:
                return FigureResult([], 0)
            where.append(F.c.id.in_(_figures_of(ids)))
        frm: Any = F.join(A, A.c.id == F.c.article_id)
        if parsed is not None:
            where.append(_text_match(store, parsed))
        counted = sa.select(F.c.id).select_from(frm).where(*where).limit(TOTAL_CAP + 1).subquery()
        total = int(conn.execute(sa.select(sa.func.count()).select_from(counted)).scalar() or 0)
        exact = total <= TOTAL_CAP
        total = min(total, TOTAL_CAP)
        if q.order == "value":
            order = [F.c.value.desc(), A.c.published.desc().nulls_last(), F.c.id]
        else:
            order = [A.c.published.desc().nulls_last(), F.c.article_id.desc(), F.c.start, F.c.id]
        # the page's ids first (narrow columns, sorted), then their full rows
        page = list(
            conn.scalars(
                sa.select(F.c.id).select_from(frm).where(*where).order_by(*order).limit(limit).offset(offset)
            )
        )
        rows = (
            {r.id: r for r in conn.execute(sa.select(*_FIGURE_COLS).select_from(frm).where(F.c.id.in_(page)))}
            if page
            else {}
        )
        return FigureResult([_figure_row(rows[i]) for i in page], total, exact)


# -- organisations ---------------------------------------------------------------------
def org_stats(
    store: Store, since: date | None = None, until: date | None = None, top: int | None = None
) -> list[OrgStat]:
    """Organisations by number of articles naming them (then mentions), in the date range."""
    m, o = t.org_mentions, t.organisations
    arts = sa.func.count(sa.distinct(m.c.article_id)).label("articles")
    ments = sa.func.count(m.c.id).label("mentions")
    stmt = (
        sa.select(o.c.id, o.c.name, o.c.kind, ments, arts)
        .select_from(m.join(o, o.c.id == m.c.org_id).join(A, A.c.id == m.c.article_id))
        .group_by(o.c.id, o.c.name, o.c.kind)
        .order_by(arts.desc(), ments.desc(), o.c.name)
    )
    if since:
        stmt = stmt.where(A.c.published >= _bound(store, since, end=False))
    if until:
        stmt = stmt.where(A.c.published < _bound(store, until, end=True))
    if top:
        stmt = stmt.limit(top)
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        aliases = _aliases(conn, [r.id for r in rows])
    return [OrgStat(r.name, r.kind, aliases.get(r.id, []), int(r.mentions), int(r.articles)) for r in rows]


def _aliases(conn: Any, org_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if org_ids:
        rows = conn.execute(
            sa.select(t.org_aliases.c.org_id, t.org_aliases.c.alias, t.organisations.c.name)
            .join(t.organisations, t.organisations.c.id == t.org_aliases.c.org_id)
            .where(t.org_aliases.c.org_id.in_(org_ids)).order_by(t.org_aliases.c.alias)
        )  # fmt: skip
        for oid, alias, name in rows:
            if alias != name:
                out[oid].append(alias)
    return out


def organisation(store: Store, name_or_alias: str) -> OrgDetail | None:
    """One organisation: aliases, articles naming it, its figures over time, mentions per ISO week."""
    o, m = t.organisations, t.org_mentions
    with store.engine.connect() as conn:
        ids = _org_ids(conn, name_or_alias)
        if not ids:
            return None
        org = conn.execute(sa.select(o).where(o.c.id == ids[0])).first()
        n = sa.func.count(m.c.id).label("n")
        arts = conn.execute(
            sa.select(A.c.id, A.c.title, A.c.url, A.c.source, A.c.published, n)
            .join(m, m.c.article_id == A.c.id).where(m.c.org_id == org.id)
            .group_by(A.c.id, A.c.title, A.c.url, A.c.source, A.c.published)
            .order_by(A.c.published.desc().nulls_last(), A.c.id.desc())
        ).all()  # fmt: skip
        weekly: dict[str, int] = defaultdict(int)
        for a in arts:
            if a.published is not None:
                weekly[iso_week(a.published)] += int(a.n)
        figs = conn.execute(
            sa.select(*_FIGURE_COLS).select_from(F.join(A, A.c.id == F.c.article_id))
            .where(F.c.id.in_(_figures_of([org.id])))
            .order_by(A.c.published.asc().nulls_last(), F.c.id)
        ).all()  # fmt: skip
        aliases = _aliases(conn, [org.id]).get(org.id, [])
    return OrgDetail(
        name=org.name, kind=org.kind, acronym=org.acronym, aliases=aliases,
        articles=[ArticleRef(a.id, a.title, a.url, a.source, a.published, int(a.n)) for a in arts],
        figures=[_figure_row(r) for r in figs], weekly_mentions=sorted(weekly.items()),
    )  # fmt: skip


# -- one article -----------------------------------------------------------------------
def article_detail(store: Store, id_or_url: int | str) -> ArticleDetail | None:
    """An article with its figures, organisations and persons, by id or by URL (fetched or canonical)."""
    with store.engine.connect() as conn:
        if isinstance(id_or_url, int) or (isinstance(id_or_url, str) and id_or_url.strip().isdigit()):
            cond = A.c.id == int(id_or_url)
        else:
            u = str(id_or_url).strip()
            cond = (A.c.url == u) | (A.c.canonical_url == u)
        a = conn.execute(sa.select(A).where(cond).limit(1)).mappings().first()
        if a is None:
            return None
        cid = a["cluster_id"] or a["id"]
        members = conn.execute(
            sa.select(A.c.id, A.c.source).where((A.c.cluster_id == cid) | (A.c.id == cid))
        ).all()
        figs = conn.execute(
            sa.select(*_FIGURE_COLS).select_from(F.join(A, A.c.id == F.c.article_id))
            .where(F.c.article_id == a["id"]).order_by(F.c.start, F.c.id)
        ).all()  # fmt: skip
        o, m = t.organisations, t.org_mentions
        orgs: dict[str, dict[str, Any]] = {}
        for name, kind, text in conn.execute(
            sa.select(o.c.name, o.c.kind, m.c.text).join(o, o.c.id == m.c.org_id)
            .where(m.c.article_id == a["id"]).order_by(m.c.start)
        ):  # fmt: skip
            entry = orgs.setdefault(name, {"kind": kind, "count": 0, "forms": []})
            entry["count"] += 1
            if text not in entry["forms"]:
                entry["forms"].append(text)
        p, pm = t.persons, t.person_mentions
        persons: dict[str, PersonMention] = {}
        for name, role, org_name in conn.execute(
            sa.select(p.c.name, pm.c.role, pm.c.organisation).join(p, p.c.id == pm.c.person_id)
            .where(pm.c.article_id == a["id"]).order_by(pm.c.start)
        ):  # fmt: skip
            persons.setdefault(name, PersonMention(name, role, org_name))
    return ArticleDetail(
        id=a["id"], url=a["url"], canonical_url=a["canonical_url"], source=a["source"], title=a["title"],
        lead=a["lead"], text=a["text"], author=a["author"], published=a["published"],
        relevance=float(a["relevance"] or 0), themes=list(a["themes"] or []), matched_terms=list(a["matched_terms"] or []),
        cluster_id=a["cluster_id"], cluster_size=max(1, len(members)),
        other_sources=sorted({s for i, s in members if i != a["id"] and s != a["source"]}),
        figures=[_figure_row(r) for r in figs],
        organisations=[OrgMention(n, e["kind"], e["count"], e["forms"]) for n, e in orgs.items()],
        persons=list(persons.values()),
    )  # fmt: skip
