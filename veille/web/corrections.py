"""The analysts' corrections on the web: a figure's page (``/articles/{id}/chiffres/{start}-{end}``:
its sentence, its history, confirm, correct or reject), a missed figure added from the article
page (the words selected in its text), an article marked "vérifié", and the list of corrections
(``/corrections``: the latest, and those whose words the text no longer holds).

Every route needs the role ``analyste`` (:data:`veille.web.auth.Analyst`) and a CSRF token. A thin
layer over :mod:`veille.archive.corrections`; the values are checked by
:func:`veille.core.corrections.read_fields` (one French message naming every field refused).
A form names the version of the figure it was shown on: when another analyst corrected it
meanwhile, the page comes back (409) with that change and the analyst's own values, to confirm.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException

from veille.archive import corrections as corr
from veille.archive.overlay import Correction
from veille.archive.overview import refresh_series, series_of
from veille.archive.search import article_detail
from veille.core.corrections import ACTION_LABELS, CorrectionError, FigureFields, read_fields
from veille.core.formatting import PER_LABELS, STATUS_LABELS, UNIT_LABELS, format_value, indicator_label
from veille.core.models import SCOPE_KINDS
from veille.web.auth import Analyst, check_csrf

router = APIRouter()
SCOPE_LABELS = {
    "zone": "zone",
    "organisation": "organisation",
    "region": "région",
    "country": "pays",
    "sector": "segment",
}
DONE = {
    "confirm": "Chiffre confirmé.",
    "correct": "Chiffre corrigé.",
    "reject": "Chiffre rejeté.",
    "add": "Chiffre ajouté.",
    "verifie": "Article marqué vérifié : ses chiffres non revus sont confirmés.",
}


def figure_form(
    value: Annotated[str, Form(max_length=60)] = "",
    range_max: Annotated[str, Form(max_length=60)] = "",
    unit: Annotated[str, Form(max_length=20)] = "",
    per: Annotated[str, Form(max_length=20)] = "",
    period: Annotated[str, Form(max_length=20)] = "",
    indicator: Annotated[str, Form(max_length=40)] = "",
    status: Annotated[str, Form(max_length=20)] = "actual",
    scope_kind: Annotated[str, Form(max_length=20)] = "",
    scope: Annotated[str, Form(max_length=200)] = "",
    organisations: Annotated[str, Form(max_length=3000)] = "",
) -> dict[str, str]:
    """The figure's fields as the form sent them."""
    return {"value": value, "range_max": range_max, "unit": unit, "per": per, "period": period,
            "indicator": indicator, "status": status, "scope_kind": scope_kind, "scope": scope,
            "organisations": organisations}  # fmt: skip


FigureForm = Annotated[dict[str, str], Depends(figure_form)]


