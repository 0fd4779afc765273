"""The JSON API under ``/api/``: search and figures, same filters as the pages, the same
query builder (:mod:`veille.queries`) and its limits.

Described by FastAPI's ``/openapi.json`` (typed parameters; the response rows are the search's
own dataclasses). Bad parameters answer 400 ``{"detail": "..."}``; unknown ids 404.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from veille.archive import search as s
from veille.core.formatting import indicator_label
from veille.core.models import STATUSES, UNITS
from veille.queries import (
    FIGURE_ORDERS,
    MAX_HITS,
    MAX_KEY,
    MAX_NAME,
    MAX_OFFSET,
    MAX_PERIOD,
    MAX_ROWS,
    MAX_SOURCE,
    MAX_TEXT,
    SEARCH_ORDERS,
    figure_query,
    search_query,
)
from veille.web.pages import reader
from veille.web.params import built

SOURCE_LABEL_HELP = "Nom de la source tel qu'affiché (son identifiant `source` si elle n'en a pas)"
NAMES = {
    "text": "q",
    "sources": "source",
    "kind": "type",
}  # the API's names of the query's fields, in its errors


if TYPE_CHECKING:
    UnitValue: TypeAlias = str
    StatusValue: TypeAlias = str
    SearchOrder: TypeAlias = str
    FigureOrder: TypeAlias = str
else:  # the schema's choices, from the values the query builder accepts
    UnitValue, StatusValue = Literal[UNITS], Literal[STATUSES]
    SearchOrder, FigureOrder = Literal[SEARCH_ORDERS], Literal[FIGURE_ORDERS]
IndicatorParam = Annotated[
    str | None,
    Query(
        max_length=MAX_KEY,
        description="Clé d'indicateur de config/indicators.toml (exportations, effectif...)",
    ),
]
StatusParam = Annotated[
    list[StatusValue],
    Query(description="Statut du chiffre, un ou plusieurs : actual (réalisé), announced (annoncé), "
          "forecast (prévision), target (objectif)"),
]  # fmt: skip


class ErrorModel(BaseModel):
    detail: str


# The API's rows are the search's own dataclasses, with the links and labels readers need and
# the descriptions of the schema (pydantic reads them as they are: no copy of their fields)
@dataclass(frozen=True)
class HitModel(s.Hit):
    url: Annotated[str, Field(description="Adresse d'origine de l'article")]
    snippet_html: Annotated[str, Field(description="Extrait échappé, mots trouvés entre <mark>")]
    cluster_size: Annotated[int, Field(description="Nombre d'articles de la même reprise (1 si aucune)")]
    page: Annotated[str, Field(description="Page de l'article dans Veille")] = ""
    source_label: Annotated[str, Field(description=SOURCE_LABEL_HELP)] = ""


class FacetValue(BaseModel):
    value: str
    count: int


class SearchResponse(BaseModel):
    total: int
    total_exact: bool = Field(
        True,
        description="False : plus de `total` résultats (le décompte s'arrête à 1 000 ; "
        "exact_total=true compte tout)",
    )
    facets_sample: int | None = Field(
        None, description="Facettes comptées sur ce nombre de premiers résultats (null : sur tous)"
    )
    offset: int
    limit: int
    hits: list[HitModel]
    facets: dict[str, list[FacetValue]] = Field(description="sources, organisations, themes, units, periods")


@dataclass(frozen=True)
class FigureModel(s.FigureRow):
    metric: Annotated[str | None, Field(description="Ce qui est mesuré, dans les mots du texte")]
    indicator: Annotated[str | None, Field(description="Clé d'indicateur (config/indicators.toml)")] = None
    status: StatusValue = "actual"
    per: Annotated[str | None, Field(description="Ce par quoi un taux est exprimé : month, m2/month...")] = (
        None
    )
    copies: Annotated[
        list[s.FigureCopy],
        Field(
            description="Le même chiffre dans les autres articles de la même reprise (le plus ancien "
            "d'abord) ; vide avec copies=true, où chaque reprise est une ligne"
        ),
    ] = field(default_factory=list)
    page: str = ""
    source_label: Annotated[str, Field(description=SOURCE_LABEL_HELP)] = ""
    indicator_label: Annotated[str, Field(description="Libellé français de l'indicateur")] = ""


class FiguresResponse(BaseModel):
    total: int = Field(
        description="Lignes correspondantes (les reprises d'un chiffre comptées une fois, sauf copies=true)"
    )
    total_exact: bool = Field(
        True,
        description="False : plus de `total` lignes (le décompte s'arrête à 1 000 ; "
        "exact_total=true compte tout)",
    )
    offset: int
    limit: int
    rows: list[FigureModel]


router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(reader)])
ErrorResponses: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorModel, "description": "Paramètre invalide"}
}

Text = Annotated[
    str,
    Query(
        max_length=MAX_TEXT, description='Texte recherché (syntaxe : mots, "phrase", OR, -exclu, préfixe*)'
    ),
]
Since = Annotated[date | None, Query(description="Publié à partir de ce jour (AAAA-MM-JJ)")]
Until = Annotated[date | None, Query(description="Publié jusqu'à ce jour inclus (AAAA-MM-JJ)")]
Name = Annotated[str | None, Query(max_length=MAX_NAME)]
Period = Annotated[str | None, Query(max_length=MAX_PERIOD)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
ExactTotalHelp = "Compter toutes les correspondances (plus lent) au lieu de s'arrêter à 1 000"


def _labeller(request: Request) -> Callable[[str], str]:
    """Source name -> what readers see (the labels read from ``sources.toml`` at start)."""
    labels: dict[str, str] = request.app.state.source_labels
    return lambda name: labels.get(name, name)


def _fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields, as they are (nested dataclasses stay dataclasses)."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _figure_model(r: s.FigureRow, label: Callable[[str], str]) -> FigureModel:
    return FigureModel(
        **_fields(r),
        page=f"/articles/{r.article_id}",
        source_label=label(r.source),
        indicator_label=indicator_label(r.indicator),
    )


@router.get(
    "/search", response_model=SearchResponse, responses=ErrorResponses, summary="Recherche d'articles"
)
def api_search(
    q: Text = "",
    since: Since = None,
    until: Until = None,
    source: Annotated[list[str], Query(description="Une ou plusieurs sources")] = [],  # noqa: B006
    org: Name = None,
    person: Name = None,
    theme: Name = None,
    unit: UnitValue | None = None,
    metric: Name = None,
    period: Period = None,
    indicator: IndicatorParam = None,
    status: StatusParam = [],  # noqa: B006
    min_value: float | None = None,
    max_value: float | None = None,
    min_relevance: float | None = None,
    type: Annotated[
        Literal["article", "document"] | None,
        Query(
            description="article (pages, flux) ou document (fichiers des sources officielles : PDF, tableurs)"
        ),
    ] = None,
    order: SearchOrder | None = None,
    all_versions: bool = Query(
        False, description="Toutes les reprises au lieu d'une entrée par article repris"
    ),
    limit: int = Query(20, ge=1, le=MAX_HITS),
    offset: Offset = 0,
    facets: bool = Query(True, description="Calculer les facettes"),
    exact_total: bool = Query(False, description=ExactTotalHelp),
    *,
    request: Request,
) -> SearchResponse:
    """Articles correspondant aux critères, les plus pertinents (ou les plus récents) d'abord."""
    query = built(
        search_query, NAMES, text=q, since=since, until=until, sources=source, org=org, person=person, theme=theme,
        unit=unit, metric=metric, period=period, indicator=indicator, status=status, min_value=min_value,
        max_value=max_value, min_relevance=min_relevance, kind=type, order=order, all_versions=all_versions,
        limit=limit, offset=offset, exact_total=exact_total,
    )  # fmt: skip
    result = s.search(request.app.state.store, query, with_facets=facets)
    label = _labeller(request)
    return SearchResponse(
        total=result.total,
        total_exact=result.total_exact,
        facets_sample=result.facets_sample,
        offset=offset,
        limit=limit,
        hits=[
            HitModel(
                **_fields(h),
                page=f"/{'documents' if h.kind == 'document' else 'articles'}/{h.id}",
                source_label=label(h.source),
            )
            for h in result.hits
        ],
        facets={k: [FacetValue(value=v, count=n) for v, n in items] for k, items in result.facets.items()},
    )


