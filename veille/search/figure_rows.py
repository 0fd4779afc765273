"""Figure search: :func:`figures` (one row per figure), and the figure rows that organisations
and articles show."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from veille import schema as t
from veille import search as limits  # TOTAL_CAP, read at call time from the package
from veille.formatting import format_value
from veille.query import QueryError, parse
from veille.search.conditions import (
    FIGURE_FIELDS,
    A,
    F,
    _bound,
    _check_page,
    _figure_conditions,
    _org_ids,
    _text_match,
)
from veille.search.models import FigureQuery, FigureResult, FigureRow
from veille.search.ranking import _prefer_gin
from veille.store import Store

FIGURE_ORDERS = ("date", "value")


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
        where = _figure_conditions(store, *(getattr(q, f) for f in FIGURE_FIELDS))
        if q.since:
            where.append(A.c.published >= _bound(store, q.since, end=False))
        if q.until:
            where.append(A.c.published < _bound(store, q.until, end=True))
        if q.source:
            where.append(A.c.source == q.source)
        if q.article_id is not None:
            where.append(F.c.article_id == q.article_id)
        if q.org:
            org_ids = _org_ids(conn, q.org)
            if not org_ids:
                return FigureResult([], 0)
            where.append(F.c.id.in_(_figures_of(org_ids)))
        frm: Any = F.join(A, A.c.id == F.c.article_id)
        if parsed is not None:
            where.append(_text_match(store, parsed))
            if store.dialect == "postgresql":
                _prefer_gin(conn)
        if q.order == "value":
            order = [F.c.value.desc(), A.c.published.desc().nulls_last(), F.c.id]
        else:
            order = [A.c.published.desc().nulls_last(), F.c.article_id.desc(), F.c.start, F.c.id]
        # one ordered walk gives the page and the capped total: the ids of the first TOTAL_CAP + 1
        # matches (narrow columns), then the full rows of the page only
        head = max(limits.TOTAL_CAP + 1, offset + limit)
        ids = conn.scalars(
            sa.select(F.c.id).select_from(frm).where(*where).order_by(*order).limit(head)
        ).all()
        page = ids[offset : offset + limit]
        if len(ids) < head:
            total, exact = len(ids), True
        elif q.exact_total:
            counted = sa.select(F.c.id).select_from(frm).where(*where).subquery()
            total, exact = (
                int(conn.execute(sa.select(sa.func.count()).select_from(counted)).scalar() or 0),
                True,
            )
        else:
            total, exact = limits.TOTAL_CAP, False
        rows = (
            {r.id: r for r in conn.execute(sa.select(*_FIGURE_COLS).select_from(frm).where(F.c.id.in_(page)))}
            if page
            else {}
        )
        return FigureResult([_figure_row(rows[i]) for i in page], total, exact)
