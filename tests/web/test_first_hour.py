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


def test_sources_crawled_from_elsewhere_show_their_labels(tmp_path, password_hash: str) -> None:  # type: ignore[no-untyped-def]
    """The demo's sources are not in sources.toml: the archive keeps their labels, the pages use them."""
    from datetime import UTC, datetime

    from tests.web.archive import build_archive
    from tests.web.conftest import serving
    from veille.archive.store import open_store
    from veille.core.models import Article

    (tmp_path / "data").mkdir()
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'veille.db'}")
    try:
        build_archive(store)
        store.record_sources([("demo-rss", "Atlas Éco (flux RSS)", "rss")])  # as `veille demo`'s crawl does
        store.upsert_article(Article(
            url="http://127.0.0.1:9/atlas/zircon", source="demo-rss", title="Zirconium : un centre d'appels ouvre à Oujda",
            text="Un centre d'appels ouvre à Oujda.", published=datetime(2025, 6, 2, 9, tzinfo=UTC), relevance=0.8,
        ))  # fmt: skip
    finally:
        store.close()
    with serving(tmp_path, password_hash, build=False) as base:
        page = httpx.get(base + "/", params={"q": "zirconium"}, timeout=30).text
    assert "Zirconium" in page and "Atlas Éco (flux RSS)" in page
