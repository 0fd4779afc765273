"""``config/digest.toml`` loaded once into frozen dataclasses (digest, SMTP, send policy).

The sources' labels (``label`` in ``config/sources.toml``) come along, so that the email
names "Médias24" rather than ``medias24``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from veille.core.config import Settings, optional, read_toml, table
from veille.core.errors import ConfigError

SECURITY = ("none", "starttls", "tls")
log = logging.getLogger("digest")


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    security: str = "none"
    user: str = ""
    timeout: float = 30.0


@dataclass(frozen=True)
class SendPolicy:
    retries: int = 3
    backoff_seconds: float = 5.0
    max_attempts: int = 10
    stale_claim_minutes: float = 30.0


@dataclass(frozen=True)
class DigestConfig:
    title: str = "Veille offshoring"
    from_name: str = "Veille offshoring"
    from_address: str = "veille@localhost"
    reply_to: str = ""
    list_id: str = "veille-offshoring.localhost"
    base_url: str = "http://localhost:8000"
    unsubscribe_mailto: str = ""
    operator_address: str = ""  # told of unconfirmed deliveries under the scheduler
    timezone: str = "Africa/Casablanca"
    top_stories: int = 8
    top_figures: int = 6
    top_orgs: int = 8
    min_relevance: float = 0.3
    send_empty: bool = True
    chart: bool = True
    themes: dict[str, str] = field(default_factory=dict)
    source_labels: dict[str, str] = field(default_factory=dict)  # source name -> label
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    send: SendPolicy = field(default_factory=SendPolicy)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2] or "localhost"

    def theme_label(self, theme: str | None) -> str:
        if not theme:
            return "Autres actualités"
        return self.themes.get(theme, theme.replace("_", " ").replace("-", " ").capitalize())

    def source_label(self, name: str) -> str:
        """What readers see for a source: its label, or its name when it has none."""
        return self.source_labels.get(name, name)


def _source_labels(settings: Settings) -> dict[str, str]:
    """The labels of ``sources.toml``; a broken file costs the labels (a warning), not the digest."""
    from veille.core.sources import load_sources, source_labels

    path = settings.path("sources.toml")
    if not path.exists():
        return {}
    try:
        return source_labels(load_sources(path))
    except ConfigError as exc:
        log.warning("source labels unavailable, the digest shows source names: %s", exc)
        return {}


def load_digest_config(settings: Settings) -> DigestConfig:
    """Read ``digest.toml`` from the config dir; defaults apply when the file is absent.
    Source labels come from ``sources.toml``."""
    path = settings.path("digest.toml")
    data = read_toml(path) if path.exists() else {}
    d = table(data, "digest", path)
    s = table(data, "smtp", path)
    p = table(data, "send", path)

    def opt(table: dict[str, Any], section: str, key: str, kind: Any, default: Any) -> Any:
        return optional(table, key, kind, default, path, f"{section}.{key}")

    themes = table(d, "themes", path)
    for k, v in themes.items():
        if not isinstance(v, str):
            raise ConfigError(path, f"theme label for '{k}' must be a string", field=f"digest.themes.{k}")
    smtp = SmtpConfig(
        host=opt(s, "smtp", "host", str, "localhost"),
        port=opt(s, "smtp", "port", int, 25),
        security=opt(s, "smtp", "security", str, "none"),
        user=opt(s, "smtp", "user", str, ""),
        timeout=float(opt(s, "smtp", "timeout", (int, float), 30)),
    )
    if smtp.security not in SECURITY:
        raise ConfigError(path, f"security must be one of {', '.join(SECURITY)}", field="smtp.security")
    if "password" in s:
        raise ConfigError(
            path, "no password in the file: set VEILLE_SMTP_PASSWORD instead", field="smtp.password"
        )
    send = SendPolicy(
        retries=opt(p, "send", "retries", int, 3),
        backoff_seconds=float(opt(p, "send", "backoff_seconds", (int, float), 5.0)),
        max_attempts=opt(p, "send", "max_attempts", int, 10),
        stale_claim_minutes=float(opt(p, "send", "stale_claim_minutes", (int, float), 30)),
    )
    if send.retries < 1 or send.max_attempts < 1:
        raise ConfigError(path, "retries and max_attempts must be at least 1", field="send")
    config = DigestConfig(
        title=opt(d, "digest", "title", str, "Veille offshoring"),
        from_name=opt(d, "digest", "from_name", str, "Veille offshoring"),
        from_address=opt(d, "digest", "from_address", str, "veille@localhost"),
        reply_to=opt(d, "digest", "reply_to", str, ""),
        list_id=opt(d, "digest", "list_id", str, "veille-offshoring.localhost"),
        base_url=opt(d, "digest", "base_url", str, "http://localhost:8000").rstrip("/"),
        unsubscribe_mailto=opt(d, "digest", "unsubscribe_mailto", str, ""),
        operator_address=opt(d, "digest", "operator_address", str, ""),
        timezone=opt(d, "digest", "timezone", str, "Africa/Casablanca"),
        top_stories=opt(d, "digest", "top_stories", int, 8),
        top_figures=opt(d, "digest", "top_figures", int, 6),
        top_orgs=opt(d, "digest", "top_orgs", int, 8),
        min_relevance=float(opt(d, "digest", "min_relevance", (int, float), 0.3)),
        send_empty=opt(d, "digest", "send_empty", bool, True),
        chart=opt(d, "digest", "chart", bool, True),
        themes=dict(themes),
        source_labels=_source_labels(settings),
        smtp=smtp,
        send=send,
    )
    if "@" not in config.from_address:
        raise ConfigError(path, "from_address must be an email address", field="digest.from_address")
    if config.operator_address and "@" not in config.operator_address:
        raise ConfigError(path, "operator_address must be an email address", field="digest.operator_address")
    if not config.base_url.startswith(("http://", "https://")):
        raise ConfigError(path, "base_url must start with http:// or https://", field="digest.base_url")
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(path, f"unknown timezone {config.timezone!r}", field="digest.timezone") from None
    for key in ("top_stories", "top_figures", "top_orgs"):
        if not 0 <= getattr(config, key) <= 100:
            raise ConfigError(path, f"{key} must be between 0 and 100", field=f"digest.{key}")
    return config
