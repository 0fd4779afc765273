"""``veille page``: what Veille extracts from one article page (the spiders' own code path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command(
        "page",
        help=(
            "Extract an article (title, date, author, lead, text, language) from a saved HTML file "
            "or a URL, exactly as a crawl would.\n\nExample: veille page article.html --url https://lematin.ma/x --json"
        ),
    )
    def page(
        target: Annotated[str, typer.Argument(metavar="FILE_OR_URL", help="An HTML file or an http(s) URL.")],
        url: Annotated[
            str | None, typer.Option("--url", help="The page's URL (for a file: resolves links).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        allow_host: Annotated[
            list[str] | None, typer.Option("--allow-host", help="Allow this private/loopback host.")
        ] = None,
        timeout: Annotated[float, typer.Option("--timeout", help="Seconds, for a URL.")] = 15.0,
    ) -> None:
        fields = extract_target(target, url=url, allow_hosts=tuple(allow_host or ()), timeout=timeout)
        data = fields.to_dict()
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for key in ("url", "title", "published", "author", "language", "lead"):
            typer.echo(f"{key:>9}: {data[key] or '—'}")
        typer.echo("")
        typer.echo(data["text"])


def extract_target(
    target: str, *, url: str | None = None, allow_hosts: tuple[str, ...] = (), timeout: float = 15.0
):  # type: ignore[no-untyped-def]
    """FILE_OR_URL -> PageFields (the function behind the command)."""
    from spiders.page import extract_page
    from veille.errors import FetchError

    if target.startswith(("http://", "https://")):
        from spiders.check import fetch

        got = fetch(target, timeout=timeout, allow_hosts=allow_hosts)
        if got.status >= 400:
            raise FetchError(f"{target}: HTTP {got.status}")
        return extract_page(got.body, url or got.url, content_type=got.content_type)
    path = Path(target)
    if not path.is_file():
        raise FetchError(f"{target}: no such file (give an HTML file or an http(s) URL)")
    return extract_page(path.read_bytes(), url or path.resolve().as_uri())
