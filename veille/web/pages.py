"""The read-only pages: search, article, organisations, figures explorer, sources, digests.

Open to anyone when ``public_read = true``, otherwise behind the admin login.
Handlers are plain ``def``: FastAPI runs them in its thread pool, next to the store's
connection pool.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode, urlsplit

import nh3
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from veille import search as s
from veille.models import UNITS
from veille.query import QueryError
from veille.store import fold
from veille.web import data, export
from veille.web.charts import weekly_bars
from veille.web.errors import BadRequest, LoginRequired, french_query_error
from veille.web.highlight import Span, highlight
from veille.web.params import (
    MAX_PAGE,
    PER_PAGE_CHOICES,
    FigureParams,
    SearchParams,
    figure_params,
    search_params,
)
from veille.web.render import UNIT_LABELS


def reader(request: Request) -> None:
    """Read-only pages need the login when ``public_read = false``."""
    if not request.app.state.web.public_read:
        session = request.scope["state"]["session"]
        if not session.admin:
            raise LoginRequired()


router = APIRouter(dependencies=[Depends(reader)])


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return request.app.state.renderer.page(request, name, context, status)


def not_found(message: str | None = None) -> HTTPException:
    return HTTPException(404, message or "Cette page n'existe pas ou plus.")


# -- pagination and query strings -----------------------------------------------------------


def query_string(pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    return urlencode(list(pairs))


class Pages:
    """Page links keeping every other parameter."""

    def __init__(
        self, path: str, pairs: tuple[tuple[str, str], ...], total: int, page: int, per_page: int
    ) -> None:
        self.current = page
        self.count = min(max(1, math.ceil(total / per_page)), MAX_PAGE) if total else 1
        base = [(k, v) for k, v in pairs if k != "page"]

        def href(n: int) -> str:
            qs = query_string(base + ([("page", str(n))] if n > 1 else []))
            return f"{path}?{qs}" if qs else path

        self.prev = href(page - 1) if page > 1 else None
        self.next = href(page + 1) if page < self.count else None
        window = sorted({1, self.count, *range(max(1, page - 2), min(self.count, page + 2) + 1)})
        self.links: list[tuple[int, str | None]] = []
        for i, n in enumerate(window):
            if i and n - window[i - 1] > 1:
                self.links.append((0, None))
            self.links.append((n, href(n)))


# -- search ---------------------------------------------------------------------------------

FACETS = (
    ("sources", "source", "Sources"),
    ("organisations", "org", "Organisations"),
    ("themes", "theme", "Thèmes"),
    ("units", "unit", "Unités des chiffres"),
    ("periods", "period", "Périodes des chiffres"),
)
CHIP_LABELS = {
    "source": "source",
    "org": "organisation",
    "person": "personne",
    "theme": "thème",
    "unit": "unité",
    "metric": "indicateur",
    "period": "période",
    "min_value": "valeur min.",
    "max_value": "valeur max.",
    "since": "depuis",
    "until": "jusqu'au",
    "min_relevance": "pertinence min.",
}
HIDDEN_KEYS = (
    "source",
    "org",
    "person",
    "theme",
    "unit",
    "metric",
    "period",
    "min_value",
    "max_value",
    "min_relevance",
)


def _without(pairs: tuple[tuple[str, str], ...], key: str, value: str | None = None) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if not (k == key and (value is None or v == value))]


def _facet_view(p: SearchParams, facets: dict[str, list[tuple[str, int]]]) -> list[dict[str, Any]]:
    out = []
    for key, param, label in FACETS:
        entries = facets.get(key) or []
        if not entries:
            continue
        items = []
        for value, count in entries:
            if param == "source":
                active = value in p.sources
                pairs = _without(p.raw, "source", value) if active else [*p.raw, ("source", value)]
            else:
                active = getattr(p, param) == value
                pairs = _without(p.raw, param) + ([] if active else [(param, value)])
            items.append(
                {
                    "label": UNIT_LABELS.get(value, value) if param == "unit" else value,
                    "count": count,
                    "active": active,
                    "href": "/?" + query_string(pairs) if pairs else "/",
                }
            )
        out.append({"label": label, "items": items})
    return out


def _chips(p: SearchParams) -> list[tuple[str, str, str]]:
    chips = []
    for k, v in p.raw:
        if k in CHIP_LABELS:
            shown = UNIT_LABELS.get(v, v) if k == "unit" else v
            rest = _without(p.raw, k, v)
            chips.append((CHIP_LABELS[k], shown, "/?" + query_string(rest) if rest else "/"))
    return chips


@router.get("/", response_class=HTMLResponse, summary="Recherche (page)")
def search_page(request: Request) -> Response:
    store = request.app.state.store
    error = None
    status = 200
    try:
        p = search_params(request.query_params, request.app.state.web.per_page)
    except BadRequest as exc:
        p, error, status = SearchParams(), str(exc), 400
    result = s.SearchResult([], 0, {})
    if error is None:
        try:
            result = s.search(store, p.query())
        except QueryError as exc:
            error, status = french_query_error(exc), 400
    pages = Pages("/", p.raw, result.total, p.page, p.per_page)
    return _page(
        request,
        "search.html",
        {
            "p": p,
            "hits": result.hits,
            "total": result.total,
            "total_exact": result.total_exact,
            "facets_sample": result.facets_sample,
            "facets": _facet_view(p, result.facets),
            "chips": _chips(p),
            "hidden": [(k, v) for k, v in p.raw if k in HIDDEN_KEYS],
            "pages": pages,
            "first_rank": (p.page - 1) * p.per_page + 1,
            "error": error,
            "order_choice": request.query_params.get("order", "") if status == 200 else "",
        },
        status,
    )


# -- article ----------------------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the archive: a scraped ``javascript:`` URL is dropped."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def sentence_anchor(sentence_start: int) -> str:
    return f"phrase-{sentence_start}"


def article_spans(
    detail: s.ArticleDetail, mentions: list[data.MentionSpan]
) -> tuple[list[Span], list[dict[str, Any]]]:
    spans: list[Span] = []
    figures: list[dict[str, Any]] = []
    seen_sentences: set[int] = set()
    for i, f in enumerate(detail.figures, start=1):
        end = f.sentence_start + len(f.sentence or "")
        if f.sentence and f.sentence_start not in seen_sentences:
            seen_sentences.add(f.sentence_start)
            spans.append(
                Span(
                    f.sentence_start,
                    end,
                    "span",
                    (("class", "phrase"),),
                    0,
                    sentence_anchor(f.sentence_start),
                )
            )
        label = f.formatted + (f" — {f.metric}" if f.metric else "") + (f" ({f.period})" if f.period else "")
        spans.append(
            Span(f.start, f.end, "mark", (("class", "chiffre"), ("title", label)), 2, f"chiffre-{i}")
        )
        figures.append(
            {
                "display": f.formatted,
                "unit": f.unit,
                "metric": f.metric,
                "period": f.period,
                "sentence": f.sentence,
                "anchor": f"chiffre-{i}",
                "sentence_anchor": sentence_anchor(f.sentence_start) if f.sentence else f"chiffre-{i}",
            }
        )
    taken: list[tuple[int, int]] = []
    for m in mentions:
        if any(m.start < b and a < m.end for a, b in taken):
            continue  # overlapping mentions would nest links
        taken.append((m.start, m.end))
        spans.append(
            Span(
                m.start,
                m.end,
                "a",
                (("class", "org"), ("href", f"/organisations/{_path(m.name)}"), ("title", m.name)),
                1,
            )
        )
    return spans, figures


def _path(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@router.get("/articles/{article_id}", response_class=HTMLResponse, summary="Article (page)")
def article_page(request: Request, article_id: str) -> Response:
    if not article_id.isdigit() or len(article_id) > 12:
        raise not_found("Aucun article ne porte ce numéro.")
    store = request.app.state.store
    detail = s.article_detail(store, int(article_id))
    if detail is None:
        raise not_found("Aucun article ne porte ce numéro.")
    spans, figures = article_spans(detail, data.org_mention_spans(store, detail.id))
    return _page(
        request,
        "article.html",
        {
            "a": {
                "id": detail.id,
                "title": detail.title,
                "source": detail.source,
                "published": detail.published,
                "author": detail.author,
                "lead": detail.lead,
                "themes": detail.themes,
                "word_count": len(detail.text.split()),
                "partial": False,
            },
            "original_url": safe_url(detail.canonical_url) or safe_url(detail.url),
            "others": detail.other_sources,
            "body": highlight(detail.text, spans),
            "figures": figures,
            "orgs": sorted(detail.organisations, key=lambda o: (-o.count, o.name)),
            "persons": detail.persons,
        },
    )


# -- organisations -------------------------------------------------------------------------


@router.get("/organisations", response_class=HTMLResponse, summary="Organisations (page)")
def organisations_page(request: Request, q: str = "") -> Response:
    q = q.strip()[:200]
    rows = s.org_stats(request.app.state.store)
    if q:
        key = fold(q)
        rows = [r for r in rows if key in fold(r.name) or any(key in fold(a) for a in r.aliases)]
    return _page(request, "organisations.html", {"rows": rows[:500], "q": q})


def _figure_view(f: s.FigureRow) -> dict[str, Any]:
    return {
        "article_id": f.article_id,
        "published": f.published,
        "source": f.source,
        "title": f.title,
        "display": f.formatted,
        "unit": f.unit,
        "metric": f.metric,
        "period": f.period,
        "organisations": f.organisations,
        "sentence": f.sentence,
        "fragment": f"#{sentence_anchor(f.sentence_start)}" if f.sentence else "",
    }


@router.get("/organisations/{name:path}", response_class=HTMLResponse, summary="Organisation (page)")
def organisation_page(request: Request, name: str) -> Response:
    if not name.strip() or len(name) > 300:
        raise not_found("Organisation inconnue.")
    detail = s.organisation(request.app.state.store, name)
    if detail is None:
        raise not_found(f"Aucune organisation connue sous le nom « {name[:100]} ».")
    if detail.name != name:  # an alias or another spelling: one URL per organisation
        return RedirectResponse(f"/organisations/{_path(detail.name)}", status_code=301)
    weeks_total = sum(n for _, n in detail.weekly_mentions)
    return _page(
        request,
        "organisation.html",
        {
            "org": detail,
            "aliases": [a for a in detail.aliases if a != detail.acronym],
            "chart": weekly_bars(detail.weekly_mentions, title=f"Mentions de {detail.name} par semaine"),
            "weeks_total": weeks_total,
            "figures": [_figure_view(f) for f in detail.figures],
            "articles": detail.articles[:20],
        },
    )


# -- figures explorer ------------------------------------------------------------------------


def _figures(request: Request, p: FigureParams, everything: bool = False) -> s.FigureResult:
    return s.figures(request.app.state.store, p.query(everything=everything))


@router.get("/chiffres", response_class=HTMLResponse, summary="Explorateur de chiffres (page)")
def figures_page(request: Request) -> Response:
    error, status = None, 200
    try:
        p = figure_params(request.query_params)
    except BadRequest as exc:
        p, error, status = FigureParams(), str(exc), 400
    result = s.FigureResult([], 0)
    if error is None:
        try:
            result = _figures(request, p)
        except QueryError as exc:
            error, status = french_query_error(exc), 400
    export_pairs = [*p.raw, *([("page", str(p.page))] if p.page > 1 else [])]
    return _page(
        request,
        "figures.html",
        {
            "p": p,
            "rows": [_figure_view(f) for f in result.rows],
            "total": result.total,
            "columns": export.TABLE_COLUMNS,
            "units": UNITS,
            "per_page_choices": PER_PAGE_CHOICES
            if p.per_page in PER_PAGE_CHOICES
            else sorted({*PER_PAGE_CHOICES, p.per_page}),
            "pages": Pages("/chiffres", p.raw, result.total, p.page, p.per_page),
            "export_qs": query_string(export_pairs),
            "error": error,
        },
        status,
    )


@router.get("/chiffres.csv", summary="Chiffres affichés, en CSV")
def figures_csv(request: Request) -> Response:
    p = figure_params(request.query_params)
    rows = _figures(request, p).rows
    return Response(
        export.to_csv(rows, request.base_url),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="veille-chiffres.csv"'},
    )


@router.get("/chiffres.xlsx", summary="Chiffres affichés, en XLSX")
def figures_xlsx(request: Request) -> Response:
    p = figure_params(request.query_params)
    rows = _figures(request, p).rows
    return Response(
        export.to_xlsx(rows, request.base_url),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="veille-chiffres.xlsx"'},
    )


# -- sources -----------------------------------------------------------------------------------


@router.get("/sources", response_class=HTMLResponse, summary="Sources (page)")
def sources_page(request: Request) -> Response:
    sources, problem = data.source_health(request.app.state.settings, request.app.state.store)
    return _page(request, "sources.html", {"sources": sources, "config_error": problem})


@router.get("/sources/{name}", response_class=HTMLResponse, summary="Source (page)")
def source_page(request: Request, name: str) -> Response:
    sources, _ = data.source_health(request.app.state.settings, request.app.state.store)
    found = next((x for x in sources if x.name == name), None)
    if found is None:
        raise not_found(f"Aucune source « {name[:100]} » dans la configuration ni dans l'archive.")
    latest = s.search(
        request.app.state.store,
        s.SearchQuery(sources=(name,), order="date", limit=15, one_per_cluster=False),
        with_facets=False,
    ).hits
    return _page(request, "source.html", {"s": found, "runs": found.runs[:20], "latest": latest})


# -- digests -----------------------------------------------------------------------------------


@router.get("/lettres", response_class=HTMLResponse, summary="Lettres de veille (page)")
def digests_page(request: Request) -> Response:
    return _page(request, "digests.html", {"digests": data.list_digests(request.app.state.store)})


def _digest(request: Request, digest_id: str) -> data.Digest:
    if not digest_id.isdigit() or len(digest_id) > 12:
        raise not_found("Aucune lettre ne porte ce numéro.")
    digest = data.get_digest(request.app.state.store, int(digest_id))
    if digest is None:
        raise not_found("Aucune lettre ne porte ce numéro.")
    return digest


@router.get("/lettres/{digest_id}", response_class=HTMLResponse, summary="Lettre de veille (page)")
def digest_page(request: Request, digest_id: str) -> Response:
    return _page(request, "digest.html", {"d": _digest(request, digest_id)})


DIGEST_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox allow-popups; frame-ancestors 'self'"


@router.get("/lettres/{digest_id}/html", summary="Lettre de veille, HTML nettoyé (pour l'iframe)")
def digest_html(request: Request, digest_id: str) -> Response:
    digest = _digest(request, digest_id)
    attributes = {
        tag: set(attrs) | {"style", "align", "width", "height", "bgcolor", "valign"}
        for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
    }
    attributes["*"] = {"style", "class", "align", "width"}
    for tag in (
        "table",
        "td",
        "th",
        "tr",
        "tbody",
        "thead",
        "div",
        "span",
        "p",
        "a",
        "img",
        "font",
        "center",
    ):
        attributes.setdefault(tag, set()).update(
            {
                "style",
                "align",
                "width",
                "bgcolor",
                "valign",
                "colspan",
                "cellpadding",
                "cellspacing",
                "border",
            }
        )
    clean = nh3.clean(
        digest.html or "",
        tags=set(nh3.ALLOWED_TAGS)
        | {"table", "tbody", "thead", "tr", "td", "th", "font", "center", "span", "div"},
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return HTMLResponse(
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><base target="_blank"></head><body>{clean}</body></html>',
        headers={"content-security-policy": DIGEST_CSP, "x-frame-options": "SAMEORIGIN"},
    )


# -- API overview ------------------------------------------------------------------------------


@router.get("/api", response_class=HTMLResponse, summary="Présentation de l'API")
def api_page(request: Request) -> Response:
    endpoints = [
        (route.path, getattr(route, "summary", "") or "")
        for route in request.app.routes
        if getattr(route, "path", "").startswith("/api/")
    ]
    return _page(request, "api.html", {"endpoints": endpoints})
