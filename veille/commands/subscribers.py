"""``veille subscribers add|remove|list|import``: who receives the weekly digest."""

from __future__ import annotations

from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive

subscribers_app = typer.Typer(
    help="Manage digest subscribers.\n\nExample: veille subscribers add amina@example.ma --themes emploi",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@subscribers_app.command("add")
def add_cmd(
    email: str = typer.Argument(..., help="Email address."),
    name: str | None = typer.Option(None, "--name", help="Name used in the greeting."),
    themes: str | None = typer.Option(
        None, "--themes", help="Only these themes, comma-separated (empty: all)."
    ),
    orgs: str | None = typer.Option(None, "--orgs", help="Also/only these organisations, comma-separated."),
    resubscribe: bool = typer.Option(False, "--resubscribe", help="Reactivate an address that unsubscribed."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Add a subscriber, or update the name and filters of an existing one.

    Example: veille subscribers add amina@example.ma --name "Amina" --themes emploi,offshoring --orgs ADD
    """
    from veille.archive.subscribers import add_subscriber

    _, store = open_archive(data_dir, config_dir)
    try:
        sub, created = add_subscriber(
            store, email, name=name, themes=themes, orgs=orgs, resubscribe=resubscribe
        )
    finally:
        store.close()
    typer.echo(f"{'Added' if created else 'Updated'} {sub.email}" + _filters(sub.themes, sub.orgs))


@subscribers_app.command("remove")
def remove_cmd(
    email: str = typer.Argument(..., help="Email address."),
    purge: bool = typer.Option(False, "--purge", help="Delete the row and its delivery history for good."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Unsubscribe an address (kept as unsubscribed so an import won't re-add it).

    Example: veille subscribers remove amina@example.ma
    """
    from veille.archive.subscribers import remove_subscriber

    _, store = open_archive(data_dir, config_dir)
    try:
        sub = remove_subscriber(store, email, purge=purge)
    finally:
        store.close()
    typer.echo(f"{'Deleted' if purge else 'Unsubscribed'} {sub.email}")


@subscribers_app.command("list")
def list_cmd(
    status: str | None = typer.Option(None, "--status", help="Only active or unsubscribed."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """List subscribers with their status and filters.

    Example: veille subscribers list --status active
    """
    from veille.archive.subscribers import list_subscribers

    _, store = open_archive(data_dir, config_dir)
    try:
        subs = list_subscribers(store, status=status)
    finally:
        store.close()
    if not subs:
        typer.echo("No subscribers." + ("" if status else " Add one with `veille subscribers add EMAIL`."))
        return
    for s in subs:
        typer.echo(
            f"{s.id:>5}  {s.status:<12}  {s.email}"
            + (f"  ({s.name})" if s.name else "")
            + _filters(s.themes, s.orgs)
        )
    typer.echo(f"{len(subs)} subscriber{'s' if len(subs) > 1 else ''}")


@subscribers_app.command("import")
def import_cmd(
    csv_path: Path = typer.Argument(
        ..., metavar="CSV", help="email,name,themes,orgs (header optional; lists with ;)."
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Import subscribers from a CSV file; bad addresses are reported with their line and skipped.

    Example: veille subscribers import abonnes.csv
    """
    from veille.archive.subscribers import import_csv

    _, store = open_archive(data_dir, config_dir)
    try:
        report = import_csv(store, csv_path)
    finally:
        store.close()
    for problem in report.skipped:
        typer.echo(f"{csv_path}: {problem} (skipped)", err=True)
    typer.echo(
        f"Imported {len(report.added)} new, {len(report.updated)} updated, {len(report.skipped)} skipped."
    )


def _filters(themes: tuple[str, ...], orgs: tuple[str, ...]) -> str:
    bits = []
    if themes:
        bits.append("themes: " + ", ".join(themes))
    if orgs:
        bits.append("orgs: " + ", ".join(orgs))
    return f"  [{'; '.join(bits)}]" if bits else ""


def register(app: typer.Typer) -> None:
    app.add_typer(subscribers_app, name="subscribers")
