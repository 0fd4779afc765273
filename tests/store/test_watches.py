"""Watches in the archive, on SQLite and PostgreSQL: a watch matches exactly what the same search
shows, each story once; money thresholds compare EUR and USD in MAD; corrected values decide."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.store.archive import ARTICLES, load, with_indicators
from veille.archive import alerts, matching
from veille.archive import corrections as corr
from veille.archive import deliveries as ledger
from veille.archive import watches as w
from veille.archive.accounts import add_account
from veille.archive.search import FigureQuery, SearchQuery, figures, search, search_ids, window
from veille.archive.store import Store
from veille.archive.webhooks import webhook_rows
from veille.core.conf.rates import load_rates
from veille.core.corrections import read_fields
from veille.core.models import Analysis, Article, Figure
from veille.core.taxonomy import load_taxonomy
from veille.queries import watch_query

# (kind, the builder's values): what analysts save as watches
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("search", {"text": "offshoring"}),
    ("search", {"text": "zone franche"}),
    ("search", {"text": "emplois", "org": "ADD"}),
    ("search", {"theme": "emploi"}),
    ("search", {"sources": ["leseco", "lematin"]}),
    ("search", {"org": "Medz Sourcing"}),
    ("search", {"unit": "jobs", "min_value": "10 000"}),
    ("search", {"unit": "MAD", "min_value": "100000000"}),
    ("search", {"text": "export*", "since": "2025-03-01"}),
    ("search", {"text": '"zone franche" -Tanger'}),
    ("search", {"indicator": "investissement"}),
    ("figures", {"unit": "MAD", "min_value": "1e8"}),
    ("figures", {"metric": "emplois"}),
]


def _expected(store: Store, q: SearchQuery | FigureQuery) -> set[int]:
    """The stories the same query shows as a search over the whole archive, every page."""
    if isinstance(q, SearchQuery):
        hits = search(store, dataclasses.replace(q, limit=1000), with_facets=False).hits
        return {h.cluster_id or h.id for h in hits}
    rows = figures(store, dataclasses.replace(q, limit=1000)).rows
    clusters = {
        h.id: h.cluster_id or h.id for h in search(store, SearchQuery(limit=1000), with_facets=False).hits
    }
    every = dict(matching.match(store, SearchQuery(one_per_cluster=False), 0, 10**9))
    return {clusters.get(r.article_id, every.get(r.article_id, r.article_id)) for r in rows}


def _extracted(store: Store, ids: dict[str, int]) -> dict[str, int]:
    """The small archive with every article through extraction (those without figures too)."""
    for aid in ids.values():
        if (store.get_article(aid) or {}).get("extracted_at") is None:
            store.save_analysis(aid, Analysis(), "test-1")
    return ids


def _owner(store: Store) -> int:
    return add_account(store, "amina@example.ma", role="analyste", password="veille-2026-longue").id


@pytest.mark.parametrize("kind, params", QUERIES, ids=[str(p) for _, p in QUERIES])
def test_a_watch_matches_what_the_same_search_shows(
    any_store: Store, kind: str, params: dict[str, Any]
) -> None:
    """The archive arrives in three runs; what the watch recorded over them is, story for story,
    what the same query shows as a search of the whole archive."""
    q = watch_query(kind, params, rates=load_rates())
    watch = w.add_watch(any_store, owner_id=_owner(any_store), name="v", params=params, query=q)
    assert watch.watermark == 0  # saved on an empty archive
    ids = load(any_store)
    # not all extracted yet: the window waits
    assert matching.matching_bound(any_store, 0) < max(ids.values())
    with_indicators(any_store, ids)
    _extracted(any_store, ids)
    top = matching.matching_bound(any_store, 0)
    assert top == max(ids.values())
    for n, upto in enumerate((5, 11, top)):
        found = matching.match(any_store, watch.query, watch.watermark, upto)
        alerts.record_batch(any_store, watch, f"b{n}", found, upto)
        watch = w.get_watch(any_store, watch.id)
    matched = w.matched_ids(any_store, watch.id)
    expected = _expected(any_store, q)
    assert expected, "a query of this set matches nothing: it compares nothing"
    got = {
        s for a, s in matching.match(any_store, SearchQuery(one_per_cluster=False), 0, 10**9) if a in matched
    }
    assert got == expected
    assert len(matched) == len(got)  # each story once


# what the run's batch must answer alike: orders, every copy, phrases, exclusions, prefixes, OR,
# dates, persons, unknown names, several filters at once
MORE: list[SearchQuery] = [
    SearchQuery("offshoring", order="date"),
    SearchQuery("zone franche", one_per_cluster=False),
    SearchQuery("zone franche"),
    SearchQuery('"zone franche"', one_per_cluster=False),
    SearchQuery("offshoring -Tunisie"),
    SearchQuery("Rabat OR Casablanca", order="date"),
    SearchQuery("export*"),
    SearchQuery("emplois", since=date(2025, 2, 1), until=date(2025, 6, 30)),
    SearchQuery(person="Benali"),
    SearchQuery(org="Nulle Part SA"),
    SearchQuery(person="Personne Inconnue", text="offshoring"),
    SearchQuery(sources=("lematin", "hespress"), one_per_cluster=False, order="date"),
    SearchQuery("zone", org="Medz", unit="MAD", min_value=1e8),
    SearchQuery(min_relevance=0.8, theme="infrastructures"),
    SearchQuery("offshoring", kind="document"),
]


def test_the_watches_of_a_window_matched_together_find_what_each_search_finds(any_store: Store) -> None:
    """A run matches the search watches of one window together (``search_window``, a few statements
    for all): each gets what ``search_ids`` gives for its query over that window, in its order."""
    ids = load(any_store)
    _extracted(any_store, ids)
    with_indicators(any_store, ids)
    rates = load_rates()
    queries = [q for q in (watch_query(k, p, rates=rates) for k, p in QUERIES) if isinstance(q, SearchQuery)]
    queries += MORE
    top = max(ids.values())
    for after, upto in ((0, top), (3, 11), (top - 1, top)):
        together = window.search_window(any_store, queries, after, upto)
        one_by_one = [
            search_ids(any_store, dataclasses.replace(q, id_after=after, id_upto=upto)) for q in queries
        ]
        assert together == one_by_one
        assert matching.match_many(any_store, [(q, after, upto) for q in queries]) == one_by_one
    found = window.search_window(any_store, queries, 0, top)
    assert sum(1 for f in found if len(f) > 2) >= 8, "too few queries find several articles: orders untested"
    every, one = (found[queries.index(q)] for q in MORE[1:3])
    assert len(every) > len(one)  # the copy of the Fès-Shore story is kept when every copy is asked for


def test_figure_filters_fire_on_actual_and_announced_only(any_store: Store) -> None:
    with_indicators(any_store, load(any_store))
    q = watch_query("search", {"indicator": "emplois_crees"})
    assert q.status == ("actual", "announced")
    # the Fès-Shore jobs are a target: a search asking for every status finds them, the watch not
    every = search(any_store, dataclasses.replace(q, status=(), limit=100), with_facets=False)
    watched = search(any_store, dataclasses.replace(q, limit=100), with_facets=False)
    assert {h.title for h in every.hits} - {h.title for h in watched.hits} == {ARTICLES["zone"][2]}
    assert watch_query("search", {"indicator": "emplois_crees", "status": ["target"]}).status == ("target",)


def _money_article(store: Store, key: str, span: str, value: float, unit: str, period: str) -> int:
    text = f"Le groupe investira {span} dans un nouveau centre à Rabat en {period}."
    start = text.index(span)
    aid, _ = store.upsert_article(Article(
        url=f"https://medias24.test/{key}", source="medias24", title=f"Investissement {key}", text=text,
        published=datetime(2025, 9, 1, 9, tzinfo=UTC), themes=["investissement"], relevance=0.8,
    ))  # fmt: skip
    fig = Figure(text=span, start=start, end=start + len(span), value=value, unit=unit, sentence=text,
                 sentence_start=0, sentence_end=len(text), period=period, metric="investissement",
                 indicator="investissement", status="announced")  # fmt: skip
    store.save_analysis(aid, Analysis(figures=(fig,)), "test-1")
    return aid


def test_money_thresholds_compare_euros_and_dollars_in_mad(any_store: Store) -> None:
    """At 2024's rates (EUR 10.8..., USD 9.9...): 15 M€ and 12 M$ are above 100 MDH, 5 M€ below."""
    ids = load(any_store)
    big_eur = _money_article(any_store, "eur15", "15 millions d'euros", 1.5e7, "EUR", "2024")
    small_eur = _money_article(any_store, "eur5", "5 millions d'euros", 5e6, "EUR", "2024")
    big_usd = _money_article(any_store, "usd12", "12 millions de dollars", 1.2e7, "USD", "2024")
    rates = load_rates()
    assert 1.5e7 * rates.rate("EUR", 2024)[0] > 1e8 > 5e6 * rates.rate("EUR", 2024)[0]
    assert 1.2e7 * rates.rate("USD", 2024)[0] > 1e8
    q = watch_query("search", {"unit": "MAD", "min_value": "100 000 000"}, rates=rates)
    found = {a for a, _ in matching.match(any_store, dataclasses.replace(q, one_per_cluster=False), 0, 10**9)}
    assert {big_eur, big_usd, ids["zone"], ids["zone_copy"], ids["export"], ids["medz_invest"]} == found
    assert small_eur not in found
    # without the rates (a plain search on MAD amounts), only the dirhams count
    plain = watch_query("search", {"unit": "MAD", "min_value": "100 000 000"})
    assert big_eur not in {a for a, _ in matching.match(any_store, plain, 0, 10**9)}
    rows = figures(any_store, watch_query("figures", {"unit": "MAD", "min_value": "1e8"}, rates=rates)).rows
    assert {r.article_id for r in rows} >= {big_eur, big_usd} and small_eur not in {
        r.article_id for r in rows
    }


