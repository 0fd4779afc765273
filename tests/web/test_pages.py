"""Every read-only page through the TestClient, with good and bad input."""

from __future__ import annotations

import csv
import html
import io
import os
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.web.archive import EVIL_ORG, Fixture
from veille.archive.store import Store


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def assert_inert(html: str, where: str = "") -> None:
    """No element of the page comes from scraped markup: no script, no handler, no javascript: URL."""
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert not [
        t for t in tags if t.lower().startswith(("<script", "<img", "<iframe", "<b ", "<b>", "<i>"))
    ], where
    assert not [t for t in tags if re.search(r"\son\w+\s*=", t, re.I)], where
    assert not [t for t in tags if re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", t, re.I)], where


# -- search ------------------------------------------------------------------------------------


def test_search_page_lists_hits_with_snippets_and_one_entry_per_cluster(client: TestClient) -> None:
    r = client.get("/", params={"q": "exportations"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    body = main_of(r.text)
    assert "1 résultat" in body
    assert body.count('class="resultat"') == 1  # three syndicated copies, one entry
    assert "+2 sources" in body
    assert "<mark>exportations</mark>" in body.lower() or "<mark>" in body


def test_search_facets_have_counts_and_filter_links(client: TestClient) -> None:
    body = main_of(client.get("/", params={"q": "offshoring"}).text)
    for heading in ("Sources", "Organisations", "Thèmes", "Unités des chiffres", "Périodes des chiffres"):
        assert f"<h2>{heading}</h2>" in body
    link = re.search(r'<a href="(/\?[^"]*org=Agence[^"]*)">Agence de développement du digital</a>', body)
    assert link, body
    filtered = client.get(link.group(1).replace("&amp;", "&"))
    assert filtered.status_code == 200
    page = main_of(filtered.text)
    assert "organisation : <strong>Agence de développement du digital</strong>" in page
    assert "Cybersécurité" not in page  # DGSSI's article is filtered out


def test_search_without_text_lists_newest_first_and_paginates(client: TestClient) -> None:
    body = main_of(client.get("/", params={"per_page": 2}).text)
    assert "page 1 sur" in body
    assert 'rel="next"' in body
    titles = re.findall(r'<h2><a href="/articles/(\d+)">', body)
    assert len(titles) == 2
    page2 = main_of(client.get("/", params={"per_page": 2, "page": 2}).text)
    assert 'rel="prev"' in page2
    assert set(re.findall(r'<h2><a href="/articles/(\d+)">', page2)).isdisjoint(titles)


def test_search_filters_by_source_unit_period_and_dates(client: TestClient, fx: Fixture) -> None:
    body = main_of(client.get("/", params={"source": "le-matin", "order": "date"}).text)
    assert "Teleperformance" in body
    body = main_of(client.get("/", params={"unit": "m2"}).text)
    assert "Fès Shore" in body and "Teleperformance" not in body
    body = main_of(client.get("/", params={"since": "2025-03-01", "until": "2025-03-10"}).text)
    assert "Cybersécurité" in body and "Fès Shore" not in body
    body = main_of(client.get("/", params={"period": "2024"}).text)
    assert "18 milliards" in body


@pytest.mark.parametrize(
    "params, message",
    [
        ({"since": "hier"}, "n&#39;est pas une date"),
        ({"page": "zéro"}, "nombre entier"),
        ({"page": "0"}, "compris entre"),
        ({"unit": "bananes"}, "inconnue"),
        ({"min_value": "beaucoup"}, "n&#39;est pas un nombre"),
        ({"since": "2025-05-01", "until": "2025-01-01"}, "postérieure"),
        ({"order": "hasard"}, "tri"),
        ({"q": "-seulement"}, "exclure"),
        ({"q": "x" * 600}, "trop long"),
    ],
)
def test_bad_search_parameters_are_400_with_a_french_message(
    client: TestClient, params: dict, message: str
) -> None:
    r = client.get("/", params=params)
    assert r.status_code == 400
    assert message in r.text
    assert 'role="alert"' in r.text


def test_oversized_query_string_is_refused_politely(client: TestClient) -> None:
    r = client.get("/?q=" + "offshoring+" * 300)
    assert r.status_code == 414
    assert "trop longue" in r.text
    r = client.get("/api/search?q=" + "a" * 2100)
    assert r.status_code == 414
    assert "trop longue" in r.json()["detail"]


# -- article ------------------------------------------------------------------------------------


def test_article_page_highlights_figures_orgs_and_sentences(client: TestClient, fx: Fixture) -> None:
    r = client.get(f"/articles/{fx.ids['export']}")
    assert r.status_code == 200
    body = main_of(r.text)
    assert '<mark id="chiffre-1" class="chiffre"' in body
    assert ">18 milliards de DH</mark>" in body
    assert '<span id="phrase-0" class="phrase">' in body
    assert re.search(r'<a class="org" href="/organisations/[^"]+"[^>]*>APEBI</a>', body)
    # the figures table: formatted value, unit, metric, period and a link to the sentence
    assert "18\u00a0milliards\u00a0DH" in body
    assert "chiffre d&#39;affaires à l&#39;export" in body
    assert "<td>2024</td>" in body
    assert 'href="#phrase-0"' in body
    assert "Repris aussi par : atlas-eco, Le Matin" in " ".join(body.split())  # labels, or names


def test_article_unknown_or_malformed_id_is_a_french_404(client: TestClient) -> None:
    for path in ("/articles/999999", "/articles/abc", "/articles/-1", "/articles/" + "9" * 40):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Page introuvable" in r.text
        assert "Aucun article" in r.text


def test_scraped_html_is_escaped_everywhere(client: TestClient, fx: Fixture) -> None:
    pages = [
        f"/articles/{fx.ids['evil']}",
        "/?q=offshoring",
        "/chiffres",
        "/organisations",
        "/?theme=%3Ci%3Epi%C3%A8ge%3C%2Fi%3E",
    ]
    for path in pages:
        assert_inert(main_of(client.get(path).text), path)
    article = main_of(client.get(f"/articles/{fx.ids['evil']}").text)
    assert "&lt;script&gt;window.pwned=1" in article
    # its canonical URL is javascript: -> the link to the original falls back to the http one
    assert 'href="https://piege.example/offshoring-piege"' in article


# -- organisations ---------------------------------------------------------------------------


def test_organisation_page_has_aliases_weekly_chart_figures_and_articles(client: TestClient) -> None:
    r = client.get("/organisations/ADD")
    assert r.status_code == 301
    target = r.headers["location"]
    page = client.get(target)
    assert page.status_code == 200
    body = main_of(page.text)
    assert "<h1>Agence de développement du digital <small>(ADD)</small></h1>" in body
    assert '<svg class="graphe"' in body and "<rect" in body
    assert "2025-W03 : 3 mentions" in body  # three copies of the export story that week
    assert "5\u00a0000" in body  # the talents figure
    assert "L&#39;ADD forme 5 000 talents" in body
    assert "chiffres, du plus récent au plus ancien" in body  # all of them shown: no link to the rest


def test_organisation_index_and_filter(client: TestClient) -> None:
    body = main_of(client.get("/organisations").text)
    assert "Teleperformance" in body and "Majorel" in body
    body = main_of(client.get("/organisations", params={"q": "dgssi"}).text)
    assert "Direction générale" in body and "Teleperformance" not in body


def test_organisation_with_markup_in_its_name_is_escaped(client: TestClient) -> None:
    from urllib.parse import quote

    r = client.get("/organisations/" + quote(EVIL_ORG, safe=""))
    assert r.status_code == 200
    assert "<script>window.pwned" not in r.text
    assert "Evil &lt;script&gt;" in r.text


def test_a_former_name_and_what_it_became_link_each_other(
    client: TestClient, archive: tuple[Store, Fixture]
) -> None:
    from datetime import UTC, datetime
    from urllib.parse import quote

    from veille.core.models import Analysis, Article, Mention, Organisation

    store = archive[0]
    old, new = (
        "Ministère de l'Industrie, du Commerce et des Nouvelles technologies",
        "Ministère de l'Industrie et du Commerce",
    )
    text = f"Le parc est porté par le {old}."
    article_id, _ = store.upsert_article(
        Article(url="https://vieux.example/2010", source="test", title="Parc", text=text,
                published=datetime(2010, 5, 3, tzinfo=UTC))
    )  # fmt: skip
    start = text.index(old)
    mention = (Mention(start, start + len(old), old),)
    store.save_analysis(
        article_id,
        Analysis(
            organisations=(
                Organisation(name=old, kind="ministry", successor=new, years="2007-2013", mentions=mention),
            )
        ),
        "test",
    )
    body = main_of(client.get("/organisations/" + quote(old, safe="")).text)
    assert "Ancien nom (2007–2013) de" in body and f">{new}</a>".replace("'", "&#39;") in body
    body = main_of(client.get("/organisations/" + quote(new, safe="")).text)
    assert "Anciens noms" in body and old.replace("'", "&#39;") in body


def test_unknown_organisation_is_404(client: TestClient) -> None:
    r = client.get("/organisations/Personne%20ne%20conna%C3%AEt")
    assert r.status_code == 404
    assert "Aucune organisation" in r.text


# -- figures explorer and exports ---------------------------------------------------------------


def test_figures_explorer_filters(client: TestClient) -> None:
    body = main_of(client.get("/chiffres", params={"unit": "MAD"}).text)
    assert "2 chiffres" in body  # 18 milliards (one story, 3 copies: one row) + 1,2 milliard
    assert '<span class="reprises">+2 reprises</span>' in body
    assert "1,2\u00a0milliard\u00a0DH" in body
    assert "130\u00a0000" not in body
    body = main_of(client.get("/chiffres", params={"org": "ADD", "unit": "count"}).text)
    assert "1 chiffre" in body and "talents formés" in body
    body = main_of(client.get("/chiffres", params={"min_value": "1 000 000 000", "order": "value"}).text)
    assert body.index("18\u00a0milliards") < body.index("1,2\u00a0milliard")
    # the source filter lists the configured sources by their label, the chosen one selected
    body = main_of(client.get("/chiffres", params={"source": "medias24"}).text)
    assert '<option value="medias24" selected>Médias24</option>' in body
    assert '<option value="atlas-eco">atlas-eco</option>' in body


def test_figures_explorer_shows_indicator_metric_and_status(client: TestClient) -> None:
    body = main_of(client.get("/chiffres", params={"unit": "jobs"}).text)
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', body)
    assert headers[3:7] == ["Unité", "Indicateur", "Mesure", "Statut"]
    # the taxonomy's label, the text's own words beside it, the status in French
    assert "<td>Effectif</td>" in body and "<td>emplois du secteur</td>" in body
    assert '<span class="statut statut-target">objectif</span>' in body
    assert '<span class="statut statut-actual">réalisé</span>' in body
    # the filters: a select of the taxonomy's labels and one of the statuses
    assert '<option value="emplois_crees">Emplois créés</option>' in body
    assert '<option value="target">objectif</option>' in body
    target = main_of(client.get("/chiffres", params={"indicateur": "emplois_crees", "statut": "target"}).text)
    assert "1 chiffre" in target and "3\u00a0000\u00a0emplois" in target
    assert '<option value="emplois_crees" selected>Emplois créés</option>' in target
    assert '<option value="target" selected>objectif</option>' in target
    actual = main_of(client.get("/chiffres", params={"unit": "jobs", "statut": "actual"}).text)
    assert "objectif" not in actual.split("<tbody>")[1] and "130\u00a0000" in actual
    # the metric phrase is "mesure"; older links naming it "metric" still work
    for name in ("mesure", "metric"):
        body = main_of(client.get("/chiffres", params={name: "SUPPLEMENTAIRES"}).text)
        assert "1 chiffre" in body, name
    assert 'name="mesure" value="SUPPLEMENTAIRES"' in body
    # an unknown indicator or status is a French 400 naming the choices
    r = client.get("/chiffres", params={"indicateur": "emplois créés"})
    assert r.status_code == 400 and "« indicateur » : « emplois créés » inconnu" in r.text
    assert "emplois_crees" in r.text
    r = client.get("/chiffres", params={"statut": "fini"})
    assert r.status_code == 400 and "« statut » : « fini » inconnu" in r.text and "objectif" in r.text
    # the exports: the label, the words, the status, then the codes
    rows = list(csv.DictReader(io.StringIO(
        client.get("/chiffres.csv", params={"unit": "jobs", "order": "value"}).content.decode("utf-8-sig")
    )))  # fmt: skip
    by_value = {row["Valeur numérique"]: row for row in rows}
    assert [by_value["3000"][k] for k in ("Indicateur", "Mesure", "Statut", "Code indicateur", "Code statut")] == [
        "Emplois créés", "emplois supplémentaires", "objectif", "emplois_crees", "target",
    ]  # fmt: skip
    assert by_value["130000"]["Statut"] == "réalisé" and by_value["130000"]["Par"] == ""
    # the search page takes the same filters, shown as chips with their labels
    search = main_of(client.get("/", params={"indicateur": "emplois_crees", "statut": "target"}).text)
    assert "Fès Shore" in search and "Emplois créés" in search and "objectif" in search


def test_article_page_shows_indicator_and_status(client: TestClient, fx: Fixture) -> None:
    body = main_of(client.get(f"/articles/{fx.ids['fes']}").text)
    assert '<th scope="col">Statut</th>' in body
    assert 'Emplois créés<br><small class="mesure">emplois supplémentaires</small>' in body
    assert '<span class="statut statut-target">objectif</span>' in body
    assert (
        'title="3\u00a0000\u00a0emplois — Emplois créés · emplois supplémentaires (2027) — objectif"' in body
    )


def test_csv_export_is_exactly_what_is_shown(client: TestClient) -> None:
    params = {"unit": "MAD", "per_page": "2", "order": "value", "copies": "1"}
    page = main_of(client.get("/chiffres", params=params).text)
    shown = re.findall(r'<td class="nombre">([^<]+)</td>', page)
    assert len(shown) == 2
    r = client.get("/chiffres.csv", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Valeur"] for row in rows] == [s.replace("\u00a0", " ") for s in shown]
    assert [float(row["Valeur numérique"]) for row in rows] == [1.8e10, 1.8e10]
    assert all(row["Code unité"] == "MAD" for row in rows)
    assert rows[0]["Article (Veille)"].startswith("http://testserver/articles/")
    # page 2 exports page 2
    r2 = client.get("/chiffres.csv", params={**params, "page": "2"})
    rows2 = list(csv.DictReader(io.StringIO(r2.content.decode("utf-8-sig"))))
    assert [row["Valeur numérique"] for row in rows2] == ["18000000000", "1200000000"]


def test_csv_export_of_every_figure(client: TestClient) -> None:
    params = {"unit": "MAD", "per_page": "2", "order": "value", "copies": "1"}
    page = main_of(client.get("/chiffres", params={**params, "total": "exact"}).text)
    total = int(re.search(r"(\d+) chiffres", page).group(1))
    assert total > 2 and "tous les chiffres" in page
    link = re.search(r'tous les chiffres : <a class="telechargement" href="([^"]+)"', page).group(1)
    r = client.get(link.replace("&amp;", "&"))
    assert r.status_code == 200 and 'filename="veille-chiffres-tous.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == total and {row["Code unité"] for row in rows} == {"MAD"}
    values = [float(row["Valeur numérique"]) for row in rows]
    assert values == sorted(values, reverse=True)  # the page's order, every row
    # a bad query is a 400 before any download starts; nothing to export is a header only
    bad = client.get("/chiffres.csv", params={"tout": "1", "q": "AND AND"})
    assert bad.status_code == 400 and "attachment" not in bad.headers.get("content-disposition", "")
    assert client.get("/chiffres.csv", params={"tout": "1", "unit": "xx"}).status_code == 400
    empty = client.get("/chiffres.csv", params={"tout": "1", "org": "Personne du tout"})
    assert empty.status_code == 200 and len(empty.content.decode("utf-8-sig").splitlines()) == 1


def test_csv_defuses_formulas_and_xlsx_has_no_formula(client: TestClient) -> None:
    from openpyxl import load_workbook

    text = client.get("/chiffres.csv", params={"source": "piege"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["Mesure"] == "<b>hausse</b>"  # data, not markup: a CSV is not HTML
    from veille.exports import csv_cell as _csv_cell

    assert _csv_cell('=HYPERLINK("http://evil.example")') == '\'=HYPERLINK("http://evil.example")'
    assert _csv_cell("-5 %") == "'-5 %" and _csv_cell(-5.0) == "-5"
    r = client.get("/chiffres.xlsx", params={"unit": "MAD", "per_page": "3", "order": "value", "copies": "1"})
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:3] == ["Date", "Source", "Valeur"]
    assert len(values) == 4
    assert values[1][10] == 1.8e10
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_figures_bad_parameters(client: TestClient) -> None:
    r = client.get("/chiffres", params={"min_value": "abc"})
    assert r.status_code == 400 and "n&#39;est pas un nombre" in r.text
    assert client.get("/chiffres.csv", params={"unit": "xx"}).status_code == 400
    assert client.get("/chiffres", params={"per_page": "100000"}).status_code == 400


# -- sources and digests --------------------------------------------------------------------------


def test_sources_page_shows_health_from_the_runs(client: TestClient) -> None:
    body = main_of(client.get("/sources").text)
    row = lambda name: re.search(rf'<a href="/sources/{name}">.*?</tr>', body, re.S).group(0)  # noqa: E731
    assert "en bonne santé" in row("medias24")
    assert '>Médias24</a> <small class="discret">medias24</small>' in row("medias24")  # label, then the name
    assert '<a href="/sources/atlas-eco">atlas-eco</a></td>' in row("atlas-eco")  # no label: the name
    assert "à surveiller" in row("atlas-eco")
    assert "en panne" in row("le-matin")
    assert "désactivée" in row("archives-off")
    assert "piege" in body  # archived but not configured


def test_sources_show_their_label_or_their_name(client: TestClient, fx: Fixture) -> None:
    """Readers see "Médias24" (sources.toml's label) wherever a source appears; links and
    filters keep the name; a source without a label shows its name."""
    body = main_of(client.get("/", params={"q": "offshoring"}).text)
    assert 'title="Aussi publié par : Le Matin, Médias24"' in body  # the other copies of a hit
    facet = re.search(r'<a href="(/\?[^"]*source=medias24[^"]*)">Médias24</a>', body)
    assert facet, body
    assert re.search(r'<a href="/\?[^"]*source=atlas-eco[^"]*">atlas-eco</a>', body)
    assert ">medias24<" not in body
    filtered = main_of(client.get(html.unescape(facet.group(1))).text)
    assert "source : <strong>Médias24</strong>" in filtered  # the filter's chip
    assert '<a href="/sources/medias24">Médias24</a>' in filtered  # the hits
    article = main_of(client.get(f"/articles/{fx.ids['export']}").text)
    assert '<a href="/sources/medias24">Médias24</a>' in article
    figures = main_of(client.get("/chiffres", params={"unit": "MAD"}).text)
    assert '<a href="/sources/medias24">Médias24</a>' in figures and ">atlas-eco</a>" in figures
    source = main_of(client.get("/sources/medias24").text)
    assert "<h1>Médias24 " in source and "<code>medias24</code>" in source
    assert "<h1>atlas-eco " in main_of(client.get("/sources/atlas-eco").text)
    organisation = main_of(client.get("/organisations/" + quote("Agence de développement du digital")).text)
    assert '<span class="meta">Médias24' in organisation
    # exports: the "Source" column keeps the name; the label in a column of its own, after the
    # columns of the table (only the codes of indicator, status and rate and the copies come after it)
    exported = client.get("/chiffres.csv", params={"unit": "MAD", "copies": "1"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    by_source = {row["Source"]: row["Nom de la source"] for row in rows}
    assert by_source == {"medias24": "Médias24", "le-matin": "Le Matin", "atlas-eco": "atlas-eco"}
    assert list(rows[0])[-5:] == ["Nom de la source", "Code indicateur", "Code statut", "Par", "Reprises"]
    # the API keeps names and adds the label next to them
    hit = next(h for h in client.get("/api/search", params={"source": "medias24"}).json()["hits"])
    assert (hit["source"], hit["source_label"]) == ("medias24", "Médias24")
    row = client.get("/api/figures", params={"source": "atlas-eco"}).json()["rows"][0]
    assert (row["source"], row["source_label"]) == ("atlas-eco", "atlas-eco")
    detail = client.get(f"/api/articles/{fx.ids['export']}").json()
    assert detail["source_label"] == "Médias24" and detail["figures"][0]["source_label"] == "Médias24"


def test_source_page_lists_runs_and_articles(client: TestClient) -> None:
    body = main_of(client.get("/sources/atlas-eco").text)
    assert "HTTP 503" in body and "hors sujet : 2" in body
    assert "Fès Shore" in body
    assert client.get("/sources/inconnue").status_code == 404


def test_a_run_left_running_by_a_dead_process_never_reads_en_cours(
    client: TestClient, archive: tuple[Store, Fixture]
) -> None:
    """The sources pages (the list, a source's page, the admin's) read the ledger: a run whose
    process is gone (this host, its pid dead) is marked interrupted first; a live one stays running."""
    import subprocess
    import sys

    from sqlalchemy import update

    from tests.web.conftest import login
    from veille.archive import schema as t

    store = archive[0]
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()

    def left_running(source: str, pid: int) -> int:
        run = store.start_run("crawl")  # this host
        store.record_source(run, source, {"fetched": 4, "new": 1})
        with store.engine.begin() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run).values(pid=pid))
        return run

    def status(run: int) -> str:
        return next(r["status"] for r in store.runs(limit=100) if r["id"] == run)

    alive = left_running("medias24", os.getpid())
    login(client)
    for page in ("/sources", "/sources/atlas-eco", "/admin"):
        dead = left_running("atlas-eco", gone.pid)
        assert client.get(page).status_code == 200
        assert status(dead) == "interrupted", page
    source = main_of(client.get("/sources/atlas-eco").text)
    assert "interrompue" in source and "en cours" not in source
    assert status(alive) == "running" and "en cours" in main_of(client.get("/sources/medias24").text)


def test_digests_list_view_and_sanitised_html(client: TestClient, fx: Fixture) -> None:
    body = main_of(client.get("/lettres").text)
    assert "2025-W12" in body and "envoyée" in body
    page = client.get(f"/lettres/{fx.ids['digest']}")
    assert page.status_code == 200
    assert 'sandbox=""' in page.text and "Trois articles." in page.text
    html = client.get(f"/lettres/{fx.ids['digest']}/html")
    assert "<script" not in html.text and "onerror" not in html.text
    assert 'style="color:#14325a"' in html.text
    assert "sandbox" in html.headers["content-security-policy"]
    assert client.get("/lettres/99").status_code == 404
    assert client.get("/lettres/x/html").status_code == 404


# -- API -------------------------------------------------------------------------------------------


def test_capped_totals_say_more_than_and_offer_an_exact_count(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veille.archive import search as s
    from veille.archive.cache import CACHE

    full = client.get("/api/search", params={"limit": 1}).json()
    all_figures = client.get("/api/figures", params={"limit": 1}).json()
    assert full["total_exact"] and full["total"] > 3 and all_figures["total"] > 3
    monkeypatch.setattr(s.limits, "TOTAL_CAP", 2)
    monkeypatch.setattr(s.limits, "FACET_SAMPLE", 2)  # facets over the first 2: the walk stops there too
    CACHE.clear()
    body = main_of(client.get("/", params={"per_page": 1}).text)
    assert "plus de 2" in body and "sur 2" not in body  # no page count: the results go on
    assert 'rel="next"' in body
    link = html.unescape(
        re.search(r'<a href="([^"]+)" rel="nofollow">compter tous les résultats</a>', body)[1]
    )
    assert "total=exact" in link
    counted = main_of(client.get(link).text)
    assert f"{full['total']} résultats" in counted.replace("\u202f", " ") and "plus de" not in counted
    capped = client.get("/api/search", params={"limit": 1}).json()
    assert (capped["total"], capped["total_exact"]) == (2, False)
    exact = client.get("/api/search", params={"limit": 1, "exact_total": "true"}).json()
    assert (exact["total"], exact["total_exact"]) == (full["total"], True)
    figs = main_of(client.get("/chiffres", params={"per_page": 1}).text)
    assert "plus de 2" in figs and "compter tous les chiffres" in figs
    capped_figs = client.get("/api/figures", params={"limit": 1}).json()
    assert (capped_figs["total"], capped_figs["total_exact"]) == (2, False)
    exact_figs = client.get("/api/figures", params={"limit": 1, "exact_total": "true"}).json()
    assert (exact_figs["total"], exact_figs["total_exact"]) == (all_figures["total"], True)


def test_api_search_and_figures(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "offshoring", "limit": 5})
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 3
    assert {"id", "title", "snippet_html", "cluster_size", "other_sources", "page"} <= set(data["hits"][0])
    assert {f["value"] for f in data["facets"]["sources"]} >= {"atlas-eco", "piege"}
    figs = client.get("/api/figures", params={"unit": "jobs", "order": "value"}).json()
    assert figs["rows"][0]["value"] == 130000 and figs["rows"][0]["unit"] == "jobs"
    assert (figs["rows"][0]["indicator"], figs["rows"][0]["indicator_label"]) == ("effectif", "Effectif")
    assert (figs["rows"][0]["status"], figs["rows"][0]["per"]) == ("actual", None)
    article = client.get(f"/api/articles/{figs['rows'][0]['article_id']}").json()
    assert article["figures"] and article["organisations"]
    assert article["figures"][0]["indicator_label"] == "Exportations"
    # indicator (a key) and status (one or several) filter figures and articles alike
    target = client.get("/api/figures", params={"indicator": "emplois_crees", "status": "target"}).json()
    assert [r["value"] for r in target["rows"]] == [3000]
    several = client.get("/api/figures?unit=jobs&status=target&status=actual").json()
    assert several["total"] == 2  # the 130 000 of one story carried 3 times (one row), and the target
    assert client.get("/api/figures?unit=jobs&status=target&status=actual&copies=true").json()["total"] == 4
    hits = client.get("/api/search", params={"status": "target"}).json()["hits"]
    assert [h["title"] for h in hits] == ["Fès Shore : une extension de 25 hectares"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/search?limit=abc",
        "/api/search?limit=0",
        "/api/search?since=hier",
        "/api/search?unit=bananes",
        "/api/search?q=-x",
        "/api/figures?order=hasard",
        "/api/figures?min_value=5&max_value=1",
        "/api/figures?indicator=emplois",
        "/api/figures?status=fini",
        "/api/search?indicator=emplois",
    ],
)
def test_api_bad_parameters_are_400_json(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["detail"]


def test_api_unknown_article_is_404_json(client: TestClient) -> None:
    r = client.get("/api/articles/424242")
    assert r.status_code == 404 and r.json()["detail"]


def test_openapi_schema_describes_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/search", "/api/figures", "/api/articles/{article_id}"} <= set(schema["paths"])
    assert "SearchResponse" in schema["components"]["schemas"]
    assert "FiguresResponse" in schema["components"]["schemas"]
    assert "/" not in schema["paths"] or True
    api = client.get("/api")
    assert api.status_code == 200 and "<code>/api/search</code>" in api.text  # listed from the schema


# -- headers and errors ----------------------------------------------------------------------------


def test_security_headers_on_every_response(client: TestClient, fx: Fixture) -> None:
    for path in ("/", f"/articles/{fx.ids['export']}", "/static/veille.css", "/api/search", "/nulle-part"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"]


def test_unknown_page_is_french_404(client: TestClient) -> None:
    r = client.get("/nulle-part")
    assert r.status_code == 404 and "Page introuvable" in r.text and 'lang="fr"' in r.text


def test_no_inline_script_or_style_in_pages(client: TestClient, fx: Fixture) -> None:
    for path in ("/", f"/articles/{fx.ids['export']}", "/organisations/ADD", "/chiffres", "/connexion"):
        r = client.get(path, follow_redirects=True)
        assert re.search(r"<script(?![^>]*\bsrc=)", r.text) is None, path
        assert " style=" not in r.text and "<style" not in r.text, path


def test_public_read_false_requires_login(web_settings, archive, password_hash) -> None:  # type: ignore[no-untyped-def]
    from tests.web.archive import write_config
    from tests.web.conftest import login
    from veille.core.config import Settings
    from veille.web import create_app

    write_config(web_settings.config_dir, public_read=False, password_hash=password_hash)
    settings = Settings.load(data_dir=web_settings.data_dir, config_dir=web_settings.config_dir)
    with TestClient(create_app(settings, store=archive[0]), follow_redirects=False) as c:
        r = c.get("/chiffres?unit=MAD")
        assert r.status_code == 303 and r.headers["location"].startswith("/connexion?suite=%2Fchiffres")
        assert c.get("/api/search").status_code == 401
        assert c.get("/connexion").status_code == 200
        login(c)
        assert c.get("/chiffres?unit=MAD").status_code == 200
        assert c.get("/api/search").status_code == 200


def test_unsubscribe_router_is_included_when_present(client: TestClient) -> None:
    import importlib.util

    if importlib.util.find_spec("veille.web.unsubscribe") is None:
        pytest.skip("veille/web/unsubscribe.py not written yet")
    r = client.get("/unsubscribe/1.invalide")
    assert r.status_code == 404 and "désinscription" in r.text.lower()
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_figures_explorer_lists_a_syndicated_figure_once(client: TestClient, fx: Fixture) -> None:
    body = main_of(client.get("/chiffres", params={"unit": "MAD"}).text)
    assert body.count("18\u00a0milliards\u00a0DH") == 1 and 'name="copies" value="1">' in body
    assert "(un chiffre repris par plusieurs articles d'une même reprise compté une fois)" in body
    assert f'<a href="/articles/{fx.ids["export"]}#phrase-' in body  # the story's first article
    # its copies one click away: the outlets, their pages in Veille and the original addresses
    copies = re.search(r'<details class="reprises-chiffre">(.*?)</details>', body, re.S).group(1)
    assert '<span class="reprises">+2 reprises</span>' in copies
    assert f'<a href="/articles/{fx.ids["export-copy1"]}">Le Matin</a>, 14 janv. 2025' in copies
    assert f'<a href="/articles/{fx.ids["export-copy2"]}">atlas-eco</a>' in copies
    assert 'href="https://lematin.example/offshoring-18-milliards"' in copies
    # the option lists every copy, and says nothing about collapsing
    every = main_of(client.get("/chiffres", params={"unit": "MAD", "copies": "1"}).text)
    assert "4 chiffres" in every and every.count("18\u00a0milliards\u00a0DH") == 3
    assert 'class="reprises"' not in every and 'name="copies" value="1" checked' in every


def test_figure_exports_follow_the_copies_rule(client: TestClient) -> None:
    from openpyxl import load_workbook

    def csv_rows(**params: str) -> list[dict[str, str]]:
        r = client.get("/chiffres.csv", params={"unit": "MAD", "order": "value", **params})
        return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))

    rows = csv_rows()
    assert [row["Valeur numérique"] for row in rows] == ["18000000000", "1200000000"]
    assert rows[0]["Source"] == "medias24"
    assert rows[0]["Reprises"] == (
        "Le Matin (https://lematin.example/offshoring-18-milliards); "
        "atlas-eco (https://atlas-eco.example/2025/01/15/export/)"
    )
    assert rows[1]["Reprises"] == ""
    assert len(csv_rows(copies="1")) == 4 and {r["Reprises"] for r in csv_rows(copies="1")} == {""}
    assert [r["Reprises"] for r in csv_rows(tout="1")] == [
        r["Reprises"] for r in rows
    ]  # every match, streamed
    assert len(csv_rows(tout="1", copies="1")) == 4
    book = client.get("/chiffres.xlsx", params={"unit": "MAD", "order": "value"})
    sheet = [[c.value for c in row] for row in load_workbook(io.BytesIO(book.content)).active.iter_rows()]
    assert len(sheet) == 3 and sheet[1][sheet[0].index("Reprises")].startswith("Le Matin (")


def test_api_figures_carry_their_copies(client: TestClient, fx: Fixture) -> None:
    data = client.get("/api/figures", params={"unit": "MAD", "order": "value"}).json()
    assert data["total"] == 2 and data["rows"][0]["article_id"] == fx.ids["export"]
    assert data["rows"][0]["copies"] == [
        {"article_id": fx.ids["export-copy1"], "source": "le-matin",
         "url": "https://lematin.example/offshoring-18-milliards", "published": "2025-01-14T09:00:00Z"},
        {"article_id": fx.ids["export-copy2"], "source": "atlas-eco",
         "url": "https://atlas-eco.example/2025/01/15/export/", "published": "2025-01-15T09:00:00Z"},
    ]  # fmt: skip
    every = client.get("/api/figures", params={"unit": "MAD", "copies": "true"}).json()
    assert every["total"] == 4 and all(r["copies"] == [] for r in every["rows"])
    assert "copies" in {
        p["name"] for p in client.get("/openapi.json").json()["paths"]["/api/figures"]["get"]["parameters"]
    }


def test_article_page_of_a_partial_article_and_a_standfirst_shown_once(
    client: TestClient, archive: tuple[Store, Fixture]
) -> None:
    from datetime import UTC, datetime

    from veille.core.models import Article

    store = archive[0]
    lead = "Un centre d'appels de 800 postes ouvre à Tanger Med."
    partial_id, _ = store.upsert_article(
        Article(url="https://agg.example/a/1", source="test", title="Tanger recrute", text=lead, lead=lead,
                partial=True, publisher="Le Courrier du Détroit", published=datetime(2025, 6, 2, tzinfo=UTC))
    )  # fmt: skip
    body = main_of(client.get(f"/articles/{partial_id}").text)
    assert "résumé du flux seulement" in body and "Le Courrier du Détroit" in body
    assert body.count("800 postes ouvre") == 1  # the standfirst opening the text is shown once


def test_dates_are_shown_in_the_teams_zone_not_the_archives_utc(
    client: TestClient, archive: tuple[Store, Fixture]
) -> None:
    """The archive keeps UTC: an article published at 00:30 in Casablanca (UTC+1 in November) is
    23:30 the day before in UTC; the search page and the article page show its own day."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from veille.core.models import Article

    store = archive[0]
    published = datetime(2025, 11, 10, 0, 30, tzinfo=ZoneInfo("Africa/Casablanca"))
    aid, _ = store.upsert_article(
        Article(url="https://presse.example/minuit", source="test", title="Un plateau ouvre à minuit",
                text="Un plateau de relation client ouvre à Fès avec 300 postes. " * 5, published=published)
    )  # fmt: skip
    page = main_of(client.get(f"/articles/{aid}").text)
    assert '<time datetime="2025-11-10">10 novembre 2025</time>' in page, page[:400]
    hits = main_of(client.get("/", params={"q": "plateau minuit"}).text)
    assert '<time datetime="2025-11-10">10 novembre 2025</time>' in hits
