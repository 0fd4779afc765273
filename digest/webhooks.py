"""Webhooks: each run's findings of a watch POSTed as JSON to the watch's URL, signed.

``X-Veille-Signature: t=<unix time>,sha256=<hex>``, the hex being HMAC-SHA256 with the watch's
secret over ``"<t>.<body>"``: a receiver recomputes it and refuses a stale ``t`` (a replay). The
POST is kept in the archive (``webhook_deliveries``) from the moment the run found its articles:
a receiver that fails is tried again :data:`TRIES` times in the run, then at the next runs after
:data:`LATER` seconds doubling each time (across restarts: the row waits in the archive), until
:data:`MAX_ATTEMPTS`. The crawler's private-address guard applies (:mod:`veille.core.addresses`):
a URL on a private, loopback or link-local address is refused unless its host is allowed
(``[crawl] allow_private_hosts``, as for the crawler). Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from veille.archive.store import Store
from veille.archive.webhooks import WebhookDelivery, due_webhooks, webhook_tried
from veille.core.addresses import check_url

log = logging.getLogger("veille.digest.webhooks")
TRIES = 3  # attempts within one run, BACKOFF seconds apart, doubling
BACKOFF = 1.0
LATER = 300.0  # then the next runs, after this many seconds, doubling
MAX_ATTEMPTS = 10
TIMEOUT = 10.0
USER_AGENT = "Veille-Webhook/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Veille-Signature`` header's value."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},sha256={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float, tolerance: float = 300.0) -> bool:
    """What a receiver does: the signature matches and its time is within ``tolerance`` seconds."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if not parts.get("t", "").isdigit():
        return False
    stamp = int(parts["t"])
    expected = signature(secret, stamp, body)
    return abs(now - stamp) <= tolerance and hmac.compare_digest(expected, header)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer, not a place to go: the guard checked this URL only


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT) -> None:
    """POST ``body``; raises ``OSError`` (or ``urllib.error.HTTPError``) unless the answer is 2xx."""
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with opener.open(req, timeout=timeout) as resp:
        if not 200 <= resp.status < 300:
            raise OSError(f"HTTP {resp.status}")


@dataclass
class WebhookReport:
    sent: list[str] = field(default_factory=list)  # "watch <id> <batch>"
    waiting: list[tuple[str, str]] = field(default_factory=list)  # tried again at a later run
    failed: list[tuple[str, str]] = field(default_factory=list)  # refused by the guard, or out of attempts


def deliver_webhooks(
    store: Store,
    *,
    now: Callable[[], datetime],
    allow_hosts: Iterable[str] = (),
    sleep: Callable[[float], None] = time.sleep,
    poster: Callable[[str, bytes, dict[str, str]], None] = post,
) -> WebhookReport:
    """Every POST whose time has come: sent, left for a later run, or given up."""
    report = WebhookReport()
    hosts = tuple(allow_hosts)
    for d in due_webhooks(store, now()):
        _deliver(store, d, report, now, hosts, sleep, poster)
    return report


def _deliver(
    store: Store,
    d: WebhookDelivery,
    report: WebhookReport,
    now: Callable[[], datetime],
    hosts: tuple[str, ...],
    sleep: Callable[[float], None],
    poster: Callable[[str, bytes, dict[str, str]], None],
) -> None:
    label = f"watch {d.watch_id} {d.batch}"
    refused = check_url(d.url, hosts)
    if refused is not None:
        error = f"refused ({refused}: private, local or non-http address): {d.url}"
        webhook_tried(store, d.id, error=error, now=now(), retry_in=None)
        report.failed.append((label, error))
        return
    body = d.payload.encode("utf-8")
    attempts = d.attempts
    for n in range(TRIES):
        stamp = int(now().timestamp())
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                   "X-Veille-Signature": signature(d.secret, stamp, body), "X-Veille-Delivery": str(d.id)}  # fmt: skip
        try:
            poster(d.url, body, headers)
        except (OSError, ValueError) as exc:
            attempts += 1
            error = f"{type(exc).__name__}: {exc}"
            if attempts >= MAX_ATTEMPTS:
                webhook_tried(store, d.id, error=error, now=now(), retry_in=None)
                report.failed.append((label, error))
                return
            last = n == TRIES - 1
            webhook_tried(
                store, d.id, error=error, now=now(), retry_in=LATER * 2 ** (attempts // TRIES) if last else 0
            )
            log.warning("webhook %s: %s (attempt %d)", label, error, attempts)
            if last:
                report.waiting.append((label, error))
                return
            sleep(BACKOFF * 2**n)
            continue
        webhook_tried(store, d.id, error=None, now=now(), retry_in=None)
        report.sent.append(label)
        return
