"""The secrets: read from environment variables only, once, by :meth:`Settings.load
<veille.core.config.Settings.load>` onto the settings object, and passed down from there.

No other module reads these variables (``tests/test_secrets.py`` reads the code for it). A
child process (the scheduler's jobs, the admin page's crawl, the web server's workers) gets
them through its environment and loads its own settings. Each value is a pydantic
``SecretStr``: a repr, a log line or a model dump shows ``**********``, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, SecretStr

from veille.core.errors import VeilleError

SECRET_KEY_ENV = "VEILLE_SECRET_KEY"  # signs the web's session cookies and the unsubscribe links
SMTP_PASSWORD_ENV = "VEILLE_SMTP_PASSWORD"  # the SMTP user's password (digest.toml names the user)
ADMIN_PASSWORD_HASH_ENV = "VEILLE_ADMIN_PASSWORD_HASH"  # the web admin's, over web.toml's
SECRET_VARIABLES = (SECRET_KEY_ENV, SMTP_PASSWORD_ENV, ADMIN_PASSWORD_HASH_ENV)


class SecretKeyMissing(VeilleError):
    """Something must be signed (an unsubscribe link) and ``VEILLE_SECRET_KEY`` is not set."""

    exit_code = 2

    def __init__(self) -> None:
        super().__init__(
            f"{SECRET_KEY_ENV} is not set: unsubscribe links need it; set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))') and keep it stable"
        )


def signing_key(secret: SecretStr | None) -> bytes:
    """The key that signs unsubscribe links; :class:`SecretKeyMissing` without one."""
    if secret is None:
        raise SecretKeyMissing()
    return secret.get_secret_value().encode("utf-8")


def _given(raw: str, *, blank_is_unset: bool = False) -> SecretStr | None:
    empty = not raw.strip() if blank_is_unset else not raw
    return None if empty else SecretStr(raw)


class Secrets(BaseModel):
    """The environment's secrets; ``None`` for a variable that is unset or empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_key: SecretStr | None = None
    smtp_password: SecretStr | None = None
    admin_password_hash: SecretStr | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Secrets:
        return cls(
            # a key of spaces signs nothing worth trusting: unset, like an empty one
            secret_key=_given(environ.get(SECRET_KEY_ENV, ""), blank_is_unset=True),
            smtp_password=_given(environ.get(SMTP_PASSWORD_ENV, "")),
            admin_password_hash=_given(environ.get(ADMIN_PASSWORD_HASH_ENV, ""), blank_is_unset=True),
        )

    def link_key(self) -> bytes:
        """``VEILLE_SECRET_KEY`` as the unsubscribe links' key; :class:`SecretKeyMissing` if unset."""
        return signing_key(self.secret_key)
