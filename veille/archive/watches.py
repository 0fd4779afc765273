"""Saved searches ("veilles"): an account's search or figures query, kept with a name, matched
against the articles archived since its last run, each story once.

A watch keeps the user's values (``params``, what the query builder of :mod:`veille.queries` took)
and the query built of them (``query``: the fields of a :class:`SearchQuery` or
:class:`FigureQuery`). Matching is that very query, run by :func:`veille.archive.search.search`
(or ``figures``) with one more filter, the id window of the new articles: a watch matches exactly
what the same search shows among them. The window ends below the first article not yet extracted,
so that a figure threshold never misses an article whose figures are still to come.

What a run found is written in one transaction (:func:`record_batch`): the matches (one per
syndication cluster and watch: a copy of a story already sent is never sent again, and a later
correction of a sent article is no new match), the watch's new watermark, a row of the delivery
ledger (:mod:`veille.archive.deliveries`, kind ``alert``, the run's batch as its period) per
recipient, and the webhook's signed POST to come (``webhook_deliveries``). Recipients are
subscriber rows (the owner's and the extra addresses; made :data:`subscribers.ALERTS_ONLY` when
the address receives no digest); one may stop a single watch or every alert.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from veille.archive import deliveries as ledger
from veille.archive import schema as t
from veille.archive.search import FigureQuery, SearchQuery, figures, search_ids
from veille.archive.search.conditions import MAX_LIMIT
from veille.archive.store import Store, utcnow
from veille.archive.subscribers import (
    SecretKeyMissing,
    Subscriber,
    alert_recipient,
    normalise_email,
    unsubscribe_token,
    verify_unsubscribe_token,
)
from veille.core.errors import VeilleError

W = t.watches
KINDS = ("search", "figures")
EVERY = ("immediate", "daily", "weekly")
ALERT = "alert"  # this message's kind in the delivery ledger
MAX_NAME = 200
Query = SearchQuery | FigureQuery


class WatchError(VeilleError):
    """A watch cannot be saved or found as asked."""


class WatchNotFound(WatchError):
    def __init__(self, key: int | str) -> None:
        super().__init__(f"no watch {key!r}: see `veille watch list`")


@dataclass(frozen=True)
class Watch:
    id: int
    owner_id: int
    owner: str  # the owner's login
    name: str
    kind: str
    params: dict[str, Any]
    query: Query
    every: str
    feed_token: str
    webhook_url: str | None
    webhook_secret: str | None
    watermark: int
    last_run_at: datetime | None
    created_at: datetime
    recipients: tuple[str, ...] = ()  # addresses receiving its alerts (stopped ones left out)


# -- the query, as kept ------------------------------------------------------------------------
def query_to_json(q: Query) -> dict[str, Any]:
    """The query's fields as JSON values (dates as ISO text, tuples as lists)."""
    out = {}
    for f in dataclasses.fields(q):
        value = getattr(q, f.name)
        out[f.name] = value.isoformat() if isinstance(value, date) else value
    return {"type": type(q).__name__, "fields": json.loads(json.dumps(out))}


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def query_from_json(data: dict[str, Any]) -> Query:
    cls = SearchQuery if data.get("type") == "SearchQuery" else FigureQuery
    known = {f.name for f in dataclasses.fields(cls)}
    values = {k: _tuples(v) for k, v in data.get("fields", {}).items() if k in known}
    for day in ("since", "until"):
        if values.get(day):
            values[day] = date.fromisoformat(values[day])
    return cls(**values)


# -- reading -----------------------------------------------------------------------------------
def _watch(row: Any, recipients: tuple[str, ...]) -> Watch:
    return Watch(
        id=row.id, owner_id=row.owner_id, owner=row.owner, name=row.name, kind=row.kind,
        params=dict(row.params or {}), query=query_from_json(row.query), every=row.every,
        feed_token=row.feed_token, webhook_url=row.webhook_url, webhook_secret=row.webhook_secret,
        watermark=row.watermark, last_run_at=row.last_run_at, created_at=row.created_at, recipients=recipients,
    )  # fmt: skip


def _select() -> Any:
    return select(W, t.accounts.c.email.label("owner")).join(t.accounts, t.accounts.c.id == W.c.owner_id)


