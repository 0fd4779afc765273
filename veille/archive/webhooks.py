"""The webhooks' deliveries (``webhook_deliveries``): one signed POST per watch and run, written
with the run's matches (:func:`veille.archive.watches.record_batch`) and kept until delivered or
given up; :mod:`digest.webhooks` sends them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from veille.archive import schema as t
from veille.archive.store import Store

W = t.watches


@dataclass(frozen=True)
class WebhookDelivery:
    id: int
    watch_id: int
    url: str
    secret: str
    batch: str
    payload: str
    attempts: int


def due_webhooks(store: Store, now: datetime) -> list[WebhookDelivery]:
    """Pending POSTs whose time has come, oldest first."""
    d = t.webhook_deliveries
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(d.c.id, d.c.watch_id, W.c.webhook_url, W.c.webhook_secret, d.c.batch, d.c.payload, d.c.attempts)
            .join(W, W.c.id == d.c.watch_id)
            .where(d.c.status == "pending", d.c.next_at <= now, W.c.webhook_url.is_not(None))
            .order_by(d.c.id)
        ).all()  # fmt: skip
    return [WebhookDelivery(*r) for r in rows]


def webhook_tried(
    store: Store, delivery_id: int, *, error: str | None, now: datetime, retry_in: float | None
) -> None:
    """One attempt's outcome: sent (no ``error``), to retry in ``retry_in`` seconds, or given up."""
    d = t.webhook_deliveries
    values: dict[str, Any] = {"attempts": d.c.attempts + 1, "last_error": error[:2000] if error else None}
    if error is None:
        values.update(status="sent", sent_at=now)
    elif retry_in is None:
        values.update(status="failed")
    else:
        values.update(next_at=now + timedelta(seconds=retry_in))
    with store.engine.begin() as conn:
        conn.execute(update(d).where(d.c.id == delivery_id, d.c.status == "pending").values(**values))


def webhook_rows(store: Store, watch_id: int | None = None) -> list[dict[str, Any]]:
    d = t.webhook_deliveries
    q = select(d).order_by(d.c.id)
    if watch_id is not None:
        q = q.where(d.c.watch_id == watch_id)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]
