"""Documents in the archive, on SQLite and PostgreSQL: each file and its tables stored with its
article, its table figures with their cell, searchable with the type filter, in the figures
explorer, and in the indicator series as official citations chosen over a press rounding."""

from __future__ import annotations

import pytest

from tests.store.documents_archive import OFFICE, PRESS, archive_document, build, missing_figures
from veille.archive import search as s
from veille.archive.indicators import SeriesQuery, series
from veille.archive.store import Store
from veille.core.conf.rates import RatesFile
from veille.core.series import SeriesRule
from veille.queries import search_query

RATES = RatesFile(source="test", EUR={"2025": 10.8}, USD={"2025": 9.9})


def test_documents_files_tables_and_figures_with_their_cells(any_store: Store) -> None:
    fx = build(any_store)
    assert any_store.count_documents() == len(fx.ids)
    doc = any_store.document(fx.ids["indicateurs-septembre-2025.pdf"])
    assert doc is not None and doc.official and doc.file_type == "pdf" and doc.pages == 2
    assert doc.title == "Indicateurs mensuels — septembre 2025" and doc.title_from == "listing"
    assert doc.date_from == "listing" and doc.published is not None and doc.published.day == 28
    (table,) = doc.tables
    assert table.page == 2 and "en millions de DH" in table.caption
    assert table.rows[3] == ("Offshoring", "16 890,2", "18 234,5", "8,0") and table.header_rows == 1
    workbook = any_store.document(fx.ids["barometre-2025.xlsx"])
    assert workbook is not None and [t.sheet for t in workbook.tables] == ["Synthèse", "Régions"]
    assert workbook.tables[0].rows[4] == ("Contrôle (formule)", None, None)  # a formula is never evaluated
    assert workbook.title_from == "first_page" and workbook.date_from == "metadata"
    # every expected figure, with its provenance (file, page or sheet, cell) and nothing else: not
    # Voyages, Transport nor the services total
    assert missing_figures(any_store, fx.ids) == []


def test_a_file_is_archived_once_and_its_tables_replaced_on_refresh(any_store: Store) -> None:
    from tests.spiders.documents_fixtures import indicators_pdf

    body = indicators_pdf()
    first = archive_document(any_store, "indicateurs-septembre-2025.pdf", body)
    assert any_store.known_files([first.document.sha256]) == {first.document.sha256: first.url}  # type: ignore[union-attr]
    again = archive_document(any_store, "indicateurs-septembre-2025.pdf", body)
    assert again.id == first.id and any_store.count_documents() == 1
    assert len(any_store.document(first.id).tables) == 1  # type: ignore[arg-type,union-attr]


def test_documents_are_searchable_with_the_type_filter(any_store: Store) -> None:
    fx = build(any_store)
    both = s.search(any_store, search_query(text="offshoring"), with_facets=False)
    docs = s.search(any_store, search_query(text="offshoring", kind="document"), with_facets=False)
    articles = s.search(any_store, search_query(text="offshoring", kind="article"), with_facets=False)
    assert {h.id for h in articles.hits} == {fx.press_id} and all(h.kind == "article" for h in articles.hits)
    assert fx.ids["rapport-annuel-2023.pdf"] in {h.id for h in docs.hits}
    assert all(h.kind == "document" for h in docs.hits) and fx.press_id not in {h.id for h in docs.hits}
    assert {h.id for h in both.hits} == {h.id for h in docs.hits} | {h.id for h in articles.hits}
    # a spreadsheet without running text is found by what its tables hold (its lead)
    zones = s.search(any_store, search_query(text="Casanearshore", kind="document"), with_facets=False)
    assert fx.ids["emplois-zones.csv"] in {h.id for h in zones.hits}


def test_the_series_choose_the_official_figure_over_the_press_rounding(any_store: Store) -> None:
    fx = build(any_store)
    rule = SeriesRule(rates=RATES, default_country="Maroc", official_sources=frozenset({OFFICE.name}))
    points = series(
        any_store, SeriesQuery(indicator="exportations", scope_kind="country"), rule, with_citations=True
    )
    by_period = {p.period: p for p in points}
    point = by_period["2025-01..09"]  # the office's "Janv.-Sept. 2025" and the press's "à fin septembre 2025"
    assert {c.source for c in point.citations} == {OFFICE.name, PRESS}
    assert point.value == pytest.approx(18_234.5e6)  # not the press's 18,2 milliards
    assert len(point.values) == 1 and point.values[0].official and point.values[0].stories == 2
    office = next(c for c in point.citations if c.source == OFFICE.name)
    assert office.official and office.url.endswith("indicateurs-septembre-2025.pdf")
    assert "page 2, cellule C4" in office.sentence
    # the other official table figures make their own points: the report's 2023 total
    assert by_period["2023"].value == pytest.approx(18_700e6) and by_period["2023"].rule == "only"
    assert fx.press_id in {c.article_id for c in point.citations}
    # the grouped read (the pages' and the API's) chooses the same value
    grouped = {
        p.period: p
        for p in series(any_store, SeriesQuery(indicator="exportations", scope_kind="country"), rule)
    }
    nine = grouped["2025-01..09"]
    assert nine.value == pytest.approx(18_234.5e6) and nine.values[0].official and nine.grain == "months"


