"""End to end in headless Chromium (Playwright) against ``veille serve`` in a subprocess.

Skips when /usr/bin/chromium or Playwright is missing, except in CI (env CI set), where
that is a failure. Screenshots of the main pages go to tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ADMIN, PASSWORD, http_login, serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("live"), password_hash) as base:
        yield base


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    why = _unavailable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True,
            accept_downloads=True, locale="fr-FR", viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        pg = context.pages[0] if context.pages else context.new_page()
        pg.set_default_timeout(15_000)
        console: list[str] = []
        pg.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        pg.console_messages = console  # type: ignore[attr-defined]
        try:
            yield pg
        finally:
            context.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_csp_violations(page: Any) -> None:
    refused = [m for m in page.console_messages if "Content Security Policy" in m or "Refused to" in m]
    assert not refused, refused


def test_search_filter_article_figure_and_csv(server: str, page: Any, tmp_path: Path) -> None:
    page.goto(server + "/")
    shot(page, "01-accueil")
    page.fill("input[name=q]", "offshoring")
    page.click("form.recherche button[type=submit]")
    page.wait_for_url(re.compile(r"q=offshoring"))
    assert "since=" not in page.url  # empty fields are not sent (progressive enhancement)
    assert page.locator("li.resultat").count() == 3
    assert page.locator(".reprises").first.inner_text() == "+2 sources"
    shot(page, "02-recherche")

    page.click(".facette a:text-is('Agence de développement du digital')")
    page.wait_for_url(re.compile(r"org=Agence"))
    assert page.locator("li.resultat").count() == 1
    assert "organisation : Agence de développement du digital" in page.locator(".puces").inner_text()
    shot(page, "03-filtre-organisation")

    page.click("li.resultat h2 a")
    page.wait_for_url(re.compile(r"/articles/\d+$"))
    figure = page.locator("mark.chiffre#chiffre-1")
    assert figure.inner_text() == "18 milliards de DH"
    assert figure.is_visible()
    page.click("table.chiffres-article a[href='#phrase-0']")
    assert page.evaluate("location.hash") == "#phrase-0"
    assert page.evaluate("document.querySelector(':target').classList.contains('phrase')")
    shot(page, "04-article")
    no_csp_violations(page)

    page.goto(server + "/chiffres?unit=MAD&order=value&per_page=3")
    shown = page.locator("table.chiffres tbody tr").count()
    assert shown == 2  # the 18 milliards of one story carried by three outlets is one row
    copies = page.locator("details.reprises-chiffre")
    assert copies.locator("summary").inner_text() == "+2 reprises"
    assert not copies.locator("li").first.is_visible()
    copies.locator("summary").click()  # its copies one click away
    assert copies.locator("li").count() == 2 and copies.locator("li").first.is_visible()
    shot(page, "05-chiffres")
    with page.expect_download() as info:
        page.click("a.telechargement:text('CSV')")
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == shown
    assert [r["Valeur numérique"] for r in rows] == ["18000000000", "1200000000"]
    assert rows[0]["Reprises"].startswith("Le Matin (https://lematin.example/")
    # the indicator's label, and beside it the metric in the article's words
    assert (rows[0]["Indicateur"], rows[0]["Mesure"]) == ("Exportations", "chiffre d'affaires à l'export")

    page.goto(server + "/organisations/ADD")
    assert page.locator("h1").inner_text().startswith("Agence de développement du digital")
    assert page.locator("svg.graphe rect").count() >= 1
    shot(page, "06-organisation")
    page.goto(server + "/sources")
    shot(page, "07-sources")
    no_csp_violations(page)


def test_search_layout_wide_and_narrow(server: str, page: Any) -> None:
    """Facets on the left of the results on a wide screen; below them on a phone, where the
    results must come first (they also come first in the page for screen readers)."""
    page.goto(server + "/?q=offshoring")
    facets, first = page.locator("aside.facettes"), page.locator("li.resultat").first
    assert facets.bounding_box()["x"] + facets.bounding_box()["width"] <= first.bounding_box()["x"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    facets_box, first_box = facets.bounding_box(), first.bounding_box()
    assert first_box["y"] + first_box["height"] <= facets_box["y"]
    button = page.locator("form.recherche button[type=submit]").bounding_box()
    assert button["x"] + button["width"] <= 390  # the search button stays on screen
    shot(page, "02b-recherche-telephone")
    # no page scrolls sideways on a phone: wide tables scroll inside themselves
    article = page.locator("li.resultat h2 a").first.get_attribute("href")
    for path in ("/?q=offshoring", article, "/organisations/ADD", "/chiffres", "/organisations", "/sources"):
        page.goto(server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(server + article)
    text, annexe = page.locator(".texte").bounding_box(), page.locator("aside.annexe").bounding_box()
    assert text["width"] > 300 and text["y"] + text["height"] <= annexe["y"]  # the text, then the lists


def test_untrusted_content_never_runs(server: str, page: Any) -> None:
    page.goto(server + "/?q=offshoring")
    evil = page.locator("li.resultat h2 a", has_text="window.pwned=5")
    evil.click()
    page.wait_for_url(re.compile(r"/articles/\d+$"))
    assert "<script>window.pwned=5</script>" in page.locator("h1").inner_text()  # shown as text
    for path in (page.url, server + "/?q=offshoring", server + "/chiffres?source=piege",
                 server + "/?theme=%3Ci%3Epi%C3%A8ge%3C%2Fi%3E", server + "/lettres/1"):  # fmt: skip
        page.goto(path)
        page.wait_for_load_state("load")
        page.mouse.move(200, 300)
        assert page.evaluate("typeof window.pwned") == "undefined", path
        assert page.title() != "pwned", path
        assert page.locator("script:not([src])").count() == 0, path
    # a click on the scraped javascript: link text does nothing: it is not a link
    page.goto(server + "/?q=offshoring")
    page.locator("li.resultat h2 a", has_text="window.pwned=5").click()
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.locator("img").count() == 0
    shot(page, "08-article-piege")
    frame = page.goto(server + "/lettres/1")
    assert frame is not None
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_admin_login(server: str, page: Any) -> None:
    page.goto(server + "/admin")
    assert "/connexion" in page.url
    shot(page, "09-connexion")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", "mauvais")
    page.click("main form button[type=submit]")
    assert "Adresse ou mot de passe incorrect" in page.locator(".alerte").inner_text()
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin$"))
    assert page.locator("h1").inner_text() == "Administration"
    assert page.locator("text=Lancer maintenant").count() >= 3
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["veille_session"]["httpOnly"] and cookies["veille_session"]["sameSite"] == "Lax"
    shot(page, "10-admin")
    page.goto(server + "/admin/abonnes")
    page.fill("input[name=email]", "cellule@example.ma")
    page.click("form.grille button[type=submit]")
    assert "Abonné ajouté" in page.locator(".info").inner_text()
    shot(page, "11-abonnes")
    no_csp_violations(page)


def test_admin_digest_review_pin(server: str, page: Any) -> None:
    page.goto(server + "/admin/lettre?semaine=2025-W03")
    if "/connexion" in page.url:
        page.fill("input[name=email]", ADMIN)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/lettre\?semaine=2025-W03$"))
    assert "semaine 3" in page.locator("h1").inner_text()
    row = page.locator("table.lettre-articles tbody tr").first
    title = row.locator("td a").first.inner_text()
    row.locator("button:text-is('Épingler')").click()
    page.wait_for_url(re.compile(r"ok=epingler"))
    assert "Article épinglé" in page.locator(".info").inner_text()
    pinned = page.locator("tr.epingle").first
    assert title in pinned.inner_text() and pinned.locator("button:text-is('Désépingler')").count() == 1
    frame = page.frame_locator("iframe.lettre")
    assert title.split(" :")[0] in frame.locator("body").inner_text()
    shot(page, "12-relecture-lettre")
    no_csp_violations(page)


def _sign_in(page: Any, server: str, email: str, password: str) -> None:
    page.goto(server + "/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")


def _sign_out(page: Any) -> None:
    page.click("header button:text-is('Se déconnecter')")
    page.wait_for_url(re.compile(r"/$"))


def test_roles_analyste_refused_admin_creates_a_lecteur(server: str, page: Any) -> None:
    """An analyste reads but is refused the administration (a French 403 page); an admin creates
    a lecteur on the accounts page, who can then log in and read."""
    admin = http_login(server)  # the analyste, made by an admin beforehand
    token = re.search(r'name="csrf" value="([^"]+)"', admin.get("/admin/comptes").text).group(1)  # type: ignore[union-attr]
    r = admin.post("/admin/comptes", data={"csrf": token, "email": "analyste@example.ma", "role": "analyste",
                                           "password": "analyse-2026", "confirmation": "analyse-2026"})  # fmt: skip
    assert r.status_code == 303, r.text[:300]

    _sign_in(page, server, "analyste@example.ma", "analyse-2026")
    assert page.url == server + "/"  # not an admin: back to the search
    assert page.locator("header a:text-is('Administration')").count() == 0
    response = page.goto(server + "/admin")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text().startswith("Accès refusé")
    assert "réservée aux administrateurs" in page.locator(".message").inner_text()
    assert page.evaluate("document.documentElement.lang") == "fr"
    shot(page, "13-analyste-refuse")
    _sign_out(page)

    _sign_in(page, server, ADMIN, PASSWORD)
    page.goto(server + "/admin")
    page.click("a:text-is('Comptes')")
    page.wait_for_url(re.compile(r"/admin/comptes$"))
    form = page.locator("form#nouveau-compte")
    form.locator("input[name=email]").fill("lectrice@example.ma")
    form.locator("select[name=role]").select_option("lecteur")
    form.locator("input[name=password]").fill("lecture-2026")
    form.locator("input[name=confirmation]").fill("lecture-2026")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"ok=ajoute"))
    assert "Compte créé : lectrice@example.ma" in page.locator(".info").inner_text()
    row = page.locator("table.comptes tr", has_text="lectrice@example.ma")
    assert row.locator("select[name=role]").input_value() == "lecteur"
    assert "actif" in row.inner_text()
    shot(page, "14-comptes")
    no_csp_violations(page)
    _sign_out(page)

    _sign_in(page, server, "lectrice@example.ma", "lecture-2026")
    assert page.locator("header button:text-is('Se déconnecter')").count() == 1
    assert page.goto(server + "/chiffres").status == 200  # type: ignore[union-attr]
    assert page.goto(server + "/admin/comptes").status == 403  # type: ignore[union-attr]
