"""An archive written for the indicator series' tests (store, command, web): agreements, a
conflict settled by an official source, conflicts left to check, approximate values and ranges
that agree or not, targets against their actual series, EUR, USD and MAD amounts, periods of
different grain, competitor countries and syndicated copies.

Written through the store's public API, the offsets computed from the texts. :data:`EXPECTED`
is what the rule must make of it (README, "Indicator series"), worked out by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from veille.archive.store import Store
from veille.core.models import Analysis, Article, Figure, Mention, Organisation
from veille.core.series import Point

ODC = "Office des changes"


def article(store: Store, key: str, source: str, day: str, text: str, figures: list[dict], *,
            cluster: int | None = None, orgs: tuple[Organisation, ...] = (),
            sentence: str | None = None) -> int:  # fmt: skip
    art = Article(url=f"https://{source}.test/{key}", source=source, title=f"Article {key}", text=text,
                  published=datetime.fromisoformat(day + "T08:00:00").replace(tzinfo=UTC), relevance=0.9,
                  cluster=cluster)  # fmt: skip
    aid, _ = store.upsert_article(art)
    figs = []
    for spec in figures:
        spec = dict(spec)
        span = spec.pop("span")
        said = sentence or text  # the figure's sentence: the whole text unless named
        begin = text.index(said)
        start = text.index(span, begin)
        figs.append(Figure(text=span, start=start, end=start + len(span), sentence=said, sentence_start=begin,
                           sentence_end=begin + len(said), **spec))  # fmt: skip
    store.save_analysis(aid, Analysis(figures=tuple(figs), organisations=orgs), "test-series")
    return aid


def exports(value: float, period: str | None, span: str, *, unit: str = "MAD", status: str = "actual",
            scope: tuple[str | None, str | None] = ("country", "Maroc"), **kw: object) -> dict:  # fmt: skip
    return {"span": span, "value": value, "unit": unit, "period": period, "indicator": "exportations",
            "status": status, "scope_kind": scope[0], "scope": scope[1], **kw}  # fmt: skip


def jobs(indicator: str, value: float, period: str, span: str, *, status: str = "actual",
         scope: str = "Maroc", **kw: object) -> dict:  # fmt: skip
    return {"span": span, "value": value, "unit": "jobs", "period": period, "indicator": indicator,
            "status": status, "scope_kind": "country", "scope": scope, **kw}  # fmt: skip


def _exports(store: Store, ids: dict[str, int]) -> None:
    odc_text = (
        "Les exportations de l'offshoring ont atteint 18 milliards de DH en 2018, selon l'Office des changes."
    )
    odc = Organisation(
        name=ODC, kind="public_body", mentions=(Mention(odc_text.index("Office"), len(odc_text) - 1, ODC),)
    )
    # 2018: one official story carried by three outlets (one story), against three other
    # stories saying 19,5 milliards (8 % away: they disagree): the official value is chosen
    figure = [exports(18e9, "2018", "18 milliards de DH", attributed_to=ODC)]
    ids["a1"] = article(store, "a1", "medias24", "2019-03-01", odc_text, figure, orgs=(odc,))
    for key, source, day in (("a2", "lematin", "2019-03-02"), ("a3", "hespress", "2019-03-02")):
        ids[key] = article(store, key, source, day, odc_text, figure, cluster=ids["a1"], orgs=(odc,))
    for key, source, day in (("a4", "leseco", "2019-04-01"), ("a5", "le360", "2019-04-02"),
                             ("a6", "telquel", "2019-05-01")):  # fmt: skip
        text = f"Les exportations du secteur ont atteint 19,5 milliards de DH en 2018 ({key})."
        ids[key] = article(store, key, source, day, text, [exports(19.5e9, "2018", "19,5 milliards de DH")])
    # a 2018 target: its own series, never the actual value; 72 % reached (18 of 25)
    text = "L'objectif pour 2018 était de 25 milliards de DH d'exportations."
    ids["target"] = article(store, "target", "leseco", "2019-06-01", text,
                            [exports(25e9, "2018", "25 milliards de DH", status="target")])  # fmt: skip
    # 2019: 20 milliards de DH and its euro version (10,77 DH in 2019) agree; 21 milliards once,
    # exactly 5 % away: it agrees (a conflict is *more* than 5 %)
    for key, source, day, text, figure in (
        ("b1", "medias24", "2020-02-01", "Les exportations ont atteint 20 milliards de DH en 2019.",
         exports(20e9, "2019", "20 milliards de DH")),
        ("b2", "leseco", "2020-02-05", "L'offshoring a exporté 1,857 milliard d'euros en 2019.",
         exports(1.857e9, "2019", "1,857 milliard d'euros", unit="EUR")),
        ("b3", "lematin", "2020-03-01", "Les exportations ont atteint 21 milliards de DH en 2019.",
         exports(21e9, "2019", "21 milliards de DH")),
        # 2020: two values, one story each: the most recent, 16; 15 is 6 % away: a conflict.
        # The older figure predates scopes (NULL: Morocco)
        ("c1", "medias24", "2021-01-10", "Les exportations ont atteint 15 milliards de DH en 2020.",
         exports(15e9, "2020", "15 milliards de DH", scope=(None, None))),
        ("c2", "leseco", "2021-02-10", "Les exportations ont atteint 16 milliards de DH en 2020.",
         exports(16e9, "2020", "16 milliards de DH")),
        # no period: no point
        ("nop", "medias24", "2019-01-16", "Les exportations pèsent 9 milliards de DH.",
         exports(9e9, None, "9 milliards de DH")),
        # a span is a point of its own
        ("e", "medias24", "2019-01-15", "Entre 2014 et 2018, l'offshoring a exporté 75 milliards de DH.",
         exports(75e9, "2014-2018", "75 milliards de DH")),
    ):  # fmt: skip
        ids[key] = article(store, key, source, day, text, [figure])
    # quarters are points of their own; the year 2018 is not their sum
    text = "Les exportations ont atteint 4,5 milliards de DH au premier trimestre 2018 et 4,6 milliards de DH au deuxième."
    ids["d"] = article(store, "d", "le360", "2018-08-01", text,
                       [exports(4.5e9, "2018-Q1", "4,5 milliards de DH"),
                        exports(4.6e9, "2018-Q2", "4,6 milliards de DH")])  # fmt: skip


def _jobs(store: Store, ids: dict[str, int]) -> None:
    # effectif 2024, Morocco: an official source (apebi) against two press stories 4 % away (they agree)
    for key, source, day in (("h1", "leseco", "2025-01-10"), ("h2", "medias24", "2025-01-12")):
        text = f"L'offshoring emploie 130 000 personnes en 2024 ({key})."
        ids[key] = article(
            store, key, source, day, text, [jobs("effectif", 130000, "2024", "130 000 personnes")]
        )
    text = "Le secteur emploie 125 000 personnes en 2024."
    ids["h3"] = article(store, "h3", "apebi", "2025-01-05", text,
                        [jobs("effectif", 125000, "2024", "125 000 personnes")])  # fmt: skip
    # a 2026 target for the stock of jobs: 125 000 of 150 000 reached by 2024 (5/6)
    text = "Le secteur vise 150 000 emplois en 2026."
    ids["t1"] = article(store, "t1", "le360", "2025-02-01", text,
                        [jobs("effectif", 150000, "2026", "150 000 emplois", status="target")])  # fmt: skip
    # a competitor, with its own target: 25 000 of 40 000 (62,5 %), never measured against Morocco
    text = "La Tunisie emploie 25 000 personnes dans l'offshoring en 2024."
    ids["g"] = article(store, "g", "leseco", "2025-01-20", text,
                       [jobs("effectif", 25000, "2024", "25 000 personnes", scope="Tunisie")])  # fmt: skip
    text = "La Tunisie vise 40 000 emplois dans l'offshoring en 2025."
    ids["g2"] = article(store, "g2", "le360", "2025-01-22", text,
                        [jobs("effectif", 40000, "2025", "40 000 emplois", scope="Tunisie", status="target")])  # fmt: skip
    # jobs created, 2022: 20 000 (two stories), "environ 21 500" (7,5 %: an approximate value
    # agrees within 10 %), "entre 18 000 et 22 000" (a range containing 20 000): no conflict
    for key, source, day, text, figure in (
        ("k1", "medias24", "2023-01-10", "Le secteur a créé 20 000 emplois en 2022.",
         jobs("emplois_crees", 20000, "2022", "20 000 emplois")),
        ("k2", "leseco", "2023-01-12", "L'offshoring a généré 20 000 emplois en 2022.",
         jobs("emplois_crees", 20000, "2022", "20 000 emplois")),
        ("k3", "le360", "2023-01-15", "Environ 21 500 emplois ont été créés en 2022.",
         jobs("emplois_crees", 21500, "2022", "Environ 21 500 emplois", approx=True)),
        ("k4", "telquel", "2023-01-20", "Entre 18 000 et 22 000 emplois créés en 2022.",
         jobs("emplois_crees", 18000, "2022", "18 000 et 22 000 emplois", range_max=22000)),
        # 2023: 22 000 (two stories) against "environ 25 000" (13,6 %: more than 10 %, a conflict)
        ("m1", "medias24", "2024-01-10", "Le secteur a créé 22 000 emplois en 2023.",
         jobs("emplois_crees", 22000, "2023", "22 000 emplois")),
        ("m2", "lematin", "2024-01-11", "L'offshoring a créé 22 000 emplois en 2023.",
         jobs("emplois_crees", 22000, "2023", "22 000 emplois")),
        ("m3", "hespress", "2024-01-12", "Près de 25 000 emplois ont été créés en 2023.",
         jobs("emplois_crees", 25000, "2023", "25 000 emplois", approx=True)),
        # 2021: 15 000 (two stories) against "entre 16 000 et 18 000" (a range leaving 15 000 out: a conflict)
        ("n1", "medias24", "2022-01-10", "Le secteur a créé 15 000 emplois en 2021.",
         jobs("emplois_crees", 15000, "2021", "15 000 emplois")),
        ("n2", "leseco", "2022-01-11", "L'offshoring a créé 15 000 emplois en 2021.",
         jobs("emplois_crees", 15000, "2021", "15 000 emplois")),
        ("n3", "le360", "2022-01-12", "Entre 16 000 et 18 000 emplois ont été créés en 2021.",
         jobs("emplois_crees", 16000, "2021", "16 000 et 18 000 emplois", range_max=18000)),
        # the target: 60 000 jobs by 2030; the latest actual year, 2023, made 22 000 of them
        ("t2", "medias24", "2024-02-01", "Le plan vise 60 000 emplois d'ici 2030.",
         jobs("emplois_crees", 60000, "2030", "60 000 emplois", status="target")),
        # an announcement (markers, no line) and two forecasts of the workforce (a dashed line)
        ("u1", "leseco", "2024-03-01", "Un centre annonce 5 000 emplois en 2024.",
         jobs("emplois_crees", 5000, "2024", "5 000 emplois", status="announced")),
        ("f1", "le360", "2025-02-10", "Le secteur devrait employer 135 000 personnes en 2025.",
         jobs("effectif", 135000, "2025", "135 000 personnes", status="forecast")),
        ("f2", "lematin", "2025-02-11", "L'effectif atteindrait 142 000 personnes en 2026.",
         jobs("effectif", 142000, "2026", "142 000 personnes", status="forecast")),
    ):  # fmt: skip
        ids[key] = article(store, key, source, day, text, [figure])


def load(store: Store) -> dict[str, int]:
    ids: dict[str, int] = {}
    _exports(store, ids)
    _jobs(store, ids)
    # dollars invested in a park, 2023 (10,13 DH)
    text = "Un investissement de 50 millions de dollars à Casanearshore en 2023."
    ids["i"] = article(store, "i", "medias24", "2023-06-01", text, [
        {"span": "50 millions de dollars", "value": 50e6, "unit": "USD", "period": "2023",
         "indicator": "investissement", "status": "announced", "scope_kind": "zone", "scope": "Casanearshore"}
    ])  # fmt: skip
    return ids


def summary(points: list[Point]) -> list[tuple[Any, ...]]:
    return [(p.indicator, p.status, p.scope_kind, p.scope, p.period, p.unit, p.value, p.rule, p.stories,
             p.citations_count, p.low, p.high, p.conflict, p.disagreeing_count,
             (p.progress.period, p.progress.value, p.progress.share) if p.progress else None)
            for p in points]  # fmt: skip


USD_2023 = pytest.approx(50e6 * 10.13)
EXPECTED = [
    ("effectif", "actual", "country", "Maroc", "2024", "jobs", 125000, "official", 3, 3, 125000, 130000, False, 0, None),
    ("effectif", "actual", "country", "Tunisie", "2024", "jobs", 25000, "only", 1, 1, 25000, 25000, False, 0, None),
    ("effectif", "forecast", "country", "Maroc", "2025", "jobs", 135000, "only", 1, 1, 135000, 135000, False, 0, None),
    ("effectif", "forecast", "country", "Maroc", "2026", "jobs", 142000, "only", 1, 1, 142000, 142000, False, 0, None),
    ("effectif", "target", "country", "Maroc", "2026", "jobs", 150000, "only", 1, 1, 150000, 150000, False, 0,
     ("2024", 125000, pytest.approx(125000 / 150000))),
    ("effectif", "target", "country", "Tunisie", "2025", "jobs", 40000, "only", 1, 1, 40000, 40000, False, 0,
     ("2024", 25000, 0.625)),
    ("emplois_crees", "actual", "country", "Maroc", "2021", "jobs", 15000, "most_cited", 3, 3, 15000, 18000, True, 1,
     None),
    ("emplois_crees", "actual", "country", "Maroc", "2022", "jobs", 20000, "most_cited", 4, 4, 18000, 22000, False, 0,
     None),
    ("emplois_crees", "actual", "country", "Maroc", "2023", "jobs", 22000, "most_cited", 3, 3, 22000, 25000, True, 1,
     None),
    ("emplois_crees", "announced", "country", "Maroc", "2024", "jobs", 5000, "only", 1, 1, 5000, 5000, False, 0, None),
    ("emplois_crees", "target", "country", "Maroc", "2030", "jobs", 60000, "only", 1, 1, 60000, 60000, False, 0,
     ("2023", 22000, pytest.approx(22000 / 60000))),
    ("exportations", "actual", "country", "Maroc", "2014-2018", "MAD", 75e9, "only", 1, 1, 75e9, 75e9, False, 0, None),
    ("exportations", "actual", "country", "Maroc", "2018", "MAD", 18e9, "official", 4, 6, 18e9, 19.5e9, True, 3, None),
    ("exportations", "actual", "country", "Maroc", "2018-Q1", "MAD", 4.5e9, "only", 1, 1, 4.5e9, 4.5e9, False, 0, None),
    ("exportations", "actual", "country", "Maroc", "2018-Q2", "MAD", 4.6e9, "only", 1, 1, 4.6e9, 4.6e9, False, 0, None),
    ("exportations", "actual", "country", "Maroc", "2019", "MAD", 20e9, "most_cited", 3, 3,
     pytest.approx(1.857e9 * 10.77), 21e9, False, 0, None),
    ("exportations", "actual", "country", "Maroc", "2020", "MAD", 16e9, "most_recent", 2, 2, 15e9, 16e9, True, 1, None),
    ("exportations", "target", "country", "Maroc", "2018", "MAD", 25e9, "only", 1, 1, 25e9, 25e9, False, 0,
     ("2018", 18e9, 0.72)),
    ("investissement", "announced", "zone", "Casanearshore", "2023", "MAD", USD_2023, "only", 1, 1, USD_2023,
     USD_2023, False, 0, None),
]  # fmt: skip
