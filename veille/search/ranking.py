"""The order of a text or filtered search, and its capped total: the newest matches ranked
(FTS5 bm25, or PostgreSQL ``ts_rank`` on title and lead then on the full text), syndication
clusters collapsed. See :mod:`veille.search` for the bounds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from veille import search as limits  # TOTAL_CAP, read at call time: the package's value is the one to set
from veille.query import ParsedQuery, Phrase
from veille.search.conditions import (
    FTS,
    W_RANK,
    A,
    _fts_match,
    _in_ids,
    _text_match,
    _text_match_pg,
    _tsquery,
)
from veille.search.models import SearchQuery
from veille.store import Store

CANDIDATES = 200  # PostgreSQL: matches re-ranked on the full text (the rest by title and lead)
RANK_WINDOW = 1_000  # SQLite: text relevance ranks the newest 1,000 matches (all of them when fewer)
TITLE_WEIGHT, LEAD_WEIGHT, TEXT_WEIGHT = 10.0, 3.0, 1.0


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
    cap = max(n, limits.TOTAL_CAP) + 1
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
    if len(matches) > limits.TOTAL_CAP:
        total = (limits.TOTAL_CAP, False)
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


def _total(
    store: Store, conn: Any, q: SearchQuery, parsed: ParsedQuery | None, where: list[Any], ranking: _Ranking
) -> tuple[int, bool]:
    """(total, exact): entries matching, counted up to :data:`TOTAL_CAP` articles."""
    if ranking.complete:
        if len(ranking.rows) > limits.TOTAL_CAP:
            return limits.TOTAL_CAP, False
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
            sa.select(sa.func.count()).select_from(only.limit(limits.TOTAL_CAP + 1).subquery())
        ).scalar()
        if matches > limits.TOTAL_CAP:
            return limits.TOTAL_CAP, False
    cond = [*where, _text_match(store, parsed)] if parsed is not None else where
    if parsed is not None and store.dialect == "postgresql":
        _prefer_gin(conn)
    sub = (
        sa.select(sa.func.coalesce(A.c.cluster_id, A.c.id).label("c"))
        .where(*cond)
        .limit(limits.TOTAL_CAP + 1)
        .subquery()
    )
    clusters, articles = conn.execute(
        sa.select(sa.func.count(sa.distinct(sub.c.c)), sa.func.count()).select_from(sub)
    ).one()
    if articles > limits.TOTAL_CAP:
        return limits.TOTAL_CAP, False
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
