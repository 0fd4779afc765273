"""The read-only pages, one module per family: search, articles, documents, organisations,
figures, indicator series, sources, digests and the API overview.

Open to anyone when ``public_read = true``, otherwise to the accounts that are logged in (every
family's router depends on :func:`~veille.web.pages.common.reader`: the role ``lecteur``). Handlers are plain
``def``: FastAPI runs them in its thread pool, next to the store's connection pool.
"""

from __future__ import annotations

from fastapi import APIRouter

from veille.web.pages import (
    api,
    articles,
    digests,
    documents,
    figures,
    indicators,
    organisations,
    search,
    sources,
)
from veille.web.pages.common import reader

router = APIRouter()
for family in (search, articles, documents, organisations, figures, indicators, sources, digests, api):
    router.include_router(family.router)

__all__ = ["reader", "router"]
