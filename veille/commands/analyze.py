"""``veille analyze``: run the extractor on one plain-text file (or stdin) and show what it finds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from veille.commands.options import ConfigDir
from veille.commands.render import day
from veille.core.errors import VeilleError
from veille.core.models import Analysis


class InputError(VeilleError):
    """The text to analyse cannot be read."""

    exit_code = 2


def read_text(source: str, limit: int | None = None) -> str:
    """UTF-8 text of a file, or of stdin for "-"; a clear one-line error otherwise (also when
    it is longer than ``limit`` characters)."""
    # a UTF-8 character is at most 4 bytes: read no more than that, whatever the input's size
    most = None if limit is None else 4 * limit + 4
    if source == "-":
        stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
        if stream is not None:
            data = stream.read(most) if most else stream.read()
        else:
            data = sys.stdin.read().encode("utf-8")
        name = "standard input"
    else:
        path = Path(source)
        name = str(path)
        try:
            with path.open("rb") as fh:
                data = fh.read(most) if most else fh.read()
        except FileNotFoundError:
            raise InputError(f"{name}: file not found; give a UTF-8 text file or '-' for stdin") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory; give a UTF-8 text file or '-' for stdin") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
    if limit is not None and most is not None and len(data) >= most:  # surely more than limit characters
        raise _too_long(name, f"more than {limit:,}", limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not UTF-8 text (bad byte at offset {exc.start}); convert it, e.g. iconv -f latin1 -t utf-8"
        ) from None
    if not text.strip():
        raise InputError(f"{name}: no text to analyse (empty input)")
    if limit is not None and len(text) > limit:
        raise _too_long(name, f"{len(text):,}", limit)
    return text


def _too_long(name: str, size: str, limit: int) -> InputError:
    return InputError(
        f"{name}: {size} characters, over the extractor's limit of {limit:,} "
        "([extract] max_text_chars in pipeline.toml): split the text or raise the limit"
    )


def render(analysis: Analysis) -> None:
    """Three rich tables: figures, organisations, persons."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    figures = Table(title=f"Figures ({len(analysis.figures)})")
    for col in (
        "text", "value", "unit", "per", "period", "indicator", "metric", "status", "scope", "attributed to",
        "organisations",
    ):  # fmt: skip
        figures.add_column(col)
    for f in analysis.figures:
        figures.add_row(
            f.text, f"{f.value:g}", f.unit, f.per or "", f.period or "", f.indicator or "", f.metric or "",
            f.status, f"{f.scope_kind}: {f.scope}" if f.scope_kind else "", f.attributed_to or "",
            ", ".join(f.organisations),
        )  # fmt: skip
    orgs = Table(title=f"Organisations ({len(analysis.organisations)})")
    for col in ("name", "kind", "forms in the text", "mentions"):
        orgs.add_column(col)
    for o in analysis.organisations:
        orgs.add_row(o.name, o.kind or "", " | ".join(o.aliases), str(len(o.mentions)))
    persons = Table(title=f"Persons ({len(analysis.persons)})")
    for col in ("name", "role", "organisation"):
        persons.add_column(col)
    for p in analysis.persons:
        persons.add_row(p.name, p.role or "", p.organisation or "")
    for table in (figures, orgs, persons):
        console.print(table)


def analyze(
    source: str = typer.Argument("-", metavar="[FILE|-]", help="UTF-8 text file; '-' (default) reads stdin."),
    as_json: bool = typer.Option(False, "--json", help="Print the analysis as JSON instead of tables."),
    published: str | None = typer.Option(
        None,
        "--published",
        help='The text\'s publication date (YYYY-MM-DD): "aujourd\'hui", "l\'an dernier" are read against it.',
    ),
    config_dir: ConfigDir = None,
) -> None:
    """Extract figures, organisations and persons from a French text.

    Example: veille analyze article.txt --json --published 2025-03-14
    """
    from pipeline.nlp import analyze as run_analysis
    from pipeline.nlp import build_nlp
    from veille.core.config import load_pipeline

    when = day(published, "--published")  # a bad date fails before the model loads
    limit = load_pipeline(config_dir).extract.max_text_chars
    text = read_text(source, limit)
    analysis = run_analysis(text, nlp=build_nlp(config_dir), published=when)
    if as_json:
        typer.echo(json.dumps(analysis.to_dict(), ensure_ascii=False))
    else:
        render(analysis)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
