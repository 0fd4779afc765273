"""An archive holding the fixture documents as a crawl leaves them (read, archived, their tables'
figures extracted) and a press article rounding the office's figure, without a crawl nor spaCy:
for the storage, series, web and digest tests of documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pipeline.tables import document_figures, readers
from spiders.documents import document_article
from spiders.files import Limits
from spiders.page import FeedEntry
from spiders.reader import read_file
from tests.spiders.documents_fixtures import EXPECTED, FILES
from veille.archive.store import Store
from veille.core.models import Analysis, Article, Figure
from veille.core.sources import Source

OFFICE = Source(name="office", kind="documents", urls=("https://office.example.ma/publications",),
                label="Office des changes", official=True)  # fmt: skip
PRESS = "presse"
READABLE = [n for n in FILES if n not in ("protege.pdf", "corrompu.pdf")]
LISTED = {  # what the listing says of some files: title and date
    "indicateurs-septembre-2025.pdf": (
        "Indicateurs mensuels — septembre 2025",
        datetime(2025, 10, 28, 9, tzinfo=UTC),
    ),
    "emplois-zones.csv": ("Emplois créés par zone", datetime(2025, 6, 2, 9, tzinfo=UTC)),
}


@dataclass(frozen=True)
class DocumentsFixture:
    ids: dict[str, int]  # file name -> article id
    press_id: int
    files: dict[str, bytes]


def archive_document(store: Store, name: str, body: bytes, *, when: datetime | None = None) -> Article:
    """One fixture file read and archived as the documents spider would, with its tables' figures."""
    url = f"https://office.example.ma/docs/{name}"
    content = read_file(body, url, None, Limits())
    title, published = LISTED.get(name, (None, None))
    entry = FeedEntry(url=url, title=title or "", published=published)
    article = document_article(content, body, url, OFFICE, entry, OFFICE.urls[0])
    article.content_hash = article.document.sha256 if article.document else None
    if when is not None:
        article.fetched_at = when
    store.upsert_article(article)
    assert article.id is not None
    figures = document_figures(content.tables, readers(), title=article.title)
    store.save_analysis(article.id, Analysis(figures=tuple(figures)), "test")
    return article


def press_article(store: Store) -> int:
    """A press article rounding the office's figure: 18,2 milliards de DH at end September 2025
    (as the extractor reads it: exportations, January to September 2025, Morocco)."""
    text = "Les recettes de l'offshoring se sont établies à 18,2 milliards de DH à fin septembre 2025."
    start = text.index("18,2")
    article = Article(url="https://presse.example.ma/offshoring-recettes", source=PRESS, title="Offshoring : les recettes en hausse",
                      text=text, published=datetime(2025, 10, 31, 9, tzinfo=UTC), relevance=0.9)  # fmt: skip
    store.upsert_article(article)
    assert article.id is not None
    figure = Figure(text="18,2 milliards de DH", start=start, end=start + 20, value=18.2e9, unit="MAD", sentence=text,
                    sentence_end=len(text), period="2025-01..09", indicator="exportations", scope_kind="country", scope="Maroc")  # fmt: skip
    store.save_analysis(article.id, Analysis(figures=(figure,)), "test")
    return article.id


def build(store: Store, *, when: datetime | None = None) -> DocumentsFixture:
    files = {name: FILES[name]() for name in READABLE}
    ids = {}
    for name in READABLE:
        ids[name] = archive_document(store, name, files[name], when=when).id or 0
    return DocumentsFixture(ids, press_article(store), files)


def missing_figures(store: Store, ids: dict[str, int]) -> list[str]:
    """What differs from EXPECTED in the archive's table figures of these documents (file name ->
    article id): each expected figure once, at its file, page or sheet and cell, with its value,
    unit, indicator, period, scope and status; and no other table figure."""
    from veille.archive import search as s

    rows = s.figures_of_articles(store, list(ids.values()))
    got = {(r.article_id, r.table_index, r.cell): r for r in rows if r.cell}
    problems = []
    for e in EXPECTED:
        doc = store.document(ids[e.file])
        tables = [t.index for t in (doc.tables if doc else []) if (t.page, t.sheet) == (e.page, e.sheet)]
        found = [got.pop((ids[e.file], i, e.cell)) for i in tables if (ids[e.file], i, e.cell) in got]
        if len(found) != 1:
            problems.append(f"{e.file} {e.page or e.sheet} {e.cell}: {len(found)} figures")
            continue
        r = found[0]
        said = (round(r.value, 3), r.unit, r.indicator, r.period, r.status, r.scope_kind, r.scope)
        wanted = (round(e.value, 3), e.unit, e.indicator, e.period, "actual", e.scope_kind, e.scope)
        if said != wanted or f"cellule {e.cell}" not in r.sentence:
            problems.append(f"{e.file} {e.cell}: {said} {r.sentence!r}")
        if r.url != (doc.url if doc else None):  # the file it was read from
            problems.append(f"{e.file} {e.cell}: in {r.url}")
    problems += [f"unexpected: {r.url} {r.cell} {r.value} {r.indicator}" for r in got.values()]
    return problems
