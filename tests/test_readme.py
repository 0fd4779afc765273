"""The README's Quick start is what CI runs."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]


def test_quick_start_has_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert "veille demo" in commands[0]
    assert "pytest" in commands[1] and "[test]" in commands[1]


def test_ci_runs_command_two_as_written() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    block = ci.split("# BEGIN README COMMAND 2\n", 1)[1].split("# END README COMMAND 2", 1)[0].strip()
    assert block == _quick_start_commands()[1]


def test_adding_a_source_examples_are_valid(tmp_path) -> None:  # noqa: ANN001
    from veille.core.sources import load_sources

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a source", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    assert blocks
    for i, block in enumerate(blocks):
        path = tmp_path / f"sources{i}.toml"
        path.write_text(block, encoding="utf-8")
        (source,) = load_sources(path)
        assert source.name.startswith("exemple")
