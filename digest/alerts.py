"""Alerts: each watch due is matched against the articles archived since its last run, what is
new to it is kept (:func:`veille.archive.alerts.record_batch`), then every recipient gets one
message for the run grouping their watches, through the digest's delivery ledger (kind
``alert``, the run's batch as its period), and each watch with a webhook its signed POST.

When a watch is due: ``immediate`` at every run (the scheduler runs one after each crawl and
extraction), ``daily`` at the first run of a new day, ``weekly`` at the first run of a new ISO
week (days and weeks of the digest's timezone). A run first sends what an earlier run left
(an SMTP failure mid-batch, a process killed): a ledger row is claimed before its message is
sent and marked once the server accepted it, so retries and restarts never send an alert twice,
and a message that may have left unacknowledged waits for an operator (``unconfirmed``), as
the digest's do.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from digest.alert_message import AlertBuilder
from digest.outbox import outbox_dir, write_outbox
from digest.send import DeliveryReport, send_one
from digest.smtp import Sender
from digest.webhooks import WebhookReport, deliver_webhooks
from veille.archive import deliveries as ledger
from veille.archive.alerts import ALERT, alert_sections, record_batch
from veille.archive.matching import match_many, matching_bound
from veille.archive.store import Store
from veille.archive.subscribers import get_subscriber
from veille.archive.watches import Watch, list_watches, matched_stories
from veille.core.conf.digest import DigestConfig
from veille.core.config import Settings

log = logging.getLogger("veille.digest.alerts")


@dataclass
class WatchResult:
    watch: Watch
    matched: int  # articles the query found among the new ones
    new: tuple[int, ...]  # of those, the stories new to the watch (what its alert carries)


@dataclass
class AlertReport:
    batch: str
    watches: list[WatchResult] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=lambda: DeliveryReport(period="alerts"))
    webhooks: WebhookReport = field(default_factory=WebhookReport)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """What each watch matched, then what was sent."""
        out = [f"{r.watch.id}\t{r.watch.name}\t{r.watch.owner}\t{len(r.new)} new"
               + (f"\t{', '.join(map(str, r.new))}" if r.new else "") for r in self.watches]  # fmt: skip
        if self.dry_run:
            return out + ["dry run: nothing recorded, sent or posted"]
        d, w = self.delivery, self.webhooks
        out.append(f"alerts: {len(d.sent)} sent" + "".join(
            f", {len(items)} {label}" for label, items in
            (("deferred", d.deferred), ("unconfirmed", d.unconfirmed), ("failed", d.failed), ("busy elsewhere", d.busy))
            if items
        ))  # fmt: skip
        if w.sent or w.waiting or w.failed:
            out.append(f"webhooks: {len(w.sent)} sent, {len(w.waiting)} to retry, {len(w.failed)} failed")
        return out

    @property
    def complete(self) -> bool:
        return self.delivery.complete and not self.webhooks.failed


def is_due(watch: Watch, now: datetime, timezone: str) -> bool:
    if watch.every == "immediate" or watch.last_run_at is None:
        return True
    zone = ZoneInfo(timezone)
    last, today = watch.last_run_at.astimezone(zone), now.astimezone(zone)
    if watch.every == "daily":
        return last.date() != today.date()
    return last.isocalendar()[:2] != today.isocalendar()[:2]


def new_batch(now: datetime) -> str:
    """The run's name (its alerts' ledger period): when, and a few random letters."""
    return f"alert-{now.astimezone(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def run_alerts(
    settings: Settings,
    store: Store,
    sender: Sender | None,
    *,
    dry_run: bool = False,
    config: DigestConfig | None = None,
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    secret: bytes | None = None,
    poster: Callable[[str, bytes, dict[str, str]], None] | None = None,
    watch_ids: list[int] | None = None,
    allow_hosts: Iterable[str] | None = None,
) -> AlertReport:
    """Match every watch due (or ``watch_ids``), keep what is new, send the alerts and the
    webhooks, and what earlier runs left unsent. ``dry_run``: match and report only.
    ``allow_hosts``: private hosts webhooks may reach (default: the crawler's, ``[crawl]
    allow_private_hosts``)."""
    config = config or settings.digest
    clock = now or (lambda: datetime.now(UTC))
    report = AlertReport(batch=new_batch(clock()), dry_run=dry_run)
    due = [
        w
        for w in list_watches(store, ids=watch_ids)
        if watch_ids is not None or is_due(w, clock(), config.timezone)
    ]
    bounds = {mark: matching_bound(store, mark) for mark in {w.watermark for w in due}}
    matches = match_many(store, [(w.query, w.watermark, bounds[w.watermark]) for w in due])
    for watch, found in zip(due, matches, strict=True):
        upto = bounds[watch.watermark]
        if dry_run:
            known = set(matched_stories(store, watch.id))
            fresh = tuple(dict.fromkeys(a for a, s in found if s not in known))
            report.watches.append(WatchResult(watch, len(found), fresh))
            continue
        kept = record_batch(store, watch, report.batch, found, upto, now=clock())
        report.watches.append(WatchResult(watch, len(found), kept.article_ids))
    if dry_run:
        return report
    if ledger.open_periods(store, ALERT):
        if sender is None:
            raise ValueError("alerts to send and no sender")
        key = secret or config.link_key()  # fail before claiming anything when the key is missing
        _send_open(settings, store, sender, config, key, clock, sleep, report.delivery)
    hosts = settings.crawl.allow_private_hosts if allow_hosts is None else tuple(allow_hosts)
    kwargs = {"poster": poster} if poster else {}
    report.webhooks = deliver_webhooks(store, now=clock, allow_hosts=hosts, sleep=sleep, **kwargs)
    return report


def _send_open(
    settings: Settings,
    store: Store,
    sender: Sender,
    config: DigestConfig,
    secret: bytes,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
    report: DeliveryReport,
) -> None:
    """Every alert still to send, of this run and the earlier ones, oldest run first."""
    builder = AlertBuilder(config)
    policy = config.send
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    for batch in ledger.open_periods(store, ALERT):
        ledger.expire_claims(store, ALERT, batch, now=clock(), stale_minutes=policy.stale_claim_minutes)
        ledger.give_up_exhausted(store, ALERT, batch, policy.max_attempts)
        folder = outbox_dir(settings, batch)
        for row in ledger.rows(store, ALERT, batch):
            if report.aborted:
                report.deferred.append((row["recipient"] or row["email"], report.aborted))
                continue
            if row["status"] != "pending":
                continue
            if not ledger.claim(store, ALERT, batch, row["subscriber_id"], worker, now=clock(),
                                max_attempts=policy.max_attempts):  # fmt: skip
                report.busy.append(row["email"])
                continue
            sub = get_subscriber(store, row["subscriber_id"])
            sections = alert_sections(store, batch, sub.id)
            if not sections:  # stopped since the run found them
                ledger.release(store, ALERT, batch, sub.id, worker, "the recipient stopped these alerts",
                               state="failed")  # fmt: skip
                report.skipped.append((sub.email, "stopped these alerts"))
                continue
            try:
                msg = builder.build(batch, sub, sections, secret=secret, now=clock())
                write_outbox(folder, f"{sub.id}-{sub.email}", msg)
            except BaseException:
                ledger.release(store, ALERT, batch, sub.id, worker, "could not build the message")
                raise
            send_one(store, sender, msg, batch, sub, worker, policy, report, folder, clock, sleep, kind=ALERT)
