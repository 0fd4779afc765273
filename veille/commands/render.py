"""Output helpers for the archive commands: plain tables, JSON, CSV (no command here)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import typer

from veille.core.errors import VeilleError
from veille.core.formatting import defuse_formula

FORMATS = ("table", "json", "csv")


def check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> str:
    if fmt not in allowed:
        raise VeilleError(f"--format: unknown format '{fmt}', use one of {', '.join(allowed)}")
    return fmt


def day(value: str | None, option: str) -> date | None:
    from veille.commands.options import parse_date

    parsed = parse_date(value, option)
    return parsed.date() if parsed is not None else None


def jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    return obj


def echo_json(obj: Any) -> None:
    typer.echo(json.dumps(jsonable(obj), ensure_ascii=False, indent=2))


def echo_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 1000) -> int:
    """CSV on standard output, written ``batch`` rows at a time (rows may come from a generator:
    an export of every figure holds one batch); returns how many rows."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        n += 1
        if n % batch == 0:
            typer.echo(buf.getvalue(), nl=False)
            buf.seek(0)
            buf.truncate()
    rest = buf.getvalue()
    if rest:  # else the last batch ended the output with its line ending
        typer.echo(rest.rstrip("\n"))
    return n


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, list | tuple):
        return "; ".join(map(str, v))
    return str(v).replace("\u00a0", " ")


def _cell(v: Any) -> str:
    """A CSV cell: text a spreadsheet would run as a formula is defused; numbers stay numbers."""
    text = _text(v)
    return str(defuse_formula(text)) if isinstance(v, str | list | tuple) else text


def echo_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int] | None = None
) -> None:
    """A plain-text table; cells are cut to ``widths`` (0 = no limit)."""
    cells = [[_text(v).replace("\n", " ") for v in row] for row in rows]
    limits = list(widths or [0] * len(header))
    for row in cells:
        for i, v in enumerate(row):
            if limits[i] and len(v) > limits[i]:
                row[i] = v[: limits[i] - 1] + "…"
    sizes = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    typer.echo("  ".join(h.ljust(sizes[i]) for i, h in enumerate(header)).rstrip())
    typer.echo("  ".join("-" * s for s in sizes))
    for row in cells:
        typer.echo("  ".join(v.ljust(sizes[i]) for i, v in enumerate(row)).rstrip())
