"""A newcomer's first visit, over HTTP (``veille serve`` in a child process): the URLs one guesses
lead somewhere, and the pages speak French."""

from __future__ import annotations

import httpx


def test_search_and_figures_urls_lead_to_their_pages(live_server: str) -> None:
    with httpx.Client(base_url=live_server, follow_redirects=False, timeout=30) as client:
        r = client.get("/search", params={"q": "offshoring"})
        assert r.status_code == 301 and r.headers["location"] == "/?q=offshoring"
        assert client.get("/figures").headers["location"] == "/chiffres"
        assert client.get("/figures?unit=MAD").headers["location"] == "/chiffres?unit=MAD"
        page = client.get("/search", follow_redirects=True)
        assert page.status_code == 200 and "<h1" in page.text and 'name="q"' in page.text
        assert "Explorateur" in client.get("/figures", follow_redirects=True).text
        assert (
            client.get("/api/figures").headers["content-type"].startswith("application/json")
        )  # the API stays


def test_organisation_kinds_and_chart_title_in_french(live_server: str) -> None:
    with httpx.Client(base_url=live_server, follow_redirects=True, timeout=30) as client:
        page = client.get("/organisations/ADD").text
        index = client.get("/organisations").text
    assert '<span class="theme">agence</span>' in page and ">agency<" not in page
    assert "Mentions par semaine : Agence de développement du digital" in page
    assert "Mentions de Agence" not in page
    assert (
        '<span class="theme">fédération</span>' in index
        and '<span class="theme">aménageur de zone</span>' in index
    )
    assert ">federation<" not in index and ">zone_operator<" not in index
