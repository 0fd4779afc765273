"""Jinja2 environment of the web UI: autoescaped templates and French formatting filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import nh3
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from veille.core.formatting import UNIT_LABELS, format_value, period_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOCALE = "fr_FR"

# what the gazetteer's organisation kinds (config/organisations.toml) read as on the pages
ORG_KINDS = {
    "agency": "agence",
    "association": "association",
    "bank": "banque",
    "company": "entreprise",
    "federation": "fédération",
    "international": "organisation internationale",
    "media": "média",
    "ministry": "ministère",
    "public_body": "organisme public",
    "school": "école",
    "zone": "zone d'activités",
    "zone_operator": "aménageur de zone",
}

FACET_LABELS = {
    "source": "Sources",
    "sources": "Sources",
    "org": "Organisations",
    "orgs": "Organisations",
    "organisation": "Organisations",
    "organisations": "Organisations",
    "person": "Personnes",
    "persons": "Personnes",
    "theme": "Thèmes",
    "themes": "Thèmes",
    "unit": "Unités",
    "units": "Unités",
    "period": "Périodes",
    "periods": "Périodes",
    "year": "Années",
    "month": "Mois",
}


def fr_number(value: Any, digits: int = 2) -> str:
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer():
        return format_decimal(int(number), locale=LOCALE)
    return format_decimal(round(number, digits), locale=LOCALE)


def _as_datetime(value: Any) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def in_zone(value: Any, zone: tzinfo | None) -> Any:
    """An aware datetime in ``zone`` (the archive keeps UTC; readers see the team's days):
    an article published at local midnight is shown on its own day, not the one before."""
    parsed = _as_datetime(value)
    if zone is not None and isinstance(parsed, datetime) and parsed.tzinfo is not None:
        return parsed.astimezone(zone)
    return value


def fr_date(value: Any, fmt: str = "long") -> str:
    parsed = _as_datetime(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    return babel_date(day, format=fmt, locale=LOCALE)


def fr_datetime(value: Any) -> str:
    parsed = _as_datetime(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(parsed, datetime):
        return fr_date(parsed)
    return babel_datetime(parsed, format="d MMM y 'à' HH:mm", locale=LOCALE)


def iso_date(value: Any) -> str:
    parsed = _as_datetime(value)
    if parsed is None:
        return ""
    return parsed.date().isoformat() if isinstance(parsed, datetime) else parsed.isoformat()


def fr_value(value: Any, unit: str | None = None) -> str:
    if value is None:
        return ""
    return format_value(float(value), unit or "count")


def safe_snippet(html: str | None) -> Markup:
    """Search snippets arrive escaped with <mark>: keep exactly that, whatever they hold."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if abs(int(count)) <= 1 else (plural_form or singular + "s")
    return f"{fr_number(count)} {word}"


def make_env(source_labels: Mapping[str, str] | None = None, zone: tzinfo | None = None) -> Environment:
    """The templates' environment; ``source_labels`` (name -> label, from ``sources.toml``) feed
    the ``source_label`` filter, which falls back to the name; dates and times are shown in
    ``zone`` (digest.toml's timezone)."""
    labels = dict(source_labels or {})
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        fr_number=fr_number,
        fr_date=lambda v, fmt="long": fr_date(in_zone(v, zone), fmt),
        fr_datetime=lambda v: fr_datetime(in_zone(v, zone)),
        iso_date=lambda v: iso_date(in_zone(v, zone)),
        fr_value=fr_value,
        snippet=safe_snippet,
        plural=plural,
        segment=lambda v: quote(str(v), safe=""),
        unit_label=lambda u: UNIT_LABELS.get(u or "", u or ""),
        facet_label=lambda k: FACET_LABELS.get(k, k),
        source_label=lambda name: labels.get(name, name),
        org_kind=lambda kind: ORG_KINDS.get(kind or "", (kind or "").replace("_", " ")),
        fr_period=period_label,
    )
    env.globals["urlencode"] = lambda pairs: urlencode(list(pairs), doseq=True)
    return env


class Renderer:
    """Renders a template with what every page needs (session, CSRF token, settings)."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def page(
        self, request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
    ) -> HTMLResponse:
        session = request.scope.get("state", {}).get("session")
        web = request.app.state.web
        ctx = {
            "request": request,
            "csrf_token": session.csrf if session else "",
            "is_admin": bool(session and session.admin),
            "is_analyst": bool(session and session.account is not None and session.can("analyste")),
            "account": session.account if session else None,  # who is logged in (None: nobody)
            "public_read": web.public_read,
            "path": request.url.path,
        }
        ctx.update(context or {})
        html = self.env.get_template(name).render(ctx)
        return HTMLResponse(html, status_code=status)
