"""Digest subscribers: add, remove, list, import from CSV, filters, unsubscribe tokens.

A subscriber row is never deleted by an unsubscribe: its status becomes ``unsubscribed``
so that a later CSV import cannot silently re-add someone who left (``purge`` deletes it
for good). Filters (themes, organisations) shape that subscriber's digest.

Unsubscribe tokens are ``<id>.<mac>`` where ``mac`` is HMAC-SHA256 over ``"<id>:<email>"``
keyed with ``VEILLE_SECRET_KEY`` (base64url, unpadded), which the caller hands over (the
settings carry it: ``settings.secrets.link_key()``, ``settings.digest.link_key()``). They do not expire: an unsubscribe
link in a two-year-old email must still work. Changing the key invalidates all links.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from veille.archive import schema as t
from veille.archive.store import Store, utcnow

# raised when no key is handed over (and by the settings' link_key()); importable from here too
from veille.core.conf.secrets import SecretKeyMissing as SecretKeyMissing
from veille.core.errors import VeilleError

STATUSES = ("active", "unsubscribed")
# a row made only so that an address can receive a watch's alerts (its owner, an extra recipient):
# not "active", so it never receives the digest (veille.archive.watches)
ALERTS_ONLY = "alerts"
# Pragmatic check, not RFC 5322: one @, no spaces, a dotted domain of sane labels.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


class SubscriberError(VeilleError):
    """A subscriber operation cannot be done (bad address, unknown subscriber...)."""


class InvalidEmail(SubscriberError):
    def __init__(self, email: str, reason: str = "not a valid email address") -> None:
        self.email = email
        super().__init__(f"'{email}' is {reason}")


class SubscriberNotFound(SubscriberError):
    def __init__(self, key: str | int) -> None:
        self.key = key
        super().__init__(f"no subscriber {key!r}: see `veille subscribers list`")


class InvalidToken(SubscriberError):
    def __init__(self) -> None:
        super().__init__("this unsubscribe link is invalid or no longer matches a subscriber")


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    name: str | None = None
    themes: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    status: str = "active"
    created_at: datetime | None = None
    unsubscribed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def filtered(self) -> bool:
        return bool(self.themes or self.orgs)


@dataclass(frozen=True)
class ImportProblem:
    line: int
    email: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.email or '(empty)'}: {self.reason}"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[ImportProblem] = field(default_factory=list)


# -- addresses and filters -----------------------------------------------------------------
def normalise_email(email: str) -> str:
    """Trim and lower-case the domain; raise :class:`InvalidEmail` when it is not an address."""
    value = (email or "").strip()
    if not value:
        raise InvalidEmail(value, "empty")
    if len(value) > 320 or not _EMAIL.match(value):
        raise InvalidEmail(value)
    local, domain = value.rsplit("@", 1)
    if len(local) > 64 or ".." in local or local.startswith(".") or local.endswith("."):
        raise InvalidEmail(value)
    return f"{local}@{domain.lower()}"


def parse_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """ "a; b, c" or ["a", "b"] -> ("a", "b", "c"), stripped, order kept, no duplicates."""
    if value is None:
        return ()
    items = re.split(r"[;,|]", value) if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(s.strip() for s in items if s and s.strip()))


def _row(row: Any) -> Subscriber:
    return Subscriber(
        id=row.id,
        email=row.email,
        name=row.name,
        themes=tuple(row.themes or ()),
        orgs=tuple(row.orgs or ()),
        status=row.status,
        created_at=row.created_at,
        unsubscribed_at=row.unsubscribed_at,
    )


def _where(key: str | int) -> Any:
    if isinstance(key, int):
        return t.subscribers.c.id == key
    return func.lower(t.subscribers.c.email) == key.strip().lower()


# -- queries -------------------------------------------------------------------------------
def get_subscriber(store: Store, key: str | int) -> Subscriber:
    """By id or email (case-insensitive)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(t.subscribers).where(_where(key))).first()
    if row is None:
        raise SubscriberNotFound(key)
    return _row(row)


def list_subscribers(store: Store, *, status: str | None = None) -> list[Subscriber]:
    q = select(t.subscribers).order_by(t.subscribers.c.email)
    if status:
        q = q.where(t.subscribers.c.status == status)
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(q)]


