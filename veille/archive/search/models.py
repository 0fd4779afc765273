"""What :mod:`veille.archive.search` takes and gives back: queries and results, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

MadRates = tuple[tuple[str, tuple[tuple[int, float], ...]], ...]


@dataclass(frozen=True)
class SearchQuery:
    """What to look for. Figure filters (unit, metric, values, period, indicator, status) keep
    articles having such a figure."""

    text: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    sources: tuple[str, ...] = ()
    org: str | None = None  # canonical name or any alias, accents/case ignored
    person: str | None = None  # full name or surname
    theme: str | None = None
    min_relevance: float | None = None
    one_per_cluster: bool = True
    order: str = "relevance"  # "relevance" or "date"
    limit: int = 20
    offset: int = 0
    unit: str | None = None
    metric: str | None = None  # substring, accents/case ignored
    min_value: float | None = None
    max_value: float | None = None
    period: str | None = None  # "2024" also matches "2024-Q1"
    indicator: str | None = None  # a key of config/indicators.toml ("effectif"), exactly
    status: tuple[str, ...] = ()  # any of these statuses (actual, announced, forecast, target)
    exact_total: bool = False  # count every match (reads them all) instead of stopping at TOTAL_CAP
    kind: str | None = None  # "article" or "document" (a file of a documents source); None: both
    # only the articles whose id is above ``id_after`` and at most ``id_upto`` (a watch's new ones)
    id_after: int | None = None
    id_upto: int | None = None
    # with unit MAD: amounts in these currencies count too, converted at their year's rate
    # ((currency, ((year, MAD for one unit), ...)), ...: see veille.queries and rates.toml)
    mad_rates: MadRates = ()


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    url: str
    source: str
    published: datetime | None
    lead: str | None
    snippet_html: str  # escaped text, <mark> around matches: safe to insert in HTML
    score: float
    cluster_id: int | None
    cluster_size: int
    other_sources: list[str]
    themes: list[str]
    relevance: float
    kind: str = "article"  # or "document"


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int  # articles (clusters when collapsing) matching, all pages; at most TOTAL_CAP
    facets: dict[str, list[tuple[str, int]]] = field(
        default_factory=dict
    )  # sources, organisations, themes, units, periods
    total_exact: bool = True  # False: more than TOTAL_CAP articles match ("plus de 1 000")
    facets_sample: int | None = None  # facets counted over this many first results; None: over all of them


@dataclass(frozen=True)
class FigureQuery:
    text: str = ""  # full-text query on the figure's article
    unit: str | None = None
    metric: str | None = None  # the metric phrase contains this (accents/case ignored)
    min_value: float | None = None
    max_value: float | None = None
    period: str | None = None
    indicator: str | None = None  # a key of config/indicators.toml ("effectif"), exactly
    status: tuple[str, ...] = ()  # any of these statuses (actual, announced, forecast, target)
    org: str | None = None  # organisation named in the figure's sentence (name or alias)
    source: str | None = None
    since: date | None = None
    until: date | None = None
    article_id: int | None = None
    limit: int = 100
    offset: int = 0
    order: str = "date"  # "date" (newest first) or "value" (largest first)
    exact_total: bool = False  # count every match instead of stopping at TOTAL_CAP
    # every copy as its own row; by default the figures of one syndication cluster that carry the
    # same value, unit, upper bound and period are one row (the earliest article's) with its copies
    copies: bool = False
    id_after: int | None = None  # only the figures of articles with an id above this
    id_upto: int | None = None  # ... and at most this
    mad_rates: MadRates = ()  # as SearchQuery's


@dataclass(frozen=True)
class FigureCopy:
    """Another article of the same syndicated story carrying the same figure."""

    article_id: int
    source: str
    url: str
    published: datetime | None


@dataclass(frozen=True)
class FigureRow:
    id: int
    article_id: int
    published: datetime | None
    source: str
    title: str
    url: str
    text: str
    value: float
    unit: str
    formatted: str  # "10 milliards DH", "80 DH par m² et par mois" (non-breaking spaces)
    approx: bool
    qualifier: str | None
    range_max: float | None
    period: str | None
    metric: str | None
    organisations: list[str]
    sentence: str
    start: int
    end: int
    sentence_start: int
    indicator: str | None = None  # a key of config/indicators.toml; None before re-extraction
    status: str = "actual"  # actual, announced, forecast or target
    per: str | None = None  # what a rate is per: month, m2/month...; None for an amount
    # the same figure in the other articles of its syndication cluster, earliest first (listings
    # that collapse copies; empty when the query asks for every copy)
    copies: list[FigureCopy] = field(default_factory=list)
    # a figure read from a document's table: the table (from 0) and its cell ("C7")
    table_index: int | None = None
    cell: str | None = None
    # an analyst's word on it (confirmed, corrected, added; None: as extracted), who and when
    review: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    scope_kind: str | None = None  # what it is about: zone, organisation, region, country, sector
    scope: str | None = None


@dataclass(frozen=True)
class FigureResult:
    rows: list[FigureRow]
    total: int  # rows (copies collapsed, unless the query asks for them) matching; at most TOTAL_CAP
    total_exact: bool = True  # False: more than TOTAL_CAP rows match


@dataclass(frozen=True)
class OrgStat:
    name: str
    kind: str | None
    aliases: list[str]
    mentions: int
    articles: int


@dataclass(frozen=True)
class ArticleRef:
    id: int
    title: str
    url: str
    source: str
    published: datetime | None
    mentions: int = 0


@dataclass(frozen=True)
class OrgDetail:
    name: str
    kind: str | None
    acronym: str | None
    aliases: list[str]
    articles: list[ArticleRef]  # the newest first (as many as asked)
    figures: list[FigureRow]  # the newest first (as many as asked)
    weekly_mentions: list[tuple[str, int]]  # ("2025-W03", 4), in week order, every week named
    article_count: int  # articles naming it, all of them
    figure_count: int  # figures whose sentence names it, all of them
    successor: str | None = None  # a former name: what it became
    years: str | None = None  # a former name: when it was in use
    former: list[tuple[str, str | None]] = field(default_factory=list)  # its former names, with their years


@dataclass(frozen=True)
class OrgMention:
    name: str
    kind: str | None
    count: int
    forms: list[str]  # the texts as written


@dataclass(frozen=True)
class PersonMention:
    name: str
    role: str | None
    organisation: str | None


@dataclass(frozen=True)
class ArticleDetail:
    id: int
    url: str
    canonical_url: str
    source: str
    title: str
    lead: str | None
    text: str
    author: str | None
    published: datetime | None
    relevance: float
    themes: list[str]
    matched_terms: list[str]
    cluster_id: int | None
    cluster_size: int
    other_sources: list[str]
    figures: list[FigureRow]
    organisations: list[OrgMention]
    persons: list[PersonMention]
    partial: bool = False  # only the feed's summary (an aggregator's link, a paywall)
    publisher: str | None = None  # who published it, when an aggregator's feed named them
    kind: str = "article"  # or "document" (a file of a documents source: see its own page)


@dataclass(frozen=True)
class ArticleTitle:
    id: int
    title: str
    source: str
    published: datetime | None


@dataclass(frozen=True)
class MentionSpan:
    """Where an article names an organisation (character offsets in its text)."""

    name: str
    start: int
    end: int
