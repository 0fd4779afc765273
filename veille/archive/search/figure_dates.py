"""PostgreSQL: a search without text, by date, with a figure filter of one unit, walked from the
figures' own date order.

Its walk wants the newest articles having such a figure (``unit=MAD org=Medz order=date``).
Walked over the articles, newest first, with a test of the figure (and organisation) filter per
article, it reads every article until enough have one: a figure filter that a twentieth of the
articles meet reads twenty articles per result. Left to itself, the planner instead reads the
articles the filters allow in full (a million index entries, every MAD figure) and sorts them.
The figures carry their article's date (migration 0006, kept in step by the archive) and
PostgreSQL indexes them by unit in the articles' own order (``ix_figures_unit_published``:
unit, ``published DESC NULLS LAST, article_id DESC``): the walk reads the unit's figures in that
order, one row per article, joins each to its article for the other filters and stops at the
page's end. What it reads depends on the page, not on the archive's size.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from veille.archive.search.conditions import (
    FIGURE_FIELDS,
    A,
    F,
    _figure_conditions,
    _filters,
    _set_queries,
    id_window,
)
from veille.archive.search.models import SearchQuery
from veille.archive.store import Store

# the figure filters at their defaults: the walk applies them to the figures, the rest to articles
_NO_FIGURE_FILTER: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(SearchQuery) if f.name in FIGURE_FIELDS
}


def walks_figures(store: Store, q: SearchQuery) -> bool:
    """``q`` is walked from its figures' date order: PostgreSQL, by date, a figure filter of one
    unit (amounts converted from several currencies span several units)."""
    return (
        store.dialect == "postgresql"
        and q.order == "date"
        and bool(q.unit)
        and not (q.unit == "MAD" and q.mad_rates)
    )


def figure_date_walk(
    store: Store, conn: Any, q: SearchQuery, n: int, names: dict[str, list[int]]
) -> list[tuple[int, int, Any]]:
    """Up to ``n + 1`` articles of ``q`` (no text; :func:`walks_figures`) in date order, as
    ``(id, cluster, id)``, as the walk over the articles gives them."""
    # the other filters: the query without its figure filter
    others = dataclasses.replace(q, **_NO_FIGURE_FILTER)
    rows = _filters(store, conn, others, part="rows")
    sets = _set_queries(store, conn, others, None, names)  # organisations, persons
    if rows is None or sets is None:
        return []
    fig = _figure_conditions(store, *(getattr(q, f) for f in FIGURE_FIELDS))
    order = (F.c.published.desc().nulls_last(), F.c.article_id.desc())
    dated = (
        sa.select(F.c.article_id, F.c.published)
        .where(*fig, *id_window(F.c.article_id, q.id_after, q.id_upto))
        .ext(distinct_on(F.c.published, F.c.article_id))  # one row per article, in the index's order
        .order_by(*order)
        .subquery()
    )
    cluster = sa.func.coalesce(A.c.cluster_id, A.c.id)
    stmt = (
        sa.select(A.c.id, cluster, A.c.id)
        .select_from(dated.join(A, A.c.id == dated.c.article_id))
        .where(*rows, *(dated.c.article_id.in_(sub) for sub in sets))
        .order_by(dated.c.published.desc().nulls_last(), dated.c.article_id.desc())
        .limit(n + 1)
    )
    # (the planner walks the index, looking each figure's article and organisations up by key
    # until the page is full, of its own accord: no setting needed)
    return [(r[0], r[1], r[2]) for r in conn.execute(stmt).all()]
