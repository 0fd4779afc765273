"""What the indicator series read of the archive: the figures with an indicator and a period,
with their article (outlet, date, address, title, syndication cluster) and whether they are
official (attributed to an organisation of an official kind, or published by an official
source), handed to the pure consolidation rule (:mod:`veille.core.series`).

Two reads of the same figures under the same filters: :func:`said` groups them in the database
(one row per value said for a point, with its stories), which is all the rule needs to choose
the values and flag the conflicts, whatever the number of figures; :func:`citations` reads them
one by one, with their sentences, for the points whose citations are shown. Both give the same
points (a test checks). The grouped read is kept until the archive's next write
(:mod:`veille.archive.cache`); every point of the archive is :mod:`veille.archive.overview`'s.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Boolean, String, and_, case, cast, extract, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from veille.archive import schema as t
from veille.archive.cache import CACHE, write_marker
from veille.archive.store import Store
from veille.core.folding import fold
from veille.core.series import (
    FOREIGN,
    MONEY,
    Citation,
    Point,
    Said,
    SeriesRule,
    consolidate,
    consolidate_said,
    marked,
    period_years,
    target_progress,
)


@dataclass(frozen=True)
class SeriesQuery:
    """Which points: an indicator key, statuses (any), a scope kind and/or name (accents and
    case ignored), a unit (``MAD`` for every currency), a grain (year, half, quarter, span), one
    period, a ``per`` ("" for none), and the years a point's period must lie within (a span
    2014-2018 lies within 2014..2018)."""

    indicator: str | None = None
    statuses: tuple[str, ...] = ()
    scope_kind: str | None = None
    scope: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    unit: str | None = None
    grain: str | None = None
    period: str | None = None
    per: str | None = None
    exact_scope: bool = False  # the scope is a stored name, as a point has it: no folded match


@dataclass(frozen=True)
class ScopeCount:
    """A scope an indicator's figures are about, and how many figures are."""

    kind: str
    name: str
    figures: int


def _kind() -> ColumnElement[Any]:
    return func.coalesce(t.figures.c.scope_kind, literal("country"))


def _name(rule: SeriesRule) -> ColumnElement[Any]:
    return func.coalesce(t.figures.c.scope, literal(rule.default_country))


def _official(rule: SeriesRule) -> ColumnElement[Any]:
    kinds, sources = sorted(rule.official_kinds), sorted(rule.official_sources)
    return case(
        (or_(t.organisations.c.kind.in_(kinds), t.articles.c.source.in_(sources)), literal(True)),
        else_=literal(False),
    )


_GRAINS = {
    "year": lambda p: func.length(p) == 4,
    "quarter": lambda p: p.like("%-Q_"),
    "half": lambda p: p.like("%-H_"),
    "span": lambda p: p.like("____-____"),
    # "2025-09" (7 characters, as "2025-Q1" and "2025-H1") or "2025-01..09"
    "months": lambda p: or_(
        and_(func.length(p) == 7, p.not_like("%-Q_"), p.not_like("%-H_")), p.like("____-__..__")
    ),
}


def scopes(store: Store, rule: SeriesRule, indicator: str | None = None) -> list[ScopeCount]:
    """The scopes of the figures with a period (of one indicator), most figures first."""
    f = t.figures
    kind, name = _kind().label("kind"), _name(rule).label("name")
    inner = select(kind, name).where(f.c.indicator.is_not(None), f.c.period.is_not(None))
    if indicator:
        inner = inner.where(f.c.indicator == indicator)
    sub = inner.subquery()
    stmt = select(sub.c.kind, sub.c.name, func.count().label("n")).group_by(sub.c.kind, sub.c.name)

    def read() -> list[ScopeCount]:
        rows = conn.execute(stmt).all()
        return sorted(
            (ScopeCount(r.kind, r.name, r.n) for r in rows), key=lambda s: (-s.figures, s.kind, s.name)
        )

    with store.engine.connect() as conn:
        key = ("series-scopes", indicator, rule.default_country)
        return list(CACHE.get_or_put(store, key, write_marker(store, conn), read))


