"""The digest review in the admin (``/admin/lettre``): the coming week's draft, pin or exclude.

A thin layer over :mod:`digest.review`, as ``veille digest review`` is: the page composes
the week with the pins/exclusions already recorded, each button changes them
(:func:`~digest.review.update_selection`, stored in the ``digests`` table) and rebuilds the
stored draft (:func:`~digest.review.build_draft`). ``veille digest send`` reads the same
row, so what was reviewed here is what goes out. The preview is the email rendered for a
sample reader, sanitised and shown in a sandboxed iframe like ``/lettres/{id}/html``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from digest.compose import Period, PeriodError, latest_week_with_articles, parse_period, week_period
from digest.review import ReviewError, build_draft, compose_reviewed, update_selection
from veille.archive import search as s
from veille.archive.digests import digest_of
from veille.archive.subscribers import Subscriber
from veille.core.conf.digest import DigestConfig
from veille.core.errors import VeilleError
from veille.web.admin import Admin, check_csrf
from veille.web.pages.digests import sanitised_email

router = APIRouter(prefix="/admin/lettre")

# action in the URL -> (keyword of update_selection, notice shown after it)
ACTIONS = {
    "epingler": ("pin", "Article épinglé : il ouvre sa rubrique pour tous les lecteurs."),
    "desepingler": ("unpin", "Article désépinglé."),
    "retirer": ("exclude", "Article retiré de la lettre (avec ses reprises)."),
    "retablir": ("include", "Article rétabli dans la lettre."),
}
NOTICES = {key: notice for key, (_, notice) in ACTIONS.items()} | {
    "prepare": "Brouillon préparé : la lettre enregistrée est à jour.",
}
SAMPLE_READER = Subscriber(id=0, email="lecteur@example.ma", name="Lectrice Exemple")


def digest_config(request: Request) -> DigestConfig:
    """``digest.toml``, read once per application (a broken file is one line on the page)."""
    state = request.app.state
    config = getattr(state, "digest_config", None)
    if config is None:
        config = state.digest_config = state.settings.digest
    return config  # type: ignore[no-any-return]


def coming_week(config: DigestConfig, now: datetime | None = None) -> Period:
    """The week the next digest covers: the current ISO week where the readers are."""
    return week_period((now or datetime.now(config.tz)).astimezone(config.tz).date(), config.timezone)


def _week(config: DigestConfig, semaine: str) -> Period:
    if not semaine.strip():
        return coming_week(config)
    try:
        period = parse_period(semaine[:40], config.timezone)
    except PeriodError:
        period = None
    if period is None or not period.is_week:
        raise HTTPException(400, f"Semaine invalide « {semaine[:40]} » : écrivez-la comme 2026-W48.")
    return period


def _url(period: Period, **params: str) -> str:
    return "/admin/lettre?" + urlencode({"semaine": period.id, **params})


def _page(request: Request, period: Period, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    store, config = request.app.state.store, digest_config(request)
    draft = digest_of(store, period.id)
    digest = compose_reviewed(store, config, period)
    excluded = s.article_titles(store, draft.excluded) if draft else []
    latest = latest_week_with_articles(store) if digest.empty else None
    ok = request.query_params.get("ok", "")
    context: dict[str, Any] = {
        "period": period,
        "coming": coming_week(config).id,
        "previous_week": period.previous().id,
        "next_week": week_period(period.end + timedelta(days=1), config.timezone).id,
        "draft": draft,
        "sent": bool(draft and draft.status == "sent"),
        "digest": digest,
        "config": config,
        "excluded": excluded,
        "latest": latest if latest != period.id else None,
        "notice": NOTICES.get(ok),
        "error": error,
    }
    return request.app.state.renderer.page(request, "admin/lettre.html", context, status)


@router.get("", response_class=HTMLResponse)
def review_page(request: Request, _: Admin, semaine: str = "") -> Response:
    return _page(request, _week(digest_config(request), semaine))


@router.get("/apercu", summary="Aperçu HTML de la lettre (pour l'iframe)")
def preview(request: Request, _: Admin, semaine: str = "") -> Response:
    """The email as a sample reader would get it, with the current pins and exclusions."""
    from digest.message import PREVIEW_TOKEN, MessageBuilder

    config = digest_config(request)
    digest = compose_reviewed(request.app.state.store, config, _week(config, semaine))
    rendered = MessageBuilder(config).render(digest, SAMPLE_READER, token=PREVIEW_TOKEN, chart=None)
    return sanitised_email(rendered.html)


@router.post("/preparer", dependencies=[Depends(check_csrf)])
def prepare(request: Request, _: Admin, semaine: Annotated[str, Form(max_length=40)] = "") -> Response:
    config = digest_config(request)
    period = _week(config, semaine)
    current = digest_of(request.app.state.store, period.id)
    if current is not None and current.status == "sent":
        return _page(request, period, error=f"La lettre {period.id} est déjà partie.", status=409)
    build_draft(request.app.state.store, config, period)
    return RedirectResponse(_url(period, ok="prepare"), status_code=303)


@router.post("/{action}", dependencies=[Depends(check_csrf)])
def change_selection(
    request: Request,
    action: str,
    _: Admin,
    semaine: Annotated[str, Form(max_length=40)] = "",
    article: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    if action not in ACTIONS:
        raise HTTPException(404, "Action inconnue.")
    config = digest_config(request)
    period = _week(config, semaine)
    if not article.isdigit():
        return _page(request, period, error="Numéro d'article manquant ou invalide.", status=400)
    store = request.app.state.store
    current = digest_of(store, period.id)
    if current is not None and current.status == "sent":  # its stored email is the one sent: keep it
        message = f"La lettre {period.id} est déjà partie : épingler ou retirer ne change plus rien."
        return _page(request, period, error=message, status=409)
    keyword, _notice = ACTIONS[action]
    try:
        update_selection(store, period.id, **{keyword: [int(article)]})
        build_draft(store, config, period)  # the stored draft follows the selection
    except ReviewError:
        return _page(request, period, error=f"Aucun article n° {article} dans l'archive.", status=400)
    except VeilleError as exc:
        return _page(request, period, error=f"Impossible de préparer la lettre : {exc}", status=500)
    return RedirectResponse(_url(period, ok=action) + f"#article-{int(article)}", status_code=303)
