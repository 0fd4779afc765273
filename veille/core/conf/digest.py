"""``config/digest.toml``: the weekly letter ([digest], [digest.themes]), the SMTP server
([smtp]) and the send policy ([send]). The SMTP password and the unsubscribe links' key are
secrets: they come from ``VEILLE_SMTP_PASSWORD`` and ``VEILLE_SECRET_KEY`` onto the settings
object (:mod:`veille.core.conf.secrets`), which puts them on this config, never from this file."""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator

from veille.core.conf import Bool, Float, Int, Model, Str
from veille.core.conf.secrets import SMTP_PASSWORD_ENV, signing_key

DEFAULT_TIMEZONE = "Africa/Casablanca"  # the watch's days and weeks, unless [digest] timezone says


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}") from None
    return name


class SmtpConfig(Model):
    host: Str = "localhost"
    port: Int = Field(25, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "none"
    user: Str = ""
    timeout: Float = Field(30.0, gt=0)
    # from the environment, put here by the settings (``model_copy``): never read from the file
    password: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(f"no password in the file: set {SMTP_PASSWORD_ENV} instead")
        return data


class SendPolicy(Model):
    retries: Int = Field(3, ge=1)
    backoff_seconds: Float = Field(5.0, ge=0)
    max_attempts: Int = Field(10, ge=1)
    stale_claim_minutes: Float = Field(30.0, gt=0)


class DigestSection(Model):
    """The ``[digest]`` table."""

    title: Str = "Veille offshoring"
    from_name: Str = "Veille offshoring"
    from_address: Str = "veille@localhost"
    reply_to: Str = ""
    list_id: Str = "veille-offshoring.localhost"
    base_url: Str = "http://localhost:8000"
    unsubscribe_mailto: Str = ""
    operator_address: Str = ""  # told of unconfirmed deliveries under the scheduler
    timezone: Str = DEFAULT_TIMEZONE
    top_stories: Int = Field(8, ge=0, le=100)
    top_figures: Int = Field(6, ge=0, le=100)
    top_orgs: Int = Field(8, ge=0, le=100)
    min_relevance: Float = Field(0.3, ge=0, le=1)
    send_empty: Bool = True
    chart: Bool = True
    themes: dict[str, Str] = {}

    @field_validator("from_address")
    @classmethod
    def _address(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("must be an email address")
        return value

    @field_validator("operator_address")
    @classmethod
    def _operator(cls, value: str) -> str:
        if value and "@" not in value:
            raise ValueError("must be an email address")
        return value

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)


class DigestFile(Model):
    digest: DigestSection = DigestSection()
    smtp: SmtpConfig = SmtpConfig()
    send: SendPolicy = SendPolicy()


class DigestConfig(DigestSection):
    """What the digest stage works with: the [digest] table, the SMTP server and send policy,
    and the sources' labels (from ``sources.toml``) so the letter names "Médias24", not
    ``medias24``."""

    smtp: SmtpConfig = SmtpConfig()
    send: SendPolicy = SendPolicy()
    source_labels: dict[str, str] = {}  # source name -> label
    link_secret: SecretStr | None = None  # VEILLE_SECRET_KEY, from the settings' secrets

    def link_key(self) -> bytes:
        """The key that signs the unsubscribe links; ``SecretKeyMissing`` when none is set."""
        return signing_key(self.link_secret)

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