def active_subscribers(store: Store) -> list[Subscriber]:
    return list_subscribers(store, status="active")


# -- changes -------------------------------------------------------------------------------
def add_subscriber(
    store: Store,
    email: str,
    *,
    name: str | None = None,
    themes: str | Iterable[str] | None = None,
    orgs: str | Iterable[str] | None = None,
    resubscribe: bool = False,
) -> tuple[Subscriber, bool]:
    """Add or update a subscriber. Returns ``(subscriber, created)``.

    An existing address keeps its values where an argument is None. An unsubscribed
    address is only reactivated with ``resubscribe=True`` (they asked to leave).
    """
    address = normalise_email(email)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name.strip() or None
    if themes is not None:
        values["themes"] = list(parse_list(themes))
    if orgs is not None:
        values["orgs"] = list(parse_list(orgs))
    with store.engine.begin() as conn:
        row = conn.execute(select(t.subscribers).where(_where(address))).first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(t.subscribers).values(
                            email=address,
                            name=values.get("name"),
                            themes=values.get("themes", []),
                            orgs=values.get("orgs", []),
                            status="active",
                            created_at=utcnow(),
                        )
                    )
                created = True
            except IntegrityError:  # added concurrently: fall through to update
                created = False
        else:
            created = False
            if row.status == "unsubscribed":
                if not resubscribe:
                    when = f" on {row.unsubscribed_at:%Y-%m-%d}" if row.unsubscribed_at else ""
                    raise SubscriberError(
                        f"{address} unsubscribed{when}: add it again only with their consent (--resubscribe)"
                    )
                values.update(status="active", unsubscribed_at=None)
            if values:
                conn.execute(update(t.subscribers).where(t.subscribers.c.id == row.id).values(**values))
    return get_subscriber(store, address), created


def alert_recipient(store: Store, email: str, *, conn: Any = None) -> int:
    """The id of the subscriber row of ``email``, made (:data:`ALERTS_ONLY`) when there is none."""
    address = normalise_email(email)

    def find(c: Any) -> int | None:
        return c.scalar(select(t.subscribers.c.id).where(_where(address)))

    def make(c: Any) -> int:
        found = find(c)
        if found is not None:
            return found
        values = {"email": address, "themes": [], "orgs": [], "status": ALERTS_ONLY, "created_at": utcnow()}
        return int(c.execute(insert(t.subscribers).values(**values)).inserted_primary_key[0])

    if conn is not None:
        return make(conn)
    with store.engine.begin() as own:
        return make(own)


def set_filters(
    store: Store,
    key: str | int,
    *,
    themes: str | Iterable[str] | None = None,
    orgs: str | Iterable[str] | None = None,
) -> Subscriber:
    values: dict[str, Any] = {}
    if themes is not None:
        values["themes"] = list(parse_list(themes))
    if orgs is not None:
        values["orgs"] = list(parse_list(orgs))
    if values:
        with store.engine.begin() as conn:
            if conn.execute(update(t.subscribers).where(_where(key)).values(**values)).rowcount == 0:
                raise SubscriberNotFound(key)
    return get_subscriber(store, key)


def set_status(store: Store, key: str | int, status: str) -> Subscriber:
    if status not in STATUSES:
        raise SubscriberError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    values: dict[str, Any] = {"status": status}
    values["unsubscribed_at"] = utcnow() if status == "unsubscribed" else None
    with store.engine.begin() as conn:
        row = conn.execute(select(t.subscribers).where(_where(key))).first()
        if row is None:
            raise SubscriberNotFound(key)
        if row.status != status:  # keep the first unsubscribe date
            conn.execute(update(t.subscribers).where(t.subscribers.c.id == row.id).values(**values))
    return get_subscriber(store, key)


def remove_subscriber(store: Store, key: str | int, *, purge: bool = False) -> Subscriber:
    """Unsubscribe (kept, so imports won't re-add them) or, with ``purge``, delete with its deliveries."""
    sub = get_subscriber(store, key)
    if purge:
        with store.engine.begin() as conn:
            conn.execute(delete(t.deliveries).where(t.deliveries.c.subscriber_id == sub.id))
            conn.execute(delete(t.subscribers).where(t.subscribers.c.id == sub.id))
        return sub
    return set_status(store, sub.id, "unsubscribed")


