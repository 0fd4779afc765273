"""Bounded search work: capped totals, facets over a labelled sample, the per-write cache.

The limits are lowered so the small archive of ``archive.py`` crosses them.
"""

from __future__ import annotations

import time

import pytest

from tests.store.archive import load
from veille.archive import search as s
from veille.archive.cache import CACHE
from veille.archive.search import FigureQuery, SearchQuery, figures, search
from veille.archive.store import Store
from veille.core.models import Article


@pytest.fixture
def arc(any_store: Store) -> tuple[Store, dict[str, int]]:
    CACHE.clear()
    return any_store, load(any_store)


def test_total_is_exact_below_the_cap(arc) -> None:
    store, _ = arc
    result = search(store, SearchQuery(""))
    assert result.total == 15 and result.total_exact
    assert search(store, SearchQuery("emploi")).total_exact


def test_total_stops_counting_at_the_cap(arc, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = arc
    from veille.archive.search import ranking

    exact = search(store, SearchQuery("", limit=2, one_per_cluster=False), with_facets=False)
    all_emploi = search(store, SearchQuery("emploi", limit=1), with_facets=False)
    all_jobs = figures(store, FigureQuery(unit="jobs"))
    assert all_emploi.total > 3 and all_emploi.total_exact and all_jobs.total > 3
    monkeypatch.setattr(s.limits, "TOTAL_CAP", 3)
    monkeypatch.setattr(ranking, "RANK_WINDOW", 3)
    CACHE.clear()
    capped = search(store, SearchQuery("", limit=2, one_per_cluster=False), with_facets=False)
    assert exact.total == 16 and exact.total_exact
    assert capped.total == 3 and not capped.total_exact  # "plus de 3"
    assert [h.id for h in capped.hits] == [h.id for h in exact.hits]  # the page itself is unchanged
    emploi = search(store, SearchQuery("emploi", limit=1), with_facets=False)
    assert emploi.total == 3 and not emploi.total_exact
    jobs = figures(store, FigureQuery(unit="jobs", limit=2))
    assert jobs.total == 3 and not jobs.total_exact
    assert [r.id for r in jobs.rows] == [r.id for r in all_jobs.rows][:2]
    whole = figures(store, FigureQuery(unit="jobs"))  # a page longer than the cap: all of it is read
    assert (whole.total, whole.total_exact) == (all_jobs.total, True)


def test_exact_total_counts_past_the_cap(arc, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = arc
    from veille.archive.search import ranking

    all_emploi = search(store, SearchQuery("emploi", limit=1), with_facets=False)
    all_articles = search(store, SearchQuery("", order="date"), with_facets=False)
    all_jobs = figures(store, FigureQuery(unit="jobs"))
    monkeypatch.setattr(s.limits, "TOTAL_CAP", 2)
    monkeypatch.setattr(ranking, "RANK_WINDOW", 2)
    CACHE.clear()
    emploi = search(store, SearchQuery("emploi", limit=1, exact_total=True), with_facets=False)
    assert (emploi.total, emploi.total_exact) == (all_emploi.total, True)
    articles = search(store, SearchQuery("", order="date", exact_total=True), with_facets=False)
    assert (articles.total, articles.total_exact) == (all_articles.total, True)
    jobs = figures(store, FigureQuery(unit="jobs", limit=2, exact_total=True))
    assert (jobs.total, jobs.total_exact, len(jobs.rows)) == (all_jobs.total, True, 2)


def test_facets_are_exact_or_labelled_as_a_sample(arc, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = arc
    full = search(store, SearchQuery("", one_per_cluster=False))
    assert full.facets_sample is None
    assert sum(n for _, n in full.facets["sources"]) == 16
    monkeypatch.setattr(s.limits, "FACET_SAMPLE", 4)
    CACHE.clear()
    sampled = search(store, SearchQuery("", one_per_cluster=False, order="date"))
    assert sampled.facets_sample == 4
    assert sum(n for _, n in sampled.facets["sources"]) == 4  # the 4 newest articles
    assert sampled.total == 16 and sampled.total_exact
    newest = search(store, SearchQuery("", one_per_cluster=False, order="date", limit=4), with_facets=False)
    sources = {h.source for h in newest.hits}
    assert {k for k, _ in sampled.facets["sources"]} == sources


def test_a_write_invalidates_cached_results(arc) -> None:  # type: ignore[no-untyped-def]

    store, _ = arc  # a store the CLI or a script opens: a crawl's articles seen at once
    before = search(store, SearchQuery("offshoring"))
    assert search(store, SearchQuery("offshoring")) == before  # served from the cache
    store.upsert_article(
        Article(url="https://example.ma/nouveau", source="atlas-eco", title="Offshoring : un nouveau centre à Oujda",
                text="Un centre d'offshoring ouvre à Oujda.")
    )  # fmt: skip
    after = search(store, SearchQuery("offshoring"))
    assert after.total == before.total + 1
    assert sum(n for _, n in after.facets["sources"]) == sum(n for _, n in before.facets["sources"]) + 1


def test_source_counts_are_exact(arc) -> None:
    store, _ = arc
    counts = s.source_counts(store)
    assert sum(counts.values()) == 16
    assert counts == dict(search(store, SearchQuery("", one_per_cluster=False)).facets["sources"])


def test_stemming_from_several_threads() -> None:
    """The web server builds snippets in several threads: Snowball stemmers must not be shared."""
    import threading

    from veille.archive import fulltext

    words = [f"{w}{suffix}" for w in ("emploi", "exportation", "progression", "festival", "instance")
             for suffix in ("", "s", "ions", "ement", "aient")] * 200  # fmt: skip
    errors: list[BaseException] = []

    def stem_all() -> None:
        try:
            for w in words:
                fulltext._stem(w)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=stem_all) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors


def test_a_walk_in_many_slices_finds_what_one_pass_finds(arc, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL reads the newest matches in id (or date) slices that widen as it goes; on this
    small archive one slice holds everything unless the first is made tiny. Every kind of walk
    must give the same pages and totals either way (SQLite has no slices: the same check holds)."""
    from datetime import date

    from veille.archive.search import ranking

    store, _ = arc
    monkeypatch.setattr(s.limits, "TOTAL_CAP", 2)
    monkeypatch.setattr(ranking, "RANK_WINDOW", 2)
    queries = [
        SearchQuery("emploi", limit=1), SearchQuery('"zone franche"', limit=1),
        SearchQuery("emploi", org="ADD", limit=1), SearchQuery("emplois OR offshoring", unit="jobs", limit=1),
        SearchQuery('"zone franche" emplois', one_per_cluster=False, limit=1),
        SearchQuery("emploi", order="date", limit=1), SearchQuery("offshoring", order="date", offset=2, limit=1),
        SearchQuery("emploi", since=date(2025, 2, 1), limit=1), SearchQuery("offshoring", offset=2, limit=1),
        SearchQuery("emploi", until=date(2025, 2, 1), limit=1),
        SearchQuery("emploi OR offshoring", since=date(2025, 1, 15), until=date(2025, 3, 1), org="ADD", limit=1),
    ]  # fmt: skip

    def run_all() -> list[tuple[list[int], int, bool]]:
        CACHE.clear()
        out = []
        for q in queries:
            r = search(store, q, with_facets=False)
            out.append(([h.id for h in r.hits], r.total, r.total_exact))
        return out

    one_pass = run_all()
    monkeypatch.setattr(ranking, "FIRST_SLICE", 0.05)  # the first slice: one id; then wider ones
    sliced = run_all()
    assert sliced == one_pass
    assert any(hits for hits, _, _ in one_pass) and any(not exact for _, _, exact in one_pass)


def test_broad_filters_tested_per_article_find_what_sets_find(arc, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite turns a filter allowing many rows into a per-article EXISTS, a narrow one into an
    IN set; here every filter is made "broad", then none: pages and totals must not change."""
    from veille.archive.search import conditions

    store, _ = arc
    queries = [
        SearchQuery("", org="ADD"), SearchQuery("emploi", org="ADD"), SearchQuery("", unit="jobs", order="date"),
        SearchQuery("emplois OR offshoring", unit="jobs", min_value=100), SearchQuery("", org="ADD", unit="MAD"),
        SearchQuery("", person="Bennani"), SearchQuery("offshoring", org="Medz", one_per_cluster=False),
    ]  # fmt: skip

    def run_all() -> list[tuple[list[int], int]]:
        CACHE.clear()
        return [
            ([h.id for h in r.hits], r.total) for r in (search(store, q, with_facets=False) for q in queries)
        ]

    monkeypatch.setattr(conditions, "DENSE_SET", 10**9)
    as_sets = run_all()
    monkeypatch.setattr(conditions, "DENSE_SET", 1)
    assert run_all() == as_sets
    assert sum(bool(hits) for hits, _ in as_sets) >= 5


@pytest.mark.parametrize("first_slice", [8.0, 0.05])
def test_date_filters_keep_exactly_the_articles_of_their_dates(
    arc, monkeypatch: pytest.MonkeyPatch, first_slice: float
) -> None:
    """The text walk turns the date filters into id bounds (PostgreSQL slices, FTS5 rowids) and
    tests the dates on the rows found: the result is the undated search's, cut to the dates."""
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    from veille.archive.search import ranking

    store, _ = arc
    monkeypatch.setattr(ranking, "FIRST_SLICE", first_slice)
    tz = ZoneInfo("Africa/Casablanca")
    for text in ("emploi", "emploi OR offshoring", '"zone franche" OR emplois'):
        base = SearchQuery(text, one_per_cluster=False, limit=100)
        CACHE.clear()
        undated = search(store, base, with_facets=False).hits
        assert len(undated) > 3
        days = sorted(h.published.astimezone(tz).date() for h in undated if h.published)
        since, until = days[len(days) // 3], days[2 * len(days) // 3]
        for q in (
            replace(base, since=since),
            replace(base, until=until),
            replace(base, since=since, until=until),
        ):
            expected = {
                h.id for h in undated if h.published
                and (q.since is None or h.published.astimezone(tz).date() >= q.since)
                and (q.until is None or h.published.astimezone(tz).date() <= q.until)
            }  # fmt: skip
            CACHE.clear()
            assert {h.id for h in search(store, q, with_facets=False).hits} == expected, (
                text,
                q.since,
                q.until,
            )


def test_a_day_is_a_day_where_the_readers_are(settings) -> None:  # type: ignore[no-untyped-def]
    """--since/--until are days of the archive's timezone (digest.toml's): an article published at
    23:30 UTC on 1 May is on 2 May in Casablanca (UTC+1 outside Ramadan) and still on 1 May in New York."""
    from datetime import UTC, date, datetime

    from veille.archive.search import SearchQuery, search
    from veille.archive.store import open_store
    from veille.core.models import Article

    late = datetime(2026, 5, 1, 23, 30, tzinfo=UTC)
    found = {}
    for zone in ("Africa/Casablanca", "America/New_York"):
        store = open_store(settings.database_url, timezone=zone)
        try:
            if not store.count_articles():
                store.upsert_article(
                    Article(
                        url="https://x.ma/a",
                        source="x",
                        title="Offshoring",
                        text="Offshoring à Rabat.",
                        published=late,
                    )
                )
            q = SearchQuery(since=date(2026, 5, 2), until=date(2026, 5, 2), one_per_cluster=False)
            found[zone] = search(store, q, with_facets=False).total
        finally:
            store.close()
    assert found == {"Africa/Casablanca": 1, "America/New_York": 0}


def test_only_writes_of_the_content_change_the_cache_marker_on_postgresql(pg_url: str) -> None:
    """Workers that only beat (runs, heartbeats, claims, leases) leave cached results served; the
    flow of new work (an article archived, an extraction saved) is served from the cache for the
    web store's ``cache_flow_seconds``, then seen; an edit (an organisation renamed), committed by
    another connection, is seen at once, once committed (not before)."""
    from sqlalchemy import text

    from veille.archive.cache import Counts, write_marker
    from veille.archive.store import open_store
    from veille.core.models import Analysis

    store, other = open_store(pg_url), open_store(pg_url)
    store.cache_flow_seconds = 1.0  # as the web's store, with a shorter window
    try:
        ids = load(store)
        CACHE.clear()

        def marker() -> Counts:
            with store.engine.connect() as conn:
                found = write_marker(store, conn)
            assert isinstance(found, Counts)
            return found

        q = SearchQuery("offshoring")
        before, start = search(store, q), marker()
        run = other.start_run("extract", detail={"worker": "w"})
        other.heartbeat(run)
        assert other.acquire_lease("scheduler", "w", 60)
        assert other.claim_extraction("w", "v0", batch=4, lease_seconds=60, max_attempts=3)
        other.finish_run(run)
        hits = CACHE.hits
        assert marker() == start and search(store, q) == before and CACHE.hits > hits  # still cached
        other.save_analysis(next(iter(ids.values())), Analysis(), "v1")
        other.upsert_article(Article(url="https://example.ma/o", source="atlas-eco", title="Offshoring à Oujda",
                                     text="Un centre d'offshoring ouvre à Oujda."))  # fmt: skip
        flowed = marker()
        assert flowed.flow == start.flow + 2 and flowed.edits == start.edits
        assert search(store, q) == before  # the flow: the cached result, for FLOW_SECONDS
        time.sleep(1.1)
        assert search(store, q).total == before.total + 1  # then the new article
        with other.engine.connect() as conn:  # an edit in flight is not counted until it commits
            tx = conn.begin()
            conn.execute(
                text(
                    "UPDATE organisations SET name = name || ' (SA)' WHERE id = (SELECT min(id) FROM organisations)"
                )
            )
            assert marker() == flowed
            tx.commit()
        assert marker() == Counts(flowed.edits + 1, flowed.flow)
        hits = CACHE.hits
        search(store, q)
        assert CACHE.hits == hits  # an edit: recomputed at once
    finally:
        store.close()
        other.close()
