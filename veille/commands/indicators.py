"""``veille indicators``: the archive's figures consolidated into indicator series, one point per
indicator x status x scope x period, with its chosen value, the rule that chose it, the spread
of the other values and its citations (table, CSV, JSON)."""

from __future__ import annotations

from typing import Any

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive
from veille.commands.render import check_format, echo_csv, echo_json, echo_table
from veille.core.errors import VeilleError
from veille.core.formatting import format_value
from veille.core.models import SCOPE_KINDS, STATUSES

HEADER = [
    "indicator", "status", "scope_kind", "scope", "period", "grain", "unit", "per", "value", "range_max",
    "rule", "stories", "citations", "low", "high", "other_values",
]  # fmt: skip


def _row(p: Any) -> list[Any]:
    others = "; ".join(f"{v.value:g} ({v.stories})" for v in p.values[1:])
    return [
        p.indicator, p.status, p.scope_kind, p.scope, p.period, p.grain, p.unit, p.per, p.value, p.range_max,
        p.rule, p.stories, len(p.citations), p.low, p.high, others,
    ]  # fmt: skip


def parse_scope(value: str | None) -> tuple[str | None, str | None]:
    """``KIND:NAME``, ``KIND`` or ``NAME`` -> (kind, name)."""
    if not value or not value.strip():
        return None, None
    kind, sep, name = value.partition(":")
    if sep:
        kind, name = kind.strip(), name.strip()
        if kind not in SCOPE_KINDS:
            raise VeilleError(f"--scope: unknown scope kind {kind!r} (known: {', '.join(SCOPE_KINDS)})")
        return kind, name or None
    value = value.strip()
    return (value, None) if value in SCOPE_KINDS else (None, value)


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
    fmt: str = typer.Option("table", "--format", help="table, csv or json (json: every citation)."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Indicator series: figures consolidated into points (indicator x scope x period).

    Example: veille indicators --indicator exportations --scope country:Maroc --from 2014 --to 2026

    Morocco against a competitor, as CSV: veille indicators --indicator effectif --scope country:Tunisie --format csv

    A point keeps every citation (copies of one syndicated story count once) and chooses its
    value: official first (attributed to an official organisation, or from a source with
    official = true), then the most cited, then the most recent; amounts in EUR and USD are
    compared in MAD at the yearly rates of config/rates.toml. Actual values, announcements,
    forecasts and targets are separate series; 2018, 2018-Q1 and 2014-2018 are three points.
    """
    from veille.archive.indicators import SeriesQuery, series

    check_format(fmt, ("table", "csv", "json"))
    bad = [s for s in status if s not in STATUSES]
    if bad:
        raise VeilleError(f"--status: unknown status {bad[0]!r} (known: {', '.join(STATUSES)})")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise VeilleError(f"--from {year_from} is after --to {year_to}")
    kind, name = parse_scope(scope)
    settings, store = open_archive(data_dir, config_dir)
    if indicator is not None and indicator not in settings.taxonomy.indicators:
        store.close()
        known = ", ".join(settings.taxonomy.indicators)
        raise VeilleError(f"--indicator: unknown indicator {indicator!r} (known: {known})")
    q = SeriesQuery(
        indicator=indicator, statuses=tuple(dict.fromkeys(status)), scope_kind=kind, scope=name,
        year_from=year_from, year_to=year_to,
    )  # fmt: skip
    try:
        points = series(
            store,
            q,
            rates=settings.rates,
            default_country=settings.zones.default_country,
            official_kinds=settings.zones.official_kinds,
            official_sources=settings.official_sources,
        )
    finally:
        store.close()
    if fmt == "json":
        echo_json({"points": [p.to_dict() for p in points], "rates_source": settings.rates.source})
    elif fmt == "csv":
        echo_csv(HEADER, (_row(p) for p in points))
    else:
        rows = [
            [
                p.indicator, p.status, f"{p.scope_kind}: {p.scope}", p.period,
                format_value(p.value, p.unit, range_max=p.range_max, per=p.per).replace("\u00a0", " "), p.rule, p.stories,
                "" if len(p.values) == 1 else
                f"{format_value(p.low, p.unit)} – {format_value(p.high, p.unit)}".replace("\u00a0", " "),
            ]
            for p in points
        ]  # fmt: skip
        echo_table(
            ["indicator", "status", "scope", "period", "value", "rule", "stories", "spread"],
            rows,
            [16, 9, 26, 10, 26, 11, 7, 40],
        )
        typer.echo(f"{len(points)} points (money in MAD at the yearly rates of rates.toml)")


def register(app: typer.Typer) -> None:
    app.command("indicators")(indicators_cmd)
