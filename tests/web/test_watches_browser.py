"""Watches in headless Chromium: save the search shown, follow an organisation, read the feed,
delete a watch. Skips as the other browser tests do when Chromium or Playwright is missing."""

from __future__ import annotations

import re
from typing import Any

import feedparser
import httpx
import pytest

from tests.web.conftest import ADMIN, PASSWORD
from tests.web.test_browser import no_csp_violations, page, server, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_save_a_search_follow_an_organisation_and_read_the_feed(server: str, page: Any) -> None:  # noqa: F811
    page.goto(server + "/connexion")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    page.goto(server + "/?q=offshoring")
    page.click("details.suivre summary")
    page.fill("details.suivre input[name=name]", "Offshoring")
    page.select_option("details.suivre select[name=every]", "immediate")
    page.click("details.suivre button[type=submit]")
    page.wait_for_url(re.compile(r"/veilles\?ok=ok$"))
    assert "Veille enregistrée." in page.locator(".info").inner_text()
    row = page.locator("table.veilles tbody tr", has_text="Offshoring")
    assert "à chaque collecte" in row.inner_text()
    feed_url = row.locator("a.flux").get_attribute("href")
    shot(page, "30-mes-veilles")
    path = feed_url[feed_url.index("/veilles/flux/") :]  # the link is digest.toml's base_url's
    feed = feedparser.parse(httpx.get(server + path).content)
    assert not feed.bozo and feed.entries

    page.goto(server + "/organisations/Agence de développement du digital")
    page.click("form.suivre-org button")
    page.wait_for_url(re.compile(r"/veilles\?ok=ok$"))
    assert page.locator("table.veilles tbody tr", has_text="Agence de développement du digital").count() == 1
    page.locator("table.veilles tbody tr", has_text="Offshoring").locator(
        "button:text-is('Supprimer')"
    ).click()
    page.wait_for_url(re.compile(r"ok=supprimee"))
    assert page.locator("table.veilles tbody tr").count() == 1
    no_csp_violations(page)
