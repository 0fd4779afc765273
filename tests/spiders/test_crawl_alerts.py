"""A real crawl brings what a watch alerts on: ``veille crawl`` of a loopback fixture site, the
extraction of what it archived, then ``veille watch run`` mailing a real SMTP server (aiosmtpd)
on loopback, as the scheduler's crawl job runs them one after the other."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import REPO
from tests.digest.conftest import SECRET, SmtpServer, smtp_server  # noqa: F401 (a fixture)
from tests.spiders.conftest import PYTHON, child_env, crawl
from tests.spiders.test_crawl import FAST_PIPELINES
from veille.archive import watches as w
from veille.archive.accounts import add_account
from veille.archive.store import open_store
from veille.core.config import Settings
from veille.queries import watch_query

WORDS = "Casanearshore OR Offshoring OR téléconseillers"  # one word of each of the three articles


def _veille(conf: Path, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env(conf, data) | {"VEILLE_SECRET_KEY": SECRET}
    argv = [PYTHON, "-m", "veille", *args, "--config-dir", str(conf), "--data-dir", str(data)]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _crawl_extract_alert(conf: Path, data: Path) -> dict:
    proc, report = crawl(conf, data, "fixture-legacy", "--allow-host", "127.0.0.1")
    assert proc.returncode == 0 and report is not None, proc.stderr[-3000:]
    extracted = _veille(conf, data, "extract", "--pending")
    assert extracted.returncode == 0, extracted.stderr[-3000:]
    alerted = _veille(conf, data, "watch", "run")
    assert alerted.returncode == 0, alerted.stdout[-2000:] + alerted.stderr[-3000:]
    return report


def test_a_crawl_bringing_three_matching_articles_sends_one_alert_then_nothing(
    config_dir: Path,
    tmp_path: Path,
    smtp_server: SmtpServer,  # noqa: F811 (the fixture)
) -> None:
    conf, data = config_dir, tmp_path / "data"
    with (conf / "crawl.toml").open("a", encoding="utf-8") as fh:
        fh.write(FAST_PIPELINES)  # the extraction runs after the crawl, as the scheduler runs it
    digest = (conf / "digest.toml").read_text(encoding="utf-8")
    digest = re.sub(r'(?m)^host = "localhost"$', f'host = "{smtp_server.host}"', digest, count=1)
    digest = re.sub(r"(?m)^port = 25\b", f"port = {smtp_server.port}", digest, count=1)
    (conf / "digest.toml").write_text(digest, encoding="utf-8")
    data.mkdir()
    store = open_store(Settings.load(data_dir=data, config_dir=conf).database_url)
    try:  # the watch exists before the crawl
        owner = add_account(store, "amina@example.ma", role="analyste", password="veille-2026-longue")
        w.add_watch(store, owner_id=owner.id, name="Parcs et plateaux", params={"text": WORDS},
                    query=watch_query("search", {"text": WORDS}), every="immediate")  # fmt: skip
    finally:
        store.close()

    first = _crawl_extract_alert(conf, data)
    assert first["sources"][0]["new"] == 3
    assert len(smtp_server.handler.messages) == 1
    msg = smtp_server.handler.messages[0]
    assert msg["To"].addresses[0].addr_spec == "amina@example.ma"
    items = [
        ln for ln in msg.get_body(preferencelist=("plain",)).get_content().splitlines() if ln.startswith("* ")
    ]
    assert len(items) == 3, items
    assert any("Casanearshore" in ln for ln in items) and any("Offshoring" in ln for ln in items)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # a second crawl brings nothing new: no message
    second = _crawl_extract_alert(conf, data)
    assert second["sources"][0]["new"] == 0
    assert len(smtp_server.handler.messages) == 1
