"""``veille analyze``: tables, JSON, and one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from veille.cli import main

TEXT = "Selon Karim Bennani, DG de Medz Sourcing, l'ADD a investi 85 MDH à Fès Shore."


@pytest.fixture
def article(tmp_path: Path) -> Path:
    p = tmp_path / "article.txt"
    p.write_text(TEXT, encoding="utf-8")
    return p


def test_json_output(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(article), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"figures", "organisations", "persons"}
    names = {o["name"] for o in data["organisations"]}
    assert {"Medz Sourcing", "Agence de développement du digital"} <= names
    assert "Fès Shore" not in names  # business parks are places, not organisations
    for o in data["organisations"]:
        assert set(o) == {"name", "aliases", "mentions"}
        for m in o["mentions"]:
            assert TEXT[m["start"] : m["end"]] == m["text"]
    assert data["persons"] == [
        {"name": "Karim Bennani", "role": "directeur général", "organisation": "Medz Sourcing"}
    ]
    for f in data["figures"]:
        assert set(f) == {
            "text",
            "start",
            "end",
            "value",
            "unit",
            "approx",
            "qualifier",
            "range_max",
            "period",
            "metric",
            "indicator",
            "status",
            "per",
            "sentence",
            "scope",
            "attributed_to",
        }
    # "Selon Karim Bennani, DG de Medz Sourcing, ...": the person stands for their company;
    # the figure is about the park it names
    (figure,) = data["figures"]
    assert figure["scope"] == {"kind": "zone", "name": "Fès Shore"}
    assert figure["attributed_to"] == "Medz Sourcing"


def test_json_keeps_accents(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["analyze", str(article), "--json"])
    assert "développement" in capsys.readouterr().out


def test_tables(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(article)]) == 0
    out = capsys.readouterr().out
    assert "Organisations" in out and "Persons" in out and "Figures" in out
    assert "Karim Bennani" in out


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class Stdin(io.StringIO):
        buffer = io.BytesIO(TEXT.encode("utf-8"))

    monkeypatch.setattr("sys.stdin", Stdin())
    assert main(["analyze", "-", "--json"]) == 0
    assert "Medz Sourcing" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "file not found"), (b"\xff\xfe\xe9t\xe9", "not UTF-8"), (b"  \n", "empty")],
)
def test_bad_input_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], content, message) -> None:
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    code = main(["analyze", str(path)])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert message in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_help_has_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--help"]) == 0
    assert "Example: veille analyze" in capsys.readouterr().out


def test_text_over_the_limit_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bounded work: past [extract] max_text_chars the extractor is never started."""
    big = tmp_path / "long.txt"
    big.write_text((TEXT + "\n\n") * 4000, encoding="utf-8")  # 316,000 characters
    assert main(["analyze", str(big), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "316,000 characters, over the extractor's limit of 300,000" in err and "max_text_chars" in err


def test_limit_is_configurable_and_counts_characters_not_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from tests.conftest import REPO

    conf = tmp_path / "conf"
    shutil.copytree(REPO / "config", conf)
    toml = conf / "pipeline.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("max_text_chars = 300_000", "max_text_chars = 1_000")
    )
    fits = tmp_path / "fits.txt"
    fits.write_text("é" * 990, encoding="utf-8")  # 1,980 bytes, 990 characters
    assert main(["analyze", str(fits), "--json", "--config-dir", str(conf)]) == 0
    capsys.readouterr()
    over = tmp_path / "over.txt"
    over.write_text("é" * 10_000, encoding="utf-8")  # read no further than the limit needs
    assert main(["analyze", str(over), "--json", "--config-dir", str(conf)]) == 2
    assert "more than 1,000 characters, over the extractor's limit of 1,000" in capsys.readouterr().err
    toml.write_text(toml.read_text(encoding="utf-8").replace("max_text_chars = 1_000", "max_text_chars = 10"))
    assert main(["analyze", str(fits), "--config-dir", str(conf)]) == 2
    assert "extract.max_text_chars" in capsys.readouterr().err


DATED = (
    "Le secteur de l'offshoring emploie aujourd'hui 130 000 personnes, selon l'ADD. L'an dernier, les "
    "exportations ont atteint 18 milliards de dirhams. L'objectif est de créer 60 000 emplois d'ici 2030. "
    "Le loyer atteint 80 DH/m²/mois."
)


def test_json_has_indicator_status_per_and_published_dates_relative_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "dated.txt"
    p.write_text(DATED, encoding="utf-8")
    assert main(["analyze", str(p), "--json", "--published", "2024-05-01"]) == 0
    figures = {f["text"]: f for f in json.loads(capsys.readouterr().out)["figures"]}
    assert figures["130 000 personnes"]["period"] == "2024"  # "aujourd'hui"
    assert figures["18 milliards de dirhams"]["period"] == "2023"  # "l'an dernier"
    target = figures["60 000 emplois"]
    assert (target["indicator"], target["status"], target["period"]) == ("emplois_crees", "target", "2030")
    assert (figures["80 DH"]["indicator"], figures["80 DH"]["per"]) == ("loyer", "m2/month")
    # without the date the relative years stay open
    assert main(["analyze", str(p), "--json"]) == 0
    undated = {f["text"]: f for f in json.loads(capsys.readouterr().out)["figures"]}
    assert undated["130 000 personnes"]["period"] is None


def test_bad_published_date_is_one_line(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(article), "--published", "hier"]) != 0
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--published" in err and "YYYY-MM-DD" in err
