"""Backing up and restoring the whole archive: articles and their extraction, runs, subscribers
and deliveries, digests, the analysts' corrections and the accounts (every table of the schema).

A backup is a folder holding one data file and ``manifest.json``, written last (a folder without
it is no backup):

- SQLite: ``veille.db``, a copy made with SQLite's online backup API in one step, so it is one
  consistent state of the archive even while the web or a crawl writes (WAL readers do not
  block writers); a plain database file anyone can open.
- PostgreSQL: ``veille.dump``, ``pg_dump --format=custom`` run on a snapshot exported by the
  transaction that counts the rows, so the counts and the dump are the same state.

The manifest says which backend, when, the schema revision (Alembic), the rows of each table,
and the data file's size and SHA-256. :func:`restore` checks all of it first: a damaged file, a
backup of the other backend or of a schema newer than this Veille knows are refused, and so is
a target archive that holds rows, unless ``force``. After restoring it brings an older schema
up to date (Alembic) and checks that every table has the rows the manifest says.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import URL, Connection, make_url

from veille.archive import schema as t
from veille.archive.database import first_line
from veille.archive.engine import redact_url
from veille.archive.store import Store, open_store
from veille.core.errors import VeilleError

MANIFEST = "manifest.json"
DATA_FILES = {"sqlite": "veille.db", "postgresql": "veille.dump"}
FORMAT = 1
PG_TIMEOUT = 6 * 3600  # seconds a pg_dump or pg_restore may take


class BackupError(VeilleError):
    """A backup cannot be made or restored (one line: what, and what to do)."""


@dataclass(frozen=True)
class Manifest:
    backend: str  # "sqlite" or "postgresql"
    created_at: str  # ISO 8601, UTC
    revision: str | None  # the schema's Alembic revision
    counts: dict[str, int]  # rows per table
    file: str
    size: int
    sha256: str
    veille: str = ""  # the version that made it
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class Restored:
    manifest: Manifest
    revision: str | None  # the schema's revision after the upgrade
    counts: dict[str, int] = field(default_factory=dict)


# -- what an archive holds -------------------------------------------------------------------
def table_counts(conn: Connection) -> dict[str, int]:
    """Rows of each of the schema's tables present in the database (in the connection's snapshot)."""
    present = set(inspect(conn).get_table_names())
    return {
        table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in t.metadata.sorted_tables
        if table.name in present
    }


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    heads = sorted(str(v) for v in conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return ", ".join(heads) or None


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from veille.archive.database import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _veille_version() -> str:
    try:
        return version("veille")
    except PackageNotFoundError:
        return ""


# -- PostgreSQL's tools ------------------------------------------------------------------------
def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install PostgreSQL's client programs, of the server's major version "
            "or newer (Debian: apt-get install postgresql-client)"
        )
    return path


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq address of a SQLAlchemy URL (no password in it: that goes in PGPASSWORD)."""
    u = make_url(url)
    address = URL.create("postgresql", username=u.username, host=u.host, port=u.port, database=u.database,
                         query=u.query).render_as_string(hide_password=False)  # fmt: skip
    env = {**os.environ, **({"PGPASSWORD": u.password} if u.password else {})}
    return address, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} took more than {PG_TIMEOUT // 3600} hours: stopped") from None
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        raise BackupError(f"{what} failed: {lines[0] if lines else f'exit code {done.returncode}'}")


# -- backup ------------------------------------------------------------------------------------
def backup(store: Store, folder: Path) -> Manifest:
    """Back the archive of ``store`` up into ``folder`` (made if missing; one that already holds a
    backup is refused). Returns the manifest written."""
    folder = Path(folder)
    if (folder / MANIFEST).exists():
        raise BackupError(f"{folder} already holds a backup: choose a new folder (e.g. one per date)")
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is a file, not a folder")
    backend = store.dialect
    if backend not in DATA_FILES:
        raise BackupError(f"cannot back up a {backend} database: SQLite and PostgreSQL only")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / DATA_FILES[backend]
    partial = data.with_name(data.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            revision, counts = _backup_sqlite(store, partial)
        else:
            revision, counts = _backup_postgresql(store, partial)
        partial.replace(data)
    finally:
        partial.unlink(missing_ok=True)
    manifest = Manifest(
        backend=backend, created_at=datetime.now(UTC).isoformat(timespec="seconds"), revision=revision,
        counts=counts, file=data.name, size=data.stat().st_size, sha256=_sha256(data), veille=_veille_version(),
    )  # fmt: skip
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _backup_sqlite(store: Store, target: Path) -> tuple[str | None, dict[str, int]]:
    source_path = make_url(store.url).database
    if not source_path or source_path == ":memory:":
        raise BackupError("an in-memory archive cannot be backed up")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        source.backup(copy)  # every page in one step: one consistent state, writers not blocked
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return _revision(conn), table_counts(conn)
    finally:
        engine.dispose()


def _backup_postgresql(store: Store, target: Path) -> tuple[str | None, dict[str, int]]:
    pg_dump = _tool("pg_dump")
    address, env = _libpq(store.url)
    with store.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        # the dump reads the very snapshot this transaction counts in
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        revision, counts = _revision(conn), table_counts(conn)
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", address],
            env,
            "pg_dump",
        )
    return revision, counts


# -- restore -----------------------------------------------------------------------------------
def read_manifest(folder: Path) -> Manifest:
    """The manifest of the backup in ``folder``, its data file checked (present, size, SHA-256)."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"no backup in {folder}: {MANIFEST} is missing")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**{k: raw[k] for k in Manifest.__dataclass_fields__ if k in raw})
    except (ValueError, TypeError, KeyError) as exc:
        raise BackupError(f"{path} is not a Veille backup manifest ({exc})") from None
    if manifest.format > FORMAT:
        raise BackupError(f"{path} is of a newer backup format ({manifest.format}): upgrade Veille")
    data = folder / manifest.file
    if manifest.backend not in DATA_FILES or manifest.file != DATA_FILES[manifest.backend]:
        raise BackupError(f"{path}: unknown backend {manifest.backend!r} or data file {manifest.file!r}")
    if not data.is_file():
        raise BackupError(f"the backup in {folder} is incomplete: {manifest.file} is missing")
    if data.stat().st_size != manifest.size or _sha256(data) != manifest.sha256:
        raise BackupError(f"{data} is damaged: its size or SHA-256 differs from the manifest's")
    return manifest


def archive_rows(url: str) -> dict[str, int]:
    """The tables of the archive at ``url`` that hold rows (empty: no archive, or an empty one)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = u.database or ""
        if not path or path == ":memory:" or not Path(path).is_file() or Path(path).stat().st_size == 0:
            return {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: n for name, n in table_counts(conn).items() if n}
    except Exception as exc:
        if u.get_backend_name() == "postgresql" and "does not exist" in first_line(exc):
            return {}
        raise BackupError(f"cannot read the archive at {redact_url(url)}: {first_line(exc)}") from None
    finally:
        engine.dispose()


def restore(url: str, folder: Path, *, force: bool = False) -> Restored:
    """Restore the backup in ``folder`` into the archive at ``url``, which must hold no rows
    unless ``force`` (then it is replaced whole). Stop the web and the scheduler first."""
    manifest = read_manifest(folder)
    backend = make_url(url).get_backend_name()
    if backend != manifest.backend:
        raise BackupError(
            f"this backup is of a {manifest.backend} archive and the target is {backend}: restore it into "
            f"a {manifest.backend} archive (VEILLE_DATABASE_URL)"
        )
    known = _known_revisions()
    newer = [r for r in (manifest.revision or "").split(", ") if r and r not in known]
    if newer:
        raise BackupError(
            f"this backup is of schema revision {', '.join(newer)}, newer than this Veille knows: "
            "upgrade Veille, then restore"
        )
    held = archive_rows(url)
    if held and not force:
        rows = ", ".join(f"{name} {n}" for name, n in sorted(held.items()))
        raise BackupError(
            f"the archive at {redact_url(url)} is not empty ({rows}): restore into an empty archive, "
            "or pass --force to replace it"
        )
    data = Path(folder) / manifest.file
    if backend == "sqlite":
        _restore_sqlite(url, data)
    else:
        _restore_postgresql(url, data)
    return _settle(url, manifest)


def _restore_sqlite(url: str, data: Path) -> None:
    path = Path(make_url(url).database or "")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(data)
    target = sqlite3.connect(path, timeout=30)
    try:
        source.backup(target)  # page by page within one transaction of the target: all or nothing
    except sqlite3.Error as exc:
        raise BackupError(
            f"cannot write the archive {path}: {exc} (stop the web and the scheduler first)"
        ) from None
    finally:
        target.close()
        source.close()


def _restore_postgresql(url: str, data: Path) -> None:
    pg_restore = _tool("pg_restore")
    store = Store(url)
    try:
        store.create_database()
        with store.engine.begin() as conn:  # the target becomes the backup, nothing of it left
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except VeilleError:
        raise
    except Exception as exc:
        raise BackupError(f"cannot empty the database at {redact_url(url)}: {first_line(exc)}") from None
    finally:
        store.close()
    address, env = _libpq(url)
    args = [pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "-d", address]
    _run([*args, str(data)], env, "pg_restore")


def _settle(url: str, manifest: Manifest) -> Restored:
    """Bring an older schema up to date, then check every table holds the manifest's rows."""
    store = open_store(url)
    try:
        if store.dialect == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))  # pg_restore leaves the planner without statistics
        store.refresh_search_index()
        with store.engine.connect() as conn:
            counts, revision = table_counts(conn), _revision(conn)
    finally:
        store.close()
    differ = {name: (n, counts.get(name)) for name, n in manifest.counts.items() if counts.get(name) != n}
    if differ:
        what = ", ".join(
            f"{name} {got} rows instead of {want}" for name, (want, got) in sorted(differ.items())
        )
        raise BackupError(f"the restored archive differs from the backup's manifest: {what}")
    return Restored(manifest=manifest, revision=revision, counts=counts)
