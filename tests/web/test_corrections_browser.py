"""Corrections in headless Chromium (Playwright) against ``veille serve``: an analyste signs in,
opens a figure from the indicator page's citations, corrects it, adds a figure the extractor
missed by selecting its words in the article, and sees both series change. Skips like
tests/web/test_browser.py when Chromium or Playwright is missing (a failure in CI)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.web.archive import build_archive, fig
from tests.web.conftest import serving
from tests.web.test_browser import _sign_in, no_csp_violations, page, shot  # noqa: F401  (the page fixture)
from veille.archive.accounts import add_account
from veille.archive.store import open_store
from veille.core.models import Analysis, Article

pytestmark = pytest.mark.browser
ANALYSTE = ("nadia@example.ma", "analyse-2026")
MISSED = "Casanearshore compte 11 000 salariés. Le secteur emploie 140 000 personnes en 2025, selon l'AMRC."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[tuple[str, int]]:
    tmp = tmp_path_factory.mktemp("corrections")
    (tmp / "data").mkdir()
    store = open_store(f"sqlite:///{tmp / 'data' / 'veille.db'}")
    build_archive(store)
    add_account(store, ANALYSTE[0], role="analyste", password=ANALYSTE[1])
    aid, _ = store.upsert_article(Article(url="https://medias24.example/2025/06/01/emploi/", source="medias24",
                                          title="L'emploi du secteur", text=MISSED,
                                          published=datetime(2025, 6, 1, 9, tzinfo=UTC)))  # fmt: skip
    # the extractor read the first figure only
    store.save_analysis(aid, Analysis(figures=(fig(MISSED, "11 000 salariés", 11000, "jobs"),)), "test-1")
    store.close()
    with serving(tmp, password_hash, build=False) as base:
        yield base, aid


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_an_analyste_corrects_a_figure_adds_a_missed_one_and_sees_the_series_change(
    server: tuple[str, int], page: Any
) -> None:  # noqa: F811
    base, missed_id = server
    _sign_in(page, base, *ANALYSTE)
    assert page.locator("header a:text-is('Corrections')").count() == 1
    page.goto(base + "/indicateurs/exportations")
    before = _plain(page.locator("table.points").inner_text())
    assert "18 milliards" in before and "20 milliards" not in before
    page.locator("table a.citations").first.click()  # the 2024 point's citations
    page.locator("li.citation a.corriger").first.click()
    page.wait_for_url(re.compile(r"/articles/\d+/chiffres/\d+-\d+$"))
    assert page.locator("blockquote.phrase-chiffre mark").inner_text() == "18 milliards de DH"
    page.fill("form#correction input[name=value]", "20 000 000 000")
    page.click("form#correction button[value=correct]")
    page.wait_for_url(re.compile(r"\?ok=correct$"))
    assert page.locator(".info").inner_text() == "Chiffre corrigé."
    assert "corrigé par nadia@example.ma" in page.locator("main").inner_text()
    shot(page, "30-chiffre-corrige")
    page.goto(base + "/indicateurs/exportations")
    # corrected once, on one copy: the story's two other copies show it too, so the point has one
    # value, cited three times by one story, and nothing left in disagreement
    main = _plain(page.locator("table.points").inner_text())
    assert "20 milliards DH" in main and "18 milliards" not in main and "désaccord" not in main
    assert "3 citations" in main and "1 article distinct" in main

    page.goto(base + "/indicateurs/effectif")
    assert "140 000" not in _plain(page.locator("main").inner_text())  # no point yet
    page.goto(base + f"/articles/{missed_id}")
    # select "140 000 personnes" in the text, as an analyst drags over it
    page.evaluate(
        """(words) => {
            const texte = document.getElementById("texte-article");
            const walker = document.createTreeWalker(texte, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(words);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + words.length);
                    const sel = window.getSelection();
                    sel.removeAllRanges();
                    sel.addRange(range);
                    texte.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                    return;
                }
            }
        }""",
        "140 000 personnes",
    )
    form = page.locator("form#ajout-chiffre")
    assert form.is_visible() and form.locator("input[name=words]").input_value() == "140 000 personnes"
    assert form.locator("input[name=start]").input_value() == str(MISSED.index("140 000 personnes"))
    form.locator("input[name=value]").fill("140000")
    form.locator("select[name=unit]").select_option("jobs")
    form.locator("input[name=period]").fill("2025")
    form.locator("select[name=indicator]").select_option("effectif")
    shot(page, "31-ajout-chiffre")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?ok=add$"))
    assert page.locator(".info").inner_text() == "Chiffre ajouté."
    page.goto(base + "/indicateurs/effectif")
    assert "140 000" in _plain(page.locator("table.points").inner_text())
    shot(page, "32-serie-apres-ajout")
    no_csp_violations(page)
