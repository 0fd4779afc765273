"""``veille figures``: one row per extracted figure (copies of a syndicated story collapsed, unless
``--copies``), for analysts: a table, or the web explorer's export (:mod:`veille.exports`: CSV,
XLSX, JSON)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

from veille.commands.options import ConfigDir, DataDir, build_query, open_archive
from veille.commands.render import check_format, echo_table
from veille.core.errors import VeilleError
from veille.core.formatting import indicator_label
from veille.queries import MAX_OFFSET, MAX_ROWS, figure_query

if TYPE_CHECKING:  # the archive is imported when a command runs, not when the CLI starts
    from veille.archive.search import FigureQuery, FigureResult, FigureRow
    from veille.archive.store import Store
    from veille.exports import FigureExport


def figures_cmd(
    text: str = typer.Argument("", help="Full-text query on the figures' articles (optional)."),
    unit: str | None = typer.Option(None, "--unit", help="MAD, EUR, USD, percent, jobs, seats, count, m2."),
    metric: str | None = typer.Option(
        None, "--metric", help="Metric phrase (the text's words) containing this (accents ignored)."
    ),
    indicator: str | None = typer.Option(
        None,
        "--indicator",
        help="Indicator key of config/indicators.toml (exportations, effectif, emplois_crees...).",
    ),
    status: list[str] = typer.Option(
        [], "--status", help="actual, announced, forecast or target (repeatable: any of them)."
    ),
    min_value: float | None = typer.Option(
        None, "--min-value", help="Value at least this (base units: 1e9 for 1 milliard)."
    ),
    max_value: float | None = typer.Option(None, "--max-value", help="Value at most this (base units)."),
    period: str | None = typer.Option(None, "--period", help="Period (2024 also matches 2024-Q1)."),
    org: str | None = typer.Option(None, "--org", help="Organisation named with the figure (name or alias)."),
    source: str | None = typer.Option(None, "--source", help="Only this source."),
    since: str | None = typer.Option(None, "--since", help="Articles published on or after (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Articles published on or before (YYYY-MM-DD)."),
    article: int | None = typer.Option(None, "--article", help="Only this article id."),
    order: str = typer.Option("date", "--order", help="date (newest first) or value (largest first)."),
    limit: int = typer.Option(100, "--limit", min=1, max=MAX_ROWS, help="Number of rows."),
    offset: int = typer.Option(0, "--offset", min=0, max=MAX_OFFSET, help="Skip this many rows."),
    every: bool = typer.Option(
        False,
        "--all",
        help="Every matching figure, however many (csv, json or xlsx; ignores --limit/--offset).",
    ),
    fmt: str = typer.Option("table", "--format", help="table, csv, json or xlsx (xlsx needs -o)."),
    exact_total: bool = typer.Option(
        False, "--exact-total", help="Count every match (slower) instead of stopping at 1,000 (JSON total)."
    ),
    copies: bool = typer.Option(
        False,
        "--copies",
        help="Every copy of a syndicated story as its own row (by default one row per story and figure, "
        "with its copies).",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file instead of the screen."
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """List figures (amounts, jobs, percentages...) with their article and sentence.

    Example: veille figures --unit jobs --min-value 5000 --period 2024 --format xlsx -o emplois.xlsx

    Every figure of a unit, for a study: veille figures --unit MAD --all --format csv -o dh.csv

    Jobs announced or targeted, not yet created: veille figures --indicator emplois_crees --status target --status announced

    csv, xlsx and json are the web explorer's export (its French columns, "Reprises" for the copies).
    A figure repeated by the copies of one syndicated story is one row, the story's first
    article's, with its copies (table: "copies" column; exports: "Reprises"); --copies lists
    every copy as its own row.
    """
    from veille.archive.search import figures

    _check_output(fmt, every, output)
    q = build_query(
        figure_query, "the text", text=text, unit=unit, metric=metric, min_value=min_value, max_value=max_value,
        period=period, org=org, indicator=indicator, status=status, source=source, since=since, until=until,
        article_id=article, limit=limit, offset=offset, order=order, exact_total=exact_total, copies=copies,
    )  # fmt: skip
    settings, store = open_archive(data_dir, config_dir)
    try:
        if fmt != "table":
            count = _write_export(settings, store, q, fmt, every, output)
            if output is not None:
                typer.echo(f"{count} figures written to {output}")
            return
        result = figures(store, q)
    finally:
        store.close()
    _show(result, output, offset, copies)


def _write_export(
    settings: Any, store: Store, q: FigureQuery, fmt: str, every: bool, output: Path | None
) -> int:
    """The figures of ``q`` in an export format (the web explorer's), on the screen or in
    ``output``: every match streamed with ``every``, else the page asked. The rows written."""
    from veille.archive.search import figures, iter_figures

    export = _exporter(settings)
    if every:  # streamed: a batch of rows in memory at a time
        rows, total, exact = _Tally(iter_figures(store, q)), None, True
    else:
        page = figures(store, q)
        rows, total, exact = _Tally(page.rows), page.total, page.total_exact
    _export(export, fmt, rows, output, total, exact)
    return rows.count


def _check_output(fmt: str, every: bool, output: Path | None) -> None:
    """The format and the output agree, and the output's folder exists (before a long export,
    not after)."""
    from veille.exports import FORMATS

    check_format(fmt, ("table", *FORMATS))
    if fmt == "xlsx" and output is None:
        raise VeilleError("--format xlsx writes a file: add -o FILE.xlsx")
    if every and fmt == "table":
        raise VeilleError("--all is for exports: add --format csv, json or xlsx (and -o FILE)")
    if output is not None and not output.resolve().parent.is_dir():
        raise VeilleError(f"cannot write {output}: no folder {output.parent}")


def _show(result: FigureResult, output: Path | None, offset: int, copies: bool) -> None:
    """A page of figures as a table, on the screen or in a file."""
    if output is None:
        _print(result, offset, copies)
        return
    with _open(output) as fh, contextlib.redirect_stdout(fh):
        _print(result, offset, copies)
    typer.echo(f"{len(result.rows)} figures written to {output}")


def _exporter(settings: Any) -> FigureExport:
    """The export's links go to the web UI where the digest's do (digest.toml's base_url); the
    sources by their labels."""
    from veille.exports import FigureExport

    config = settings.digest
    return FigureExport(config.base_url, config.source_labels)


def _export(
    export: FigureExport,
    fmt: str,
    rows: Iterable[FigureRow],
    output: Path | None,
    total: int | None,
    exact: bool,
) -> None:
    """The export (:mod:`veille.exports`) to a file, or on the screen (CSV without the BOM
    spreadsheets want)."""
    try:
        if fmt == "xlsx":
            assert output is not None
            export.write_xlsx(rows, output)
            return
        chunks = (
            export.csv_chunks(rows, bom=output is not None)
            if fmt == "csv"
            else export.json_chunks(rows, total, exact)
        )
        if output is None:
            for chunk in chunks:
                typer.echo(chunk, nl=False)
            return
        with _open(output) as fh:
            fh.writelines(chunks)
    except OSError as exc:
        raise VeilleError(f"cannot write {output}: {exc.strerror}") from None


def _open(path: Path) -> IO[str]:
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise VeilleError(f"cannot write {path}: {exc.strerror}") from None


class _Tally:
    """Rows, counted as they go by."""

    def __init__(self, rows: Iterable[FigureRow]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[FigureRow]:
        for row in self.rows:
            self.count += 1
            yield row


def _print(result: FigureResult, offset: int = 0, all_copies: bool = False) -> None:
    rows = [
        [r.published.date() if r.published else None, r.source, r.formatted.replace("\u00a0", " "),
         indicator_label(r.indicator), r.metric, r.status, r.period, f"+{len(r.copies)}" if r.copies else "",
         r.title]
        for r in result.rows
    ]  # fmt: skip
    echo_table(
        ["date", "source", "value", "indicator", "metric", "status", "period", "copies", "title"],
        rows,
        [10, 16, 30, 20, 30, 9, 9, 6, 40],
    )
    shown = f"{offset + 1}-{offset + len(result.rows)}" if result.rows else "0"
    collapsed = "" if all_copies else " (copies of one story counted once; --copies lists each)"
    typer.echo(f"{shown} of {'' if result.total_exact else 'more than '}{result.total} figures{collapsed}")


def register(app: typer.Typer) -> None:
    app.command("figures")(figures_cmd)
