"""Every command has help with an example and is documented in the README."""

from __future__ import annotations

import re

import click
import pytest
import typer

from tests.conftest import REPO
from veille.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_there_are_commands() -> None:
    assert {"init", "search", "figures", "orgs", "org", "article"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_an_example(name: str) -> None:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    ctx = click.Context(command, info_name=name)
    assert "Example:" in command.get_help(ctx)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_readme(name: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"\bveille {re.escape(name)}\b", readme), (
        f"`veille {name}` is not mentioned in README.md"
    )


def _subcommands() -> list[tuple[str, str]]:
    root = typer.main.get_command(app)
    out = []
    for name, command in sorted(root.commands.items()):  # type: ignore[attr-defined]
        for sub in sorted(getattr(command, "commands", {}) or {}):
            out.append((name, sub))
    return out


@pytest.mark.parametrize(("group", "name"), _subcommands())
def test_subcommand_help_has_an_example_and_is_in_readme(group: str, name: str) -> None:
    command = typer.main.get_command(app).commands[group].commands[name]  # type: ignore[attr-defined]
    ctx = click.Context(command, info_name=name)
    assert "Example:" in command.get_help(ctx)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"\b{re.escape(name)}\b", readme), f"`veille {group} {name}` is not in README.md"
