"""Article search: :func:`search` (hits, capped total, facets, snippets; cached per write)
and :func:`source_counts`."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa

from veille.archive import schema as t
from veille.archive.cache import CACHE, write_marker
from veille.archive.fulltext import Matcher, snippet
from veille.archive.query import ParsedQuery, QueryError, parse
from veille.archive.search import limits
from veille.archive.search.conditions import (
    A,
    F,
    _check_page,
    _filters,
    _in_ids_param,
    ids_value,
    pg_stems,
    prebuilt,
)
from veille.archive.search.models import Hit, SearchQuery, SearchResult
from veille.archive.search.ranking import _clusters, _rank, _Ranking, _scores
from veille.archive.store import Store

ORDERS = ("relevance", "date")
FACET_SIZE = 30


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
        done = CACHE.get(store, ("result", q, with_facets), marker, lenient=True)
        if done is not None:  # the same page again (reload, back button, a popular query)
            return done
        key = ("search", dataclasses.replace(q, limit=0, offset=0))
        entry: dict[str, Any] = dict(CACHE.get(store, key, marker) or {})
        # the organisation and person ids of the query, looked up once for the filters and the walk
        names: dict[str, list[int]] = entry.setdefault("names", {})
        if "where" not in entry:
            entry["where"] = _filters(store, conn, q, names=names)
        where = entry["where"]
        if where is None:
            return SearchResult([], 0, _empty_facets() if with_facets else {})
        if parsed is not None and store.dialect == "postgresql":
            parsed = pg_stems(conn, parsed)
        ranking: _Ranking | None = entry.get("ranking")
        sample = limits.FACET_SAMPLE if with_facets else 0
        if (
            ranking is None
            or not ranking.complete
            and (len(ranking.rows) < sample or len(_clusters(ranking.rows, q.one_per_cluster)) < want)
        ):
            ranking = entry["ranking"] = _rank(store, conn, q, parsed, where, want, sample, names)
        total, exact = ranking.total
        facets: dict[str, list[tuple[str, int]]] = {}
        facets_sample = None
        if with_facets:
            if "facets" not in entry:
                ids = [r[0] for r in ranking.rows[: limits.FACET_SAMPLE]]
                whole = ranking.complete and len(ranking.rows) <= limits.FACET_SAMPLE
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


def search_ids(store: Store, q: SearchQuery) -> list[tuple[int, int]]:
    """``(id, cluster)`` of every article ``search(store, q)`` finds, in its order, one per
    cluster unless ``q`` asks for every copy: the same filters and the same walk, without hits,
    snippets, facets or pages (what a watch needs of its window of new articles; ``q``'s limit
    and offset are ignored)."""
    if q.order not in ORDERS:
        raise QueryError(f"unknown order {q.order!r}: use one of {', '.join(ORDERS)}")
    parsed = parse(q.text) if q.text and q.text.strip() else None
    with store.engine.connect() as conn:
        names: dict[str, list[int]] = {}
        where = _filters(store, conn, q, names=names)
        if where is None:
            return []
        if parsed is not None and store.dialect == "postgresql":
            parsed = pg_stems(conn, parsed)
        most = limits.TOTAL_CAP if q.id_after is None or q.id_upto is None else max(1, q.id_upto - q.id_after)
        ranking = _rank(store, conn, q, parsed, where, most + 1, 0, names)
    return [(aid, cluster) for aid, cluster, _ in _clusters(ranking.rows, q.one_per_cluster)]


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
    d = store.dialect
    ids = ids_value(d, [p[0] for p in picked])
    rows = {r.id: r for r in conn.execute(_hit_rows(d), {"facet_ids": ids})}
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cid, aid, source in conn.execute(
        _cluster_members(d), {"facet_ids": ids_value(d, sorted({p[1] for p in picked}))}
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
                themes=list(r.themes or []), relevance=float(r.relevance or 0.0), kind=r.kind or "article",
            )
        )  # fmt: skip
    return hits


def _empty_facets() -> dict[str, list[tuple[str, int]]]:
    return {"sources": [], "organisations": [], "themes": [], "units": [], "periods": []}


def _facets(store: Store, conn: Any, ids: list[int]) -> dict[str, list[tuple[str, int]]]:
    """Counts of the given articles per source, organisation, theme, figure unit and period: three
    narrow reads: the articles' source and themes (counted here), their organisations (counted by the
    database), their figures' units and periods (counted here, once per article)."""
    if not ids:
        return _empty_facets()
    sources: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    param = {"facet_ids": ids_value(store.dialect, ids)}
    # the themes as JSON text, parsed in one go: decoding a thousand small lists one by one (the
    # driver's or the column type's JSON handling) cost more than the query
    rows = conn.execute(_facet_articles(store.dialect), param).all()
    sources.update(source for source, _ in rows)
    for article_themes in json.loads("[" + ",".join(text or "null" for _, text in rows) + "]"):
        themes.update(set(article_themes or ()))
    orgs = Counter(dict(conn.execute(_facet_orgs(store.dialect), param).all()))
    units: Counter[str] = Counter()
    periods: Counter[str] = Counter()
    seen_units: set[tuple[int, str]] = set()
    seen_periods: set[tuple[int, str]] = set()
    for article_id, unit, period in conn.execute(_facet_figures(store.dialect), param).all():
        if unit is not None and (article_id, unit) not in seen_units:
            seen_units.add((article_id, unit))
            units[unit] += 1
        if period is not None and (article_id, period) not in seen_periods:
            seen_periods.add((article_id, period))
            periods[period] += 1
    return {
        "sources": _top(sources), "organisations": _top(orgs), "themes": _top(themes),
        "units": _top(units), "periods": _top(periods),
    }  # fmt: skip


def _top(counts: Counter[str]) -> list[tuple[str, int]]:
    """The :data:`FACET_SIZE` largest counts, most first, then by value."""
    return sorted(((str(k), n) for k, n in counts.items() if k is not None), key=lambda kv: (-kv[1], kv[0]))[
        :FACET_SIZE
    ]


# the statements every search runs, built once per dialect (see veille.archive.search.conditions.prebuilt)


@prebuilt
def _hit_rows(dialect: str) -> Any:
    return sa.select(A.c.id, A.c.title, A.c.url, A.c.source, A.c.published, A.c.lead, A.c.text,
                     A.c.cluster_id, A.c.themes, A.c.relevance, A.c.kind).where(_in_ids_param(dialect, A.c.id))  # fmt: skip


@prebuilt
def _cluster_members(dialect: str) -> Any:
    """(cluster, article, source) of every article of the given clusters."""
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id)
    in_clusters = _in_ids_param(dialect, A.c.cluster_id) | _in_ids_param(dialect, A.c.id)
    return sa.select(cluster, A.c.id, A.c.source).where(in_clusters)


@prebuilt
def _facet_articles(dialect: str) -> Any:
    return sa.select(A.c.source, sa.cast(A.c.themes, sa.Text)).where(_in_ids_param(dialect, A.c.id))


@prebuilt
def _facet_orgs(dialect: str) -> Any:
    m, o = t.org_mentions, t.organisations
    return (
        sa.select(o.c.name, sa.func.count(sa.distinct(m.c.article_id)))
        .select_from(m.join(o, o.c.id == m.c.org_id))
        .where(_in_ids_param(dialect, m.c.article_id))
        .group_by(o.c.name)
    )


@prebuilt
def _facet_figures(dialect: str) -> Any:
    return sa.select(F.c.article_id, F.c.unit, F.c.period).where(_in_ids_param(dialect, F.c.article_id))
