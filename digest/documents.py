"""The week's new official documents, a block of the digest of their own: the files the official
``documents`` sources published that the archive received during the week, each with a few of
the figures read from its tables (:mod:`pipeline.tables`), the most telling first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest import queries
from digest.figures import figure_score
from digest.period import Period
from veille.archive.store import Store
from veille.core.formatting import indicator_label, period_label

MAX_DOCUMENTS = 15
FIGURES_EACH = 3
FILE_TYPES = {"pdf": "PDF", "xlsx": "Excel", "xls": "Excel", "csv": "CSV"}


@dataclass(frozen=True)
class OfficialDocument:
    article_id: int
    title: str
    source: str
    published: datetime | None
    file_type: str  # "PDF", "Excel", "CSV"
    url: str  # the file, where the institution published it
    page: str  # its page in Veille (tables, figures and where each was read)
    figures: tuple[
        str, ...
    ] = ()  # a few of its figures, as read: "18 234,5 millions DH — Exportations (2025)"
    figure_count: int = 0


def official_documents(store: Store, period: Period, base_url: str) -> tuple[OfficialDocument, ...]:
    """The official documents first archived during the period, newest first."""
    found = store.documents(since=period.since, until=period.until, official=True, limit=MAX_DOCUMENTS)
    rows = queries.figures(store, [d.id for d in found]) if found else []
    out = []
    for d in found:
        mine = sorted((f for f in rows if f.article_id == d.id), key=lambda f: -figure_score(f, 1.0))
        shown = tuple(
            f"{f.formatted} — {indicator_label(f.indicator)}"
            + (f" ({period_label(f.period)})" if f.period else "")
            for f in mine[:FIGURES_EACH]
        )
        out.append(
            OfficialDocument(
                article_id=d.id,
                title=d.title or "(sans titre)",
                source=d.source,
                published=d.published,
                file_type=FILE_TYPES.get(d.file_type, d.file_type.upper()),
                url=d.url,
                page=f"{base_url.rstrip('/')}/documents/{d.id}",
                figures=shown,
                figure_count=len(mine),
            )  # fmt: skip
        )
    return tuple(out)
