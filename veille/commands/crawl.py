"""``veille crawl``: crawl sources into the archive (a thin layer over spiders.run.run_crawl)."""

from __future__ import annotations

from typing import Annotated

import typer

from veille.commands.options import ConfigDir, DataDir, load_settings


def register(app: typer.Typer) -> None:
    @app.command(
        "crawl",
        help=(
            "Crawl the enabled sources of sources.toml (or the NAMEs given) into the archive, "
            "then print what each source gave.\n\nExample: veille crawl medias24 leseco --since 7d --limit 20"
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
            bool, typer.Option("--refresh", help="Fetch again URLs already archived.")
        ] = False,
        allow_host: Annotated[
            list[str] | None,
            typer.Option(
                "--allow-host", help="Let the crawler reach this private/loopback host (tests, demo)."
            ),
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No live progress display.")] = False,
        data_dir: DataDir = None,
        config_dir: ConfigDir = None,
    ) -> None:
        from spiders.run import choose_sources, parse_since, run_crawl

        settings = load_settings(data_dir, config_dir, vocabularies=True)
        choose_sources(settings, names or None, None)  # unknown name: one clear line, before any work
        report = run_crawl(
            settings,
            names or None,
            since=parse_since(since),
            limit=limit,
            refresh=refresh,
            allow_hosts=tuple(allow_host or ()),
            progress=not quiet,
            log_to_file=True,  # the terminal gets the progress and the summary, not Scrapy's log
        )
        print_report(report)


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
