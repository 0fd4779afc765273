"""``veille sources``: list, check, import/export OPML, health (run ledger and archive)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from veille.commands.options import ConfigDir, DataDir, load_settings

sources_app = typer.Typer(
    name="sources",
    help="The sources Veille watches (config/sources.toml).\n\nExample: veille sources list",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _load(config_dir: Path | None, data_dir: Path | None = None):  # type: ignore[no-untyped-def]
    from veille.core.sources import load_sources

    settings = load_settings(data_dir, config_dir)
    return settings, load_sources(settings.path("sources.toml"))


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(width=200)


@sources_app.command("list", help="List the configured sources.\n\nExample: veille sources list")
def list_(config_dir: ConfigDir = None) -> None:
    from rich.table import Table

    _, sources = _load(config_dir)
    table = Table()
    for col in ("name", "label", "kind", "enabled", "language", "url"):
        table.add_column(col)
    for s in sources:
        table.add_row(
            s.name, s.label or "", s.kind, "yes" if s.enabled else "no", s.language or "", " ".join(s.urls)
        )
    _console().print(table)


@sources_app.command(
    "check",
    help="Fetch each source's feed or listing once (short timeout) and say what it lists."
    "\n\nExample: veille sources check medias24 leseco",
)
def check(
    names: Annotated[list[str] | None, typer.Argument(help="Source names (default: all enabled).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 10.0,
    allow_host: Annotated[
        list[str] | None, typer.Option("--allow-host", help="Allow this private host.")
    ] = None,
    config_dir: ConfigDir = None,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from rich.table import Table

    from spiders.check import check_source
    from veille.core.sources import find_sources

    settings, sources = _load(config_dir)
    chosen = find_sources(sources, names) if names else [s for s in sources if s.enabled]
    hosts = (*settings.crawl.allow_private_hosts, *(allow_host or ()))
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda s: check_source(s, timeout=timeout, allow_hosts=hosts), chosen))
    table = Table()
    for col in ("source", "reachable", "status", "items", "newest", "error", "url"):
        table.add_column(col)
    failures = 0
    for rows in results:
        for r in rows:
            failures += bool(r.error)
            table.add_row(
                r.name, "yes" if r.reachable else "no", str(r.status or "—"), str(r.items),
                r.newest.isoformat(timespec="minutes") if r.newest else "—", r.error or "", r.url,
            )  # fmt: skip
    _console().print(table)
    if failures:
        from veille.core.errors import FetchError

        raise FetchError(
            f"{failures} of {sum(len(r) for r in results)} source URL(s) failed the check (see the table)"
        )


@sources_app.command(
    "import-opml",
    help="Add the feeds of an OPML file to sources.toml (names or URLs already there are skipped)."
    "\n\nExample: veille sources import-opml feeds.opml",
)
def import_opml(
    file: Annotated[Path, typer.Argument(help="An OPML file (from a feed reader or 'export-opml').")],
    config_dir: ConfigDir = None,
) -> None:
    from veille.core.errors import ConfigError
    from veille.core.sources import append_sources
    from veille.opml import sources_from_opml

    settings, _ = _load(config_dir)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigError(file, f"cannot read: {exc.strerror}") from None
    added = append_sources(settings.path("sources.toml"), sources_from_opml(data, origin=str(file)))
    typer.echo(
        f"Added {len(added)} source(s) to {settings.path('sources.toml')}: "
        + ", ".join(s.name for s in added)
    )


@sources_app.command(
    "export-opml",
    help="Write the sources as OPML (feed readers read the feeds; Veille re-imports everything)."
    "\n\nExample: veille sources export-opml -o veille.opml",
)
def export_opml(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    config_dir: ConfigDir = None,
) -> None:
    from veille.opml import sources_to_opml

    _, sources = _load(config_dir)
    text = sources_to_opml(sources)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {len(sources)} source(s) to {output}")


@sources_app.command(
    "health",
    help="Flag sources with errors (run ledger) or no new article (counted in the archive) over the last N days."
    "\n\nExample: veille sources health --days 14",
)
def health(
    days: Annotated[int, typer.Option("--days", min=1, help="Window in days.")] = 7,
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    from rich.table import Table

    from spiders.check import source_health
    from veille.archive.store import open_store

    settings, sources = _load(config_dir, data_dir)
    store = open_store(settings.database_url, require=True, timezone=settings.digest.timezone)
    try:
        rows = source_health(store, [s for s in sources if s.enabled], days=days)
    finally:
        store.close()
    table = Table(title=f"Sources over the last {days} day(s)")
    for col in ("source", "runs", "fetched", "new", "errors", "status", "last error"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.name, str(r.runs), str(r.fetched), str(r.new), str(r.errors),
                      ("⚠ " + r.problem) if r.flagged else "ok", (r.last_error or "")[:80])  # fmt: skip
    _console().print(table)
    flagged = sum(r.flagged for r in rows)
    typer.echo(f"{flagged} of {len(rows)} source(s) flagged.")


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
