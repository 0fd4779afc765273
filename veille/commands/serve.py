"""``veille serve`` (the web UI) and ``veille web hash-password``."""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from typing import TYPE_CHECKING, Any

import typer

from veille.commands.options import ConfigDir, DataDir, open_archive
from veille.core.conf.secrets import SECRET_KEY_ENV
from veille.core.errors import VeilleError

if TYPE_CHECKING:
    from veille.core.config import Settings
    from veille.web.config import WebConfig


class PortInUse(VeilleError):
    exit_code = 5


WORKER_ENV = "VEILLE_SERVE_WORKER"  # the options each worker process rebuilds its app from


def worker_app():  # type: ignore[no-untyped-def]
    """The application of one ``--workers`` process (uvicorn factory; each process opens its store)."""
    from veille.commands.options import load_settings
    from veille.web import create_app

    options = json.loads(os.environ[WORKER_ENV])
    return create_app(load_settings(options["data_dir"], options["config_dir"]))


KEEP_ALIVE_SECONDS = 75


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so a busy port is one clear line, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when the socket
    # says it is TCP. Without it, each response after the first on a kept-alive connection
    # waited ~40 ms (Nagle's algorithm against the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} on {host} is already in use: stop the other server or pick another --port"
            ) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise PortInUse(f"not allowed to listen on {host}:{port}: use a port above 1024") from None
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."
    ),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
    proxy_headers: bool = typer.Option(
        False,
        "--proxy-headers",
        help="Trust X-Forwarded-Proto/For from --forwarded-allow-ips (behind a reverse proxy).",
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1", "--forwarded-allow-ips", help="Proxies trusted with --proxy-headers."
    ),
    log_level: str = typer.Option(
        "info", "--log-level", help="uvicorn log level: critical, error, warning, info, debug."
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Server processes sharing the port (about one per CPU core); each has its own "
        "connections and search cache. SQLite in WAL mode serves several processes.",
    ),
    data_dir: DataDir = None,
    config_dir: ConfigDir = None,
) -> None:
    """Serve the analysts' web UI (search, articles, figures, organisations, sources, digests, admin).

    Settings in config/web.toml; the session key from VEILLE_SECRET_KEY; accounts made with
    `veille users add`.

    Example: veille serve --port 8000 --data-dir ./data --workers 2
    """
    from veille.archive.database import require_archive
    from veille.commands.options import load_settings
    from veille.web.config import WebConfig

    settings = load_settings(data_dir, config_dir)
    web = WebConfig.load(settings)
    require_archive(settings.database_url)  # serve an archive, never a new empty one
    sock = bind_socket(host, port)
    actual = sock.getsockname()[1]
    options = uvicorn_options(log_level, proxy_headers, forwarded_allow_ips)
    typer.echo(
        f"Veille: http://{host if ':' not in host else f'[{host}]'}:{actual}/  "
        f"({workers} worker{'s' if workers > 1 else ''}; Ctrl+C to stop)",
        err=True,
    )
    try:
        if workers > 1:
            _serve_workers(settings, web, sock, workers, options)
        else:
            _serve_one(settings, web, sock, options)
    finally:
        sock.close()


def uvicorn_options(log_level: str, proxy_headers: bool, forwarded_allow_ips: str) -> dict[str, Any]:
    """What uvicorn is told, whether one process serves or several."""
    return {
        "log_level": log_level,
        "proxy_headers": proxy_headers,
        "forwarded_allow_ips": forwarded_allow_ips,
        "server_header": False,
        "access_log": log_level == "debug",
        # idle kept-alive connections: longer than clients and proxies keep theirs (httpx 5 s,
        # browsers and nginx more), or a request sent as the server closes one fails on the wire
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }


def _serve_one(settings: Settings, web: WebConfig, sock: socket.socket, options: dict[str, Any]) -> None:
    """One process serves the app built here."""
    import uvicorn

    from veille.web import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(settings, web=web), **options))
    server.run(sockets=[sock])
    if not server.started:
        raise VeilleError("the web server did not start (see the messages above)")


def _serve_workers(
    settings: Settings, web: WebConfig, sock: socket.socket, workers: int, options: dict[str, Any]
) -> None:
    """``workers`` child processes share the socket; each builds its app (:func:`worker_app`)
    from the settings it loads from the environment this process hands down."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from veille.archive.store import open_store

    # migrate once here, not in N processes at once
    open_store(settings.database_url, require=True).close()
    if not web.secret_from_env:  # one random key for every worker, or sessions hop between keys
        # (the workers are child processes: they load their settings from this environment)
        os.environ[SECRET_KEY_ENV] = web.secret_key
    os.environ[WORKER_ENV] = json.dumps(
        {"data_dir": str(settings.data_dir), "config_dir": str(settings.config_dir)}
    )
    config = uvicorn.Config("veille.commands.serve:worker_app", factory=True, workers=workers, **options)
    Multiprocess(config, sockets=[sock]).run()


web_app = typer.Typer(
    help="Web UI helpers.\n\nExample: veille web hash-password", no_args_is_help=True, rich_markup_mode=None
)


@web_app.command("hash-password")
def hash_password_command() -> None:
    """Print an argon2id password hash for VEILLE_ADMIN_PASSWORD_HASH (or web.toml's admin_password_hash).

    That setting is from before named accounts: at the web's first start with it and no admin
    account, it becomes the account 'admin'. To create accounts, use `veille users add`.
    Prompts twice on a terminal; otherwise reads the password from the first line of stdin.

    Example: veille web hash-password   |   echo 'secret' | veille web hash-password
    """
    from veille.core.passwords import hash_password, password_problem

    if sys.stdin.isatty():
        password = typer.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password)
    if problem:
        raise VeilleError(problem)
    typer.echo(hash_password(password))


@web_app.command("revoke-sessions")
def revoke_sessions_command(data_dir: DataDir = None, config_dir: ConfigDir = None) -> None:
    """End every web session now: every account must log in again (a new password or a
    disabled account ends that account's sessions on its own).

    Example: veille web revoke-sessions
    """
    from veille.archive.sessions import revoke_all

    _settings, store = open_archive(data_dir, config_dir)
    try:
        n = revoke_all(store)
    finally:
        store.close()
    typer.echo(f"{n} session(s) revoked")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(web_app, name="web")
