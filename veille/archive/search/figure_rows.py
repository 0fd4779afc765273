"""Figure search: :func:`figures` (one row per figure), and the figure rows that organisations
and articles show."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from veille.archive import schema as t
from veille.archive.query import ParsedQuery, QueryError, parse
from veille.archive.search import limits
from veille.archive.search.conditions import (
    FIGURE_FIELDS,
    FTS,
    A,
    F,
    _bound,
    _check_page,
    _figure_conditions,
    _fts_match,
    _in_ids,
    _in_ids_param,
    _text_match,
    id_window,
    ids_value,
    pg_stems,
    prebuilt,
    set_planner,
)
from veille.archive.search.figure_prefix import broad_text, value_prefix
from veille.archive.search.models import FigureCopy, FigureQuery, FigureResult, FigureRow
from veille.archive.search.names import find_orgs
from veille.archive.search.ranking import SET_IDS_MAX
from veille.archive.store import Store
from veille.core.formatting import format_value

FIGURE_ORDERS = ("date", "value")


def _figures_of(org_ids: list[int]) -> Any:
    """Ids of the figures whose sentence names one of these organisations (``figure_orgs``, indexed
    by organisation: the figures' JSON lists of names are not read)."""
    fo = t.figure_orgs
    return sa.select(fo.c.figure_id).where(fo.c.org_id.in_(org_ids))


_WITH_ARTICLE = F.join(A, A.c.id == F.c.article_id)


def _of_orgs(store: Store, conn: Any, org_ids: list[int], *, ordered: bool) -> Any:
    """The figures naming one of these organisations. PostgreSQL, when the listing walks a unit's
    figures in order (``ordered``): a few are passed as a list of ids (the planner reads them
    from the primary key); many are tested as a hashed set on each figure walked, so the walk
    stops at the page's end — as a plain ``IN`` the planner would make it a join reading every
    figure of the unit (35 ms instead of 11 for an organisation named by 11,000 figures)."""
    sub = _figures_of(org_ids)
    if store.dialect != "postgresql" or not ordered:
        return F.c.id.in_(sub)
    ids = conn.scalars(sub.limit(SET_IDS_MAX + 1)).all()
    if len(ids) <= SET_IDS_MAX:
        return _in_ids(store, F.c.id, sorted(ids))
    # "OR false" keeps the IN a filter: PostgreSQL folds the constant only after it has decided
    # which IN subqueries become joins
    return sa.or_(F.c.id.in_(sub), sa.literal_column("false"))


def _text_matches(store: Store, parsed: Any) -> Any:
    """Ids of the articles matching the text."""
    if store.dialect == "sqlite":
        return sa.select(FTS.c.rowid).where(_fts_match(parsed))
    return sa.select(A.c.id).where(_text_match(store, parsed))


def _page_rows(store: Store, page: Sequence[int]) -> Any:
    """The full rows of a page of figures (the ids as one parameter, not one each)."""
    return sa.select(*_FIGURE_COLS).select_from(_WITH_ARTICLE).where(_in_ids(store, F.c.id, page))


def _figure_row(r: Any, copies: list[FigureCopy] | None = None) -> FigureRow:
    return FigureRow(
        id=r.id, article_id=r.article_id, published=r.published, source=r.source, title=r.title, url=r.url,
        text=r.text, value=float(r.value), unit=r.unit,
        formatted=format_value(r.value, r.unit, approx=bool(r.approx), qualifier=r.qualifier, range_max=r.range_max,
                               per=r.per),
        approx=bool(r.approx), qualifier=r.qualifier, range_max=r.range_max, period=r.period, metric=r.metric,
        organisations=list(r.organisations or []), sentence=r.sentence, start=r.start, end=r.end,
        sentence_start=r.sentence_start, indicator=r.indicator, status=r.status or "actual", per=r.per,
        copies=copies or [], table_index=r.table_index, cell=r.cell, review=r.review,
        reviewed_by=r.reviewed_by, reviewed_at=r.reviewed_at, scope_kind=r.scope_kind, scope=r.scope,
    )  # fmt: skip


_FIGURE_COLS = (
    F.c.id, F.c.article_id, A.c.published, A.c.source, A.c.title, A.c.url, F.c.text, F.c.value, F.c.unit,
    F.c.approx, F.c.qualifier, F.c.range_max, F.c.period, F.c.metric, F.c.organisations, F.c.sentence,
    F.c.start, F.c.end, F.c.sentence_start, F.c.indicator, F.c.status, F.c.per, F.c.table_index, F.c.cell,
    F.c.review, F.c.reviewed_by, F.c.reviewed_at, F.c.scope_kind, F.c.scope,
)  # fmt: skip


def figures_of_articles(store: Store, article_ids: Sequence[int]) -> list[FigureRow]:
    """Every figure of these articles (copies not collapsed), newest article first and in text
    order, as :func:`figures` lists them: one query per 500 articles, not a paged search."""
    ids = sorted(set(article_ids))
    rows: list[Any] = []
    with store.engine.connect() as conn:
        for i in range(0, len(ids), 500):
            q = (
                sa.select(*_FIGURE_COLS)
                .select_from(_WITH_ARTICLE)
                .where(F.c.article_id.in_(ids[i : i + 500]))
            )
            rows += conn.execute(q).all()
    rows.sort(key=lambda r: (r.published is None, -(r.published.timestamp() if r.published else 0),
                             -r.article_id, r.start, r.id))  # fmt: skip
    return [_figure_row(r) for r in rows]


def figures(store: Store, q: FigureQuery) -> FigureResult:
    """Figures matching ``q``, newest first or largest first: one row per figure with
    ``copies=True``, else one row per figure and syndicated story (:func:`_collapse`)."""
    limit, offset = _check_page(q.limit, q.offset)
    parsed = _parsed(q)
    # rows to reach: the page and the capped total (TOTAL_CAP + 1); groups of copies need more
    head = max(limits.TOTAL_CAP + 1, offset + limit)
    with store.engine.connect() as conn:

        def walk_of(need: int | None) -> Any:
            return _walk(store, conn, q, parsed, need)

        walk = walk_of(head if q.copies else head + head // 4)
        if walk is None:
            return FigureResult([], 0)
        if not q.copies:
            return _collapsed_page(store, conn, q, parsed, (walk, walk_of), head, limit, offset)
        # one ordered walk gives the page and the capped total: the ids of the first TOTAL_CAP + 1
        # matches (narrow columns), then the full rows of the page only
        ids = conn.scalars(walk.limit(head)).all()
        page = ids[offset : offset + limit]
        if len(ids) < head:
            total, exact = len(ids), True
        elif q.exact_total:
            counted = walk_of(None).order_by(None).subquery()
            total, exact = (
                int(conn.execute(sa.select(sa.func.count()).select_from(counted)).scalar() or 0),
                True,
            )
        else:
            total, exact = limits.TOTAL_CAP, False
        _walked(store, conn, parsed)
        rows = {r.id: r for r in conn.execute(_page_rows(store, page))} if page else {}
        return FigureResult([_figure_row(rows[i]) for i in page], total, exact)


# Copies of one syndicated story. The walk stays the same ordered walk, one column wider (the
# figure's article: in the figures' covering indexes); the articles' clusters are read from
# their covering index, and only the figures of a story with several articles in the walk are
# read with their value, unit, upper bound and period (by primary key: about one figure in ten).
# Groups keep walk order: a group stands where its first figure stands (its newest copy, by
# date) and shows its earliest article's figure. As the walk stops at TOTAL_CAP + 1 rows, it
# reads a quarter more figures than rows wanted (as the article search does for its clusters),
# and four times more while copies leave it short.

KEY_BATCH = 10_000  # figures (or articles) whose story key is read at a time

_Group = tuple[Any, ...]  # (cluster, value, unit, range_max, period, nth such figure in its article)
_Stories = dict[_Group, list[int]]  # figure ids of each group, in walk order


def _collapsed_page(
    store: Store,
    conn: Any,
    q: FigureQuery,
    parsed: ParsedQuery | None,
    walks: tuple[Any, Callable[[int | None], Any]],
    want: int,
    limit: int,
    offset: int,
) -> FigureResult:
    """``walks``: the walk of the first ``want + want // 4`` figures, and how to make the walk of
    more (or of every one: None); ``want``: the rows (groups) to reach."""
    walk, walk_of = walks
    n = want + want // 4
    while True:
        pairs = _walk_pairs(conn, walk, n)
        _walked(store, conn, parsed)
        groups = _stories(store, conn, pairs)
        complete = len(pairs) < n
        if complete or len(groups) >= want:
            break
        n *= 4  # long runs of copies: walk further
        _walking(store, conn, parsed)
        walk = walk_of(n)
    if complete and len(groups) < want:
        total, exact = len(groups), True
    elif q.exact_total:
        if not complete:
            _walking(store, conn, parsed)
            walk = walk_of(None)
            pairs = _walk_pairs(conn, walk)
            _walked(store, conn, parsed)
            groups, complete = _stories(store, conn, pairs), True
        total, exact = len(groups), True
    else:  # the same contract as without copies: "more than TOTAL_CAP"
        total, exact = limits.TOTAL_CAP, False
    page = list(groups.items())[offset : offset + limit]
    if not complete and page:  # copies beyond the walk's end: the page's stories read whole
        page = _whole(store, conn, walk, page, dict(pairs))
    return FigureResult(_collapsed_rows(store, conn, [members for _, members in page]), total, exact)


def _walking(store: Store, conn: Any, parsed: ParsedQuery | None) -> None:
    """Before walking again: the walk's planner settings (see :func:`_walk`)."""
    if parsed is not None and store.dialect == "postgresql":
        set_planner(conn, seqscan=False, nestloop=False)


def _walk_pairs(conn: Any, walk: Any, n: int | None = None) -> list[tuple[int, int]]:
    """(figure, article) of the walk's first ``n`` figures (all of them: None)."""
    stmt = walk.add_columns(F.c.article_id)
    return [(r[0], r[1]) for r in conn.execute(stmt if n is None else stmt.limit(n))]


@prebuilt
def _cluster_rows(dialect: str) -> Any:
    """(article, cluster) of the given articles that copy an earlier one: a cluster's head (its
    own cluster) and an article of none are not sent back."""
    return sa.select(A.c.id, A.c.cluster_id).where(_in_ids_param(dialect, A.c.id), A.c.cluster_id != A.c.id)


@prebuilt
def _key_rows(dialect: str) -> Any:
    cols = (F.c.id, F.c.value, F.c.unit, F.c.range_max, F.c.period)
    return sa.select(*cols).where(_in_ids_param(dialect, F.c.id))


def _batched(store: Store, conn: Any, stmt: Any, ids: Sequence[int]) -> Iterator[Any]:
    for i in range(0, len(ids), KEY_BATCH):
        yield from conn.execute(stmt, {"facet_ids": ids_value(store.dialect, ids[i : i + KEY_BATCH])})


def _stories(store: Store, conn: Any, pairs: Sequence[tuple[int, int]]) -> _Stories:
    """The figures grouped by story (their article's cluster, value, unit, upper bound and
    period), groups in order of their first figure. A figure written twice in one article
    ("18 milliards" in the lead and the body) is two rows: the n-th one of an article goes with
    the n-th one of its copies. A figure whose story has no other article among ``pairs`` is a
    group of its own, its key not read."""
    walked = sorted({a for _, a in pairs})
    cluster = {a: a for a in walked}
    cluster.update(_batched(store, conn, _cluster_rows(store.dialect), walked))
    articles: dict[int, set[int]] = {}
    for a, c in cluster.items():
        articles.setdefault(c, set()).add(a)
    shared = [f for f, a in pairs if len(articles[cluster[a]]) > 1]
    keys = {r[0]: tuple(r[1:]) for r in _batched(store, conn, _key_rows(store.dialect), shared)}
    groups: _Stories = {}
    nth: dict[tuple[Any, ...], int] = {}
    for f, a in pairs:
        k = keys.get(f)
        if k is None:
            groups[(-f,)] = [f]  # its own story (or deleted since the walk)
            continue
        same = (a, *k)
        j = nth[same] = nth.get(same, -1) + 1
        groups.setdefault((cluster[a], *k, j), []).append(f)
    return groups


def _whole(
    store: Store, conn: Any, walk: Any, page: list[tuple[_Group, list[int]]], article_of: dict[int, int]
) -> list[tuple[_Group, list[int]]]:
    """The page's groups with every matching copy, also those the capped walk did not reach:
    the stories whose articles are not all in their group (few: copies are published close
    together) are walked again over their articles only."""
    firsts = [article_of[members[0]] for _, members in page]
    cluster = {a: a for a in firsts}
    cluster.update(_batched(store, conn, _cluster_rows(store.dialect), sorted(set(firsts))))
    clusters = sorted(set(cluster.values()))
    articles: dict[int, set[int]] = {}
    for c, a in conn.execute(
        sa.select(sa.func.coalesce(A.c.cluster_id, A.c.id), A.c.id).where(
            _in_ids(store, A.c.cluster_id, clusters) | _in_ids(store, A.c.id, clusters)
        )
    ):
        articles.setdefault(c, set()).add(a)
    open_ = {
        i
        for i, ((_, members), first) in enumerate(zip(page, firsts, strict=True))
        if articles.get(cluster[first], set()) - {article_of[f] for f in members}
    }
    if not open_:
        return page
    wanted = sorted(set().union(*(articles[cluster[firsts[i]]] for i in open_)))
    regrouped = _stories(store, conn, _walk_pairs(conn, walk.where(_in_ids(store, F.c.article_id, wanted))))
    group_of = {f: members for members in regrouped.values() for f in members}
    return [
        (g, group_of.get(members[0], members) if i in open_ else members)
        for i, (g, members) in enumerate(page)
    ]


def _collapsed_rows(store: Store, conn: Any, groups: list[list[int]]) -> list[FigureRow]:
    """One row per group: its earliest article's figure (then the smallest article id: the
    cluster's head), the others as its copies, earliest first."""
    ids = [f for members in groups for f in members]
    rows = {r.id: r for r in conn.execute(_page_rows(store, ids))} if ids else {}
    out = []
    for members in groups:
        found = sorted(
            (rows[f] for f in members if f in rows),
            key=lambda r: (
                r.published is None,
                r.published.timestamp() if r.published else 0,
                r.article_id,
                r.id,
            ),
        )
        if not found:  # deleted since the walk
            continue
        first, *others = found
        out.append(
            _figure_row(first, [FigureCopy(r.article_id, r.source, r.url, r.published) for r in others])
        )
    return out


EXPORT_BATCH = 1_000  # full rows read at a time by iter_figures


def iter_figures(store: Store, q: FigureQuery) -> Iterator[FigureRow]:
    """Every figure matching ``q``, in its order (``limit``, ``offset`` and the total's cap do not
    apply): for exports; copies collapsed as by :func:`figures` unless ``q.copies``. The ids are
    read in one ordered walk, then the full rows :data:`EXPORT_BATCH` at a time, so memory holds
    one batch of rows, not the whole export."""
    parsed = _parsed(q)
    with store.engine.connect() as conn:
        walk = _walk(store, conn, q, parsed)
        if walk is None:
            return
        if not q.copies:
            pairs = _walk_pairs(conn, walk)
            _walked(store, conn, parsed)
            groups = list(_stories(store, conn, pairs).values())
            for i in range(0, len(groups), EXPORT_BATCH):
                yield from _collapsed_rows(store, conn, groups[i : i + EXPORT_BATCH])
            return
        ids = conn.scalars(walk).all()
        _walked(store, conn, parsed)
        for i in range(0, len(ids), EXPORT_BATCH):
            page = ids[i : i + EXPORT_BATCH]
            rows = {r.id: r for r in conn.execute(_page_rows(store, page))}
            yield from (_figure_row(rows[fid]) for fid in page)


def _parsed(q: FigureQuery) -> ParsedQuery | None:
    if q.order not in FIGURE_ORDERS:
        raise QueryError(f"unknown order {q.order!r}: use one of {', '.join(FIGURE_ORDERS)}")
    return parse(q.text) if q.text and q.text.strip() else None


def _walk(
    store: Store, conn: Any, q: FigureQuery, parsed: ParsedQuery | None, need: int | None = None
) -> Any:
    """The ids of the figures matching ``q`` in its order, as a SELECT (no limit); None when a
    named organisation is unknown. With text on PostgreSQL, sets the planner for the walk (see
    :func:`_walked`). ``need``: only the first ``need`` figures are read (or all when fewer
    match): by value with a broad text on PostgreSQL, the walk is bounded to a prefix of the
    value order that holds them (:mod:`veille.archive.search.figure_prefix`)."""
    where = _figure_conditions(store, *(getattr(q, f) for f in FIGURE_FIELDS))
    where += id_window(F.c.article_id, q.id_after, q.id_upto)
    # the figures' own copy of the publication date (migration 0006): no join to sort or filter
    if q.since:
        where.append(F.c.published >= _bound(store, q.since, end=False))
    if q.until:
        where.append(F.c.published < _bound(store, q.until, end=True))
    frm: Any = F
    if q.source:
        frm = _WITH_ARTICLE
        where.append(A.c.source == q.source)
    if q.article_id is not None:
        where.append(F.c.article_id == q.article_id)
    if q.org:
        org_ids = find_orgs(conn, q.org)
        if not org_ids:
            return None
        where.append(_of_orgs(store, conn, org_ids, ordered=bool(q.unit)))
    if parsed is not None:
        pg = store.dialect == "postgresql"
        if pg:
            parsed = pg_stems(conn, parsed)
            # the articles matching the text read once as a set (GIN index, then hashed), never
            # tested figure by figure: left alone, the planner walks the figures by value and
            # tests each one's article (150 ms for "Tanger", MAD, by value). Ordered index scans
            # stay allowed: the figures' covering indexes are read without their rows (52 ms;
            # with bitmap scans only, which also rule out index-only scans, 90).
            set_planner(conn, seqscan=False, nestloop=False)
        share = broad_text(conn, parsed) if need is not None and q.order == "value" and pg else None
        if share is not None:
            where += value_prefix(store, conn, frm, where, parsed, need or 0, share)
        else:
            where.append(F.c.article_id.in_(_text_matches(store, parsed)))
    if q.order == "value":
        order = [F.c.value.desc(), F.c.published.desc().nulls_last(), F.c.id]
    else:
        order = [F.c.published.desc().nulls_last(), F.c.article_id.desc(), F.c.start, F.c.id]
    return sa.select(F.c.id).select_from(frm).where(*where).order_by(*order)


def _walked(store: Store, conn: Any, parsed: ParsedQuery | None) -> None:
    """After the walk: the planner's defaults again for the full rows (figures joined to their
    articles by key)."""
    if parsed is not None and store.dialect == "postgresql":
        set_planner(conn, seqscan=True, nestloop=True)
