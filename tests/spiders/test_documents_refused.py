"""Refused files are remembered (``refused_files``): the next crawl does not download them again
unless they changed (a conditional request answered 304 leaves them alone; bytes refused under
one URL are not read under another), unless the retry delay has passed or the size limit was
raised past them; a refused file that changed and reads is archived and leaves the list.

``veille crawl`` in a child process against a loopback server that counts its hits and answers
``If-None-Match`` / ``If-Modified-Since`` as a web server does."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.spiders import documents_fixtures as fx
from tests.spiders.conftest import CRAWL_TOML, crawl
from veille.archive.store import open_store
from veille.core.config import Settings

FAST = """
ITEM_PIPELINES = { "pipeline.normalise.NormalisePipeline" = 100, "pipeline.relevance.RelevancePipeline" = 200, "pipeline.dedup.DedupPipeline" = 300, "pipeline.storage.StorePipeline" = 400 }
"""
LAST_MODIFIED = formatdate(1_760_000_000, usegmt=True)


class _Files(http.server.BaseHTTPRequestHandler):
    # name -> (body, ETag or None, Last-Modified or None); hits: (path, status, conditional header)
    files: dict[str, tuple[bytes, str | None, str | None]] = {}
    listed: list[str] = []
    hits: list[tuple[str, int, str | None]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if self.path == "/docs/publications":
            items = "".join(
                f'<li><a href="/docs/{n}">Publication {i}</a></li>' for i, n in enumerate(self.listed)
            )
            page = f'<!doctype html><html lang="fr"><body><ul class="publications">{items}</ul></body></html>'
            return self._send(200, page.encode(), "text/html; charset=utf-8")
        name = self.path.removeprefix("/docs/")
        name = "corrompu.pdf" if name == "copie/corrompu.pdf" else name
        if name not in self.files:
            return self._send(404, b"", "text/plain")
        body, etag, modified = self.files[name]
        asked = self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
        if (etag and self.headers.get("If-None-Match") == etag) or (
            modified and self.headers.get("If-Modified-Since") == modified
        ):
            self.hits.append((self.path, 304, asked))
            return self._send(304, b"", None, etag, modified)
        self.hits.append((self.path, 200, asked))
        return self._send(200, body, "application/octet-stream", etag, modified)

    def _send(self, status: int, body: bytes, ctype: str | None, etag: str | None = None,
              modified: str | None = None) -> None:  # fmt: skip
        self.send_response(status)
        for name, value in (("Content-Type", ctype), ("ETag", etag), ("Last-Modified", modified)):
            if value:
                self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


@contextmanager
def _site() -> Iterator[tuple[str, type[_Files]]]:
    files = {
        "indicateurs.pdf": (fx.indicators_pdf(), None, None),
        "protege.pdf": (fx.encrypted_pdf(), '"v1"', None),  # a server giving an ETag
        "corrompu.pdf": (fx.broken_pdf(), None, None),  # nor ETag nor Last-Modified
        "bombe.xlsx": (fx.zip_bomb_xlsx(20_000_000), None, LAST_MODIFIED),  # a Last-Modified date
        "enorme.pdf": (b"%PDF-1.4\n" + b"0" * 100_000, None, None),  # over the 60 KB limit
    }
    handler = type("Files", (_Files,), {"files": files, "listed": list(files), "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, base: str, **limits: object) -> Path:
    conf = tmp_path / "config"
    if not conf.exists():
        shutil.copytree(REPO / "config", conf)
    (conf / "sources.toml").write_text(
        f'[[source]]\nname = "office"\nkind = "documents"\nurls = ["{base}/docs/publications"]\n'
        f'allowed_domains = ["127.0.0.1"]\nofficial = true\n',
        encoding="utf-8",
    )
    table = {"max_file_size": 60_000, "max_unzipped_size": 10_000_000, **limits}
    documents = "[crawl.documents]\n" + "".join(f"{k} = {v}\n" for k, v in table.items())
    toml = CRAWL_TOML.replace("[crawl.autothrottle]", documents + "[crawl.autothrottle]") + FAST
    (conf / "crawl.toml").write_text(toml, encoding="utf-8")
    return conf


def _crawl(conf: Path, data: Path) -> dict:
    proc, report = crawl(conf, data, "office", "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = report["sources"]  # type: ignore[index]
    return line


def _refused(conf: Path, data: Path, base: str, names: list[str]) -> dict:
    store = open_store(Settings.load(data_dir=data, config_dir=conf).database_url)
    try:
        return {
            r.url.rsplit("/docs/", 1)[1]: r
            for r in store.refused_files(urls=[f"{base}/docs/{n}" for n in names])
        }
    finally:
        store.close()


@pytest.mark.slow
def test_refused_files_are_not_downloaded_again_unless_they_changed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    names = ["protege.pdf", "corrompu.pdf", "bombe.xlsx", "enorme.pdf", "copie/corrompu.pdf"]
    with _site() as (base, site):
        conf = _config(tmp_path, base)
        first = _crawl(conf, data)
        assert (first["new"], first["errors"], first["drop_reasons"]) == (1, 3, {"too_big": 1}), first
        refused = _refused(conf, data, base, names)
        assert sorted(refused) == ["bombe.xlsx", "corrompu.pdf", "enorme.pdf", "protege.pdf"]
        assert refused["protege.pdf"].reason == "encrypted PDF refused (it needs a password to open)"
        assert refused["protege.pdf"].etag == '"v1"' and refused["protege.pdf"].kind == "unreadable"
        assert (
            refused["protege.pdf"].sha256
            == __import__("hashlib").sha256(site.files["protege.pdf"][0]).hexdigest()
        )
        assert (
            refused["bombe.xlsx"].last_modified == LAST_MODIFIED and "unpack" in refused["bombe.xlsx"].reason
        )
        assert refused["corrompu.pdf"].reason.startswith("broken PDF")
        assert (refused["enorme.pdf"].kind, refused["enorme.pdf"].size_limit) == ("too_big", 60_000)

        # the next crawl: the files with a validator asked whether they changed (304), the others
        # not asked at all; the broken file's bytes under a new URL downloaded but not read again
        site.listed.append("copie/corrompu.pdf")
        before = len(site.hits)
        second = _crawl(conf, data)
        hits = sorted(h for h in site.hits[before:] if h[0] != "/docs/publications")
        assert hits == [("/docs/bombe.xlsx", 304, LAST_MODIFIED), ("/docs/copie/corrompu.pdf", 200, None),
                        ("/docs/protege.pdf", 304, '"v1"')], hits  # fmt: skip
        assert (second["new"], second["errors"], second["drop_reasons"]) == (
            0,
            0,
            {"known": 1, "refused": 5},
        ), second
        refused = _refused(conf, data, base, names)
        assert refused["copie/corrompu.pdf"].reason == refused["corrompu.pdf"].reason
        assert all(r.attempts == 1 for r in refused.values())

        # the encrypted file is replaced by a readable one (a new ETag), the size limit is raised:
        # the first is read and leaves the list; the big one is downloaded, and refused as broken
        site.files["protege.pdf"] = (fx.report_pdf(), '"v2"', None)
        conf = _config(tmp_path, base, max_file_size=200_000)
        before = len(site.hits)
        third = _crawl(conf, data)
        hits = sorted(h for h in site.hits[before:] if h[0] != "/docs/publications")
        assert hits == [("/docs/bombe.xlsx", 304, LAST_MODIFIED), ("/docs/enorme.pdf", 200, None),
                        ("/docs/protege.pdf", 200, '"v1"')], hits  # fmt: skip
        assert (third["new"], third["errors"]) == (1, 1), third
        refused = _refused(conf, data, base, names)
        assert "protege.pdf" not in refused
        assert (refused["enorme.pdf"].kind, refused["enorme.pdf"].attempts) == ("unreadable", 2)
        assert refused["enorme.pdf"].reason.startswith("broken PDF")

        # once the retry delay has passed (0 days: every crawl), every refused file is asked again
        conf = _config(tmp_path, base, max_file_size=200_000, retry_refused_after=0)
        before = len(site.hits)
        fourth = _crawl(conf, data)
        hits = sorted(h[0] for h in site.hits[before:] if h[0] != "/docs/publications")
        assert hits == [
            "/docs/bombe.xlsx",
            "/docs/copie/corrompu.pdf",
            "/docs/corrompu.pdf",
            "/docs/enorme.pdf",
        ]
        # read and refused again, but the broken file once: its copy's bytes were being read already
        assert (fourth["errors"], fourth["new"], fourth["drop_reasons"]) == (3, 0, {"known": 3}), fourth
        refused = _refused(conf, data, base, names)
        assert refused["enorme.pdf"].attempts == 3 and refused["bombe.xlsx"].attempts == 2
        assert sorted(refused[n].attempts for n in ("corrompu.pdf", "copie/corrompu.pdf")) == [1, 2]
