"""``veille schedule``: run the crawl/extract/digest jobs of ``config/schedule.toml``."""

from __future__ import annotations

import logging

import typer

from veille.commands.options import ConfigDir, DataDir, load_settings


def schedule_cmd(
    list_only: bool = typer.Option(False, "--list", help="Print each job and its next run, then exit."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Run the scheduler in the foreground until SIGTERM (crawl every N hours, weekly digest).

    Jobs are kept in the archive database: a digest missed while the scheduler was down is
    sent once when it restarts within the grace time. Several schedulers may run (for
    availability): one leads and runs the jobs, the others take over if it dies (docs/scaling.md).

    Example: veille schedule --list
    """
    from digest.schedule import LEADER_LEASE, list_jobs, run_scheduler
    from veille.archive.store import open_store

    settings = load_settings(data_dir, config_dir)
    store = open_store(settings.database_url, require=True)  # migrate first: one clear error if unreachable
    try:
        leader = store.lease(LEADER_LEASE)
    finally:
        store.close()
    if list_only:
        for job in list_jobs(settings):
            when = job.next_run.isoformat(timespec="minutes") if job.next_run else "paused"
            typer.echo(f"{job.id:<14} next run {when:<26} {job.name}  [{job.trigger}]")
        if leader is not None:
            until = leader.expires_at.isoformat(timespec="seconds")
            typer.echo(f"leader         {leader.holder} (lease until {until})")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_scheduler(settings)


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule_cmd)
