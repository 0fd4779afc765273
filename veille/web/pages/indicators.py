"""The indicator series' pages: the indicators (``/indicateurs``), one indicator's series with its
chart and points (``/indicateurs/{key}``), one point and its citations
(``/indicateurs/{key}/point``), and the points whose citations disagree (``/a-verifier``).

A series' points come from :mod:`veille.archive.indicators` (the figures grouped in the
database, kept until the archive's next write); the indicators' list and the points to check
from every point of the archive, kept in it (:mod:`veille.archive.overview`); a point's citations, with
their sentences, are read a page at a time when its own page or the "à vérifier" page shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from veille.archive.indicators import SeriesQuery, point, scopes, series, sides_of
from veille.archive.overview import counts, flagged, overview
from veille.archive.points import IndicatorCounts
from veille.core.formatting import (
    GRAIN_LABELS,
    RULE_LABELS,
    SCOPE_KIND_LABELS,
    format_value,
    indicator_label,
    period_label,
    status_label,
)
from veille.core.period_labels import GRAINS
from veille.core.series import Citation, Point, SeriesRule
from veille.core.taxonomy import load_taxonomy
from veille.queries import series_query
from veille.study.report import StudyError, build_study, default_scope, pick
from veille.web.auth import Analyst, check_csrf
from veille.web.charts import ChartPoint, period_position, series_chart
from veille.web.pages.common import Pages, not_found, page_router, render
from veille.web.params import built
from veille.web.render import fr_number

router = page_router()
CONFLICTS_PER_PAGE = 10
CITATIONS_PER_PAGE = 100
SIDE = 4  # sentences shown on each side of a conflict; the point's page has them all
NAMES = {"indicator": "indicateur", "scope": "portée", "scope_kind": "portée", "unit": "unité", "grain": "grain",
         "status": "statut", "period": "période", "per": "par"}  # fmt: skip


def _rule(request: Request) -> SeriesRule:
    rule: SeriesRule = request.app.state.settings.series_rule
    return rule


def _known(key: str) -> None:
    if key not in load_taxonomy().indicators:
        raise not_found("Cet indicateur n'existe pas (voir config/indicators.toml).")


def scope_param(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def point_href(p: Point) -> str:
    """The page of a point and its citations."""
    query = urlencode(
        {"statut": p.status, "portee": scope_param(p.scope_kind, p.scope), "periode": p.period, "unite": p.unit,
         "par": p.per or ""}
    )  # fmt: skip
    return f"/indicateurs/{p.indicator}/point?{query}"


def shown(value: float, p: Point, range_max: float | None = None) -> str:
    return format_value(value, p.unit, range_max=range_max, per=p.per)


def point_view(p: Point) -> dict[str, Any]:
    """What the tables show of a point."""
    progress = p.progress
    return {
        "p": p,
        "href": point_href(p),
        "status_label": status_label(p.status),
        "period_label": period_label(p.period),
        "value": shown(p.value, p, p.range_max),
        "rule_label": RULE_LABELS.get(p.rule, p.rule),
        "spread": "" if p.low == p.high else f"{shown(p.low, p)} – {shown(p.high, p)}",
        "low": shown(p.low, p),
        "high": shown(p.high, p),
        "scope_label": f"{SCOPE_KIND_LABELS.get(p.scope_kind, p.scope_kind)} : {p.scope}",
        "indicator_label": indicator_label(p.indicator),
        "progress": None
        if progress is None
        else {
            "share": progress.share,
            "value": shown(progress.value, p),
            "period": period_label(progress.period),
        },
    }


@router.get("/indicateurs", response_class=HTMLResponse, summary="Indicateurs et leurs séries (page)")
def indicators_page(request: Request) -> Response:
    store = request.app.state.store
    every = overview(store, _rule(request))
    rows = catalogue(counts(store))
    return render(
        request,
        "indicators.html",
        {"rows": rows, "conflicts": sum(r["conflicts"] for r in rows), "overview": every},
    )


def catalogue(found: Sequence[IndicatorCounts]) -> list[dict[str, Any]]:
    """One row per indicator of the taxonomy with points: how many points, citations, scopes,
    targets and points to check."""
    by_key = {c.indicator: c for c in found}
    rows = []
    for key, spec in load_taxonomy().indicators.items():
        c = by_key.get(key)
        if c is not None and c.points:
            rows.append(
                {"key": key, "label": spec.label, "definition": spec.definition, "points": c.points,
                 "citations": c.citations, "scopes": c.scopes, "targets": c.targets, "conflicts": c.conflicts}
            )  # fmt: skip
    return sorted(rows, key=lambda r: (-r["citations"], r["label"]))


@router.get("/indicateurs/{key}", response_class=HTMLResponse, summary="Série d'un indicateur (page)")
def indicator_page(key: str, request: Request) -> Response:
    _known(key)
    rule, store = _rule(request), request.app.state.store
    params = request.query_params
    found = scopes(store, rule, key)
    chosen_scope = params.get("portee") or ""
    if not chosen_scope:
        default = default_scope(found, rule)
        chosen_scope = scope_param(default.kind, default.name) if default else ""
    q = built(series_query, NAMES, indicator=key, scope=chosen_scope, unit=params.get("unite"),
              grain=params.get("grain"))  # fmt: skip
    every = series(store, SeriesQuery(indicator=key, scope_kind=q.scope_kind, scope=q.scope), rule)
    unit = pick(every, "unit", q.unit, None)
    in_unit = [p for p in every if p.unit == unit]
    grain = pick(in_unit, "grain", q.grain, "year")
    points = [p for p in in_unit if p.grain == grain]
    place = chosen_scope.partition(":")[2] or chosen_scope
    title = f"{indicator_label(key)} — {place}" if place else indicator_label(key)
    chart = series_chart([chart_point(p) for p in points], title=title,
                         value_label=lambda v: format_value(v, unit or "count"))  # fmt: skip
    return render(
        request,
        "indicator.html",
        {
            "key": key, "label": indicator_label(key), "definition": load_taxonomy().indicators[key].definition,
            "title": title, "chart": chart, "rows": [point_view(p) for p in _by_status(points)],
            "scope_choices": [(scope_param(s.kind, s.name), f"{s.name} ({SCOPE_KIND_LABELS.get(s.kind, s.kind)}, "
                               f"{s.figures} chiffre{'s' if s.figures > 1 else ''})") for s in found],
            "scope": chosen_scope, "unit": unit, "grain": grain,
            "unit_choices": sorted({p.unit for p in every}),
            "grain_choices": [(g, GRAIN_LABELS[g]) for g in GRAINS if any(p.grain == g for p in in_unit)],
            "conflicts": sum(1 for p in points if p.conflict),
        },
    )  # fmt: skip


@router.post(
    "/indicateurs/{key}/etude", summary="Étude d'un indicateur (zip)", dependencies=[Depends(check_csrf)]
)
def study_zip_route(
    key: str, request: Request, _: Analyst, de: Annotated[int, Form(ge=1900, le=2100)] = 2014,
    a: Annotated[int, Form(ge=1900, le=2100)] = 2026, portee: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    """The study of this indicator over the years ``de``..``a`` (of the scope shown): its HTML,
    PDF, DOCX and PNG chart in one zip, as ``veille study`` writes them."""
    from veille.core.sources import source_labels
    from veille.study.files import study_zip

    _known(key)
    q = built(series_query, NAMES, scope=portee or None)
    scope = (q.scope_kind, q.scope) if q.scope_kind and q.scope else None
    settings = request.app.state.settings
    try:
        study = build_study(request.app.state.store, _rule(request), [key], de, a, scope=scope,
                            outlets=source_labels(settings.sources), rates_source=settings.rates.source)  # fmt: skip
        data = study_zip(study)
    except StudyError as exc:
        raise HTTPException(400 if exc.exit_code == 2 else 404, str(exc)) from None
    name = f"etude-{key}-{de}-{a}.zip"
    return Response(
        data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def chart_point(p: Point) -> ChartPoint:
    """A point as the chart draws it: a target with the actual point its progress is measured on."""
    label = (
        f"{period_label(p.period)} · {status_label(p.status)} : {shown(p.value, p, p.range_max)} "
        f"({p.citations_count} citation{'s' if p.citations_count > 1 else ''})"
        + (" — citations en désaccord" if p.conflict else "")
    )
    progress = p.progress
    return ChartPoint(
        p.status, period_position(p.period), p.value, label, point_href(p), p.conflict,
        reached=(period_position(progress.period), progress.value) if progress else None,
    )  # fmt: skip


def _by_status(points: list[Point]) -> list[Point]:
    order = {"actual": 0, "target": 1, "forecast": 2, "announced": 3}
    return sorted(points, key=lambda p: (order.get(p.status, 9), period_position(p.period), p.period))


def marked(c: Citation) -> Markup:
    """The citation's sentence, escaped, its figure's words in <mark>."""
    sentence, words = c.sentence or c.text, c.text
    at = sentence.find(words) if words else -1
    if at < 0:
        return Markup(escape(sentence))
    return Markup(f"{escape(sentence[:at])}<mark>{escape(words)}</mark>{escape(sentence[at + len(words) :])}")


def citation_view(c: Citation, p: Point) -> dict[str, Any]:
    """What the lists show of a citation; one that disagrees says how far it is from the point's
    chosen value."""
    value = c.value_mad if c.value_mad is not None else c.value
    gap = (value - p.value) / abs(p.value) * 100 if p.value and not c.agrees else None
    return {
        "c": c,
        "gap": None if gap is None else ("+" if gap > 0 else "−") + f"{fr_number(abs(gap), 1)} %",
        "sentence": marked(c),
        "value": format_value(c.value, c.unit, approx=c.approx, qualifier=c.qualifier, range_max=c.range_max,
                              per=c.per),
        "converted": None if c.rate is None else shown(c.value_mad or 0.0, p),
    }  # fmt: skip


@router.get(
    "/indicateurs/{key}/point",
    response_class=HTMLResponse,
    summary="Un point d'une série et ses citations (page)",
)
def point_page(key: str, request: Request) -> Response:
    _known(key)
    params = request.query_params
    q = built(series_query, NAMES, indicator=key, scope=params.get("portee"), unit=params.get("unite"),
              status=params.get("statut"), period=params.get("periode"), per=params.get("par") or "")  # fmt: skip
    if not (q.statuses and q.scope_kind and q.scope and q.period and q.unit):
        raise not_found("Ce point n'existe pas : il faut un statut, une portée, une période et une unité.")
    rule, store = _rule(request), request.app.state.store
    page = built(_page_number, NAMES, value=params.get("page"))
    key_of = (key, q.statuses[0], q.scope_kind, q.scope, q.period, q.unit, q.per or "")
    found = point(store, key_of, rule, limit=CITATIONS_PER_PAGE, offset=(page - 1) * CITATIONS_PER_PAGE)
    if found is None:
        raise not_found("Aucun chiffre de l'archive ne donne ce point.")
    back = f"/indicateurs/{key}?" + urlencode({"portee": scope_param(found.scope_kind, found.scope),
                                                "unite": found.unit, "grain": found.grain})  # fmt: skip
    pairs = tuple((k, v) for k, v in params.multi_items() if k != "page")
    return render(
        request,
        "indicator_point.html",
        {"v": point_view(found), "back": back,
         "citations": [citation_view(c, found) for c in found.citations],
         "values": [(shown(v.value, found, v.range_max), v) for v in found.values],
         "pages": Pages(request.url.path, pairs, found.citations_count, page, CITATIONS_PER_PAGE)},
    )  # fmt: skip


@router.get("/a-verifier", response_class=HTMLResponse, summary="Points dont les citations divergent (page)")
def conflicts_page(request: Request) -> Response:
    params = request.query_params
    q = built(series_query, NAMES, indicator=params.get("indicateur"))
    rule, store = _rule(request), request.app.state.store
    every = overview(store, rule)
    page = built(_page_number, NAMES, value=params.get("page"))
    total, shown_points = flagged(store, q.indicator, (page - 1) * CONFLICTS_PER_PAGE, CONFLICTS_PER_PAGE)
    items = []
    for p, (agreeing, disagreeing) in zip(
        shown_points, sides_of(store, shown_points, rule, SIDE), strict=True
    ):
        chosen_citations = sum(v.citations for v in p.values[:1])
        items.append({"v": point_view(p), "agreeing": [citation_view(c, p) for c in agreeing],
                      "more_agreeing": chosen_citations - len(agreeing),
                      "disagreeing": [citation_view(c, p) for c in disagreeing],
                      "more_disagreeing": p.disagreeing_count - len(disagreeing)})  # fmt: skip
    pairs = tuple((k, v) for k, v in params.multi_items() if v and k != "page")
    taxonomy = load_taxonomy()
    return render(
        request,
        "conflicts.html",
        {"items": items, "total": total, "indicator": q.indicator,
         "indicator_choices": [(k, v.label) for k, v in taxonomy.indicators.items()],
         "pages": Pages("/a-verifier", pairs, total, page, CONFLICTS_PER_PAGE),
         "share": rule.conflict_share, "approx_share": rule.approx_share, "overview": every},
    )  # fmt: skip


def _page_number(value: str | None) -> int:
    from veille.queries import ParameterError

    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise ParameterError("page", "bounds", value, bounds=(1, 10_000))
    return int(value)