def _number(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def form_values(values: dict[str, Any] | None) -> dict[str, str]:
    """A figure's values as the form shows them."""
    v = values or {}
    return {
        "value": _number(v.get("value")), "range_max": _number(v.get("range_max")), "unit": v.get("unit") or "",
        "per": v.get("per") or "", "period": v.get("period") or "", "indicator": v.get("indicator") or "",
        "status": v.get("status") or "actual", "scope_kind": v.get("scope_kind") or "", "scope": v.get("scope") or "",
        "organisations": "\n".join(v.get("organisations") or []),
    }  # fmt: skip


def choices(request: Request) -> dict[str, Any]:
    """What the form's menus offer: units, rates, statuses, indicators, scope kinds."""
    taxonomy = request.app.state.settings.taxonomy
    return {
        "units": list(UNIT_LABELS.items()),
        "pers": list(PER_LABELS.items()),
        "statuses": list(STATUS_LABELS.items()),
        "indicators": [(k, spec.label) for k, spec in taxonomy.indicators.items()],
        "scope_kinds": [(k, SCOPE_LABELS.get(k, k)) for k in SCOPE_KINDS],
    }


def describe(values: dict[str, Any] | None) -> str:
    """A figure's values in one French line (for a history or a conflict)."""
    if not values:
        return "(aucun chiffre)"
    try:
        shown = format_value(values["value"], values["unit"], approx=bool(values.get("approx")),
                             qualifier=values.get("qualifier"), range_max=values.get("range_max"), per=values.get("per"))  # fmt: skip
    except (KeyError, TypeError, ValueError):
        shown = str(values.get("value"))
    parts = [shown, indicator_label(values.get("indicator")), STATUS_LABELS.get(values.get("status") or "", ""),
             values.get("period") or "", values.get("scope") or "", ", ".join(values.get("organisations") or [])]  # fmt: skip
    return " · ".join(p for p in parts if p)


def _ids(article_id: str, key: str) -> tuple[int, int, int]:
    start, _, end = key.partition("-")
    if (
        not (article_id.isdigit() and start.isdigit() and end.isdigit())
        or max(len(article_id), len(key)) > 24
    ):
        raise HTTPException(404, "Ce chiffre n'existe pas.")
    return int(article_id), int(start), int(end)


def _figure_page(
    request: Request, article_id: int, start: int, end: int, *, submitted: dict[str, str] | None = None,
    error: str | None = None, conflict: corr.Conflict | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    store = request.app.state.store
    state = corr.figure_state(store, article_id, start, end)
    detail = article_detail(store, article_id)
    if state is None or detail is None:
        raise HTTPException(404, "Ce chiffre n'existe pas (ou plus) dans cet article.")
    sentence = _sentence(detail.text, start, end, state.values)
    context = {
        "article": detail, "state": state, "sentence": sentence, "values": submitted or form_values(state.values),
        "version": conflict.latest.version if conflict else state.version, "error": error, "conflict": conflict,
        "conflict_after": describe(conflict.latest.after) if conflict else "", "shown": describe(state.values),
        "history": [(c, ACTION_LABELS[c.action], describe(c.before), describe(c.after)) for c in reversed(state.history)],
        "notice": DONE.get(request.query_params.get("ok", "")), "key": f"{start}-{end}", **choices(request),
    }  # fmt: skip
    return request.app.state.renderer.page(request, "figure.html", context, status)


def _sentence(text: str, start: int, end: int, values: dict[str, Any] | None) -> Markup:
    """The figure's sentence, the figure's words marked."""
    s0 = (values or {}).get("sentence_start")
    s1 = (values or {}).get("sentence_end")
    if not isinstance(s0, int) or not isinstance(s1, int) or not s0 <= start < end <= s1:
        s0, s1 = corr.sentence_bounds(text, start, end)
    return Markup(
        f'{escape(text[s0:start])}<mark class="chiffre">{escape(text[start:end])}</mark>{escape(text[end:s1])}'
    )


@router.get(
    "/articles/{article_id}/chiffres/{key}", response_class=HTMLResponse, summary="Chiffre (correction)"
)
def figure_page(request: Request, article_id: str, key: str, _: Analyst) -> Response:
    return _figure_page(request, *_ids(article_id, key))


@router.post(
    "/articles/{article_id}/chiffres/{key}", response_class=HTMLResponse, dependencies=[Depends(check_csrf)]
)
def correct_figure(
    request: Request, article_id: str, key: str, session: Analyst, form: FigureForm,
    action: Annotated[str, Form(max_length=20)] = "", version: Annotated[int, Form(ge=0)] = 0,
) -> Response:  # fmt: skip
    aid, start, end = _ids(article_id, key)
    store = request.app.state.store
    assert session.account is not None  # an analyste is logged in
    try:
        fields: FigureFields | None = None
        if action == "correct":
            fields = read_fields(form, request.app.state.settings.taxonomy)
        done = corr.correct(store, aid, start, end, action, fields, session.account, based_on=version)
    except corr.Conflict as exc:
        return _figure_page(request, aid, start, end, submitted=form, conflict=exc, status=409)
    except corr.FigureNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except CorrectionError as exc:
        return _figure_page(request, aid, start, end, submitted=form, error=str(exc), status=400)
    _refresh_series(request, done)
    return RedirectResponse(
        f"/articles/{aid}/chiffres/{start}-{end}?" + urlencode({"ok": action}), status_code=303
    )


def _refresh_series(request: Request, c: Correction) -> None:
    """The series the figure left and joined, computed again for the indicators' list and the
    "à vérifier" page (:mod:`veille.archive.overview`)."""
    rule = request.app.state.settings.series_rule
    keys = [k for k in (series_of(c.before, rule), series_of(c.after, rule)) if k is not None]
    refresh_series(request.app.state.store, rule, keys)


@router.post(
    "/articles/{article_id}/chiffres", response_class=HTMLResponse, dependencies=[Depends(check_csrf)]
)
def add_figure(
    request: Request, article_id: str, session: Analyst, form: FigureForm,
    start: Annotated[int, Form(ge=0)] = 0, end: Annotated[int, Form(ge=0)] = 0,
    words: Annotated[str, Form(max_length=300)] = "",
) -> Response:  # fmt: skip
    """A figure the extractor missed: the words selected in the text (``start``/``end``, set by
    the page's script), or typed (their first occurrence in the text)."""
    store = request.app.state.store
    aid = _ids(article_id, "0-0")[0]
    detail = article_detail(store, aid)
    if detail is None:
        raise HTTPException(404, "Aucun article ne porte ce numéro.")
    assert session.account is not None
    if words.strip() and detail.text[start:end] != words:  # typed, or the selection is off: find the words
        found = detail.text.find(words.strip())
        start, end = (found, found + len(words.strip())) if found >= 0 else (0, 0)
    try:
        fields = read_fields(form, request.app.state.settings.taxonomy)
        c = corr.add(store, aid, start, end, fields, session.account)
    except CorrectionError as exc:
        query = urlencode({"erreur": str(exc)[:500], "mots": words[:300]})
        return RedirectResponse(f"/articles/{aid}?{query}#ajouter", status_code=303)
    _refresh_series(request, c)
    return RedirectResponse(f"/articles/{aid}/chiffres/{c.start}-{c.end}?ok=add", status_code=303)


@router.post("/articles/{article_id}/verifie", dependencies=[Depends(check_csrf)])
def verify(request: Request, article_id: str, session: Analyst) -> Response:
    aid = _ids(article_id, "0-0")[0]
    assert session.account is not None
    try:
        corr.mark_verified(request.app.state.store, aid, session.account)
    except CorrectionError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse(f"/articles/{aid}?ok=verifie", status_code=303)


@router.get("/chiffres/{figure_id}/correction", summary="Chiffre (correction), par son numéro")
def figure_by_id(request: Request, figure_id: str, _: Analyst) -> Response:
    """A figure's correction page from its row number (the indicator pages' citations link here)."""
    key = (
        corr.figure_key(request.app.state.store, int(figure_id))
        if figure_id.isdigit() and len(figure_id) < 12
        else None
    )
    if key is None:
        raise HTTPException(404, "Ce chiffre n'existe plus (l'extraction a changé) : rechargez la page.")
    aid, start, end = key
    return RedirectResponse(f"/articles/{aid}/chiffres/{start}-{end}", status_code=303)


@router.get("/corrections", response_class=HTMLResponse, summary="Corrections")
def corrections_page(request: Request, _: Analyst) -> Response:
    store = request.app.state.store
    latest = corr.history(store, limit=200)
    context = {
        "latest": [(c, ACTION_LABELS[c.action], describe(c.before), describe(c.after)) for c in latest],
        "stale": corr.stale(store),
        "reviews": corr.reviews(store)[-50:][::-1],
        "total": corr.count(store),
    }
    return request.app.state.renderer.page(request, "corrections.html", context)
