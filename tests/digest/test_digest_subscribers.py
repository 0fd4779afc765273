"""Subscribers: add/remove/list, CSV import with line-numbered problems, unsubscribe tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.digest.conftest import SECRET
from veille.archive.store import Store
from veille.archive.subscribers import (
    InvalidEmail,
    InvalidToken,
    SecretKeyMissing,
    SubscriberError,
    add_subscriber,
    get_subscriber,
    import_csv,
    list_subscribers,
    remove_subscriber,
    set_filters,
    unsubscribe_by_token,
    unsubscribe_token,
    verify_unsubscribe_token,
)
from veille.core.config import Settings


def test_add_update_remove_and_consent(store: Store) -> None:
    sub, created = add_subscriber(store, " Amina@Example.MA ", name="Amina", themes="emploi; offshoring")
    assert created and sub.email == "Amina@example.ma" and sub.themes == ("emploi", "offshoring")
    again, created = add_subscriber(store, "amina@example.ma", orgs="ADD, APEBI")
    assert not created and again.id == sub.id and again.name == "Amina" and again.orgs == ("ADD", "APEBI")
    assert set_filters(store, sub.id, themes=[]).themes == ()
    removed = remove_subscriber(store, "AMINA@example.ma")
    assert removed.status == "unsubscribed" and removed.unsubscribed_at is not None
    with pytest.raises(SubscriberError, match="--resubscribe"):
        add_subscriber(store, "amina@example.ma")
    assert add_subscriber(store, "amina@example.ma", resubscribe=True)[0].active
    remove_subscriber(store, "amina@example.ma", purge=True)
    assert list_subscribers(store) == []


@pytest.mark.parametrize(
    "bad", ["", "amina", "amina@", "@example.ma", "a b@example.ma", "amina@example", "a..b@x.ma"]
)
def test_bad_addresses_are_refused(store: Store, bad: str) -> None:
    with pytest.raises(InvalidEmail):
        add_subscriber(store, bad)


def test_import_reports_bad_lines_and_keeps_going(store: Store, tmp_path: Path) -> None:
    csv_file = tmp_path / "abonnes.csv"
    csv_file.write_text(
        "email,name,themes,orgs\n"
        "amina@example.ma,Amina Benali,emploi;offshoring,\n"
        "pas-une-adresse,Quelqu'un,,\n"
        "\n"
        "youssef@example.ma,Youssef,,ADD\n"
        "AMINA@example.ma,doublon,,\n",
        encoding="utf-8",
    )
    report = import_csv(store, csv_file)
    assert report.added == ["amina@example.ma", "youssef@example.ma"]
    assert [(p.line, p.email) for p in report.skipped] == [(3, "pas-une-adresse"), (6, "AMINA@example.ma")]
    assert str(report.skipped[0]).startswith("line 3: pas-une-adresse: not a valid email address")
    assert get_subscriber(store, "youssef@example.ma").orgs == ("ADD",)
    # an unsubscribed address is not reactivated by a later import
    remove_subscriber(store, "youssef@example.ma")
    again = import_csv(store, csv_file)
    assert "youssef@example.ma" not in again.updated
    assert any(p.line == 5 and "unsubscribed" in p.reason for p in again.skipped)
    assert get_subscriber(store, "youssef@example.ma").status == "unsubscribed"


def test_import_without_header(store: Store, tmp_path: Path) -> None:
    csv_file = tmp_path / "liste.csv"
    csv_file.write_text("a@example.ma,\nb@example.ma,Bouchra\n", encoding="utf-8")
    report = import_csv(store, csv_file)
    assert report.added == ["a@example.ma", "b@example.ma"] and not report.skipped
    assert get_subscriber(store, "b@example.ma").name == "Bouchra"


def test_tokens_verify_and_unsubscribe(store: Store) -> None:
    key = SECRET.encode()
    sub, _ = add_subscriber(store, "amina@example.ma")
    token = unsubscribe_token(sub.id, sub.email, secret=key)
    assert token.startswith(f"{sub.id}.") and "=" not in token
    assert verify_unsubscribe_token(store, token, secret=key).id == sub.id
    for bad in (token[:-2] + "xx", f"{sub.id + 1}.{token.split('.')[1]}", "nope", ""):
        with pytest.raises(InvalidToken):
            verify_unsubscribe_token(store, bad, secret=key)
    with pytest.raises(InvalidToken):
        verify_unsubscribe_token(store, token, secret=b"another key")
    assert unsubscribe_by_token(store, token, secret=key).status == "unsubscribed"
    assert unsubscribe_by_token(store, token, secret=key).status == "unsubscribed"  # a second click is fine


def test_missing_secret_is_one_clear_error(store: Store, tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path, environ={})
    with pytest.raises(SecretKeyMissing, match="VEILLE_SECRET_KEY is not set"):
        unsubscribe_token(1, "a@example.ma", secret=settings.secrets.link_key())
    with pytest.raises(SecretKeyMissing, match="VEILLE_SECRET_KEY is not set"):
        settings.digest.link_key()
    with pytest.raises(SecretKeyMissing):
        unsubscribe_token(1, "a@example.ma", secret=b"")


def test_unsubscribe_endpoint_get_confirms_post_unsubscribes(settings: Settings, store: Store) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from veille.web.unsubscribe import router

    app = FastAPI()
    app.state.store = store
    app.state.settings = settings
    app.include_router(router)
    client = TestClient(app)
    sub, _ = add_subscriber(store, "amina@example.ma")
    token = unsubscribe_token(sub.id, sub.email, secret=settings.secrets.link_key())
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Confirmer" in page.text and "amina@example.ma" in page.text
    assert get_subscriber(store, sub.id).active  # GET (link scanners) changes nothing
    done = client.post(
        f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}, follow_redirects=False
    )
    assert done.status_code == 200 and "désinscrit" in done.text
    assert get_subscriber(store, sub.id).status == "unsubscribed"
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert client.post("/unsubscribe/1.forged").status_code == 404


def test_cli_import_prints_the_bad_line(
    settings, store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from veille.cli import main

    csv_file = tmp_path / "abonnes.csv"
    csv_file.write_text("email\nok@example.ma\nmauvaise adresse\n", encoding="utf-8")
    args = ["--data-dir", str(settings.data_dir), "--config-dir", str(settings.config_dir)]
    assert main(["subscribers", "import", str(csv_file), *args]) == 0
    out = capsys.readouterr()
    assert "line 3: mauvaise adresse" in out.err and "Imported 1 new" in out.out
    assert main(["subscribers", "list", *args]) == 0
    assert "ok@example.ma" in capsys.readouterr().out
    assert main(["subscribers", "add", "pas-valide", *args]) != 0
    assert "not a valid email address" in capsys.readouterr().err
