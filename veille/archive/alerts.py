"""What a run of the watches keeps and what its alerts carry (the watches themselves:
:mod:`veille.archive.watches`; their matching: :mod:`veille.archive.matching`).

What a run found is written in one transaction (:func:`record_batch`): the matches (one per
syndication cluster and watch: a copy of a story already sent is never sent again, and a later
correction of a sent article is no new match), the watch's new watermark, a row of the delivery
ledger (:mod:`veille.archive.deliveries`, kind ``alert``, the run's batch as its period) per
recipient, and the webhook's signed POST to come (``webhook_deliveries``). A recipient may stop a
single watch or every alert, by the links each alert carries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from veille.archive import deliveries as ledger
from veille.archive import schema as t
from veille.archive.engine import upsert
from veille.archive.store import Store, utcnow
from veille.archive.subscribers import (
    SecretKeyMissing,
    Subscriber,
    unsubscribe_token,
    verify_unsubscribe_token,
)
from veille.archive.watches import Watch, article_rows, list_watches

W = t.watches
ALERT = "alert"  # this message's kind in the delivery ledger


# -- a run's findings ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    watch_id: int
    batch: str
    article_ids: tuple[int, ...]  # new to the watch (stories not sent before), in match order
    recipients: tuple[str, ...]
    webhook: bool  # a POST is queued


def record_batch(
    store: Store, watch: Watch, batch: str, matches: Sequence[tuple[int, int]], watermark: int, *,
    now: datetime | None = None,
) -> Found:  # fmt: skip
    """Keep what a run of ``watch`` found, in one transaction: the matches whose story is new to
    the watch, its watermark and last run, a ledger row per recipient and the webhook's POST."""
    now = now or utcnow()
    m = t.watch_matches
    with store.engine.begin() as conn:
        stories = [s for _, s in matches]
        known = set()
        for start in range(0, len(stories), 500):
            chunk = stories[start : start + 500]
            known |= set(
                conn.scalars(select(m.c.story).where(m.c.watch_id == watch.id, m.c.story.in_(chunk)))
            )
        fresh: dict[int, int] = {}
        for aid, story in matches:
            if story not in known and story not in fresh.values():
                fresh[aid] = story
        if fresh:
            conn.execute(insert(m), [
                {"watch_id": watch.id, "article_id": a, "story": s, "batch": batch, "found_at": now}
                for a, s in fresh.items()
            ])  # fmt: skip
        conn.execute(update(W).where(W.c.id == watch.id).values(watermark=max(watermark, watch.watermark),
                                                                 last_run_at=now))  # fmt: skip
        recipients = _active_recipients(conn, watch.id) if fresh else []
        ledger.ensure_rows(store, ALERT, batch, [ledger.Recipient(i, e) for i, e in recipients], conn=conn)
        webhook = bool(fresh and watch.webhook_url)
        if webhook:
            payload = _payload(conn, watch, batch, list(fresh), now)
            conn.execute(insert(t.webhook_deliveries).values(
                watch_id=watch.id, batch=batch, payload=payload, status="pending", attempts=0, next_at=now,
                created_at=now,
            ))  # fmt: skip
    return Found(watch.id, batch, tuple(fresh), tuple(e for _, e in recipients), webhook)


def _active_recipients(conn: Any, watch_id: int) -> list[tuple[int, str]]:
    r, s = t.watch_recipients, t.subscribers
    return [tuple(x) for x in conn.execute(  # type: ignore[misc]
        select(s.c.id, s.c.email).join(r, r.c.subscriber_id == s.c.id)
        .where(r.c.watch_id == watch_id, r.c.stopped_at.is_(None), s.c.status != "unsubscribed",
               ~s.c.id.in_(select(t.alert_optouts.c.subscriber_id)))
        .order_by(s.c.id)
    )]  # fmt: skip


