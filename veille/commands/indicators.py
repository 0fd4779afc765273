"""``veille indicators``: the archive's figures consolidated into indicator series, one point per
indicator x status x scope x period, with its chosen value, the rule that chose it, the spread
of the other values, whether its citations disagree, a target's progress, and its citations
(table, CSV, JSON, XLSX: :mod:`veille.exports`)."""

from __future__ import annotations

from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, build_query, open_archive
from veille.commands.render import check_format, echo_csv, echo_json, echo_table
from veille.core.errors import VeilleError
from veille.core.formatting import format_value
from veille.core.series import Point
from veille.queries import series_query

REFRESH_HELP = (
    "Compute every point again and keep them for the web's indicators list and « À vérifier » (done by "
    "every extraction run; needed after editing rates.toml or the official sources), then stop."
)


def indicators_cmd(
    indicator: str | None = typer.Option(
        None, "--indicator", help="Indicator key of config/indicators.toml (exportations, effectif...)."
    ),
    status: list[str] = typer.Option(
        [], "--status", help="actual, announced, forecast or target (repeatable; default: every series)."
    ),
    scope: str | None = typer.Option(
        None,
        "--scope",
        help="What the points are about: KIND:NAME (country:Tunisie, zone:Casanearshore), a kind "
        "(zone, organisation, region, country, sector) or a name.",
    ),
    year_from: int | None = typer.Option(None, "--from", min=1900, max=2100, help="First year (YYYY)."),
    year_to: int | None = typer.Option(None, "--to", min=1900, max=2100, help="Last year (YYYY)."),
    unit: str | None = typer.Option(
        None, "--unit", help="Unit of the points: MAD (every amount, EUR and USD converted), jobs, percent..."
    ),
    grain: str | None = typer.Option(
        None,
        "--grain",
        help="Periods of one grain: year, half, quarter, months (2025-09, 2025-01..09) or span.",
    ),
    conflicts: bool = typer.Option(
        False,
        "--conflicts",
        help="Only the points whose citations disagree (to check: the web's « À vérifier »).",
    ),
    fmt: str = typer.Option(
        "table", "--format", help="table, csv, json or xlsx (json and xlsx: every citation; xlsx needs -o)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the xlsx workbook to this file."),
    refresh: bool = typer.Option(False, "--refresh", help=REFRESH_HELP),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Indicator series: figures consolidated into points (indicator x scope x period).

    Example: veille indicators --indicator exportations --scope country:Maroc --from 2014 --to 2026

    Morocco against a competitor, as CSV: veille indicators --indicator effectif --scope country:Tunisie --format csv

    The points to check, with their citations, for a spreadsheet: veille indicators --conflicts --format xlsx -o a-verifier.xlsx

    After editing config/rates.toml: veille indicators --refresh

    A point keeps every citation (copies of one syndicated story count once) and chooses its
    value: official first (attributed to an official organisation, or from a source with
    official = true), then the most cited, then the most recent; amounts in EUR and USD are
    compared in MAD at the yearly rates of config/rates.toml. Actual values, announcements,
    forecasts and targets are separate series; 2018, 2018-Q1 and 2014-2018 are three points.
    A point is a conflict when a citation is more than 5 % away from the chosen value (an
    approximate one 10 %, a range when it leaves the value out: [series] of rates.toml); a
    target shows the latest actual value before its deadline and the share reached.
    """
    from veille.archive.indicators import series

    if refresh:
        _refresh(data_dir, config_dir)
        return
    check_format(fmt, ("table", "csv", "json", "xlsx"))
    if fmt == "xlsx" and output is None:
        raise VeilleError("--format xlsx writes a file: add -o FILE.xlsx")
    if output is not None and fmt != "xlsx":
        raise VeilleError("-o is for --format xlsx (csv and json go to the screen: redirect them)")
    if output is not None and not output.resolve().parent.is_dir():
        raise VeilleError(f"cannot write {output}: no folder {output.parent}")
    q = build_query(
        series_query, "", indicator=indicator, status=status, scope=scope, year_from=year_from,
        year_to=year_to, unit=unit, grain=grain,
    )  # fmt: skip
    settings, store = open_archive(data_dir, config_dir)
    try:
        points = series(store, q, settings.series_rule, with_citations=fmt in ("json", "xlsx"))
    finally:
        store.close()
    if conflicts:
        points = [p for p in points if p.conflict]
    _show(points, fmt, output, settings.rates.source)


def _refresh(data_dir: Path | None, config_dir: Path | None) -> None:
    import time

    from veille.archive.overview import refresh

    settings, store = open_archive(data_dir, config_dir)
    try:
        started = time.perf_counter()
        found = refresh(store, settings.series_rule)
    finally:
        store.close()
    typer.echo(f"{found} points computed and kept in {time.perf_counter() - started:.1f} s")


def _show(points: list[Point], fmt: str, output: Path | None, rates_source: str) -> None:
    from veille.exports import POINT_HEADER, point_record, write_series_xlsx

    if fmt == "json":
        echo_json({"points": [p.to_dict() for p in points], "rates_source": rates_source})
    elif fmt == "csv":
        echo_csv(POINT_HEADER, (point_record(p) for p in points))
    elif fmt == "xlsx":
        assert output is not None
        try:
            counts = write_series_xlsx(points, output)
        except OSError as exc:
            raise VeilleError(f"cannot write {output}: {exc.strerror}") from None
        typer.echo(f"{counts[0]} points and {counts[1]} citations written to {output}")
    else:
        rows = [
            [
                p.indicator, p.status, f"{p.scope_kind}: {p.scope}", p.period,
                format_value(p.value, p.unit, range_max=p.range_max, per=p.per).replace("\u00a0", " "), p.rule, p.stories,
                "" if len(p.values) == 1 else
                f"{format_value(p.low, p.unit)} – {format_value(p.high, p.unit)}".replace("\u00a0", " "),
                _check(p),
            ]
            for p in points
        ]  # fmt: skip
        echo_table(
            ["indicator", "status", "scope", "period", "value", "rule", "stories", "spread", "check"],
            rows,
            [16, 9, 26, 10, 26, 11, 7, 40, 30],
        )
        typer.echo(f"{len(points)} points (money in MAD at the yearly rates of rates.toml)")


def _check(p: Point) -> str:
    """The table's last column: a conflict, or a target's progress."""
    if p.conflict:
        return f"CONFLICT ({p.disagreeing_count} disagree)"
    if p.progress is not None:
        share = f"{p.progress.share:.0%}" if p.progress.share is not None else "?"
        return f"{share} reached ({p.progress.period})"
    return ""


def register(app: typer.Typer) -> None:
    app.command("indicators")(indicators_cmd)
