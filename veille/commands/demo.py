"""``veille demo``: run the real chain on the bundled demo site, offline."""

from __future__ import annotations

import typer

from veille.commands.options import ConfigDir, DataDir, load_settings


def _parse_smtp(value: str | None) -> tuple[str, int] | None:
    from veille.core.errors import VeilleError

    if not value:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise VeilleError(f"--smtp: expected HOST:PORT, got '{value}'")
    return host, int(port)


def demo(
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
    port: int = typer.Option(
        0, "--port", min=0, max=65535, help="Port of the demo news site (0: any free port)."
    ),
    smtp: str | None = typer.Option(
        None, "--smtp", help="Deliver to this SMTP server (HOST:PORT) instead of starting one."
    ),
    smtp_port: int = typer.Option(
        0, "--smtp-port", min=0, max=65535, help="Port of the demo SMTP server (0: any)."
    ),
) -> None:
    """Run the whole chain offline on a bundled French demo news site.

    Serves the site on 127.0.0.1, crawls its RSS and Atom feeds and listing pages with the
    real spiders, archives and extracts figures and organisations, then emails the digest of
    the latest week to a demo subscriber via a local SMTP server and the outbox folder.
    Running it again keeps one copy of each article.

    Example: veille demo --data-dir /tmp/veille-demo
    """
    from veille.demo.run import DEMO_SUBSCRIBER, run_demo

    settings = load_settings(data_dir, config_dir, vocabularies=True)
    typer.echo(f"Data directory: {settings.data_dir}")
    report = run_demo(settings, site_port=port, smtp=_parse_smtp(smtp), smtp_port=smtp_port, echo=typer.echo)
    from veille.core.ledger import DUPLICATE_REASONS

    c = report.crawl
    # every article the crawl met is new, a duplicate (already archived: "known" URL or same
    # text) or dropped for another reason; pages fetched also count feeds and listing pages
    others = {r: n for r, n in sorted(c.get("drop_reasons", {}).items()) if r not in DUPLICATE_REASONS}
    seen = c.get("new", 0) + c.get("duplicate", 0) + sum(others.values())
    parts = [
        f"{c.get('new', 0)} new",
        f"{c.get('duplicate', 0)} duplicate",
        *(f"{n} {r}" for r, n in others.items()),
    ]
    typer.echo(
        f"Crawl: {seen} articles = {' + '.join(parts)} "
        f"({c.get('fetched', 0)} article pages fetched, {c.get('errors', 0)} errors)"
    )
    typer.echo(
        f"Archive: {report.articles_in_archive} articles, {report.figures} figures, "
        f"{report.organisations} organisations"
    )
    if report.top_figures:
        typer.echo("Top key figures:")
        for line in report.top_figures:
            typer.echo(f"  • {line}")
    if report.already_sent:
        typer.echo(
            f"Digest {report.period}: already delivered to {DEMO_SUBSCRIBER} by an earlier run "
            "(each week goes to a subscriber at most once)"
        )
    else:
        typer.echo(
            f"Digest {report.period}: delivered to {DEMO_SUBSCRIBER} via the SMTP server on {report.smtp} "
            f"({report.received} message(s) received)"
        )
    for path in report.outbox:
        typer.echo(f"  outbox: {path}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
