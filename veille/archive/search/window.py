"""Many searches over one narrow window of article ids at once: what a run of the watches asks
(:mod:`veille.archive.matching`), each watch's search among the articles archived since its last run.

Searched one by one (:func:`search_ids`), each query costs a connection's ping and rollback, its
filters, a planner setting, the text walk and the full-text ranking: 500 watches made some 2,500
round trips. Here a few statements answer every query of the window, however many:

1. the window's articles: id, cluster and place in either order of results (relevance, date);
2. the filters other than the text (dates, sources, themes, organisations, persons, figures): the
   articles each distinct set of filters allows, one ``UNION ALL`` branch each, built by the
   search's own ``_filters`` (organisation and person names looked up once for all);
3. the text, once per distinct text: PostgreSQL reads the GIN index for each text in one
   statement and gives the title/lead ``ts_rank`` of every match; SQLite runs one FTS5 query per
   text (bm25);
4. PostgreSQL: the full-text ``ts_rank`` of the matches the ranking takes again
   (:func:`ranking.pg_candidates`), each article's vector decompressed once for all its texts.

Each query's matches are then put in its order by the ranking's own functions: the same articles
in the same order as :func:`search_ids` of the query with the window as its ``id_after`` and
``id_upto`` (``tests/store/test_watches.py`` compares both ways).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from veille.archive.query import ParsedQuery, QueryError, parse
from veille.archive.search.articles import ORDERS
from veille.archive.search.conditions import (
    DENSE_SET,
    FTS,
    W_RANK,
    A,
    _filters,
    ids_value,
    pg_stems_of,
    prebuilt,
    set_planner,
)
from veille.archive.search.models import SearchQuery
from veille.archive.search.names import org_ids_of, person_ids_of
from veille.archive.search.ranking import (
    _BITMAPS_ONLY,
    RANK_WINDOW,
    Row,
    _clusters,
    _order,
    by_score,
    pg_candidates,
    pg_scores,
)
from veille.archive.store import Store

# the widest window (in ids) searched this way: every set of matches stays small (a wider window
# is searched query by query, where the walks stop early)
WINDOW_MAX = DENSE_SET
BRANCHES = 200  # filter sets per statement (SQLite allows 500 terms in a compound SELECT)
Place = tuple[int, int, int]  # (cluster, place in relevance order, place in date order)


def search_window(
    store: Store, queries: Sequence[SearchQuery], after: int, upto: int
) -> list[list[tuple[int, int]]]:
    """For each query, what ``search_ids`` gives for it over the articles ``after < id <= upto``
    (``(id, cluster)`` in its order, one per cluster unless it asks for every copy); at most
    :data:`WINDOW_MAX` ids wide. Raises :class:`QueryError` for an unknown order or unusable text."""
    if upto <= after:
        return [[] for _ in queries]
    if upto - after > WINDOW_MAX:
        raise ValueError(f"a window of {upto - after} ids: at most {WINDOW_MAX}")
    qs = [dataclasses.replace(q, id_after=after, id_upto=upto) for q in queries]
    for q in qs:
        if q.order not in ORDERS:
            raise QueryError(f"unknown order {q.order!r}: use one of {', '.join(ORDERS)}")
    parsed = [parse(q.text) if q.text and q.text.strip() else None for q in qs]
    with store.engine.connect() as conn:
        places = _places(conn, after, upto)
        allowed = _allowed(store, conn, qs)
        if store.dialect == "postgresql":
            parsed = pg_stems_of(conn, parsed)
        keys = [_text_key(store, p) for p in parsed]
        texts = list(dict.fromkeys(k for k in keys if k is not None))
        found = _text_matches(store, conn, texts, after, upto)
        walks = [
            _walk(q, places, ids, found[k] if k is not None else None)
            for q, ids, k in zip(qs, allowed, keys, strict=True)
        ]
        ranked = _rank_all(store, conn, qs, keys, texts, walks)
    return [
        [(i, c) for i, c, _ in _clusters(rows, q.one_per_cluster)] for q, rows in zip(qs, ranked, strict=True)
    ]


def _text_key(store: Store, parsed: ParsedQuery | None) -> str | None:
    """What the database is asked for the text: the tsquery or FTS5 expression."""
    if parsed is None:
        return None
    return parsed.to_tsquery() if store.dialect == "postgresql" else parsed.to_fts5()


def _places(conn: Any, after: int, upto: int) -> dict[int, Place]:
    return {i: (c, r, d) for i, c, r, d in conn.execute(_window_rows(), {"after": after, "upto": upto})}


@prebuilt
def _window_rows() -> Any:
    """The window's articles, each with its cluster and its place in both orders of results
    (the very ORDER BY of a search without text, or in date order)."""
    by = {o: sa.func.row_number().over(order_by=_order(SearchQuery(order=o))) for o in ("relevance", "date")}
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id)
    window = (A.c.id > sa.bindparam("after"), A.c.id <= sa.bindparam("upto"))
    return sa.select(A.c.id, cluster, by["relevance"], by["date"]).where(*window)


def _filter_key(q: SearchQuery) -> SearchQuery:
    """``q`` without what is not a filter: queries alike here allow the same articles."""
    return dataclasses.replace(q, text="", order="relevance", one_per_cluster=True, limit=20, offset=0,
                               exact_total=False)  # fmt: skip


def _allowed(store: Store, conn: Any, qs: list[SearchQuery]) -> list[set[int]]:
    """For each query, the window's articles its filters other than the text allow."""
    keys = list(dict.fromkeys(_filter_key(q) for q in qs))
    orgs = org_ids_of(conn, list({k.org for k in keys if k.org}))
    persons = person_ids_of(conn, list({k.person for k in keys if k.person}))
    branches: list[sa.Select[Any]] = []
    sets: list[set[int]] = [set() for _ in keys]
    for j, k in enumerate(keys):
        names: dict[str, list[int]] = {}
        if k.org:
            names["org"] = orgs[k.org]
        if k.person:
            names["person"] = persons[k.person]
        where = _filters(store, conn, k, names=names)
        if where is not None:  # None: an organisation or a person the archive does not know
            branches.append(sa.select(sa.literal_column(str(j)), A.c.id).where(*where))
    for start in range(0, len(branches), BRANCHES):
        chunk = branches[start : start + BRANCHES]
        statement: Any = sa.union_all(*chunk) if len(chunk) > 1 else chunk[0]
        rows = conn.execute(statement).all()
        for branch, aid in rows:
            sets[branch].add(aid)
    index = {k: j for j, k in enumerate(keys)}
    return [sets[index[_filter_key(q)]] for q in qs]


