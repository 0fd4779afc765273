"""The delivery ledger on both backends: migration 0009 keeps the rows and the once-only guard."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from veille.archive import deliveries as ledger
from veille.archive import schema as t
from veille.archive.database import MIGRATIONS
from veille.archive.store import Store, open_store
from veille.archive.subscribers import add_subscriber


def _downgrade(store: Store, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_0009_keeps_deliveries_and_guards_kind_period_recipient(any_store: Store) -> None:
    sub, _ = add_subscriber(any_store, "amina@example.ma")
    _downgrade(any_store, "0008")  # an archive written before the ledger was general
    with any_store.engine.begin() as conn:
        conn.execute(text("INSERT INTO deliveries (period, subscriber_id, status, attempts) VALUES ('2026-W48', :s, 'sent', 1)"),
                     {"s": sub.id})  # fmt: skip
    store = open_store(any_store.url)  # migrates to head
    try:
        assert ledger.rows(store, "digest", "2026-W48")[0]["recipient"] == "amina@example.ma"
        # the same reader, period and kind: one row; another kind (an alert) is another row
        now = datetime.now(UTC)
        for kind in ("digest", "alert"):
            ledger.ensure_rows(store, kind, "2026-W48", [ledger.Recipient(sub.id, sub.email)])
        with store.engine.connect() as conn:
            kinds = sorted(conn.execute(select(t.deliveries.c.kind, t.deliveries.c.status)).all())
        assert [tuple(k) for k in kinds] == [("alert", "pending"), ("digest", "sent")]
        assert ledger.claim(store, "alert", "2026-W48", sub.id, "w1", now=now, max_attempts=3)
        assert not ledger.claim(store, "alert", "2026-W48", sub.id, "w2", now=now, max_attempts=3)
    finally:
        store.close()


def test_unconfirmed_rows_are_listed_for_operators(any_store: Store) -> None:
    sub, _ = add_subscriber(any_store, "karim@example.ma")
    now = datetime.now(UTC)
    ledger.ensure_rows(any_store, "digest", "2026-W48", [ledger.Recipient(sub.id, sub.email)])
    assert ledger.claim(any_store, "digest", "2026-W48", sub.id, "w1", now=now, max_attempts=3)
    ledger.release(any_store, "digest", "2026-W48", sub.id, "w1", "connection lost", state="unconfirmed")
    assert [(r["period"], r["recipient"]) for r in ledger.unconfirmed(any_store)] == [
        ("2026-W48", "karim@example.ma")
    ]
    assert not ledger.claim(any_store, "digest", "2026-W48", sub.id, "w2", now=now, max_attempts=3)
    assert ledger.resolve_unconfirmed(any_store, "digest", "2026-W48", resend=False) == 1
    assert ledger.unconfirmed(any_store) == [] and ledger.counts(any_store, "digest", "2026-W48") == {
        "sent": 1
    }
