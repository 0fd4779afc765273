"""The demo's errors: the site cannot start or serve, or its corpus is invalid."""

from __future__ import annotations

from veille.core.errors import VeilleError


class DemoSiteError(VeilleError):
    """The demo site cannot start (port in use...) or was used before it started."""


class DemoCorpusError(DemoSiteError):
    """A corpus file is missing a field, has a bad value or duplicates another's slug."""

    def __init__(self, path: object, message: str) -> None:
        self.path = str(path)
        super().__init__(f"demo corpus error in {self.path}: {message}")
