"""Search and figures on SQLite and PostgreSQL, over the small French archive of ``archive.py``."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tests.store.archive import ADD, APEBI, MEDZ, load, with_indicators
from veille.archive.query import QueryError
from veille.archive.search import (
    FigureQuery,
    SearchQuery,
    article_detail,
    figures,
    iter_figures,
    org_stats,
    organisation,
    resolve_org,
    search,
)
from veille.archive.store import Store


@pytest.fixture
def arc(any_store: Store) -> tuple[Store, dict[str, int]]:
    return any_store, load(any_store)


def keys(arc: tuple[Store, dict[str, int]], text: str = "", **kw: object) -> set[str]:
    store, ids = arc
    by_id = {v: k for k, v in ids.items()}
    by_id[ids["zone_copy"]] = "zone"  # one syndication cluster: either copy may represent it
    result = search(store, SearchQuery(text, **kw))  # type: ignore[arg-type]
    return {by_id[h.id] for h in result.hits}


# -- language -------------------------------------------------------------------------
def test_plural_and_singular_match(arc) -> None:
    assert {"emplois", "apebi", "zone", "tunisie"} <= keys(arc, "emploi")
    assert keys(arc, "emploi") == keys(arc, "emplois") == keys(arc, "EMPLOIS")


def test_accents_are_optional(arc) -> None:
    with_accent = keys(arc, "création")
    assert with_accent == keys(arc, "creation") == keys(arc, "CREATION")
    assert "creation" in with_accent
    assert keys(arc, "cybersécurité") == keys(arc, "cybersecurite") == {"cyber"}


def test_stemming(arc) -> None:
    assert "export" in keys(arc, "exportation")
    assert {"developpement"} <= keys(arc, "développements")


def test_phrase_needs_adjacent_words(arc) -> None:
    # "zone_other" has "zone" and "franche" but not together
    assert "zone_other" in keys(arc, "zone franche")
    phrase = keys(arc, '"zone franche"')
    assert "zone_other" not in phrase and "zone" in phrase


def test_or(arc) -> None:
    assert keys(arc, "Tunisie OR cybersécurité") == {"tunisie", "cyber"}
    assert keys(arc, "Tunisie | cybersécurité") == {"tunisie", "cyber"}


def test_exclusion(arc) -> None:
    base = keys(arc, "emploi")
    assert "tunisie" in base
    assert keys(arc, "emploi -Tunisie") == base - {"tunisie"}
    assert keys(arc, 'emploi -"zone franche"') == base - {"zone"}


def test_prefix(arc) -> None:
    found = keys(arc, "exportat*")
    assert {"prefix", "export"} <= found
    assert "developpement" in keys(arc, "développ*")


def test_title_ranks_first(arc) -> None:
    store, ids = arc
    hits = search(store, SearchQuery("cybersécurité OR certification")).hits
    assert hits[0].id == ids["cyber"]
    ranked = search(store, SearchQuery("exportations")).hits
    assert ranked[0].id in (ids["export"], ids["prefix"])
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


def test_snippet_highlights_original_words_and_escapes(arc) -> None:
    store, ids = arc
    hit = next(h for h in search(store, SearchQuery("creation")).hits if h.id == ids["creation"])
    assert "<mark>créations</mark>" in hit.snippet_html
    assert "<mark>creation</mark>" in hit.snippet_html  # the lead says "creation" without accent
    hostile = search(store, SearchQuery("conférence", sources=("leseco",))).hits[0]
    assert "<b>" not in hostile.snippet_html and "&lt;b&gt;" in hostile.snippet_html
    assert "<mark>conférence</mark>" in hostile.snippet_html


def test_sql_looking_text_is_just_words(arc) -> None:
    assert keys(arc, "DROP") == {"hostile"}
    assert keys(arc, "'; DROP TABLE articles; --") == set()
    assert search(arc[0], SearchQuery("")).total == 15  # still there, zone_copy collapsed


HOSTILE = [
    '"zone franche', 'zone franche"', '"', '""', "*", "**", "-", "--", "OR", "OR OR", "AND AND", "emploi AND AND",
    "NEAR(", "NEAR(emploi offshoring, 3)", "emploi NOT", "NOT", "(", ")", "((emploi", "emploi)", "^emploi",
    "title:emploi", "emploi:*", "emploi & | !", "a\x00b", "\x00\x01\x1f", "emploi\u200b\u202e", "🙂", "🙂 emploi",
    "'; DROP TABLE articles; --", "1=1", "%", "_", "\\", "{}", "[emploi]", "e-", "-e", "x" * 10_000, "emploi " * 40,
    "le la les", "l'", "-emploi", "  ", "\t\n", "日本語", "emploi*" * 3, "é*", "OR emploi OR",
]  # fmt: skip


def test_hostile_queries_give_results_or_a_clear_message(arc) -> None:
    """Every string of HOSTILE: results or a one-line QueryError, never anything else."""
    store, _ = arc
    outcomes = {}
    for text in HOSTILE:
        try:
            outcomes[text] = search(store, SearchQuery(text)).total
        except QueryError as exc:
            message = str(exc)
            assert message and "\n" not in message and len(message) < 200, text
            outcomes[text] = message
    assert isinstance(outcomes["NEAR(emploi offshoring, 3)"], int)
    assert isinstance(outcomes['"zone franche'], int) and outcomes['"zone franche'] > 0
    assert "too long" in outcomes["x" * 10_000]
    assert "nothing to search" in outcomes["AND AND"]
    assert search(store, SearchQuery("emploi")).total > 0  # the archive is intact
    for text in HOSTILE[:20]:  # the same on figures()
        try:
            figures(store, FigureQuery(text=text))
        except QueryError:
            pass


# -- filters --------------------------------------------------------------------------
def test_date_range(arc) -> None:
    assert keys(arc, "offshoring", until=date(2024, 12, 31)) == {"old"}
    assert keys(arc, "", since=date(2025, 7, 1), until=date(2025, 7, 1)) == {"hostile"}


def test_sources(arc) -> None:
    assert keys(arc, "emploi", sources=("leseco",)) == {"tunisie", "apebi"}
    assert keys(arc, "emploi", sources=("leseco", "lematin")) >= {"tunisie", "apebi", "zone"}


def test_org_by_name_or_alias_any_case_and_accent(arc) -> None:
    expected = {"emplois", "export", "old"}
    assert keys(arc, "", org="ADD") == expected
    assert keys(arc, "", org="add") == expected
    assert keys(arc, "", org="agence de developpement du DIGITAL") == expected
    assert keys(arc, "", org="nobody") == set()
    assert resolve_org(arc[0], "medz") == MEDZ
    assert resolve_org(arc[0], "Fédération des technologies de l'information (APEBI)") == APEBI
    assert resolve_org(arc[0], "unknown") is None


def test_person_theme_relevance(arc) -> None:
    assert keys(arc, "", person="Karim Benali") == {"formation"}
    assert keys(arc, "", person="benali") == {"formation"}
    assert keys(arc, "", theme="infrastructures") == {"zone", "medz_invest"}
    assert keys(arc, "offshoring", min_relevance=0.9) == {"emplois", "export", "old"}


def test_cluster_collapsing(arc) -> None:
    store, ids = arc
    hits = search(store, SearchQuery('"zone franche" Medz')).hits
    assert len(hits) == 1
    assert hits[0].cluster_size == 2
    assert hits[0].other_sources == ["hespress"] or hits[0].other_sources == ["lematin"]
    every = search(store, SearchQuery('"zone franche" Medz', one_per_cluster=False))
    assert {h.id for h in every.hits} == {ids["zone"], ids["zone_copy"]} and every.total == 2


def test_figure_filters_on_search(arc) -> None:
    assert keys(arc, "", unit="jobs", min_value=5000, period="2024") == {"emplois", "apebi", "old"}
    assert keys(arc, "", unit="MAD", org="Medz") == {"zone", "medz_invest"}
    assert keys(arc, "", unit="MAD", max_value=2e8) == {"medz_invest"}
    assert keys(arc, "", metric="EMPLOIS crees") == {"emplois"}


def test_order_paging_total(arc) -> None:
    store, _ = arc
    by_date = search(store, SearchQuery("", order="date", limit=3))
    assert by_date.total == 15 and len(by_date.hits) == 3
    dates = [h.published for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    page2 = search(store, SearchQuery("", order="date", limit=3, offset=3))
    assert not {h.id for h in page2.hits} & {h.id for h in by_date.hits}
    with pytest.raises(QueryError):
        search(store, SearchQuery("emploi", order="sideways"))
    with pytest.raises(QueryError):
        search(store, SearchQuery("emploi", limit=0))


def test_facets_cover_the_whole_result(arc) -> None:
    store, _ = arc
    facets = search(store, SearchQuery("emploi", limit=1)).facets
    assert set(facets) == {"sources", "organisations", "themes", "units", "periods"}
    assert dict(facets["themes"])["emploi"] >= 3
    assert dict(facets["units"])["jobs"] >= 3
    assert dict(facets["periods"])["2024"] >= 2
    assert ADD in dict(facets["organisations"])
    assert sum(n for _, n in facets["sources"]) >= 5


# -- figures, organisations, articles -------------------------------------------------
def test_figures_filters_and_formatting(arc) -> None:
    store, ids = arc
    jobs = figures(store, FigureQuery(unit="jobs", min_value=5000, period="2024"))
    assert jobs.total == 3
    assert {r.formatted.replace("\u00a0", " ") for r in jobs.rows} == {
        "12 500 emplois",
        "69 900 emplois",
        "130 000 emplois",
    }
    medz = figures(store, FigureQuery(unit="MAD", org="medz", order="value"))
    # the 300 millions of the "zone" story and of its copy are one row, the story's first article's
    assert [r.value for r in medz.rows] == [3e8, 1.2e8]
    assert medz.rows[0].article_id == ids["zone"]
    assert [(c.article_id, c.source) for c in medz.rows[0].copies] == [(ids["zone_copy"], "hespress")]
    assert medz.rows[0].formatted.replace("\u00a0", " ") == "300 millions DH"
    row = figures(store, FigureQuery(article_id=ids["creation"])).rows[0]
    assert row.formatted.replace("\u00a0", " ") == "2,3 %"
    assert row.sentence[row.start : row.end] == "2,3 %"
    assert figures(store, FigureQuery(text="Oujda")).total == 1
    assert figures(store, FigureQuery(source="leseco", since=date(2025, 5, 1))).total == 2
    assert figures(store, FigureQuery(unit="jobs", until=date(2024, 12, 31))).total == 1


def test_org_stats_and_detail(arc) -> None:
    store, _ = arc
    stats = org_stats(store)
    assert stats[0].name in (ADD, MEDZ) and stats[0].articles == 3
    assert [s.name for s in org_stats(store, top=1)] == [stats[0].name]
    assert {s.name for s in org_stats(store, since=date(2025, 6, 1))} == {MEDZ}
    add = next(s for s in stats if s.name == ADD)
    assert "ADD" in add.aliases
    detail = organisation(store, "add")
    assert detail is not None and detail.name == ADD
    assert len(detail.articles) == 3 and detail.article_count == 3
    assert [a.published for a in detail.articles] == sorted(
        (a.published for a in detail.articles), reverse=True
    )
    assert [f.value for f in detail.figures] == [1.8e10, 12500, 130000]  # newest first
    assert detail.figure_count == 3
    assert detail.weekly_mentions[0] == ("2024-W46", 1)
    assert sum(n for _, n in detail.weekly_mentions) == sum(a.mentions for a in detail.articles)
    # a busy organisation: the newest few, with the totals of all
    few = organisation(store, "add", articles=1, figures=2)
    assert few is not None and [a.id for a in few.articles] == [detail.articles[0].id]
    assert [f.value for f in few.figures] == [1.8e10, 12500]
    assert (few.article_count, few.figure_count, few.weekly_mentions) == (3, 3, detail.weekly_mentions)
    assert organisation(store, "nobody") is None


def test_article_detail_by_id_or_url(arc) -> None:
    store, ids = arc
    a = article_detail(store, ids["formation"])
    assert a is not None and a.title.startswith("L'OFPPT")
    assert [p.name for p in a.persons] == ["Karim Benali"]
    assert a.organisations[0].forms == ["OFPPT"]
    assert a.figures[0].value == 3000
    assert article_detail(store, "https://lematin.test/formation").id == ids["formation"]
    assert article_detail(store, str(ids["formation"])).id == ids["formation"]
    copy = article_detail(store, ids["zone_copy"])
    assert copy.cluster_size == 2 and copy.other_sources == ["lematin"]
    assert article_detail(store, 999999) is None


@pytest.mark.parametrize(
    "q",
    [
        FigureQuery(),
        FigureQuery(order="value"),
        FigureQuery(text="emplois", order="value"),
        FigureQuery(unit="MAD", org="medz"),
        FigureQuery(org="personne"),
    ],
    ids=["all", "by-value", "text", "unit-org", "unknown-org"],
)
def test_iter_figures_gives_every_match_in_order(
    arc, q: FigureQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veille.archive.search import figure_rows

    store, _ = arc
    monkeypatch.setattr(figure_rows, "EXPORT_BATCH", 2)
    expected = figures(store, dataclasses.replace(q, limit=1000, exact_total=True))
    got = list(iter_figures(store, dataclasses.replace(q, limit=1, offset=1)))
    assert [r.id for r in got] == [r.id for r in expected.rows] and len(got) == expected.total
    assert got == expected.rows
    assert len(got) >= 2 or q.org == "personne"  # several batches of 2 read (none for an unknown name)


def test_figures_carry_indicator_status_and_per(arc) -> None:
    store = with_indicators(*arc)
    rows = {r.metric: r for r in figures(store, FigureQuery(article_id=arc[1]["zone"])).rows}
    assert (rows["emplois visés"].indicator, rows["emplois visés"].status) == ("emplois_crees", "target")
    assert rows["loyer"].per == "m2/month"
    assert rows["loyer"].formatted.replace("\u00a0", " ") == "80 DH par m² et par mois"
    # figures written before the indicators: realised, no indicator, no per
    old = figures(store, FigureQuery(article_id=arc[1]["emplois"])).rows[0]
    assert (old.indicator, old.status, old.per) == (None, "actual", None)


def test_indicator_and_status_filters(arc) -> None:
    store = with_indicators(*arc)
    assert [r.value for r in figures(store, FigureQuery(indicator="effectif")).rows] == [69900]
    assert figures(store, FigureQuery(indicator="exportations")).total == 0
    assert [r.metric for r in figures(store, FigureQuery(status=("target",))).rows] == ["emplois visés"]
    both = figures(store, FigureQuery(status=("target", "announced"), order="value")).rows
    assert [r.status for r in both] == ["announced", "target"]
    actual = figures(store, FigureQuery(status=("actual",), copies=True)).rows
    assert actual and all(r.status == "actual" for r in actual)
    # every copy counted: the "zone" story's copy says its figures as realised
    assert figures(store, FigureQuery(copies=True)).total == len(actual) + 2
    # the metric filter stays a phrase filter, beside the indicator
    assert figures(store, FigureQuery(metric="emplois", indicator="emplois_crees")).total == 1
    with pytest.raises(QueryError, match="unknown status"):
        figures(store, FigureQuery(status=("done",)))
    # the article search takes the same figure filters
    ids = {v: k for k, v in arc[1].items()}
    hits = search(store, SearchQuery("", status=("target",))).hits
    assert {ids[h.id] for h in hits} == {"zone"}
    assert {ids[h.id] for h in search(store, SearchQuery("", indicator="effectif")).hits} == {"apebi"}
