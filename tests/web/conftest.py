"""Fixtures of the web tests: a config dir, the fixture archive, the app and a client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.web.archive import Fixture, build_archive, write_config
from veille.archive.store import Store, open_store
from veille.core.config import Settings
from veille.web import create_app
from veille.web.auth import hash_password

PASSWORD = "mot-de-passe-de-test"
ADMIN = "admin"  # the account web.toml's admin password hash becomes at the app's start


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def web_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, password_hash: str) -> Settings:
    monkeypatch.delenv("VEILLE_DATABASE_URL", raising=False)
    monkeypatch.delenv("VEILLE_ADMIN_PASSWORD_HASH", raising=False)
    monkeypatch.setenv("VEILLE_SECRET_KEY", "clé-de-test-suffisamment-longue")
    config = write_config(tmp_path / "config", password_hash=password_hash)
    return Settings.load(data_dir=tmp_path / "data", config_dir=config)


@pytest.fixture
def archive(web_settings: Settings) -> Iterator[tuple[Store, Fixture]]:
    web_settings.ensure_data_dir()
    store = open_store(web_settings.database_url)
    fx = build_archive(store)
    yield store, fx
    store.close()


@pytest.fixture
def fx(archive: tuple[Store, Fixture]) -> Fixture:
    return archive[1]


@pytest.fixture
def client(web_settings: Settings, archive: tuple[Store, Fixture]) -> Iterator[TestClient]:
    app = create_app(web_settings, store=archive[0])
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def veille(web_settings: Settings, archive: tuple[Store, Fixture], capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """``veille ARGS`` over the web tests' archive and config -> (exit code, output, errors). The
    digest's base_url is the test client's, so exported article links are the same."""
    from veille.cli import main

    (web_settings.config_dir / "digest.toml").write_text('[digest]\nbase_url = "http://testserver"\n')
    dirs = ("--data-dir", str(web_settings.data_dir), "--config-dir", str(web_settings.config_dir))

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, *dirs])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def login(client: TestClient, password: str = PASSWORD, email: str = ADMIN) -> None:
    """Log in through the form, as a browser would."""
    import re

    page = client.get("/connexion")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/connexion", data={"csrf": token, "email": email, "password": password, "suite": "/admin"}
    )
    assert r.status_code == 303, r.text[:500]


def csrf_of(html: str) -> str:
    import re

    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


VEILLE = ["-c", "from veille.cli import run; run()"]


@contextmanager
def serving(
    tmp_dir: Path, password_hash: str, *extra: str, secret: bool = True, build: bool = True
) -> Iterator[str]:
    """``veille serve`` (options ``extra``) in a subprocess on 127.0.0.1 over the fixture archive;
    yields its base URL. ``secret=False``: no VEILLE_SECRET_KEY in its environment; ``build=False``:
    serve the archive already in ``tmp_dir`` (a restart)."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    config = write_config(tmp_dir / "config", password_hash=password_hash)
    data = tmp_dir / "data"
    settings = Settings.load(data_dir=data, config_dir=config, database_url=f"sqlite:///{data / 'veille.db'}")
    settings.ensure_data_dir()
    if build:
        store = open_store(settings.database_url)
        build_archive(store)
        store.close()
    port = free_port()
    env = {**os.environ, "VEILLE_SECRET_KEY": "clé-de-test-suffisamment-longue", "VEILLE_DATA_DIR": str(data)}
    env.pop("VEILLE_DATABASE_URL", None)
    env.pop("VEILLE_ADMIN_PASSWORD_HASH", None)
    if not secret:
        env.pop("VEILLE_SECRET_KEY")
    log_path = tmp_dir / "serve.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, *VEILLE, "serve", "--port", str(port), "--data-dir", str(data), "--config-dir", str(config),
         "--log-level", "warning", *extra],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/static/veille.css", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("veille serve did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def live_server(tmp_path: Path, password_hash: str) -> Iterator[str]:
    with serving(tmp_path, password_hash) as base:
        yield base


def http_login(base: str, password: str = PASSWORD, email: str = ADMIN) -> httpx.Client:
    """An HTTP client logged in to a running ``veille serve`` through the form, as a browser."""
    import re

    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/connexion")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/connexion", data={"csrf": token, "email": email, "password": password, "suite": "/admin"}
    )
    assert r.status_code == 303, r.text[:500]
    return client
