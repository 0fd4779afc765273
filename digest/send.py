"""Deliver a period's digest to every active subscriber, at most once each.

Idempotence lives in the delivery ledger (:mod:`veille.archive.deliveries`), one row per (kind,
period, subscriber) guarded by a unique constraint. A sender claims a ``pending`` row with
one conditional UPDATE and owns it only if exactly one row changed: two processes started
together never send to the same reader. A row becomes ``sent`` only after the SMTP server
accepted the message. Temporary failures (4xx, server down before the message went out) go
back to ``pending`` for the next run after a bounded number of retries with backoff;
permanent ones (5xx) are recorded as ``failed``.

What SMTP cannot tell: when the connection drops after the message was transmitted and
before the server's reply, or when a sender dies while a row is ``sending``, the message
may have been accepted. Such a row becomes ``unconfirmed`` and is never resent on its own:
it is reported (the command exits non-zero, the scheduler mails the operator, the admin page
lists it) until an operator confirms it or resends it (``--resend-unconfirmed``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from digest.chart import Chart, render_chart
from digest.compose import Digest, Period, compose, parse_period
from digest.message import MessageBuilder, Templates
from digest.outbox import log_line, outbox_dir, write_outbox
from digest.smtp import (
    Sender,
    SmtpConfigError,
    SmtpError,
    SmtpPermanentError,
    SmtpUnavailable,
    SmtpUnconfirmed,
)
from veille.archive import deliveries as ledger
from veille.archive.digests import digest_of, save_digest
from veille.archive.store import Store
from veille.archive.subscribers import (
    Subscriber,
    active_subscribers,
    get_subscriber,
    unsubscribe_token,
)
from veille.core.conf.digest import DigestConfig, SendPolicy
from veille.core.config import Settings

log = logging.getLogger("veille.digest.send")
KIND = "digest"  # this message's kind in the delivery ledger


@dataclass
class DeliveryReport:
    period: str
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # permanent: (email, error)
    deferred: list[tuple[str, str]] = field(default_factory=list)  # temporary: retried next run
    unconfirmed: list[tuple[str, str]] = field(default_factory=list)  # may have arrived: an operator decides
    already_sent: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # claimed by another running sender
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (email, why)
    message_ids: dict[str, str] = field(default_factory=dict)
    outbox: Path | None = None
    empty: bool = False
    dry_run: bool = False
    no_subscribers: bool = False
    aborted: str | None = None  # why the batch stopped early

    @property
    def complete(self) -> bool:
        """Nothing left to do for this period (everything sent or permanently failed)."""
        return not self.deferred and not self.busy and not self.unconfirmed and self.aborted is None

    def summary(self) -> str:
        if self.no_subscribers:
            return f"{self.period}: no active subscribers, nothing to send (add one: veille subscribers add EMAIL)"
        verb = "built" if self.dry_run else "sent"
        parts = [f"{self.period}: {len(self.sent)} {verb}"]
        for label, items in (("already sent", self.already_sent), ("deferred", self.deferred),
                             ("unconfirmed", self.unconfirmed), ("failed", self.failed),
                             ("busy elsewhere", self.busy), ("skipped", self.skipped)):  # fmt: skip
            if items:
                parts.append(f"{len(items)} {label}")
        if self.empty:
            parts.append("empty period")
        if self.aborted:
            parts.append(f"stopped: {self.aborted}")
        return ", ".join(parts)


# -- the ledger, for this kind of message ----------------------------------------------------
def ensure_rows(store: Store, period: str, subscribers: Sequence[Subscriber | int]) -> None:
    """One ``pending`` row per reader; existing rows are left as they are."""
    recipients = [
        ledger.Recipient(s.id, s.email) if isinstance(s, Subscriber) else ledger.Recipient(s, get_subscriber(store, s).email)
        for s in subscribers
    ]  # fmt: skip
    ledger.ensure_rows(store, KIND, period, recipients)


def delivery_rows(store: Store, period: str) -> list[dict[str, Any]]:
    return ledger.rows(store, KIND, period)


def delivery_counts(store: Store, period: str) -> dict[str, int]:
    return ledger.counts(store, KIND, period)


def resolve_unconfirmed(store: Store, period: str, *, resend: bool) -> int:
    """An operator's decision on the period's unconfirmed deliveries: resend, or confirm as received."""
    return ledger.resolve_unconfirmed(store, KIND, period, resend=resend)


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
    resend_unconfirmed: bool = False,
    config: DigestConfig | None = None,
    templates: Templates | None = None,
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    worker: str | None = None,
    secret: bytes | None = None,
) -> DeliveryReport:
    """Send ``period`` to ``subscribers`` (default: all active), each at most once; safe to re-run.

    ``dry_run`` builds every message (and writes the outbox) without touching the ledger or
    the sender. ``resend_unconfirmed`` is the operator's decision to send again the messages
    that may or may not have arrived (``unconfirmed``); without it they are only reported.
    ``secret`` signs the unsubscribe links (default: the config's key, ``VEILLE_SECRET_KEY``).
    """
    config = config or settings.digest
    builder = MessageBuilder(config, templates)  # templates compiled here: a broken one fails now
    p = parse_period(period, config.timezone) if isinstance(period, str) else period
    clock = now or (lambda: datetime.now(UTC))
    worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    folder = outbox_dir(settings, p.id)
    report = DeliveryReport(period=p.id, outbox=folder if outbox else None, dry_run=dry_run)
    draft = digest_of(store, p.id)
    pinned, excluded = (draft.pinned, draft.excluded) if draft else ((), ())
    readers = _recipients(store, subscribers)
    if not readers:
        report.no_subscribers = subscribers is None
        report.outbox = None
        return report
    secret = secret or config.link_key()  # fail before claiming anything when the key is missing
    digests = _Digests(store, config, p, pinned, excluded)
    generic, _ = digests.of(Subscriber(id=0, email="", themes=(), orgs=()))
    if generic.empty and not config.send_empty:
        report.empty = True
        log.info("%s: nothing to report and send_empty is false: no digest sent", p.id)
        return report
    report.empty = generic.empty
    wanted: list[tuple[Subscriber, Digest, Chart | None]] = []
    for sub in readers:
        d, chart = digests.of(sub)
        if d.empty and not config.send_empty:
            report.skipped.append((sub.email, "nothing matches their selection"))
        else:
            wanted.append((sub, d, chart))
    batch = _Batch(store, sender, builder, period=p.id, worker=worker, policy=config.send, report=report,
                   folder=folder, outbox=outbox, dry_run=dry_run, secret=secret, clock=clock, sleep=sleep)  # fmt: skip
    if not dry_run:
        batch.prepare([s for s, _, _ in wanted], resend_unconfirmed)
    for sub, d, chart in wanted:
        batch.deliver(sub, d, chart)
    if not dry_run and report.complete:
        counts = delivery_counts(store, p.id)
        if set(counts) <= {"sent", "failed"}:
            # a letter sent without a reviewed draft was prepared now: never "Préparée le —"
            when = {} if draft and draft.built_at else {"built_at": clock()}
            save_digest(store, p.id, status="sent", subject=generic.subject, **when)
    return report


class _Digests:
    """The period's digest for each selection of themes and organisations, composed once per
    selection; the chart shows the whole week, rendered once for every reader."""

    def __init__(
        self,
        store: Store,
        config: DigestConfig,
        period: Period,
        pinned: tuple[int, ...],
        excluded: tuple[int, ...],
    ) -> None:
        self.store, self.config, self.period = store, config, period
        self.pinned, self.excluded = pinned, excluded
        self.cache: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[Digest, Chart | None]] = {}
        self.charts: dict[Any, Chart | None] = {}

    def of(self, sub: Subscriber) -> tuple[Digest, Chart | None]:
        key = (sub.themes, sub.orgs)
        if key not in self.cache:
            d = compose(
                self.store,
                self.config,
                self.period,
                themes=sub.themes,
                orgs=sub.orgs,
                pinned=self.pinned,
                excluded=self.excluded,
            )
            if d.daily not in self.charts:
                self.charts[d.daily] = render_chart(d) if self.config.chart else None
            self.cache[key] = (d, self.charts[d.daily])
        return self.cache[key]


@dataclass
class _Batch:
    """One run's deliveries of a period: the ledger prepared, then each reader's message claimed,
    built, written to the outbox and sent (or only built, in a dry run)."""

    store: Store
    sender: Sender
    builder: MessageBuilder
    period: str
    worker: str
    policy: SendPolicy
    report: DeliveryReport
    folder: Path
    outbox: bool
    dry_run: bool
    secret: bytes
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]

    def prepare(self, readers: list[Subscriber], resend_unconfirmed: bool) -> None:
        """A ledger row per reader; stale claims expired, unconfirmed rows sent again when the
        operator says so, rows out of attempts given up."""
        store, period = self.store, self.period
        ensure_rows(store, period, readers)
        ledger.expire_claims(
            store, KIND, period, now=self.clock(), stale_minutes=self.policy.stale_claim_minutes
        )
        if resend_unconfirmed:
            n = ledger.resolve_unconfirmed(
                store, KIND, period, resend=True, subscriber_ids=[s.id for s in readers]
            )
            log.info("%s: %d unconfirmed deliveries to send again (operator's decision)", period, n)
        ledger.give_up_exhausted(store, KIND, period, self.policy.max_attempts)

    def deliver(self, sub: Subscriber, d: Digest, chart: Chart | None) -> None:
        store, period, report, dry_run = self.store, self.period, self.report, self.dry_run
        if report.aborted:
            row = None if dry_run else ledger.status_of(store, KIND, period, sub.id)
            if row is not None and row["status"] in ("sent", "failed", "unconfirmed", "sending"):
                _not_claimed(store, period, sub, report)  # say what it is, not "deferred"
            else:
                report.deferred.append((sub.email, report.aborted))
            return
        if not dry_run and not ledger.claim(
            store, KIND, period, sub.id, self.worker, now=self.clock(), max_attempts=self.policy.max_attempts
        ):
            _not_claimed(store, period, sub, report)
            return
        try:
            msg = self.builder.build(
                d,
                sub,
                chart=chart,
                token=unsubscribe_token(sub.id, sub.email, secret=self.secret),
                now=self.clock(),
            )
            if self.outbox:
                write_outbox(self.folder, f"{sub.id}-{sub.email}", msg)
        except BaseException:
            if not dry_run:
                ledger.release(store, KIND, period, sub.id, self.worker, "could not build the message")
            raise
        if dry_run:
            report.sent.append(sub.email)
            report.message_ids[sub.email] = str(msg["Message-ID"])
            return
        send_one(
            store,
            self.sender,
            msg,
            period,
            sub,
            self.worker,
            self.policy,
            report,
            self.folder,
            self.clock,
            self.sleep,
        )


def _not_claimed(store: Store, period: str, sub: Subscriber, report: DeliveryReport) -> None:
    row = ledger.status_of(store, KIND, period, sub.id)
    if row is None:
        report.skipped.append((sub.email, "no delivery row"))
    elif row["status"] == "sent":
        report.already_sent.append(sub.email)
    elif row["status"] == "failed":
        report.failed.append((sub.email, row["last_error"] or "failed earlier"))
    elif row["status"] == "unconfirmed":
        report.unconfirmed.append((sub.email, row["last_error"] or "may have been accepted"))
    elif row["status"] == "sending":
        report.busy.append(sub.email)
    else:
        report.deferred.append((sub.email, row["last_error"] or "attempts exhausted"))


def send_one(
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
    kind: str = KIND,
) -> None:
    """Send one claimed message of the ledger (``kind``: the digest's, or the alerts'), retrying a
    temporary failure with backoff; its row ends ``sent``, ``pending``, ``failed`` or
    ``unconfirmed``, and the outbox's log says which."""

    def note(status: str, **extra: Any) -> None:
        log_line(folder, email=sub.email, subscriber_id=sub.id, status=status, worker=worker, **extra)

    for attempt in range(policy.retries):
        if attempt:
            ledger.add_attempt(store, kind, period, sub.id, worker)
        try:
            message_id = sender.send(msg)
        except SmtpPermanentError as exc:
            ledger.release(store, kind, period, sub.id, worker, str(exc), state="failed")
            report.failed.append((sub.email, str(exc)))
            log.warning("%s: %s refused permanently: %s", period, sub.email, exc)
            note("failed", error=str(exc))
            return
        except SmtpUnconfirmed as exc:
            # the server may have accepted it: sending it again could deliver it twice
            ledger.release(store, kind, period, sub.id, worker, str(exc), state="unconfirmed")
            report.unconfirmed.append((sub.email, str(exc)))
            report.aborted = str(exc)
            log.error("%s: %s unconfirmed, stopping: %s", period, sub.email, exc)
            note("unconfirmed", error=str(exc), message_id=str(msg["Message-ID"]))
            return
        except SmtpConfigError as exc:
            ledger.release(store, kind, period, sub.id, worker, str(exc))
            report.deferred.append((sub.email, str(exc)))
            report.aborted = str(exc)
            log.error("%s: stopping: %s", period, exc)
            note("deferred", error=str(exc))
            return
        except SmtpError as exc:  # temporary or unavailable
            last = attempt == policy.retries - 1
            log.warning(
                "%s: %s not sent (attempt %d/%d): %s", period, sub.email, attempt + 1, policy.retries, exc
            )
            if not last:
                sleep(policy.backoff_seconds * (2**attempt))
                continue
            ledger.release(store, kind, period, sub.id, worker, str(exc))
            report.deferred.append((sub.email, str(exc)))
            note("deferred", error=str(exc))
            if isinstance(exc, SmtpUnavailable):
                report.aborted = str(exc)  # the server is down: the others wait for the next run
            return
        except BaseException as exc:
            ledger.release(store, kind, period, sub.id, worker, f"{type(exc).__name__}: {exc}")
            raise
        if not ledger.mark_sent(store, kind, period, sub.id, worker, message_id, clock()):
            log.warning("%s: %s: claim lost while sending; recorded as sent anyway", period, sub.email)
        report.sent.append(sub.email)
        report.message_ids[sub.email] = message_id
        log.info("%s: sent to %s as %s", period, sub.email, message_id)
        note("sent", message_id=message_id)
        return
