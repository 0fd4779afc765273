"""Shared fixtures: a fresh data dir and archive per test (SQLite), PostgreSQL on demand."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from veille.archive.store import Store, open_store
from veille.core.config import Settings

REPO = Path(__file__).resolve().parent.parent
# CI sets this; locally it defaults to the server this machine runs.
PG_ADMIN_URL = os.environ.get(
    "VEILLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("VEILLE_DATABASE_URL", raising=False)
    monkeypatch.setenv("VEILLE_DATA_DIR", str(tmp_path / "data"))
    return Settings.load(data_dir=tmp_path / "data", config_dir=REPO / "config")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = open_store(settings.database_url)
    yield s
    s.close()


def _pg_available() -> str | None:
    """Return why PostgreSQL cannot be used, or None when it can."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # pragma: no cover - depends on the machine
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards.

    In CI (CI=true) an unreachable server is a failure, not a skip.
    """
    yield from _pg_database()


@pytest.fixture
def other_pg_url() -> Iterator[str]:
    """A second fresh PostgreSQL database, beside ``pg_url``'s (two archives compared)."""
    yield from _pg_database()


def _pg_database() -> Iterator[str]:
    why = _pg_available()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"veille_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """The same test against SQLite and PostgreSQL."""
    url = settings.database_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = open_store(url)
    yield s
    s.close()
