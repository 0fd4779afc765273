"""An alert as an email: one message per recipient and run, grouping the watches that matched,
at most :data:`MAX_ITEMS` articles each (the rest as a count and a link to the watch's page).

Built apart from the sending (:mod:`digest.alerts`), like the digest's message: its own templates
(``templates/alert.html.j2`` and ``alert.txt.j2``), the digest's list headers, and two kinds of
links signed with ``VEILLE_SECRET_KEY``: ``List-Unsubscribe`` (RFC 8058 one-click) stops every
alert to the recipient, and each watch in the body has a link stopping that watch only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from digest.message import MESSAGE_POLICY, Templates, list_headers
from veille.archive.alerts import AlertSection, alerts_token, watch_token
from veille.archive.subscribers import Subscriber
from veille.core.conf.digest import DigestConfig

MAX_ITEMS = 20  # articles shown per watch; the others are counted, with a link
TEMPLATES = ("alert.html.j2", "alert.txt.j2")


@dataclass(frozen=True)
class Section:
    """What the templates show of one watch."""

    name: str
    items: list[dict[str, Any]]
    more: int
    page_url: str
    stop_url: str


class AlertBuilder:
    """Turns a recipient's sections of a run into their message."""

    def __init__(self, config: DigestConfig, templates: Templates | None = None) -> None:
        self.config = config
        self.templates = templates or Templates(timezone=config.timezone, names=TEMPLATES)

    def stop_all_url(self, token: str) -> str:
        return f"{self.config.base_url}/veilles/desabonnement/{token}"

    def build(self, batch: str, sub: Subscriber, sections: list[AlertSection], *, secret: bytes,
              now: datetime | None = None) -> EmailMessage:  # fmt: skip
        cfg = self.config
        token = alerts_token(sub.id, sub.email, secret=secret)
        shown = [self._section(s, sub, secret) for s in sections]
        total = sum(len(s.articles) for s in sections)
        new = "nouveaux articles" if total > 1 else "nouvel article"
        names = sections[0].watch.name if len(sections) == 1 else f"{len(sections)} veilles"
        subject = f"{cfg.title} : {total} {new} — {names}"
        intro = (
            f"{total} {new} correspond{'ent' if total > 1 else ''} "
            f"à {'votre veille' if len(sections) == 1 else 'vos veilles'}."
        )
        html, text = self.templates.render({
            "subject": subject, "intro": intro, "sections": shown, "config": cfg,
            "stop_all_url": self.stop_all_url(token),
        })  # fmt: skip
        msg = EmailMessage(policy=MESSAGE_POLICY)
        msg["From"] = Address(cfg.from_name, addr_spec=cfg.from_address)
        msg["To"] = Address(sub.name or "", addr_spec=sub.email)
        msg["Subject"] = subject
        msg["Date"] = format_datetime(now or datetime.now(UTC))
        # stable per run and recipient: a resend after a crash carries the same id
        h = hashlib.sha256(f"{cfg.list_id}|alert|{batch}|{sub.id}:{sub.email}".encode()).hexdigest()[:16]
        msg["Message-ID"] = f"<veille.{batch}.{sub.id}.{h}@{cfg.domain}>"
        list_id = f"{cfg.title} (alertes) <alertes.{cfg.list_id}>"
        list_headers(msg, cfg, list_id, self.stop_all_url(token), f"unsubscribe%20alertes%20{token}")
        msg["X-Veille-Alert"] = batch
        msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        return msg

    def _section(self, s: AlertSection, sub: Subscriber, secret: bytes) -> Section:
        base = self.config.base_url
        stop = watch_token(s.watch.id, sub.id, sub.email, secret=secret)
        return Section(
            name=s.watch.name,
            items=s.articles[:MAX_ITEMS],
            more=max(0, len(s.articles) - MAX_ITEMS),
            page_url=f"{base}/veilles/{s.watch.id}",
            stop_url=f"{base}/veilles/{s.watch.id}/desabonnement/{stop}",
        )
