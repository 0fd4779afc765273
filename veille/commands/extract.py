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
    worker: bool = typer.Option(
        False,
        "--worker",
        help="Run as one of several extraction workers (on one or several machines): claim batches of "
        "pending articles in the archive until SIGTERM (see docs/scaling.md).",
    ),
    until_done: bool = typer.Option(
        False, "--until-done", help="With --worker: stop once no article is pending or claimed."
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Extract figures, organisations and persons from archived articles.

    Articles extracted by an older extractor version are redone automatically; --all
    redoes everything. Each article's figures are replaced atomically. With --worker, several
    processes share the pending articles, each extracted once ([extract.worker] in pipeline.toml).

    Example: veille extract --all --since 2026-01-01 -j 2 (titles only: veille extract --titles;
    a worker: veille extract --worker)
    """
    from rich.console import Console
    from rich.progress import Progress

    from pipeline.extract import extract_articles

    if worker and (titles or not pending):
        raise typer.BadParameter(
            "--worker extracts the pending articles: it takes neither --all nor --titles"
        )
    if until_done and not worker:
        raise typer.BadParameter("--until-done goes with --worker")
    settings, store = open_archive(data_dir, config_dir, vocabularies=True)
    if worker:
        run_extract_worker(settings, store, since, processes, batch_size, until_done)
        return
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


def run_extract_worker(  # type: ignore[no-untyped-def]
    settings, store, since: str | None, processes: int, batch_size: int, until_done: bool
) -> None:
    """``veille extract --worker``: :func:`pipeline.worker.run_worker` until SIGTERM/SIGINT."""
    import logging
    import signal
    import threading

    from pipeline.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    report = run_worker(
        store, settings.pipeline.extract.worker, config_dir=Path(settings.config_dir), n_process=processes,
        batch_size=batch_size, since=parse_date(since, zone=store.timezone), until_done=until_done, stop=stop,
    )  # fmt: skip
    e = report.extract
    typer.echo(
        f"worker {report.worker}: {e.processed} articles extracted, {e.failed} failed, "
        f"{report.taken_over} taken over from a dead worker, {e.lost} lost to another worker."
    )


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
