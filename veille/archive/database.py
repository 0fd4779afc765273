"""The archive's database and schema: create a missing PostgreSQL database, read and upgrade
the Alembic revision (``veille/archive/migrations``). Upgrades never drop a table; an archive written
by a newer Veille is refused with one clear line. Used by :class:`veille.archive.store.Store`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from veille.archive.engine import redact_url
from veille.core.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def first_line(exc: BaseException) -> str:
    """The first line of a database error (the driver's message, without SQLAlchemy's context)."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def schema_revision(engine: Engine, url: str) -> str | None:
    """The Alembic revision the archive is at (None before the first migration)."""
    _quiet_alembic()
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            heads = MigrationContext.configure(conn).get_current_heads()
    except OperationalError as exc:
        raise StoreError(f"cannot reach the archive at {redact_url(url)}: {first_line(exc)}") from None
    return ", ".join(sorted(heads)) or None


def require_archive(url: str) -> None:
    """Raise :class:`StoreError` "no archive at …: run veille init" unless ``url`` holds a Veille
    archive (its Alembic version table); never creates a file, a directory or a database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    missing = StoreError(f"no archive at {_where(url)}: run `veille init` (or `veille crawl`, `veille demo`)")
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:"):
            return
        if not Path(path).is_file() or Path(path).stat().st_size == 0:
            raise missing
        engine = create_engine(f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true")
    else:
        engine = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as conn:
            from sqlalchemy import inspect

            if not inspect(conn).has_table("alembic_version"):
                raise missing
    except OperationalError as exc:
        first = first_line(exc)
        if "does not exist" in first:
            raise missing from None
        raise StoreError(f"cannot reach the archive at {redact_url(url)}: {first}") from None
    finally:
        engine.dispose()


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.database or redact_url(url) if parsed.get_backend_name() == "sqlite" else redact_url(url)


def create_database(url: str) -> bool:
    """Create the PostgreSQL database named in ``url`` if missing (connecting to the ``postgres``
    database). Returns True when it was created."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    if not name:
        raise StoreError(f"no database name in {redact_url(url)}: add one, e.g. .../veille")
    admin = create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10}
    )
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists:
                return False
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    except OperationalError as exc:
        raise StoreError(
            f"cannot reach the PostgreSQL server for {redact_url(url)}: {first_line(exc)}"
        ) from None
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot create the database {name!r}: {first_line(exc)}") from None
    finally:
        admin.dispose()


def _quiet_alembic() -> None:
    """alembic's INFO lines ("setup plugin …", "Context impl SQLiteImpl.", "Running upgrade …") are
    not news for a user: they showed whenever a command had set up logging at INFO."""
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)


MIGRATION_LOCK = 0x7665696C6C65  # "veille": PostgreSQL advisory lock held while the schema is upgraded


def migrate(engine: Engine, url: str) -> None:
    """Upgrade the schema to the latest revision; refuse a database from a newer Veille."""
    _quiet_alembic()
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    known = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
    try:
        with engine.begin() as conn:
            if (
                engine.dialect.name == "postgresql"
            ):  # workers starting together: one migrates, the others wait
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            current = set(MigrationContext.configure(conn).get_current_heads())
            unknown = current - known
            if unknown:
                raise StoreError(
                    f"the archive at {redact_url(url)} has schema version {', '.join(sorted(unknown))}, "
                    "newer than this Veille knows: upgrade Veille"
                )
            if current != heads:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    except OperationalError as exc:
        first = first_line(exc)
        if engine.dialect.name == "postgresql" and "does not exist" in first and "database" in first:
            raise StoreError(
                f"the database at {redact_url(url)} does not exist: run `veille init` to create it"
            ) from None
        raise StoreError(f"cannot reach the archive at {redact_url(url)}: {first}") from None
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the archive at {redact_url(url)}: {first_line(exc)}") from None
