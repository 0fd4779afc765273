"""PostgreSQL's second full-text index over the newest articles (veille/archive/recent_index.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.store.archive import load
from veille.archive import recent_index
from veille.archive.search import SearchQuery, search
from veille.archive.store import Store, open_store
from veille.core.models import Article

QUERIES = ["offshoring", "emploi", '"zone franche"', "Tunisie OR Portugal", "export*", "centres -Tunisie"]


def _more(store: Store, n: int, tag: str) -> None:
    for i in range(n):
        store.upsert_article(
            Article(
                url=f"https://medias24.test/{tag}/{i}", source="medias24", title=f"Offshoring, note {tag} {i}",
                lead=None, text=f"Les centres d'appels de Rabat recrutent ({tag} {i}). L'offshoring progresse.",
                published=datetime(2026, 1, 1 + i % 28, 9, tzinfo=UTC),
            )
        )  # fmt: skip


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    yield s
    s.close()


def _results(store: Store) -> list[list[int]]:
    return [[h.id for h in search(store, SearchQuery(q, limit=50)).hits] for q in QUERIES]


def _top(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(sa.text("SELECT max(id) FROM articles")))


def _current(store: Store) -> int | None:
    with store.engine.connect() as conn:
        return recent_index.threshold(conn)


def test_newest_articles_index_is_built_kept_and_rebuilt(any_store: Store) -> None:
    load(any_store)
    if any_store.dialect == "sqlite":  # FTS5 walks its own index by rowid: nothing to build
        assert recent_index.refresh(any_store.engine, recent=4) is None
        return
    before = _results(any_store)
    assert recent_index.refresh(any_store.engine, recent=100) is None  # a small archive: none
    assert _current(any_store) is None
    start = recent_index.refresh(any_store.engine, recent=4)
    assert start == _top(any_store) - 3 and _current(any_store) == start
    assert _results(any_store) == before
    # new articles enter it; it is rebuilt only once it covers more than twice the newest 4
    _more(any_store, 3, "a")
    assert recent_index.refresh(any_store.engine, recent=4) == start
    _more(any_store, 3, "b")
    again = recent_index.refresh(any_store.engine, recent=4)
    assert again == _top(any_store) - 3 and _current(any_store) == again > start
    with any_store.engine.connect() as conn:
        names = set(conn.scalars(sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'articles'")))
    assert recent_index.NAME in names and f"{recent_index.NAME}_new" not in names
    with_index = _results(any_store)
    assert set(range(_top(any_store) - 5, _top(any_store) + 1)) <= set(with_index[0])  # the new "offshoring"
    with any_store.engine.begin() as conn:
        conn.execute(sa.text(f"DROP INDEX {recent_index.NAME}"))
    assert _results(any_store) == with_index


def test_planner_reads_it_for_a_slice_of_the_newest_ids(pg_store: Store) -> None:
    any_store = pg_store
    load(any_store)
    _more(any_store, 10, "c")
    start = recent_index.refresh(any_store.engine, recent=5)
    assert start is not None
    # the same statistics and no pending GIN entries whether or not autovacuum has passed since
    # the inserts (it may, in a busy suite): the planner's choice is the same on every run
    with any_store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE articles"))
    sql = (
        "EXPLAIN SELECT id FROM articles WHERE search_vector @@ to_tsquery('veille_fr', 'offshoring') "
        "AND id >= :lo ORDER BY id DESC LIMIT 10"
    )
    with any_store.engine.begin() as conn:
        # as the search walk reads its slices: bitmap scans only
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        conn.execute(sa.text("SET LOCAL enable_indexscan = off"))
        # a slice of the newest ids, its bound sent as a parameter as the search walk sends it
        newest = "\n".join(conn.scalars(sa.text(sql), {"lo": start + 1}))
        older = "\n".join(conn.scalars(sa.text(sql), {"lo": start - 3}))
    assert recent_index.NAME in newest
    assert recent_index.NAME not in older  # ids below its threshold: it cannot answer


def test_a_killed_build_is_replaced(pg_store: Store) -> None:
    any_store = pg_store
    load(any_store)
    with any_store.engine.begin() as conn:  # what a build killed before its rename leaves
        conn.execute(sa.text(f"CREATE INDEX {recent_index.NAME}_new ON articles (id)"))
    start = recent_index.refresh(any_store.engine, recent=4)
    assert start is not None and _current(any_store) == start


def test_end_of_a_run_refreshes_it(any_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    load(any_store)
    monkeypatch.setattr(recent_index, "RECENT", 4)
    run = any_store.start_run("crawl")
    any_store.finish_run(run, "ok")
    expected = None if any_store.dialect == "sqlite" else _top(any_store) - 3
    assert (_current(any_store) if expected else None) == expected


def test_a_failed_rebuild_costs_speed_only(
    any_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No right to build indexes (a user not owning the tables): the run still ends, one warning."""

    def refuse(engine: sa.Engine, recent: int | None = None) -> int | None:
        raise sa.exc.ProgrammingError("CREATE INDEX", {}, Exception("must be owner of table articles"))

    monkeypatch.setattr(recent_index, "refresh", refuse)
    run = any_store.start_run("crawl")
    with caplog.at_level("WARNING", logger="veille.archive.store"):
        any_store.finish_run(run, "ok")
    assert any_store.runs(1)[0]["status"] == "ok"
    assert [r.getMessage() for r in caplog.records if "recent full-text index not rebuilt" in r.getMessage()]