def test_nine_months_to_date_never_compete_with_the_year(any_store: Store) -> None:
    """A press figure for the whole year 2025 and the office's nine months are two points; the
    series' grain filter and the figures' period filter read the months' label in SQL."""
    from veille.core.models import Analysis, Article, Figure

    build(any_store)
    text = "Les recettes de l'offshoring devraient dépasser 24 milliards de DH en 2025."
    article = Article(url="https://presse.example.ma/offshoring-annee", source=PRESS, title="Offshoring : l'année",
                      text=text, relevance=0.9)  # fmt: skip
    any_store.upsert_article(article)
    assert article.id is not None
    figure = Figure(text="24 milliards de DH", start=48, end=66, value=24e9, unit="MAD", sentence=text,
                    sentence_end=len(text), period="2025", indicator="exportations", scope_kind="country",
                    scope="Maroc")  # fmt: skip
    any_store.save_analysis(article.id, Analysis(figures=(figure,)), "test")
    rule = SeriesRule(rates=RATES, default_country="Maroc", official_sources=frozenset({OFFICE.name}))
    query = SeriesQuery(indicator="exportations", scope_kind="country", year_from=2025)
    points = {p.period: p for p in series(any_store, query, rule)}
    assert set(points) == {"2025", "2025-01..09"}
    assert points["2025"].value == pytest.approx(24e9) and points["2025"].grain == "year"
    assert points["2025-01..09"].value == pytest.approx(18_234.5e6) and not points["2025-01..09"].conflict
    months = series(any_store, SeriesQuery(indicator="exportations", grain="months"), rule)
    assert sorted(p.period for p in months) == ["2024-01..09", "2025-01..09"]
    years = series(any_store, SeriesQuery(indicator="exportations", grain="year", year_from=2025), rule)
    assert [p.period for p in years] == ["2025"]
    # the figures explorer: "2025" also finds the months of 2025, not "2024-01..09"
    rows = s.figures(any_store, s.FigureQuery(indicator="exportations", period="2025", limit=20)).rows
    assert sorted({r.period for r in rows}) == ["2025", "2025-01..09"]


def test_figures_explorer_lists_table_figures_with_their_cell(any_store: Store) -> None:
    fx = build(any_store)
    q = s.FigureQuery(source=OFFICE.name, indicator="emplois_crees", order="value", limit=10)
    rows = s.figures(any_store, q).rows
    assert [(r.value, r.cell) for r in rows][:2] == [(2480.0, "C4"), (2150.0, "B4")]
    assert all(r.article_id == fx.ids["emplois-zones.csv"] and r.table_index == 0 for r in rows)


def test_refused_files_are_remembered_by_url_and_by_hash(any_store: Store) -> None:
    from veille.archive.documents import RefusedFile

    url = "https://office.example.ma/docs/protege.pdf"
    any_store.refuse_file(RefusedFile(url=url, source=OFFICE.name, kind="unreadable", reason="encrypted PDF refused",
                                      sha256="a" * 64, size=1234, etag='"v1"', last_modified="Tue, 07 Oct 2025 08:00:00 GMT"))  # fmt: skip
    too_big = "https://office.example.ma/docs/enorme.pdf"
    any_store.refuse_file(
        RefusedFile(url=too_big, source=OFFICE.name, kind="too_big", reason="over", size_limit=60_000)
    )
    (first,) = any_store.refused_files(urls=[url])
    assert (first.kind, first.sha256, first.size, first.etag, first.attempts) == (
        "unreadable",
        "a" * 64,
        1234,
        '"v1"',
        1,
    )
    assert (
        first.refused_at is not None
        and first.refused_at.tzinfo is not None
        and first.checked_at == first.refused_at
    )
    # by the hash of its bytes, whatever the URL asked for
    assert [r.url for r in any_store.refused_files(hashes=["a" * 64, "b" * 64])] == [url]
    assert [r.url for r in any_store.refused_files(urls=[url, too_big, "https://x/none.pdf"])] == [
        too_big,
        url,
    ]
    # refused again: one more attempt, first refusal kept; asked and unchanged: checked again
    any_store.refuse_file(
        RefusedFile(url=url, source=OFFICE.name, kind="unreadable", reason="broken PDF (x)", sha256="c" * 64)
    )
    (again,) = any_store.refused_files(urls=[url])
    assert (again.attempts, again.reason, again.sha256, again.etag) == (2, "broken PDF (x)", "c" * 64, None)
    assert again.refused_at == first.refused_at and again.checked_at >= first.checked_at  # type: ignore[operator]
    any_store.refusal_checked([too_big])
    (checked,) = any_store.refused_files(urls=[too_big])
    assert checked.checked_at >= checked.refused_at and checked.attempts == 1  # type: ignore[operator]
    # read at last: no longer refused
    any_store.forget_refusals([url])
    assert [r.url for r in any_store.refused_files(urls=[url, too_big])] == [too_big]
