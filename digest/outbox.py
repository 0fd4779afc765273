"""The files a period's sending leaves in the data directory (``outbox/<period>/``): each
message as ``.eml`` (for a mail client) and ``.html`` (for a browser), written whole or not at
all, and ``send.log``, one JSON line per delivery attempt."""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from veille.core.config import Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9@._+-]+")


def outbox_dir(settings: Settings, period: str) -> Path:
    """The period's folder of the outbox."""
    return settings.data_dir / "outbox" / period


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_outbox(folder: Path, name: str, msg: EmailMessage) -> Path:
    """``<name>.eml`` (the full message) and ``<name>.html`` (the HTML part, for a browser: its
    ``cid:`` images, which only a mail client resolves, become ``data:`` URIs)."""
    folder.mkdir(parents=True, exist_ok=True)
    eml = folder / f"{_UNSAFE.sub('_', name)}.eml"
    _write(eml, msg.as_bytes())
    html = msg.get_body(preferencelist=("html",))
    if html is not None:
        _write(eml.with_suffix(".html"), _inline_images(msg, str(html.get_content())).encode("utf-8"))
    return eml


def _inline_images(msg: EmailMessage, html: str) -> str:
    import base64

    for part in msg.walk():
        cid = str(part.get("Content-ID") or "").strip().strip("<>")
        if cid and part.get_content_maintype() == "image":
            payload = part.get_payload(decode=True)
            data = base64.b64encode(payload if isinstance(payload, bytes) else b"").decode("ascii")
            html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return html


def log_line(folder: Path, **entry: Any) -> None:
    """One JSON line in the folder's ``send.log``: when, and what became of one delivery."""
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **entry}
    with (folder / "send.log").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
