"""Sending messages: an injectable :class:`Sender` and the SMTP implementation.

Errors are typed and carry context so the delivery loop can decide what to do:

- :class:`SmtpUnavailable` (host, port): cannot connect or the connection dropped. The
  batch stops; the message is retried later.
- :class:`SmtpTemporaryError` (4xx): retry this message later, with backoff.
- :class:`SmtpPermanentError` (5xx for a recipient): record it as failed; never retried.
- :class:`SmtpConfigError`: authentication or sender refused; stop the batch, fix config.
- :class:`SmtpUnconfirmed` (host, port): the connection was lost after the whole message
  had been transmitted and before the server's reply: it may have been accepted. Never
  retried on its own (a reader would get it twice); the batch stops.

Messages go out with :meth:`smtplib.SMTP.send_message` (CRLF line endings handled by the
library; ``sendmail`` with bare LF gets "500 Line too long").
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Any, Protocol

from veille.core.conf.digest import SmtpConfig
from veille.core.conf.secrets import SMTP_PASSWORD_ENV
from veille.core.errors import VeilleError


class SmtpError(VeilleError):
    """Base of sending errors; ``temporary`` says whether a later retry may succeed."""

    temporary = True

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        port: int | None = None,
        recipient: str | None = None,
        code: int | None = None,
    ) -> None:
        self.host, self.port, self.recipient, self.code = host, port, recipient, code
        where = f" ({host}:{port})" if host else ""
        super().__init__(f"{message}{where}")


class SmtpUnavailable(SmtpError):
    def __init__(self, *, host: str, port: int, reason: str = "") -> None:
        self.reason = reason
        super().__init__(
            f"SMTP server unreachable: {reason or 'connection failed'}; check [smtp] host/port in digest.toml",
            host=host,
            port=port,
        )


class SmtpTemporaryError(SmtpError):
    temporary = True


class SmtpPermanentError(SmtpError):
    temporary = False


class SmtpUnconfirmed(SmtpError):
    """The message went out but the server's verdict never came back: it may have been accepted."""

    temporary = False

    def __init__(self, *, host: str, port: int, recipient: str, reason: str = "") -> None:
        super().__init__(
            f"connection lost after the message was transmitted ({reason or 'no reply'}): "
            "it may have been accepted",
            host=host,
            port=port,
            recipient=recipient,
        )


class SmtpConfigError(SmtpError):
    """Authentication failed or the sender address was refused: nothing will go out."""

    temporary = False
    exit_code = 2


class Sender(Protocol):
    """Anything that sends one message and returns the id the server accepted it under."""

    def send(self, msg: EmailMessage) -> str: ...

    def close(self) -> None: ...


class _Transmitting:
    """Notes whether the message itself (the bytes after DATA's 354) was handed to the socket."""

    transmitted = False
    _in_data = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.transmitted, self._in_data = False, True
        try:
            return super().data(msg)  # type: ignore[misc, no-any-return]
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:
        super().send(s)  # type: ignore[misc]
        if self._in_data and isinstance(s, bytes):  # commands are str; the message body is bytes
            self.transmitted = True


class _SMTP(_Transmitting, smtplib.SMTP):
    pass


class _SMTP_SSL(_Transmitting, smtplib.SMTP_SSL):
    pass


def _text(resp: bytes | str) -> str:
    return (resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)).strip()


class SmtpSender:
    """SMTP over plain TCP, STARTTLS or implicit TLS; one connection reused for a batch."""

    def __init__(
        self,
        host: str,
        port: int,
        security: str = "none",
        user: str = "",
        password: str | None = None,
        timeout: float = 30.0,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in ("none", "starttls", "tls"):
            raise SmtpConfigError(f"unknown SMTP security {security!r}: use none, starttls or tls")
        self.host, self.port, self.security = host, port, security
        self.user = user
        self.password = password
        if user and not self.password:
            raise SmtpConfigError(
                f"SMTP user {user!r} is set but {SMTP_PASSWORD_ENV} is empty: export the password"
            )
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._conn: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config: SmtpConfig) -> SmtpSender:
        password = config.password.get_secret_value() if config.password else None
        return cls(config.host, config.port, config.security, config.user, password, config.timeout)

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        try:
            if self.security == "tls":
                conn: smtplib.SMTP = _SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self.ssl_context
                )
            else:
                conn = _SMTP(self.host, self.port, timeout=self.timeout)
            conn.ehlo()
            if self.security == "starttls":
                conn.starttls(context=self.ssl_context)
                conn.ehlo()
            if self.user:
                conn.login(self.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise SmtpConfigError(
                f"SMTP login refused for {self.user!r}: {exc.smtp_code} {_text(exc.smtp_error)}; check user and "
                f"{SMTP_PASSWORD_ENV}",
                host=self.host,
                port=self.port,
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SmtpConfigError(f"SMTP server: {exc}", host=self.host, port=self.port) from None
        except (OSError, smtplib.SMTPException) as exc:  # refused, DNS, timeout, TLS, greeting
            raise SmtpUnavailable(
                host=self.host, port=self.port, reason=str(exc) or type(exc).__name__
            ) from None
        self._conn = conn
        return conn

    def send(self, msg: EmailMessage) -> str:
        """Send one message; return its Message-ID once the server has accepted it."""
        conn = self._connect()
        recipient = str(msg.get("To", ""))
        if isinstance(conn, _Transmitting):
            conn.transmitted = False  # set again only once this message's body is out
        try:
            refused = conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            code, resp = next(iter(exc.recipients.values()), (550, b"refused"))
            self._classify(code, f"recipient refused: {code} {_text(resp)}", recipient)
            raise  # unreachable
        except smtplib.SMTPSenderRefused as exc:
            if 400 <= exc.smtp_code < 500:
                raise SmtpTemporaryError(
                    f"sender refused (temporary): {exc.smtp_code} {_text(exc.smtp_error)}",
                    host=self.host, port=self.port, recipient=recipient, code=exc.smtp_code,
                ) from None  # fmt: skip
            raise SmtpConfigError(
                f"sender {exc.sender!r} refused: {exc.smtp_code} {_text(exc.smtp_error)}; check from_address",
                host=self.host, port=self.port, code=exc.smtp_code,
            ) from None  # fmt: skip
        except smtplib.SMTPResponseException as exc:  # DATA refused and the like
            self._reset()
            self._classify(
                exc.smtp_code, f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}", recipient
            )
            raise  # unreachable
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            transmitted = isinstance(conn, _Transmitting) and conn.transmitted
            self._drop()
            if transmitted:
                raise SmtpUnconfirmed(
                    host=self.host, port=self.port, recipient=recipient, reason=str(exc) or type(exc).__name__
                ) from None
            raise SmtpUnavailable(host=self.host, port=self.port, reason=f"connection lost: {exc}") from None
        if refused:
            code, resp = next(iter(refused.values()))
            self._classify(code, f"recipient refused: {code} {_text(resp)}", recipient)
        return str(msg.get("Message-ID", ""))

    def _classify(self, code: int, message: str, recipient: str) -> None:
        if 400 <= code < 500:
            raise SmtpTemporaryError(message, host=self.host, port=self.port, recipient=recipient, code=code)
        raise SmtpPermanentError(message, host=self.host, port=self.port, recipient=recipient, code=code)

    def _reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            try:
                conn.close()
            except OSError:
                pass


class NullSender:
    """Accepts everything and sends nothing (dry runs); records what it was given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def send(self, msg: EmailMessage) -> str:
        self.messages.append(msg)
        return str(msg.get("Message-ID", ""))

    def close(self) -> None:
        pass
