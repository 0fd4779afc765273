"""Watches on the web: saving the search shown, following an organisation, "Mes veilles", the
Atom feeds (parsed by feedparser) and the alerts' unsubscribe links."""

from __future__ import annotations

from html import unescape
from urllib.parse import urlencode

import feedparser
from fastapi.testclient import TestClient

from tests.web.archive import Fixture
from tests.web.conftest import csrf_of, login
from veille.archive import alerts
from veille.archive import watches as w
from veille.archive.accounts import add_account
from veille.archive.search import search
from veille.archive.store import Store
from veille.archive.subscribers import get_subscriber

KEY = "clé-de-test-suffisamment-longue".encode()


def _analyst(client: TestClient, store: Store) -> None:
    add_account(store, "amina@example.ma", role="lecteur", password="veille-2026-longue")
    login(client, "veille-2026-longue", "amina@example.ma")


def test_save_the_search_shown_as_a_watch_then_read_its_feed(
    client: TestClient, archive: tuple[Store, Fixture]
) -> None:
    store, _ = archive
    _analyst(client, store)
    query = urlencode({"q": "offshoring", "since": "2024-01-01", "order": "date", "page": "1"})
    page = client.get(f"/?{query}")
    assert (
        "Suivre cette recherche" in page.text
        and f'href="/flux.atom?{query.replace("&", "&amp;")}"' in page.text
    )
    r = client.post("/veilles", data={"csrf": csrf_of(page.text), "kind": "search", "query": query,
                                      "name": "Offshoring", "every": "immediate", "to": "karim@example.ma"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/veilles?ok=ok"
    [watch] = w.list_watches(store)
    assert watch.params == {"text": "offshoring", "since": "2024-01-01", "order": "date"}
    assert watch.query.text == "offshoring" and str(watch.query.since) == "2024-01-01"
    assert watch.recipients == ("amina@example.ma", "karim@example.ma")
    mine = client.get("/veilles").text
    assert "Offshoring" in mine and f"/veilles/flux/{watch.feed_token}.atom" in mine
    feed = feedparser.parse(client.get(f"/veilles/flux/{watch.feed_token}.atom").content)
    assert not feed.bozo, feed.get("bozo_exception")
    shown = search(
        store,
        watch.query.__class__(**{**watch.query.__dict__, "order": "date", "limit": 50}),
        with_facets=False,
    )
    assert [e.link for e in feed.entries] == [h.url for h in shown.hits] and feed.entries
    assert feed.feed.title == "Veille : Offshoring"
    # a wrong token, a truncated one: nothing
    assert client.get(f"/veilles/flux/{watch.feed_token[:-1]}x.atom").status_code == 404
    assert client.get(f"/veilles/flux/{watch.feed_token[:10]}.atom").status_code == 404


def test_the_feed_needs_no_login_but_its_token(client: TestClient, archive: tuple[Store, Fixture]) -> None:
    store, _ = archive
    owner = add_account(store, "nadia@example.ma", role="analyste", password="veille-2026-longue")
    watch = w.add_watch(store, owner_id=owner.id, name="ADD", params={"org": "ADD"},
                        query=w.SearchQuery(org="Agence de développement du digital"))  # fmt: skip
    r = client.get(f"/veilles/flux/{watch.feed_token}.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    assert not feedparser.parse(r.content).bozo


def test_public_search_feed(client: TestClient) -> None:
    feed = feedparser.parse(client.get("/flux.atom?q=offshoring").content)
    assert not feed.bozo and feed.entries


def test_follow_an_organisation(client: TestClient, archive: tuple[Store, Fixture]) -> None:
    store, _ = archive
    _analyst(client, store)
    page = client.get("/organisations/Agence de développement du digital")
    assert 'action="/veilles/suivre"' in page.text
    r = client.post(
        "/veilles/suivre", data={"csrf": csrf_of(page.text), "org": "Agence de développement du digital"}
    )
    assert r.status_code == 303
    [watch] = w.list_watches(store)
    assert watch.query.org == "Agence de développement du digital" and watch.every == "daily"


def test_saving_needs_an_account_and_bad_values_are_one_message(
    client: TestClient, archive: tuple[Store, Fixture]
) -> None:
    store, _ = archive
    assert client.get("/veilles").status_code == 303  # to the login page
    _analyst(client, store)
    page = client.get("/veilles")
    r = client.post("/veilles", data={"csrf": csrf_of(page.text), "kind": "search", "query": "min_value=beaucoup",
                                      "name": "x"})  # fmt: skip
    assert r.status_code == 400 and "« valeur min. » : « beaucoup » n'est pas un nombre." in unescape(r.text)
    r = client.post("/veilles", data={"csrf": csrf_of(page.text), "kind": "search", "query": "q=x",
                                      "name": "x", "webhook": "http://192.168.1.10/hook"})  # fmt: skip
    assert r.status_code == 400 and "refused" in r.text
    assert w.list_watches(store) == []


def test_unsubscribe_links_one_click(client: TestClient, archive: tuple[Store, Fixture]) -> None:
    store, _ = archive
    owner = add_account(store, "nadia@example.ma", role="analyste", password="veille-2026-longue")
    watch = w.add_watch(store, owner_id=owner.id, name="ADD", params={}, query=w.SearchQuery(text="offshoring"),
                        recipients=["karim@example.ma"])  # fmt: skip
    karim = get_subscriber(store, "karim@example.ma")
    one = alerts.watch_token(watch.id, karim.id, karim.email, secret=KEY)
    assert "Confirmer" in client.get(f"/veilles/{watch.id}/desabonnement/{one}").text  # GET changes nothing
    assert w.get_watch(store, watch.id).recipients == ("karim@example.ma", "nadia@example.ma")
    r = client.post(f"/veilles/{watch.id}/desabonnement/{one}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and w.get_watch(store, watch.id).recipients == ("nadia@example.ma",)
    nadia = get_subscriber(store, "nadia@example.ma")
    every = alerts.alerts_token(nadia.id, nadia.email, secret=KEY)
    assert client.post(f"/veilles/desabonnement/{every}x").status_code == 404
    assert (
        client.post(f"/veilles/{watch.id}/desabonnement/{every}").status_code == 404
    )  # not this link's purpose
    assert client.post(f"/unsubscribe/{every}").status_code == 404  # nor the digest's
    assert (
        client.post(f"/veilles/desabonnement/{every}", data={"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    assert alerts.alerts_stopped(store, nadia.id) and w.get_watch(store, watch.id).recipients == ()
