"""The indicator series on the web (issue 18, items 2 and 3): the indicators page, one indicator's
chart and points, a point's citations, the "à vérifier" page and the JSON API, over the series
tests' archive (:mod:`tests.store.series_archive`) on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.store.series_archive import load
from tests.web.archive import write_config
from veille.archive.overview import settle
from veille.archive.store import Store, open_store
from veille.core.config import Settings
from veille.web import create_app

APEBI = '\n[[source]]\nname = "apebi"\nkind = "rss"\nurls = ["https://apebi.example/rss"]\nofficial = true\n'


def series_config(config_dir: Path) -> Path:
    """The web tests' config, with the official source the series' archive needs."""
    write_config(config_dir)
    with (config_dir / "sources.toml").open("a", encoding="utf-8") as fh:
        fh.write(APEBI)
    return config_dir


@pytest.fixture(params=["sqlite", "postgresql"])
def series_client(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, int]]]:
    monkeypatch.delenv("VEILLE_DATABASE_URL", raising=False)
    monkeypatch.setenv("VEILLE_SECRET_KEY", "clé-de-test-suffisamment-longue")
    settings = Settings.load(data_dir=tmp_path / "data", config_dir=series_config(tmp_path / "config"))
    settings.ensure_data_dir()
    url = settings.database_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store: Store = open_store(url)
    ids = load(store)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        yield client, ids
    settle()  # an overview the server computes in the background (PostgreSQL's marker moves with any write)
    store.close()


def test_the_indicators_page(series_client: tuple[TestClient, dict[str, int]]) -> None:
    client, _ = series_client
    r = client.get("/indicateurs")
    assert r.status_code == 200
    rows = re.findall(r'<a href="/indicateurs/(\w+)">([^<]+)</a>', r.text)
    assert rows == [("exportations", "Exportations"), ("emplois_crees", "Emplois créés"), ("effectif", "Effectif"),
                    ("investissement", "Investissement")]  # fmt: skip  # the most cited first
    assert ">4 points à vérifier</a>" in r.text
    assert 'href="/indicateurs" aria-current="page"' in r.text  # in the navigation


def test_an_indicator_page_chart_and_points(series_client: tuple[TestClient, dict[str, int]]) -> None:
    client, _ = series_client
    r = client.get("/indicateurs/exportations")
    assert r.status_code == 200
    html = r.text
    # by default: Morocco, in MAD, the years
    assert '<option value="country:Maroc" selected>' in html and '<option value="year" selected>' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="point point-actual"') == 3 and svg.count('class="point point-target"') == 1
    actual_line = re.search(r'<polyline class="ligne ligne-actual"[^>]*>', svg)
    assert actual_line is not None and "stroke-dasharray" not in actual_line.group(0)  # solid
    assert svg.count('stroke="#c0392b"') == 2 + 1  # 2018 and 2020 ringed, and the legend
    rows = re.findall(r'<tr id="point-\d+"( class="conflit")?>\s*<td>([^<]+)</td>', html)
    assert rows == [(' class="conflit"', "2018"), ("", "2019"), (' class="conflit"', "2020"), ("", "2018")]
    assert "18\u00a0milliards\u00a0DH" in html and "72 %</strong> atteint" in html
    # forecasts a dashed line, announcements markers alone
    workforce = client.get("/indicateurs/effectif").text
    forecast = re.search(r'<polyline class="ligne ligne-forecast"[^>]*>', workforce)
    assert forecast is not None and 'stroke-dasharray="6 4"' in forecast.group(0)
    assert workforce.count('class="point point-forecast"') == 2
    created = client.get("/indicateurs/emplois_crees").text
    assert created.count('class="point point-announced"') == 1 and "ligne-announced" not in created
    assert created.count("<polygon") == 1 + 1  # the announcement's diamond, and the legend's
    quarters = client.get("/indicateurs/exportations?portee=country:Maroc&unite=MAD&grain=quarter").text
    assert re.findall(r'<tr id="point-\d+">\s*<td>([^<]+)</td>', quarters) == ["T1 2018", "T2 2018"]
    forecast_free = client.get("/indicateurs/effectif?portee=country:Tunisie").text
    assert "62,5 %</strong> atteint : 25\u00a0000\u00a0emplois en 2024" in forecast_free
    assert client.get("/indicateurs/inconnu").status_code == 404
    empty = client.get("/indicateurs/loyer")  # an indicator no figure of the archive has
    assert empty.status_code == 200 and "Aucun point" in empty.text and "<svg" not in empty.text
    bad = client.get("/indicateurs/exportations?grain=mois")
    assert bad.status_code == 400 and "« grain » : « mois » inconnu" in bad.text


def test_a_point_page_lists_its_citations(series_client: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = series_client
    html = client.get("/indicateurs/exportations").text
    href = (
        re.search(r'<a class="citations" href="([^"]+)">6 citations</a>', html).group(1).replace("&amp;", "&")
    )
    r = client.get(href)
    assert r.status_code == 200
    assert "source officielle" in r.text and "3 citations en désaccord" in r.text
    sentences = re.findall(
        r'<li class="citation( en-desaccord)?">\s*<blockquote>(.*?)</blockquote>', r.text, re.S
    )
    assert len(sentences) == 6 and [bool(d) for d, _ in sentences] == [False] * 3 + [True] * 3
    assert "<mark>19,5 milliards de DH</mark>" in sentences[3][1]
    assert f'href="/articles/{ids["a4"]}"' in r.text
    target = client.get(
        "/indicateurs/emplois_crees/point?statut=target&portee=country:Maroc&periode=2030&unite=jobs"
    )
    assert target.status_code == 200 and "36,7 %</strong> de l'objectif atteint" in target.text
    missing = client.get(
        "/indicateurs/exportations/point?statut=actual&portee=country:Maroc&periode=2031&unite=MAD"
    )
    assert missing.status_code == 404


def test_the_a_verifier_page(series_client: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = series_client
    r = client.get("/a-verifier")
    assert r.status_code == 200
    sections = r.text.split('<section class="conflit-point">')[1:]
    titles = [re.search(r"<h2><a [^>]+>([^<]+)</a>", s).group(1) for s in sections]
    assert titles == [
        "Exportations, 2018",
        "Emplois créés, 2021",
        "Emplois créés, 2023",
        "Exportations, 2020",
    ]
    first = sections[0]
    left, right = first.split("<h3>En désaccord</h3>")
    assert left.count('<li class="citation">') == 3 and right.count('<li class="citation en-desaccord">') == 3
    assert "18 milliards de DH" in left and "19,5 milliards de DH" in right
    only = client.get("/a-verifier?indicateur=emplois_crees").text
    assert only.count('<section class="conflit-point">') == 2 and "2 points à vérifier" in only


def test_the_api(series_client: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = series_client
    listing = client.get("/api/indicators").json()["indicators"]
    assert [(i["key"], i["points"], i["conflicts"]) for i in listing] == [
        ("exportations", 7, 2), ("emplois_crees", 5, 2), ("effectif", 6, 0), ("investissement", 1, 0),
    ]  # fmt: skip
    data = client.get("/api/indicators/exportations", params={"scope": "country:Maroc", "status": "actual",
                                                              "grain": "year"}).json()  # fmt: skip
    assert data["conflict_share"] == 0.05 and data["total"] == 3
    p2018 = data["points"][0]
    assert (p2018["period"], p2018["value"], p2018["rule"], p2018["conflict"], p2018["disagreeing_count"]) == (
        "2018", 18e9, "official", True, 3)  # fmt: skip
    assert p2018["citations"] == [] and p2018["citations_count"] == 6
    full = client.get(p2018["citations_api"]).json()
    assert [c["article_id"] for c in full["citations"] if not c["agrees"]] == [
        ids[k] for k in ("a4", "a5", "a6")
    ]
    target = client.get("/api/indicators/effectif", params={"status": "target", "scope": "Tunisie"}).json()
    assert [(p["value"], p["progress"]) for p in target["points"]] == [
        (40000, {"period": "2024", "value": 25000, "share": 0.625})
    ]
    conflicts = client.get("/api/conflicts").json()
    assert [(p["indicator"], p["period"]) for p in conflicts["points"]] == [
        ("exportations", "2018"), ("emplois_crees", "2021"), ("emplois_crees", "2023"), ("exportations", "2020"),
    ]  # fmt: skip
    assert client.get("/api/indicators/exportations", params={"grain": "mois"}).status_code == 400
    assert client.get("/api/indicators/nope").status_code == 404
    assert "/api/indicators/{key}" in client.get("/openapi.json").json()["paths"]


def test_an_analyst_gets_the_indicator_s_study_as_a_zip(
    series_client: tuple[TestClient, dict[str, int]],
) -> None:
    import io
    import os
    import shutil
    import zipfile

    from tests.web.conftest import csrf_of, login
    from veille.archive import accounts as acc

    client, _ = series_client
    page = client.get("/indicateurs/effectif").text
    assert "/indicateurs/effectif/etude" not in page  # a reader sees no button
    assert client.post("/indicateurs/effectif/etude", data={"de": "2014", "a": "2026"}).status_code in (
        401,
        403,
    )
    acc.add_account(client.app.state.store, "nadia@example.ma", role="analyste", password="analyse-2026")  # type: ignore[attr-defined]
    login(client, "analyse-2026", "nadia@example.ma")
    page = client.get("/indicateurs/effectif?portee=country:Tunisie").text
    assert 'action="/indicateurs/effectif/etude"' in page and 'name="portee" value="country:Tunisie"' in page
    token = csrf_of(page)
    empty = client.post("/indicateurs/effectif/etude", data={"csrf": token, "de": "2000", "a": "2010"})
    assert empty.status_code == 404 and "aucun point entre 2000 et 2010" in empty.text
    wrong = client.post("/indicateurs/effectif/etude", data={"csrf": token, "de": "2026", "a": "2014"})
    assert wrong.status_code == 400 and "période vide" in wrong.text
    if shutil.which("chromium") is None and not os.environ.get("CI"):  # in CI a missing Chromium fails
        pytest.skip("no Chromium to print the study's PDF")
    r = client.post("/indicateurs/effectif/etude", data={"csrf": token, "de": "2014", "a": "2026",
                                                         "portee": "country:Tunisie"})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert 'filename="etude-effectif-2014-2026.zip"' in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert "etude/etude.pdf" in z.namelist() and "etude/graphique-effectif.png" in z.namelist()
        html = z.read("etude/etude.html").decode()
    assert (
        "Effectif — Tunisie" in html and "25\u00a0000\u00a0emplois" in html and "62,5\u00a0% atteint" in html
    )


def test_a_correction_settles_a_conflict_on_a_verifier_at_once(
    series_client: tuple[TestClient, dict[str, int]],
) -> None:
    """The points to check are read as kept in the archive: a correction computes again the
    series it touched before it answers, so "à vérifier" and its API show it on the next request,
    with nothing left to compute (the points say they are current)."""
    from tests.web.conftest import csrf_of, login
    from veille.archive import accounts as acc

    client, _ = series_client
    before = client.get("/api/conflicts").json()
    assert before["total"] == 4 and before["current"]
    point = client.get("/api/indicators/emplois_crees/point",
                       params={"status": "actual", "scope": "country:Maroc", "period": "2021", "unit": "jobs"}).json()  # fmt: skip
    (away,) = [c for c in point["citations"] if not c["agrees"]]  # 18 000 against the chosen 15 000
    acc.add_account(client.app.state.store, "nadia@example.ma", role="analyste", password="analyse-2026")  # type: ignore[attr-defined]
    login(client, "analyse-2026", "nadia@example.ma")
    form_url = client.get(f"/chiffres/{away['figure_id']}/correction").headers["location"]
    form = client.get(form_url).text
    fields = {"value": "15 000", "unit": "jobs", "period": "2021", "indicator": "emplois_crees", "status": "actual",
              "scope_kind": "country", "scope": "Maroc"}  # fmt: skip
    r = client.post(form_url, data={"csrf": csrf_of(form), "version": "0", "action": "correct", **fields})
    assert r.status_code == 303
    after = client.get("/api/conflicts").json()
    assert after["current"] and after["total"] == 3
    assert ("emplois_crees", "2021") not in [(p["indicator"], p["period"]) for p in after["points"]]
    page = client.get("/a-verifier").text
    assert '<p class="total">3 points à vérifier.</p>' in page
    assert client.get("/api/indicators").json()["current"]
