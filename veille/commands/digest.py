"""``veille digest preview|send|review``: the weekly email digest."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive
from veille.core.errors import VeilleError

digest_app = typer.Typer(
    help="Compose, review and send the weekly email digest.\n\nExample: veille digest preview --week 2026-W48",
    no_args_is_help=True,
    rich_markup_mode=None,
)

WEEK_HELP = "ISO week (2026-W48) or window (2026-11-01..2026-11-07)."


class DigestSendError(VeilleError):
    exit_code = 5


@digest_app.command("preview")
def preview_cmd(
    week: str | None = typer.Option(
        None, "--week", help=WEEK_HELP + " Default: the latest week with articles."
    ),
    subscriber: str | None = typer.Option(
        None, "--subscriber", help="As this subscriber receives it (filters, name)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the .html and .eml (default: outbox/<week>/preview)."
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Write the digest as it would be sent (.html to open in a browser, .eml for a mail client).

    Example: veille digest preview --week 2026-W48 --subscriber amina@example.ma --out /tmp/apercu
    """
    from digest.chart import render_chart
    from digest.compose import latest_week_with_articles
    from digest.message import PREVIEW_TOKEN, MessageBuilder
    from digest.outbox import write_outbox
    from digest.review import compose_reviewed
    from veille.archive.subscribers import SecretKeyMissing, get_subscriber, unsubscribe_token

    settings, store = open_archive(data_dir, config_dir)
    try:
        config = settings.digest
        builder = MessageBuilder(config)
        period = week or latest_week_with_articles(store)
        if period is None:
            raise VeilleError("the archive has no articles yet: run `veille crawl` (or `veille demo`) first")
        sub = get_subscriber(store, subscriber) if subscriber else None
        digest = compose_reviewed(
            store, config, period, themes=sub.themes if sub else (), orgs=sub.orgs if sub else ()
        )
    finally:
        store.close()
    chart = render_chart(digest) if config.chart else None
    token = PREVIEW_TOKEN
    if sub is not None:
        try:
            token = unsubscribe_token(sub.id, sub.email, secret=config.link_key())
        except SecretKeyMissing:
            typer.echo("note: VEILLE_SECRET_KEY is not set; the unsubscribe link is a placeholder", err=True)
    msg = builder.build(digest, sub, chart=chart, token=token)
    folder = out or settings.data_dir / "outbox" / digest.period.id / "preview"
    eml = write_outbox(folder, f"{digest.period.id}-{sub.email if sub else 'apercu'}", msg)
    typer.echo(f"{digest.subject}")
    typer.echo(
        f"{len(digest.stories)} stories, {len(digest.figures)} figures, {len(digest.organisations)} organisations"
    )
    typer.echo(f"Wrote {eml.with_suffix('.html')}")
    typer.echo(f"Wrote {eml}")


@digest_app.command("send")
def send_cmd(
    week: str | None = typer.Option(None, "--week", help=WEEK_HELP + " Default: last complete week."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Build every message into the outbox; send nothing."
    ),
    resend_unconfirmed: bool = typer.Option(
        False,
        "--resend-unconfirmed",
        help="Send again the week's unconfirmed deliveries (the server may have accepted them: "
        "some readers may get two).",
    ),
    confirm_unconfirmed: bool = typer.Option(
        False,
        "--confirm-unconfirmed",
        help="Record the week's unconfirmed deliveries as received, without sending anything.",
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Send the digest to every active subscriber, each at most once (safe to re-run).

    A message that may have been accepted without the server confirming it (connection lost
    after it was transmitted, sender killed mid-batch) is reported as unconfirmed and never
    resent on its own: the command exits non-zero until an operator decides.

    Example: veille digest send --week 2026-W48
    """
    from datetime import UTC, datetime

    from digest.compose import last_complete_week, parse_period
    from digest.send import deliver_week, resolve_unconfirmed
    from digest.smtp import NullSender, SmtpSender

    if resend_unconfirmed and confirm_unconfirmed:
        raise VeilleError("--resend-unconfirmed and --confirm-unconfirmed exclude each other: choose one")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings, store = open_archive(data_dir, config_dir)
    try:
        config = settings.digest
        period = parse_period(
            week or last_complete_week(datetime.now(UTC), config.timezone).id, config.timezone
        ).id
        if confirm_unconfirmed:
            n = resolve_unconfirmed(store, period, resend=False)
            typer.echo(f"{period}: {n} unconfirmed deliveries recorded as received")
            return
        sender = NullSender() if dry_run else SmtpSender.from_config(config.smtp)
        try:
            report = deliver_week(
                settings, store, period, sender, config=config, dry_run=dry_run,
                resend_unconfirmed=resend_unconfirmed,
            )  # fmt: skip
        finally:
            sender.close()
    finally:
        store.close()
    for email, error in report.failed:
        typer.echo(f"failed: {email}: {error}", err=True)
    for email, error in report.deferred:
        typer.echo(f"deferred: {email}: {error}", err=True)
    for email, error in report.unconfirmed:
        typer.echo(f"unconfirmed: {email}: {error}", err=True)
    typer.echo(report.summary())
    if report.outbox:
        typer.echo(f"Outbox: {report.outbox}")
    if report.unconfirmed:
        raise DigestSendError(
            f"digest {report.period}: {len(report.unconfirmed)} unconfirmed (they may have arrived, so they are "
            f"not resent on their own): ask the readers, then `veille digest send --week {report.period} "
            "--confirm-unconfirmed` or `--resend-unconfirmed`"
        )
    if report.aborted or report.deferred:
        raise DigestSendError(
            f"digest {report.period} not fully sent; run `veille digest send --week {report.period}` again later"
        )


@digest_app.command("review")
def review_cmd(
    week: str | None = typer.Option(
        None, "--week", help=WEEK_HELP + " Default: the latest week with articles."
    ),
    pin: list[int] = typer.Option([], "--pin", help="Article id to put first in its theme (repeatable)."),
    exclude: list[int] = typer.Option(
        [], "--exclude", help="Article id to leave out, with its copies (repeatable)."
    ),
    unpin: list[int] = typer.Option([], "--unpin", help="Undo --pin for this id."),
    include: list[int] = typer.Option([], "--include", help="Undo --exclude for this id."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Build the week's draft, pin or exclude articles, and print it; the send uses the draft.

    Example: veille digest review --week 2026-W48 --pin 12 --exclude 40
    """
    from digest.compose import latest_week_with_articles, parse_period
    from digest.review import build_draft, update_selection

    settings, store = open_archive(data_dir, config_dir)
    try:
        config = settings.digest
        period = week or latest_week_with_articles(store)
        if period is None:
            raise VeilleError("the archive has no articles yet: run `veille crawl` (or `veille demo`) first")
        period_id = parse_period(period, config.timezone).id
        if pin or exclude or unpin or include:
            update_selection(store, period_id, pin=pin, exclude=exclude, unpin=unpin, include=include)
        draft, digest = build_draft(store, config, period_id)
    finally:
        store.close()
    typer.echo(draft.text or "")
    typer.echo(
        f"Draft {draft.period} ({draft.status}): pinned {list(draft.pinned) or '-'}, excluded {list(draft.excluded) or '-'}"
    )
    for story in digest.stories:
        typer.echo(f"  [{story.article_id}] {story.title}" + ("  (pinned)" if story.pinned else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest")
