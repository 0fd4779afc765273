"""``veille study``: indicator series of a period written up as a study (HTML, PDF, DOCX and a
PNG per chart, :mod:`veille.study`)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, OptionError, build_query, open_archive
from veille.queries import series_query


def _scope(scope: str | None) -> tuple[str, str] | None:
    """``KIND:NAME`` -> (kind, name); one line when it is not one."""
    if scope is None:
        return None
    q = build_query(series_query, "", scope=scope)
    if not (q.scope_kind and q.scope):
        raise OptionError(f"--scope {scope!r}: give KIND:NAME, e.g. country:Maroc or zone:Casanearshore")
    return q.scope_kind, q.scope


def study_cmd(
    indicators: list[str] = typer.Argument(..., help="Indicator keys of config/indicators.toml."),
    year_from: int = typer.Option(..., "--from", min=1900, max=2100, help="First year (YYYY)."),
    year_to: int = typer.Option(..., "--to", min=1900, max=2100, help="Last year (YYYY)."),
    out: Path = typer.Option(..., "--out", help="Folder the study is written to (made if missing)."),
    scope: str | None = typer.Option(
        None,
        "--scope",
        help="KIND:NAME of every section (country:Tunisie, zone:Casanearshore); default: each "
        "indicator's default country, else its scope with the most figures.",
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """A study, written up: a title page, one section per indicator (chart and table), the
    conflicts and how they were settled, the sources, in French.

    Example: veille study exportations effectif emplois_crees --from 2014 --to 2026 --out etude-2026

    Writes etude.html, etude.pdf (the HTML printed by headless Chromium), etude.docx (editable)
    and graphique-INDICATOR.png for each chart. An unknown indicator or --from after --to is one
    line and exit 2; a period with no point for any of the indicators is one line and exit 1.
    """
    from veille.core.sources import source_labels
    from veille.study.files import write_study
    from veille.study.report import build_study, check_request

    check_request(indicators, year_from, year_to)
    where = _scope(scope)
    started = time.perf_counter()
    settings, store = open_archive(data_dir, config_dir)
    try:
        study = build_study(
            store, settings.series_rule, indicators, year_from, year_to, scope=where,
            outlets=source_labels(settings.sources), rates_source=settings.rates.source,
        )  # fmt: skip
    finally:
        store.close()
    written = write_study(study, out)
    points = sum(len(s.points) for s in study.sections)
    typer.echo(
        f"Étude écrite dans {out} en {time.perf_counter() - started:.1f} s : {len(study.indicators)} indicateur(s), "
        f"{points} point(s), {len(study.sources)} source(s) — " + ", ".join(p.name for p in written.all())
    )


def register(app: typer.Typer) -> None:
    app.command("study")(study_cmd)
