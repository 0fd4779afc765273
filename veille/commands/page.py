"""``veille page``: what Veille extracts from one article page (the spiders' own code path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from veille.commands.options import ConfigDir, DataDir


def register(app: typer.Typer) -> None:
    @app.command(
        "page",
        help=(
            "Extract an article (title, date, author, lead, text, language) from a saved HTML file "
            "or a URL, exactly as a crawl would.\n\nExample: veille page article.html --url https://lematin.ma/x --source lematin --json"
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
        source: Annotated[
            str | None,
            typer.Option(
                "--source",
                help="Read the page as this source's: the title suffix its crawls learned (kept in the archive).",
            ),
        ] = None,
        data_dir: DataDir = None,
        config_dir: ConfigDir = None,
    ) -> None:
        site_names: tuple[str, ...] = ()
        if source:
            site_names = source_site_names(source, data_dir, config_dir)
        zone, default_zone = date_zones(source, data_dir, config_dir)
        fields = extract_target(
            target,
            url=url,
            allow_hosts=tuple(allow_host or ()),
            timeout=timeout,
            site_names=site_names,
            zone=zone,
            default_zone=default_zone,
        )
        data = fields.to_dict()
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for key in ("url", "title", "published", "author", "language", "lead"):
            typer.echo(f"{key:>9}: {data[key] or '—'}")
        typer.echo("")
        typer.echo(data["text"])


def source_site_names(
    source: str, data_dir: Path | None = None, config_dir: Path | None = None
) -> tuple[str, ...]:
    """The title suffix the archive keeps for ``source`` (none when it has learned none)."""
    from veille.commands.options import open_archive

    _, store = open_archive(data_dir, config_dir)
    try:
        suffix = store.title_suffixes().get(source)
    finally:
        store.close()
    return (suffix,) if suffix else ()


def date_zones(
    source: str | None, data_dir: Path | None = None, config_dir: Path | None = None
) -> tuple[ZoneInfo | None, ZoneInfo]:
    """The zones a crawl reads this page's dates in: the source's ``timezone`` (when
    sources.toml names the source and gives one) and digest.toml's timezone."""
    from veille.commands.options import load_settings

    settings = load_settings(data_dir, config_dir)
    configured = next((s.timezone for s in settings.sources if s.name == source), None)
    return (ZoneInfo(configured) if configured else None), ZoneInfo(settings.digest.timezone)


def extract_target(
    target: str,
    *,
    url: str | None = None,
    allow_hosts: tuple[str, ...] = (),
    timeout: float = 15.0,
    site_names: tuple[str, ...] = (),
    zone: ZoneInfo | None = None,
    default_zone: ZoneInfo | None = None,
):  # type: ignore[no-untyped-def]
    """FILE_OR_URL -> PageFields (the function behind the command)."""
    from spiders.page import TZ, extract_page
    from veille.core.errors import FetchError

    if target.startswith(("http://", "https://")):
        from spiders.check import fetch

        got = fetch(target, timeout=timeout, allow_hosts=allow_hosts)
        if got.status >= 400:
            raise FetchError(f"{target}: HTTP {got.status}")
        return extract_page(
            got.body,
            url or got.url,
            content_type=got.content_type,
            site_names=site_names,
            zone=zone,
            default_zone=default_zone or TZ,
        )
    path = Path(target)
    if not path.is_file():
        raise FetchError(f"{target}: no such file (give an HTML file or an http(s) URL)")
    return extract_page(
        path.read_bytes(),
        url or path.resolve().as_uri(),
        site_names=site_names,
        zone=zone,
        default_zone=default_zone or TZ,
    )