def _payload(conn: Any, watch: Watch, batch: str, article_ids: list[int], now: datetime) -> str:
    items = [
        {"id": a["id"], "title": a["title"], "url": a["url"], "source": a["source"],
         "published": a["published"].isoformat() if a["published"] else None}
        for a in article_rows(conn, article_ids)
    ]  # fmt: skip
    body = {
        "watch": {"id": watch.id, "name": watch.name},
        "run": batch,
        "at": now.isoformat(),
        "items": items,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


# -- what an alert carries ---------------------------------------------------------------------
@dataclass(frozen=True)
class AlertSection:
    watch: Watch
    articles: list[dict[str, Any]]  # id, title, url, source, published, lead; newest first


def alert_sections(store: Store, batch: str, subscriber_id: int) -> list[AlertSection]:
    """What the alert of ``batch`` to this recipient carries: each of their watches that matched
    then (and that they have not stopped), with its articles as they read now."""
    m, r = t.watch_matches, t.watch_recipients
    with store.engine.connect() as conn:
        if conn.scalar(
            select(t.alert_optouts.c.subscriber_id).where(t.alert_optouts.c.subscriber_id == subscriber_id)
        ):
            return []
        rows = conn.execute(
            select(m.c.watch_id, m.c.article_id).join(r, r.c.watch_id == m.c.watch_id)
            .where(m.c.batch == batch, r.c.subscriber_id == subscriber_id, r.c.stopped_at.is_(None))
            .order_by(m.c.watch_id, m.c.id)
        ).all()  # fmt: skip
        by_watch: dict[int, list[int]] = {}
        for wid, aid in rows:
            by_watch.setdefault(wid, []).append(aid)
        articles = {wid: article_rows(conn, ids) for wid, ids in by_watch.items()}
    watches = list_watches(store, ids=list(by_watch))
    far = datetime.min.replace(tzinfo=UTC)
    return [
        AlertSection(w, sorted(articles[w.id], key=lambda x: (x["published"] or far, x["id"]), reverse=True))
        for w in watches
    ]


# -- stopping --------------------------------------------------------------------------------
def stop_alerts(store: Store, subscriber_id: int) -> None:
    """The recipient gets no alert any more, of any watch (the one-click unsubscribe)."""
    with store.engine.begin() as conn:  # a second click (or two at once) keeps the first stop
        conn.execute(
            upsert(store.dialect, t.alert_optouts)
            .values(subscriber_id=subscriber_id, stopped_at=utcnow())
            .on_conflict_do_nothing(index_elements=["subscriber_id"])
        )


def stop_watch(store: Store, watch_id: int, subscriber_id: int) -> bool:
    """The recipient gets no more alerts of this watch; False when they were not a recipient."""
    r = t.watch_recipients
    with store.engine.begin() as conn:
        changed = conn.execute(
            update(r).where(r.c.watch_id == watch_id, r.c.subscriber_id == subscriber_id, r.c.stopped_at.is_(None))
            .values(stopped_at=utcnow())
        ).rowcount  # fmt: skip
        known = conn.scalar(
            select(func.count())
            .select_from(r)
            .where(r.c.watch_id == watch_id, r.c.subscriber_id == subscriber_id)
        )
    return bool(changed or known)


def alerts_stopped(store: Store, subscriber_id: int) -> bool:
    with store.engine.connect() as conn:
        return (
            conn.scalar(
                select(t.alert_optouts.c.subscriber_id).where(
                    t.alert_optouts.c.subscriber_id == subscriber_id
                )
            )
            is not None
        )


# -- the links of an alert -----------------------------------------------------------------------
# The digest's unsubscribe tokens (veille.archive.subscribers), keyed for their purpose: an alert's
# link never unsubscribes from the digest, nor a watch's link from another watch.
def _purpose_key(secret: bytes, purpose: str) -> bytes:
    if not secret:
        raise SecretKeyMissing()
    return hmac.new(secret, f"veille-{purpose}".encode(), hashlib.sha256).digest()


def alerts_token(subscriber_id: int, email: str, *, secret: bytes) -> str:
    """The link that stops every alert to this recipient (the List-Unsubscribe one-click)."""
    return unsubscribe_token(subscriber_id, email, secret=_purpose_key(secret, "alerts"))


def watch_token(watch_id: int, subscriber_id: int, email: str, *, secret: bytes) -> str:
    """The link that stops one watch's alerts to this recipient."""
    return unsubscribe_token(subscriber_id, email, secret=_purpose_key(secret, f"watch-{watch_id}"))


def alerts_recipient(store: Store, token: str, *, secret: bytes) -> Subscriber:
    """Whose alerts a :func:`alerts_token` stops; :class:`InvalidToken` otherwise."""
    return verify_unsubscribe_token(store, token, secret=_purpose_key(secret, "alerts"))


def watch_recipient(store: Store, watch_id: int, token: str, *, secret: bytes) -> Subscriber:
    """Whose alerts of this watch a :func:`watch_token` stops; :class:`InvalidToken` otherwise."""
    return verify_unsubscribe_token(store, token, secret=_purpose_key(secret, f"watch-{watch_id}"))
