"""Atom feeds (RFC 4287): a watch's (``/veilles/flux/<token>.atom``, the token the only credential)
and the public search's (``/flux.atom?<the search's parameters>``, only when reading is public).
Each lists the newest articles of the query, newest first."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from veille.archive.search import SearchQuery, figures, search
from veille.archive.watches import Query, article_cards, watch_by_feed_token
from veille.web.errors import BadRequest
from veille.web.params import search_params

router = APIRouter()
ENTRIES = 50
ATOM = "application/atom+xml; charset=utf-8"


def newest(store: Any, query: Query) -> list[dict[str, Any]]:
    """The :data:`ENTRIES` newest articles the query finds."""
    if isinstance(query, SearchQuery):
        hits = search(
            store, dataclasses.replace(query, order="date", limit=ENTRIES, offset=0), with_facets=False
        ).hits
        ids = [h.id for h in hits]
    else:
        rows = figures(store, dataclasses.replace(query, order="date", limit=ENTRIES * 4, offset=0)).rows
        ids = list(dict.fromkeys(r.article_id for r in rows))[:ENTRIES]
    return article_cards(store, ids)


def _when(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom(*, title: str, feed_id: str, self_url: str, page_url: str, articles: Sequence[dict[str, Any]],
         labels: dict[str, str]) -> str:  # fmt: skip
    """The feed's XML."""
    updated = max((a["published"] for a in articles if a["published"]), default=None)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{_when(updated)}</updated>",
        f'<link rel="self" type="application/atom+xml" href="{escape(self_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{escape(page_url)}"/>',
        "<author><name>Veille</name></author>",
    ]
    for a in articles:
        source = labels.get(a["source"], a["source"])
        out += [
            "<entry>",
            f"<title>{escape(a['title'] or '(sans titre)')}</title>",
            f'<link rel="alternate" type="text/html" href="{escape(a["url"])}"/>',
            f"<id>{escape(feed_id)}:article:{a['id']}</id>",
            f"<updated>{_when(a['published'])}</updated>",
            f"<author><name>{escape(source)}</name></author>",
        ]
        if a.get("lead"):
            out.append(f'<summary type="text">{escape(a["lead"])}</summary>')
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"


@router.get("/veilles/flux/{token}.atom", include_in_schema=False)
def watch_feed(request: Request, token: str) -> Response:
    store = request.app.state.store
    watch = watch_by_feed_token(store, token) if 20 <= len(token) <= 64 else None
    if watch is None:
        raise HTTPException(404, "Aucun flux à cette adresse.")
    base = str(request.base_url).rstrip("/")
    body = atom(
        title=f"Veille : {watch.name}", feed_id=f"{base}/veilles/{watch.id}", self_url=str(request.url),
        page_url=f"{base}/veilles/{watch.id}", articles=newest(store, watch.query),
        labels=request.app.state.source_labels,
    )  # fmt: skip
    return Response(body, media_type=ATOM, headers={"Referrer-Policy": "no-referrer"})


@router.get("/flux.atom", include_in_schema=False)
def search_feed(request: Request) -> Response:
    """The search page's results as a feed, for a feed reader: only when reading is public."""
    if not request.app.state.web.public_read:
        raise HTTPException(404, "Les flux de recherche ne sont ouverts que si la lecture est publique.")
    try:
        p = search_params(request.query_params)
    except BadRequest as exc:
        raise HTTPException(400, str(exc)) from None
    base = str(request.base_url).rstrip("/")
    query = request.url.query
    body = atom(
        title=f"Veille : {p.text or 'recherche'}", feed_id=f"{base}/?{query}", self_url=str(request.url),
        page_url=f"{base}/?{query}", articles=newest(request.app.state.store, p.query()),
        labels=request.app.state.source_labels,
    )  # fmt: skip
    return Response(body, media_type=ATOM)
