"""The archive commands, through ``veille.cli.main`` (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.store.archive import load, with_indicators
from veille.archive.search import FigureRow
from veille.archive.store import Store
from veille.cli import main
from veille.exports import HEADER


@pytest.fixture
def cli(any_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    ids = load(any_store)
    if any_store.dialect == "postgresql":
        monkeypatch.setenv("VEILLE_DATABASE_URL", any_store.url)
    return ids


def _head() -> str:
    """The newest migration's revision."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from veille.archive.database import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return str(ScriptDirectory.from_config(cfg).get_current_head())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init(capsys, settings) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "init")
    assert code == 0 and f"schema revision {_head()}" in out and "SQLite" in out


def test_search_formats(cli, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "search", "création", "--limit", "5")
    assert code == 0 and "Création d'entreprises" in out and "of 1 results" in out
    code, out, _ = run(capsys, "search", "emploi", "--org", "APEBI", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["total"] == 1 and data["hits"][0]["title"].startswith("Baromètre")
    assert "facets" in data
    code, out, _ = run(capsys, "search", "emploi", "--source", "leseco", "--order", "date", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["source"] for r in rows} == {"leseco"} and "snippet" in rows[0]
    # no score column: its raw bm25/ts_rank value meant nothing to a reader (the order is the ranking)
    assert "score" not in rows[0]
    code, out, _ = run(capsys, "search", "création", "--limit", "5")
    assert out.splitlines()[0].split() == ["id", "date", "source", "title", "url", "copies"]


def test_search_total_beyond_the_cap(cli, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from veille.archive import search as s
    from veille.archive.cache import CACHE
    from veille.archive.search import ranking

    code, out, _ = run(capsys, "search", "", "--all-versions", "--order", "date", "--limit", "2")
    assert code == 0 and "1-2 of 16 results" in out
    monkeypatch.setattr(s.limits, "TOTAL_CAP", 3)
    monkeypatch.setattr(ranking, "RANK_WINDOW", 3)
    CACHE.clear()
    code, out, _ = run(capsys, "search", "", "--all-versions", "--order", "date", "--limit", "2")
    assert code == 0 and "1-2 of more than 3 results" in out
    code, out, _ = run(
        capsys, "search", "", "--all-versions", "--order", "date", "--limit", "2", "--exact-total"
    )
    assert code == 0 and "1-2 of 16 results" in out
    code, out, _ = run(capsys, "figures", "--limit", "1", "--format", "json", "--exact-total")
    data = json.loads(out)
    assert code == 0 and data["total_exact"] and data["total"] > 3
    code, out, _ = run(capsys, "figures", "--limit", "2", "--offset", "1")
    assert code == 0 and "\n2-3 of more than 3 figures (copies of one story counted once" in out
    code, out, _ = run(capsys, "figures", "--limit", "2", "--offset", "1", "--exact-total")
    assert code == 0 and f"\n2-3 of {data['total']} figures (copies" in out


def test_search_errors_are_one_line(cli, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "search", "AND AND")
    assert code != 0 and err.count("\n") == 1 and "nothing to search" in err
    code, out, err = run(capsys, "search", "emploi", "--since", "hier")
    assert code != 0 and "not a date" in err
    code, out, err = run(capsys, "search", "emploi", "--format", "xml")
    assert code != 0 and "unknown format" in err


def test_figures_formats(cli, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "figures", "--unit", "jobs", "--min-value", "5000", "--period", "2024", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["Valeur"] for r in rows} == {
        "12 500 emplois",
        "69 900 emplois",
        "130 000 emplois",
    }
    assert list(rows[0]) == HEADER  # the web explorer's columns
    assert (rows[0]["Code unité"], rows[0]["Unité"]) == ("jobs", "emplois")
    assert rows[0]["Article (Veille)"].startswith("https://veille.example.ma/articles/")  # digest.toml's
    code, out, _ = run(capsys, "figures", "--unit", "MAD", "--org", "Medz")
    assert code == 0 and "300 millions DH" in out.replace("\u00a0", " ")
    code, _, err = run(capsys, "figures", "--format", "xlsx")
    assert code != 0 and "-o" in err
    target = tmp_path / "chiffres.xlsx"
    code, out, _ = run(capsys, "figures", "--unit", "MAD", "--format", "xlsx", "-o", str(target))
    assert code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    # the "zone" story's 300 millions and its copy's are one row, with a copies cell
    assert sheet.max_row == 4 and sheet["K1"].value == "Valeur numérique" and sheet["U1"].value == "Reprises"
    code, out, _ = run(capsys, "figures", "--format", "json", "--article", str(cli["creation"]))
    assert json.loads(out)["rows"][0]["Code unité"] == "percent"


def test_figures_by_indicator_and_status(cli, any_store, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with_indicators(any_store, cli)
    code, out, _ = run(
        capsys, "figures", "--indicator", "emplois_crees", "--status", "target", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["Valeur"] for r in rows] == ["5 000 emplois"]
    assert {k: rows[0][k] for k in ("Code indicateur", "Indicateur", "Mesure", "Code statut", "Statut", "Par")} == {
        "Code indicateur": "emplois_crees", "Indicateur": "Emplois créés", "Mesure": "emplois visés",
        "Code statut": "target", "Statut": "objectif", "Par": "",
    }  # fmt: skip
    code, out, _ = run(capsys, "figures", "--status", "announced", "--status", "target", "--format", "json")
    data = json.loads(out)
    assert code == 0 and sorted(r["Code statut"] for r in data["rows"]) == ["announced", "target"]
    assert list(data["rows"][0]) == HEADER and data["total"] == 2 and data["total_exact"]
    code, out, _ = run(capsys, "figures", "--indicator", "loyer")
    assert code == 0 and "80 DH par m² et par mois" in out.replace("\u00a0", " ") and "loyer" in out
    assert out.splitlines()[0].split()[:6] == ["date", "source", "value", "indicator", "metric", "status"]
    code, out, _ = run(capsys, "figures", "--indicator", "effectif", "--format", "json")
    assert [r["Par"] for r in json.loads(out)["rows"]] == [""]
    target = tmp_path / "loyers.xlsx"
    code, out, _ = run(
        capsys, "figures", "--indicator", "loyer", "--all", "--format", "xlsx", "-o", str(target)
    )
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert code == 0 and (row["Indicateur"], row["Par"], row["Code statut"]) == (
        "Loyer",
        "m2/month",
        "actual",
    )
    # unknown keys: one line naming the choices
    code, _, err = run(capsys, "figures", "--indicator", "emplois")
    assert (
        code != 0 and err.count("\n") == 1 and "unknown indicator 'emplois'" in err and "emplois_crees" in err
    )
    code, _, err = run(capsys, "figures", "--status", "done")
    assert code != 0 and "unknown status 'done'" in err and "target" in err


def test_orgs_org_article(cli, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "orgs", "--top", "2")
    assert code == 0 and "Agence de développement du digital" in out
    code, out, _ = run(capsys, "orgs", "--since", "2025-06-01", "--format", "json")
    assert [o["name"] for o in json.loads(out)] == ["Medz Sourcing"]
    code, out, _ = run(capsys, "org", "medz")
    assert code == 0 and "Medz Sourcing" in out and "Mentions per week" in out
    assert "Articles (3)" in out and "Figures (4)" in out
    code, out, _ = run(capsys, "org", "medz", "--limit", "1")
    assert "Articles (the newest 1 of 3; all of them: veille search '' --org Medz --order date)" in out
    assert "Figures (the newest 1 of 4; all of them: veille figures --org Medz)" in out
    code, out, _ = run(capsys, "org", "medz", "--limit", "1", "--format", "json")
    data = json.loads(out)
    shown = (len(data["articles"]), data["article_count"], len(data["figures"]), data["figure_count"])
    assert shown == (1, 3, 1, 4)
    code, _, err = run(capsys, "org", "personne")
    assert code != 0 and "no organisation" in err
    code, out, _ = run(capsys, "article", str(cli["formation"]))
    assert code == 0 and "Karim Benali" in out and "OFPPT" in out
    code, out, _ = run(capsys, "article", "https://lematin.test/formation", "--format", "json")
    assert json.loads(out)["id"] == cli["formation"]
    code, _, err = run(capsys, "article", "424242")
    assert code != 0 and "no article" in err


def test_unreachable_database_from_the_cli(capsys, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VEILLE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/veille")
    code, out, err = run(capsys, "search", "emploi")
    assert code == 3 and err.startswith("Error: cannot reach the archive") and err.count("\n") == 1


def test_org_named_as_one_shell_word() -> None:
    from veille.commands.orgs import _shell_word

    assert _shell_word("Ministère de l'Industrie", ["MIC", "Ministère de l'Industrie"]) == "MIC"
    assert _shell_word("Ministère de l'Industrie", []) == '"Ministère de l\'Industrie"'
    assert _shell_word("Medz Sourcing", []) == "'Medz Sourcing'"
    assert _shell_word("OFPPT", []) == "OFPPT"
    assert _shell_word('Say "$HOME" l\'a', []) == "'Say \"$HOME\" l'\"'\"'a'"  # shlex's quoting


def test_figures_all_for_exports(cli, capsys, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from veille.archive.search import figure_rows
    from veille.commands import render

    code, out, _ = run(capsys, "figures", "--format", "json", "--exact-total", "--limit", "1")
    total = json.loads(out)["total"]
    assert total > 3
    monkeypatch.setattr(figure_rows, "EXPORT_BATCH", 2)  # several batches of full rows
    code, out, _ = run(capsys, "figures", "--all", "--limit", "1", "--offset", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == total  # --limit and --offset do not apply
    code, out, _ = run(capsys, "figures", "--format", "csv", "--limit", "1000")
    assert [r["Phrase"] for r in csv.DictReader(io.StringIO(out))] == [r["Phrase"] for r in rows]
    target = tmp_path / "tout.csv"
    code, out, _ = run(capsys, "figures", "--all", "--unit", "MAD", "--format", "csv", "-o", str(target))
    written = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))  # a BOM in a file
    assert (
        code == 0
        and f"{len(written)} figures written" in out
        and {r["Code unité"] for r in written} == {"MAD"}
    )
    code, out, _ = run(capsys, "figures", "--all", "--format", "json")
    assert code == 0 and len(json.loads(out)["rows"]) == total
    book = tmp_path / "tout.xlsx"
    code, out, _ = run(capsys, "figures", "--all", "--format", "xlsx", "-o", str(book))
    from openpyxl import load_workbook

    sheet = load_workbook(book, read_only=True).active
    lines = list(sheet.iter_rows(values_only=True))
    assert code == 0 and f"{total} figures written" in out and len(lines) == total + 1
    at = lines[0].index("Phrase")
    assert [line[at] for line in lines[1:]] == [r["Phrase"] for r in rows]  # same rows, same order
    code, _, err = run(
        capsys, "figures", "--all", "--format", "xlsx", "-o", str(tmp_path / "nope" / "x.xlsx")
    )
    assert code != 0 and "no folder" in err and err.count("\n") == 1
    code, _, err = run(capsys, "figures", "--all")
    assert code != 0 and "--all is for exports" in err
    code, out, _ = run(capsys, "figures", "--limit", "2", "-o", str(tmp_path / "table.txt"))  # the table
    assert code == 0 and "2 figures written" in out
    assert (tmp_path / "table.txt").read_text(encoding="utf-8").startswith("date  ")
    # the streamed CSV is the same text whatever the batch boundary
    lines = [["a", 1], ["b", 2], ["c", 3], ["d", 4]]
    for batch in (1, 2, 3, 4, 5, 1000):
        assert render.echo_csv(["x", "y"], iter(lines), batch=batch) == 4
        assert capsys.readouterr().out == "x,y\r\na,1\r\nb,2\r\nc,3\r\nd,4\r\n"


def test_cli_exports_never_carry_a_formula(tmp_path: Path) -> None:
    """A scraped sentence starting with "=" stays text in the CLI's CSV and XLSX, as in the web's."""
    from openpyxl import load_workbook

    from veille.commands.render import _cell
    from veille.exports import FigureExport

    assert _cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _cell("@SUM(A1)") == "'@SUM(A1)" and _cell(["+33 Medz"]) == "'+33 Medz"
    assert _cell(-1.5) == "-1.5" and _cell("Medz Sourcing") == "Medz Sourcing"  # numbers stay numbers
    target = tmp_path / "f.xlsx"
    row = FigureRow(1, 1, None, "s", "=cmd|' /C calc'!A0", "u", "=1+1", -3.0, "count", "-3", False, None, None,
                    None, None, [], "=1+1", 0, 4, 0)  # fmt: skip
    FigureExport("http://x").write_xlsx([row], target)
    sheet = load_workbook(target).active
    assert sheet["J2"].value == "=1+1" and sheet["J2"].data_type == "s" and sheet["K2"].value == -3
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)


def test_search_query_may_start_with_a_minus(cli, capsys) -> None:  # type: ignore[no-untyped-def]
    """`veille search -offshoring`: an exclusion, not an unknown option; `--limti` stays an error."""
    code, out, err = run(capsys, "search", "-offshoring")  # read as a query: the search's own answer
    assert code == 2 and "only excludes words" in err and "No such option" not in err
    code, out, _ = run(capsys, "search", "emploi", "--format", "json", "--limit", "100")
    with_emploi = json.loads(out)["total"]
    code, out, _ = run(capsys, "search", "emploi", "baromètre", "--format", "json", "--limit", "100")
    both = json.loads(out)["total"]
    code, out, err = run(capsys, "search", "-baromètre", "emploi", "--format", "json", "--limit", "100")
    assert code == 0, err  # a query starting with "-", in two unquoted words
    assert both >= 1 and json.loads(out)["total"] == with_emploi - both
    code, _, err = run(capsys, "search", "emploi", "--limti", "5")
    assert code == 2 and "No such option '--limti'" in err
