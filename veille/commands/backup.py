"""``veille backup DIR`` and ``veille restore DIR``: the whole archive, accounts included."""

from __future__ import annotations

from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, load_settings, open_archive


def _counts(counts: dict[str, int]) -> str:
    shown = ("articles", "figures", "accounts", "subscribers", "digests")
    main = [f"{name} {counts[name]}" for name in shown if name in counts]
    others = sum(n for name, n in counts.items() if name not in shown)
    return ", ".join(main) + (f", {others} other rows" if others else "")


def backup_cmd(
    folder: Path = typer.Argument(..., metavar="DIR", help="A new folder (or an empty one) for the backup."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Back the whole archive up into DIR: articles, figures, corrections, accounts, subscribers…

    SQLite: a consistent copy made with SQLite's online backup API, safe while the web or a crawl
    writes. PostgreSQL: pg_dump --format=custom (the PostgreSQL client programs must be
    installed). DIR also gets manifest.json (backend, date, schema revision, rows per table,
    SHA-256). Restore with `veille restore DIR`.

    Example: veille backup /srv/sauvegardes/veille-2026-12-07
    """
    from veille.archive.backup import backup

    _settings, store = open_archive(data_dir, config_dir)
    try:
        manifest = backup(store, folder)
    finally:
        store.close()
    typer.echo(
        f"Backed up {store.backend} to {folder / manifest.file} ({manifest.size:,} bytes; schema "
        f"{manifest.revision}; {_counts(manifest.counts)})"
    )


def restore_cmd(
    folder: Path = typer.Argument(..., metavar="DIR", help="A folder written by `veille backup`."),
    force: bool = typer.Option(
        False, "--force", help="Replace an archive that holds rows (everything in it is lost)."
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Restore the backup in DIR into the archive (the data dir's SQLite file, or VEILLE_DATABASE_URL).

    Stop the web and the scheduler first. The target must be empty (a new data dir or database,
    or one just made by `veille init`) unless --force; a damaged backup, one of the other
    backend or one of a newer schema is refused; an older schema is upgraded after the restore,
    and every table is checked against the manifest's row counts.

    Example: VEILLE_DATA_DIR=/srv/veille-essai veille restore /srv/sauvegardes/veille-2026-12-07
    """
    from veille.archive.backup import restore

    settings = load_settings(data_dir, config_dir)
    if settings.database_url.startswith("sqlite"):
        settings.ensure_data_dir()
    restored = restore(settings.database_url, folder, force=force)
    manifest = restored.manifest
    typer.echo(
        f"Restored the backup of {manifest.created_at} (schema {manifest.revision}, now "
        f"{restored.revision}): {_counts(restored.counts)}; every table as in the manifest"
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
