"""Options shared by every command that touches the archive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from veille.core.errors import VeilleError

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="VEILLE_DATA_DIR",
        help="Data directory (archive, outbox, logs). Default: the user's data dir. Env: VEILLE_DATA_DIR.",
        show_default=False,
    ),
]

ConfigDir = Annotated[
    Path | None,
    typer.Option(
        "--config-dir",
        envvar="VEILLE_CONFIG_DIR",
        help="Directory of the TOML config files. Default: the bundled config/. Env: VEILLE_CONFIG_DIR.",
        show_default=False,
    ),
]


def load_settings(  # type: ignore[no-untyped-def]
    data_dir: Path | None = None, config_dir: Path | None = None, *, vocabularies: bool = False
):
    """Settings from the common options (env vars already folded in by typer), every config
    file read and checked before any work: a bad one is one line naming the file, the table
    and the field, exit code 2. ``vocabularies``: the extractor's too (commands that crawl or
    extract)."""
    from veille.core.config import Settings

    settings = Settings.load(data_dir=data_dir, config_dir=config_dir).check()
    if vocabularies:
        from pipeline.vocabularies import check_vocabularies

        check_vocabularies(settings.config_dir)
    return settings


def open_archive(  # type: ignore[no-untyped-def]
    data_dir: Path | None = None, config_dir: Path | None = None, *, vocabularies: bool = False
):
    """Open (and migrate) the existing archive named by the common options: ``(settings, store)``.

    Only ``veille init``, ``crawl`` and ``demo`` create an archive: here a mistyped --data-dir,
    an empty veille.db or a database without Veille's tables is one line, "no archive at …".
    """
    from veille.archive.store import open_store

    settings = load_settings(data_dir, config_dir, vocabularies=vocabularies)
    return settings, open_store(settings.database_url, require=True, timezone=settings.digest.timezone)


def parse_date(value: str | None, option: str = "--since", zone: tzinfo | None = None):  # type: ignore[no-untyped-def]
    """Parse YYYY-MM-DD (or a full ISO datetime) into an aware datetime, read in ``zone`` (a
    tzinfo; default UTC) when written without one; one-line error otherwise."""
    from datetime import UTC, datetime

    from veille.core.errors import VeilleError

    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise VeilleError(f"{option}: '{value}' is not a date (expected YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone or UTC)


class OptionError(VeilleError):
    """An option's value the user can fix (exit 2, as a usage error)."""

    exit_code = 2


Q = TypeVar("Q")
OPTIONS = {
    "sources": "--source", "article_id": "--article", "scope_kind": "--scope", "year_from": "--from",
    "year_to": "--to", "kind": "--type",
}  # fmt: skip  # the others are "--" + the field's name


def build_query(build: Callable[..., Q], text_name: str, **values: Any) -> Q:
    """``build(**values)`` (a builder of :mod:`veille.queries`); its error one line naming the
    option (the query's text is ``text_name``)."""
    from veille.queries import ParameterError

    try:
        return build(**values)
    except ParameterError as exc:
        names = {"text": text_name, **OPTIONS}
        fields = {f: names.get(f, "--" + f.replace("_", "-")) for f in (exc.field, exc.other) if f}
        raise OptionError(exc.english(fields)) from None
