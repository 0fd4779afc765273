"""What a crawl shows while it works: a rich progress bar on a terminal, one line per source
elsewhere (the display alone, then ``veille crawl`` in a child process told it writes to one)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from rich.console import Console

from spiders.progress import CrawlProgress
from tests.conftest import REPO
from tests.spiders.conftest import PYTHON, child_env
from tests.spiders.test_crawl import FAST_PIPELINES
from tests.spiders.test_crawl_failures import last_run

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def stats(name: str, fetched: int, new: int, errors: int = 0) -> dict[str, int]:
    return {f"veille/{name}/fetched": fetched, f"veille/{name}/new": new, f"veille/{name}/errors": errors}


def test_on_a_terminal_a_bar_per_source_and_one_for_the_crawl() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, force_interactive=True, width=120, color_system=None)
    progress = CrawlProgress(["medias24", "leseco"], console=console)
    progress.start()
    progress.update("medias24", stats("medias24", 3, 2), responses=1)
    progress.update("leseco", stats("leseco", 1, 0, errors=1), responses=1)
    progress.finish("medias24", stats("medias24", 4, 3))
    progress.stop()
    text = ANSI.sub("", out.getvalue())
    final = text[text.rindex("crawl ") :]  # the last frame drawn
    assert re.search(r"crawl +━+.* 1/2 sources · 5 fetched · 3 new", final), final
    assert re.search(r"✓ medias24 +━+ 4 fetched · 3 new · 0 errors", final), final
    assert re.search(r"leseco +[━╸╺ ]+ 1 fetched · 0 new · 1 errors", final), final
    assert "responses" not in text  # the lines are for a log or a pipe


def test_elsewhere_one_line_per_source_as_it_finishes() -> None:
    out = io.StringIO()
    progress = CrawlProgress(["medias24", "leseco"], console=Console(file=out, force_terminal=False))
    progress.start()
    progress.update("medias24", stats("medias24", 1, 0), responses=1)
    progress.update("medias24", stats("medias24", 1, 1), items=1)
    progress.update("medias24", stats("medias24", 2, 1), responses=1, dropped=1)
    assert out.getvalue() == ""
    progress.finish("medias24", stats("medias24", 2, 1))
    progress.stop()
    assert out.getvalue() == "medias24: 2 responses, 1 articles kept, 1 dropped, 0 errors\n"


def test_veille_crawl_on_a_terminal_shows_the_bar(config_dir: Path, tmp_path: Path) -> None:
    with (config_dir / "crawl.toml").open("a", encoding="utf-8") as fh:
        fh.write(FAST_PIPELINES)
    data = tmp_path / "data"
    env = child_env(config_dir, data) | {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "140"}
    proc = subprocess.run(
        [PYTHON, "-m", "veille", "crawl", "fixture-legacy", "fixture-news", "--allow-host", "127.0.0.1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    shown = ANSI.sub("", proc.stderr)
    final = shown[shown.rindex("crawl ") :]
    assert re.search(r"crawl +━+.* 2/2 sources", final), shown[-2000:]
    run = last_run(config_dir, data)
    for line in run["sources"]:  # each source's last frame says what the ledger recorded
        expected = rf"✓ {line['source']} +━+ {line['fetched']} fetched · {line['new']} new · 0 errors"
        assert re.search(expected, final), final
    assert "responses" not in shown and "Traceback" not in shown
