"""The order of a text or filtered search and its total, from one bounded walk over the matches.

A search walks its matches in a cheap order — newest first for a text search ranked by
relevance (FTS5 by descending rowid; PostgreSQL by id, over an id range that widens), or
in the final order otherwise — and stops after :data:`veille.archive.search.TOTAL_CAP` + 1 articles
(more when a deep page or big syndication clusters need them). That one walk gives:

- the ranking: the newest :data:`RANK_WINDOW` text matches sorted by score (FTS5 bm25 with
  the title weighted most, or PostgreSQL ``ts_rank`` on title and lead, the best
  :data:`CANDIDATES` again on the full text); a news archive's best answers to a broad
  query are recent ones;
- the total: exact when the walk ended before the cap, else "more than the cap"
  (``exact_total`` in the query counts every match instead, at the cost of reading them);
- the facet sample: the first results.

So a search reads about a thousand rows whatever the archive's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from veille.archive import recent_index
from veille.archive.query import ParsedQuery
from veille.archive.search import limits  # read at call time: set limits.TOTAL_CAP to change it
from veille.archive.search.conditions import (
    FTS,
    W_RANK,
    A,
    _date_filters,
    _fts_match,
    _id_range,
    _in_ids,
    _in_ids_param,
    _row_filters,
    _set_queries,
    _text_match,
    _text_match_pg,
    _tsquery,
    has_set_filters,
    ids_value,
    planner,
    prebuilt,
    set_planner,
)
from veille.archive.search.figure_dates import figure_date_walk, walks_figures
from veille.archive.search.models import SearchQuery
from veille.archive.store import Store

CANDIDATES = 200  # PostgreSQL: matches re-ranked on the full text (the rest by title and lead)
FIRST_SLICE = 8.0  # PostgreSQL: the first id slice holds this many ids per wanted match
SET_IDS_MAX = 5_000  # PostgreSQL: a filter allowing fewer articles in a slice is read as a list of ids
RANK_WINDOW = 1_000  # text relevance ranks the newest 1,000 matches (all of them when fewer)
TITLE_WEIGHT, LEAD_WEIGHT, TEXT_WEIGHT = 10.0, 3.0, 1.0

Row = tuple[int, int, float]  # (article id, cluster, score)


@dataclass(frozen=True)
class _Ranking:
    rows: list[Row]  # in result order
    complete: bool  # rows hold every match
    total: tuple[int, bool]  # (total, exact)


def _clusters(rows: list[Row], one_per_cluster: bool) -> list[Row]:
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
    names: dict[str, list[int]] | None = None,
) -> _Ranking:
    """The results in order (at least ``want`` entries and ``sample`` articles when there are
    that many) and the total, from one walk over the matches. ``names``: the query's organisation
    and person ids, when already looked up (see ``_set_queries``)."""
    names = {} if names is None else names
    # + a quarter: one entry per syndication cluster needs more articles than entries
    cap = limits.TOTAL_CAP + (limits.TOTAL_CAP // 4 if q.one_per_cluster else 0)
    n = max(cap, sample, want * 2 if q.one_per_cluster else want)
    if parsed is not None and q.order == "relevance":
        n = max(n, RANK_WINDOW)  # the ranking must not depend on the page or the facets
    while True:
        fetched = _walk(store, conn, q, parsed, where, n, names)  # up to n + 1
        complete = len(fetched) <= n
        entries = _entries(fetched, q.one_per_cluster)
        walked = fetched[:n]
        if complete or (entries > limits.TOTAL_CAP and _entries(walked, q.one_per_cluster) >= want):
            break
        n *= 4  # big syndication clusters or a deep page: look further
    if complete:
        total = (entries, True)
    elif q.exact_total:
        total = (_count_all(store, conn, q, parsed, where), True)
    else:
        total = (limits.TOTAL_CAP, False)
    if parsed is None or q.order == "date":
        return _Ranking(_rows(walked), complete, total)
    return _Ranking(_by_score(store, conn, parsed, walked), complete, total)


def _entries(rows: list[tuple[int, int, Any]], one_per_cluster: bool) -> int:
    """How many result entries these rows make."""
    return len({r[1] for r in rows}) if one_per_cluster else len(rows)


def _rows(walked: list[tuple[int, int, Any]]) -> list[Row]:
    return [(w[0], w[1], 0.0) for w in walked]


def _walk(
    store: Store,
    conn: Any,
    q: SearchQuery,
    parsed: ParsedQuery | None,
    where: list[Any],
    n: int,
    names: dict[str, list[int]],
) -> list[tuple[int, int, Any]]:
    """Up to ``n + 1`` matches as (id, cluster, score): in final order, or newest first (by id)
    for a text search ranked by relevance. The relevance walks score here — FTS5 bm25, or
    PostgreSQL ``ts_rank`` on title and lead (re-ranked in :func:`_pg_scores`); elsewhere the
    third column is the id, unused."""
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id).label("cluster")
    if parsed is None and walks_figures(store, q):
        return figure_date_walk(store, conn, q, n, names)
    if parsed is None:
        stmt = sa.select(A.c.id, cluster, A.c.id).where(*where).order_by(*_order(q))
        return [tuple(r) for r in conn.execute(stmt.limit(n + 1)).all()]
    if store.dialect == "postgresql":
        return _walk_pg(store, conn, q, parsed, where, n, names)
    # the ids the date filters allow, as rowid bounds FTS5 applies itself: "since 2025" does not
    # walk the older matches (ids follow the archiving order, close to the publication order)
    in_dates: list[Any] = []
    if not (q.since or q.until) and q.id_after is not None and q.id_upto is not None:
        in_dates = [FTS.c.rowid.between(q.id_after + 1, q.id_upto)]  # a window of ids alone: its own bounds
    elif q.since or q.until or q.id_after is not None or q.id_upto is not None:
        lo, hi = conn.execute(
            sa.select(sa.func.min(A.c.id), sa.func.max(A.c.id)).where(*_date_filters(store, q))
        ).one()
        if hi is None:
            return []
        in_dates = [FTS.c.rowid.between(lo, hi)]
    if q.order == "date":
        # "+id": walk the published index newest first, probing the set of matching ids
        found = sa.select(FTS.c.rowid).where(_fts_match(parsed), *in_dates)
        match = sa.literal_column("+articles.id").in_(found)
        stmt = sa.select(A.c.id, cluster, A.c.id).where(match, *where).order_by(*_order(q))
        return [tuple(r) for r in conn.execute(stmt.limit(n + 1)).all()]
    # FTS5 walks its index by descending rowid and stops at n + 1; bm25 is computed for those rows only
    stmt = (
        sa.select(A.c.id, cluster, (-FTS.c.rank).label("score"))
        .select_from(FTS.join(A, A.c.id == FTS.c.rowid))
        .where(_fts_match(parsed), *in_dates, *where)
        .order_by(FTS.c.rowid.desc())
        .limit(n + 1)
    )
    return [tuple(r) for r in conn.execute(stmt).all()]


def _order(q: SearchQuery) -> list[Any]:
    """Order without text ranking: newest first, or by relevance (the pipeline's score)."""
    if q.order == "date":
        return [A.c.published.desc().nulls_last(), A.c.id.desc()]
    return [A.c.relevance.desc(), A.c.published.desc().nulls_last(), A.c.id.desc()]


def _walk_pg(
    store: Store,
    conn: Any,
    q: SearchQuery,
    parsed: ParsedQuery,
    where: list[Any],
    n: int,
    names: dict[str, list[int]],
) -> list[tuple[int, int, Any]]:
    """PostgreSQL: the GIN index combined (in bitmaps) with slices of the newest ids — or of the
    latest publication dates, for date order — read one after the other, newest first, until
    ``n + 1`` rows match. A bitmap scan is not ordered: without slices it would read every match
    to sort them. The first slice is sized for a common word; the next ones from the density of
    matches seen so far. Id slices are pushed into the filters' subqueries too."""
    # the ids and dates the date filters allow: slices start within them ("since 2024" skips older
    # ids); the same round trip turns to bitmap scans for what follows (see _BITMAPS_ONLY)
    if q.id_after is not None and q.id_upto is not None and not (q.since or q.until or q.order == "date"):
        # a window of ids alone (a watch's new articles) is its own bounds: no aggregate to read,
        # which the bitmaps-only planner would answer by reading every row of the window
        set_planner(conn, **_BITMAPS_ONLY)
        lo_id, hi_id = q.id_after + 1, q.id_upto
        first_day: Any = None
        last_day: Any = None
    else:
        lo_id, hi_id, first_day, last_day, *_ = conn.execute(
            sa.select(sa.func.min(A.c.id), sa.func.max(A.c.id), sa.func.min(A.c.published),
                      sa.func.max(A.c.published), *planner(**_BITMAPS_ONLY)).where(*_date_filters(store, q))
        ).one()  # fmt: skip
    if hi_id is None or hi_id < lo_id:
        return []
    match = _text_match_pg(parsed)
    by_date = q.order == "date"
    rows: list[tuple[int, int, Any]] = []
    cond: list[Any] | None  # None: an id slice with no match (_id_slice)
    recent: int | None | bool = False  # False: not looked up yet
    # exclusive upper end of the next slice (None: the newest). The id bounds of the date filters
    # apply to the first and last slices too: the filters themselves are plain tests on the rows
    # found (_row_filters(plain=True)), so without the bounds those slices would read every match
    # outside the dates and drop it.
    upper: Any = hi_id + 1 if q.until and not by_date else None
    fraction = min(1.0, FIRST_SLICE * (n + 1) / max(1, hi_id - lo_id + 1))
    while True:
        last = fraction >= 1.0 or (by_date and first_day is None)
        if by_date:
            lower = None if last else last_day - (last_day - first_day) * fraction
            rng = [] if lower is None else [A.c.published >= lower]
            if upper is not None:
                before = A.c.published < upper
                rng.append(sa.or_(before, A.c.published.is_(None)) if last else before)
            cond, order = [match, *where, *rng], _order(q)
        else:
            if last:
                lower = lo_id if q.since else None
            else:
                lower = hi_id - int((hi_id - lo_id + 1) * fraction) + 1
            if recent is False:  # the newest articles' GIN index, for the slices a set filter lists
                recent = recent_index.threshold(conn) if has_set_filters(q) else None
            cond = _id_slice(store, conn, q, parsed, (lower, upper), names, recent)
            order = [A.c.id.desc()]
        if cond is not None:
            rows += _slice_rows(conn, cond, order, n + 1 - len(rows), parsed, scored=not by_date)
            if parsed.has_phrase and not by_date:  # _id_slice allowed index scans for this query
                set_planner(conn, indexscan=False)
        if len(rows) > n or last:
            return rows
        # the slice for the rest, from the density seen so far (at least twice as wide)
        wanted = fraction * (n + 1) * 1.3 / len(rows) if rows else fraction * 8
        fraction, upper = max(wanted, fraction * 2), lower


def _slice_rows(
    conn: Any, cond: list[Any], order: list[Any], limit: int, parsed: ParsedQuery, *, scored: bool
) -> list[tuple[int, int, Any]]:
    """(id, cluster, score) of the first ``limit`` matches in a slice; the score (``ts_rank`` on
    title and lead, stored in the row) only for a relevance walk, computed on the kept rows only."""
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id).label("cluster")
    if not scored:
        stmt = sa.select(A.c.id, cluster, A.c.id).where(*cond).order_by(*order).limit(limit)
        return [tuple(r) for r in conn.execute(stmt).all()]
    head: sa.Label[Any] = sa.literal_column("articles.search_vector_head").label("head")
    kept = sa.select(A.c.id, cluster, head).where(*cond).order_by(*order).limit(limit).subquery()
    score = sa.func.ts_rank(sa.literal_column(W_RANK), kept.c.head, _tsquery(parsed))
    stmt = sa.select(kept.c.id, kept.c.cluster, score).order_by(kept.c.id.desc())
    return [tuple(r) for r in conn.execute(stmt).all()]


