"""Reading a file into text and tables, safely: :func:`read_file` picks the reader for what the
bytes are (:mod:`spiders.pdf`: pdfplumber; :mod:`spiders.sheets`: openpyxl, xlrd, csv);
:func:`read_isolated` runs it in a process of its own.

Files are hostile until read: the process gets a memory cap and a timeout and is killed past
them (or refused if it dies); the limits (``[crawl.documents]`` of ``crawl.toml``) cap the
download, the pages and the cells read, and an xlsx (a zip) whose parts would unpack past the
limit is refused unopened. Encrypted files (a PDF that needs a password to open, an encrypted
workbook) and broken ones are refused with one line; formulas are never evaluated (the values a
spreadsheet application cached are read).
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from spiders import pdf, sheets
from spiders.files import FileContent, Limits, UnreadableFile, file_type
from veille.core.models import DOCUMENT_TYPES


def read_file(body: bytes, url: str, content_type: str | None, limits: Limits) -> FileContent:
    """A file's text and tables (in this process: see :func:`read_isolated`)."""
    if len(body) > limits.max_file_size:
        raise UnreadableFile(f"file of {len(body):,} bytes over the {limits.max_file_size:,} limit")
    kind = file_type(body, url, content_type)
    assert kind in DOCUMENT_TYPES
    if kind == "pdf":
        return pdf.read_pdf(body, limits)
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
