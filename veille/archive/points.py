"""Every point of the indicator series as the archive keeps them (``series_points`` and
``series_state``, migration 0022): written by :mod:`veille.archive.overview` after the figures
change, read by the indicators' list and the "à vérifier" page (and their API) a page at a time.

The figures' writers (an article's extraction, an organisation merged or split, an article's
date changed) call :func:`mark_changed` in their transaction: it counts one more write on the
state's single row. A computation notes the count it started from, read before it reads the
figures: a write committed before that is in the points, one committed after has counted one
more, so the state says the points are behind (never the other way round).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, delete, func, insert, literal, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from veille.archive import schema as t
from veille.core.series import Point, Progress, Value

P, S = t.series_points, t.series_state
CHUNK = 2000  # rows per insert


@dataclass(frozen=True)
class State:
    """When every point was last computed (None: never), with the rule of which fingerprint,
    how many writes of the figures the archive has counted, and from which count the points
    were computed."""

    computed_at: datetime | None
    rule: str | None
    changes: int
    computed_from: int | None

    @property
    def changed(self) -> bool:
        """The figures were written since the points were computed."""
        return self.computed_from is None or self.changes != self.computed_from


@dataclass(frozen=True)
class IndicatorCounts:
    """What the indicators' list shows of one indicator."""

    indicator: str
    points: int
    citations: int
    scopes: int
    targets: int
    conflicts: int


def state(conn: Any) -> State | None:
    """The points' state; None: no computation ever started."""
    row = conn.execute(
        select(S.c.computed_at, S.c.rule, S.c.changes, S.c.computed_from).where(S.c.id == 1)
    ).first()
    return None if row is None else State(row.computed_at, row.rule, row.changes or 0, row.computed_from)


def start(conn: Any) -> int:
    """The count of writes a computation starts from (the state's row made if missing)."""
    found = state(conn)
    if found is not None:
        return found.changes
    try:
        with conn.begin_nested():
            conn.execute(insert(S).values(id=1, changes=0))
    except IntegrityError:  # another process made it first
        pass
    return state(conn).changes  # type: ignore[union-attr]


def mark_changed(conn: Any, writes: int = 1) -> None:
    """The figures change in this transaction: ``writes`` more writes counted (see the module's text)."""
    conn.execute(update(S).where(S.c.id == 1).values(changes=S.c.changes + writes))


def _rows(points: Iterable[Point]) -> list[dict[str, Any]]:
    return [
        {"indicator": p.indicator, "status": p.status, "scope_kind": p.scope_kind, "scope": p.scope,
         "period": p.period, "unit": p.unit, "per": p.per or "", "conflict": p.conflict,
         "citations_count": p.citations_count, "point": to_json(p)}
        for p in points
    ]  # fmt: skip


def _insert(conn: Any, points: Sequence[Point]) -> None:
    rows = _rows(points)
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(P), rows[i : i + CHUNK])


def write_all(
    conn: Any, points: Sequence[Point], computed_at: datetime, rule: str, computed_from: int
) -> None:
    """Every point, replacing those kept; the state says when, with which rule and from which
    count of writes they were computed."""
    conn.execute(delete(P))
    _insert(conn, points)
    conn.execute(
        update(S).where(S.c.id == 1).values(computed_at=computed_at, rule=rule, computed_from=computed_from)
    )


def write_series(
    conn: Any, series: Iterable[tuple[str, str, str, str, str]], points: Sequence[Point]
) -> None:
    """The points of these series (indicator, scope kind, scope, unit, per: "" for none),
    replacing those kept of them."""
    keys = sorted(set(series))
    if not keys:
        return
    by = tuple_(P.c.indicator, P.c.scope_kind, P.c.scope, P.c.unit, P.c.per)
    for i in range(0, len(keys), 200):
        conn.execute(delete(P).where(by.in_(keys[i : i + 200])))
    _insert(conn, points)


def counts(conn: Any) -> list[IndicatorCounts]:
    """Per indicator with points: its points, citations, scopes, targets and points to check."""
    one = literal(1, Integer)
    stmt = select(
        P.c.indicator,
        func.count().label("points"),
        func.sum(P.c.citations_count).label("citations"),
        func.count(func.distinct(P.c.scope_kind + literal(":") + P.c.scope)).label("scopes"),
        func.sum(case((P.c.status == "target", one), else_=0)).label("targets"),
        func.sum(case((P.c.conflict, one), else_=0)).label("conflicts"),
    ).group_by(P.c.indicator)
    return [
        IndicatorCounts(
            r.indicator, r.points, int(r.citations or 0), r.scopes, int(r.targets), int(r.conflicts)
        )
        for r in conn.execute(stmt)
    ]


def flagged(conn: Any, indicator: str | None, offset: int, limit: int) -> tuple[int, list[Point]]:
    """How many points have disagreeing citations (of one indicator), and ``limit`` of them from
    ``offset``, the most cited first."""
    conds: list[ColumnElement[bool]] = [P.c.conflict.is_(True)]
    if indicator:
        conds.append(P.c.indicator == indicator)
    total = conn.scalar(select(func.count()).select_from(P).where(*conds)) or 0
    stmt = (
        select(P.c.point)
        .where(*conds)
        .order_by(P.c.citations_count.desc(), P.c.indicator, P.c.period, P.c.id)
        .offset(offset)
        .limit(limit)
    )
    return total, [from_json(r.point) for r in conn.execute(stmt)]


def every(conn: Any) -> list[Point]:
    """Every point kept (tests, a study of the whole archive)."""
    return [from_json(r.point) for r in conn.execute(select(P.c.point).order_by(P.c.id))]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def to_json(p: Point) -> dict[str, Any]:
    """The point as JSON keeps it, its citations left out."""
    return {
        "indicator": p.indicator, "status": p.status, "scope_kind": p.scope_kind, "scope": p.scope,
        "period": p.period, "unit": p.unit, "per": p.per, "value": p.value, "range_max": p.range_max,
        "rule": p.rule, "stories": p.stories, "citations_count": p.citations_count, "low": p.low, "high": p.high,
        "conflict": p.conflict, "disagreeing_count": p.disagreeing_count, "grain": p.grain,
        "progress": p.progress.to_dict() if p.progress else None,
        "values": [[v.value, v.range_max, v.stories, v.citations, v.official, _when(v.latest), v.agrees]
                   for v in p.values],
        "chosen_values": list(p.chosen_values), "disagreeing_values": list(p.disagreeing_values),
    }  # fmt: skip


def from_json(d: dict[str, Any]) -> Point:
    """The point :func:`to_json` kept."""
    progress = d.get("progress")
    return Point(
        indicator=d["indicator"], status=d["status"], scope_kind=d["scope_kind"], scope=d["scope"],
        period=d["period"], unit=d["unit"], per=d["per"], value=d["value"], range_max=d["range_max"],
        rule=d["rule"], stories=d["stories"], citations_count=d["citations_count"], low=d["low"], high=d["high"],
        conflict=d["conflict"], disagreeing_count=d["disagreeing_count"], grain=d["grain"],
        progress=Progress(**progress) if progress else None,
        values=tuple(Value(v[0], v[1], v[2], v[3], v[4], _date(v[5]), v[6]) for v in d["values"]),
        chosen_values=tuple(d["chosen_values"]), disagreeing_values=tuple(d["disagreeing_values"]),
    )  # fmt: skip
