"""``veille orgs`` and ``veille org NAME``: organisations in the archive."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive
from veille.commands.render import check_format, day, echo_csv, echo_json, echo_table
from veille.core.errors import VeilleError

orgs_app = typer.Typer(
    help="Organisations by number of articles naming them (and: export-gazetteer).\n\nExample: veille orgs --top 20",
    invoke_without_command=True,
    rich_markup_mode=None,
)


@orgs_app.callback()
def orgs_cmd(
    ctx: typer.Context,
    top: int | None = typer.Option(None, "--top", min=1, help="Only the N most cited."),
    since: str | None = typer.Option(None, "--since", help="Articles published on or after (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Articles published on or before (YYYY-MM-DD)."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Organisations by number of articles naming them.

    Example: veille orgs --top 20 --since 2025-01-01 (merges and splits into the gazetteer:
    veille orgs export-gazetteer)
    """
    from veille.archive.search import org_stats

    if ctx.invoked_subcommand is not None:
        return

    check_format(fmt)
    _, store = open_archive(data_dir, config_dir)
    try:
        stats = org_stats(store, since=day(since, "--since"), until=day(until, "--until"), top=top)
    finally:
        store.close()
    if fmt == "json":
        echo_json(stats)
        return
    rows = [[s.name, s.kind, s.articles, s.mentions, ", ".join(s.aliases)] for s in stats]
    header = ["organisation", "kind", "articles", "mentions", "aliases"]
    if fmt == "csv":
        echo_csv(header, rows)
    else:
        echo_table(header, rows, [50, 12, 8, 8, 50])


def org_cmd(
    name: str = typer.Argument(..., help="Canonical name or any alias (accents and case ignored)."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    limit: int = typer.Option(
        20, "--limit", min=1, max=1000, help="Newest articles and figures to list (the totals count all)."
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """One organisation: aliases, its newest articles and figures, mentions per week.

    Example: veille org ADD --limit 50
    """
    from veille.archive.search import organisation
    from veille.core.formatting import format_date

    check_format(fmt, ("table", "json"))
    _, store = open_archive(data_dir, config_dir)
    try:
        detail = organisation(store, name, articles=limit, figures=limit)
    finally:
        store.close()
    if detail is None:
        raise VeilleError(f"no organisation named '{name}' in the archive: see `veille orgs`")
    if fmt == "json":
        echo_json(detail)
        return
    typer.echo(detail.name + (f" ({detail.kind})" if detail.kind else ""))
    if detail.aliases:
        typer.echo("Aliases: " + ", ".join(detail.aliases))
    org = _shell_word(detail.name, detail.aliases)
    more = f"veille search '' --org {org} --order date"
    typer.echo(f"\nArticles ({_shown(len(detail.articles), detail.article_count, more)}):")
    echo_table(
        ["id", "date", "source", "title"],
        [[a.id, a.published, a.source, a.title] for a in detail.articles],
        [8, 10, 16, 70],
    )
    if detail.figures:
        more = f"veille figures --org {org}"
        typer.echo(f"\nFigures ({_shown(len(detail.figures), detail.figure_count, more)}):")
        echo_table(
            ["date", "value", "metric", "period"],
            [[format_date(f.published), f.formatted, f.metric, f.period] for f in detail.figures],
            [14, 24, 40, 10],
        )
    if detail.weekly_mentions:
        typer.echo("\nMentions per week: " + ", ".join(f"{w} {n}" for w, n in detail.weekly_mentions))


def _shell_word(name: str, aliases: list[str]) -> str:
    """The organisation as one shell word, readable: a plain alias ("MIC") if it has one, else its
    name quoted ("'Medz Sourcing'", or in double quotes when it holds an apostrophe)."""
    plain = [a for a in aliases if re.fullmatch(r"[\w.-]+", a)]
    if plain:
        return min(plain, key=len)
    if "'" in name and not re.search(r'["$`\\!]', name):
        return f'"{name}"'
    return shlex.quote(name)


def _shown(shown: int, total: int, more: str) -> str:
    """ "12", or "the newest 20 of 28228; all of them: <command>"."""
    return f"{total}" if shown >= total else f"the newest {shown} of {total}; all of them: {more}"


@orgs_app.command("export-gazetteer")
def export_gazetteer_cmd(
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write here instead of the config dir's organisations.toml (read from it).",
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Fold the analysts' merges and splits of organisations into config/organisations.toml
    (comments and layout kept): merged names become forms of the other organisation, moved forms
    go to the organisation they name.

    Example: veille orgs export-gazetteer -o /tmp/organisations.toml
    """
    from pipeline.gazetteer_export import export_gazetteer
    from veille.archive import org_edits

    settings, store = open_archive(data_dir, config_dir)
    source = Path(settings.config_dir) / "organisations.toml"
    target = output or source
    try:
        edits = org_edits.edits(store)
        if output is not None and source.exists() and source != output:
            output.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        said = export_gazetteer(
            target, edits,
            kind_of=lambda name: org_edits.kind_of(store, name),
            moved_forms=lambda edit: org_edits.moved_forms(store, edit),
            forms_written=lambda name: org_edits.forms_written(store, name),
        )  # fmt: skip
    finally:
        store.close()
    for line in said:
        typer.echo(f"  {line}")
    typer.echo(f"{len(edits)} merges and splits folded into {target}.")


def register(app: typer.Typer) -> None:
    app.add_typer(orgs_app, name="orgs")
    app.command("org")(org_cmd)
