"""The indicator series in the JSON API (``/api/indicators``...): the same points as the pages
(:mod:`veille.web.pages.indicators`), the same query builder (:func:`veille.queries.series_query`).

As in :mod:`veille.web.api`, the response rows are the rule's own dataclasses
(:class:`~veille.core.series.Point`, its values, citations and progress) with the links readers
need. A series lists its points without their citations (``citations_count`` says how many;
``citations_api`` gives them): a point's own route lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from veille.archive.indicators import point, series
from veille.archive.overview import counts, flagged, overview
from veille.core.formatting import indicator_label
from veille.core.models import STATUSES, UNITS
from veille.core.period_labels import GRAINS
from veille.core.series import Point, SeriesRule
from veille.core.taxonomy import load_taxonomy
from veille.queries import MAX_NAME, MAX_OFFSET, MAX_PERIOD, YEARS, series_query
from veille.web.api import NAMES, ErrorModel, ErrorResponses, StatusParam, _fields
from veille.web.pages import reader
from veille.web.pages.indicators import catalogue, point_href
from veille.web.params import built

if TYPE_CHECKING:
    UnitValue: TypeAlias = str
    GrainValue: TypeAlias = str
else:
    UnitValue, GrainValue = Literal[UNITS], Literal[GRAINS]

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(reader)])
ScopeParam = Annotated[
    str | None,
    Query(
        max_length=MAX_NAME,
        description="Portée : TYPE:NOM (country:Tunisie, zone:Casanearshore), un type ou un nom",
    ),
]
Year = Annotated[int | None, Query(ge=YEARS[0], le=YEARS[1])]


@dataclass(frozen=True)
class PointModel(Point):
    indicator_label: Annotated[str, Field(description="Libellé français de l'indicateur")] = ""
    page: Annotated[str, Field(description="Page du point et de ses citations dans Veille")] = ""
    citations_api: Annotated[str, Field(description="Ce point avec toutes ses citations (API)")] = ""


class IndicatorSummary(BaseModel):
    key: str
    label: str
    points: int
    citations: int
    scopes: int
    targets: int
    conflicts: int = Field(description="Points dont des citations divergent de la valeur retenue")


class IndicatorsResponse(BaseModel):
    indicators: list[IndicatorSummary]
    computed_at: datetime | None = Field(None, description="Calculé sur l'archive à cet instant (UTC)")
    current: bool = Field(
        True, description="False : l'archive a changé depuis, un nouveau calcul est en cours"
    )


class SeriesResponse(BaseModel):
    indicator: str | None
    computed_at: datetime | None = Field(
        None, description="/api/conflicts : calculé sur l'archive à cet instant"
    )
    current: bool = Field(
        True, description="/api/conflicts : False si l'archive a changé depuis (calcul en cours)"
    )
    conflict_share: float = Field(
        description="Écart au-delà duquel une citation diverge (part de la valeur retenue)"
    )
    approx_share: float = Field(description="Le même écart pour une valeur approchée (« environ »)")
    total: int
    offset: int
    points: list[PointModel]


def _rule(request: Request) -> SeriesRule:
    rule: SeriesRule = request.app.state.settings.series_rule
    return rule


def _model(p: Point, *, with_citations: bool = False) -> PointModel:
    data: dict[str, Any] = _fields(p)
    if not with_citations:
        data["citations"] = ()
    query = urlencode({"status": p.status, "scope": f"{p.scope_kind}:{p.scope}", "period": p.period, "unit": p.unit,
                       "per": p.per or ""})  # fmt: skip
    return PointModel(**data, indicator_label=indicator_label(p.indicator), page=point_href(p),
                      citations_api=f"/api/indicators/{p.indicator}/point?{query}")  # fmt: skip


@router.get("/indicators", response_model=IndicatorsResponse, summary="Indicateurs et leurs séries")
def api_indicators(request: Request) -> IndicatorsResponse:
    """Les indicateurs qui ont des points, avec leurs nombres de points, de citations, de portées,
    d'objectifs et de points à vérifier."""
    store = request.app.state.store
    every = overview(store, _rule(request))
    return IndicatorsResponse(
        indicators=[IndicatorSummary(**r) for r in catalogue(counts(store))],
        computed_at=every.computed_at,
        current=every.current,
    )


