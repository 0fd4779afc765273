"""``veille extract``: run the figure/organisation extractor over archived articles."""

from __future__ import annotations

from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive, parse_date


def extract(
    pending: bool = typer.Option(
        True, "--pending/--all", help="Only articles not yet extracted by this version, or all."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only articles published since this date (YYYY-MM-DD)."
    ),
    processes: int = typer.Option(1, "--processes", "-j", min=1, max=16, help="spaCy worker processes."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, max=1024, help="Texts per spaCy batch."),
    titles: bool = typer.Option(
        False,
        "--titles",
        help="Re-clean the archived titles instead (entities, the site's name and learned suffix), then stop.",
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Extract figures, organisations and persons from archived articles.

    Articles extracted by an older extractor version are redone automatically; --all
    redoes everything. Each article's figures are replaced atomically.

    Example: veille extract --all --since 2026-01-01 -j 2 (titles only: veille extract --titles)
    """
    from rich.console import Console
    from rich.progress import Progress

    from pipeline.extract import extract_articles

    settings, store = open_archive(data_dir, config_dir, vocabularies=True)
    if titles:
        changed = reclean_titles(store)
        typer.echo(f"{changed} titles cleaned.")
        return
    console = Console(stderr=True)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Extraction", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = extract_articles(
            store,
            redo_all=not pending,
            since=parse_date(since, zone=store.timezone),  # a day of digest.toml's timezone
            n_process=processes,
            batch_size=batch_size,
            config_dir=Path(settings.config_dir),
            on_progress=on_progress,
            rule=settings.series_rule,
        )
    typer.echo(
        f"{report.processed} articles extracted, {report.failed} failed: "
        f"{report.figures} figures, {len(report.organisations)} organisations."
    )
    for err in report.errors[:10]:
        typer.echo(f"  failed: {err}", err=True)
    if report.failed and not report.processed:
        raise typer.Exit(1)


def reclean_titles(store) -> int:  # type: ignore[no-untyped-def]
    """Archived titles cleaned again with what is known now (each source's learned suffix):
    the number changed."""
    from spiders.titles import reclean

    suffixes = store.title_suffixes()
    changed: dict[int, str] = {}
    for article_id, url, source, title in store.article_titles():
        suffix = suffixes.get(source)
        new = reclean(title, url, [suffix] if suffix else [])
        if new != title:
            changed[article_id] = new
    if changed:
        store.set_titles(changed)
    return len(changed)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
