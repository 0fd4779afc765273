"""What the indicator series read of the archive: every figure with an indicator and a period,
with its article (outlet, date, address, title, syndication cluster) and whether it is official
(attributed to an organisation of an official kind, or published by an official source).
:func:`series` hands them to the pure consolidation rule (:func:`veille.core.series.consolidate`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import and_, func, literal, select

from veille.archive import schema as t
from veille.archive.store import Store
from veille.core.folding import fold
from veille.core.series import Citation, Point, Rates, consolidate, period_years


@dataclass(frozen=True)
class SeriesQuery:
    """Which points: an indicator key, statuses (any), a scope kind and/or name, and the years
    a point's period must lie within (a span 2014-2018 lies within 2014..2018)."""

    indicator: str | None = None
    statuses: tuple[str, ...] = ()
    scope_kind: str | None = None
    scope: str | None = None
    year_from: int | None = None
    year_to: int | None = None


def citations(
    store: Store,
    q: SeriesQuery,
    *,
    default_country: str,
    official_kinds: Collection[str] = (),
    official_sources: Collection[str] = (),
) -> Iterator[Citation]:
    """The figures of the query's points, oldest article first. A figure extracted before
    scopes existed is read as the default country's."""
    f, a, o = t.figures, t.articles, t.organisations
    kind = func.coalesce(f.c.scope_kind, literal("country"))
    name = func.coalesce(f.c.scope, literal(default_country))
    year = func.substr(f.c.period, 1, 4)
    stmt = (
        select(
            f.c.id,
            f.c.article_id,
            f.c.text,
            f.c.sentence,
            f.c.value,
            f.c.unit,
            f.c.range_max,
            f.c.approx,
            f.c.qualifier,
            f.c.period,
            f.c.indicator,
            f.c.status,
            f.c.per,
            f.c.attributed_to,
            kind.label("scope_kind"),
            name.label("scope"),
            a.c.source,
            a.c.published,
            a.c.url,
            a.c.title,
            a.c.cluster_id,
            o.c.kind.label("attributed_kind"),
        )  # fmt: skip
        .select_from(f.join(a, a.c.id == f.c.article_id).outerjoin(o, o.c.name == f.c.attributed_to))
        .where(f.c.indicator.is_not(None), f.c.period.is_not(None))
    )
    if q.indicator:
        stmt = stmt.where(f.c.indicator == q.indicator)
    if q.statuses:
        stmt = stmt.where(f.c.status.in_(q.statuses))
    if q.scope_kind:
        stmt = stmt.where(kind == q.scope_kind)
    if q.year_from is not None:
        stmt = stmt.where(year >= f"{q.year_from:04d}")
    if q.year_to is not None:
        stmt = stmt.where(and_(year <= f"{q.year_to:04d}"))
    wanted = fold(q.scope) if q.scope else None
    with store.engine.connect() as conn:
        for r in conn.execute(stmt.order_by(a.c.published, f.c.id)):
            if wanted is not None and fold(r.scope) != wanted:
                continue
            years = period_years(r.period)
            if years is not None and q.year_to is not None and years[1] > q.year_to:
                continue  # a span that ends after the range
            yield Citation(
                figure_id=r.id, article_id=r.article_id, story=r.cluster_id or r.article_id, source=r.source,
                published=r.published, url=r.url, title=r.title, sentence=r.sentence, text=r.text,
                value=r.value, unit=r.unit, period=r.period, indicator=r.indicator, status=r.status,
                scope_kind=r.scope_kind, scope=r.scope, range_max=r.range_max, approx=bool(r.approx),
                qualifier=r.qualifier, per=r.per, attributed_to=r.attributed_to,
                official=r.attributed_kind in official_kinds or r.source in official_sources,
            )  # fmt: skip


def series(
    store: Store,
    q: SeriesQuery,
    *,
    rates: Rates,
    default_country: str,
    official_kinds: Collection[str] = (),
    official_sources: Collection[str] = (),
) -> list[Point]:
    """The points of the query (see :mod:`veille.core.series` for the rule)."""
    found = citations(
        store,
        q,
        default_country=default_country,
        official_kinds=official_kinds,
        official_sources=official_sources,
    )
    return consolidate(found, rates)
