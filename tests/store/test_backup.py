"""``veille backup`` / ``veille restore`` on SQLite and PostgreSQL: the whole archive comes back,
row for row; what must be refused is refused; an older schema is upgraded after the restore."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL
from tests.web.archive import build_archive
from veille.archive import accounts as acc
from veille.archive import schema as t
from veille.archive import subscribers as subs
from veille.archive.backup import MANIFEST, BackupError, backup, read_manifest, restore
from veille.archive.search import SearchQuery, search
from veille.archive.store import Store, open_store
from veille.core.models import Article


def fill(store: Store) -> None:
    """Articles, figures, organisations, runs and a digest; accounts and a subscriber."""
    build_archive(store)
    acc.add_account(store, "amina@example.ma", role="admin", password="mot-de-passe-1")
    acc.add_account(store, "karim@example.ma", role="analyste", password="mot-de-passe-2")
    acc.disable_account(store, "karim@example.ma")
    subs.add_subscriber(store, "lectrice@example.ma", themes="emploi")


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the schema, in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {
                table.name: [
                    tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in t.metadata.sorted_tables
                if table.name in present
            }
    finally:
        engine.dispose()


@pytest.fixture
def target_url(request: pytest.FixtureRequest, any_store: Store, tmp_path: Path) -> Iterator[str]:
    """Where to restore: a new SQLite file, or a scratch PostgreSQL database (dropped after)."""
    if any_store.dialect == "sqlite":
        yield f"sqlite:///{tmp_path / 'restauree' / 'veille.db'}"
        return
    name = f"veille_restore_{uuid.uuid4().hex[:12]}"
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_backup_then_restore_into_an_empty_archive(any_store: Store, target_url: str, tmp_path: Path) -> None:
    fill(any_store)
    manifest = backup(any_store, tmp_path / "sauvegarde")
    written = json.loads((tmp_path / "sauvegarde" / MANIFEST).read_text())
    assert written["backend"] == any_store.dialect and written["revision"] == any_store.schema_revision()
    assert written["counts"]["accounts"] == 2 and written["counts"]["articles"] >= 5
    assert written["counts"]["figures"] >= 3 and written["counts"]["subscribers"] == 1
    assert read_manifest(tmp_path / "sauvegarde") == manifest
    restored = restore(target_url, tmp_path / "sauvegarde")
    assert restored.counts == manifest.counts and restored.revision == manifest.revision
    before, after = contents(any_store.url), contents(target_url)
    assert before.keys() == after.keys() and before == after  # every table, row for row
    assert sum(len(rows) for rows in after.values()) > 40
    back = open_store(target_url)
    try:  # the accounts and the full-text search work in the restored archive, and it goes on
        query = SearchQuery("offshoring", one_per_cluster=False)
        assert search(back, query).total == search(any_store, query).total > 0
        assert acc.authenticate(back, "amina@example.ma", "mot-de-passe-1") is not None
        assert acc.get_account(back, "karim@example.ma").disabled
        new_id, _ = back.upsert_article(
            Article(url="http://apres/1", source="s", title="Après", text="offshoring")
        )
        assert new_id > max(row[0] for row in before["articles"])
    finally:
        back.close()


def test_a_target_holding_rows_is_refused_unless_force(any_store: Store, tmp_path: Path) -> None:
    fill(any_store)
    backup(any_store, tmp_path / "sauvegarde")
    saved = contents(any_store.url)
    any_store.upsert_article(Article(url="http://apres/1", source="s", title="Écrit après", text="emploi"))
    with pytest.raises(
        BackupError, match=r"is not empty \(.*articles \d+.*\): restore into an empty archive"
    ):
        restore(any_store.url, tmp_path / "sauvegarde")
    assert contents(any_store.url) != saved  # untouched
    restore(any_store.url, tmp_path / "sauvegarde", force=True)
    assert contents(any_store.url) == saved  # replaced whole: the later article is gone


def test_a_folder_holding_a_backup_is_not_overwritten(any_store: Store, tmp_path: Path) -> None:
    fill(any_store)
    backup(any_store, tmp_path / "sauvegarde")
    with pytest.raises(BackupError, match="already holds a backup"):
        backup(any_store, tmp_path / "sauvegarde")


def test_backup_is_one_state_while_a_crawl_writes(any_store: Store, target_url: str, tmp_path: Path) -> None:
    """A writer adds articles during the backup: the manifest counts one state, and the restore
    finds exactly that state (the restore checks every table against the manifest)."""
    fill(any_store)
    start = any_store.count_articles()
    stop = threading.Event()
    written: list[int] = []

    def crawl() -> None:
        while not stop.is_set():
            n = len(written)
            any_store.upsert_article(Article(url=f"http://pendant/{n}", source="s", title=f"Article {n}",
                                             text="offshoring emploi " * 50))  # fmt: skip
            written.append(n)

    writer = threading.Thread(target=crawl)
    writer.start()
    try:
        while len(written) < 5:  # the writer is under way
            stop.wait(0.01)
        manifest = backup(any_store, tmp_path / "sauvegarde")
        during = len(written)
        while len(written) < during + 3:  # and goes on after
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join(30)
    assert start + 5 <= manifest.counts["articles"] < any_store.count_articles()
    restored = restore(target_url, tmp_path / "sauvegarde")
    assert restored.counts == manifest.counts


def test_an_older_schema_is_upgraded_after_the_restore(
    any_store: Store, target_url: str, tmp_path: Path
) -> None:
    from alembic import command
    from alembic.config import Config

    from veille.archive.database import MIGRATIONS

    build_archive(any_store)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with any_store.engine.begin() as conn:  # an archive of the single admin password
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0016")
    manifest = backup(any_store, tmp_path / "sauvegarde")
    assert manifest.revision == "0016" and "accounts" not in manifest.counts
    restored = restore(target_url, tmp_path / "sauvegarde")
    assert restored.revision == "0027" and restored.counts["accounts"] == 0
    assert restored.counts["articles"] == manifest.counts["articles"]


def test_a_newer_schema_a_damaged_file_or_another_backend_is_refused(
    any_store: Store, tmp_path: Path
) -> None:
    fill(any_store)
    folder = tmp_path / "sauvegarde"
    manifest = backup(any_store, folder)
    target = f"sqlite:///{tmp_path / 'vide' / 'veille.db'}"
    if any_store.dialect == "postgresql":
        target = make_url(PG_ADMIN_URL).set(database=f"jamais_{uuid.uuid4().hex[:8]}").render_as_string(False)
    raw = json.loads((folder / MANIFEST).read_text())
    (folder / MANIFEST).write_text(json.dumps({**raw, "revision": "9999"}))
    with pytest.raises(
        BackupError, match="schema revision 9999, newer than this Veille knows: upgrade Veille"
    ):
        restore(target, folder)
    (folder / MANIFEST).write_text(json.dumps(raw))
    other = (
        "postgresql+psycopg://postgres@127.0.0.1:5432/x"
        if any_store.dialect == "sqlite"
        else "sqlite:///x.db"
    )
    with pytest.raises(BackupError, match=f"this backup is of a {any_store.dialect} archive"):
        restore(other, folder)
    data = folder / manifest.file
    damaged = bytearray(data.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    data.write_bytes(bytes(damaged))
    with pytest.raises(BackupError, match="is damaged: its size or SHA-256 differs"):
        restore(target, folder)
    (folder / MANIFEST).unlink()
    with pytest.raises(BackupError, match="no backup in .*manifest.json is missing"):
        restore(target, folder)


def test_missing_postgresql_tools_are_one_line(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(pg_url)
    try:
        monkeypatch.setattr("veille.archive.backup.shutil.which", lambda name: None)
        with pytest.raises(BackupError, match=r"^pg_dump not found: install PostgreSQL's client programs"):
            backup(store, tmp_path / "sauvegarde")
    finally:
        store.close()
    assert not (tmp_path / "sauvegarde" / MANIFEST).exists()
