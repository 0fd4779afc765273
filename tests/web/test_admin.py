"""Login, sessions, CSRF, subscribers and "run a spider now"."""

from __future__ import annotations

import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ADMIN, PASSWORD, csrf_of, http_login, login
from veille.archive import subscribers as subs
from veille.core.passwords import needs_rehash
from veille.web.auth import check_hash_format, hash_password, verify_password


def scrypt_hash(password: str) -> str:
    """A hash as `veille web hash-password` printed it before named accounts."""
    import base64
    import hashlib

    salt = b"fedcba9876543210"
    key = hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1, dklen=64, maxmem=64 * 1024 * 1024)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def test_password_hash_format_and_verification() -> None:
    encoded = hash_password("correct horse")
    assert encoded.startswith("$argon2id$")
    assert check_hash_format(encoded) is None and not needs_rehash(encoded)
    assert verify_password("correct horse", encoded)
    assert not verify_password("wrong horse", encoded)
    assert hash_password("correct horse") != encoded  # salted
    import base64
    import hashlib

    # the formats `veille web hash-password` wrote before named accounts still verify
    salt_b = b"0123456789abcdef"
    pbkdf2 = "pbkdf2_sha256$1000${}${}".format(
        base64.b64encode(salt_b).decode(),
        base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"pw123456", salt_b, 1000)).decode(),
    )
    assert verify_password("pw123456", pbkdf2) and not verify_password("other", pbkdf2)
    scrypt = scrypt_hash("pw123456")
    assert verify_password("pw123456", scrypt) and not verify_password("other", scrypt)
    assert needs_rehash(scrypt) and needs_rehash(pbkdf2)
    assert check_hash_format("md5$abc") is not None and check_hash_format("$argon2id$v=19$nope") is not None
    assert not verify_password("x", None) and not verify_password("x", "garbage")


