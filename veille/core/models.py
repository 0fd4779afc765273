"""The items that flow through Veille: spiders -> pipeline -> archive -> digest/search.

An :class:`Article` is born in a spider, enriched by the pipeline (relevance, cluster,
figures, organisations, persons), written by the store and read back by search, the web
UI and the digest. Extraction results are plain dataclasses so extractors stay pure
functions, testable without Scrapy, the store or the network.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Units a figure can carry (issue 4). Values are always stored in base units:
# money in currency units, percentages as 2.3 for "2,3 %", surfaces in square metres;
# "points" are percentage points ("a gagné 2 points").
UNITS = ("MAD", "EUR", "USD", "percent", "points", "jobs", "seats", "count", "m2")
QUALIFIERS = ("more_than", "less_than", "up_to")
# Whether the quantity has happened (tests/data/realpress/CONVENTION.md, "Status").
STATUSES = ("actual", "announced", "forecast", "target")
# What a rate is per ("80 DH/m²/mois" -> "m2/month"); None for a plain amount.
PERS = ("month", "year", "m2/month", "m2", "hour", "day", "person")
# What a figure is about (tests/data/realpress/CONVENTION.md, "Scope and attribution"): a zone or
# park, an organisation, a region, a country (Morocco by default), or a segment of the sector.
SCOPE_KINDS = ("zone", "organisation", "region", "country", "sector")


@dataclass(frozen=True, slots=True)
class Figure:
    """One quantitative fact, traceable to its sentence by character offsets."""

    text: str  # the span as written, e.g. "10 milliards de DH"
    start: int  # offset of the span in the article text
    end: int
    value: float  # in base units: 10 milliards de DH -> 1e10
    unit: str  # one of UNITS
    sentence: str = ""
    sentence_start: int = 0
    sentence_end: int = 0
    approx: bool = False
    qualifier: str | None = None  # one of QUALIFIERS or None
    range_max: float | None = None
    period: str | None = None  # "2018", "2014-2018", "2025-Q1", "2025-H1", "2025-09", "2025-01..09" or None
    metric: str | None = None  # short French label: "chiffre d'affaires à l'export"
    organisations: tuple[str, ...] = ()  # canonical names of the sentence's organisations
    indicator: str | None = None  # a key of config/indicators.toml: "exportations", "effectif"...
    status: str = "actual"  # one of STATUSES
    per: str | None = None  # one of PERS or None
    # what the figure is about: scope_kind one of SCOPE_KINDS, scope its name ("Fès Shore",
    # "Teleperformance", "Tunisie"); attributed_to the organisation the text gives as its source
    # ("selon l'AMRC"): canonical names, None when the scope reader did not run or none is given
    scope_kind: str | None = None
    scope: str | None = None
    attributed_to: str | None = None
    # a figure read from a table of a document (a cell): which table of the document (its
    # position, from 0) and which cell ("C7" in a sheet or a CSV file, "B3" of the table's own
    # grid in a PDF); None for a figure of running text
    table_index: int | None = None
    cell: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["organisations"] = list(self.organisations)
        return d


@dataclass(frozen=True, slots=True)
class Mention:
    """Where an organisation or person is named in the text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Organisation:
    """A canonical organisation with the forms seen and where each occurs."""

    name: str  # canonical name, e.g. "Agence de développement du digital"
    aliases: tuple[str, ...] = ()  # forms seen in the text, e.g. ("ADD", "l'Agence ...")
    kind: str | None = None  # federation, agency, ministry, company, bank, zone, school...
    acronym: str | None = None
    mentions: tuple[Mention, ...] = ()
    # a former name, kept as the article wrote it: the organisation it became, and its years
    successor: str | None = None
    years: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "kind": self.kind,
            "acronym": self.acronym,
            "mentions": [dataclasses.asdict(m) for m in self.mentions],
            "successor": self.successor,
            "years": self.years,
        }


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str | None = None  # "directeur général", "ministre délégué"...
    organisation: str | None = None  # canonical organisation name when stated
    mentions: tuple[Mention, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "organisation": self.organisation,
            "mentions": [dataclasses.asdict(m) for m in self.mentions],
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the extractor makes of one text."""

    figures: tuple[Figure, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    persons: tuple[Person, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        keys = (
            "text", "start", "end", "value", "unit", "approx", "qualifier",
            "range_max", "period", "metric", "indicator", "status", "per", "sentence",
        )  # fmt: skip
        return {
            "figures": [
                {
                    **{k: getattr(f, k) for k in keys},
                    "scope": {"kind": f.scope_kind, "name": f.scope} if f.scope_kind else None,
                    "attributed_to": f.attributed_to,
                }
                for f in self.figures
            ],
            "organisations": [
                {
                    "name": o.name,
                    "aliases": list(o.aliases),
                    "mentions": [dataclasses.asdict(m) for m in o.mentions],
                }
                for o in self.organisations
            ],
            "persons": [
                {"name": p.name, "role": p.role, "organisation": p.organisation} for p in self.persons
            ],
        }


# What an item of the archive is: a web page or a feed entry, or a file a documents source read.
ARTICLE_KINDS = ("article", "document")
# What an institution publishes as a file, and what Veille reads of it (spiders/documents.py).
DOCUMENT_TYPES = ("pdf", "xlsx", "xls", "csv")
Cell = str | float | None  # as read: text, a number of a spreadsheet's cell, or nothing


@dataclass(frozen=True, slots=True)
class Table:
    """A table of a document, its cells row by row as read (the header rows first).

    ``rows[i][j]`` is at row ``row_refs[i]`` and column ``col_refs[j]`` of its sheet or CSV
    file (1-based), or of the table's own grid in a PDF."""

    rows: tuple[tuple[Cell, ...], ...]
    index: int = 0  # its position in the document, from 0
    page: int | None = None  # PDF page, from 1
    sheet: str | None = None  # spreadsheet sheet (a CSV file has none)
    caption: str = ""  # the title and notes above it ("Recettes ... (en millions de DH)")
    header_rows: int = 1  # how many of the first rows are column headers
    row_refs: tuple[int, ...] = ()
    col_refs: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "page": self.page, "sheet": self.sheet, "caption": self.caption,
            "header_rows": self.header_rows, "rows": [list(r) for r in self.rows],
            "row_refs": list(self.row_refs), "col_refs": list(self.col_refs),
        }  # fmt: skip


