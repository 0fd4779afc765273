"""``veille backup`` and ``veille restore`` through ``veille.cli.main``: the README's restore drill
on SQLite, and their errors as one line with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.test_backup import fill
from veille.archive.store import Store
from veille.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_restore_drill(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Back up, make an empty archive elsewhere, restore into it, check it: the README's drill."""
    fill(store)
    folder = tmp_path / "sauvegardes" / "veille-2026-12-07"
    code, out, err = run(capsys, "backup", str(folder))
    assert code == 0, err
    assert out.startswith("Backed up SQLite (") and "schema 0027; articles" in out and "accounts 2" in out
    trial = str(tmp_path / "essai")
    assert run(capsys, "init", "--data-dir", trial)[0] == 0  # an empty archive
    code, out, err = run(capsys, "restore", str(folder), "--data-dir", trial)
    assert code == 0, err
    assert "(schema 0027, now 0027)" in out and out.rstrip().endswith("every table as in the manifest")
    code, out, _ = run(capsys, "users", "list", "--data-dir", trial)
    assert code == 0 and "amina@example.ma" in out and "karim@example.ma" in out and "disabled" in out
    code, out, _ = run(capsys, "search", "offshoring", "--data-dir", trial)
    assert code == 0 and "Offshoring" in out


def test_errors_are_one_line(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(store)
    folder = tmp_path / "sauvegarde"
    assert run(capsys, "backup", str(folder))[0] == 0
    code, _, err = run(capsys, "backup", str(folder))
    assert (code, err.strip()) == (
        1,
        f"Error: {folder} already holds a backup: choose a new folder (e.g. one per date)",
    )
    code, _, err = run(capsys, "restore", str(folder))  # into the archive backed up: not empty
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("Error: the archive at sqlite:///") and "--force to replace it" in err
    code, _, err = run(capsys, "restore", str(tmp_path / "nulle-part"))
    assert (code, err.strip()) == (
        1,
        f"Error: no backup in {tmp_path / 'nulle-part'}: manifest.json is missing",
    )
    code, out, err = run(capsys, "restore", str(folder), "--force")
    assert code == 0 and "every table as in the manifest" in out, err
