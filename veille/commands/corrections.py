"""``veille corrections list|export``: the analysts' corrections of figures."""

from __future__ import annotations

from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive
from veille.commands.render import check_format, echo_csv, echo_json, echo_table

corrections_app = typer.Typer(
    help=(
        "The analysts' corrections of figures (made on the web): list them, or export the "
        "articles marked vérifié as a gold set.\n\n"
        "Example: veille corrections list --stale"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


@corrections_app.command("list")
def list_cmd(
    stale: bool = typer.Option(
        False,
        "--stale",
        help="Only the corrections whose words the article's text no longer holds (not applied).",
    ),
    article: int | None = typer.Option(None, "--article", min=1, help="Only this article's corrections."),
    account: str | None = typer.Option(None, "--account", help="Only this account's (its email)."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000, help="The newest N."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Corrections, newest first: who, when, which figure, what it was and what it became.

    Example: veille corrections list --account nadia@example.ma --limit 20 (not applied: --stale)
    """
    from veille.archive import corrections as corr

    check_format(fmt)
    _, store = open_archive(data_dir, config_dir)
    try:
        if stale:
            rows = corr.stale(store)[:limit]
        else:
            rows = corr.history(store, article_id=article, account=account, limit=limit)
    finally:
        store.close()
    if fmt == "json":
        echo_json(rows)
        return
    header = ["when", "account", "article", "figure", "action", "before", "after"]
    table = [
        [c.created_at.isoformat(timespec="minutes"), c.account, c.article_id, f"{c.span} ({c.start}-{c.end})",
         c.action, _value(c.before), _value(c.after)]
        for c in rows
    ]  # fmt: skip
    if fmt == "csv":
        echo_csv(header, table)
    else:
        echo_table(header, table, [17, 24, 7, 30, 8, 22, 22])
        if stale and rows:
            typer.echo(f"{len(rows)} corrections no longer applied: their article's text changed.", err=True)


def _value(values: dict | None) -> str:  # type: ignore[type-arg]
    if not values:
        return "-"
    return " ".join(
        str(x) for x in (f"{values.get('value'):g}", values.get("unit"), values.get("period") or "") if x
    )


@corrections_app.command("export")
def export_cmd(
    directory: Path = typer.Argument(..., help="Where to write the gold set (made if missing)."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Write the articles marked vérifié in the gold format of tests/data (NNNN-source-slug.txt
    and .json), to measure the extractor on them.

    Example: veille corrections export verifie/ && python bench/extraction_quality.py --corrections verifie/
    """
    from pipeline.evaluation.verified import export_verified

    _, store = open_archive(data_dir, config_dir)
    try:
        report = export_verified(store, directory)
    finally:
        store.close()
    typer.echo(f"{report.articles} verified articles, {report.figures} figures written to {directory}.")
    if report.left_out or report.stale:
        typer.echo(
            f"Left out: {report.left_out} figures whose words cut a word, {report.stale} corrections whose "
            "words the text no longer holds (see `veille corrections list --stale`).",
            err=True,
        )


def register(app: typer.Typer) -> None:
    app.add_typer(corrections_app, name="corrections")
