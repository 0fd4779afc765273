"""What the digest asks of the archive beyond a week's articles (those come from
:func:`veille.archive.digests.week_reads`): the figures of the chosen articles, and the latest
week that has any article."""

from __future__ import annotations

from collections.abc import Iterable

from digest.period import week_period
from veille.archive.digests import latest_published
from veille.archive.search import FigureRow, figures_of_articles
from veille.archive.store import Store


def figures(store: Store, article_ids: Iterable[int]) -> list[FigureRow]:
    """Every figure of these articles, each copy of a story its own row: the digest merges a
    story's copies itself."""
    return figures_of_articles(store, list(article_ids))


def latest_week_with_articles(store: Store) -> str | None:
    """The ISO week id ("2026-W48") of the most recently published article, or None; weeks of
    the store's zone (digest.toml's timezone, when opened from the settings)."""
    latest = latest_published(store)
    return None if latest is None else week_period(latest.date(), store.timezone.key).id
