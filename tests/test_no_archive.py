"""Only `veille init`, `crawl`, `demo` and `restore` create an archive: every other command, given a mistyped
--data-dir, an empty veille.db or a PostgreSQL database without Veille's tables, says
"no archive at …: run veille init" and exits non-zero, creating nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.conftest import REPO
from veille.cli import main

COMMANDS = [
    ["search", "offshoring"], ["figures"], ["orgs"], ["org", "ADD"], ["article", "1"], ["extract", "--pending"],
    ["digest", "preview"], ["digest", "send"], ["digest", "review"], ["subscribers", "list"],
    ["subscribers", "add", "amina@example.ma"], ["sources", "health"], ["schedule", "--list"],
    ["web", "revoke-sessions"], ["serve", "--port", "0"], ["users", "list"], ["users", "disable", "a@example.ma"],
    ["backup", "sauvegarde-jamais-faite"],
]  # fmt: skip


def _run(command: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main([*command, "--data-dir", str(data_dir), "--config-dir", str(REPO / "config")])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_mistyped_data_dir(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VEILLE_DATABASE_URL", raising=False)
    typo = tmp_path / "veile-data"
    code, err = _run(command, typo, capsys)
    assert code != 0 and err.strip() == (
        f"Error: no archive at {typo / 'veille.db'}: run `veille init` (or `veille crawl`, `veille demo`)"
    )
    assert not typo.exists()


@pytest.mark.parametrize(
    "command", [["search", "offshoring"], ["subscribers", "list"], ["digest", "send"]], ids=" ".join
)
def test_empty_veille_db(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VEILLE_DATABASE_URL", raising=False)
    (tmp_path / "veille.db").touch()
    code, err = _run(command, tmp_path, capsys)
    assert code != 0 and "no archive at" in err and "run `veille init`" in err
    assert (tmp_path / "veille.db").stat().st_size == 0


@pytest.mark.parametrize(
    "command", [["search", "offshoring"], ["subscribers", "add", "amina@example.ma"]], ids=" ".join
)
def test_postgres_database_without_veille_tables(
    command: list[str], pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("VEILLE_DATABASE_URL", pg_url)
    code, err = _run(command, tmp_path, capsys)
    assert code != 0 and "no archive at postgresql" in err and "run `veille init`" in err
    engine = create_engine(pg_url)
    try:
        assert inspect(engine).get_table_names() == []  # nothing created
    finally:
        engine.dispose()


def test_init_then_the_same_commands_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VEILLE_DATABASE_URL", raising=False)
    assert _run(["init"], tmp_path / "data", capsys)[0] == 0
    assert _run(["subscribers", "list"], tmp_path / "data", capsys)[0] == 0
