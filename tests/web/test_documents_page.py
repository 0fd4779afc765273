"""The documents in the web UI: their list, a document's page (its file, its tables with the
cells figures were read from, its figures), the search's type filter, the figures explorer's
links to a cell, an article link leading to its document."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.store.documents_archive import DocumentsFixture, build
from tests.web.test_pages import assert_inert, main_of
from veille.archive.store import Store
from veille.core.config import Settings
from veille.web import create_app


@pytest.fixture
def docs(web_settings: Settings, archive: tuple[Store, object]) -> DocumentsFixture:
    return build(archive[0])


@pytest.fixture
def web(
    web_settings: Settings, archive: tuple[Store, object], docs: DocumentsFixture
) -> Iterator[TestClient]:
    app = create_app(web_settings, store=archive[0])
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_the_documents_list_and_the_nav_link(web: TestClient, docs: DocumentsFixture) -> None:
    r = web.get("/documents")
    assert r.status_code == 200
    assert '<a href="/documents" aria-current="page">Documents</a>' in r.text
    body = main_of(r.text)
    for article_id in docs.ids.values():
        assert f'href="/documents/{article_id}"' in body
    assert body.count('class="officiel"') == len(docs.ids)
    assert "Indicateurs mensuels — septembre 2025" in body and "PDF" in body and "Ko" in body
    only = main_of(web.get("/documents", params={"source": "autre"}).text)
    assert "Aucun document archivé pour cette source" in only
    assert web.get("/documents", params={"page": "zéro"}).status_code == 400


def test_a_document_page_shows_its_file_tables_and_figures(web: TestClient, docs: DocumentsFixture) -> None:
    doc_id = docs.ids["indicateurs-septembre-2025.pdf"]
    r = web.get(f"/documents/{doc_id}")
    assert r.status_code == 200
    body = main_of(r.text)
    assert_inert(body, "document page")
    assert 'href="https://office.example.ma/docs/indicateurs-septembre-2025.pdf"' in body  # the file
    assert "Office des changes" in body and "officiel" in body and "2 pages" in body
    assert "Tableau 1" in body and "page 2" in body and "en millions de DH" in body
    # the cell read: anchored, marked, named in the figures table
    cell = re.search(r'<td id="t0-C4"[^>]*>(.*?)</td>', body)
    assert cell and "<mark" in cell.group(1) and "18 234,5" in html.unescape(cell.group(1))
    assert 'id="t0-C2"' in body  # Voyages: a cell, no figure read from it
    assert "<mark" not in re.search(r'<td id="t0-C2"[^>]*>(.*?)</td>', body).group(1)  # type: ignore[union-attr]
    assert 'href="#t0-C4"' in body and "tableau 1, cellule C4" in body
    assert (
        "Exportations" in body and "janv.–sept. 2025" in body
    )  # the columns' nine months, as a reader writes them
    # the running text of the report is shown
    report = main_of(web.get(f"/documents/{docs.ids['rapport-annuel-2023.pdf']}").text)
    assert (
        "Le secteur de l&#39;offshoring a poursuivi sa croissance" in report
        or "poursuivi sa croissance" in report
    )


def test_unknown_documents_are_404(web: TestClient, docs: DocumentsFixture) -> None:
    assert web.get("/documents/999999").status_code == 404
    assert web.get("/documents/abc").status_code == 404
    assert web.get(f"/documents/{docs.press_id}").status_code == 404  # an article is no document


def test_search_type_filter_and_links(web: TestClient, docs: DocumentsFixture) -> None:
    body = main_of(web.get("/", params={"q": "offshoring", "type": "document"}).text)
    assert (
        'class="type-document"' in body and f'href="/documents/{docs.ids["rapport-annuel-2023.pdf"]}"' in body
    )
    assert f'href="/articles/{docs.press_id}"' not in body
    assert "type : <strong>documents</strong>" in body  # the filter's chip
    articles = main_of(web.get("/", params={"q": "offshoring", "type": "article"}).text)
    assert f'href="/articles/{docs.press_id}"' in articles and "/documents/" not in articles
    bad = web.get("/", params={"type": "video"})
    assert bad.status_code == 400 and "type" in main_of(bad.text)
    api = web.get("/api/search", params={"q": "offshoring", "type": "document"}).json()
    assert api["hits"] and all(
        h["kind"] == "document" and h["page"].startswith("/documents/") for h in api["hits"]
    )


def test_figures_explorer_and_article_links_lead_to_the_document(
    web: TestClient, docs: DocumentsFixture
) -> None:
    doc_id = docs.ids["emplois-zones.csv"]
    body = main_of(web.get("/chiffres", params={"source": "office", "indicateur": "emplois_crees"}).text)
    assert f'href="/documents/{doc_id}#t0-C4"' in body
    moved = web.get(f"/articles/{doc_id}")
    assert moved.status_code == 303 and moved.headers["location"] == f"/documents/{doc_id}"
    rows = web.get("/api/figures", params={"source": "office", "indicator": "emplois_crees"}).json()["rows"]
    assert {(r["table_index"], r["cell"]) for r in rows} >= {(0, "B4"), (0, "C6")}