def _scope_names(store: Store, q: SeriesQuery, rule: SeriesRule) -> tuple[str, ...] | None:
    """The stored names the query's scope stands for (its folded form); None: any scope."""
    if not q.scope:
        return None
    if q.exact_scope:
        return (q.scope,)
    wanted = fold(q.scope)
    return tuple(
        sorted(
            {
                s.name
                for s in scopes(store, rule, q.indicator)
                if fold(s.name) == wanted and (q.scope_kind is None or s.kind == q.scope_kind)
            }
        )
    )


def _conditions(q: SeriesQuery, rule: SeriesRule, names: tuple[str, ...] | None) -> list[ColumnElement[Any]]:
    f = t.figures
    conds: list[ColumnElement[Any]] = [f.c.indicator.is_not(None), f.c.period.is_not(None)]
    if q.indicator:
        conds.append(f.c.indicator == q.indicator)
    if q.statuses:
        conds.append(f.c.status.in_(q.statuses))
    # a figure read before scopes existed (kind and name None) is the default country's
    kinds = [f.c.scope_kind == q.scope_kind] if q.scope_kind else []
    if q.scope_kind == "country":
        kinds.append(f.c.scope_kind.is_(None))
    named = [f.c.scope.in_(names)] if names is not None else []
    if names is not None and rule.default_country in names:
        named.append(f.c.scope.is_(None))
    rest = _other_conditions(q)
    if q.exact_scope and len(kinds) * len(named) > 1:
        # one point's scope: each way of writing it a whole condition of its own, so that the
        # database reads each from the series' index instead of filtering the indicator's figures
        both = [and_(kind, name, *conds, *rest) for kind in kinds for name in named]
        return [or_(*both)]
    conds += [or_(*kinds)] if kinds else []
    conds += [or_(*named)] if named else []
    return conds + rest


def _other_conditions(q: SeriesQuery) -> list[ColumnElement[Any]]:
    """The query's conditions besides the indicator, the statuses and the scope."""
    f = t.figures
    conds: list[ColumnElement[Any]] = []
    if q.unit:
        conds.append(f.c.unit.in_(MONEY) if q.unit in MONEY else f.c.unit == q.unit)
    if q.grain:
        conds.append(_GRAINS[q.grain](f.c.period))
    if q.period:
        conds.append(f.c.period == q.period)
    if q.per is not None:
        conds.append(f.c.per == q.per if q.per else f.c.per.is_(None))
    year = func.substr(f.c.period, 1, 4)
    if q.year_from is not None:
        conds.append(year >= f"{q.year_from:04d}")
    if q.year_to is not None:
        conds.append(year <= f"{q.year_to:04d}")
    return conds


def _within(period: str, q: SeriesQuery) -> bool:
    """A span that ends after the query's last year is not within it."""
    years = period_years(period)
    return not (years is not None and q.year_to is not None and years[1] > q.year_to)


def _joined() -> Any:
    f, a, o = t.figures, t.articles, t.organisations
    return f.join(a, a.c.id == f.c.article_id).outerjoin(o, o.c.name == f.c.attributed_to)


def said(store: Store, q: SeriesQuery, rule: SeriesRule) -> list[Said]:
    """What is said for the query's points, grouped in the database: one row per point, value,
    unit, upper bound, approximation and officialness (and publication year for EUR and USD),
    with its distinct stories (the database lists a story once per copy; the set keeps one). Kept
    until the archive's next write."""
    key = ("series-said", q, rule.default_country, rule.official_kinds, rule.official_sources)
    names = _scope_names(store, q, rule)
    if names == ():
        return []
    with store.engine.connect() as conn:
        return list(
            CACHE.get_or_put(
                store, key, write_marker(store, conn), lambda: _said(conn, store, q, rule, names)
            )
        )


