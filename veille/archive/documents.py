"""What the archive keeps of documents (a part of :class:`veille.archive.store.Store`): the file
behind an article of kind "document" (its type, the hash of its bytes, its size, its pages, the
source's official flag) and the tables read from it, cells as read.

The files a crawl refused are kept too (``refused_files``, :class:`RefusedFile`): by URL, with
the hash and size of the bytes refused and the server's validators, so that the next crawl does
not download them again unless they changed (``spiders/documents.py`` decides).

A document is written with its article, in the article's transaction
(:meth:`DocumentRecords._write_document`, called by ``upsert_article``); its figures are the
article's figures (``figures.table_index`` and ``figures.cell`` say which cell a table figure
comes from).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from veille.archive import schema as t
from veille.core.clock import utcnow
from veille.core.models import Article, Table


@dataclass(frozen=True)
class RefusedFile:
    """A file a crawl refused: ``too_big`` (not downloaded past the size limit) or ``unreadable``
    (downloaded and read, then refused: encrypted, broken, a zip bomb, too long to read)."""

    url: str
    source: str
    kind: str
    reason: str  # the run ledger's line
    sha256: str | None = None
    size: int | None = None
    size_limit: int | None = None  # max_file_size when refused as too big
    etag: str | None = None
    last_modified: str | None = None
    refused_at: datetime | None = None
    checked_at: datetime | None = None
    attempts: int = 1


@dataclass(frozen=True)
class StoredDocument:
    """A document as the archive holds it: its article's fields, its file, its tables."""

    id: int
    url: str
    source: str
    title: str
    published: datetime | None
    fetched_at: datetime | None
    created_at: datetime | None
    file_type: str
    sha256: str
    size: int
    pages: int
    official: bool
    listing_url: str | None = None
    title_from: str | None = None
    date_from: str | None = None
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    figure_count: int = 0


def table_of(row: Any) -> Table:
    """A ``document_tables`` row as the :class:`~veille.core.models.Table` it was read as."""
    return Table(
        rows=tuple(tuple(r) for r in (row.cells or [])),
        index=int(row.position),
        page=row.page,
        sheet=row.sheet,
        caption=row.caption or "",
        header_rows=int(row.header_rows),
        row_refs=tuple(row.row_refs or ()),
        col_refs=tuple(row.col_refs or ()),
    )


_D = t.documents
_A = t.articles
_DOC_COLS = (
    _A.c.id, _A.c.url, _A.c.source, _A.c.title, _A.c.published, _A.c.fetched_at, _A.c.created_at,
    _D.c.file_type, _D.c.sha256, _D.c.size, _D.c.pages, _D.c.official, _D.c.listing_url, _D.c.title_from,
    _D.c.date_from,
)  # fmt: skip


def _stored(r: Any, **more: Any) -> StoredDocument:
    return StoredDocument(
        id=r.id, url=r.url, source=r.source, title=r.title or "", published=r.published,
        fetched_at=r.fetched_at, created_at=r.created_at, file_type=r.file_type, sha256=r.sha256,
        size=int(r.size), pages=int(r.pages or 0), official=bool(r.official), listing_url=r.listing_url,
        title_from=r.title_from, date_from=r.date_from, **more,
    )  # fmt: skip


def _refused(row: Any) -> RefusedFile:
    return RefusedFile(
        url=row.url, source=row.source, kind=row.kind, reason=row.reason, sha256=row.sha256,
        size=row.size, size_limit=row.size_limit, etag=row.etag, last_modified=row.last_modified,
        refused_at=row.refused_at, checked_at=row.checked_at, attempts=int(row.attempts or 1),
    )  # fmt: skip


