"""Indicator series (issue 18, items 2 and 3): an archive written for the test
(:mod:`tests.store.series_archive`), with agreements, a conflict settled by an official source,
conflicts left to check, approximate values and ranges, targets, EUR, USD and MAD amounts,
periods of different grain, competitor countries and syndicated copies; the consolidated points
and their flags are exactly the expected ones on SQLite and PostgreSQL, whether the archive
groups the figures or reads them one by one, and ``veille indicators`` shows them."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.store.series_archive import EXPECTED, ODC, article, exports, load, summary
from veille.archive.indicators import SeriesQuery, point, series, sides
from veille.archive.store import Store
from veille.cli import main
from veille.core.config import Settings
from veille.core.series import Point


def _series(store: Store, settings: Settings, *, with_citations: bool = False, **kw: object) -> list[Point]:
    return series(store, SeriesQuery(**kw), settings.series_rule, with_citations=with_citations)  # type: ignore[arg-type]


def test_points_are_exactly_the_expected_ones(any_store: Store, settings: Settings) -> None:
    load(any_store)
    assert summary(_series(any_store, settings)) == EXPECTED
    # read one by one, the figures make the same points (the web's citations are these)
    one_by_one = _series(any_store, settings, with_citations=True)
    assert summary(one_by_one) == EXPECTED
    assert [len(p.citations) for p in one_by_one] == [p.citations_count for p in one_by_one]


def test_a_point_keeps_its_citations_and_values(any_store: Store, settings: Settings) -> None:
    ids = load(any_store)
    points = _series(any_store, settings, with_citations=True, indicator="exportations", statuses=("actual",),
                     year_from=2018, year_to=2018)  # fmt: skip
    assert [p.period for p in points] == [
        "2018",
        "2018-Q1",
        "2018-Q2",
    ]  # the span 2014-2018 is not within 2018
    p2018 = points[0]
    assert [c.article_id for c in p2018.citations] == [ids[k] for k in ("a1", "a2", "a3", "a4", "a5", "a6")]
    assert [c.source for c in p2018.citations[:3]] == ["medias24", "lematin", "hespress"]
    assert {c.story for c in p2018.citations[:3]} == {ids["a1"]}  # the copies count once
    assert [(v.value, v.stories, v.citations, v.official, v.agrees) for v in p2018.values] == [
        (18e9, 1, 3, True, True), (19.5e9, 3, 3, False, False),
    ]  # fmt: skip
    assert p2018.citations[0].attributed_to == ODC and p2018.citations[0].official
    assert p2018.citations[0].sentence.startswith("Les exportations de l'offshoring ont atteint 18 milliards")
    # the three stories of 19,5 milliards disagree with the official 18 (8 % away)
    assert [c.article_id for c in p2018.disagreeing] == [ids[k] for k in ("a4", "a5", "a6")]
    (p2019,) = _series(any_store, settings, with_citations=True, indicator="exportations", statuses=("actual",),
                       year_from=2019, year_to=2019)  # fmt: skip
    euro = next(c for c in p2019.citations if c.unit == "EUR")
    assert (euro.value, euro.rate, euro.rate_year, euro.agrees) == (1.857e9, 10.77, 2019, True)
    assert [(v.value, v.stories) for v in p2019.values] == [(20e9, 2), (21e9, 1)]  # the euros agree with 20
    assert not p2019.conflict and all(c.agrees for c in p2019.citations)  # 21 is 5 % away: not more


def test_approximate_values_and_ranges(any_store: Store, settings: Settings) -> None:
    ids = load(any_store)
    created = {p.period: p for p in _series(any_store, settings, with_citations=True, indicator="emplois_crees",
                                            statuses=("actual",))}  # fmt: skip
    agreeing = {ids[c] for c in ("k1", "k2", "k3", "k4")}  # 20 000, 20 000, environ 21 500, 18 000 à 22 000
    assert {c.article_id for c in created["2022"].citations if c.agrees} == agreeing
    assert [c.article_id for c in created["2023"].disagreeing] == [ids["m3"]]  # près de 25 000: 13,6 %
    assert [c.article_id for c in created["2021"].disagreeing] == [
        ids["n3"]
    ]  # 16 000 à 18 000 leaves 15 000 out


def test_one_point_by_its_key(any_store: Store, settings: Settings) -> None:
    ids = load(any_store)
    p = point(
        any_store, ("exportations", "actual", "country", "Maroc", "2020", "MAD", ""), settings.series_rule
    )
    assert p is not None and (p.value, p.conflict) == (16e9, True)
    assert [(c.article_id, c.agrees) for c in p.citations] == [(ids["c1"], False), (ids["c2"], True)]
    assert (
        point(
            any_store, ("exportations", "actual", "country", "Maroc", "2031", "MAD", ""), settings.series_rule
        )
        is None
    )


def test_a_point_s_citations_a_page_at_a_time_and_a_conflict_s_sides(
    any_store: Store, settings: Settings
) -> None:
    ids = load(any_store)
    rule = settings.series_rule
    key = ("exportations", "actual", "country", "Maroc", "2018", "MAD", "")
    pages = [point(any_store, key, rule, limit=4, offset=offset) for offset in (0, 4)]
    assert [[c.article_id for c in p.citations] for p in pages if p] == [
        [ids[k] for k in ("a1", "a2", "a3", "a4")], [ids[k] for k in ("a5", "a6")],
    ]  # fmt: skip
    assert [c.agrees for p in pages if p for c in p.citations] == [True, True, True, False, False, False]
    assert all(p is not None and p.citations_count == 6 for p in pages)
    (p2018,) = _series(any_store, settings, indicator="exportations", statuses=("actual",), period="2018")
    assert (p2018.chosen_values, p2018.disagreeing_values) == ((18e9,), (19.5e9,))
    chosen, disagreeing = sides(any_store, p2018, rule, 2)
    assert [c.article_id for c in chosen] == [ids["a1"], ids["a2"]]
    assert [c.article_id for c in disagreeing] == [ids["a4"], ids["a5"]]


def test_every_point_is_kept_and_computed_again_apart_after_a_write(
    any_store: Store, settings: Settings
) -> None:
    from veille.archive import overview as ov

    load(any_store)
    rule = settings.series_rule
    first = ov.overview(any_store, rule)  # never computed: the first reader waits for it
    assert first.current and summary(ov.every_point(any_store)) == EXPECTED
    total, shown = ov.flagged(any_store, None, 0, 2)
    assert total == sum(1 for p in EXPECTED if p[-3]) == 4 and len(shown) == 2
    assert [p.citations_count for p in shown] == sorted((p.citations_count for p in shown), reverse=True)
    # a third story gives 30 milliards for 2019: the figures changed, the points kept did not
    article(any_store, "z", "le360", "2025-03-01", "Les exportations ont atteint 30 milliards de DH en 2019.",
            [exports(30e9, "2019", "30 milliards de DH")])  # fmt: skip
    stale = ov.overview(any_store, rule)  # served at once, a computation started in a process of its own
    assert not stale.current and stale.computed_at == first.computed_at
    assert summary(ov.every_point(any_store)) == EXPECTED
    ov.settle()
    fresh = ov.overview(any_store, rule)
    assert fresh.current and fresh.computed_at is not None and first.computed_at is not None
    assert fresh.computed_at > first.computed_at
    p2019 = next(
        p
        for p in ov.every_point(any_store)
        if (p.indicator, p.status, p.period) == ("exportations", "actual", "2019")
    )
    assert (p2019.conflict, p2019.disagreeing_count, p2019.citations_count) == (True, 1, 4)
    assert ov.flagged(any_store, None, 0, 100)[0] == total + 1
    assert (
        ov.flagged(any_store, "exportations", 0, 100)[0]
        == sum(1 for p in EXPECTED if p[-3] and p[0] == "exportations") + 1
    )
    # the points as kept are the points as computed now, once read back
    assert summary(ov.every_point(any_store)) == summary(_series(any_store, settings))
    # another rule (rates.toml edited) makes them stale too
    loose = replace(rule, conflict_share=0.2)
    assert not ov.overview(any_store, loose).current
    ov.settle()
    assert ov.overview(any_store, loose).current


def test_the_tolerances_are_settings(any_store: Store, settings: Settings) -> None:
    load(any_store)
    loose = replace(settings.series_rule, conflict_share=0.1, approx_share=0.2)
    conflicts = [(p.indicator, p.period) for p in series(any_store, SeriesQuery(), loose) if p.conflict]
    # 19,5 is within 10 % of 18 and 16 of 15, près de 25 000 within 20 % of 22 000; a range still must contain
    assert conflicts == [("emplois_crees", "2021")]


def test_filters(any_store: Store, settings: Settings) -> None:
    load(any_store)
    tunisia = _series(any_store, settings, scope_kind="country", scope="tunisie")
    assert [(p.indicator, p.status, p.scope, p.value) for p in tunisia] == [
        ("effectif", "actual", "Tunisie", 25000), ("effectif", "target", "Tunisie", 40000),
    ]  # fmt: skip
    assert [p.scope for p in _series(any_store, settings, scope="Casanearshore")] == ["Casanearshore"]
    assert _series(any_store, settings, scope="Atlantide") == []
    # a figure without a scope (extracted before scopes) is Morocco's
    maroc_2020 = _series(
        any_store, settings, scope_kind="country", scope="Maroc", year_from=2020, year_to=2020
    )
    assert [(p.period, p.citations_count) for p in maroc_2020] == [("2020", 2)]
    # targets alone still carry their progress (the actual series is read for them)
    targets = _series(any_store, settings, statuses=("target",), indicator="exportations")
    assert [(p.status, p.value, p.progress.share if p.progress else None) for p in targets] == [
        ("target", 25e9, 0.72)
    ]
    spans = _series(any_store, settings, indicator="exportations", year_from=2014, year_to=2018)
    assert [p.period for p in spans] == ["2014-2018", "2018", "2018-Q1", "2018-Q2", "2018"]
    assert [p.period for p in _series(any_store, settings, indicator="exportations", year_from=2015)] == [
        "2018", "2018-Q1", "2018-Q2", "2019", "2020", "2018",
    ]  # fmt: skip
    grains = {g: [p.period for p in _series(any_store, settings, indicator="exportations", statuses=("actual",),
                                            grain=g)] for g in ("year", "quarter", "span", "half")}  # fmt: skip
    assert grains == {"year": ["2018", "2019", "2020"], "quarter": ["2018-Q1", "2018-Q2"], "span": ["2014-2018"],
                      "half": []}  # fmt: skip
    assert [p.indicator for p in _series(any_store, settings, unit="MAD", statuses=("announced",))] == [
        "investissement"
    ]
    assert _series(any_store, settings, unit="jobs", indicator="exportations") == []


def test_the_command(store: Store, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    load(store)
    assert main(["indicators", "--indicator", "exportations", "--status", "actual", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "Bank Al-Maghrib" in data["rates_source"]
    p2018 = next(p for p in data["points"] if p["period"] == "2018")
    assert (p2018["value"], p2018["rule"], p2018["stories"], p2018["citations_count"]) == (
        18e9,
        "official",
        4,
        6,
    )
    assert (p2018["conflict"], p2018["disagreeing_count"]) == (True, 3)
    assert [c["agrees"] for c in p2018["citations"]] == [True, True, True, False, False, False]
    assert p2018["scope"] == {"kind": "country", "name": "Maroc"} and p2018["grain"] == "year"
    assert p2018["citations"][0]["url"] == "https://medias24.test/a1"
    assert main(["indicators", "--scope", "country:Tunisie", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["indicator"], r["status"], r["value"], r["rule"], r["progress_share"]) for r in rows] == [
        ("effectif", "actual", "25000.0", "only", ""), ("effectif", "target", "40000.0", "only", "0.625"),
    ]  # fmt: skip
    assert main(["indicators", "--indicator", "exportations", "--grain", "quarter", "--unit", "EUR", "--format",
                 "csv"]) == 0  # fmt: skip  # EUR: the points in MAD, where euros are compared
    assert [r["period"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))] == [
        "2018-Q1",
        "2018-Q2",
    ]
    assert main(["indicators", "--indicator", "exportations", "--from", "2018", "--to", "2018"]) == 0
    out = capsys.readouterr().out
    assert (
        "18 milliards DH" in out and "official" in out and "4 points" in out
    )  # 2018, its quarters, its target
    assert "CONFLICT (3 disagree)" in out and "72% reached (2018)" in out


def test_the_command_lists_the_conflicts_and_writes_a_workbook(
    store: Store, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    load(store)
    assert main(["indicators", "--conflicts", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["indicator"], r["period"], r["disagreeing"]) for r in rows] == [
        ("emplois_crees", "2021", "1"), ("emplois_crees", "2023", "1"), ("exportations", "2018", "3"),
        ("exportations", "2020", "1"),
    ]  # fmt: skip
    target = tmp_path / "a-verifier.xlsx"
    assert main(["indicators", "--conflicts", "--format", "xlsx", "-o", str(target)]) == 0
    assert "4 points and 14 citations written to" in capsys.readouterr().out
    book = load_workbook(target, read_only=True)
    points = list(book["Points"].values)
    assert points[0][:3] == ("indicator", "status", "scope_kind") and len(points) == 5
    assert [(r[0], r[4], r[8], r[16]) for r in points[1:]] == [
        ("emplois_crees", "2021", 15000, True), ("emplois_crees", "2023", 22000, True),
        ("exportations", "2018", 18e9, True), ("exportations", "2020", 16e9, True),
    ]  # fmt: skip
    cites = list(book["Citations"].values)
    header = cites[0]
    sentences = [dict(zip(header, r, strict=True)) for r in cites[1:]]
    assert len(sentences) == 14 and sum(1 for r in sentences if not r["agrees"]) == 6
    first = next(r for r in sentences if r["period"] == "2018" and r["source"] == "leseco")
    assert first["sentence"].startswith("Les exportations du secteur ont atteint 19,5 milliards")
    assert (first["agrees"], first["value"], first["published"].date().isoformat()) == (
        False,
        19.5e9,
        "2019-04-01",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicator", "exports"], "--indicator: unknown indicator 'exports'"),
        (["--status", "done"], "--status: unknown status 'done'"),
        (["--scope", "planet:Mars"], "--scope: unknown scope kind 'planet'"),
        (["--from", "2020", "--to", "2018"], "--from is above --to"),
        (["--grain", "month"], "--grain: unknown grain 'month'"),
        (["--unit", "DH"], "--unit: unknown unit 'DH'"),
        (["--format", "xml"], "--format: unknown format 'xml'"),
        (["--format", "xlsx"], "--format xlsx writes a file: add -o FILE.xlsx"),
        (["--format", "csv", "-o", "x.xlsx"], "-o is for --format xlsx"),
    ],
)
def test_bad_options_are_one_line(
    store: Store, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators", *args]) != 0
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_an_archived_article_dated_again_or_an_organisation_split_makes_the_points_stale(
    any_store: Store, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from veille.archive import org_edits
    from veille.archive import overview as ov
    from veille.archive.accounts import add_account
    from veille.core.models import Article

    load(any_store)
    rule = settings.series_rule
    assert ov.overview(any_store, rule).current
    again = Article(url="https://medias24.test/a1", source="medias24", title="Article a1", text="Nouveau texte.",
                    published=datetime(2019, 3, 2, 8, tzinfo=UTC))  # fmt: skip
    any_store.upsert_article(again)  # its figures carry its date: the most recent citation may change
    assert not ov.overview(any_store, rule).current
    ov.settle()
    assert ov.overview(any_store, rule).current
    who = add_account(any_store, "nadia@example.ma", role="analyste", password="analyse-2026-longue")
    first = org_edits.mentions_of(any_store, ODC)[0]
    org_edits.split(
        any_store, ODC, "Office des changes (bureau de Rabat)", [first[:3]], who, kind="public_body"
    )
    assert not ov.overview(any_store, rule).current
    ov.settle()


def test_the_refresh_command_keeps_every_point(
    store: Store, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from veille.archive import overview as ov

    load(store)
    assert ov.every_point(store) == []  # nothing kept before a computation
    assert main(["indicators", "--refresh"]) == 0
    assert capsys.readouterr().out.startswith(f"{len(EXPECTED)} points computed and kept in ")
    assert summary(ov.every_point(store)) == EXPECTED
    assert ov.overview(store, settings.series_rule).current
