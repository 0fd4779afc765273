"""``veille init``: create the data dir (and a missing PostgreSQL database), apply migrations."""

from __future__ import annotations

import typer

from veille.commands.options import ConfigDir, DataDir, load_settings


def init(data_dir: DataDir = None, config_dir: ConfigDir = None) -> None:
    """Create the archive if needed and bring its schema up to date.

    Uses SQLite in the data directory unless VEILLE_DATABASE_URL names a PostgreSQL
    database, which is created when missing. Every other command also applies pending
    migrations on start.

    Example: VEILLE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/veille veille init
    """
    from veille.archive.store import open_store

    settings = load_settings(data_dir, config_dir)
    settings.ensure_data_dir()
    store = open_store(settings.database_url, create=True)
    try:
        store.refresh_search_index()
        typer.echo(f"Archive ready: {store.backend}, schema revision {store.schema_revision()}.")
        typer.echo(f"Data directory: {settings.data_dir}")
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    app.command("init")(init)
