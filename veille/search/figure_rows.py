"""Figure search: :func:`figures` (one row per figure), and the figure rows that organisations
and articles show."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from veille import schema as t
from veille import search as limits  # TOTAL_CAP, read at call time from the package
from veille.formatting import format_value
from veille.query import ParsedQuery, QueryError, parse
from veille.search.conditions import (
    FIGURE_FIELDS,
    FTS,
    A,
    F,
    _bound,
    _check_page,
    _figure_conditions,
    _fts_match,
    _in_ids,
    _org_ids,
    _text_match,
    pg_stems,
    set_planner,
)
from veille.search.models import FigureQuery, FigureResult, FigureRow
from veille.search.ranking import SET_IDS_MAX
from veille.store import Store

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


def _figure_row(r: Any) -> FigureRow:
    return FigureRow(
        id=r.id, article_id=r.article_id, published=r.published, source=r.source, title=r.title, url=r.url,
        text=r.text, value=float(r.value), unit=r.unit,
        formatted=format_value(r.value, r.unit, approx=bool(r.approx), qualifier=r.qualifier, range_max=r.range_max,
                               per=r.per),
        approx=bool(r.approx), qualifier=r.qualifier, range_max=r.range_max, period=r.period, metric=r.metric,
        organisations=list(r.organisations or []), sentence=r.sentence, start=r.start, end=r.end,
        sentence_start=r.sentence_start, indicator=r.indicator, status=r.status or "actual", per=r.per,
    )  # fmt: skip


_FIGURE_COLS = (
    F.c.id, F.c.article_id, A.c.published, A.c.source, A.c.title, A.c.url, F.c.text, F.c.value, F.c.unit,
    F.c.approx, F.c.qualifier, F.c.range_max, F.c.period, F.c.metric, F.c.organisations, F.c.sentence,
    F.c.start, F.c.end, F.c.sentence_start, F.c.indicator, F.c.status, F.c.per,
)  # fmt: skip


def figures(store: Store, q: FigureQuery) -> FigureResult:
    """Figures matching ``q`` (one row per figure), newest first or largest first."""
    limit, offset = _check_page(q.limit, q.offset)
    parsed = _parsed(q)
    with store.engine.connect() as conn:
        walk = _walk(store, conn, q, parsed)
        if walk is None:
            return FigureResult([], 0)
        # one ordered walk gives the page and the capped total: the ids of the first TOTAL_CAP + 1
        # matches (narrow columns), then the full rows of the page only
        head = max(limits.TOTAL_CAP + 1, offset + limit)
        ids = conn.scalars(walk.limit(head)).all()
        page = ids[offset : offset + limit]
        if len(ids) < head:
            total, exact = len(ids), True
        elif q.exact_total:
            counted = walk.order_by(None).subquery()
            total, exact = (
                int(conn.execute(sa.select(sa.func.count()).select_from(counted)).scalar() or 0),
                True,
            )
        else:
            total, exact = limits.TOTAL_CAP, False
        _walked(store, conn, parsed)
        rows = {r.id: r for r in conn.execute(_page_rows(store, page))} if page else {}
        return FigureResult([_figure_row(rows[i]) for i in page], total, exact)


EXPORT_BATCH = 1_000  # full rows read at a time by iter_figures


def iter_figures(store: Store, q: FigureQuery) -> Iterator[FigureRow]:
    """Every figure matching ``q``, in its order (``limit``, ``offset`` and the total's cap do not
    apply): for exports. The ids are read in one ordered walk, then the full rows
    :data:`EXPORT_BATCH` at a time, so memory holds one batch of rows, not the whole export."""
    parsed = _parsed(q)
    with store.engine.connect() as conn:
        walk = _walk(store, conn, q, parsed)
        if walk is None:
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


def _walk(store: Store, conn: Any, q: FigureQuery, parsed: ParsedQuery | None) -> Any:
    """The ids of the figures matching ``q`` in its order, as a SELECT (no limit); None when a
    named organisation is unknown. With text on PostgreSQL, sets the planner for the walk (see
    :func:`_walked`)."""
    where = _figure_conditions(store, *(getattr(q, f) for f in FIGURE_FIELDS))
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
        org_ids = _org_ids(conn, q.org)
        if not org_ids:
            return None
        where.append(_of_orgs(store, conn, org_ids, ordered=bool(q.unit)))
    if parsed is not None:
        if store.dialect == "postgresql":
            parsed = pg_stems(conn, parsed)
            # the articles matching the text read once as a set (GIN index, then hashed), never
            # tested figure by figure: left alone, the planner walks the figures by value and
            # tests each one's article (150 ms for "Tanger", MAD, by value). Ordered index scans
            # stay allowed: the figures' covering indexes are read without their rows (52 ms;
            # with bitmap scans only, which also rule out index-only scans, 90).
            set_planner(conn, seqscan=False, nestloop=False)
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
