"""What the archive keeps of the sources (a part of :class:`veille.archive.store.Store`): their
labels and kinds as configured, the title suffix learned for each, and what each brought."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from veille.archive import schema as t
from veille.archive.runs import utcnow


class SourceRecords:
    engine: Engine

    def record_sources(self, sources: Iterable[tuple[str, str | None, str | None]]) -> None:
        """Remember the (name, label, kind) of the sources a crawl reads from (see :meth:`source_labels`)."""
        now = utcnow()
        with self.engine.begin() as conn:
            for name, label, kind in sources:
                values = {"label": label, "kind": kind, "updated_at": now}
                if (
                    conn.execute(update(t.sources).where(t.sources.c.name == name).values(**values)).rowcount
                    == 0
                ):
                    conn.execute(insert(t.sources).values(name=name, **values))

    def source_labels(self) -> dict[str, str]:
        """Name -> label of the sources crawled into this archive (those with a label)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.sources.c.name, t.sources.c.label).where(t.sources.c.label.is_not(None))
            )
            return {name: label for name, label in rows}

    def record_title_suffix(self, name: str, suffix: str) -> None:
        """Remember what source ``name`` appends to its page titles (learned by a crawl)."""
        now = utcnow()
        with self.engine.begin() as conn:
            values = {"title_suffix": suffix[:200], "updated_at": now}
            if conn.execute(update(t.sources).where(t.sources.c.name == name).values(**values)).rowcount == 0:
                conn.execute(insert(t.sources).values(name=name, **values))

    def title_suffixes(self) -> dict[str, str]:
        """Source name -> the title suffix learned for it."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.sources.c.name, t.sources.c.title_suffix).where(
                    t.sources.c.title_suffix.is_not(None)
                )
            )
            return {name: suffix for name, suffix in rows}

    def new_articles_by_source(self, since: datetime) -> dict[str, int]:
        """Articles archived since ``since``, per source: what the archive holds, whatever the ledger says."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.articles.c.source, func.count())
                .where(t.articles.c.created_at >= since)
                .group_by(t.articles.c.source)
            )
            return {source: int(n) for source, n in rows}