def _id_slice(
    store: Store,
    conn: Any,
    q: SearchQuery,
    parsed: ParsedQuery,
    ids: tuple[int | None, int | None],
    names: dict[str, list[int]],
    recent: int | None = None,
) -> list[Any] | None:
    """Conditions for the matches in an id slice; None: none there. ``recent``: the lowest id the
    newest articles' GIN index covers (:mod:`veille.archive.recent_index`), if any.

    Plain words: one bitmap query (the GIN index and the slice); the article's own columns are
    tested on the rows found (see ``_row_filters(plain=True)``). Filters on other tables (organisations, persons, figures) are
    read first, as the sets of article ids they allow in the slice, and combined with the GIN
    index in bitmaps; a phrase is looked up as "all its words" in the index (no word positions
    read), then tested as a function call no index answers on those candidates only, walking the
    primary key backwards to the LIMIT. Left to itself, the planner tests ``@@`` row by row on
    whatever a filter names, or every article holding the phrase's words across the archive,
    reading each vector from TOAST."""
    # the article's own columns as plain tests on the rows the GIN index and the slice find
    cond = _row_filters(store, q, plain=True)
    if not parsed.has_phrase and not has_set_filters(q):
        return [_text_match_pg(parsed), *cond, *_id_range(A.c.id, ids)]
    queries = _set_queries(store, conn, q, ids, names)
    if queries is None:
        return None
    allowed: set[int] | None = None
    for sub in queries:
        found = conn.scalars(sub.limit(SET_IDS_MAX + 1)).all()
        if len(found) > SET_IDS_MAX:  # a broad filter: leave it to a semi-join in the query
            cond.append(A.c.id.in_(sub))
            continue
        allowed = set(found) if allowed is None else allowed & set(found)
    if allowed is None:
        cond += _id_range(A.c.id, ids)
    elif not allowed:
        return None
    else:
        # the list lies in the slice: with the slice's bounds as well, the planner takes them for
        # independent conditions, expects a tenth of the rows and tests @@ row by row (reading
        # each vector from TOAST) instead of combining the list with the GIN index
        cond.append(_in_ids(store, A.c.id, sorted(allowed)))
        if recent is not None and ids[0] is not None and ids[0] >= recent:
            # the slice's lower bound alone: the planner then reads the newest articles' GIN
            # index, not every entry of the words across the archive (6,900 instead of 275,000
            # for "croissance" at a million articles)
            cond.append(A.c.id >= ids[0])
    if not parsed.has_phrase:
        return [_text_match_pg(parsed), *cond]
    # the words as a value the planner does not see (a subquery): it expects its default share
    # of matches, not the product of each word's (a phrase's words come together: "zone" &
    # "franche" was expected in 2 articles, found in 3,909), so it combines the GIN index with
    # the slice's ids in bitmaps and reads the rows of the slice's candidates only, not of every
    # article holding the words (32,000 at a million articles)
    words = sa.select(_tsquery(parsed, loose=True)).scalar_subquery()
    loose = sa.literal_column("articles.search_vector").op("@@")(words)
    candidates = conn.scalars(sa.select(A.c.id).where(loose, *cond)).all()
    if not candidates:
        return None
    set_planner(conn, indexscan=True)  # off again after the query (_walk_pg)
    phrase = sa.func.ts_match_vq(sa.literal_column("articles.search_vector"), _tsquery(parsed))
    return [_in_ids(store, A.c.id, candidates), phrase]


