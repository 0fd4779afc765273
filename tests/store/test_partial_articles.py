"""Partial articles (an aggregator's link, kept from the feed) completed in place by the
publisher's article: same canonical URL, or the same title without the publisher's name
within two days; never overwritten by another feed-only copy. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from veille.archive.store import Store
from veille.core.models import Article

WHEN = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
BODY = "Le nouveau centre d'appels de Tanger emploiera 800 téléconseillers d'ici 2026. " * 12


def _partial(**kw: object) -> Article:
    values: dict = dict(
        url="https://news.aggregator.example/articles/CBMi1",
        source="gnews-offshoring",
        title="Un centre d'appels de 800 postes ouvre à Tanger",
        text="Le nouveau centre d'appels de Tanger.",
        published=WHEN,
        partial=True,
        publisher="Le Courrier du Détroit",
    )
    values.update(kw)
    return Article(**values)  # type: ignore[arg-type]


def _full(**kw: object) -> Article:
    values: dict = dict(
        url="https://courrier.example/2025/06/02/tanger/",
        source="courrier",
        title="Un centre d'appels de 800 postes ouvre à Tanger - Le Courrier du Détroit",
        text=BODY,
        published=WHEN + timedelta(hours=5),
    )
    values.update(kw)
    return Article(**values)  # type: ignore[arg-type]


def test_same_title_within_two_days_completes_in_place(any_store: Store) -> None:
    partial_id, created = any_store.upsert_article(_partial())
    assert created
    full = _full()
    full_id, created = any_store.upsert_article(full)
    assert (full_id, created, full.completed) == (partial_id, False, True)
    row = any_store.get_article(partial_id)
    assert row is not None
    assert not row["partial"] and row["text"] == BODY and row["url"] == full.url
    assert row["publisher"] == "Le Courrier du Détroit" and row["extractor_version"] is None
    assert any_store.count_articles() == 1


def test_same_canonical_url_completes_in_place(any_store: Store) -> None:
    canonical = "https://courrier.example/2025/06/02/tanger/"
    partial_id, _ = any_store.upsert_article(_partial(canonical_url=canonical, title="Autre titre du flux"))
    full = _full(canonical_url=canonical, title="Tanger : 800 postes")
    assert any_store.upsert_article(full) == (partial_id, False) and full.completed


def test_other_stories_are_left_alone(any_store: Store) -> None:
    partial_id, _ = any_store.upsert_article(_partial())
    late = _full(published=WHEN + timedelta(days=3), url="https://courrier.example/late/")
    other = _full(title="Rabat accueille un salon de l'offshoring", url="https://courrier.example/other/")
    assert any_store.upsert_article(late)[1] and any_store.upsert_article(other)[1]
    row = any_store.get_article(partial_id)
    assert row is not None and row["partial"]


def test_a_feed_only_copy_never_overwrites_the_full_article(any_store: Store) -> None:
    full_id, _ = any_store.upsert_article(_full())
    assert any_store.upsert_article(_partial()) == (full_id, False)
    row = any_store.get_article(full_id)
    assert row is not None and not row["partial"] and row["text"] == BODY
