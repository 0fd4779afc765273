"""A search without text, by date, with a figure filter of one unit: PostgreSQL walks the figures'
own date order (``veille.archive.search.figure_dates``); SQLite walks the articles. Both give the
same articles in the same order, the same totals, on every page: undated articles last, articles
of the same minute by id, copies of a story once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from veille.archive.cache import CACHE
from veille.archive.search import SearchQuery, limits, search, search_ids
from veille.archive.store import Store, open_store
from veille.core.models import Analysis, Article, Figure, Mention, Organisation

FIGURE_WALK = re.compile(r"SELECT DISTINCT ON \(figures.published, figures.article_id\)")


@pytest.fixture
def stores(pg_url: str, tmp_path: Any) -> Iterator[tuple[Store, Store]]:
    pg, lite = open_store(pg_url), open_store(f"sqlite:///{tmp_path / 'lite.db'}")
    yield pg, lite
    pg.close()
    lite.close()


def _figure(text: str, value: float, unit: str, period: str) -> Figure:
    return Figure(text=text[:5], start=0, end=5, value=value, unit=unit, sentence=text, sentence_start=0,
                  sentence_end=len(text), period=period)  # fmt: skip


def _load(store: Store) -> None:
    """60 articles three to an hour (ties on the date), every eleventh undated; MAD figures in
    two thirds (some two in one article), jobs figures in half; Medz named in every fourth; every
    seventh copied by a second outlet a minute later."""
    start = datetime(2024, 11, 1, 8, tzinfo=UTC)
    for i in range(60):
        text = f"Article {i} : Medz et le numérique." if i % 4 == 0 else f"Article {i} sur le numérique."
        figs = [_figure(text, 1e6 * (i % 9), "MAD", "2024") for _ in range(1 + i % 2) if i % 3]
        figs += [_figure(text, 100.0 * i, "jobs", "2024" if i % 5 else "2023")] if i % 2 else []
        orgs = (Organisation(name="Medz Sourcing", aliases=("Medz",), mentions=(Mention(11, 15, "Medz"),)),)
        first: int | None = None
        for copy, source in enumerate(
            ("medias24", "lematin") if i % 7 == 0 else (("leseco", "h24info")[i % 2],)
        ):
            published = None if i % 11 == 5 else start + timedelta(hours=i // 3, minutes=copy)
            art = Article(url=f"https://{source}.test/{i}", source=source, title=f"Titre {i}", text=text,
                          published=published, relevance=0.5, cluster=first)  # fmt: skip
            aid, _ = store.upsert_article(art)
            first = first or aid
            store.save_analysis(
                aid, Analysis(figures=tuple(figs), organisations=orgs if i % 4 == 0 else ()), "t-1"
            )


def _results(store: Store, queries: list[SearchQuery]) -> list[Any]:
    out = []
    for q in queries:
        CACHE.clear()
        r = search(store, q, with_facets=False)
        out.append(([h.id for h in r.hits], r.total, r.total_exact, search_ids(store, q)))
    return out


def test_figure_date_walk_finds_what_the_article_walk_finds(
    stores: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    pg, lite = stores
    _load(pg)
    _load(lite)
    monkeypatch.setattr(limits, "TOTAL_CAP", 7)  # walks that stop before the end, totals "7+"
    base = SearchQuery("", unit="MAD", order="date", limit=5)
    queries = [
        base, replace(base, offset=5), replace(base, offset=25, limit=10), replace(base, org="Medz"),
        replace(base, one_per_cluster=False, limit=50), replace(base, exact_total=True),
        replace(base, min_value=3e6, max_value=6e6), replace(base, sources=("medias24", "leseco")),
        replace(base, since=date(2024, 11, 2)), replace(base, until=date(2024, 11, 1), limit=50),
        replace(base, unit="jobs", period="2024", min_value=1000), replace(base, unit="jobs", org="Medz"),
        replace(base, id_after=10, id_upto=40, limit=50), replace(base, org="Nobody"),
        replace(base, unit="percent"),
    ]  # fmt: skip
    statements: list[str] = []
    sa.event.listen(pg.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    on_pg = _results(pg, queries)
    assert on_pg == _results(lite, queries)
    assert sum(bool(FIGURE_WALK.search(s)) for s in statements) >= len(queries) - 1  # all but "Nobody"
    assert sum(bool(hits) for hits, *_ in on_pg) >= 10 and any(not exact for _, _, exact, _ in on_pg)
