"""Roles on the web: what a lecteur, an analyste and an admin may do; the accounts page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, Form
from fastapi.testclient import TestClient

from tests.web.conftest import ADMIN, PASSWORD, csrf_of, login
from veille.archive import accounts as acc
from veille.archive.store import Store
from veille.web import create_app
from veille.web.auth import Analyst, check_csrf, require_role

LECTEUR, ANALYSTE = ("lectrice@example.ma", "lecture-2026"), ("analyste@example.ma", "analyse-2026")


@pytest.fixture
def people(archive) -> Store:  # type: ignore[no-untyped-def]
    store = archive[0]
    acc.add_account(store, LECTEUR[0], role="lecteur", password=LECTEUR[1])
    acc.add_account(store, ANALYSTE[0], role="analyste", password=ANALYSTE[1])
    return store  # type: ignore[no-any-return]


@pytest.fixture
def app_with_a_correction(web_settings, people: Store) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The app with a write action for analystes, as the corrections to come will be."""
    app = create_app(web_settings, store=people)
    router = APIRouter()

    @router.post("/essai/corriger", dependencies=[Depends(check_csrf)])
    def correct(session: Analyst, valeur: Annotated[str, Form()] = "") -> dict[str, str]:
        assert session.account is not None
        return {"corrige_par": session.account.email, "valeur": valeur}

    app.include_router(router)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def switch(client: TestClient, password: str = PASSWORD, email: str = ADMIN) -> None:
    """Log out (a new browser, as far as the server knows), then in as someone else."""
    client.cookies.clear()
    login(client, password, email)