def _text_matches(
    store: Store, conn: Any, texts: list[str], after: int, upto: int
) -> dict[str, dict[int, float]]:
    """For each text, the window's articles it matches, with their score: PostgreSQL's ``ts_rank``
    on title and lead, SQLite's bm25 (as the relevance walks give them)."""
    found: dict[str, dict[int, float]] = {k: {} for k in texts}
    if not texts:
        return found
    if store.dialect == "sqlite":
        for k in texts:
            found[k] = dict(conn.execute(_fts_window(), {"fts_query": k, "lo": after + 1, "hi": upto}).all())
        return found
    set_planner(conn, **_BITMAPS_ONLY)  # each text's GIN entries and the window's ids, in bitmaps
    for n, aid, score in conn.execute(_TS_WINDOW, {"texts": texts, "after": after, "upto": upto}):
        found[texts[n - 1]][aid] = score
    return found


@prebuilt
def _fts_window() -> Any:
    match = sa.text("article_fts MATCH :fts_query")
    return sa.select(FTS.c.rowid, -FTS.c.rank).where(
        match, FTS.c.rowid.between(sa.bindparam("lo"), sa.bindparam("hi"))
    )


# PostgreSQL: every text's matches in the window, one bitmap scan each (the GIN index of the
# newest articles, recent_index, with the primary key's range), and their title/lead ts_rank
_TS_WINDOW = sa.text(
    f"SELECT x.n, a.id, ts_rank({W_RANK}, a.search_vector_head, x.tq) "
    "FROM (SELECT n, to_tsquery('veille_fr'::regconfig, q) AS tq "
    "      FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS u(q, n)) AS x "
    "CROSS JOIN LATERAL (SELECT id, search_vector_head FROM articles "
    "                    WHERE search_vector @@ x.tq AND id > :after AND id <= :upto) AS a"
)