class DocumentRecords:
    engine: Engine

    def _write_document(self, conn: Any, article_id: int, article: Article) -> None:
        """The article's file and tables, replacing what was kept of them (same transaction)."""
        doc = article.document
        if doc is None:
            return
        conn.execute(delete(t.document_tables).where(t.document_tables.c.article_id == article_id))
        conn.execute(delete(_D).where(_D.c.article_id == article_id))
        conn.execute(
            insert(_D).values(
                article_id=article_id,
                file_type=doc.file_type,
                sha256=doc.sha256,
                size=doc.size,
                pages=doc.pages,
                official=doc.official,
                listing_url=doc.listing_url,
                title_from=doc.title_from,
                date_from=doc.date_from,
            )  # fmt: skip
        )
        rows = [
            {
                "article_id": article_id,
                "position": table.index,
                "page": table.page,
                "sheet": table.sheet,
                "caption": table.caption,
                "header_rows": table.header_rows,
                "cells": [list(r) for r in table.rows],
                "row_refs": list(table.row_refs),
                "col_refs": list(table.col_refs),
            }  # fmt: skip
            for table in doc.tables
        ]
        if rows:
            conn.execute(insert(t.document_tables), rows)

    def known_files(self, hashes: Iterable[str]) -> dict[str, str]:
        """The file hashes already archived, each with the URL of its document."""
        wanted = sorted(set(hashes))
        if not wanted:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_D.c.sha256, _A.c.url)
                .select_from(_D.join(_A, _A.c.id == _D.c.article_id))
                .where(_D.c.sha256.in_(wanted))
            )
            return {sha: url for sha, url in rows}

    # -- the files refused -------------------------------------------------------------------
    def refused_files(self, urls: Iterable[str] = (), hashes: Iterable[str] = ()) -> list[RefusedFile]:
        """The refusals of these URLs and of these hashes of bytes (under whatever URL)."""
        r = t.refused_files
        wanted_urls, wanted_hashes = sorted(set(urls)), sorted(set(hashes))
        out: dict[str, RefusedFile] = {}
        with self.engine.connect() as conn:
            for column, values in ((r.c.url, wanted_urls), (r.c.sha256, wanted_hashes)):
                for i in range(0, len(values), 500):
                    for row in conn.execute(select(r).where(column.in_(values[i : i + 500]))):
                        out[row.url] = _refused(row)
        return sorted(out.values(), key=lambda f: f.url)

    def refuse_file(self, refused: RefusedFile) -> None:
        """Remember a refusal (a URL refused again counts one more attempt; first refusal kept)."""
        r = t.refused_files
        now = utcnow()
        values = {
            "source": refused.source, "kind": refused.kind, "reason": refused.reason[:2000],
            "sha256": refused.sha256, "size": refused.size, "size_limit": refused.size_limit,
            "etag": (refused.etag or None) and refused.etag[:300],
            "last_modified": (refused.last_modified or None) and refused.last_modified[:100],
            "checked_at": now,
        }  # fmt: skip
        with self.engine.begin() as conn:
            done = conn.execute(
                update(r).where(r.c.url == refused.url).values(**values, attempts=r.c.attempts + 1)
            )
            if not done.rowcount:
                conn.execute(insert(r).values(url=refused.url, refused_at=now, attempts=1, **values))

    def refusal_checked(self, urls: Iterable[str]) -> None:
        """The refused files were asked about again and had not changed (a 304, the same bytes)."""
        wanted = sorted(set(urls))
        if wanted:
            with self.engine.begin() as conn:
                conn.execute(
                    update(t.refused_files)
                    .where(t.refused_files.c.url.in_(wanted))
                    .values(checked_at=utcnow())
                )

    def forget_refusals(self, urls: Iterable[str]) -> None:
        """A refused file read at last (it changed, or the limits did): no longer refused."""
        wanted = sorted(set(urls))
        if wanted:
            with self.engine.begin() as conn:
                conn.execute(delete(t.refused_files).where(t.refused_files.c.url.in_(wanted)))

    def document_tables(self, article_ids: Sequence[int]) -> dict[int, list[Table]]:
        """The tables of these documents, in document order (an article has none)."""
        out: dict[int, list[Table]] = {}
        ids = sorted(set(article_ids))
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                tt = t.document_tables
                rows = conn.execute(
                    select(tt)
                    .where(tt.c.article_id.in_(ids[i : i + 500]))
                    .order_by(tt.c.article_id, tt.c.position)
                )
                for row in rows:
                    out.setdefault(int(row.article_id), []).append(table_of(row))
        return out

    def document_titles(self, article_ids: Sequence[int]) -> dict[int, str]:
        """The titles of these documents (what their tables' figures read as the table's subject)."""
        ids = sorted(set(article_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(select(_A.c.id, _A.c.title).where(_A.c.id.in_(ids), _A.c.kind == "document"))
            return {int(i): title or "" for i, title in rows}

    def document(self, article_id: int) -> StoredDocument | None:
        """One document with its running text, its tables and how many figures it gave."""
        with self.engine.connect() as conn:
            r = conn.execute(
                select(*_DOC_COLS, _A.c.text)
                .select_from(_A.join(_D, _D.c.article_id == _A.c.id))
                .where(_A.c.id == article_id)
            ).first()
            if r is None:
                return None
            count = conn.scalar(
                select(func.count()).select_from(t.figures).where(t.figures.c.article_id == article_id)
            )
        return _stored(
            r, text=r.text or "", tables=self.document_tables([article_id]).get(article_id, []),
            figure_count=int(count or 0),
        )  # fmt: skip

    def documents(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        official: bool | None = None,
        source: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[StoredDocument]:
        """Documents first archived in [since, until), newest first (their tables not read)."""
        stmt = select(*_DOC_COLS).select_from(_A.join(_D, _D.c.article_id == _A.c.id))
        if since is not None:
            stmt = stmt.where(_A.c.created_at >= since)
        if until is not None:
            stmt = stmt.where(_A.c.created_at < until)
        if official is not None:
            stmt = stmt.where(_D.c.official.is_(official))
        if source:
            stmt = stmt.where(_A.c.source == source)
        stmt = stmt.order_by(_A.c.created_at.desc(), _A.c.id.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [_stored(r) for r in conn.execute(stmt)]

    def count_documents(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(_D)) or 0)