def _recipients(conn: Any, watch_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    r, s = t.watch_recipients, t.subscribers
    rows = conn.execute(
        select(r.c.watch_id, s.c.email)
        .join(s, s.c.id == r.c.subscriber_id)
        .where(r.c.watch_id.in_(list(watch_ids)), r.c.stopped_at.is_(None), s.c.status != "unsubscribed",
               ~r.c.subscriber_id.in_(select(t.alert_optouts.c.subscriber_id)))
        .order_by(s.c.email)
    )  # fmt: skip
    out: dict[int, list[str]] = {}
    for wid, email in rows:
        out.setdefault(wid, []).append(email)
    return {k: tuple(v) for k, v in out.items()}


def list_watches(
    store: Store, *, owner_id: int | None = None, ids: Sequence[int] | None = None
) -> list[Watch]:
    """Every watch (of one owner, or these), by owner then name."""
    q = _select().order_by(t.accounts.c.email, W.c.name)
    if owner_id is not None:
        q = q.where(W.c.owner_id == owner_id)
    if ids is not None:
        q = q.where(W.c.id.in_(list(ids)))
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
        recipients = _recipients(conn, [r.id for r in rows])
    return [_watch(r, recipients.get(r.id, ())) for r in rows]


def get_watch(store: Store, key: int | str, *, owner_id: int | None = None) -> Watch:
    """By id, or by name (one owner's, when given)."""
    found = [
        w for w in list_watches(store, owner_id=owner_id)
        if (w.id == key if isinstance(key, int) else w.name == key)
    ]  # fmt: skip
    if len(found) != 1:
        raise WatchNotFound(key)
    return found[0]


def watch_by_feed_token(store: Store, token: str) -> Watch | None:
    with store.engine.connect() as conn:
        row = conn.execute(_select().where(W.c.feed_token == token)).first()
    return _watch(row, ()) if row is not None else None


# -- saving ------------------------------------------------------------------------------------
def add_watch(
    store: Store,
    *,
    owner_id: int,
    name: str,
    params: dict[str, Any],
    query: Query,
    every: str = "daily",
    recipients: Sequence[str] = (),
    webhook_url: str | None = None,
) -> Watch:
    """Save a watch of ``owner_id``'s. Its alerts go to the owner (when the login is an address)
    and to ``recipients``; it matches the articles archived from now on."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise WatchError(f"a watch needs a name of 1 to {MAX_NAME} characters")
    if every not in EVERY:
        raise WatchError(f"unknown frequency {every!r}: use one of {', '.join(EVERY)}")
    addresses = [normalise_email(a) for a in recipients]
    now = utcnow()
    with store.engine.begin() as conn:
        owner = conn.execute(select(t.accounts.c.email).where(t.accounts.c.id == owner_id)).scalar()
        if owner is None:
            raise WatchError(f"no account {owner_id}: see `veille users list`")
        if "@" in owner:
            addresses.insert(0, owner)
        values = {
            "owner_id": owner_id, "name": name, "kind": "search" if isinstance(query, SearchQuery) else "figures",
            "params": params, "query": query_to_json(query), "every": every,
            "feed_token": secrets.token_urlsafe(24), "webhook_url": webhook_url or None,
            "webhook_secret": secrets.token_hex(32) if webhook_url else None,
            "watermark": int(conn.scalar(select(func.coalesce(func.max(t.articles.c.id), 0))) or 0),
            "created_at": now,
        }  # fmt: skip
        try:
            with conn.begin_nested():
                wid = int(conn.execute(insert(W).values(**values)).inserted_primary_key[0])  # type: ignore[index]
        except IntegrityError:
            raise WatchError(f"{owner} already has a watch named {name!r}") from None
        for sid in dict.fromkeys(alert_recipient(store, a, conn=conn) for a in addresses):
            conn.execute(insert(t.watch_recipients).values(watch_id=wid, subscriber_id=sid))
    return get_watch(store, wid)


def remove_watch(store: Store, watch_id: int) -> Watch:
    """Delete a watch, with its matches, recipients and webhook deliveries."""
    watch = get_watch(store, watch_id)
    with store.engine.begin() as conn:
        for table in (t.webhook_deliveries, t.watch_matches, t.watch_recipients):
            conn.execute(delete(table).where(table.c.watch_id == watch_id))
        conn.execute(delete(W).where(W.c.id == watch_id))
    return watch


# -- matching ----------------------------------------------------------------------------------
def matching_bound(store: Store, after: int) -> int:
    """The highest id ``h`` such that every article in ``(after, h]`` has been extracted."""
    a = t.articles
    with store.engine.connect() as conn:
        pending = conn.scalar(select(func.min(a.c.id)).where(a.c.id > after, a.c.extracted_at.is_(None)))
        if pending is not None:
            return int(pending) - 1
        return max(after, int(conn.scalar(select(func.coalesce(func.max(a.c.id), 0))) or 0))


def match(store: Store, query: Query, after: int, upto: int) -> list[tuple[int, int]]:
    """``(article id, story)`` of the articles in ``(after, upto]`` that ``query`` finds, in its
    order (``story``: the syndication cluster, or the article itself)."""
    if upto <= after:
        return []
    if isinstance(query, SearchQuery):
        return _search_matches(store, query, after, upto)
    q = dataclasses.replace(query, id_after=after, id_upto=upto, limit=MAX_LIMIT, offset=0, copies=False)
    ids: list[int] = []
    while True:
        rows = figures(store, q).rows
        ids += [r.article_id for r in rows]
        if len(rows) < q.limit:
            break
        q = dataclasses.replace(q, offset=q.offset + q.limit)
    ids = list(dict.fromkeys(ids))
    stories = _stories(store, ids)
    return [(i, stories[i]) for i in ids if i in stories]


def _search_matches(store: Store, query: SearchQuery, after: int, upto: int) -> list[tuple[int, int]]:
    return search_ids(store, dataclasses.replace(query, id_after=after, id_upto=upto))


def _stories(store: Store, ids: Sequence[int]) -> dict[int, int]:
    a = t.articles
    out: dict[int, int] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            out.update(
                conn.execute(
                    select(a.c.id, func.coalesce(a.c.cluster_id, a.c.id)).where(a.c.id.in_(chunk))
                ).all()
            )  # type: ignore[arg-type]
    return out


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
        for a in _articles(conn, article_ids)
    ]  # fmt: skip
    body = {
        "watch": {"id": watch.id, "name": watch.name},
        "run": batch,
        "at": now.isoformat(),
        "items": items,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _articles(conn: Any, ids: Sequence[int]) -> list[dict[str, Any]]:
    a = t.articles
    rows = conn.execute(
        select(a.c.id, a.c.title, a.c.url, a.c.source, a.c.published, a.c.lead).where(a.c.id.in_(list(ids)))
    ).mappings()
    by_id = {r["id"]: dict(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


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
        articles = {wid: _articles(conn, ids) for wid, ids in by_watch.items()}
    watches = list_watches(store, ids=list(by_watch))
    far = datetime.min.replace(tzinfo=UTC)
    return [
        AlertSection(w, sorted(articles[w.id], key=lambda x: (x["published"] or far, x["id"]), reverse=True))
        for w in watches
    ]


# -- stopping --------------------------------------------------------------------------------
def stop_alerts(store: Store, subscriber_id: int) -> None:
    """The recipient gets no alert any more, of any watch (the one-click unsubscribe)."""
    with store.engine.begin() as conn:
        if (
            conn.scalar(
                select(t.alert_optouts.c.subscriber_id).where(
                    t.alert_optouts.c.subscriber_id == subscriber_id
                )
            )
            is None
        ):
            conn.execute(insert(t.alert_optouts).values(subscriber_id=subscriber_id, stopped_at=utcnow()))


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


def matched_ids(store: Store, watch_id: int) -> list[int]:
    """The articles a watch matched so far, in the order found."""
    m = t.watch_matches
    with store.engine.connect() as conn:
        return list(conn.scalars(select(m.c.article_id).where(m.c.watch_id == watch_id).order_by(m.c.id)))


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


def matched_stories(store: Store, watch_id: int) -> list[int]:
    """The stories a watch matched so far."""
    m = t.watch_matches
    with store.engine.connect() as conn:
        return list(conn.scalars(select(m.c.story).where(m.c.watch_id == watch_id)))


def article_cards(store: Store, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Id, title, url, source, published and lead of these articles, in the order given."""
    with store.engine.connect() as conn:
        return _articles(conn, ids)


def recent_matches(store: Store, watch_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The articles a watch matched, the latest found first, with when each was found."""
    m = t.watch_matches
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(m.c.article_id, m.c.found_at)
            .where(m.c.watch_id == watch_id)
            .order_by(m.c.id.desc())
            .limit(limit)
        ).all()
        cards = {c["id"]: c for c in _articles(conn, [r[0] for r in rows])}
    return [{**cards[a], "found_at": at} for a, at in rows if a in cards]