def _post(client: TestClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/connexion", follow_redirects=True).text)
    return client.post(path, data={"csrf": token, **data})


def test_a_lecteur_cannot_correct(app_with_a_correction: TestClient) -> None:
    c = app_with_a_correction
    r = _post(c, "/essai/corriger", valeur="12")  # nobody logged in: the login page
    assert r.status_code == 303 and r.headers["location"] == "/connexion?suite=%2Fessai%2Fcorriger"
    login(c, LECTEUR[1], LECTEUR[0])
    r = _post(c, "/essai/corriger", valeur="12")
    assert r.status_code == 403
    assert "Accès refusé" in r.text and "réservée aux analystes" in r.text and "« lecteur »" in r.text
    switch(c, ANALYSTE[1], ANALYSTE[0])
    r = _post(c, "/essai/corriger", valeur="12")
    assert r.status_code == 200 and r.json() == {"corrige_par": ANALYSTE[0], "valeur": "12"}
    switch(c)  # an admin may do what an analyste may
    assert _post(c, "/essai/corriger", valeur="13").json()["corrige_par"] == "admin"


def test_require_role_refuses_an_unknown_role() -> None:
    with pytest.raises(acc.UnknownRole):
        require_role("rédacteur")


def test_admin_pages_are_for_admins_only(client: TestClient, people: Store) -> None:
    login(client, ANALYSTE[1], ANALYSTE[0])
    assert client.get("/chiffres").status_code == 200
    page = client.get("/")
    assert 'href="/admin"' not in page.text and "Se déconnecter" in page.text
    for path in ("/admin", "/admin/abonnes", "/admin/lettre", "/admin/comptes"):
        r = client.get(path)
        assert r.status_code == 403 and "réservée aux administrateurs" in r.text, path
    token = csrf_of(client.get("/").text)
    r = client.post("/admin/comptes", data={"csrf": token, "email": "x@example.ma", "role": "admin",
                                            "password": "mot-de-passe-1", "confirmation": "mot-de-passe-1"})  # fmt: skip
    assert r.status_code == 403 and acc.find_account(people, "x@example.ma") is None
    assert client.post("/admin/sources/medias24/lancer", data={"csrf": token}).status_code == 403
    switch(client)
    assert client.get("/admin/comptes").status_code == 200


def test_the_api_follows_the_roles(web_settings, people: Store) -> None:  # type: ignore[no-untyped-def]
    from tests.web.archive import write_config
    from veille.core.config import Settings

    write_config(web_settings.config_dir, public_read=False, password_hash=None)
    settings = Settings.load(data_dir=web_settings.data_dir, config_dir=web_settings.config_dir)
    with TestClient(create_app(settings, store=people), follow_redirects=False) as c:
        assert c.get("/api/search?q=emploi").status_code == 401
        r = c.get("/")
        assert r.status_code == 303 and r.headers["location"].startswith("/connexion")
        login(c, LECTEUR[1], LECTEUR[0])
        assert c.get("/api/search?q=emploi").json()["total"] >= 1
        assert c.get("/").status_code == 200


def test_public_reading_makes_visitors_lecteurs(client: TestClient) -> None:
    assert client.get("/chiffres").status_code == 200  # public_read = true in the fixture's web.toml
    page = client.get("/").text
    assert 'href="/connexion"' in page and "Se déconnecter" not in page
    assert client.get("/admin").headers["location"] == "/connexion?suite=%2Fadmin"


def test_accounts_page_add_role_disable_enable(client: TestClient, people: Store) -> None:
    lectrice = TestClient(client.app, follow_redirects=False)
    login(lectrice, LECTEUR[1], LECTEUR[0])
    assert "Se déconnecter" in lectrice.get("/").text
    login(client)
    page = client.get("/admin/comptes")
    token = csrf_of(page.text)
    assert LECTEUR[0] in page.text and ANALYSTE[0] in page.text and "Liste (3)" in page.text

    def add(
        email: str, password: str = "mot-de-passe-1", confirmation: str | None = None, role: str = "lecteur"
    ):  # type: ignore[no-untyped-def]
        data = {"csrf": token, "email": email, "role": role, "password": password,
                "confirmation": password if confirmation is None else confirmation}  # fmt: skip
        return client.post("/admin/comptes", data=data)

    r = add("Nouvelle@Example.MA", role="analyste")
    assert r.status_code == 303 and "ok=ajoute" in r.headers["location"]
    assert "Compte créé : nouvelle@example.ma." in client.get(r.headers["location"]).text
    assert acc.get_account(people, "nouvelle@example.ma").role == "analyste"
    for bad, message in (
        (add("nouvelle@example.ma"), "Un compte nouvelle@example.ma existe déjà."),
        (add("pas-une-adresse"), "pas une adresse électronique valide"),
        (add("b@example.ma", "court"), "Mot de passe trop court"),
        (add("b@example.ma", confirmation="autre-chose-1"), "Les deux mots de passe diffèrent."),
        (add("b@example.ma", role="chef"), "Rôle inconnu « chef »"),
    ):
        assert bad.status_code == 400 and message in bad.text, message
    lid = acc.get_account(people, LECTEUR[0]).id
    r = client.post(f"/admin/comptes/{lid}/role", data={"csrf": token, "role": "analyste"})
    assert r.status_code == 303 and acc.get_account(people, lid).role == "analyste"
    r = client.post(f"/admin/comptes/{lid}/desactiver", data={"csrf": token})
    assert r.status_code == 303 and acc.get_account(people, lid).disabled
    assert "Se déconnecter" not in lectrice.get("/").text  # her session ended at once
    with pytest.raises(AssertionError):
        login(lectrice, LECTEUR[1], LECTEUR[0])
    r = client.post(f"/admin/comptes/{lid}/reactiver", data={"csrf": token})
    assert r.status_code == 303 and not acc.get_account(people, lid).disabled
    login(lectrice, LECTEUR[1], LECTEUR[0])
    admin_id = acc.get_account(people, "admin").id
    last = client.post(f"/admin/comptes/{admin_id}/role", data={"csrf": token, "role": "lecteur"})
    assert last.status_code == 400 and "dernier administrateur actif" in last.text
    assert client.post("/admin/comptes/99999/desactiver", data={"csrf": token}).status_code == 404
    assert client.post("/admin/comptes/abc/desactiver", data={"csrf": token}).status_code == 404


def test_the_login_page_names_the_former_admin_account_until_used(client: TestClient) -> None:
    assert "identifiant <code>admin</code>" in client.get("/connexion").text
    login(client)
    fresh = TestClient(client.app, follow_redirects=False)
    assert "identifiant <code>admin</code>" not in fresh.get("/connexion").text
    assert (
        client.get("/admin/connexion?suite=%2Fchiffres").headers["location"] == "/connexion?suite=%2Fchiffres"
    )
