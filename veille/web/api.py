"""The JSON API under ``/api/``: search and figures, same filters as the pages.

Described by FastAPI's ``/openapi.json`` (typed parameters and response models). Bad
parameters answer 400 ``{"detail": "..."}``; unknown ids 404.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from veille.archive import search as s
from veille.core.formatting import indicator_label
from veille.web.errors import BadRequest
from veille.web.pages import reader

SOURCE_LABEL_HELP = "Nom de la source tel qu'affiché (son identifiant `source` si elle n'en a pas)"
Unit = Literal["MAD", "EUR", "USD", "percent", "points", "jobs", "seats", "count", "m2"]
Status = Literal["actual", "announced", "forecast", "target"]
IndicatorParam = Annotated[
    str | None,
    Query(
        max_length=40, description="Clé d'indicateur de config/indicators.toml (exportations, effectif...)"
    ),
]
StatusParam = Annotated[
    list[Status],
    Query(description="Statut du chiffre, un ou plusieurs : actual (réalisé), announced (annoncé), "
          "forecast (prévision), target (objectif)"),
]  # fmt: skip


class ErrorModel(BaseModel):
    detail: str


class HitModel(BaseModel):
    id: int
    title: str
    url: str = Field(description="Adresse d'origine de l'article")
    page: str = Field(description="Page de l'article dans Veille")
    source: str
    source_label: str = Field(description=SOURCE_LABEL_HELP)
    published: datetime | None
    lead: str | None
    snippet_html: str = Field(description="Extrait échappé, mots trouvés entre <mark>")
    score: float
    cluster_id: int | None
    cluster_size: int = Field(description="Nombre d'articles de la même reprise (1 si aucune)")
    other_sources: list[str]
    themes: list[str]
    relevance: float


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


class FigureCopyModel(BaseModel):
    article_id: int
    source: str
    url: str
    published: datetime | None


class FigureModel(BaseModel):
    id: int
    article_id: int
    page: str
    published: datetime | None
    source: str
    source_label: str = Field(description=SOURCE_LABEL_HELP)
    title: str
    url: str
    text: str
    value: float
    unit: str
    formatted: str
    approx: bool
    qualifier: str | None
    range_max: float | None
    period: str | None
    metric: str | None = Field(description="Ce qui est mesuré, dans les mots du texte")
    organisations: list[str]
    sentence: str
    start: int
    end: int
    sentence_start: int
    indicator: str | None = Field(None, description="Clé d'indicateur (config/indicators.toml)")
    indicator_label: str = Field("", description="Libellé français de l'indicateur")
    status: Status = "actual"
    per: str | None = Field(None, description="Ce par quoi un taux est exprimé : month, m2/month...")
    copies: list[FigureCopyModel] = Field(
        [],
        description="Le même chiffre dans les autres articles de la même reprise (le plus ancien d'abord) ; "
        "vide avec copies=true, où chaque reprise est une ligne",
    )


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
    Query(max_length=1000, description='Texte recherché (syntaxe : mots, "phrase", OR, -exclu, préfixe*)'),
]
Since = Annotated[date | None, Query(description="Publié à partir de ce jour (AAAA-MM-JJ)")]
Until = Annotated[date | None, Query(description="Publié jusqu'à ce jour inclus (AAAA-MM-JJ)")]
Name = Annotated[str | None, Query(max_length=300)]
ExactTotalHelp = "Compter toutes les correspondances (plus lent) au lieu de s'arrêter à 1 000"


def _labeller(request: Request) -> Callable[[str], str]:
    """Source name -> what readers see (the labels read from ``sources.toml`` at start)."""
    labels: dict[str, str] = request.app.state.source_labels
    return lambda name: labels.get(name, name)


def _indicator(key: str | None) -> str | None:
    from veille.core.taxonomy import load_taxonomy

    if not key:
        return None
    known = load_taxonomy().indicators
    if key not in known:
        raise BadRequest(f"indicator : « {key} » inconnu (valeurs possibles : {', '.join(known)}).")
    return key


def _figure_model(r: s.FigureRow, label: Callable[[str], str]) -> FigureModel:
    return FigureModel(
        **dataclasses.asdict(r),
        page=f"/articles/{r.article_id}",
        source_label=label(r.source),
        indicator_label=indicator_label(r.indicator),
    )


def _check(since: date | None, until: date | None, lo: float | None, hi: float | None) -> None:
    if since and until and since > until:
        raise BadRequest("since est postérieure à until.")
    if lo is not None and hi is not None and lo > hi:
        raise BadRequest("min_value est supérieure à max_value.")


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
    unit: Unit | None = None,
    metric: Name = None,
    period: Annotated[str | None, Query(max_length=20)] = None,
    indicator: IndicatorParam = None,
    status: StatusParam = [],  # noqa: B006
    min_value: float | None = None,
    max_value: float | None = None,
    min_relevance: float | None = None,
    order: Literal["relevance", "date"] | None = None,
    all_versions: bool = Query(
        False, description="Toutes les reprises au lieu d'une entrée par article repris"
    ),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
    facets: bool = Query(True, description="Calculer les facettes"),
    exact_total: bool = Query(False, description=ExactTotalHelp),
    *,
    request: Request,
) -> SearchResponse:
    """Articles correspondant aux critères, les plus pertinents (ou les plus récents) d'abord."""
    _check(since, until, min_value, max_value)
    query = s.SearchQuery(
        text=q.strip(), since=since, until=until, sources=tuple(x for x in source if x), org=org or None,
        person=person or None, theme=theme or None, min_relevance=min_relevance, one_per_cluster=not all_versions,
        order=order or ("relevance" if q.strip() else "date"), limit=limit, offset=offset, unit=unit,
        metric=metric or None, min_value=min_value, max_value=max_value, period=period or None,
        indicator=_indicator(indicator), status=tuple(status), exact_total=exact_total,
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
            HitModel(**dataclasses.asdict(h), page=f"/articles/{h.id}", source_label=label(h.source))
            for h in result.hits
        ],
        facets={k: [FacetValue(value=v, count=n) for v, n in items] for k, items in result.facets.items()},
    )


