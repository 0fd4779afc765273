"""End to end: `veille demo` crawls the demo site, archives, extracts and emails the digest.

The demo runs in a subprocess (Scrapy's reactor runs once per process) and delivers to an
aiosmtpd server this test owns on loopback, so the test reads what actually arrived.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import REPO


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201 - aiosmtpd API
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _demo(data_dir: Path, *args: str, terminal: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["VEILLE_SECRET_KEY"] = "test-secret-for-the-demo"
    if terminal:  # rich takes stderr for a terminal (what a pipe cannot say for itself)
        env |= {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "140"}
    return subprocess.run(
        [sys.executable, "-m", "veille", "demo", "--data-dir", str(data_dir), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    data_dir = tmp_path_factory.mktemp("demo")
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        first = _demo(data_dir, "--smtp", f"127.0.0.1:{controller.port}")
        second = _demo(data_dir, "--smtp", f"127.0.0.1:{controller.port}", terminal=True)
    finally:
        controller.stop()
    return data_dir, first, second, inbox.messages


def test_demo_prints_what_it_did(demo_run) -> None:  # noqa: ANN001
    _, first, _, _ = demo_run
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout
    assert "Traceback" not in first.stderr
    for expected in ("Demo news site serving on http://127.0.0.1:", "Crawl:", " new + ", " off-topic (",
                     "figures", "organisations", "Top key figures:", "Digest 2026-W48", "outbox:"):  # fmt: skip
        assert expected in out, f"{expected!r} missing from:\n{out}"


def test_demo_shows_the_crawl_progress(demo_run) -> None:  # noqa: ANN001
    """A line per source off a terminal (the first run's pipe), a progress bar on one (the second)."""
    import re

    _, first, second, _ = demo_run
    names = ("demo-atom", "demo-listing", "demo-rss")
    lines = sorted(x for x in first.stderr.splitlines() if x.startswith("demo-"))
    assert [x.split(":")[0] for x in lines] == list(names), first.stderr[-2000:]
    assert all(
        re.fullmatch(r"demo-[a-z]+: \d+ responses, \d+ articles kept, \d+ dropped, 0 errors", x)
        for x in lines
    )
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", second.stderr)
    final = shown[shown.rindex("crawl ") :]
    assert re.search(r"crawl +━+.* 3/3 sources · \d+ fetched · 0 new", final), shown[-2000:]
    for name in names:
        assert re.search(rf"✓ {name} +━+ \d+ fetched · 0 new · 0 errors", final), final
    assert "responses" not in shown


def test_digest_email_received_with_both_parts_and_a_figure(demo_run) -> None:  # noqa: ANN001
    _, first, _, messages = demo_run
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(messages) == 1, "the first run delivers one digest to the demo subscriber"
    msg = messages[0]
    assert msg["To"].addresses[0].addr_spec == "analyste@veille-demo.test"
    assert "semaine 48" in msg["Subject"]
    assert msg.get_content_type() == "multipart/alternative"
    spaces = {0xA0: " ", 0x202F: " ", 0x0D: None}  # French formatting uses non-breaking spaces; CRLF
    plain = msg.get_body(("plain",)).get_content().translate(spaces)
    html = msg.get_body(("html",)).get_content().replace("&nbsp;", " ").translate(spaces)
    assert "Chiffres clés".upper() in plain.upper()
    assert "Chiffres clés" in html
    # each key figure of the email is a figure of the corpus, normalised, then shown in French
    from veille.core.formatting import format_value

    data_dir = demo_run[0]
    db = sqlite3.connect(data_dir / "veille.db")
    archived = {format_value(v, u, nbsp=False) for v, u in db.execute("select value, unit from figures")}
    import re

    block = re.split(r"\n[^\n]+\n-{3,}\n", plain.split("CHIFFRES CLÉS", 1)[1].split("\n", 2)[2])[0]
    shown = [line[2:].split(" — ")[0].strip() for line in block.splitlines() if line.startswith("* ")]
    shown = [s.removeprefix("environ ").removeprefix("plus de ").removeprefix("moins de ").removeprefix("jusqu'à ")
             for s in shown]  # fmt: skip
    assert len(shown) >= 3
    assert set(shown) <= archived, set(shown) - archived
    assert "10 milliards DH" in archived  # "10 milliards de DH" of the corpus, 1e10 MAD
    assert shown[0] in html
    # sources appear under their label (the demo site's name), never their id
    assert "Source : Atlas Éco (" in plain and "Atlas Éco (" in html
    assert "demo-rss" not in plain and "demo-atom" not in plain and "demo-listing" not in plain
    assert msg["List-Unsubscribe"] and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_archive_holds_normalised_figures_and_organisations(demo_run) -> None:  # noqa: ANN001
    data_dir, first, _, _ = demo_run
    assert first.returncode == 0, first.stderr[-3000:]
    db = sqlite3.connect(data_dir / "veille.db")
    rows = db.execute("select text, value, unit from figures").fetchall()
    by_text = {(text, unit): value for text, value, unit in rows}
    assert by_text[("18,5 MMDH", "MAD")] == pytest.approx(18.5e9)
    assert by_text[("10 milliards de DH", "MAD")] == pytest.approx(1e10)
    assert any(
        text.startswith("69.900 emplois") and unit == "jobs" and value == 69900 for text, value, unit in rows
    )
    orgs = {name for (name,) in db.execute("select name from organisations")}
    assert {"Association marocaine de la relation client", "Office des changes"} <= orgs
    # off-topic articles were dropped by the relevance filter, sector ones kept
    titles = [t for (t,) in db.execute("select title from articles")]
    assert not any("couscous" in t.lower() for t in titles)
    assert len(titles) >= 20


def test_running_twice_keeps_one_copy_of_each_article(demo_run) -> None:  # noqa: ANN001
    data_dir, first, second, messages = demo_run
    assert second.returncode == 0, second.stderr[-3000:]
    db = sqlite3.connect(data_dir / "veille.db")
    (count,) = db.execute("select count(*) from articles").fetchone()
    (distinct,) = db.execute("select count(distinct content_hash) from articles").fetchone()
    assert count == distinct
    assert " = 0 new + " in second.stdout
    assert "already delivered" in second.stdout
    assert len(messages) == 1, "the digest of a week goes to a subscriber at most once"
    outbox = data_dir / "outbox" / "2026-W48"
    assert any(p.suffix == ".eml" for p in outbox.iterdir()) and any(
        p.suffix == ".html" for p in outbox.iterdir()
    )


def test_demo_counters_add_up_in_the_same_words_and_orgs_match(demo_run) -> None:  # noqa: ANN001
    """ "77 articles = 27 new + 32 duplicate + 18 off-topic", and the rerun the same total, every
    article a duplicate; the organisations count is what `veille orgs` lists."""
    import json
    import re

    data_dir, first, second, _ = demo_run
    totals = []
    for run in (first, second):
        line = next(x for x in run.stdout.splitlines() if x.startswith("Crawl: "))
        m = re.fullmatch(
            r"Crawl: (\d+) articles = (\d+) new \+ (\d+) duplicate((?: \+ \d+ [a-z-]+)*) \((\d+) article pages fetched, 0 errors\)",
            line,
        )
        assert m, line
        others = [int(n) for n in re.findall(r"\+ (\d+) [a-z-]+", m.group(4))]
        assert int(m.group(1)) == int(m.group(2)) + int(m.group(3)) + sum(others), line
        totals.append((int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)))
    assert totals[0][0] == totals[1][0] and totals[1][1] == 0 and totals[1][2] == totals[0][1] + totals[0][2]
    assert totals[0][3] == totals[1][3]  # the same off-topic articles, in the same words
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    orgs = subprocess.run([sys.executable, "-m", "veille", "orgs", "--format", "json", "--data-dir", str(data_dir)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert orgs.returncode == 0, orgs.stderr
    assert f", {len(json.loads(orgs.stdout))} organisations" in first.stdout


def test_demo_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = _demo(tmp_path, "--port", str(port))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "already in use" in lines[0], result.stderr
