"""mypy on the core, the pipeline, the spiders and the digest ([tool.mypy] in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

from tests.conftest import REPO


def test_mypy_finds_no_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the configuration's `files` are relative to the working directory
    # a fresh cache outside the repository: ~10 s, and nothing written into the checkout
    stdout, stderr, status = api.run(
        ["--config-file", str(REPO / "pyproject.toml"), "--cache-dir", str(tmp_path / "mypy")]
    )
    assert status == 0, f"mypy found type errors:\n{stdout}{stderr}"
