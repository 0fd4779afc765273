"""The ``[web]`` section of ``config/web.toml`` and the web's secrets, as one frozen dataclass.

The secrets come from the settings (:attr:`Settings.secrets`, read from the environment when
they were loaded): ``VEILLE_SECRET_KEY`` signs session cookies and unsubscribe links, and
``VEILLE_ADMIN_PASSWORD_HASH`` (if set) overrides the hash written in the file. That hash, from
before named accounts, only seeds the account ``admin`` when there is no admin account yet
(:func:`veille.archive.accounts.adopt_admin_hash`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from veille.core.conf.secrets import ADMIN_PASSWORD_HASH_ENV
from veille.core.config import Settings
from veille.core.errors import ConfigError


@dataclass(frozen=True)
class WebConfig:
    public_read: bool = True
    admin_password_hash: str | None = field(default=None, repr=False)
    secret_key: str = field(default="", repr=False)
    secret_from_env: bool = False
    secure_cookies: str = "auto"  # "auto", "always", "never"
    session_hours: int = 12
    per_page: int = 20

    @classmethod
    def load(cls, settings: Settings) -> WebConfig:
        file, env = settings.web, settings.secrets
        from_env = env.admin_password_hash.get_secret_value() if env.admin_password_hash else None
        pw_hash = from_env or file.admin_password_hash or None
        if pw_hash is not None:
            from veille.core.passwords import check_hash_format

            problem = check_hash_format(pw_hash)
            if problem:
                raise ConfigError(
                    ADMIN_PASSWORD_HASH_ENV if from_env else settings.path("web.toml"),
                    f"admin password hash: {problem} (make one with `veille web hash-password`)",
                    field=None if from_env else "web.admin_password_hash",
                )
        secret = env.secret_key.get_secret_value() if env.secret_key else ""
        return cls(
            public_read=file.public_read,
            admin_password_hash=pw_hash,
            secret_key=secret or secrets.token_urlsafe(32),
            secret_from_env=bool(secret),
            secure_cookies=file.secure_cookies,
            session_hours=file.session_hours,
            per_page=file.per_page,
        )
