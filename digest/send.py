"""Deliver a period's digest to every active subscriber, each at most once.

Idempotence lives in the ``deliveries`` table, one row per (period, subscriber) guarded
by a unique constraint. A sender *claims* a row with one conditional UPDATE
(``pending`` -> ``sending``, or a ``sending`` claim older than ``stale_claim_minutes``
left by a crashed sender) and owns it only if exactly one row changed; two processes
started together therefore never send to the same reader. A row becomes ``sent`` only
after the SMTP server accepted the message. Temporary failures (4xx, server down) go back
to ``pending`` for the next run after a bounded number of retries with backoff; permanent
ones (5xx) are recorded as ``failed``.

One residual risk is SMTP's own: if the connection drops after the server accepted the
message but before we recorded it, the row stays ``sending`` and is retried after the
stale delay. The Message-ID is stable per (period, subscriber) so receivers can dedupe.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from digest.chart import Chart, render_chart
from digest.compose import Digest, Period, compose, parse_period
from digest.config import DigestConfig, load_digest_config
from digest.message import MessageBuilder, Templates
from digest.review import load_draft, save_digest
from digest.smtp import Sender, SmtpConfigError, SmtpError, SmtpPermanentError, SmtpUnavailable
from veille import schema as t
from veille.config import Settings
from veille.store import Store
from veille.subscribers import Subscriber, active_subscribers, get_subscriber, secret_key, unsubscribe_token

log = logging.getLogger("veille.digest.send")
D = t.deliveries


@dataclass
class DeliveryReport:
    period: str
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # permanent: (email, error)
    deferred: list[tuple[str, str]] = field(default_factory=list)  # temporary: retried next run
    already_sent: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # claimed by another running sender
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (email, why)
    message_ids: dict[str, str] = field(default_factory=dict)
    outbox: Path | None = None
    empty: bool = False
    dry_run: bool = False
    aborted: str | None = None  # why the batch stopped early

    @property
    def complete(self) -> bool:
        """Nothing left to do for this period (everything sent or permanently failed)."""
        return not self.deferred and not self.busy and self.aborted is None

    def summary(self) -> str:
        verb = "built" if self.dry_run else "sent"
        parts = [f"{self.period}: {len(self.sent)} {verb}"]
        for label, items in (("already sent", self.already_sent), ("deferred", self.deferred),
                             ("failed", self.failed), ("busy elsewhere", self.busy), ("skipped", self.skipped)):  # fmt: skip
            if items:
                parts.append(f"{len(items)} {label}")
        if self.empty:
            parts.append("empty period")
        if self.aborted:
            parts.append(f"stopped: {self.aborted}")
        return ", ".join(parts)


# -- the deliveries table --------------------------------------------------------------------
def ensure_rows(store: Store, period: str, subscriber_ids: Sequence[int]) -> None:
    """One ``pending`` row per reader; existing rows are left as they are."""
    if not subscriber_ids:
        return
    rows = [
        {"period": period, "subscriber_id": sid, "status": "pending", "attempts": 0} for sid in subscriber_ids
    ]
    ins = pg_insert(D) if store.dialect == "postgresql" else sqlite_insert(D)
    with store.engine.begin() as conn:
        conn.execute(ins.on_conflict_do_nothing(index_elements=["period", "subscriber_id"]), rows)


def claim(store: Store, period: str, subscriber_id: int, worker: str, *, now: datetime,
          stale_minutes: float, max_attempts: int) -> bool:  # fmt: skip
    """Atomically take the row for sending; True only for the one sender that changed it."""
    stale_before = now - timedelta(minutes=stale_minutes)
    stmt = (
        update(D)
        .where(
            D.c.period == period,
            D.c.subscriber_id == subscriber_id,
            D.c.attempts < max_attempts,
            or_(D.c.status == "pending", and_(D.c.status == "sending", D.c.claimed_at < stale_before)),
        )
        .values(status="sending", claimed_by=worker, claimed_at=now, attempts=D.c.attempts + 1)
    )
    with store.engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def _finish(store: Store, period: str, subscriber_id: int, worker: str, **values: Any) -> int:
    with store.engine.begin() as conn:
        return conn.execute(
            update(D)
            .where(
                D.c.period == period,
                D.c.subscriber_id == subscriber_id,
                D.c.claimed_by == worker,
                D.c.status == "sending",
            )  # fmt: skip
            .values(**values)
        ).rowcount


def mark_sent(
    store: Store, period: str, subscriber_id: int, worker: str, message_id: str, now: datetime
) -> None:
    values = {"status": "sent", "message_id": message_id, "sent_at": now, "last_error": None}
    if _finish(store, period, subscriber_id, worker, **values) == 0:
        # our claim went stale and was taken over; the server did accept this message
        log.warning(
            "delivery %s/%s: claim lost while sending; recording it as sent anyway", period, subscriber_id
        )
        with store.engine.begin() as conn:
            conn.execute(
                update(D).where(D.c.period == period, D.c.subscriber_id == subscriber_id).values(**values)
            )


def release(
    store: Store, period: str, subscriber_id: int, worker: str, error: str, *, failed: bool = False
) -> None:
    """Give the row back: ``pending`` (retry later) or ``failed`` (permanent)."""
    _finish(
        store, period, subscriber_id, worker,
        status="failed" if failed else "pending", last_error=error[:2000], claimed_by=None, claimed_at=None,
    )  # fmt: skip


def add_attempt(store: Store, period: str, subscriber_id: int, worker: str) -> None:
    _finish(store, period, subscriber_id, worker, attempts=D.c.attempts + 1)


def give_up_exhausted(store: Store, period: str, max_attempts: int) -> int:
    """Pending rows that used all their attempts become failed."""
    with store.engine.begin() as conn:
        return conn.execute(
            update(D)
            .where(D.c.period == period, D.c.status == "pending", D.c.attempts >= max_attempts)
            .values(
                status="failed", last_error=func.coalesce(D.c.last_error, "") + " (gave up: max_attempts)"
            )
        ).rowcount


def delivery_rows(store: Store, period: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        q = (
            select(D, t.subscribers.c.email)
            .join(t.subscribers, t.subscribers.c.id == D.c.subscriber_id)
            .where(D.c.period == period)
            .order_by(D.c.subscriber_id)
        )
        return [dict(r) for r in conn.execute(q).mappings()]


def delivery_counts(store: Store, period: str) -> dict[str, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(D.c.status, func.count()).where(D.c.period == period).group_by(D.c.status))
        return {status: int(n) for status, n in rows}


# -- outbox and send log ---------------------------------------------------------------------
_UNSAFE = re.compile(r"[^A-Za-z0-9@._+-]+")


def outbox_dir(settings: Settings, period: str) -> Path:
    return settings.data_dir / "outbox" / period


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_outbox(folder: Path, name: str, msg: EmailMessage) -> Path:
    """``<name>.eml`` (the full message) and ``<name>.html`` (the HTML part, for a browser)."""
    folder.mkdir(parents=True, exist_ok=True)
    eml = folder / f"{_UNSAFE.sub('_', name)}.eml"
    _write(eml, msg.as_bytes())
    html = msg.get_body(preferencelist=("html",))
    if html is not None:
        _write(eml.with_suffix(".html"), html.get_content().encode("utf-8"))
    return eml


def _log_line(folder: Path, **entry: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **entry}
    with (folder / "send.log").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


# -- delivery --------------------------------------------------------------------------------
def _recipients(store: Store, subscribers: Sequence[Subscriber | str | int] | None) -> list[Subscriber]:
    if subscribers is None:
        return active_subscribers(store)
    out = [s if isinstance(s, Subscriber) else get_subscriber(store, s) for s in subscribers]
    return [s for s in out if s.active]


def deliver_week(
    settings: Settings,
    store: Store,
    period: str | Period,
    sender: Sender,
    *,
    subscribers: Sequence[Subscriber | str | int] | None = None,
    outbox: bool = True,
    dry_run: bool = False,
    config: DigestConfig | None = None,
    templates: Templates | None = None,
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    worker: str | None = None,
) -> DeliveryReport:
    """Send ``period`` to ``subscribers`` (default: all active), each at most once; safe to re-run.

    ``dry_run`` builds every message (and writes the outbox) without touching the
    deliveries table or the sender.
    """
    config = config or load_digest_config(settings)
    builder = MessageBuilder(config, templates)  # templates compiled here: a broken one fails now
    p = parse_period(period, config.timezone) if isinstance(period, str) else period
    clock = now or (lambda: datetime.now(UTC))
    worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    policy = config.send
    folder = outbox_dir(settings, p.id)
    report = DeliveryReport(period=p.id, outbox=folder if outbox else None, dry_run=dry_run)
    draft = load_draft(store, p.id)
    pinned, excluded = (draft.pinned, draft.excluded) if draft else ((), ())
    readers = _recipients(store, subscribers)
    if not readers:
        report.aborted = "no active subscribers" if subscribers is None else None
        return report
    secret = secret_key()  # fail before claiming anything when the key is missing
    cache: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[Digest, Chart | None]] = {}

    charts: dict[Any, Chart | None] = {}  # the chart shows the whole week: the same for every reader

    def digest_for(sub: Subscriber) -> tuple[Digest, Chart | None]:
        key = (sub.themes, sub.orgs)
        if key not in cache:
            d = compose(store, config, p, themes=sub.themes, orgs=sub.orgs, pinned=pinned, excluded=excluded)
            if d.daily not in charts:
                charts[d.daily] = render_chart(d) if config.chart else None
            cache[key] = (d, charts[d.daily])
        return cache[key]

    generic, generic_chart = digest_for(Subscriber(id=0, email="", themes=(), orgs=()))
    if generic.empty and not config.send_empty:
        report.empty = True
        log.info("%s: nothing to report and send_empty is false: no digest sent", p.id)
        return report
    report.empty = generic.empty
    wanted: list[tuple[Subscriber, Digest, Chart | None]] = []
    for sub in readers:
        d, chart = digest_for(sub)
        if d.empty and not config.send_empty:
            report.skipped.append((sub.email, "nothing matches their selection"))
        else:
            wanted.append((sub, d, chart))
    if not dry_run:
        ensure_rows(store, p.id, [s.id for s, _, _ in wanted])
        give_up_exhausted(store, p.id, policy.max_attempts)
    for sub, d, chart in wanted:
        if report.aborted:
            report.deferred.append((sub.email, report.aborted))
            continue
        if not dry_run and not claim(store, p.id, sub.id, worker, now=clock(),
                                     stale_minutes=policy.stale_claim_minutes, max_attempts=policy.max_attempts):  # fmt: skip
            _not_claimed(store, p.id, sub, report)
            continue
        try:
            msg = builder.build(d, sub, chart=chart, token=unsubscribe_token(sub.id, sub.email, secret=secret),
                                now=clock())  # fmt: skip
            if outbox:
                write_outbox(folder, f"{sub.id}-{sub.email}", msg)
        except BaseException:
            if not dry_run:
                release(store, p.id, sub.id, worker, "could not build the message")
            raise
        if dry_run:
            report.sent.append(sub.email)
            report.message_ids[sub.email] = str(msg["Message-ID"])
            continue
        _send_one(store, sender, msg, p.id, sub, worker, policy, report, folder, clock, sleep)
    if not dry_run and report.complete:
        counts = delivery_counts(store, p.id)
        if set(counts) <= {"sent", "failed"}:
            save_digest(store, p.id, status="sent", subject=generic.subject)
    return report


def _not_claimed(store: Store, period: str, sub: Subscriber, report: DeliveryReport) -> None:
    with store.engine.connect() as conn:
        row = conn.execute(select(D).where(D.c.period == period, D.c.subscriber_id == sub.id)).first()
    if row is None:
        report.skipped.append((sub.email, "no delivery row"))
    elif row.status == "sent":
        report.already_sent.append(sub.email)
    elif row.status == "failed":
        report.failed.append((sub.email, row.last_error or "failed earlier"))
    elif row.status == "sending":
        report.busy.append(sub.email)
    else:
        report.deferred.append((sub.email, row.last_error or "attempts exhausted"))


def _send_one(
    store: Store,
    sender: Sender,
    msg: EmailMessage,
    period: str,
    sub: Subscriber,
    worker: str,
    policy: Any,
    report: DeliveryReport,
    folder: Path,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
) -> None:
    for attempt in range(policy.retries):
        if attempt:
            add_attempt(store, period, sub.id, worker)
        try:
            message_id = sender.send(msg)
        except SmtpPermanentError as exc:
            release(store, period, sub.id, worker, str(exc), failed=True)
            report.failed.append((sub.email, str(exc)))
            log.warning("%s: %s refused permanently: %s", period, sub.email, exc)
            _log_line(
                folder, email=sub.email, subscriber_id=sub.id, status="failed", error=str(exc), worker=worker
            )
            return
        except SmtpConfigError as exc:
            release(store, period, sub.id, worker, str(exc))
            report.deferred.append((sub.email, str(exc)))
            report.aborted = str(exc)
            log.error("%s: stopping: %s", period, exc)
            _log_line(
                folder,
                email=sub.email,
                subscriber_id=sub.id,
                status="deferred",
                error=str(exc),
                worker=worker,
            )
            return
        except SmtpError as exc:  # temporary or unavailable
            last = attempt == policy.retries - 1
            log.warning(
                "%s: %s not sent (attempt %d/%d): %s", period, sub.email, attempt + 1, policy.retries, exc
            )
            if not last:
                sleep(policy.backoff_seconds * (2**attempt))
                continue
            release(store, period, sub.id, worker, str(exc))
            report.deferred.append((sub.email, str(exc)))
            _log_line(
                folder,
                email=sub.email,
                subscriber_id=sub.id,
                status="deferred",
                error=str(exc),
                worker=worker,
            )
            if isinstance(exc, SmtpUnavailable):
                report.aborted = str(exc)  # the server is down: the others wait for the next run
            return
        except BaseException as exc:
            release(store, period, sub.id, worker, f"{type(exc).__name__}: {exc}")
            raise
        mark_sent(store, period, sub.id, worker, message_id, clock())
        report.sent.append(sub.email)
        report.message_ids[sub.email] = message_id
        log.info("%s: sent to %s as %s", period, sub.email, message_id)
        _log_line(
            folder, email=sub.email, subscriber_id=sub.id, status="sent", message_id=message_id, worker=worker
        )
        return
