"""``veille users add|list|set-role|disable|enable|passwd``: the web UI's named accounts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive

users_app = typer.Typer(
    help=(
        "Manage the web UI's accounts and their roles: lecteur (reads), analyste (reads and "
        "corrects), admin (everything, /admin included).\n\n"
        "Example: veille users add amina@example.ma --role admin"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)

PasswordStdin = typer.Option(
    False, "--password-stdin", help="Read the password from the first line of stdin instead of prompting."
)


def _archive(data_dir: Path | None, config_dir: Path | None) -> Any:
    """The archive, with a configured admin password hash made the account ``admin`` if there is
    no admin account yet (as the web does at its start)."""
    from veille.archive.accounts import adopt_admin_hash
    from veille.web.config import WebConfig

    settings, store = open_archive(data_dir, config_dir)
    try:
        if adopt_admin_hash(store, WebConfig.load(settings).admin_password_hash) is not None:
            typer.echo("The configured admin password hash is now the account 'admin'.", err=True)
    except BaseException:
        store.close()
        raise
    return store


def _password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or asked twice on a terminal."""
    from veille.archive.accounts import UsageError, WeakPassword
    from veille.core.passwords import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise UsageError("no terminal to ask for the password: pass it on stdin with --password-stdin")
    problem = password_problem(password)
    if problem:
        raise WeakPassword(problem)
    return password


@users_app.command("add")
def add_cmd(
    email: str = typer.Argument(..., help="The account's email address (its login)."),
    role: str = typer.Option("lecteur", "--role", help="lecteur, analyste or admin."),
    password_stdin: bool = PasswordStdin,
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Create an account; asks for its password twice (or reads it with --password-stdin).

    Example: veille users add amina@example.ma --role admin   |   echo 'secret-long' | veille users add karim@example.ma --role analyste --password-stdin
    """
    from veille.archive.accounts import add_account, check_role, normalise_login

    login, role = normalise_login(email), check_role(role)  # bad values before the password
    password = _password(password_stdin)
    store = _archive(data_dir, config_dir)
    try:
        account = add_account(store, login, role=role, password=password)
    finally:
        store.close()
    typer.echo(f"Added {account.email} ({account.role})")


@users_app.command("list")
def list_cmd(data_dir: DataDir = None, config_dir: ConfigDir = None) -> None:
    """List the accounts: role, state, creation and last login.

    Example: veille users list
    """
    from veille.archive.accounts import list_accounts

    store = _archive(data_dir, config_dir)
    try:
        accounts = list_accounts(store)
    finally:
        store.close()
    if not accounts:
        typer.echo("No accounts. Create the first admin with `veille users add EMAIL --role admin`.")
        return
    for a in accounts:
        last = f"{a.last_login_at:%Y-%m-%d %H:%M} UTC" if a.last_login_at else "never"
        created = f"{a.created_at:%Y-%m-%d}" if a.created_at else ""
        state = "disabled" if a.disabled else "active"
        typer.echo(f"{a.id:>5}  {a.role:<9} {state:<9} {a.email}  (created {created}, last login {last})")
    typer.echo(f"{len(accounts)} account{'s' if len(accounts) > 1 else ''}")


@users_app.command("set-role")
def set_role_cmd(
    email: str = typer.Argument(..., help="The account's email address."),
    role: str = typer.Argument(..., help="lecteur, analyste or admin."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Change an account's role (takes effect at its next page; the last admin stays admin).

    Example: veille users set-role karim@example.ma analyste
    """
    from veille.archive.accounts import check_role, set_role

    role = check_role(role)
    store = _archive(data_dir, config_dir)
    try:
        account = set_role(store, email, role)
    finally:
        store.close()
    typer.echo(f"{account.email} is now {account.role}")


@users_app.command("disable")
def disable_cmd(
    email: str = typer.Argument(..., help="The account's email address."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Disable an account: it can no longer log in and its sessions end now (kept, not deleted).

    Example: veille users disable karim@example.ma
    """
    from veille.archive.accounts import disable_account

    store = _archive(data_dir, config_dir)
    try:
        account, ended = disable_account(store, email)
    finally:
        store.close()
    typer.echo(f"Disabled {account.email}; {ended} session(s) ended")


@users_app.command("enable")
def enable_cmd(
    email: str = typer.Argument(..., help="The account's email address."),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Enable a disabled account again (with its role and password).

    Example: veille users enable karim@example.ma
    """
    from veille.archive.accounts import enable_account

    store = _archive(data_dir, config_dir)
    try:
        account = enable_account(store, email)
    finally:
        store.close()
    typer.echo(f"Enabled {account.email} ({account.role})")


@users_app.command("passwd")
def passwd_cmd(
    email: str = typer.Argument(..., help="The account's email address (or admin)."),
    password_stdin: bool = PasswordStdin,
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Set an account's password; every session of the account ends now.

    Example: veille users passwd amina@example.ma   |   echo 'secret-long' | veille users passwd admin --password-stdin
    """
    from veille.archive.accounts import get_account, set_password

    store = _archive(data_dir, config_dir)
    try:
        get_account(store, email)  # an unknown account before asking for a password
        account, ended = set_password(store, email, _password(password_stdin))
    finally:
        store.close()
    typer.echo(f"Password of {account.email} changed; {ended} session(s) ended")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
