"""``veille watch add|list|remove|run``: saved searches ("veilles"), their alerts, feeds and webhooks."""

from __future__ import annotations

import typer

from veille.commands.options import ConfigDir, DataDir, OptionError, build_query, open_archive

watch_app = typer.Typer(
    help="Saved searches with alerts, feeds and webhooks.\n\n"
    "Example: veille watch add webhelp Webhelp --owner amina@example.ma --every immediate",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@watch_app.command("add", context_settings={"ignore_unknown_options": True})
def add_cmd(
    name: str = typer.Argument(..., help="The watch's name (unique per owner)."),
    query: list[str] | None = typer.Argument(None, help="Search words, as for veille search (may be empty)."),
    owner: str = typer.Option(..., "--owner", help="The account it belongs to (its login)."),
    every: str = typer.Option("daily", "--every", help="immediate (after each crawl), daily or weekly."),
    to: list[str] = typer.Option([], "--to", help="Another address receiving its alerts (repeatable)."),
    webhook: str | None = typer.Option(None, "--webhook", help="URL receiving a signed JSON POST per run."),
    figures: bool = typer.Option(
        False, "--figures", help="A figures query (as veille figures) instead of a search."
    ),
    since: str | None = typer.Option(None, "--since", help="Published on or after (YYYY-MM-DD)."),
    source: list[str] = typer.Option([], "--source", help="Only this source (repeatable)."),
    org: str | None = typer.Option(None, "--org", help="Naming this organisation (name or alias)."),
    person: str | None = typer.Option(None, "--person", help="Naming this person (searches only)."),
    theme: str | None = typer.Option(None, "--theme", help="With this theme (searches only)."),
    unit: str | None = typer.Option(
        None, "--unit", help="A figure in this unit; MAD counts EUR and USD in MAD."
    ),
    metric: str | None = typer.Option(None, "--metric", help="A figure whose metric contains this."),
    min_value: str | None = typer.Option(
        None, "--min-value", help="A figure at least this (base units: 1e8 = 100 MDH)."
    ),
    max_value: str | None = typer.Option(None, "--max-value", help="A figure at most this."),
    period: str | None = typer.Option(None, "--period", help="A figure for this period (2024, 2025-Q1)."),
    indicator: str | None = typer.Option(
        None, "--indicator", help="A figure of this indicator (emplois_crees...)."
    ),
    status: list[str] = typer.Option(
        [], "--status", help="Figure statuses that fire (default: actual, announced)."
    ),
    kind: str | None = typer.Option(None, "--type", help="article or document (searches only)."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Save a search (or a figures query) as a watch; it alerts on the articles archived from now on.

    Example: veille watch add "Emplois >= 1000" --indicator emplois_crees --min-value 1000 --owner amina@example.ma

    Example: veille watch add "Gros investissements" --unit MAD --min-value 1e8 --indicator investissement --owner amina@example.ma --every immediate --to direction@example.ma
    """
    from veille.queries import watch_query
    from veille.watching import clean_params, feed_url, save_watch

    words = list(query or [])
    for word in words:
        if word.startswith("--"):
            raise OptionError(f"no such option: {word.split('=', 1)[0]}")
    values = {"text": " ".join(words), "since": since, "org": org, "unit": unit, "metric": metric,
              "min_value": min_value, "max_value": max_value, "period": period, "indicator": indicator,
              "status": status}  # fmt: skip
    if figures:
        values["source"] = source[0] if source else None
        if person or theme or kind or len(source) > 1:
            raise OptionError(
                "--person, --theme, --type and several --source are for searches, not --figures"
            )
    else:
        values.update(sources=source, person=person, theme=theme, kind=kind)
    chosen = "figures" if figures else "search"
    build_query(
        watch_query, "the query", kind=chosen, params=clean_params(values)
    )  # one line naming the option
    settings, store = open_archive(data_dir, config_dir)
    try:
        w = save_watch(settings, store, owner=owner, name=name, kind=chosen, values=values, every=every,
                       recipients=to, webhook_url=webhook)  # fmt: skip
    finally:
        store.close()
    typer.echo(f"Saved watch {w.id} {w.name!r} of {w.owner} ({w.every}); alerts to: "
               f"{', '.join(w.recipients) or 'nobody (add --to)'}")  # fmt: skip
    typer.echo(f"Atom feed: {feed_url(settings, w)}")
    if w.webhook_secret:
        typer.echo(f"Webhook secret (verify X-Veille-Signature with it): {w.webhook_secret}")


@watch_app.command("list")
def list_cmd(
    owner: str | None = typer.Option(None, "--owner", help="Only this account's watches."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """List the watches: owner, query, frequency, recipients, feed.

    Example: veille watch list --owner amina@example.ma
    """
    from veille.archive.accounts import find_account
    from veille.archive.watches import list_watches
    from veille.commands.render import echo_table
    from veille.watching import feed_url

    settings, store = open_archive(data_dir, config_dir)
    try:
        account = find_account(store, owner) if owner else None
        if owner and account is None:
            raise OptionError(f"--owner: no account {owner!r}")
        watches = list_watches(store, owner_id=account.id if account else None)
    finally:
        store.close()
    if not watches:
        typer.echo("No watch yet (add one: veille watch add NAME WORDS --owner EMAIL)")
        return
    rows = [[w.id, w.name, w.owner, w.kind, _shown(w.params), w.every, ", ".join(w.recipients),
             "yes" if w.webhook_url else "", feed_url(settings, w)] for w in watches]  # fmt: skip
    echo_table(["id", "name", "owner", "kind", "query", "every", "recipients", "webhook", "feed"], rows,
               [5, 24, 24, 8, 40, 10, 40, 8, 60])  # fmt: skip


def _shown(params: dict[str, object]) -> str:
    return " ".join(f"{k}={v!r}" if k != "text" else str(v) for k, v in params.items())


@watch_app.command("remove")
def remove_cmd(
    watch: str = typer.Argument(..., help="The watch's id, or its name with --owner."),
    owner: str | None = typer.Option(None, "--owner", help="The owner, when naming the watch by name."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Delete a watch with its matches and pending webhook deliveries.

    Example: veille watch remove 3
    """
    from veille.archive.accounts import find_account
    from veille.archive.watches import get_watch, remove_watch

    _, store = open_archive(data_dir, config_dir)
    try:
        account = find_account(store, owner) if owner else None
        if owner and account is None:
            raise OptionError(f"--owner: no account {owner!r}")
        key: int | str = int(watch) if watch.isdigit() else watch
        found = get_watch(store, key, owner_id=account.id if account else None)
        remove_watch(store, found.id)
    finally:
        store.close()
    typer.echo(f"Removed watch {found.id} {found.name!r} of {found.owner}")


@watch_app.command("run")
def run_cmd(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what each watch matched; record and send nothing."
    ),
    watch: list[int] = typer.Option([], "--watch", help="Only this watch, due or not (repeatable)."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Run the watches that are due: match the new articles, send the alerts, post the webhooks.

    Example: veille watch run --dry-run
    """
    from digest.alerts import run_alerts
    from digest.smtp import SmtpSender

    settings, store = open_archive(data_dir, config_dir)
    try:
        with SmtpSender.from_config(settings.digest.smtp) as sender:
            report = run_alerts(settings, store, sender, dry_run=dry_run, watch_ids=list(watch) or None)
    finally:
        store.close()
    for line in report.lines():
        typer.echo(line)
    if not report.watches:
        typer.echo("no watch due")
    if not dry_run and not report.complete:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")
