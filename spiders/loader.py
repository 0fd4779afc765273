"""Spiders built from ``config/sources.toml``: one spider class per enabled source.

``SPIDER_LOADER_CLASS`` points here, so ``scrapy list`` lists the enabled sources and
``scrapy crawl medias24`` crawls one; :func:`spider_class_for` is what ``run_crawl`` uses
for sources given in code (the demo).
"""

from __future__ import annotations

import builtins
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spiders.base import SourceSpider
from veille.core.sources import Source, load_sources

# A site needing special handling: register a SourceSpider subclass here by source name.
CUSTOM_SPIDERS: dict[str, type[SourceSpider]] = {}


def spider_class_for(source: Source) -> type[SourceSpider]:
    """A spider class whose ``name`` is the source's name, of the right generic kind."""
    from spiders.documents import DocumentSpider
    from spiders.feeds import FeedSpider
    from spiders.sites import SiteSpider

    base: type[SourceSpider] = CUSTOM_SPIDERS.get(source.name) or (
        FeedSpider if source.is_feed else DocumentSpider if source.kind == "documents" else SiteSpider
    )
    class_name = "".join(p.capitalize() for p in re.split(r"[-_]", source.name)) + "Spider"
    return type(class_name, (base,), {"name": source.name, "source": source, "__module__": base.__module__})


class SourceSpiderLoader:
    """Scrapy's spider loader protocol over the configured sources. A source's spider class is
    built when it is loaded: one that cannot be built fails its own crawl, not every crawler's
    start (Scrapy makes the loader before crawling anything)."""

    def __init__(self, sources: list[Source]) -> None:
        self._sources = {s.name: s for s in sources}
        self._spiders: dict[str, type[SourceSpider]] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> SourceSpiderLoader:
        config_dir = settings.get("VEILLE_CONFIG_DIR")
        return cls(load_sources(Path(config_dir) / "sources.toml", enabled_only=True))

    def load(self, spider_name: str) -> type[SourceSpider]:
        if spider_name not in self._sources:
            raise KeyError(f"Spider not found: {spider_name}")
        if spider_name not in self._spiders:
            self._spiders[spider_name] = spider_class_for(self._sources[spider_name])
        return self._spiders[spider_name]

    def list(self) -> list[str]:
        return sorted(self._sources)

    def find_by_request(self, request: Any) -> builtins.list[str]:  # list: the method above
        host = (urlsplit(request.url).hostname or "").lower()
        return [
            name
            for name, source in self._sources.items()
            if any(host == d or host.endswith("." + d) for d in source.allowed_domains)
        ]
