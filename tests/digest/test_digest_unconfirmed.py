"""At most once per reader, even when SMTP cannot say: unconfirmed deliveries, as operators see them.

Real parts: aiosmtpd whose handler keeps a message and drops the connection before replying
to DATA, or holds DATA while the sending process is killed with SIGKILL; the CLI in-process
and as a subprocess; the scheduler's digest job.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from digest.schedule import DigestIncomplete, digest_job
from digest.send import delivery_counts
from tests.digest.conftest import WEEK, Archive, SmtpServer, make_subscribers
from veille.archive.store import Store
from veille.cli import main
from veille.core.config import Settings


def config_for(settings: Settings, tmp_path: Path, server: SmtpServer, operator: str = "") -> Path:
    conf = tmp_path / "conf"
    shutil.copytree(settings.config_dir, conf)
    text = (conf / "digest.toml").read_text(encoding="utf-8")
    text = text.replace('host = "localhost"', f'host = "{server.host}"').replace(
        "port = 25", f"port = {server.port}"
    )
    text = text.replace("backoff_seconds = 5.0", "backoff_seconds = 0").replace(
        "timeout = 30 ", "timeout = 5 "
    )
    text = text.replace('operator_address = ""', f'operator_address = "{operator}"')
    (conf / "digest.toml").write_text(text, encoding="utf-8")
    return conf


def args(settings: Settings, conf: Path) -> list[str]:
    return ["--week", WEEK, "--data-dir", str(settings.data_dir), "--config-dir", str(conf)]


def test_rerun_leaving_a_reader_unconfirmed_exits_non_zero_until_the_operator_decides(
    settings: Settings, store: Store, archive: Archive, smtp_server: SmtpServer, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    make_subscribers(store, 3)  # amina, karim, youssef in address order
    conf = config_for(settings, tmp_path, smtp_server)
    smtp_server.handler.accept_then_drop = {"karim@example.ma"}
    assert main(["digest", "send", *args(settings, conf)]) == 5
    err = capsys.readouterr().err
    assert "unconfirmed: karim@example.ma" in err and "--resend-unconfirmed" in err
    smtp_server.handler.accept_then_drop = set()
    assert main(["digest", "send", *args(settings, conf)]) == 5  # youssef sent, karim still unconfirmed
    out, err = capsys.readouterr()
    assert "1 sent" in out and "1 unconfirmed" in out and "unconfirmed: karim@example.ma" in err
    assert sorted(smtp_server.handler.recipients()) == [
        "amina@example.ma",
        "karim@example.ma",
        "youssef@example.ma",
    ]
    assert main(["digest", "send", "--confirm-unconfirmed", *args(settings, conf)]) == 0
    assert "1 unconfirmed deliveries recorded as received" in capsys.readouterr().out
    assert main(["digest", "send", *args(settings, conf)]) == 0
    assert "3 already sent" in capsys.readouterr().out
    assert len(smtp_server.handler.messages) == 3 and delivery_counts(store, WEEK) == {"sent": 3}


def test_resend_unconfirmed_is_the_operators_choice(
    settings: Settings, store: Store, archive: Archive, smtp_server: SmtpServer, tmp_path: Path,
) -> None:  # fmt: skip
    make_subscribers(store, 1)
    conf = config_for(settings, tmp_path, smtp_server)
    smtp_server.handler.accept_then_drop = {"amina@example.ma"}
    assert main(["digest", "send", *args(settings, conf)]) == 5
    smtp_server.handler.accept_then_drop = set()
    assert main(["digest", "send", "--resend-unconfirmed", *args(settings, conf)]) == 0
    assert smtp_server.handler.recipients() == ["amina@example.ma", "amina@example.ma"]


def test_no_subscribers_says_so_and_exits_zero(
    settings: Settings, store: Store, archive: Archive, smtp_server: SmtpServer, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    conf = config_for(settings, tmp_path, smtp_server)
    assert main(["digest", "send", *args(settings, conf)]) == 0
    out, err = capsys.readouterr()
    assert "no active subscribers, nothing to send" in out and "not fully sent" not in err


def test_sender_killed_mid_batch_never_sends_twice(
    settings: Settings, store: Store, archive: Archive, smtp_server: SmtpServer, tmp_path: Path,
) -> None:  # fmt: skip
    """SIGKILL while the server holds one message's DATA: that reader becomes unconfirmed, the rerun
    sends the rest, never that one, and exits non-zero."""
    make_subscribers(store, 3)  # amina, karim, youssef
    conf = config_for(settings, tmp_path, smtp_server)
    smtp_server.handler.hold = {"karim@example.ma"}
    cmd = [sys.executable, "-m", "veille", "digest", "send", *args(settings, conf)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        assert smtp_server.handler.holding.wait(60), "the sender never reached the held message"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    smtp_server.handler.hold = set()
    smtp_server.handler.release.set()
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert rerun.returncode == 5, rerun.stderr
    assert "unconfirmed: karim@example.ma" in rerun.stderr and "Traceback" not in rerun.stderr
    assert sorted(smtp_server.handler.recipients()) == [
        "amina@example.ma",
        "karim@example.ma",
        "youssef@example.ma",
    ]
    assert delivery_counts(store, WEEK) == {"sent": 2, "unconfirmed": 1}


def test_scheduler_mails_the_operator_once_about_unconfirmed_deliveries(
    settings: Settings, store: Store, archive: Archive, smtp_server: SmtpServer, tmp_path: Path,
) -> None:  # fmt: skip
    make_subscribers(store, 2)  # amina, youssef
    conf = config_for(settings, tmp_path, smtp_server, operator="exploitation@veille.test")
    smtp_server.handler.accept_then_drop = {"amina@example.ma"}
    with pytest.raises(DigestIncomplete, match="1 deferred, 1 unconfirmed"):  # youssef: retried later
        digest_job(str(settings.data_dir), str(conf), WEEK)
    notices = [m for m in smtp_server.handler.messages if str(m["To"]) == "exploitation@veille.test"]
    assert len(notices) == 1
    body = notices[0].get_content()
    assert "amina@example.ma" in body and f"--week {WEEK} --resend-unconfirmed" in body
    smtp_server.handler.accept_then_drop = set()
    summary = digest_job(str(settings.data_dir), str(conf), WEEK)  # the retry: nothing new to tell
    assert "1 sent" in summary and "1 unconfirmed" in summary
    assert sum(str(m["To"]) == "exploitation@veille.test" for m in smtp_server.handler.messages) == 1
    assert smtp_server.handler.recipients().count("amina@example.ma") == 1


def test_digest_send_prints_no_alembic_lines(
    settings: Settings, store: Store, archive: Archive, tmp_path: Path
) -> None:
    """`digest send` logs at INFO: alembic's "Context impl …" / "Running upgrade …" lines are not for users."""
    from sqlalchemy import text as sql

    with store.engine.begin() as conn:  # an archive one migration behind: the command upgrades it
        conn.execute(sql("UPDATE alembic_version SET version_num = '0011'"))
        conn.execute(sql("ALTER TABLE runs DROP COLUMN heartbeat_at"))
        conn.execute(sql("ALTER TABLE runs DROP COLUMN pid"))
        conn.execute(sql("ALTER TABLE runs DROP COLUMN host"))
    cmd = [sys.executable, "-m", "veille", "digest", "send", "--week", WEEK,
           "--data-dir", str(settings.data_dir), "--config-dir", str(settings.config_dir)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert "no active subscribers" in done.stdout
    assert (
        "alembic" not in done.stderr
        and "Context impl" not in done.stderr
        and "Running upgrade" not in done.stderr
    )
