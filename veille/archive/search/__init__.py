"""Search the archive: one :func:`search` and one :func:`figures` for the CLI, web UI and digest.

Full text runs on SQLite FTS5 (folded, stemmed keys, BM25 with the title weighted most)
or on PostgreSQL (``veille_fr`` tsvector, ``ts_rank``); filters, cluster collapsing,
facets and snippets are the same on both. Query syntax: see :mod:`veille.archive.query`.

Bounded work, whatever the archive's size (:mod:`veille.archive.search.ranking`): one walk over
the first :data:`limits.TOTAL_CAP` + 1 matches gives the ranking, the total and the facets. A text
search ranks the newest :data:`RANK_WINDOW` matches passing the filters (all of them when
fewer match: the ranking is then exact) — FTS5 walks its index newest first and computes
bm25 for those rows only; PostgreSQL reads slices of the newest ids through the GIN index,
ranks on a small title/lead vector, then re-ranks the best :data:`CANDIDATES` on the full
text. Totals are exact up to :data:`limits.TOTAL_CAP` (``total_exact`` is False beyond: "plus de
1 000"; ``exact_total=True`` in the query counts every match, reading them all); facets are
counted over the first :data:`limits.FACET_SAMPLE` results when more match (``facets_sample`` says so).
Totals, facets, rankings and pages are cached per query until the archive's next write
(:mod:`veille.archive.cache`). Numbers: ``docs/benchmarks.md``.

>>> result = search(store, SearchQuery("création d'emplois", since=date(2025, 1, 1), org="ADD"))
>>> for hit in result.hits: print(hit.title, hit.snippet_html)
"""

from __future__ import annotations

from veille.archive.query import QueryError
from veille.archive.search.articles import FACET_SIZE as FACET_SIZE
from veille.archive.search.articles import ORDERS as ORDERS
from veille.archive.search.articles import search, search_ids, source_counts
from veille.archive.search.conditions import MAX_LIMIT as MAX_LIMIT
from veille.archive.search.detail import article_detail, article_titles, org_mention_spans
from veille.archive.search.figure_rows import FIGURE_ORDERS as FIGURE_ORDERS
from veille.archive.search.figure_rows import figures, figures_of_articles, iter_figures
from veille.archive.search.models import (
    ArticleDetail,
    ArticleRef,
    ArticleTitle,
    FigureCopy,
    FigureQuery,
    FigureResult,
    FigureRow,
    Hit,
    MentionSpan,
    OrgDetail,
    OrgMention,
    OrgStat,
    PersonMention,
    SearchQuery,
    SearchResult,
)
from veille.archive.search.organisations import org_stats, organisation, resolve_org
from veille.archive.search.ranking import CANDIDATES as CANDIDATES
from veille.archive.search.ranking import LEAD_WEIGHT as LEAD_WEIGHT
from veille.archive.search.ranking import RANK_WINDOW as RANK_WINDOW
from veille.archive.search.ranking import TEXT_WEIGHT as TEXT_WEIGHT
from veille.archive.search.ranking import TITLE_WEIGHT as TITLE_WEIGHT

__all__ = [
    "SearchQuery", "SearchResult", "Hit", "search", "search_ids",
    "FigureQuery", "FigureResult", "FigureRow", "FigureCopy", "figures", "figures_of_articles", "iter_figures",
    "OrgStat", "org_stats", "OrgDetail", "organisation", "ArticleRef",
    "ArticleDetail", "OrgMention", "PersonMention", "article_detail", "ArticleTitle", "MentionSpan",
    "article_titles", "org_mention_spans", "resolve_org", "QueryError",
    "source_counts", "limits",
]  # fmt: skip