def _walk(
    q: SearchQuery, places: dict[int, Place], allowed: set[int], text: dict[int, float] | None
) -> list[Row]:
    """The query's matches as its walk gives them: in its order without text or by date (no
    score), else newest first with the text's score."""
    if text is None or q.order == "date":
        ids = [i for i in allowed if text is None or i in text]
        column = 1 if q.order == "relevance" else 2
        ids.sort(key=lambda i: places[i][column])
        return [(i, places[i][0], 0.0) for i in ids]
    return [(i, places[i][0], text[i]) for i in sorted(allowed & text.keys(), reverse=True)]


def _rank_all(
    store: Store,
    conn: Any,
    qs: list[SearchQuery],
    keys: list[str | None],
    texts: list[str],
    walks: list[list[Row]],
) -> list[list[Row]]:
    """Each query's rows in result order: text searches by relevance sorted by score (PostgreSQL:
    their candidates ranked again on the full text, all in one statement)."""
    heads = {
        n: {r[0]: float(r[2] or 0) for r in walks[n][:RANK_WINDOW]}
        for n, (k, q) in enumerate(zip(keys, qs, strict=True))
        if k is not None and q.order == "relevance"
    }
    if store.dialect == "postgresql":
        at = {k: n for n, k in enumerate(texts)}
        candidates = {n: [(at[keys[n] or ""], i) for i in pg_candidates(h)] for n, h in heads.items()}
        full = _full_ranks(conn, texts, {p for c in candidates.values() for p in c})
        heads = {n: pg_scores(h, ((i, full[t, i]) for t, i in candidates[n])) for n, h in heads.items()}
    return [by_score(w, heads[n]) if n in heads else w for n, w in enumerate(walks)]


def _full_ranks(conn: Any, texts: list[str], pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """PostgreSQL: ``ts_rank`` on the full vector for each (text's index, article)."""
    if not pairs:
        return {}
    ordered = sorted(pairs)
    params = {
        "texts": texts, "ids": ids_value("postgresql", sorted({i for _, i in ordered})),
        "pair_texts": ids_value("postgresql", [n + 1 for n, _ in ordered]),
        "pair_ids": ids_value("postgresql", [i for _, i in ordered]),
    }  # fmt: skip
    return {(n - 1, i): v for n, i, v in conn.execute(_FULL_RANKS, params)}


# PostgreSQL: the ts_rank of (text, article) pairs on the full vectors. "|| ''::tsvector" makes a
# plain copy of each stored vector (the same lexemes and positions): the CTE keeps it decompressed,
# so an article's vector is read from TOAST once, not once per text that ranks it
_FULL_RANKS = sa.text(
    "WITH v AS MATERIALIZED (SELECT id, search_vector || ''::tsvector AS sv FROM articles "
    "                        WHERE id = ANY(CAST(:ids AS int4[]))), "
    "x AS MATERIALIZED (SELECT n, to_tsquery('veille_fr'::regconfig, q) AS tq "
    "                   FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS u(q, n)) "
    f"SELECT p.n, p.id, ts_rank({W_RANK}, v.sv, x.tq) "
    "FROM unnest(CAST(:pair_texts AS int4[]), CAST(:pair_ids AS int4[])) AS p(n, id) "
    "JOIN v ON v.id = p.id JOIN x ON x.n = p.n"
)
