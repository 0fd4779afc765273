"""Query-string parameters of the pages -> :class:`SearchQuery` / :class:`FigureQuery`.

HTML forms send empty fields (``since=``): they mean "no filter". Anything else that
does not parse is a :class:`~veille.web.errors.BadRequest` with a French message (400).
The same parsing serves the pages, the exports and the JSON API so that "what is shown"
and "what is downloaded" can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from starlette.datastructures import QueryParams

from veille.core.formatting import STATUS_LABELS
from veille.core.models import STATUSES, UNITS
from veille.web.errors import BadRequest

MAX_PAGE = 500
PER_PAGE_CHOICES = (25, 50, 100, 250, 500)
ORDERS = {"relevance": "pertinence", "date": "date"}
MAX_TEXT = 500


def _text(params: QueryParams, name: str, label: str, max_len: int = 300) -> str | None:
    value = (params.get(name) or "").strip()
    if len(value) > max_len:
        raise BadRequest(f"« {label} » est trop long ({len(value)} caractères, {max_len} au plus).")
    return value or None


def _date(params: QueryParams, name: str, label: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        parsed = date.fromisoformat(raw[:10]) if len(raw) <= 10 else datetime.fromisoformat(raw).date()
    except ValueError:
        raise BadRequest(
            f"« {label} » : « {raw[:40]} » n'est pas une date (format attendu : AAAA-MM-JJ)."
        ) from None
    if parsed.year < 1900 or parsed.year > 2200:
        raise BadRequest(f"« {label} » : année hors limites.")
    return parsed


def _number(params: QueryParams, name: str, label: str) -> float | None:
    raw = (params.get(name) or "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise BadRequest(f"« {label} » : « {raw[:40]} » n'est pas un nombre.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadRequest(f"« {label} » : nombre invalide.")
    return value


def _int(params: QueryParams, name: str, label: str, default: int, lo: int, hi: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"« {label} » : « {raw[:40]} » n'est pas un nombre entier.") from None
    if not lo <= value <= hi:
        raise BadRequest(f"« {label} » doit être compris entre {lo} et {hi}.")
    return value


def _unit(params: QueryParams) -> str | None:
    unit = _text(params, "unit", "unité", 20)
    if unit is not None and unit not in UNITS:
        raise BadRequest(f"« unité » : « {unit} » inconnue (valeurs possibles : {', '.join(UNITS)}).")
    return unit


def _indicator(params: QueryParams) -> str | None:
    """``indicateur``: a key of the indicator taxonomy (``config/indicators.toml``)."""
    from veille.core.taxonomy import load_taxonomy

    key = _text(params, "indicateur", "indicateur", 40)
    if key is None:
        return None
    known = load_taxonomy().indicators
    if key not in known:
        raise BadRequest(f"« indicateur » : « {key} » inconnu (valeurs possibles : {', '.join(known)}).")
    return key


def _statuses(params: QueryParams) -> tuple[str, ...]:
    """``statut`` (repeatable): actual, announced, forecast, target."""
    out = tuple(dict.fromkeys(v.strip() for v in params.getlist("statut") if v.strip()))
    for v in out:
        if v not in STATUSES:
            choices = ", ".join(f"{k} ({STATUS_LABELS[k]})" for k in STATUSES)
            raise BadRequest(f"« statut » : « {v[:40]} » inconnu (valeurs possibles : {choices}).")
    return out


def _metric(params: QueryParams) -> str | None:
    """``mesure``: words of the metric phrase (``metric``, its name in older links, still read)."""
    return _text(params, "mesure", "mesure") or _text(params, "metric", "mesure")


def _check_range(since: date | None, until: date | None, lo: float | None, hi: float | None) -> None:
    if since and until and since > until:
        raise BadRequest("La date de début est postérieure à la date de fin.")
    if lo is not None and hi is not None and lo > hi:
        raise BadRequest("La valeur minimale est supérieure à la valeur maximale.")


@dataclass(frozen=True)
class SearchParams:
    text: str = ""
    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()
    org: str | None = None
    person: str | None = None
    theme: str | None = None
    unit: str | None = None
    metric: str | None = None
    period: str | None = None
    indicator: str | None = None
    status: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    min_relevance: float | None = None
    order: str = "relevance"
    all_versions: bool = False
    exact_total: bool = False
    page: int = 1
    per_page: int = 20
    raw: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def query(self) -> Any:
        from veille.archive.search import SearchQuery

        return SearchQuery(
            text=self.text,
            since=self.since,
            until=self.until,
            sources=self.sources,
            org=self.org,
            person=self.person,
            theme=self.theme,
            min_relevance=self.min_relevance,
            one_per_cluster=not self.all_versions,
            order=self.order,
            limit=self.per_page,
            offset=(self.page - 1) * self.per_page,
            unit=self.unit,
            metric=self.metric,
            min_value=self.min_value,
            max_value=self.max_value,
            period=self.period,
            indicator=self.indicator,
            status=self.status,
            exact_total=self.exact_total,
        )

    @property
    def active(self) -> bool:
        return any(
            (self.text, self.since, self.until, self.sources, self.org, self.person, self.theme, self.unit,
             self.metric, self.period, self.indicator, self.status, self.min_value is not None,
             self.max_value is not None, self.min_relevance is not None)
        )  # fmt: skip


def search_params(params: QueryParams, per_page: int = 20) -> SearchParams:
    text = _text(params, "q", "recherche", MAX_TEXT) or ""
    since = _date(params, "since", "depuis")
    until = _date(params, "until", "jusqu'au")
    lo, hi = _number(params, "min_value", "valeur min."), _number(params, "max_value", "valeur max.")
    _check_range(since, until, lo, hi)
    sources = tuple(dict.fromkeys(s.strip() for s in params.getlist("source") if s.strip()))
    if len(sources) > 50 or any(len(s) > 100 for s in sources):
        raise BadRequest("Trop de sources, ou nom de source trop long.")
    order = (params.get("order") or "").strip() or ("relevance" if text else "date")
    if order not in ORDERS:
        raise BadRequest("« tri » : valeur attendue « relevance » ou « date ».")
    min_rel = _number(params, "min_relevance", "pertinence min.")
    return SearchParams(
        text=text,
        since=since,
        until=until,
        sources=sources,
        org=_text(params, "org", "organisation"),
        person=_text(params, "person", "personne"),
        theme=_text(params, "theme", "thème"),
        unit=_unit(params),
        metric=_metric(params),
        period=_text(params, "period", "période", 20),
        indicator=_indicator(params),
        status=_statuses(params),
        min_value=lo,
        max_value=hi,
        min_relevance=min_rel,
        order=order,
        all_versions=(params.get("all_versions") or "") in ("1", "on", "true"),
        exact_total=params.get("total") == "exact",
        page=_int(params, "page", "page", 1, 1, MAX_PAGE),
        per_page=_int(params, "per_page", "résultats par page", per_page, 1, 100),
        raw=tuple((k, v) for k, v in params.multi_items() if v != "" and k != "page"),
    )


@dataclass(frozen=True)
class FigureParams:
    text: str = ""
    unit: str | None = None
    metric: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    period: str | None = None
    indicator: str | None = None
    status: tuple[str, ...] = ()
    org: str | None = None
    source: str | None = None
    since: date | None = None
    until: date | None = None
    order: str = "date"
    exact_total: bool = False
    copies: bool = False  # every copy of a syndicated story as its own row
    page: int = 1
    per_page: int = 50
    raw: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def query(self, *, everything: bool = False, cap: int = 10_000) -> Any:
        from veille.archive.search import FigureQuery

        return FigureQuery(
            text=self.text,
            unit=self.unit,
            metric=self.metric,
            min_value=self.min_value,
            max_value=self.max_value,
            period=self.period,
            indicator=self.indicator,
            status=self.status,
            org=self.org,
            source=self.source,
            since=self.since,
            until=self.until,
            limit=cap if everything else self.per_page,
            offset=0 if everything else (self.page - 1) * self.per_page,
            order=self.order,
            exact_total=self.exact_total,
            copies=self.copies,
        )


FIGURE_ORDERS = {"date": "date", "value": "valeur"}


def figure_params(params: QueryParams) -> FigureParams:
    since = _date(params, "since", "depuis")
    until = _date(params, "until", "jusqu'au")
    lo, hi = _number(params, "min_value", "valeur min."), _number(params, "max_value", "valeur max.")
    _check_range(since, until, lo, hi)
    per_page = _int(params, "per_page", "lignes par page", 50, 1, 500)
    order = (params.get("order") or "date").strip() or "date"
    if order not in FIGURE_ORDERS:
        raise BadRequest("« tri » : valeur attendue « date » ou « value ».")
    return FigureParams(
        text=_text(params, "q", "texte", MAX_TEXT) or "",
        unit=_unit(params),
        metric=_metric(params),
        min_value=lo,
        max_value=hi,
        period=_text(params, "period", "période", 20),
        indicator=_indicator(params),
        status=_statuses(params),
        org=_text(params, "org", "organisation"),
        source=_text(params, "source", "source", 100),
        since=since,
        until=until,
        order=order,
        exact_total=params.get("total") == "exact",
        copies=(params.get("copies") or "") in ("1", "on", "true"),
        page=_int(params, "page", "page", 1, 1, 100_000),
        per_page=per_page,
        raw=tuple((k, v) for k, v in params.multi_items() if v != "" and k != "page"),
    )
