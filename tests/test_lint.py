"""ruff, lint and format, on the whole checkout ([tool.ruff] in pyproject.toml): the README's test
command runs it, so a change that breaks the house style fails CI like a failing test."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", str(REPO)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def test_ruff_finds_nothing_to_lint() -> None:
    done = _ruff("check")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_code_is_formatted() -> None:
    done = _ruff("format", "--check")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