def _said(
    conn: Any, store: Store, q: SeriesQuery, rule: SeriesRule, names: tuple[str, ...] | None
) -> list[Said]:
    f, a = t.figures, t.articles
    inner = (
        select(
            f.c.indicator,
            f.c.status,
            _kind().label("scope_kind"),
            _name(rule).label("scope"),
            f.c.period,
            f.c.unit,
            f.c.per,
            f.c.value,
            f.c.range_max,
            func.coalesce(f.c.approx, False).label("approx"),
            _official(rule).label("official"),
            func.coalesce(a.c.cluster_id, a.c.id).label("story"),
            f.c.published,
            case((f.c.unit.in_(FOREIGN), extract("year", f.c.published)), else_=None).label("foreign_year"),
        )  # fmt: skip
        .select_from(_joined())
        .where(*_conditions(q, rule, names))
        .subquery()
    )
    sub = inner.c
    group = (sub.indicator, sub.status, sub.scope_kind, sub.scope, sub.period, sub.unit, sub.per, sub.value,
             sub.range_max, sub.approx, sub.official, sub.foreign_year)  # fmt: skip
    if store.dialect == "sqlite":
        stories = func.group_concat(sub.story)  # copies repeat a story: a set below
    else:
        stories = func.string_agg(cast(sub.story, String), literal(","))
    stmt = select(
        *group, stories.label("stories"), func.count().label("n"), func.max(sub.published).label("latest")
    )
    out = []
    for r in conn.execute(stmt.group_by(*group)):
        if not _within(r.period, q):
            continue
        out.append(
            Said(
                indicator=r.indicator,
                status=r.status,
                scope_kind=r.scope_kind,
                scope=r.scope,
                period=r.period,
                unit=r.unit,
                per=r.per,
                value=r.value,
                range_max=r.range_max,
                approx=bool(r.approx),
                official=bool(r.official),
                stories=frozenset(int(s) for s in str(r.stories).split(",")),
                citations=r.n,
                latest=r.latest,
                published_year=int(r.foreign_year) if r.foreign_year is not None else None,
            )  # fmt: skip
        )
    return out


def citations(
    store: Store,
    q: SeriesQuery,
    rule: SeriesRule,
    *,
    values: Collection[float] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[Citation]:
    """The figures of the query's points one by one, with their sentences, oldest article first
    (only those of ``values`` as stored, when given; ``limit`` of them from ``offset``). A figure
    extracted before scopes existed is read as the default country's."""
    f = t.figures
    names = _scope_names(store, q, rule)
    if names == () or values == ():
        return
    stmt = _citation_select(rule)
    conds = _conditions(q, rule, names)
    if values is not None:
        conds.append(f.c.value.in_(sorted(values)))
    if limit is None and not offset:
        stmt = stmt.where(*conds)
    else:  # the page's ids from the index first: the other figures' rows (their sentences) are not read
        page = select(f.c.id).where(*conds).order_by(f.c.published, f.c.id).offset(offset).limit(limit)
        stmt = stmt.where(f.c.id.in_(page.scalar_subquery()))
    with store.engine.connect() as conn:
        for r in conn.execute(stmt):
            if _within(r.period, q):
                yield _citation(r)


def _citation_select(rule: SeriesRule) -> Any:
    """The columns of a citation, oldest article first (its conditions to be added)."""
    f, a = t.figures, t.articles
    return (
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
            _kind().label("scope_kind"),
            _name(rule).label("scope"),
            a.c.source,
            a.c.published,
            a.c.url,
            a.c.title,
            a.c.cluster_id,
            cast(_official(rule), Boolean).label("official"),
        )  # fmt: skip
        .select_from(_joined())
        .order_by(f.c.published, f.c.id)
    )


def _citation(r: Any) -> Citation:
    return Citation(
        figure_id=r.id, article_id=r.article_id, story=r.cluster_id or r.article_id, source=r.source,
        published=r.published, url=r.url, title=r.title, sentence=r.sentence, text=r.text,
        value=r.value, unit=r.unit, period=r.period, indicator=r.indicator, status=r.status,
        scope_kind=r.scope_kind, scope=r.scope, range_max=r.range_max, approx=bool(r.approx),
        qualifier=r.qualifier, per=r.per, attributed_to=r.attributed_to, official=bool(r.official),
    )  # fmt: skip


