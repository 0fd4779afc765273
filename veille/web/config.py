"""The ``[web]`` section of ``config/web.toml`` loaded into a frozen dataclass.

Secrets come from the environment only: ``VEILLE_SECRET_KEY`` signs session cookies and
``VEILLE_ADMIN_PASSWORD_HASH`` (if set) overrides the hash written in the file.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from veille.core.config import Settings, file_table, optional
from veille.core.errors import ConfigError
from veille.queries import MAX_HITS


@dataclass(frozen=True)
class WebConfig:
    public_read: bool = True
    admin_password_hash: str | None = None
    secret_key: str = ""
    secret_from_env: bool = False
    secure_cookies: str = "auto"  # "auto", "always", "never"
    session_hours: int = 12
    per_page: int = 20

    @classmethod
    def load(cls, settings: Settings, environ: dict[str, str] | None = None) -> WebConfig:
        env = os.environ if environ is None else environ
        path = settings.path("web.toml")
        data = file_table(path, "web") or {}
        public_read = optional(data, "public_read", bool, True, path, "web.public_read")
        file_hash = optional(data, "admin_password_hash", str, None, path, "web.admin_password_hash")
        secure = optional(data, "secure_cookies", (str, bool), "auto", path, "web.secure_cookies")
        if secure is True:
            secure = "always"
        elif secure is False:
            secure = "never"
        if secure not in ("auto", "always", "never"):
            raise ConfigError(
                path, 'secure_cookies must be "auto", true or false', field="web.secure_cookies"
            )
        hours = optional(data, "session_hours", int, 12, path, "web.session_hours")
        per_page = optional(data, "per_page", int, 20, path, "web.per_page")
        if not 1 <= hours <= 24 * 30:
            raise ConfigError(path, "session_hours must be between 1 and 720", field="web.session_hours")
        if not 1 <= per_page <= MAX_HITS:  # a page of search results, as a reader may ask
            raise ConfigError(path, f"per_page must be between 1 and {MAX_HITS}", field="web.per_page")
        pw_hash = env.get("VEILLE_ADMIN_PASSWORD_HASH") or file_hash or None
        if pw_hash is not None:
            from veille.web.auth import check_hash_format

            problem = check_hash_format(pw_hash)
            if problem:
                raise ConfigError(
                    "VEILLE_ADMIN_PASSWORD_HASH" if env.get("VEILLE_ADMIN_PASSWORD_HASH") else path,
                    f"admin password hash: {problem} (make one with `veille web hash-password`)",
                    field=None if env.get("VEILLE_ADMIN_PASSWORD_HASH") else "web.admin_password_hash",
                )
        secret = env.get("VEILLE_SECRET_KEY", "")
        return cls(
            public_read=public_read,
            admin_password_hash=pw_hash,
            secret_key=secret or secrets.token_urlsafe(32),
            secret_from_env=bool(secret),
            secure_cookies=secure,
            session_hours=hours,
            per_page=per_page,
        )
