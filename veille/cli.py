"""The ``veille`` command line: a thin layer over library functions.

Each module in :mod:`veille.commands` defines ``register(app)`` and adds its commands;
they are discovered here so that no two features edit the same file. Every command that
touches the archive takes ``--data-dir`` (also ``VEILLE_DATA_DIR``); ``VEILLE_DATABASE_URL``
overrides the database. Errors print one line and exit non-zero; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from veille import __version__, commands
from veille.core.errors import VeilleError

app = typer.Typer(
    name="veille",
    help="Veille: sector watch for Morocco's offshoring industry.\n\nExample: veille demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"veille {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Veille: sector watch for Morocco's offshoring industry."""
    if debug:
        os.environ["VEILLE_DEBUG"] = "1"


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning known errors into one clear line."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or os.environ.get("VEILLE_DEBUG") == "1"
    try:
        result = app(args=argv, standalone_mode=False)  # returns the code of a typer.Exit
        if isinstance(result, int) and result:
            return result
    except VeilleError as exc:
        if debug:
            raise
        typer.echo(f"Error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        return 1
    except Exception as exc:  # click usage errors and unexpected failures
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()  # a usage error: click prints "Usage: ... Error: ..." itself
            return int(code)
        if debug:
            raise
        typer.echo(f"Error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        return 1
    return 0


def run() -> None:
    sys.exit(main())
