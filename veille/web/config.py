"""The ``[web]`` section of ``config/web.toml`` loaded into a frozen dataclass.

Secrets come from the environment only: ``VEILLE_SECRET_KEY`` signs session cookies and
``VEILLE_ADMIN_PASSWORD_HASH`` (if set) overrides the hash written in the file. That hash, from
before named accounts, only seeds the account ``admin`` when there is no admin account yet
(:func:`veille.archive.accounts.adopt_admin_hash`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from veille.core.config import Settings
from veille.core.errors import ConfigError


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
        file = settings.web
        public_read, file_hash, secure = file.public_read, file.admin_password_hash, file.secure_cookies
        hours, per_page = file.session_hours, file.per_page
        pw_hash = env.get("VEILLE_ADMIN_PASSWORD_HASH") or file_hash or None
        if pw_hash is not None:
            from veille.core.passwords import check_hash_format

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
