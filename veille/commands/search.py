"""``veille search``: full-text search of the archive with filters."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import typer

from veille.commands.options import ConfigDir, DataDir, build_query, open_archive
from veille.commands.render import check_format, echo_csv, echo_json, echo_table
from veille.queries import MAX_HITS, MAX_OFFSET, search_query

if TYPE_CHECKING:
    from veille.archive.search import SearchResult


def search_cmd(
    query: list[str] | None = typer.Argument(
        None,
        help='Words, "phrases", OR, -exclusion, prefix*. Empty: every article. A query may start with "-".',
    ),
    since: str | None = typer.Option(None, "--since", help="Published on or after (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Published on or before (YYYY-MM-DD)."),
    source: list[str] = typer.Option([], "--source", help="Only this source (repeatable)."),
    org: str | None = typer.Option(None, "--org", help="Naming this organisation (name or alias)."),
    person: str | None = typer.Option(None, "--person", help="Naming this person."),
    theme: str | None = typer.Option(None, "--theme", help="With this theme."),
    min_relevance: float | None = typer.Option(None, "--min-relevance", help="Relevance at least this."),
    unit: str | None = typer.Option(
        None, "--unit", help="Having a figure in this unit (MAD, EUR, jobs, percent...)."
    ),
    metric: str | None = typer.Option(None, "--metric", help="Having a figure whose metric contains this."),
    min_value: float | None = typer.Option(
        None, "--min-value", help="Having a figure at least this (base units)."
    ),
    max_value: float | None = typer.Option(
        None, "--max-value", help="Having a figure at most this (base units)."
    ),
    period: str | None = typer.Option(
        None, "--period", help="Having a figure for this period (2024, 2025-Q1)."
    ),
    kind: str | None = typer.Option(
        None, "--type", help="article (web pages, feed entries) or document (files of documents sources)."
    ),
    all_versions: bool = typer.Option(
        False, "--all-versions", help="Show every syndicated copy, not one per cluster."
    ),
    order: str = typer.Option("relevance", "--order", help="relevance or date."),
    limit: int = typer.Option(20, "--limit", min=1, max=MAX_HITS, help="Number of results."),
    offset: int = typer.Option(0, "--offset", min=0, max=MAX_OFFSET, help="Skip this many results."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
    exact_total: bool = typer.Option(
        False, "--exact-total", help="Count every match (slower) instead of stopping at 1,000."
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Search archived articles (French full text, accents and plurals ignored).

    Example: veille search '"zone franche" emploi -Tunisie' --since 2025-01-01 --org ADD

    Example: veille search offshoring --type document
    """
    import click

    from veille.archive.search import search

    words = list(query or [])
    for word in words:  # unknown options are read as words (so that -offshoring is an exclusion)
        if word.startswith("--"):
            raise click.NoSuchOption(word.split("=", 1)[0])
    check_format(fmt)
    q = build_query(
        search_query, "the query", text=" ".join(words), since=since, until=until, sources=source, org=org,
        person=person, theme=theme, min_relevance=min_relevance, all_versions=all_versions, order=order, limit=limit,
        offset=offset, unit=unit, metric=metric, min_value=min_value, max_value=max_value, period=period,
        exact_total=exact_total, kind=kind,
    )  # fmt: skip
    _, store = open_archive(data_dir, config_dir)
    try:
        result = search(store, q, with_facets=fmt == "json")
    finally:
        store.close()
    _print(result, fmt, offset)


def _print(result: SearchResult, fmt: str, offset: int) -> None:
    """The hits as JSON, CSV or a table with the count under it."""
    if fmt == "json":
        echo_json(result)
        return
    # no score column: the text score (bm25 on SQLite, ts_rank on PostgreSQL, none without text)
    # only orders the hits; its raw value means nothing to a reader and differs by backend. The
    # order is the ranking; --format json keeps the score for those who want it.
    header = ["id", "date", "source", "title", "url", "copies"]
    rows = [[h.id, h.published, h.source, (f"[document] {h.title}" if h.kind == "document" else h.title), h.url,
             h.cluster_size] for h in result.hits]  # fmt: skip
    if fmt == "csv":
        echo_csv(
            header + ["snippet"],
            [r + [_plain(h.snippet_html)] for r, h in zip(rows, result.hits, strict=True)],
        )
        return
    echo_table(header, rows, [8, 10, 16, 60, 50, 6])
    shown = f"{offset + 1}-{offset + len(result.hits)}" if result.hits else "0"
    typer.echo(f"{shown} of {'' if result.total_exact else 'more than '}{result.total} results")


def _plain(snippet_html: str) -> str:
    import html

    return html.unescape(re.sub(r"</?mark>", "", snippet_html))


def register(app: typer.Typer) -> None:
    # "-offshoring" is an exclusion, not an option: unknown options are left to the query
    app.command("search", context_settings={"ignore_unknown_options": True})(search_cmd)
