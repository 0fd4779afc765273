"""Typed, user-facing errors. The CLI prints ``str(err)`` as one line and exits non-zero."""

from __future__ import annotations


class VeilleError(Exception):
    """Base class: the message is one clear line saying what went wrong and what to do."""

    exit_code = 1


class ConfigError(VeilleError):
    """A config file is missing, unreadable or has a bad field."""

    exit_code = 2

    def __init__(self, path: object, message: str, *, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        where = f"{self.path}" + (f" [{field}]" if field else "")
        super().__init__(f"config error in {where}: {message}")


class StoreError(VeilleError):
    """The archive cannot be opened, reached or migrated."""

    exit_code = 3


class FetchError(VeilleError):
    """A page or feed could not be fetched."""

    exit_code = 4
