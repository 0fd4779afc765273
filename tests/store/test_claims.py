"""The extraction workers' claims and the named leases, on SQLite and PostgreSQL (a lease of 0 s
has expired by the next statement: no test waits for a clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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


def test_two_saves_naming_the_same_new_organisations_at_once_both_commit(pg_url: str) -> None:
    """Two workers' transactions name the same organisations, new to the archive, at the same
    moment (PostgreSQL: the second waits on the first's uncommitted rows): both commit, each
    organisation is stored once, and neither worker fails."""
    import threading

    from veille.archive.store import open_store
    from veille.core.models import Mention, Organisation

    store = open_store(pg_url)
    try:
        ids = _fill(store, 2)
        orgs = tuple(
            Organisation(
                name=name, aliases=(name.split()[0],), kind="company", mentions=(Mention(0, 5, name),)
            )
            for name in ("Alpha Services", "Beta Conseil", "Gamma Digital")
        )
        first = Analysis(organisations=orgs)
        second = Analysis(organisations=tuple(reversed(orgs)))  # the other order: no deadlock either
        errors: list[BaseException] = []
        hold = threading.Event()
        go_on = threading.Event()

        def save_second() -> None:
            hold.wait(10)
            try:
                assert store.save_analysis(ids[1], second, V)
            except BaseException as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)

        other = threading.Thread(target=save_second)
        other.start()
        with store.engine.begin() as conn:  # the first save, held open while the second starts
            for org in orgs:
                store._org_id(conn, org.name, org.kind, org.acronym, org.aliases)
            hold.set()
            go_on.wait(1.0)  # the second save now waits on these rows
        other.join(30)
        assert not other.is_alive()
        assert errors == []
        assert store.save_analysis(ids[0], first, V)
        with store.engine.connect() as conn:
            from sqlalchemy import text

            names = conn.execute(text("SELECT name FROM organisations ORDER BY name")).scalars().all()
            aliases = conn.execute(text("SELECT count(*) FROM org_aliases")).scalar_one()
        assert names == ["Alpha Services", "Beta Conseil", "Gamma Digital"]
        assert aliases == 6  # each name and its first word, once
    finally:
        store.close()


def test_a_save_chosen_to_end_a_deadlock_is_saved_again(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL ends a deadlock by failing one of its transactions; when that is an article's
    save, the save is made again once the other writer is through, and nothing is lost."""
    import threading
    import time

    from sqlalchemy import delete, text

    from veille.archive import points
    from veille.archive import schema as t
    from veille.archive.store import open_store
    from veille.core.models import Figure

    store = open_store(pg_url)
    try:
        (article,) = _fill(store, 1)
        assert store.claim_extraction("A", V, batch=1, lease_seconds=600, max_attempts=3).ids == [article]
        analysis = Analysis(
            figures=(Figure(text="12 000 postes", start=0, end=13, value=12000.0, unit="postes"),)
        )
        saved: list[bool] = []
        with store.engine.begin() as conn:
            points.start(conn)  # the state's row, as after a first computation of the points
        with store.engine.connect() as other:
            tx = other.begin()
            points.mark_changed(other)  # the other writer holds the row every save updates last
            saver = threading.Thread(target=lambda: saved.append(store.save_analysis(article, analysis, V)))
            saver.start()

            def save_waits() -> bool:
                with store.engine.connect() as conn:
                    sql = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    return bool(conn.execute(text(sql)).scalar_one())

            deadline = time.monotonic() + 30
            while not save_waits():
                assert time.monotonic() < deadline, "the save never waited on the other writer"
                time.sleep(0.05)
            # the save holds the article's claim and waits: taking the claim closes the cycle
            other.execute(delete(t.extraction_claims).where(t.extraction_claims.c.article_id == article))
            tx.commit()
        saver.join(30)
        assert saved == [True]
        assert "deadlock with another writer; saving it again" in caplog.text
        assert store.extraction_ledger([article]) == {article: (1, None)}
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM figures")).scalar_one() == 1
    finally:
        store.close()
