"""Named accounts on both backends: logins folded, roles, the last admin kept, disabled accounts
and new passwords ending sessions, an older hash verified then replaced, the former admin hash adopted."""

from __future__ import annotations

import base64
import hashlib

import pytest

from veille.archive import accounts as acc
from veille.archive import sessions
from veille.archive.store import Store
from veille.core.passwords import hash_password


def test_add_find_list_and_errors(any_store: Store) -> None:
    amina = acc.add_account(any_store, "  Amina@Example.MA ", role="Admin", password="mot-de-passe-1")
    assert (amina.email, amina.role, amina.disabled, amina.last_login_at) == (
        "amina@example.ma",
        "admin",
        False,
        None,
    )
    assert amina.password_hash.startswith("$argon2id$") and "mot-de-passe-1" not in repr(amina)
    assert acc.get_account(any_store, "AMINA@example.ma") == amina == acc.get_account(any_store, amina.id)
    with pytest.raises(acc.DuplicateAccount, match="already exists"):
        acc.add_account(any_store, "amina@EXAMPLE.ma", role="lecteur", password="mot-de-passe-2")
    with pytest.raises(acc.UnknownRole, match="use one of lecteur, analyste, admin") as unknown:
        acc.add_account(any_store, "karim@example.ma", role="chef", password="mot-de-passe-2")
    assert unknown.value.exit_code == 2
    with pytest.raises(acc.InvalidLogin):
        acc.add_account(any_store, "pas une adresse", role="lecteur", password="mot-de-passe-2")
    with pytest.raises(acc.InvalidLogin):  # the reserved login is only made from the former hash
        acc.add_account(any_store, "admin", role="admin", password="mot-de-passe-2")
    with pytest.raises(acc.WeakPassword, match="too short"):
        acc.add_account(any_store, "karim@example.ma", role="lecteur", password="court")
    with pytest.raises(acc.AccountNotFound):
        acc.get_account(any_store, "personne@example.ma")
    acc.add_account(any_store, "karim@example.ma", role="lecteur", password="mot-de-passe-2")
    assert [a.email for a in acc.list_accounts(any_store)] == ["amina@example.ma", "karim@example.ma"]


def test_roles_rank() -> None:
    assert acc.role_allows("admin", "analyste") and acc.role_allows("analyste", "lecteur")
    assert not acc.role_allows("lecteur", "analyste") and not acc.role_allows("analyste", "admin")
    assert not acc.role_allows(None, "lecteur")


def test_authenticate_records_the_login_and_refuses_the_disabled(any_store: Store) -> None:
    karim = acc.add_account(any_store, "karim@example.ma", role="analyste", password="mot-de-passe-1")
    assert acc.authenticate(any_store, "karim@example.ma", "mauvais-mot") is None
    assert acc.authenticate(any_store, "personne@example.ma", "mot-de-passe-1") is None
    logged = acc.authenticate(any_store, " KARIM@example.ma", "mot-de-passe-1")
    assert logged is not None and logged.last_login_at is not None
    assert logged.password_hash == karim.password_hash  # an argon2id hash of today: kept
    token = acc.open_session(any_store, logged, hours=1)
    admin = acc.add_account(any_store, "amina@example.ma", role="admin", password="mot-de-passe-2")
    disabled, ended = acc.disable_account(any_store, "karim@example.ma")
    assert disabled.disabled and ended == 1 and acc.session_account(any_store, token) is None
    assert acc.authenticate(any_store, "karim@example.ma", "mot-de-passe-1") is None
    assert not acc.enable_account(any_store, "karim@example.ma").disabled
    assert acc.authenticate(any_store, "karim@example.ma", "mot-de-passe-1") is not None
    assert acc.get_account(any_store, admin.id).role == "admin"


def test_the_last_enabled_admin_stays(any_store: Store) -> None:
    acc.add_account(any_store, "amina@example.ma", role="admin", password="mot-de-passe-1")
    with pytest.raises(acc.LastAdmin, match="last enabled admin"):
        acc.set_role(any_store, "amina@example.ma", "analyste")
    with pytest.raises(acc.LastAdmin):
        acc.disable_account(any_store, "amina@example.ma")
    acc.add_account(any_store, "karim@example.ma", role="admin", password="mot-de-passe-2")
    assert acc.set_role(any_store, "amina@example.ma", "analyste").role == "analyste"
    with pytest.raises(acc.LastAdmin):
        acc.disable_account(any_store, "karim@example.ma")
    assert acc.set_role(any_store, "amina@example.ma", "admin").role == "admin"
    assert acc.disable_account(any_store, "karim@example.ma")[0].disabled


def _scrypt(password: str) -> str:
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1, dklen=64, maxmem=64 * 1024 * 1024)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def test_the_former_admin_hash_is_adopted_once_and_rehashed_at_login(any_store: Store) -> None:
    former = _scrypt("ancien-mot-de-passe")
    assert acc.adopt_admin_hash(any_store, None) is None and acc.count_accounts(any_store) == 0
    admin = acc.adopt_admin_hash(any_store, former)
    assert admin is not None and (admin.email, admin.role, admin.password_hash) == ("admin", "admin", former)
    assert acc.adopt_admin_hash(any_store, hash_password("un-autre")) is None  # once only
    assert acc.count_accounts(any_store) == 1
    logged = acc.authenticate(any_store, "Admin", "ancien-mot-de-passe")
    assert logged is not None and logged.password_hash.startswith("$argon2id$")  # replaced at login
    assert acc.authenticate(any_store, "admin", "ancien-mot-de-passe") is not None  # still the same password


def test_no_adoption_when_an_admin_account_exists(any_store: Store) -> None:
    acc.add_account(any_store, "amina@example.ma", role="admin", password="mot-de-passe-1")
    assert acc.adopt_admin_hash(any_store, hash_password("ancien-mot-de-passe")) is None
    assert acc.find_account(any_store, "admin") is None


def test_sessions_of_a_disabled_account_end(any_store: Store) -> None:
    acc.add_account(any_store, "amina@example.ma", role="admin", password="mot-de-passe-1")
    karim = acc.add_account(any_store, "karim@example.ma", role="lecteur", password="mot-de-passe-2")
    tokens = [acc.open_session(any_store, karim, hours=1) for _ in range(3)]
    assert sessions.live_sessions(any_store, karim.id) == 3
    assert acc.disable_account(any_store, karim.id)[1] == 3
    assert all(acc.session_account(any_store, t) is None for t in tokens)


def test_migration_0017_over_an_archive_of_0016(any_store: Store) -> None:
    """Upgrading an archive of the single admin password: the accounts table appears, and the
    sessions it had (which name no account) are revoked."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect, select

    from veille.archive import schema as t
    from veille.archive.database import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with any_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0016")
    assert "accounts" not in inspect(any_store.engine).get_table_names()
    old = sessions.open_session(any_store, "admin", credential=sessions.fingerprint("h"), hours=12)
    any_store.migrate()
    assert any_store.schema_revision() == "0027"
    with any_store.engine.connect() as conn:
        revoked = conn.execute(
            select(t.sessions.c.revoked_at).where(t.sessions.c.token_hash == sessions.token_hash(old))
        ).scalar_one()
    assert revoked is not None
    keys = {fk["name"] for fk in inspect(any_store.engine).get_foreign_keys("sessions")}
    assert ("fk_sessions_account" in keys) == (any_store.dialect == "postgresql")
    amina = acc.add_account(any_store, "amina@example.ma", role="admin", password="mot-de-passe-1")
    assert acc.session_account(any_store, acc.open_session(any_store, amina, hours=1)) == amina
