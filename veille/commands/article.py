"""``veille article ID|URL``: one archived article with what was extracted from it."""

from __future__ import annotations

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive
from veille.commands.render import check_format, echo_json
from veille.core.errors import VeilleError


def article_cmd(
    ref: str = typer.Argument(..., metavar="ID|URL", help="Article id or URL (as fetched or canonical)."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Show an article, its figures, organisations and persons.

    Example: veille article 42
    """
    from veille.archive.search import article_detail
    from veille.core.formatting import format_date

    check_format(fmt, ("text", "json"))
    _, store = open_archive(data_dir, config_dir)
    try:
        a = article_detail(store, ref)
    finally:
        store.close()
    if a is None:
        raise VeilleError(f"no article '{ref}' in the archive: use an id from `veille search` or a URL")
    if fmt == "json":
        echo_json(a)
        return
    typer.echo(f"[{a.id}] {a.title}")
    typer.echo(f"{a.source} · {format_date(a.published, 'long')} · {a.url}")
    if a.other_sources:
        typer.echo("Also in: " + ", ".join(a.other_sources))
    if a.themes:
        typer.echo("Themes: " + ", ".join(a.themes) + f" · relevance {a.relevance:.2f}")
    if a.lead:
        typer.echo("\n" + a.lead)
    typer.echo("\n" + a.text)
    if a.figures:
        typer.echo("\nFigures:")
        for f in a.figures:
            extra = " · ".join(x for x in (f.metric, f.period) if x)
            typer.echo(
                f"  {f.formatted.replace(chr(160), ' ')}"
                + (f"  ({extra})" if extra else "")
                + f"  «{f.text}»"
            )
    if a.organisations:
        typer.echo("\nOrganisations:")
        for o in a.organisations:
            typer.echo(f"  {o.name} ×{o.count}" + (f"  ({', '.join(o.forms)})" if o.forms else ""))
    if a.persons:
        typer.echo("\nPersons:")
        for p in a.persons:
            typer.echo("  " + ", ".join(x for x in (p.name, p.role, p.organisation) if x))


def register(app: typer.Typer) -> None:
    app.command("article")(article_cmd)
