"""PostgreSQL: the figures of a broad text, largest first, walked over a prefix of the value
order (``veille.archive.search.figure_prefix``) list exactly what the set of the text's
articles lists: same rows, same copies, same order, same totals, on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from veille.archive.cache import CACHE
from veille.archive.search import FigureQuery, figure_prefix, figures, limits
from veille.archive.store import Store, open_store
from veille.core.models import Analysis, Article, Figure

TOWNS = ("Tanger", "Rabat", "Oujda")
PREFIX = re.compile(r"ORDER BY figures.value DESC\s+LIMIT")  # the prefix's largest figures, read


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    yield s
    s.close()


def _figure(sentence: str, value: float, unit: str) -> Figure:
    span = sentence.split(" ")[0]
    return Figure(text=span, start=0, end=len(span), value=value, unit=unit, sentence=sentence,
                  sentence_start=0, sentence_end=len(sentence), period="2024")  # fmt: skip


def _load(store: Store) -> None:
    """90 articles, a town each (Tanger in a third), one to three MAD figures of a few values
    (many ties), a jobs figure; every fifth one copied by another outlet with the same figures."""
    start = datetime(2024, 3, 1, 8, tzinfo=UTC)
    for i in range(90):
        town = TOWNS[i % 3]
        text = f"Investissement de {i} millions à {town}, zone industrielle numéro {i % 7}."
        figs = [
            _figure(f"{i} millions à {town}", float((i * 7 + k * 3) % 23) * 1e6, "MAD")
            for k in range(1 + i % 3)
        ]
        figs.append(_figure(f"{i} emplois à {town}", float(100 + i), "jobs"))
        first: int | None = None
        for copy, source in enumerate(("medias24", "lematin") if i % 5 == 0 else ("medias24",)):
            art = Article(url=f"https://{source}.test/{i}", source=source, title=f"{town} {i}", text=text,
                          published=start + timedelta(hours=i, minutes=copy), relevance=0.5,
                          cluster=first)  # fmt: skip
            aid, _ = store.upsert_article(art)
            first = first or aid
            store.save_analysis(aid, Analysis(figures=tuple(figs)), "test-1")


def _listing(store: Store, q: FigureQuery) -> tuple[Any, ...]:
    CACHE.clear()
    r = figures(store, q)
    rows = [(f.id, f.value, f.article_id, [c.article_id for c in f.copies]) for f in r.rows]
    return rows, r.total, r.total_exact


def test_prefix_lists_what_the_set_lists(pg_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(pg_store)
    statements: list[str] = []
    sa.event.listen(pg_store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    monkeypatch.setattr(limits, "TOTAL_CAP", 6)  # a short walk: the prefix is widened, pages go past it
    queries = [
        FigureQuery(text=text, unit="MAD", order="value", limit=limit, offset=offset, copies=copies,
                    exact_total=exact, source=source)
        for text in ("Tanger", "Tanger OR Rabat", "zone")
        for limit, offset in ((5, 0), (4, 9), (30, 0))
        for copies in (False, True)
        for exact in (False, True)
        for source in (None, "medias24")
    ]  # fmt: skip
    for q in queries:
        monkeypatch.setattr(figure_prefix, "NARROW", 10**9)  # every text read as a set
        before = len(statements)
        as_set = _listing(pg_store, q)
        assert not any(PREFIX.search(s) for s in statements[before:]), q
        monkeypatch.setattr(figure_prefix, "NARROW", -1)  # every text walked over a prefix
        monkeypatch.setattr(figure_prefix, "MARGIN", 0.01)  # from the smallest prefix, widened
        before = len(statements)
        walked = _listing(pg_store, q)
        assert any(PREFIX.search(s) for s in statements[before:]), q
        assert walked == as_set, q
        assert as_set[0], q  # something listed
