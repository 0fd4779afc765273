"""The indicator series in headless Chromium (Playwright) against ``veille serve``: the chart of
a series, a point's citations one click away from it, and the "à vérifier" page's sentences side
by side. Skips like tests/web/test_browser.py when Chromium or Playwright is missing (a failure
in CI)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.store.series_archive import load
from tests.web.conftest import serving
from tests.web.test_browser import no_csp_violations, page, shot  # noqa: F401  (the page fixture)
from veille.archive.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def series_server(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("series")
    (tmp / "data").mkdir()
    store = open_store(f"sqlite:///{tmp / 'data' / 'veille.db'}")
    load(store)
    store.close()
    with serving(tmp, password_hash, build=False) as base:
        yield base


def test_a_series_chart_and_a_point_s_citations(series_server: str, page: Any) -> None:  # noqa: F811
    page.goto(series_server + "/indicateurs")
    page.click("nav >> text=Indicateurs")
    page.click("table.indicateurs a:text-is('Emplois créés')")
    page.wait_for_url(re.compile(r"/indicateurs/emplois_crees$"))
    chart = page.locator("svg.graphe.serie")
    assert chart.is_visible() and chart.bounding_box()["width"] > 300
    assert page.locator("svg.serie a.point-actual").count() == 3
    assert page.locator("svg.serie a.point-target").count() == 1
    assert page.locator("svg.serie polyline.ligne-actual").count() == 1
    assert page.locator("svg.serie a.point-announced").count() == 1  # a marker, no line
    assert page.locator("svg.serie polyline.ligne-announced").count() == 0
    shot(page, "20-serie-emplois")
    # the 2023 point, ringed for its disagreeing citations: one click opens its citations
    marker = page.locator("svg.serie a.point-actual").nth(2)
    assert (
        "2023" in marker.locator("title").text_content()
        and "désaccord" in marker.locator("title").text_content()
    )
    marker.click()
    page.wait_for_url(re.compile(r"/indicateurs/emplois_crees/point\?"))
    citations = page.locator("li.citation")
    assert citations.count() == 3 and citations.first.is_visible()
    assert (
        page.locator("li.citation.en-desaccord blockquote").inner_text().startswith("Près de 25 000 emplois")
    )
    assert page.locator("li.citation mark").first.inner_text() == "22 000 emplois"
    shot(page, "21-point-citations")
    no_csp_violations(page)


def test_the_a_verifier_page_lists_a_conflict(series_server: str, page: Any) -> None:  # noqa: F811
    page.goto(series_server + "/")
    page.click("nav >> text=À vérifier")
    page.wait_for_url(re.compile(r"/a-verifier$"))
    first = page.locator("section.conflit-point").first
    assert first.locator("h2").inner_text().startswith("Exportations, 2018")
    chosen, other = first.locator(".cote-a-cote > div").nth(0), first.locator(".cote-a-cote > div").nth(1)
    assert "18 milliards de DH" in chosen.inner_text() and "19,5 milliards de DH" in other.inner_text()
    # side by side on a wide screen
    assert chosen.bounding_box()["x"] + chosen.bounding_box()["width"] <= other.bounding_box()["x"]
    assert chosen.bounding_box()["y"] == other.bounding_box()["y"]
    shot(page, "22-a-verifier")
    no_csp_violations(page)
