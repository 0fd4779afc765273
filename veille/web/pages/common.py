"""What every read-only page shares: the ``reader`` guard, rendering, 404s, page links."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from veille.queries import last_page
from veille.web.auth import require_role


def reader(request: Request) -> None:
    """Read-only pages need the role ``lecteur``: anyone's when ``public_read = true``, otherwise
    an account's (:func:`veille.web.auth.require_role`)."""
    require_role("lecteur")(request)


def page_router() -> APIRouter:
    """A router whose pages all go through :func:`reader`."""
    return APIRouter(dependencies=[Depends(reader)])


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return request.app.state.renderer.page(request, name, context, status)


def not_found(message: str | None = None) -> HTTPException:
    return HTTPException(404, message or "Cette page n'existe pas ou plus.")


def path_segment(name: str) -> str:
    return quote(name, safe="")


def sentence_anchor(sentence_start: int) -> str:
    return f"phrase-{sentence_start}"


def cell_anchor(table_index: int, cell: str) -> str:
    """The anchor of a document's table cell on its page ("t0-C4")."""
    return f"t{table_index}-{cell}"


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the archive: a scraped ``javascript:`` URL is dropped."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


# -- pagination and query strings -----------------------------------------------------------


def query_string(pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    return urlencode(list(pairs))


class Pages:
    """Page links keeping every other parameter."""

    def __init__(
        self,
        path: str,
        pairs: tuple[tuple[str, str], ...],
        total: int,
        page: int,
        per_page: int,
        exact: bool = True,
    ) -> None:
        self.current = page
        last = last_page(per_page)
        self.count = min(max(1, math.ceil(total / per_page)), last) if total else 1
        if not exact:  # more than ``total``: there is always a next page
            self.count = min(max(self.count, page + 1), last)
        self.exact = exact
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