def _by_score(store: Store, conn: Any, parsed: ParsedQuery, walked: list[tuple[int, int, Any]]) -> list[Row]:
    """The newest :data:`RANK_WINDOW` walked matches sorted by text score, then the rest by recency."""
    scores = {
        w[0]: float(w[2] or 0) for w in walked[:RANK_WINDOW]
    }  # bm25 (FTS5) or title/lead ts_rank came with the walk
    if store.dialect == "postgresql":
        scores = _pg_scores(store, conn, parsed, scores)
    return by_score(walked, scores)


def by_score(walked: list[tuple[int, int, Any]], scores: dict[int, float]) -> list[Row]:
    """``walked`` (newest first) in result order: its first :data:`RANK_WINDOW` by ``scores``, the
    best first and the newest first among equals, then the rest as walked."""
    window, rest = walked[:RANK_WINDOW], walked[RANK_WINDOW:]
    # (tuples compare faster than a key function)
    ranked = sorted(((scores.get(w[0], 0.0), w[0], w[1]) for w in window), reverse=True)
    return [(i, c, score) for score, i, c in ranked] + [(w[0], w[1], 0.0) for w in rest]


def _pg_scores(store: Store, conn: Any, parsed: ParsedQuery, heads: dict[int, float]) -> dict[int, float]:
    """From the ``ts_rank`` of these articles on title and lead (``heads``), the scores: the best
    :data:`CANDIDATES` ranked again on the full text (read from TOAST); below every one of them,
    the rest keep a fraction of their title/lead score."""
    if not heads:
        return {}
    param = {"ts_query": parsed.to_tsquery(), "facet_ids": ids_value("postgresql", pg_candidates(heads))}
    return pg_scores(heads, conn.execute(_full_rank(), param).all())