def test_admin_redirects_to_login_then_back(client: TestClient) -> None:
    r = client.get("/admin/abonnes")
    assert r.status_code == 303 and r.headers["location"] == "/connexion?suite=%2Fadmin%2Fabonnes"
    page = client.get(r.headers["location"])
    assert 'name="suite" value="/admin/abonnes"' in page.text
    r = client.post(
        "/connexion",
        data={"csrf": csrf_of(page.text), "email": ADMIN, "password": PASSWORD, "suite": "/admin/abonnes"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/abonnes"
    assert client.get("/admin/abonnes").status_code == 200


def test_session_cookie_flags(client: TestClient) -> None:
    r = client.get("/connexion")
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http on loopback
    client.cookies.clear()
    secure = client.get("https://testserver/connexion")
    assert "Secure" in secure.headers["set-cookie"]
    assert secure.headers["strict-transport-security"]
    assert r.headers["cache-control"] == "no-store"


def test_wrong_password_is_refused_and_throttled(client: TestClient) -> None:
    token = csrf_of(client.get("/connexion").text)
    for email in (ADMIN, ADMIN, "personne@example.ma", "pas-une-adresse", ADMIN):
        r = client.post(
            "/connexion", data={"csrf": token, "email": email, "password": "non", "suite": "/admin"}
        )
        # the same answer whether the address has an account or not
        assert r.status_code == 401 and "Adresse ou mot de passe incorrect" in r.text
    r = client.post(
        "/connexion", data={"csrf": token, "email": ADMIN, "password": PASSWORD, "suite": "/admin"}
    )
    assert r.status_code == 429 and "Trop de tentatives" in r.text
    assert client.get("/admin").status_code == 303


def test_login_and_forms_need_the_csrf_token(client: TestClient) -> None:
    client.get("/connexion")
    r = client.post("/connexion", data={"email": ADMIN, "password": PASSWORD})
    assert r.status_code == 403 and "Jeton de sécurité" in r.text
    r = client.post("/connexion", data={"csrf": "forged", "email": ADMIN, "password": PASSWORD})
    assert r.status_code == 403
    login(client)
    r = client.post("/admin/abonnes", data={"email": "a@example.ma"})
    assert r.status_code == 403
    r = client.post("/admin/abonnes", data={"email": "a@example.ma", "csrf": "forged"})
    assert r.status_code == 403


def test_no_open_redirect_after_login(client: TestClient) -> None:
    token = csrf_of(client.get("/connexion").text)
    r = client.post(
        "/connexion", data={"csrf": token, "email": ADMIN, "password": PASSWORD, "suite": "//evil.example/"}
    )
    assert r.headers["location"] == "/admin"


def test_login_rotates_token_and_logout_ends_session(client: TestClient) -> None:
    before = csrf_of(client.get("/connexion").text)
    login(client)
    page = client.get("/admin")
    assert page.status_code == 200 and "Administration" in page.text
    after = csrf_of(page.text)
    assert after != before
    r = client.post("/deconnexion", data={"csrf": after})
    assert r.status_code == 303
    assert client.get("/admin").status_code == 303


def test_tampered_session_cookie_is_ignored(client: TestClient) -> None:
    login(client)
    value = client.cookies.get("veille_session")
    client.cookies.set("veille_session", value[:-3] + "abc")
    assert client.get("/admin").status_code == 303


def test_no_account_and_no_hash_keeps_admin_locked(web_settings, archive) -> None:  # type: ignore[no-untyped-def]
    from tests.web.archive import write_config
    from veille.core.config import Settings
    from veille.web import create_app

    write_config(web_settings.config_dir, password_hash=None)
    settings = Settings.load(data_dir=web_settings.data_dir, config_dir=web_settings.config_dir)
    with TestClient(create_app(settings, store=archive[0]), follow_redirects=False) as c:
        page = c.get("/connexion")
        assert "Aucun compte n'existe encore" in page.text and "veille users add" in page.text
        r = c.post("/connexion", data={"csrf": csrf_of(page.text), "email": ADMIN, "password": ""})
        assert r.status_code == 401
        assert c.get("/admin").status_code == 303


def test_env_hash_overrides_the_file(web_settings, archive, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from veille.core.config import Settings
    from veille.web import create_app

    monkeypatch.setenv("VEILLE_ADMIN_PASSWORD_HASH", hash_password("autre-mot-de-passe"))
    settings = Settings.load(web_settings.data_dir, web_settings.config_dir)  # secrets: read at load
    with TestClient(create_app(settings, store=archive[0]), follow_redirects=False) as c:
        token = csrf_of(c.get("/connexion").text)
        r = c.post("/connexion", data={"csrf": token, "email": ADMIN, "password": PASSWORD})
        assert r.status_code == 401
        login(c, "autre-mot-de-passe")


def test_bad_hash_in_config_is_one_line_config_error(web_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from veille.core.config import Settings
    from veille.core.errors import ConfigError
    from veille.web.config import WebConfig

    monkeypatch.setenv("VEILLE_ADMIN_PASSWORD_HASH", "plaintext")
    settings = Settings.load(web_settings.data_dir, web_settings.config_dir)
    with pytest.raises(ConfigError, match="admin password hash"):
        WebConfig.load(settings)


def test_subscribers_add_unsubscribe_purge(client: TestClient, archive) -> None:  # type: ignore[no-untyped-def]
    store = archive[0]
    login(client)
    page = client.get("/admin/abonnes")
    token = csrf_of(page.text)
    r = client.post(
        "/admin/abonnes",
        data={"csrf": token, "email": "Analyste@Example.MA", "name": "Analyste", "themes": "emploi, export"},
    )
    assert r.status_code == 303
    listing = client.get(r.headers["location"])
    assert "Abonné ajouté : Analyste@example.ma" in listing.text
    sub = subs.get_subscriber(store, "analyste@example.ma")
    assert sub.themes == ("emploi", "export")
    bad = client.post("/admin/abonnes", data={"csrf": token, "email": "pas une adresse"})
    assert bad.status_code == 400 and "adresse électronique valide" in bad.text
    r = client.post(f"/admin/abonnes/{sub.id}/desabonner", data={"csrf": token})
    assert r.status_code == 303
    assert subs.get_subscriber(store, sub.id).status == "unsubscribed"
    again = client.post("/admin/abonnes", data={"csrf": token, "email": "analyste@example.ma"})
    assert again.status_code == 400 and "désabonné" in again.text
    r = client.post(f"/admin/abonnes/{sub.id}/supprimer", data={"csrf": token})
    assert r.status_code == 303
    assert subs.list_subscribers(store) == []
    assert client.post("/admin/abonnes/999/supprimer", data={"csrf": token}).status_code == 404


def test_run_a_spider_now_starts_one_subprocess(client: TestClient, web_settings) -> None:  # type: ignore[no-untyped-def]
    crawls = client.app.state.crawls
    crawls.command = [sys.executable, "-c", "import sys, time; print('crawl', sys.argv[1:]); time.sleep(1)"]
    login(client)
    page = client.get("/admin")
    assert "Lancer maintenant" in page.text
    assert '<a href="/sources/medias24">Médias24</a> <small class="discret">medias24</small>' in page.text
    assert '<a href="/sources/atlas-eco">atlas-eco</a></td>' in page.text  # no label: the name alone
    token = csrf_of(page.text)
    r = client.post("/admin/sources/medias24/lancer", data={"csrf": token})
    assert r.status_code == 303 and "ok=lancee" in r.headers["location"]
    r2 = client.post("/admin/sources/medias24/lancer", data={"csrf": token})
    assert "ok=deja" in r2.headers["location"]
    assert client.post("/admin/sources/inconnue/lancer", data={"csrf": token}).status_code == 404
    crawl = crawls.recent()[0]
    crawl.process.wait(10)
    time.sleep(0.1)
    assert crawl.returncode == 0
    assert "['medias24', '--data-dir'," in crawl.log_tail()
    assert crawl.log_path.parent == web_settings.data_dir / "logs"
    page = client.get("/admin?ok=lancee&source=medias24")
    assert "Collecte lancée pour « medias24 »" in page.text and "terminée" in page.text


def test_run_needs_login(client: TestClient) -> None:
    token = csrf_of(client.get("/connexion").text)
    r = client.post("/admin/sources/medias24/lancer", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/connexion")


def test_unconfirmed_deliveries_are_shown_on_the_admin_page_over_http(live_server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from veille.archive import deliveries as ledger
    from veille.archive.store import open_store
    from veille.archive.subscribers import add_subscriber

    store = open_store(f"sqlite:///{tmp_path / 'data' / 'veille.db'}")  # the server's archive
    try:
        sub, _ = add_subscriber(store, "karim@example.ma")
        ledger.ensure_rows(store, "digest", "2026-W48", [ledger.Recipient(sub.id, sub.email)])
        client = http_login(live_server)
        assert "Envois non confirmés" not in client.get("/admin").text
        ledger.claim(store, "digest", "2026-W48", sub.id, "w", now=datetime.now(UTC), max_attempts=3)
        ledger.release(
            store, "digest", "2026-W48", sub.id, "w", "connexion perdue après DATA", state="unconfirmed"
        )
        page = client.get("/admin").text
    finally:
        store.close()
    assert "Envois non confirmés" in page and "karim@example.ma" in page and "2026-W48" in page
    assert "--resend-unconfirmed" in page


def _logout(client: httpx.Client) -> None:
    r = client.post("/deconnexion", data={"csrf": csrf_of(client.get("/admin").text)})
    assert r.status_code == 303


def test_cookie_replayed_after_logout_is_refused_over_http(live_server: str) -> None:
    client = http_login(live_server)
    stolen = client.cookies.get("veille_session")
    assert client.get("/admin").status_code == 200
    _logout(client)
    replay = httpx.Client(base_url=live_server, cookies={"veille_session": stolen}, follow_redirects=False)
    r = replay.get("/admin")
    assert r.status_code == 303 and r.headers["location"].startswith("/connexion")
    # another login still works, and is a new session
    again = http_login(live_server)
    assert again.get("/admin").status_code == 200 and again.cookies.get("veille_session") != stolen


def test_revoke_sessions_command_ends_every_admin_session(live_server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from tests.web.conftest import VEILLE

    first, second = http_login(live_server), http_login(live_server)
    done = subprocess.run(
        [sys.executable, *VEILLE, "web", "revoke-sessions", "--data-dir", str(tmp_path / "data"),
         "--config-dir", str(tmp_path / "config")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and "2 session(s) revoked" in done.stdout, done.stderr
    assert first.get("/admin").status_code == 303 and second.get("/admin").status_code == 303


def test_the_configured_hash_seeds_admin_once_and_a_new_password_ends_its_sessions(
    tmp_path, password_hash: str
) -> None:  # type: ignore[no-untyped-def]
    """The first start with an admin password hash configured makes it the account ``admin``; later
    starts keep that account (a restart keeps its sessions, another configured hash is not read);
    `veille users passwd` ends every session of the account at once, server running."""
    import subprocess

    from sqlalchemy import select

    from tests.web.conftest import VEILLE, serving
    from veille.archive import schema as t
    from veille.archive.store import open_store
    from veille.web.auth import hash_password

    with serving(tmp_path, password_hash) as base:
        cookie = http_login(base).cookies.get("veille_session")
    with serving(tmp_path, password_hash, build=False) as base:  # a restart alone keeps the session
        assert httpx.get(base + "/admin", cookies={"veille_session": cookie}).status_code == 200
    with serving(tmp_path, hash_password("un-autre-mot-de-passe"), build=False) as base:
        assert httpx.get(base + "/admin", cookies={"veille_session": cookie}).status_code == 200
        done = subprocess.run(
            [sys.executable, *VEILLE, "users", "passwd", "admin", "--password-stdin",
             "--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")],
            input="un-nouveau-mot-de-passe\n", capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0 and "1 session(s) ended" in done.stdout, done.stderr
        r = httpx.get(base + "/admin", cookies={"veille_session": cookie})
        assert r.status_code == 303 and r.headers["location"].startswith("/connexion")
        with pytest.raises(AssertionError):
            http_login(base, "un-autre-mot-de-passe")
        assert http_login(base, "un-nouveau-mot-de-passe").get("/admin").status_code == 200
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'veille.db'}")
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(t.sessions.c.account, t.sessions.c.user_id, t.sessions.c.revoked_at).order_by(
                    t.sessions.c.id
                )
            ).all()
            (admin,) = conn.execute(select(t.accounts)).all()
    finally:
        store.close()
    assert [(r.account, r.user_id) for r in rows] == [("admin", admin.id), ("admin", admin.id)]
    assert rows[0].revoked_at is not None and rows[1].revoked_at is None
