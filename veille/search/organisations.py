"""Organisations: :func:`resolve_org`, :func:`org_stats` (most named first) and one
:func:`organisation` with its articles, figures and weekly mentions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa

from veille import schema as t
from veille.formatting import iso_week
from veille.search.conditions import A, F, _bound, _org_ids
from veille.search.figure_rows import _FIGURE_COLS, _figure_row, _figures_of
from veille.search.models import ArticleRef, OrgDetail, OrgStat
from veille.store import Store


def resolve_org(store: Store, name_or_alias: str) -> str | None:
    """The canonical name of an organisation named by its name or any alias ("add" -> "Agence de ...")."""
    with store.engine.connect() as conn:
        ids = _org_ids(conn, name_or_alias)
        if not ids:
            return None
        return conn.scalar(sa.select(t.organisations.c.name).where(t.organisations.c.id == ids[0]))


def org_stats(
    store: Store, since: date | None = None, until: date | None = None, top: int | None = None
) -> list[OrgStat]:
    """Organisations by number of articles naming them (then mentions), in the date range."""
    m, o = t.org_mentions, t.organisations
    arts = sa.func.count(sa.distinct(m.c.article_id)).label("articles")
    ments = sa.func.count(m.c.id).label("mentions")
    stmt = (
        sa.select(o.c.id, o.c.name, o.c.kind, ments, arts)
        .select_from(m.join(o, o.c.id == m.c.org_id).join(A, A.c.id == m.c.article_id))
        .group_by(o.c.id, o.c.name, o.c.kind)
        .order_by(arts.desc(), ments.desc(), o.c.name)
    )
    if since:
        stmt = stmt.where(A.c.published >= _bound(store, since, end=False))
    if until:
        stmt = stmt.where(A.c.published < _bound(store, until, end=True))
    if top:
        stmt = stmt.limit(top)
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        aliases = _aliases(conn, [r.id for r in rows])
    return [OrgStat(r.name, r.kind, aliases.get(r.id, []), int(r.mentions), int(r.articles)) for r in rows]


def _aliases(conn: Any, org_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if org_ids:
        rows = conn.execute(
            sa.select(t.org_aliases.c.org_id, t.org_aliases.c.alias, t.organisations.c.name)
            .join(t.organisations, t.organisations.c.id == t.org_aliases.c.org_id)
            .where(t.org_aliases.c.org_id.in_(org_ids)).order_by(t.org_aliases.c.alias)
        )  # fmt: skip
        for oid, alias, name in rows:
            if alias != name:
                out[oid].append(alias)
    return out


def organisation(store: Store, name_or_alias: str) -> OrgDetail | None:
    """One organisation: aliases, articles naming it, its figures over time, mentions per ISO week."""
    o, m = t.organisations, t.org_mentions
    with store.engine.connect() as conn:
        ids = _org_ids(conn, name_or_alias)
        if not ids:
            return None
        org = conn.execute(sa.select(o).where(o.c.id == ids[0])).first()
        n = sa.func.count(m.c.id).label("n")
        arts = conn.execute(
            sa.select(A.c.id, A.c.title, A.c.url, A.c.source, A.c.published, n)
            .join(m, m.c.article_id == A.c.id).where(m.c.org_id == org.id)
            .group_by(A.c.id, A.c.title, A.c.url, A.c.source, A.c.published)
            .order_by(A.c.published.desc().nulls_last(), A.c.id.desc())
        ).all()  # fmt: skip
        weekly: dict[str, int] = defaultdict(int)
        for a in arts:
            if a.published is not None:
                weekly[iso_week(a.published)] += int(a.n)
        figs = conn.execute(
            sa.select(*_FIGURE_COLS).select_from(F.join(A, A.c.id == F.c.article_id))
            .where(F.c.id.in_(_figures_of([org.id])))
            .order_by(A.c.published.asc().nulls_last(), F.c.id)
        ).all()  # fmt: skip
        aliases = _aliases(conn, [org.id]).get(org.id, [])
    return OrgDetail(
        name=org.name, kind=org.kind, acronym=org.acronym, aliases=aliases,
        articles=[ArticleRef(a.id, a.title, a.url, a.source, a.published, int(a.n)) for a in arts],
        figures=[_figure_row(r) for r in figs], weekly_mentions=sorted(weekly.items()),
    )  # fmt: skip
