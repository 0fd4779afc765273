"""Opening, creating and migrating the archive on both backends; one-line errors."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL
from veille.archive.search import SearchQuery, search
from veille.archive.store import Store, open_store
from veille.core.errors import StoreError
from veille.core.models import Article

HEAD = "0027"  # the newest migration


def test_schema_at_head_with_search_index(any_store: Store) -> None:
    assert any_store.schema_revision() == HEAD
    names = set(inspect(any_store.engine).get_table_names())
    assert {"articles", "figures", "figure_orgs", "org_aliases", "runs", "deliveries"} <= names
    figure_indexes = {i["name"] for i in inspect(any_store.engine).get_indexes("figures")}
    assert "ix_figures_unit_value_period" in figure_indexes
    if any_store.dialect == "sqlite":
        assert "article_fts" in names
        assert "ix_figures_unit_value" not in figure_indexes  # 0005: the wider index serves instead
    else:
        cols = {c["name"] for c in inspect(any_store.engine).get_columns("articles")}
        assert "search_vector" in cols
        assert "ix_figures_unit_value" in figure_indexes


def test_migrate_twice_is_a_no_op(any_store: Store) -> None:
    any_store.upsert_article(Article(url="http://t/1", source="s", title="Emplois", text="offshoring"))
    any_store.migrate()
    assert search(any_store, SearchQuery("emploi")).total == 1


def test_update_reindexes(any_store: Store) -> None:
    a = Article(url="http://t/1", source="s", title="Tunisie", text="concurrence")
    any_store.upsert_article(a)
    a.title, a.text = "Portugal", "nearshore"
    any_store.upsert_article(a)
    assert search(any_store, SearchQuery("Tunisie")).total == 0
    assert search(any_store, SearchQuery("portugal nearshore")).total == 1


def test_newer_schema_is_refused(any_store: Store) -> None:
    with any_store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError) as err:
        open_store(any_store.url)
    assert "newer than this Veille" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://postgres@127.0.0.1:1/veille", "sqlite:////proc/no/such/dir/veille.db"],
    ids=["pg-port-1", "sqlite-bad-path"],
)
def test_unreachable_database_is_one_line(url: str) -> None:
    with pytest.raises(StoreError) as err:
        open_store(url)
    message = str(err.value)
    assert "\n" not in message and ("cannot reach" in message or "cannot create" in message)
    assert "127.0.0.1:1" in message or "/proc/no/such" in message


def test_missing_pg_database_is_created_by_init_only(pg_url: str) -> None:
    name = f"veille_init_{uuid.uuid4().hex[:10]}"
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    with pytest.raises(StoreError, match="veille init"):
        open_store(url)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        store = open_store(url, create=True)
        assert store.schema_revision() == HEAD and store.backend.startswith("PostgreSQL")
        store.close()
        again = open_store(url, create=True)  # exists now: just opens
        again.close()
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_migrations_never_drop_a_table() -> None:
    from veille.archive.database import MIGRATIONS

    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        upgrade = source.split("def upgrade", 1)[1].split("def downgrade", 1)[0]
        assert "drop_table" not in upgrade and "DROP TABLE" not in upgrade.upper(), path.name