@dataclass(slots=True)
class Document:
    """The file behind a document item: its type, its bytes' hash, its size, what was read
    of it (pages or sheets, tables), and where its title and date came from."""

    file_type: str  # one of DOCUMENT_TYPES
    sha256: str  # of the file's bytes: a file is archived once
    size: int  # bytes
    pages: int = 0  # PDF pages, or sheets
    tables: list[Table] = field(default_factory=list)
    official: bool = False  # the source's flag (an agency's, ministry's, federation's site)
    listing_url: str | None = None  # the page that linked to it
    title_from: str | None = None  # listing, metadata, first_page or file_name
    date_from: str | None = None  # listing, metadata or first_page (None: no date found)


@dataclass(slots=True)
class Article:
    """The one item. Spiders fill the first block; the pipeline fills the rest."""

    url: str
    source: str
    title: str = ""
    text: str = ""
    canonical_url: str = ""
    published: datetime | None = None  # timezone-aware
    author: str | None = None
    lead: str | None = None
    language: str | None = None
    partial: bool = False  # True when only the feed summary could be had
    publisher: str | None = None  # the publisher a news-query item names (<source url=...>)
    truncated: bool = False  # text cut at the extractor's limit ([extract] max_text_chars)
    fetched_at: datetime | None = None
    kind: str = "article"  # "article" (a web page, a feed entry) or "document" (a file)
    document: Document | None = None  # a document's file and tables (kind "document")
    # set by the pipeline
    relevance: float = 0.0
    matched_terms: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    content_hash: str | None = None
    minhash: bytes | None = None
    cluster: int | None = None  # id of the syndication cluster (archive side)
    # an article of this run whose cluster this one joins, found before the archive gave it an id
    # (writes go in batches): the store resolves it, then clears it
    cluster_member: Article | None = field(default=None, repr=False, compare=False)
    # what a stage's pure work computed for a later stage in the same trip to a worker process
    # (pipeline.stage): each stage takes its own result off the item
    stage_results: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # set by extraction
    analysis: Analysis | None = None
    extractor_version: str | None = None
    # set by the store
    id: int | None = None
    completed: bool = False  # this article completed a partial one in place (same id)

    @property
    def word_count(self) -> int:
        return len(self.text.split())