@router.get("/figures", response_model=FiguresResponse, responses=ErrorResponses, summary="Chiffres extraits")
def api_figures(
    q: Text = "",
    unit: Unit | None = None,
    metric: Name = None,
    min_value: float | None = None,
    max_value: float | None = None,
    period: Annotated[str | None, Query(max_length=20)] = None,
    indicator: IndicatorParam = None,
    status: StatusParam = [],  # noqa: B006
    org: Name = None,
    source: Annotated[str | None, Query(max_length=100)] = None,
    since: Since = None,
    until: Until = None,
    article_id: int | None = Query(None, ge=1),
    order: Literal["date", "value"] = "date",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=100_000),
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
    _check(since, until, min_value, max_value)
    query = s.FigureQuery(
        text=q.strip(), unit=unit, metric=metric or None, min_value=min_value, max_value=max_value,
        period=period or None, indicator=_indicator(indicator), status=tuple(status), org=org or None,
        source=source or None, since=since, until=until,
        article_id=article_id, limit=limit, offset=offset, order=order, exact_total=exact_total, copies=copies,
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


class OrgMentionModel(BaseModel):
    name: str
    kind: str | None
    count: int
    forms: list[str]


class PersonModel(BaseModel):
    name: str
    role: str | None
    organisation: str | None


class ArticleModel(BaseModel):
    id: int
    url: str
    canonical_url: str
    source: str
    source_label: str = Field(description=SOURCE_LABEL_HELP)
    title: str
    lead: str | None
    text: str
    author: str | None
    published: datetime | None
    relevance: float
    themes: list[str]
    matched_terms: list[str]
    cluster_id: int | None
    cluster_size: int
    other_sources: list[str]
    figures: list[FigureModel]
    organisations: list[OrgMentionModel]
    persons: list[PersonModel]


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
    data = dataclasses.asdict(detail)
    data["figures"] = [_figure_model(f, label) for f in detail.figures]
    return ArticleModel(**data, source_label=label(detail.source))