def import_csv(store: Store, path: str | os.PathLike[str]) -> ImportReport:
    """Import ``email[,name[,themes[,orgs]]]`` rows (header optional; lists separated by ``;``).

    A bad address is reported with its line number and skipped; the rest is imported.
    Unsubscribed addresses are not reactivated.
    """
    p = Path(path)
    report = ImportReport()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SubscriberError(f"{p}: file not found") from None
    except UnicodeDecodeError:
        raise SubscriberError(f"{p}: not UTF-8 text (save the CSV as UTF-8)") from None
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    delimiter = next((d for d in (",", "\t", ";") if d in first), ",")
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    columns = ["email", "name", "themes", "orgs"]
    seen: set[str] = set()
    header_seen = False
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        lowered = [c.lower() for c in cells]
        if not header_seen:
            header_seen = True
            if "email" in lowered or "e-mail" in lowered:
                columns = ["email" if c == "e-mail" else c for c in lowered]
                continue
        record = dict(zip(columns, cells, strict=False))
        raw = record.get("email", "")
        try:
            address = normalise_email(raw)
        except InvalidEmail as exc:
            report.skipped.append(ImportProblem(line, raw, str(exc).split(" is ", 1)[-1]))
            continue
        if address.lower() in seen:
            report.skipped.append(ImportProblem(line, raw, "duplicate of an earlier line"))
            continue
        seen.add(address.lower())
        try:
            _, created = add_subscriber(
                store,
                address,
                name=record.get("name") or None,
                themes=record.get("themes") if record.get("themes") else None,
                orgs=record.get("orgs") if record.get("orgs") else None,
            )
        except SubscriberError as exc:
            report.skipped.append(ImportProblem(line, raw, str(exc).replace(f"{address} ", "", 1)))
            continue
        (report.added if created else report.updated).append(address)
    return report


# -- unsubscribe tokens --------------------------------------------------------------------
def _mac(subscriber_id: int, email: str, secret: bytes) -> str:
    msg = f"{subscriber_id}:{email.strip().lower()}".encode()
    digest = hmac.new(secret, msg, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def unsubscribe_token(subscriber_id: int, email: str, *, secret: bytes) -> str:
    """``<id>.<HMAC-SHA256(id:email)>``, URL-safe."""
    if not secret:
        raise SecretKeyMissing()
    return f"{subscriber_id}.{_mac(subscriber_id, email, secret)}"


def token_subscriber_id(token: str) -> int:
    """The id part of a token (unverified); :class:`InvalidToken` if malformed."""
    head, _, mac = (token or "").partition(".")
    if not head.isdigit() or not mac or len(head) > 12:
        raise InvalidToken()
    return int(head)


def token_matches(token: str, subscriber_id: int, email: str, *, secret: bytes) -> bool:
    try:
        if token_subscriber_id(token) != subscriber_id:
            return False
    except InvalidToken:
        return False
    expected = unsubscribe_token(subscriber_id, email, secret=secret)
    return hmac.compare_digest(expected.encode(), token.encode())


def verify_unsubscribe_token(store: Store, token: str, *, secret: bytes) -> Subscriber:
    """The subscriber the token was made for; :class:`InvalidToken` otherwise."""
    if not secret:
        raise SecretKeyMissing()
    sid = token_subscriber_id(token)
    try:
        sub = get_subscriber(store, sid)
    except SubscriberNotFound:
        raise InvalidToken() from None
    if not token_matches(token, sub.id, sub.email, secret=secret):
        raise InvalidToken()
    return sub


def unsubscribe_by_token(store: Store, token: str, *, secret: bytes) -> Subscriber:
    """Verify and unsubscribe (idempotent: a second click is not an error)."""
    sub = verify_unsubscribe_token(store, token, secret=secret)
    return set_status(store, sub.id, "unsubscribed")


def subscriber_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.subscribers.c.status, func.count()).group_by(t.subscribers.c.status))
        return {status: int(n) for status, n in rows}


def emails(subscribers: Sequence[Subscriber]) -> list[str]:
    return [s.email for s in subscribers]
