"""Indicator series (issue 18, item 2): an archive written for the test, with agreements, a
conflict settled by an official source, a target, EUR, USD and MAD amounts, periods of
different grain, a competitor country and syndicated copies; the consolidated points are exactly
the expected ones on SQLite and PostgreSQL, and ``veille indicators`` shows them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from veille.archive.indicators import SeriesQuery, series
from veille.archive.store import Store
from veille.cli import main
from veille.core.config import Settings
from veille.core.models import Analysis, Article, Figure, Mention, Organisation
from veille.core.series import Point

ODC = "Office des changes"


def _article(store: Store, key: str, source: str, day: str, text: str, figures: list[dict], *,
             cluster: int | None = None, orgs: tuple[Organisation, ...] = ()) -> int:  # fmt: skip
    art = Article(url=f"https://{source}.test/{key}", source=source, title=key, text=text,
                  published=datetime.fromisoformat(day + "T08:00:00").replace(tzinfo=UTC), relevance=0.9,
                  cluster=cluster)  # fmt: skip
    aid, _ = store.upsert_article(art)
    figs = []
    for spec in figures:
        spec = dict(spec)
        span = spec.pop("span")
        start = text.index(span)
        figs.append(Figure(text=span, start=start, end=start + len(span), sentence=text, sentence_start=0,
                           sentence_end=len(text), **spec))  # fmt: skip
    store.save_analysis(aid, Analysis(figures=tuple(figs), organisations=orgs), "test-series")
    return aid


def _exports(value: float, period: str, span: str, *, unit: str = "MAD", status: str = "actual",
             scope: tuple[str | None, str | None] = ("country", "Maroc"), **kw: object) -> dict:  # fmt: skip
    return {"span": span, "value": value, "unit": unit, "period": period, "indicator": "exportations",
            "status": status, "scope_kind": scope[0], "scope": scope[1], **kw}  # fmt: skip


def load(store: Store) -> dict[str, int]:
    ids: dict[str, int] = {}
    odc_text = (
        "Les exportations de l'offshoring ont atteint 18 milliards de DH en 2018, selon l'Office des changes."
    )
    odc = Organisation(
        name=ODC, kind="public_body", mentions=(Mention(odc_text.index("Office"), len(odc_text) - 1, ODC),)
    )
    # 2018: one official story carried by three outlets (one story), against three other
    # stories saying 19,5 milliards: the official value is chosen
    ids["a1"] = _article(
        store,
        "a1",
        "medias24",
        "2019-03-01",
        odc_text,
        [_exports(18e9, "2018", "18 milliards de DH", attributed_to=ODC)],
        orgs=(odc,),
    )
    for key, source, day in (("a2", "lematin", "2019-03-02"), ("a3", "hespress", "2019-03-02")):
        ids[key] = _article(
            store,
            key,
            source,
            day,
            odc_text,
            [_exports(18e9, "2018", "18 milliards de DH", attributed_to=ODC)],
            cluster=ids["a1"],
            orgs=(odc,),
        )
    for key, source, day in (
        ("a4", "leseco", "2019-04-01"),
        ("a5", "le360", "2019-04-02"),
        ("a6", "telquel", "2019-05-01"),
    ):
        text = f"Les exportations du secteur ont atteint 19,5 milliards de DH en 2018 ({key})."
        ids[key] = _article(store, key, source, day, text, [_exports(19.5e9, "2018", "19,5 milliards de DH")])
    # a 2018 target: its own series, never the actual value
    text = "L'objectif pour 2018 était de 25 milliards de DH d'exportations."
    ids["target"] = _article(
        store,
        "target",
        "leseco",
        "2019-06-01",
        text,
        [_exports(25e9, "2018", "25 milliards de DH", status="target")],
    )
    # 2019: 20 milliards de DH and its euro version (10,77 DH in 2019) agree; 21 milliards once
    ids["b1"] = _article(
        store,
        "b1",
        "medias24",
        "2020-02-01",
        "Les exportations ont atteint 20 milliards de DH en 2019.",
        [_exports(20e9, "2019", "20 milliards de DH")],
    )
    ids["b2"] = _article(
        store,
        "b2",
        "leseco",
        "2020-02-05",
        "L'offshoring a exporté 1,857 milliard d'euros en 2019.",
        [_exports(1.857e9, "2019", "1,857 milliard d'euros", unit="EUR")],
    )
    ids["b3"] = _article(
        store,
        "b3",
        "lematin",
        "2020-03-01",
        "Les exportations ont atteint 21 milliards de DH en 2019.",
        [_exports(21e9, "2019", "21 milliards de DH")],
    )
    # 2020: two values, one story each: the most recent; the older figure predates scopes (NULL: Morocco)
    ids["c1"] = _article(
        store,
        "c1",
        "medias24",
        "2021-01-10",
        "Les exportations ont atteint 15 milliards de DH en 2020.",
        [_exports(15e9, "2020", "15 milliards de DH", scope=(None, None))],
    )
    ids["c2"] = _article(
        store,
        "c2",
        "leseco",
        "2021-02-10",
        "Les exportations ont atteint 16 milliards de DH en 2020.",
        [_exports(16e9, "2020", "16 milliards de DH")],
    )
    # quarters and a span are points of their own; the year 2018 is not their sum
    text = "Les exportations ont atteint 4,5 milliards de DH au premier trimestre 2018 et 4,6 milliards de DH au deuxième."
    ids["d"] = _article(
        store,
        "d",
        "le360",
        "2018-08-01",
        text,
        [
            _exports(4.5e9, "2018-Q1", "4,5 milliards de DH"),
            _exports(4.6e9, "2018-Q2", "4,6 milliards de DH"),
        ],
    )
    text = "Entre 2014 et 2018, l'offshoring a exporté 75 milliards de DH."
    ids["e"] = _article(
        store, "e", "medias24", "2019-01-15", text, [_exports(75e9, "2014-2018", "75 milliards de DH")]
    )
    # no period: no point
    ids["nop"] = _article(
        store,
        "nop",
        "medias24",
        "2019-01-16",
        "Les exportations pèsent 9 milliards de DH.",
        [_exports(9e9, None, "9 milliards de DH")],
    )  # type: ignore[arg-type]
    # jobs: Morocco (an official source against two press stories) and a competitor
    jobs = {"indicator": "effectif", "unit": "jobs", "period": "2024", "status": "actual"}
    for key, source, day in (("h1", "leseco", "2025-01-10"), ("h2", "medias24", "2025-01-12")):
        text = f"L'offshoring emploie 130 000 personnes en 2024 ({key})."
        ids[key] = _article(
            store,
            key,
            source,
            day,
            text,
            [
                {
                    "span": "130 000 personnes",
                    "value": 130000,
                    **jobs,
                    "scope_kind": "country",
                    "scope": "Maroc",
                }
            ],
        )
    text = "Le secteur emploie 125 000 personnes en 2024."
    ids["h3"] = _article(
        store,
        "h3",
        "apebi",
        "2025-01-05",
        text,
        [{"span": "125 000 personnes", "value": 125000, **jobs, "scope_kind": "country", "scope": "Maroc"}],
    )
    text = "La Tunisie emploie 25 000 personnes dans l'offshoring en 2024."
    ids["g"] = _article(
        store,
        "g",
        "leseco",
        "2025-01-20",
        text,
        [{"span": "25 000 personnes", "value": 25000, **jobs, "scope_kind": "country", "scope": "Tunisie"}],
    )
    # dollars invested in a park, 2023 (10,13 DH)
    text = "Un investissement de 50 millions de dollars à Casanearshore en 2023."
    ids["i"] = _article(
        store,
        "i",
        "medias24",
        "2023-06-01",
        text,
        [
            {
                "span": "50 millions de dollars",
                "value": 50e6,
                "unit": "USD",
                "period": "2023",
                "indicator": "investissement",
                "status": "announced",
                "scope_kind": "zone",
                "scope": "Casanearshore",
            }
        ],
    )
    return ids  # fmt: skip


def _series(store: Store, settings: Settings, **kw: object) -> list[Point]:
    return series(
        store,
        SeriesQuery(**kw),  # type: ignore[arg-type]
        rates=settings.rates,
        default_country=settings.zones.default_country,
        official_kinds=settings.zones.official_kinds,
        official_sources=settings.official_sources,
    )


def _summary(points: list[Point]) -> list[tuple]:
    return [(p.indicator, p.status, p.scope_kind, p.scope, p.period, p.unit, p.value, p.rule, p.stories,
             len(p.citations), p.low, p.high) for p in points]  # fmt: skip


EXPECTED = [
    ("effectif", "actual", "country", "Maroc", "2024", "jobs", 125000, "official", 3, 3, 125000, 130000),
    ("effectif", "actual", "country", "Tunisie", "2024", "jobs", 25000, "only", 1, 1, 25000, 25000),
    ("exportations", "actual", "country", "Maroc", "2014-2018", "MAD", 75e9, "only", 1, 1, 75e9, 75e9),
    ("exportations", "actual", "country", "Maroc", "2018", "MAD", 18e9, "official", 4, 6, 18e9, 19.5e9),
    ("exportations", "actual", "country", "Maroc", "2018-Q1", "MAD", 4.5e9, "only", 1, 1, 4.5e9, 4.5e9),
    ("exportations", "actual", "country", "Maroc", "2018-Q2", "MAD", 4.6e9, "only", 1, 1, 4.6e9, 4.6e9),
    ("exportations", "actual", "country", "Maroc", "2019", "MAD", 20e9, "most_cited", 3, 3,
     pytest.approx(1.857e9 * 10.77), 21e9),
    ("exportations", "actual", "country", "Maroc", "2020", "MAD", 16e9, "most_recent", 2, 2, 15e9, 16e9),
    ("exportations", "target", "country", "Maroc", "2018", "MAD", 25e9, "only", 1, 1, 25e9, 25e9),
    ("investissement", "announced", "zone", "Casanearshore", "2023", "MAD", pytest.approx(50e6 * 10.13), "only",
     1, 1, pytest.approx(50e6 * 10.13), pytest.approx(50e6 * 10.13)),
]  # fmt: skip


def test_points_are_exactly_the_expected_ones(any_store: Store, settings: Settings) -> None:
    load(any_store)
    assert _summary(_series(any_store, settings)) == EXPECTED


def test_a_point_keeps_its_citations_and_values(any_store: Store, settings: Settings) -> None:
    ids = load(any_store)
    points = _series(
        any_store, settings, indicator="exportations", statuses=("actual",), year_from=2018, year_to=2018
    )
    assert [p.period for p in points] == [
        "2018",
        "2018-Q1",
        "2018-Q2",
    ]  # the span 2014-2018 is not within 2018
    p2018 = points[0]
    assert [c.article_id for c in p2018.citations] == [ids[k] for k in ("a1", "a2", "a3", "a4", "a5", "a6")]
    assert [c.source for c in p2018.citations[:3]] == ["medias24", "lematin", "hespress"]
    assert {c.story for c in p2018.citations[:3]} == {ids["a1"]}  # the copies count once
    assert [(v.value, v.stories, v.citations, v.official) for v in p2018.values] == [
        (18e9, 1, 3, True), (19.5e9, 3, 3, False),
    ]  # fmt: skip
    assert p2018.citations[0].attributed_to == ODC and p2018.citations[0].official
    assert p2018.citations[0].sentence.startswith("Les exportations de l'offshoring ont atteint 18 milliards")
    (p2019,) = _series(any_store, settings, indicator="exportations", statuses=("actual",), year_from=2019,
                       year_to=2019)  # fmt: skip
    euro = next(c for c in p2019.citations if c.unit == "EUR")
    assert (euro.value, euro.rate, euro.rate_year) == (1.857e9, 10.77, 2019)
    assert [(v.value, v.stories) for v in p2019.values] == [(20e9, 2), (21e9, 1)]  # the euros agree with 20


def test_filters(any_store: Store, settings: Settings) -> None:
    load(any_store)
    tunisia = _series(any_store, settings, scope_kind="country", scope="tunisie")
    assert [(p.indicator, p.scope, p.value) for p in tunisia] == [("effectif", "Tunisie", 25000)]
    assert [p.scope for p in _series(any_store, settings, scope="Casanearshore")] == ["Casanearshore"]
    # a figure without a scope (extracted before scopes) is Morocco's
    maroc_2020 = _series(
        any_store, settings, scope_kind="country", scope="Maroc", year_from=2020, year_to=2020
    )
    assert [(p.period, len(p.citations)) for p in maroc_2020] == [("2020", 2)]
    targets = _series(any_store, settings, statuses=("target",))
    assert [(p.status, p.value) for p in targets] == [("target", 25e9)]
    spans = _series(any_store, settings, indicator="exportations", year_from=2014, year_to=2018)
    assert [p.period for p in spans] == ["2014-2018", "2018", "2018-Q1", "2018-Q2", "2018"]
    assert [p.period for p in _series(any_store, settings, indicator="exportations", year_from=2015)] == [
        "2018", "2018-Q1", "2018-Q2", "2019", "2020", "2018",
    ]  # fmt: skip


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
    assert p2018["scope"] == {"kind": "country", "name": "Maroc"} and p2018["grain"] == "year"
    assert p2018["citations"][0]["url"] == "https://medias24.test/a1"
    assert main(["indicators", "--scope", "country:Tunisie", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["indicator"], r["scope"], r["value"], r["rule"]) for r in rows] == [
        ("effectif", "Tunisie", "25000.0", "only")
    ]
    assert main(["indicators", "--indicator", "exportations", "--from", "2018", "--to", "2018"]) == 0
    out = capsys.readouterr().out
    assert (
        "18 milliards DH" in out and "official" in out and "4 points" in out
    )  # 2018, its quarters, its target


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicator", "exports"], "--indicator: unknown indicator 'exports'"),
        (["--status", "done"], "--status: unknown status 'done'"),
        (["--scope", "planet:Mars"], "--scope: unknown scope kind 'planet'"),
        (["--from", "2020", "--to", "2018"], "--from 2020 is after --to 2018"),
        (["--format", "xml"], "--format: unknown format 'xml'"),
    ],
)
def test_bad_options_are_one_line(
    store: Store, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators", *args]) != 0
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
