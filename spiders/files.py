"""Reading the files institutions publish (PDF, XLSX, XLS, CSV) into text and tables, safely.

Pure where it can be: :func:`read_file` turns a file's bytes into a :class:`FileContent` (the
running text page by page, the tables with their captions, a title and a date when the file
says them) or raises :class:`UnreadableFile` with one line for the run ledger. The readers are
:mod:`spiders.pdf` (pdfplumber) and :mod:`spiders.sheets` (openpyxl, xlrd, csv).

Files are hostile until read: :func:`read_isolated` reads one in a process of its own, with a
memory cap and a timeout, and kills it past them; the limits (``[crawl.documents]`` of
``crawl.toml``) cap the download, the pages and the cells read, and an xlsx (a zip) whose parts
would unpack past the limit is refused unopened. Encrypted files (a PDF that needs a password to
open, an encrypted workbook) and broken ones are refused; formulas are never evaluated (the
values a spreadsheet application cached are read).
"""

from __future__ import annotations

import multiprocessing
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from veille.core.models import DOCUMENT_TYPES, Table

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


def read_file(body: bytes, url: str, content_type: str | None, limits: Limits) -> FileContent:
    """A file's text and tables (in this process: see :func:`read_isolated`)."""
    if len(body) > limits.max_file_size:
        raise UnreadableFile(f"file of {len(body):,} bytes over the {limits.max_file_size:,} limit")
    kind = file_type(body, url, content_type)
    assert kind in DOCUMENT_TYPES
    if kind == "pdf":
        from spiders.pdf import read_pdf

        return read_pdf(body, limits)
    from spiders import sheets

    if kind == "xlsx":
        return sheets.read_xlsx(body, limits)
    if kind == "xls":
        return sheets.read_xls(body, limits)
    return sheets.read_csv(body, limits, content_type)


# -- in a process of its own -------------------------------------------------------------------
def _child(conn: Any, reader: Any, args: tuple[Any, ...], memory: int) -> None:
    """The reading process: cap its memory, read, send back the content or the reason."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # not on this platform, or a lower cap already
        pass
    try:
        conn.send(("ok", reader(*args)))
    except UnreadableFile as exc:
        conn.send(("refused", str(exc)))
    except MemoryError:
        conn.send(("refused", f"reading needed more than {memory:,} bytes of memory: stopped"))
    except Exception as exc:  # a reader library's error on a broken file: one line
        conn.send(("refused", f"broken file ({type(exc).__name__}: {_one_line(exc)})"))
    finally:
        conn.close()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] or "no detail"


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def read_isolated(
    body: bytes, url: str, content_type: str | None, limits: Limits, *, reader: Any = read_file
) -> FileContent:
    """:func:`read_file` in a process of its own, with ``limits.memory`` bytes of memory and
    ``limits.timeout`` seconds: past either, or if it dies, the file is refused
    (:class:`UnreadableFile`). Blocking: a crawl calls it from a thread."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    args = (body, url, content_type, limits)
    proc = ctx.Process(target=_child, args=(child, reader, args, limits.memory), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(limits.timeout):
            raise UnreadableFile(f"reading took over {limits.timeout:g} s: stopped")
        try:
            status, payload = parent.recv()
        except EOFError:
            proc.join(5)
            raise UnreadableFile(f"the reading process died (exit code {proc.exitcode})") from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status != "ok":
        raise UnreadableFile(str(payload))
    content: FileContent = payload
    return content


_TITLE_NOISE = re.compile(r"^(?:télécharger|telecharger|download|pdf|xlsx?|csv|fichier|voir|lire)\b", re.I)


def meaningful_title(text: str | None) -> str | None:
    """A link's or metadata's text as a title, unless it is a mere "Télécharger (PDF)"."""
    title = " ".join((text or "").split())
    if len(title) < 4 or _TITLE_NOISE.match(title) or title.lower().endswith((".pdf", ".xlsx", ".xls", ".csv")):
        return None
    return title[:500]