def pg_candidates(heads: dict[int, float]) -> list[int]:
    """The :data:`CANDIDATES` articles of best title/lead score (the newest first among equals)."""
    return [i for _, i in sorted(((v, i) for i, v in heads.items()), reverse=True)[:CANDIDATES]]


def pg_scores(heads: dict[int, float], full: Iterable[tuple[int, Any]]) -> dict[int, float]:
    """The scores of :func:`_pg_scores`, from the title/lead scores and the candidates' full ones."""
    scores = {i: v * 1e-3 for i, v in heads.items()}
    scores.update((i, float(v or 0) + 1.0) for i, v in full)  # + 1: above every score of the rest
    return scores


@prebuilt
def _full_rank() -> Any:
    """PostgreSQL: ``ts_rank`` on the full vector of the given articles (built once)."""
    tsq = sa.func.to_tsquery(
        sa.literal_column("'veille_fr'::regconfig"), sa.bindparam("ts_query", type_=sa.Text)
    )
    full = sa.func.ts_rank(sa.literal_column(W_RANK), sa.literal_column("articles.search_vector"), tsq)
    return sa.select(A.c.id, full).where(_in_ids_param("postgresql", A.c.id))


# PostgreSQL, for a text search: bitmap scans only. Left alone, the planner scans the table or
# walks another index and tests ``search_vector @@`` on every row (10-20x slower), instead of
# combining the GIN index with the filters' indexes in bitmaps.
_BITMAPS_ONLY = {"seqscan": False, "indexscan": False}


def _count_all(store: Store, conn: Any, q: SearchQuery, parsed: ParsedQuery | None, where: list[Any]) -> int:
    """Every matching entry counted (``exact_total``): reads every match, so not bounded."""
    cond = [*where, _text_match(store, parsed)] if parsed is not None else list(where)
    if parsed is not None and store.dialect == "postgresql":
        set_planner(conn, **_BITMAPS_ONLY)
    what = (
        sa.func.count(sa.distinct(sa.func.coalesce(A.c.cluster_id, A.c.id)))
        if q.one_per_cluster
        else sa.func.count()
    )
    return int(conn.execute(sa.select(what).select_from(A).where(*cond)).scalar() or 0)


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
        return {i: float(v or 0) for i, v in conn.execute(stmt).all()}
    param = {"ts_query": parsed.to_tsquery(), "facet_ids": ids_value("postgresql", ids)}
    return {i: float(v or 0) for i, v in conn.execute(_full_rank(), param).all()}