def series(store: Store, q: SeriesQuery, rule: SeriesRule, *, with_citations: bool = False) -> list[Point]:
    """The points of the query (see :mod:`veille.core.series` for the rule), each target with its
    progress against the actual series (read for it when the query asks for targets only);
    ``with_citations``: each point with its citations (read one by one: slower)."""
    wide = q
    if q.statuses and "target" in q.statuses and "actual" not in q.statuses:
        wide = replace(q, statuses=(*q.statuses, "actual"))
    if with_citations:
        points = consolidate(citations(store, wide, rule), rule)
    else:
        points = consolidate_said(said(store, wide, rule), rule)
    return [p for p in points if not q.statuses or p.status in q.statuses]


def point(
    store: Store, key: Sequence[str], rule: SeriesRule, *, limit: int | None = None, offset: int = 0
) -> Point | None:
    """One point by its key (indicator, status, scope kind, scope, period, unit, per: "" for
    none), with its citations (``limit`` of them from ``offset``, oldest first; its
    ``citations_count`` says how many in all), a target with its progress; None when the archive
    has no such point."""
    indicator, status, scope_kind, scope, period, unit, per = key
    q = SeriesQuery(indicator=indicator, statuses=(status,), scope_kind=scope_kind, scope=scope, period=period,
                    unit=unit, per=per, exact_scope=True)  # fmt: skip
    found = [p for p in series(store, q, rule) if p.key == tuple(key)]
    if not found:
        return None
    p = found[0]
    page = citations(store, q, rule, limit=limit, offset=offset)
    p = replace(p, citations=tuple(marked(p, (c for c in page if c.said().key == p.key), rule)))
    if status != "target":
        return p
    actual = series(store, replace(q, statuses=("actual",), period=None), rule)
    return replace(p, progress=target_progress(p, actual, rule.flows))


def _exact(p: Point) -> SeriesQuery:
    return SeriesQuery(indicator=p.indicator, statuses=(p.status,), scope_kind=p.scope_kind, scope=p.scope,
                       period=p.period, unit=p.unit, per=p.per or "", exact_scope=True)  # fmt: skip


def sides_of(
    store: Store, found: Sequence[Point], rule: SeriesRule, most: int
) -> list[tuple[list[Citation], list[Citation]]]:
    """:func:`sides` of several points (a page of points to check) in two reads: the oldest
    ``most`` citations of each point's chosen value and of its disagreeing values."""
    f = t.figures
    money = case((f.c.unit.in_(MONEY), literal("MAD")), else_=f.c.unit)
    key = (f.c.indicator, f.c.status, _kind(), _name(rule), f.c.period, money, func.coalesce(f.c.per, ""))

    def read(values_of: Any) -> list[Citation]:
        wanted = [
            and_(*_conditions(_exact(p), rule, (p.scope,)), f.c.value.in_(sorted(values_of(p))))
            for p in found
            if values_of(p)
        ]
        if not wanted:
            return []
        rank = func.row_number().over(partition_by=key, order_by=(f.c.published, f.c.id))
        ranked = select(f.c.id, rank.label("n")).where(or_(*wanted)).subquery()
        page = select(ranked.c.id).where(ranked.c.n <= most * 3)  # a same number in another currency
        with store.engine.connect() as conn:
            return [_citation(r) for r in conn.execute(_citation_select(rule).where(f.c.id.in_(page)))]

    chosen, away = read(lambda p: p.chosen_values), read(lambda p: p.disagreeing_values)
    out = []
    for p in found:
        agreeing = [c for c in marked(p, (c for c in chosen if c.said().key == p.key), rule) if c.agrees]
        disagreeing = [c for c in marked(p, (c for c in away if c.said().key == p.key), rule) if not c.agrees]
        out.append((agreeing[:most], disagreeing[:most]))
    return out


def sides(store: Store, p: Point, rule: SeriesRule, most: int) -> tuple[list[Citation], list[Citation]]:
    """Up to ``most`` citations of a point giving its chosen value and up to ``most`` disagreeing
    with it, oldest first: a conflict's two sides, read without the point's other citations."""
    return sides_of(store, [p], rule, most)[0]
