"""One figure export: the web explorer's downloads and ``veille figures --format`` give the same
columns and the same rows for the same archive, in CSV, XLSX and JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from veille.exports import HEADER


@pytest.fixture
def figures(veille):  # type: ignore[no-untyped-def]
    """``veille figures ARGS`` over the web's archive -> its standard output."""

    def run(*args: str) -> str:
        code, out, err = veille("figures", *args)
        assert code == 0, err
        return out

    return run


FILTERS = [
    {"unit": "MAD", "order": "value"},
    {"unit": "jobs", "order": "value", "copies": "1"},
    {"q": "offshoring"},
    {"indicateur": "emplois_crees", "statut": "target"},
    {"source": "piege"},  # a formula in the text, defused in the CSV
]


def _options(params: dict[str, str]) -> list[str]:
    names = {"unit": "--unit", "order": "--order", "q": "", "statut": "--status", "source": "--source",
             "indicateur": "--indicator"}  # fmt: skip
    out: list[str] = []
    for key, value in params.items():
        if key == "copies":
            out.append("--copies")
        else:
            out += [names[key], value] if names[key] else [value]
    return out


@pytest.mark.parametrize("params", FILTERS)
def test_web_and_cli_export_the_same_columns_and_rows(
    client: TestClient, figures, params, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    web = client.get("/chiffres.csv", params=params).content.decode("utf-8")
    cli = figures(*_options(params), "--format", "csv")
    assert web == "\ufeff" + cli  # to the byte, the BOM aside (for a file, not a screen)
    rows = list(csv.DictReader(io.StringIO(cli)))
    assert rows and list(rows[0]) == HEADER
    assert web == client.get("/chiffres.csv", params={**params, "tout": "1"}).content.decode("utf-8")
    assert cli == figures(*_options(params), "--format", "csv", "--all")

    web_json = client.get("/chiffres.json", params=params).json()
    assert web_json == json.loads(figures(*_options(params), "--format", "json"))
    assert list(web_json["rows"][0]) == HEADER and web_json["total"] == len(rows)
    assert [r["Valeur numérique"] for r in web_json["rows"]] == [float(r["Valeur numérique"]) for r in rows]
    every = client.get("/chiffres.json", params={**params, "tout": "1"}).json()
    assert every == json.loads(figures(*_options(params), "--format", "json", "--all"))
    assert every["rows"] == web_json["rows"]

    target = tmp_path / "chiffres.xlsx"
    figures(*_options(params), "--format", "xlsx", "-o", str(target))
    web_book = load_workbook(io.BytesIO(client.get("/chiffres.xlsx", params=params).content)).active
    cli_book = load_workbook(target).active
    sheet = [[c.value for c in line] for line in cli_book.iter_rows()]
    assert sheet == [[c.value for c in line] for line in web_book.iter_rows()]
    assert sheet[0] == HEADER and len(sheet) == len(rows) + 1


def test_json_export_streams_every_figure(client: TestClient, figures) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/chiffres.json", params={"tout": "1", "copies": "1", "order": "value"})
    data = r.json()
    assert r.headers["content-type"].startswith("application/json")
    assert 'filename="veille-chiffres-tous.json"' in r.headers["content-disposition"]
    values = [row["Valeur numérique"] for row in data["rows"]]
    assert data["total"] == len(values) > 5 and data["total_exact"] and values == sorted(values, reverse=True)
    assert data == json.loads(figures("--copies", "--order", "value", "--all", "--format", "json"))
    page = client.get("/chiffres.json", params={"per_page": "2", "copies": "1", "order": "value"}).json()
    assert page["rows"] == data["rows"][:2] and page["total"] == data["total"]
    empty = client.get("/chiffres.json", params={"tout": "1", "org": "Personne du tout"}).json()
    assert empty == {"rows": [], "total": 0, "total_exact": True}
    assert client.get("/chiffres.json", params={"tout": "1", "unit": "xx"}).status_code == 400
    # the explorer links to it
    assert (
        '<a class="telechargement" href="/chiffres.json?unit=MAD" download>JSON</a>'
        in client.get("/chiffres", params={"unit": "MAD"}).text
    )
