"""The extraction workers' claims and the named leases, on SQLite and PostgreSQL (a lease of 0 s
has expired by the next statement: no test waits for a clock)."""

from __future__ import annotations

from datetime import UTC, datetime

from veille.archive.store import Store
from veille.core.models import Analysis, Article

V = "v-test"


def _fill(store: Store, n: int) -> list[int]:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    articles = [Article(url=f"https://claims.test/{i}", source="x", title=f"Titre {i}", text=f"Texte {i}.",
                        published=day) for i in range(n)]  # fmt: skip
    return [article_id for article_id, _ in store.upsert_articles(articles)]


def test_workers_get_disjoint_batches_and_take_over_expired_ones(any_store: Store) -> None:
    ids = _fill(any_store, 10)
    a = any_store.claim_extraction("A", V, batch=4, lease_seconds=600, max_attempts=3)
    b = any_store.claim_extraction("B", V, batch=4, lease_seconds=600, max_attempts=3)
    assert (a.ids, a.taken_over) == (ids[:4], 0) and b.ids == ids[4:8]
    assert any_store.renew_claims("A", 0) == 4  # A stops renewing: its lease ends
    c = any_store.claim_extraction("C", V, batch=10, lease_seconds=600, max_attempts=3)
    assert c.ids == ids[:4] + ids[8:] and c.taken_over == 4  # A's lease expired; B's holds
    assert {cl.article_id: cl.attempts for cl in any_store.extraction_claims("C")} == {
        **dict.fromkeys(ids[:4], 2),
        **dict.fromkeys(ids[8:], 1),
    }
    assert any_store.claim_extraction("D", V, batch=10, lease_seconds=600, max_attempts=3).ids == []


def test_only_the_claims_owner_commits_and_only_once(any_store: Store) -> None:
    ids = _fill(any_store, 2)
    any_store.claim_extraction("A", V, batch=1, lease_seconds=0, max_attempts=3)
    assert any_store.claim_extraction("B", V, batch=1, lease_seconds=600, max_attempts=3).ids == ids[:1]
    assert not any_store.save_analysis(ids[0], Analysis(), V, worker="A")  # taken over: nothing written
    assert any_store.extraction_ledger(ids[:1]) == {ids[0]: (0, None)}
    assert any_store.save_analysis(ids[0], Analysis(), V, worker="B")
    assert not any_store.save_analysis(ids[0], Analysis(), V, worker="B")  # its claim is released
    assert any_store.extraction_ledger(ids[:1]) == {ids[0]: (1, "B")}
    assert any_store.pending_extraction(V) == ids[1:]
    assert any_store.claim_extraction("C", V, batch=5, lease_seconds=600, max_attempts=3).ids == ids[1:]


def test_a_failing_article_is_retried_then_given_up(any_store: Store) -> None:
    (article,) = _fill(any_store, 1)
    for attempt in range(3):
        claimed = any_store.claim_extraction("A", V, batch=5, lease_seconds=600, max_attempts=3)
        assert claimed.ids == [article] and any_store.extraction_outstanding(3) == 1, attempt
        any_store.fail_claim(article, "A")
    assert any_store.claim_extraction("A", V, batch=5, lease_seconds=600, max_attempts=3).ids == []
    assert any_store.extraction_outstanding(3) == 0  # given up: a worker --until-done stops
    assert [c.attempts for c in any_store.extraction_claims()] == [3]


def test_renewed_claims_are_kept_and_released_ones_go_back(any_store: Store) -> None:
    ids = _fill(any_store, 3)
    any_store.claim_extraction("A", V, batch=3, lease_seconds=0, max_attempts=3)
    assert any_store.renew_claims("A", 600) == 3
    assert any_store.claim_extraction("B", V, batch=3, lease_seconds=600, max_attempts=3).ids == []
    assert any_store.release_claims("A") == 3
    assert any_store.claim_extraction("B", V, batch=3, lease_seconds=600, max_attempts=3).ids == ids


def test_a_lease_has_one_holder_until_it_expires(any_store: Store) -> None:
    assert any_store.acquire_lease("scheduler", "p1", 600)
    assert not any_store.acquire_lease("scheduler", "p2", 600)
    assert any_store.acquire_lease("scheduler", "p1", 0)  # its holder keeps it (here: expiring now)
    assert any_store.acquire_lease("scheduler", "p2", 600)  # expired: taken over
    assert not any_store.renew_lease("scheduler", "p1", 600)  # the old holder learns it lost it
    assert any_store.renew_lease("scheduler", "p2", 600)
    lease = any_store.lease("scheduler")
    assert lease is not None and lease.holder == "p2" and lease.expires_at > lease.acquired_at
    any_store.release_lease("scheduler", "p1")  # not p1's: nothing happens
    assert not any_store.acquire_lease("scheduler", "p1", 600)
    any_store.release_lease("scheduler", "p2")
    assert any_store.lease("scheduler") is None and any_store.acquire_lease("scheduler", "p1", 600)


def test_an_extraction_outside_the_workers_settles_the_articles_claim(any_store: Store) -> None:
    (article,) = _fill(any_store, 1)
    assert any_store.claim_extraction("A", V, batch=1, lease_seconds=600, max_attempts=3).ids == [article]
    assert any_store.save_analysis(article, Analysis(), V)  # `veille extract`, or a crawl's extraction
    assert any_store.extraction_claims() == [] and any_store.extraction_outstanding(3) == 0
    assert not any_store.save_analysis(article, Analysis(), V, worker="A")  # the worker commits nothing
    assert any_store.extraction_ledger([article]) == {article: (1, None)}
