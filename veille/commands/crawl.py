"""``veille crawl``: crawl sources into the archive (a thin layer over spiders.run.run_crawl)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from veille.commands.options import ConfigDir, DataDir, load_settings
from veille.core.errors import VeilleError


def register(app: typer.Typer) -> None:
    @app.command(
        "crawl",
        help=(
            "Crawl the enabled sources of sources.toml (or the NAMEs given) into the archive, "
            "then print what each source gave.\n\nExample: veille crawl medias24 leseco --since 7d --limit 20\n\n"
            "Several machines: run veille crawl --worker on each (they share the work through Redis)."
        ),
    )
    def crawl(
        names: Annotated[
            list[str] | None, typer.Argument(help="Source names (default: all enabled).")
        ] = None,
        since: Annotated[
            str | None,
            typer.Option("--since", help="Skip articles older than DATE (2025-03-01, '1 mars 2025', 7d)."),
        ] = None,
        limit: Annotated[
            int | None, typer.Option("--limit", min=1, help="At most N article pages per source.")
        ] = None,
        refresh: Annotated[
            bool,
            typer.Option(
                "--refresh", help="Fetch again URLs already archived, and the files refused before."
            ),
        ] = False,
        allow_host: Annotated[
            list[str] | None,
            typer.Option(
                "--allow-host", help="Let the crawler reach this private/loopback host (tests, demo)."
            ),
        ] = None,
        worker: Annotated[
            bool,
            typer.Option(
                "--worker",
                help="Be one of several crawl workers (on this host or others) sharing the sources' "
                "frontier and per-host politeness in Redis ([crawl.cluster] of crawl.toml).",
            ),
        ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No live progress display.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
        scrapy_set: Annotated[
            list[str] | None,
            typer.Option(
                "--set", "-s", metavar="NAME=VALUE", help="A Scrapy setting for this run (as scrapy -s)."
            ),
        ] = None,
        data_dir: DataDir = None,
        config_dir: ConfigDir = None,
    ) -> None:
        report = start_crawl(
            data_dir,
            config_dir,
            names,
            since=since,
            limit=limit,
            refresh=refresh,
            allow_hosts=tuple(allow_host or ()),
            overrides=scrapy_options(scrapy_set or ()),
            progress=not (quiet or as_json),
            worker=worker,
        )
        if as_json:
            typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            print_report(report)


def scrapy_options(items: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as Scrapy settings; a name neither Scrapy nor Veille knows is one line."""
    import spiders.settings
    from veille.core.conf.crawl import scrapy_names, unknown_setting

    known = scrapy_names() | {n for n in dir(spiders.settings) if n.isupper()}
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise VeilleError(f"--set {item!r}: expected NAME=VALUE")
        problem = unknown_setting(name, known)
        if problem:
            raise VeilleError(f"--set: {problem}")
        out[name] = value
    return out


def start_crawl(
    data_dir: Path | None,
    config_dir: Path | None,
    names: Sequence[str] | None,
    *,
    since: Any = None,
    limit: int | None = None,
    refresh: bool = False,
    allow_hosts: tuple[str, ...] = (),
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
    worker: bool = False,
) -> Any:
    """The one way a crawl starts, for ``veille crawl``, ``scrapy crawl`` (veille/scrapy_commands),
    the admin page and the scheduler (both run ``veille crawl``): every config file checked,
    the sources chosen, then one run in the ledger (:func:`spiders.run.run_crawl`). ``since``: a
    datetime, or what ``--since`` says (a date is a day of digest.toml's timezone)."""
    from spiders.run import choose_sources, parse_since, run_crawl

    settings = load_settings(data_dir, config_dir, vocabularies=True)
    choose_sources(settings, list(names) if names else None, None)  # unknown name: one line, before any work
    return run_crawl(
        settings,
        list(names) if names else None,
        since=parse_since(since, zone=ZoneInfo(settings.digest.timezone)),  # days of the watch's zone
        limit=limit,
        refresh=refresh,
        allow_hosts=allow_hosts,
        overrides=overrides,
        progress=progress,
        worker=worker,
        log_to_file=True,  # the terminal gets the progress and the summary, not Scrapy's log
    )


def print_report(report: object) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Run {report.run_id} — {report.status}")  # type: ignore[attr-defined]
    for col in (
        "source",
        "fetched",
        "new",
        "partial",
        "duplicate",
        "dropped",
        "errors",
        "reasons / last error",
    ):
        table.add_column(col, justify="left" if col in ("source", "reasons / last error") else "right")
    for s in report.sources:  # type: ignore[attr-defined]
        reasons = ", ".join(f"{k}:{v}" for k, v in sorted(s.drop_reasons.items()))
        last = s.error_messages[-1] if s.error_messages else ""
        partial = f"{s.partial} ({s.completed} completed)" if s.completed else str(s.partial)
        table.add_row(s.name, str(s.fetched), str(s.new), partial, str(s.duplicate), str(s.dropped),
                      str(s.errors), "; ".join(x for x in (reasons, last[:100]) if x))  # fmt: skip
    t = report.total  # type: ignore[attr-defined]
    table.add_row("total", str(t("fetched")), str(t("new")), str(t("partial")), str(t("duplicate")), str(t("dropped")),
                  str(t("errors")), "", style="bold")  # fmt: skip
    Console(width=160).print(table)
