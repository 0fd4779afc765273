"""Query-string parameters of the pages -> :class:`SearchQuery` / :class:`FigureQuery`, through
the one query builder (:mod:`veille.queries`).

HTML forms send empty fields (``since=``): they mean "no filter". Anything else that
does not parse is a :class:`~veille.web.errors.BadRequest` with a French message (400).
The same parsing serves the pages and the exports so that "what is shown" and "what is
downloaded" can never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.datastructures import QueryParams

from veille.archive.search import FigureQuery, SearchQuery
from veille.queries import ParameterError, figure_query, search_query
from veille.web.errors import BadRequest

PER_PAGE_CHOICES = (25, 50, 100, 250, 500)
FIGURES_PER_PAGE = 50

# what the form calls each field of the query, in the error messages
NAMES = {
    "text": "recherche", "since": "depuis", "until": "jusqu'au", "sources": "source", "source": "source",
    "org": "organisation", "person": "personne", "theme": "thème", "unit": "unité", "metric": "mesure",
    "period": "période", "indicator": "indicateur", "status": "statut", "min_value": "valeur min.",
    "max_value": "valeur max.", "min_relevance": "pertinence min.", "order": "tri", "page": "page",
    "limit": "résultats par page", "kind": "type",
}  # fmt: skip
FIGURE_NAMES = {**NAMES, "text": "texte", "limit": "lignes par page"}

Q = TypeVar("Q")


def built(build: Callable[..., Q], names: Mapping[str, str], **values: Any) -> Q:
    """``build(**values)`` (a builder of :mod:`veille.queries`), its error a French 400 naming the
    fields as in ``names``."""
    try:
        return build(**values)
    except ParameterError as exc:
        raise BadRequest(exc.french(names)) from None


def _flag(params: QueryParams, name: str) -> bool:
    return (params.get(name) or "") in ("1", "on", "true")


def _raw(params: QueryParams) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in params.multi_items() if v != "" and k != "page")


def _common(params: QueryParams) -> dict[str, Any]:
    """The filters the search and the figures explorer share, by their names in the query string
    (the metric's words are ``mesure``; ``metric``, their name in older links, is still read)."""
    get = params.get
    return {
        "text": get("q"), "since": get("since"), "until": get("until"), "unit": get("unit"),
        "metric": get("mesure") or get("metric"), "period": get("period"), "indicator": get("indicateur"),
        "status": params.getlist("statut"), "min_value": get("min_value"), "max_value": get("max_value"),
        "org": get("org"), "order": get("order"), "exact_total": get("total") == "exact",
        "limit": get("per_page"), "page": get("page"),
    }  # fmt: skip


class _Paged:
    """A page's query as its form and links show it: the built query's fields read through
    (``p.text``, ``p.unit``...), its page and page size, and the raw parameters."""

    built: Any
    raw: tuple[tuple[str, str], ...]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.built, name)

    @property
    def page(self) -> int:
        return int(self.built.offset // self.built.limit + 1)

    @property
    def per_page(self) -> int:
        return int(self.built.limit)


@dataclass(frozen=True)
class SearchParams(_Paged):
    """The search page's query."""

    built: SearchQuery = SearchQuery(order="date")
    raw: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def query(self) -> SearchQuery:
        return self.built

    @property
    def all_versions(self) -> bool:
        return not self.built.one_per_cluster

    @property
    def active(self) -> bool:
        q = self.built
        return any(
            (q.text, q.since, q.until, q.sources, q.org, q.person, q.theme, q.unit, q.metric, q.period,
             q.indicator, q.status, q.min_value is not None, q.max_value is not None, q.min_relevance is not None,
             q.kind)
        )  # fmt: skip


def search_values(params: QueryParams) -> dict[str, Any]:
    """The search page's parameters as the builder's values (what a watch of it keeps)."""
    get = params.get
    return {
        **_common(params), "sources": params.getlist("source"), "person": get("person"), "theme": get("theme"),
        "min_relevance": get("min_relevance"), "kind": get("type"), "all_versions": _flag(params, "all_versions"),
    }  # fmt: skip


def search_params(params: QueryParams, per_page: int = 20) -> SearchParams:
    query = built(search_query, NAMES, **search_values(params), default_limit=per_page)
    return SearchParams(query, _raw(params))


@dataclass(frozen=True)
class FigureParams(_Paged):
    """The figures explorer's query (``p.unit``, ``p.copies``...)."""

    built: FigureQuery = FigureQuery(limit=FIGURES_PER_PAGE)
    raw: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def query(self) -> FigureQuery:
        return self.built


def figure_values(params: QueryParams) -> dict[str, Any]:
    """The figures explorer's parameters as the builder's values."""
    return {**_common(params), "source": params.get("source"), "copies": _flag(params, "copies")}


def figure_params(params: QueryParams) -> FigureParams:
    query = built(figure_query, FIGURE_NAMES, **figure_values(params), default_limit=FIGURES_PER_PAGE)
    return FigureParams(query, _raw(params))