def test_thresholds_read_the_corrected_values(any_store: Store) -> None:
    ids = load(any_store)
    who = add_account(any_store, "nadia@example.ma", role="analyste", password="analyse-2026-longue")
    q = watch_query("search", {"unit": "MAD", "min_value": "100000000"}, rates=load_rates())
    assert ids["medz_invest"] in {a for a, _ in matching.match(any_store, q, 0, 10**9)}
    text = ARTICLES["medz_invest"][4]
    s = text.index("120 millions de dirhams")
    fields = read_fields({"value": "90 000 000", "unit": "MAD", "period": "2025", "status": "actual",
                          "indicator": "investissement"}, load_taxonomy())  # fmt: skip
    corr.correct(
        any_store,
        ids["medz_invest"],
        s,
        s + len("120 millions de dirhams"),
        "correct",
        fields,
        who,
        based_on=0,
    )
    assert ids["medz_invest"] not in {a for a, _ in matching.match(any_store, q, 0, 10**9)}


def test_a_run_records_each_story_once_with_its_ledger_rows(any_store: Store) -> None:
    ids = load(any_store)
    owner = _owner(any_store)
    q = watch_query("search", {"text": "zone franche"})
    watch = w.add_watch(any_store, owner_id=owner, name="zones", params={"text": "zone franche"}, query=q,
                        recipients=["karim@example.ma"], webhook_url="http://127.0.0.1:9/hook")  # fmt: skip
    assert watch.watermark == max(ids.values())  # a new watch alerts on what comes next
    assert watch.recipients == ("amina@example.ma", "karim@example.ma")
    first = alerts.record_batch(any_store, watch, "b1", [(ids["zone"], ids["zone"])], ids["zone"])
    # the copy of the same story, then a correction of the sent article: nothing new
    again = alerts.record_batch(any_store, w.get_watch(any_store, watch.id), "b2",
                           [(ids["zone_copy"], ids["zone"]), (ids["zone"], ids["zone"])], ids["zone_copy"])  # fmt: skip
    assert first.article_ids == (ids["zone"],) and again.article_ids == ()
    assert sorted(r["recipient"] for r in ledger.rows(any_store, alerts.ALERT, "b1")) == [
        "amina@example.ma", "karim@example.ma",
    ]  # fmt: skip
    assert ledger.rows(any_store, alerts.ALERT, "b2") == []
    assert [r["batch"] for r in webhook_rows(any_store, watch.id)] == ["b1"]
    sections = alerts.alert_sections(
        any_store, "b1", ledger.rows(any_store, alerts.ALERT, "b1")[0]["subscriber_id"]
    )
    assert [(s.watch.name, [a["id"] for a in s.articles]) for s in sections] == [("zones", [ids["zone"]])]
    # the owner stops every alert; karim stops this watch: no one is left to write to
    amina = ledger.rows(any_store, alerts.ALERT, "b1")[0]["subscriber_id"]
    alerts.stop_alerts(any_store, amina)
    alerts.stop_alerts(any_store, amina)  # a second click keeps the first stop
    assert alerts.alerts_stopped(any_store, amina)
    karim = next(
        r["subscriber_id"]
        for r in ledger.rows(any_store, alerts.ALERT, "b1")
        if r["recipient"].startswith("k")
    )
    assert alerts.stop_watch(any_store, watch.id, karim)
    assert w.get_watch(any_store, watch.id).recipients == ()
    assert (
        alerts.alert_sections(any_store, "b1", amina) == []
        and alerts.alert_sections(any_store, "b1", karim) == []
    )


def test_names_are_unique_per_owner_and_removal_takes_everything(any_store: Store) -> None:
    load(any_store)
    owner = _owner(any_store)
    q = watch_query("search", {"text": "offshoring"})
    watch = w.add_watch(any_store, owner_id=owner, name="offshoring", params={"text": "offshoring"}, query=q)
    with pytest.raises(w.WatchError, match="already has a watch named"):
        w.add_watch(any_store, owner_id=owner, name="offshoring", params={}, query=q)
    assert w.watch_by_feed_token(any_store, watch.feed_token).id == watch.id  # type: ignore[union-attr]
    assert w.watch_by_feed_token(any_store, watch.feed_token + "x") is None
    assert w.query_from_json(w.query_to_json(q)) == q
    w.remove_watch(any_store, watch.id)
    assert w.list_watches(any_store) == []
