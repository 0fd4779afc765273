"""The ``veille serve`` and ``veille web hash-password`` commands."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.web.conftest import ADMIN, PASSWORD, VEILLE, serving
from veille.web.auth import verify_password


def run_veille(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *VEILLE, *args], input=stdin, capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_serve_answers_over_http(live_server: str) -> None:
    r = httpx.get(live_server + "/?q=offshoring")
    assert r.status_code == 200 and "Offshoring" in r.text
    assert httpx.get(live_server + "/api/search?q=emploi").json()["total"] >= 1
    assert "server" not in r.headers


def test_serve_with_several_workers_shares_sessions(tmp_path: Path, password_hash: str) -> None:
    """--workers 2: two processes on one port, one session key even without VEILLE_SECRET_KEY."""
    import re

    with serving(tmp_path, password_hash, "--workers", "2", secret=False) as base:
        with httpx.Client(base_url=base, follow_redirects=False) as client:
            page = client.get("/connexion")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            r = client.post(
                "/connexion", data={"csrf": token, "email": ADMIN, "password": PASSWORD, "suite": "/admin"}
            )
            assert r.status_code == 303
            # new connections land on either worker: every one must accept the session
            for _ in range(12):
                with httpx.Client(base_url=base, cookies=client.cookies) as other:
                    assert other.get("/admin/lettre?semaine=2025-W03").status_code == 200
            assert httpx.get(base + "/api/search?q=emploi").json()["total"] >= 1
        log = (tmp_path / "serve.log").read_text()
        assert "(2 workers; Ctrl+C to stop)" in log


def test_port_in_use_is_one_line_and_non_zero(tmp_path: Path) -> None:
    from veille.archive.store import open_store

    (tmp_path / "data").mkdir()
    open_store(f"sqlite:///{tmp_path / 'data' / 'veille.db'}").close()  # an archive to serve
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_veille("serve", "--port", str(port), "--data-dir", str(tmp_path / "data"))
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines == [
        f"Error: port {port} on 127.0.0.1 is already in use: stop the other server or pick another --port"
    ]


def test_hash_password_reads_stdin() -> None:
    result = run_veille("web", "hash-password", stdin="un-long-secret\n")
    assert result.returncode == 0, result.stderr
    encoded = result.stdout.strip()
    assert encoded.startswith("$argon2id$")
    assert verify_password("un-long-secret", encoded)


def test_hash_password_refuses_short_passwords() -> None:
    result = run_veille("web", "hash-password", stdin="court\n")
    assert result.returncode != 0 and "too short" in result.stderr


def test_every_command_has_help_with_an_example() -> None:
    for args in (("serve", "--help"), ("web", "hash-password", "--help"), ("web", "--help")):
        result = run_veille(*args)
        assert result.returncode == 0 and "Example:" in result.stdout, args


def test_served_connections_send_without_nagle_delay() -> None:
    """The listening socket ``veille serve`` binds must say it is TCP: asyncio then sets TCP_NODELAY
    on every accepted connection. With protocol 0 it did not, and each response after the first
    on a kept-alive connection waited for the client's delayed ACK (~40 ms)."""
    import asyncio

    from veille.commands.serve import bind_socket

    async def accepted_nodelay() -> int:
        sock = bind_socket("127.0.0.1", 0)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            raw = writer.get_extra_info("socket")
            seen.set_result(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_client, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(accepted_nodelay()) != 0
