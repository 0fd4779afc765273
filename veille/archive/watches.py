"""Saved searches ("veilles"): an account's search or figures query, kept with a name, matched
against the articles archived since its last run, each story once.

A watch keeps the user's values (``params``, what the query builder of :mod:`veille.queries` took)
and the query built of them (``query``: the fields of a :class:`SearchQuery` or
:class:`FigureQuery`). Matching is that very query with one more filter, the id window of the new
articles (:mod:`veille.archive.matching`): a watch matches exactly what the same search shows among
them. What a run found is kept, and its alerts are told what to carry, by
:mod:`veille.archive.alerts`. Recipients are subscriber rows (the owner's and the extra addresses;
made :data:`subscribers.ALERTS_ONLY` when the address receives no digest).
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from veille.archive import schema as t
from veille.archive.matching import Query
from veille.archive.search import FigureQuery, SearchQuery
from veille.archive.store import Store, utcnow
from veille.archive.subscribers import alert_recipient, normalise_email
from veille.core.errors import VeilleError

W = t.watches
KINDS = ("search", "figures")
EVERY = ("immediate", "daily", "weekly")
MAX_NAME = 200


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


# -- what the watches matched -------------------------------------------------------------------
def matched_ids(store: Store, watch_id: int) -> list[int]:
    """The articles a watch matched so far, in the order found."""
    m = t.watch_matches
    with store.engine.connect() as conn:
        return list(conn.scalars(select(m.c.article_id).where(m.c.watch_id == watch_id).order_by(m.c.id)))


def matched_stories(store: Store, watch_id: int) -> list[int]:
    """The stories a watch matched so far."""
    m = t.watch_matches
    with store.engine.connect() as conn:
        return list(conn.scalars(select(m.c.story).where(m.c.watch_id == watch_id)))


def article_cards(store: Store, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Id, title, url, source, published and lead of these articles, in the order given."""
    with store.engine.connect() as conn:
        return article_rows(conn, ids)


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
        cards = {c["id"]: c for c in article_rows(conn, [r[0] for r in rows])}
    return [{**cards[a], "found_at": at} for a, at in rows if a in cards]


def article_rows(conn: Any, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Id, title, url, source, published and lead of these articles, in the order given."""
    a = t.articles
    rows = conn.execute(
        select(a.c.id, a.c.title, a.c.url, a.c.source, a.c.published, a.c.lead).where(a.c.id.in_(list(ids)))
    ).mappings()
    by_id = {r["id"]: dict(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]
