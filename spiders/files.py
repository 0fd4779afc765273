"""The files institutions publish (PDF, XLSX, XLS, CSV): what reading one gives
(:class:`FileContent`: the running text page by page, the tables with their captions, a title and
a date when the file says them), what may refuse it (:class:`UnreadableFile`, one line for the
run ledger), the limits of ``[crawl.documents]`` (:class:`Limits`), and what a file is by its
bytes (:func:`file_type`). The readers are :mod:`spiders.pdf` and :mod:`spiders.sheets`;
:mod:`spiders.reader` runs them, each file in a process of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from veille.core.models import Table

EXTENSIONS = {".pdf": "pdf", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CSV_TYPES = ("text/csv", "text/plain", "application/csv", "text/comma-separated-values")


class UnreadableFile(Exception):
    """A file Veille does not read: encrypted, broken, over a limit, of an unknown type. Its
    message is one line for the run ledger."""


@dataclass(frozen=True)
class Limits:
    """``[crawl.documents]`` (:class:`veille.core.conf.crawl.DocumentLimits`), as plain data."""

    max_file_size: int = 30_000_000
    max_pages: int = 300
    max_sheets: int = 50
    max_cells: int = 500_000
    max_unzipped_size: int = 200_000_000
    max_zip_ratio: float = 200.0
    timeout: float = 120.0
    memory: int = 1_500_000_000
    retry_refused_after: float = 30.0  # days (see spiders/documents.py)

    @classmethod
    def from_settings(cls, value: Any) -> Limits:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in dict(value or {}).items() if k in known})


@dataclass
class FileContent:
    """What was read of one file."""

    file_type: str  # one of DOCUMENT_TYPES
    pages: list[str] = field(default_factory=list)  # a PDF's running text, page by page (tables left out)
    tables: list[Table] = field(default_factory=list)
    page_count: int = 0  # pages of a PDF, sheets of a workbook (1 for a CSV file)
    title: str | None = None  # from the file's metadata or its first page
    title_from: str | None = None  # metadata, first_page
    published: datetime | None = None
    date_from: str | None = None  # metadata, first_page
    notes: list[str] = field(default_factory=list)  # what a limit left unread

    @property
    def text(self) -> str:
        return "\n\n".join(p.strip() for p in self.pages if p.strip())


def file_name(url: str) -> str:
    """The file's name in its URL ("indicateurs-sept-2025.pdf")."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def extension_type(url: str) -> str | None:
    """The type a URL's extension names (``.pdf`` -> pdf), or None."""
    name = file_name(url).lower()
    return next((kind for ext, kind in EXTENSIONS.items() if name.endswith(ext)), None)


def file_type(body: bytes, url: str, content_type: str | None = None) -> str:
    """What the bytes are, by their first bytes (the URL and the Content-Type only tell a CSV
    file); :class:`UnreadableFile` when none of the types read."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        return "xlsx"
    if body.startswith(_OLE):
        if _ENCRYPTED_PACKAGE in body[:200_000]:
            raise UnreadableFile("encrypted spreadsheet refused (it needs a password)")
        return "xls"
    media = (content_type or "").split(";")[0].strip().lower()
    if (extension_type(url) == "csv" or media in _CSV_TYPES) and b"\x00" not in head:
        return "csv"
    if head.lstrip()[:1] == b"<":
        raise UnreadableFile("an HTML page, not a file (the link leads to a page)")
    raise UnreadableFile(f"not a PDF, XLSX, XLS or CSV file ({media or 'no Content-Type'})")


_TITLE_NOISE = re.compile(r"^(?:télécharger|telecharger|download|pdf|xlsx?|csv|fichier|voir|lire)\b", re.I)


def meaningful_title(text: str | None) -> str | None:
    """A link's or metadata's text as a title, unless it is a mere "Télécharger (PDF)"."""
    title = " ".join((text or "").split())
    if (
        len(title) < 4
        or _TITLE_NOISE.match(title)
        or title.lower().endswith((".pdf", ".xlsx", ".xls", ".csv"))
    ):
        return None
    return title[:500]
