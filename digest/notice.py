"""The operator's notice: unconfirmed deliveries, mailed to ``operator_address`` (digest.toml).

Under the scheduler nobody reads the command's output, so a delivery that may or may not
have arrived is mailed to the operator, who confirms or resends it. The same notice is not
mailed twice: the list it was last sent for is kept beside the outbox (``operator-notice.json``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

from digest.smtp import Sender, SmtpError
from veille.core.conf.digest import DigestConfig

log = logging.getLogger("veille.digest.notice")


def build_notice(config: DigestConfig, rows: Sequence[dict[str, Any]]) -> EmailMessage:
    """A plain-text message listing the unconfirmed deliveries and what to do about them."""
    from datetime import UTC, datetime

    msg = EmailMessage()
    msg["From"] = formataddr((config.from_name, config.from_address))
    msg["To"] = config.operator_address
    msg["Subject"] = f"{config.title} : {len(rows)} envoi(s) non confirmé(s)"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=config.domain)
    lines = [
        "Ces lettres ont peut-être été reçues : le serveur SMTP n'a pas confirmé leur envoi",
        "(connexion perdue après la transmission, ou envoi interrompu). Veille ne les renvoie pas",
        "d'elle-même, pour ne pas les envoyer deux fois.",
        "",
    ]
    for row in rows:
        lines.append(
            f"- {row['kind']} {row['period']} : {row['recipient']} ({row.get('last_error') or ''})".rstrip()
        )
    periods = sorted({str(row["period"]) for row in rows})
    lines += ["", "Après vérification auprès des destinataires :"]
    for period in periods:
        lines.append(f"  veille digest send --week {period} --confirm-unconfirmed   (reçues)")
        lines.append(f"  veille digest send --week {period} --resend-unconfirmed    (à renvoyer)")
    msg.set_content("\n".join(lines) + "\n")
    return msg


def notify_operator(
    config: DigestConfig, sender: Sender, rows: Sequence[dict[str, Any]], state: Path
) -> bool:
    """Mail the notice when there is something new to say; True when it went out."""
    if not config.operator_address or not rows:
        return False
    key = sorted(f"{r['kind']}/{r['period']}/{r['recipient']}" for r in rows)
    try:
        if json.loads(state.read_text(encoding="utf-8")) == key:
            return False  # already told about exactly these
    except (OSError, ValueError):
        pass
    try:
        sender.send(build_notice(config, rows))
    except SmtpError as exc:
        log.error("could not mail the operator (%s) about %d unconfirmed deliveries: %s",
                  config.operator_address, len(rows), exc)  # fmt: skip
        return False
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps(key), encoding="utf-8")
    log.warning("mailed %s about %d unconfirmed deliveries", config.operator_address, len(rows))
    return True
