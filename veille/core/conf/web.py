"""``config/web.toml``: the web UI and API. Secrets (``VEILLE_SECRET_KEY``,
``VEILLE_ADMIN_PASSWORD_HASH``) come from the environment onto the settings object."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from veille.core.conf import Bool, Int, Model, Str


class WebSection(Model):
    """The ``[web]`` table."""

    public_read: Bool = True
    admin_password_hash: Str | None = None
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    session_hours: Int = Field(12, ge=1, le=24 * 30)
    per_page: Int = Field(20, ge=1, le=100)  # a page of search results (veille.queries.MAX_HITS)

    @field_validator("secure_cookies", mode="before")
    @classmethod
    def _bool(cls, value: object) -> object:
        if value is True:
            return "always"
        if value is False:
            return "never"
        return value


class WebFile(Model):
    web: WebSection = WebSection()