def _known(key: str) -> None:
    if key not in load_taxonomy().indicators:
        raise HTTPException(404, "Indicateur inconnu (voir config/indicators.toml).")


@router.get(
    "/indicators/{key}",
    response_model=SeriesResponse,
    responses={**ErrorResponses, 404: {"model": ErrorModel, "description": "Indicateur inconnu"}},
    summary="Série d'un indicateur",
)
def api_series(
    key: str,
    request: Request,
    scope: ScopeParam = None,
    status: StatusParam = [],  # noqa: B006
    unit: UnitValue | None = None,
    grain: GrainValue | None = None,
    year_from: Year = None,
    year_to: Year = None,
    conflicts: bool = Query(False, description="Seulement les points dont des citations divergent"),
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> SeriesResponse:
    """Les points de la série (un par statut, portée, période, unité), sans leurs citations :
    la valeur retenue, la règle qui l'a choisie, les valeurs citées, le désaccord éventuel et,
    pour un objectif, l'avancement."""
    _known(key)
    q = built(series_query, NAMES, indicator=key, scope=scope, status=status, unit=unit, grain=grain,
              year_from=year_from, year_to=year_to)  # fmt: skip
    rule = _rule(request)
    points = [p for p in series(request.app.state.store, q, rule) if p.conflict or not conflicts]
    return SeriesResponse(
        indicator=key, conflict_share=rule.conflict_share, approx_share=rule.approx_share, total=len(points),
        offset=offset, points=[_model(p) for p in points[offset : offset + limit]],
    )  # fmt: skip


@router.get(
    "/indicators/{key}/point",
    response_model=PointModel,
    responses={**ErrorResponses, 404: {"model": ErrorModel, "description": "Point inconnu"}},
    summary="Un point d'une série et ses citations",
)
def api_point(
    key: str,
    request: Request,
    status: Annotated[str, Query(description="actual, announced, forecast ou target")],
    scope: Annotated[str, Query(max_length=MAX_NAME, description="TYPE:NOM, par exemple country:Maroc")],
    period: Annotated[str, Query(max_length=MAX_PERIOD)],
    unit: UnitValue,
    per: Annotated[str, Query(description="Ce par quoi un taux est exprimé ; vide pour un montant")] = "",
    limit: int = Query(200, ge=1, le=5000, description="Citations renvoyées (les plus anciennes d'abord)"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> PointModel:
    """Le point avec ses citations (article, source, date, phrase ; `limit` à partir de `offset`,
    `citations_count` en donne le total), chacune marquée d'accord ou non avec la valeur retenue."""
    _known(key)
    q = built(
        series_query, NAMES, indicator=key, scope=scope, status=status, period=period, unit=unit, per=per
    )
    if not q.scope_kind or not q.scope or status not in STATUSES or q.unit is None:
        raise HTTPException(
            404, "Point inconnu : il faut un statut, une portée TYPE:NOM, une période et une unité."
        )
    found = point(request.app.state.store, (key, status, q.scope_kind, q.scope, period, q.unit, q.per or ""),
                  _rule(request), limit=limit, offset=offset)  # fmt: skip
    if found is None:
        raise HTTPException(404, "Aucun chiffre de l'archive ne donne ce point.")
    return _model(found, with_citations=True)


@router.get(
    "/conflicts", response_model=SeriesResponse, responses=ErrorResponses, summary="Points à vérifier"
)
def api_conflicts(
    request: Request,
    indicator: Annotated[str | None, Query(max_length=40)] = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> SeriesResponse:
    """Les points dont des citations divergent de la valeur retenue, les plus cités d'abord (la
    page « À vérifier »)."""
    q = built(series_query, NAMES, indicator=indicator)
    rule = _rule(request)
    every = overview(request.app.state.store, rule)
    total, found = flagged(request.app.state.store, q.indicator, offset, limit)
    return SeriesResponse(
        indicator=q.indicator, computed_at=every.computed_at, current=every.current,
        conflict_share=rule.conflict_share, approx_share=rule.approx_share, total=total, offset=offset,
        points=[_model(p) for p in found],
    )  # fmt: skip