@router.get("/figures", response_model=FiguresResponse, responses=ErrorResponses, summary="Chiffres extraits")
def api_figures(
    q: Text = "",
    unit: UnitValue | None = None,
    metric: Name = None,
    min_value: float | None = None,
    max_value: float | None = None,
    period: Period = None,
    indicator: IndicatorParam = None,
    status: StatusParam = [],  # noqa: B006
    org: Name = None,
    source: Annotated[str | None, Query(max_length=MAX_SOURCE)] = None,
    since: Since = None,
    until: Until = None,
    article_id: int | None = Query(None, ge=1),
    order: FigureOrder = "date",
    limit: int = Query(100, ge=1, le=MAX_ROWS),
    offset: Offset = 0,
    exact_total: bool = Query(False, description=ExactTotalHelp),
    copies: bool = Query(
        False,
        description="Une ligne par reprise : sans ce paramètre, le même chiffre (valeur, unité, borne, "
        "période) repris par plusieurs articles d'une même reprise est une ligne, celle du premier article, "
        "les autres dans `copies`",
    ),
    *,
    request: Request,
) -> FiguresResponse:
    """Un chiffre par ligne, avec sa phrase, ses organisations et son article ; les reprises d'un
    même article regroupées (voir `copies`)."""
    query = built(
        figure_query, NAMES, text=q, unit=unit, metric=metric, min_value=min_value, max_value=max_value,
        period=period, indicator=indicator, status=status, org=org, source=source, since=since, until=until,
        article_id=article_id, order=order, limit=limit, offset=offset, exact_total=exact_total, copies=copies,
    )  # fmt: skip
    result = s.figures(request.app.state.store, query)
    label = _labeller(request)
    return FiguresResponse(
        total=result.total,
        total_exact=result.total_exact,
        offset=offset,
        limit=limit,
        rows=[_figure_model(r, label) for r in result.rows],
    )


@dataclass(frozen=True)
class ArticleModel(s.ArticleDetail):
    figures: list[FigureModel]  # type: ignore[assignment]  # the rows with their links and labels
    source_label: Annotated[str, Field(description=SOURCE_LABEL_HELP)] = ""


@router.get(
    "/articles/{article_id}",
    response_model=ArticleModel,
    responses={404: {"model": ErrorModel, "description": "Article inconnu"}},
    summary="Un article, ses chiffres et ses organisations",
)
def api_article(article_id: int, request: Request) -> ArticleModel:
    detail = s.article_detail(request.app.state.store, article_id) if 0 < article_id < 10**12 else None
    if detail is None:
        raise HTTPException(404, "Aucun article ne porte ce numéro.")
    label = _labeller(request)
    data = {**_fields(detail), "figures": [_figure_model(f, label) for f in detail.figures]}
    return ArticleModel(**data, source_label=label(detail.source))
