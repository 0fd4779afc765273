"""``veille figures``: one row per extracted figure (copies of a syndicated story collapsed, unless
``--copies``), for analysts (table, CSV, JSON, XLSX)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive
from veille.commands.render import check_format, day, echo_csv, echo_json, echo_table
from veille.core.errors import VeilleError
from veille.core.formatting import indicator_label
from veille.core.models import STATUSES

HEADER = [
    "date",
    "source",
    "title",
    "url",
    "value",
    "unit",
    "formatted",
    "indicator",
    "indicator_label",
    "metric",
    "status",
    "per",
    "period",
    "organisations",
    "sentence",
    "copies",  # the story's other articles carrying the figure: "source url; source url"
]


def _rows(result: Any) -> list[list[Any]]:
    return [_row(r) for r in result.rows]


def _row(r: Any) -> list[Any]:
    return [r.published.date() if r.published else None, r.source, r.title, r.url, r.value, r.unit,
            r.formatted.replace("\u00a0", " "), r.indicator, indicator_label(r.indicator), r.metric, r.status,
            r.per, r.period, "; ".join(r.organisations), r.sentence,
            "; ".join(f"{c.source} {c.url}" for c in r.copies)]  # fmt: skip


def _check_indicator(key: str | None) -> str | None:
    """A key of config/indicators.toml, or a one-line error listing them."""
    from veille.core.taxonomy import load_taxonomy

    if key is None:
        return None
    known = load_taxonomy().indicators
    if key not in known:
        raise VeilleError(f"--indicator: unknown indicator {key!r} (known: {', '.join(known)})")
    return key


def _check_statuses(statuses: list[str]) -> tuple[str, ...]:
    bad = [x for x in statuses if x not in STATUSES]
    if bad:
        raise VeilleError(f"--status: unknown status {bad[0]!r} (known: {', '.join(STATUSES)})")
    return tuple(dict.fromkeys(statuses))


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
    limit: int = typer.Option(100, "--limit", min=1, max=1000, help="Number of rows."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many rows."),
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

    A figure repeated by the copies of one syndicated story is one row, the story's first
    article's, with its copies (table: "copies" column; csv/xlsx: "copies"; json: "copies" list);
    --copies lists every copy as its own row.
    """
    from veille.archive.search import FigureQuery, FigureResult, figures, iter_figures

    check_format(fmt, ("table", "csv", "json", "xlsx"))
    if fmt == "xlsx" and output is None:
        raise VeilleError("--format xlsx writes a file: add -o FILE.xlsx")
    if every and fmt == "table":
        raise VeilleError("--all is for exports: add --format csv, json or xlsx (and -o FILE)")
    if output is not None and not output.resolve().parent.is_dir():  # before a long export, not after
        raise VeilleError(f"cannot write {output}: no folder {output.parent}")
    q = FigureQuery(
        text=text, unit=unit, metric=metric, min_value=min_value, max_value=max_value, period=period, org=org,
        indicator=_check_indicator(indicator), status=_check_statuses(status),
        source=source, since=day(since, "--since"), until=day(until, "--until"), article_id=article,
        limit=limit, offset=offset, order=order, exact_total=exact_total, copies=copies,
    )  # fmt: skip
    _, store = open_archive(data_dir, config_dir)
    try:
        if every and fmt in ("csv", "xlsx"):  # streamed: a batch of rows in memory at a time
            lines = (_row(r) for r in iter_figures(store, q))
            if fmt == "xlsx":
                assert output is not None
                written = write_xlsx(output, HEADER, lines)
            else:
                with _redirect(output) if output is not None else contextlib.nullcontext():
                    written = echo_csv(HEADER, lines)
            if output is not None:
                typer.echo(f"{written} figures written to {output}")
            return
        if every:
            rows = list(iter_figures(store, q))
            result = FigureResult(rows, len(rows), True)
        else:
            result = figures(store, q)
    finally:
        store.close()
    if fmt == "xlsx":
        assert output is not None
        write_xlsx(output, HEADER, _rows(result))
        typer.echo(f"{len(result.rows)} figures written to {output}")
        return
    if output is not None:
        with _redirect(output):
            _print(fmt, result, offset, copies)
        typer.echo(f"{len(result.rows)} figures written to {output}")
        return
    _print(fmt, result, offset, copies)


def _print(fmt: str, result: Any, offset: int = 0, all_copies: bool = False) -> None:
    if fmt == "json":
        echo_json(result)
    elif fmt == "csv":
        echo_csv(HEADER, _rows(result))
    else:
        rows = [
            [r[0], r[1], r[6], r[8], r[9], r[10], r[12], f"+{len(f.copies)}" if f.copies else "", r[2]]
            for r, f in zip(_rows(result), result.rows, strict=True)
        ]
        echo_table(
            ["date", "source", "value", "indicator", "metric", "status", "period", "copies", "title"],
            rows,
            [10, 16, 30, 20, 30, 9, 9, 6, 40],
        )
        shown = f"{offset + 1}-{offset + len(result.rows)}" if result.rows else "0"
        collapsed = "" if all_copies else " (copies of one story counted once; --copies lists each)"
        typer.echo(
            f"{shown} of {'' if result.total_exact else 'more than '}{result.total} figures{collapsed}"
        )


class _redirect:
    """Send ``typer.echo`` output to a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        try:
            self._fh = self.path.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise VeilleError(f"cannot write {self.path}: {exc.strerror}") from None
        self._ctx = contextlib.redirect_stdout(self._fh)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(None, None, None)
        self._fh.close()


def write_xlsx(path: Path, header: list[str], rows: Iterable[list[Any]]) -> int:
    """An XLSX file, written row by row (openpyxl's write-only mode: an export of every figure
    stays fast and small in memory); returns how many rows. Text cells are typed text: a scraped
    sentence starting with "=" is never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Chiffres")
    widths = (11, 16, 50, 40, 16, 9, 22, 16, 22, 34, 10, 10, 10, 36, 80, 60)
    for col, width in zip("ABCDEFGHIJKLMNOP", widths, strict=False):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    titles = []
    for title in header:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        titles.append(cell)
    ws.append(titles)
    n = 0
    for row in rows:
        ws.append([_xlsx_cell(ws, v) for v in row])
        n += 1
    try:
        wb.save(path)
    except OSError as exc:
        raise VeilleError(f"cannot write {path}: {exc.strerror}") from None
    return n


def _xlsx_cell(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, list):
        value = "; ".join(value)
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # text, never a formula
    return cell


def register(app: typer.Typer) -> None:
    app.command("figures")(figures_cmd)
