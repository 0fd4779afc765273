"""Delivery through a real SMTP server (aiosmtpd): once per reader, whatever happens."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import update

from digest.send import deliver_week, delivery_counts, delivery_rows
from digest.smtp import SmtpPermanentError, SmtpSender, SmtpTemporaryError, SmtpUnavailable
from tests.digest.conftest import (
    SECRET,
    WEEK,
    Archive,
    SmtpServer,
    build_archive,
    free_port,
    make_subscribers,
)
from veille.archive import schema as t
from veille.archive.store import Store, open_store
from veille.archive.subscribers import verify_unsubscribe_token
from veille.core.conf.digest import DigestConfig
from veille.core.config import Settings


def sender_for(server: SmtpServer) -> SmtpSender:
    return SmtpSender(server.host, server.port, "none", timeout=5)


def test_delivers_one_message_per_reader_and_is_idempotent(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer
) -> None:
    subs = make_subscribers(store, 3)
    with sender_for(smtp_server) as sender:
        report = deliver_week(settings, store, WEEK, sender, config=config)
    assert sorted(report.sent) == sorted(s.email for s in subs) and report.complete
    got = smtp_server.handler.messages
    assert sorted(smtp_server.handler.recipients()) == sorted(s.email for s in subs)
    for msg in got:
        assert msg.get_content_type() == "multipart/alternative"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = msg["List-Unsubscribe"].split("/unsubscribe/", 1)[1].split(">", 1)[0]
        assert (
            verify_unsubscribe_token(store, token, secret=SECRET.encode()).email
            == msg["To"].addresses[0].addr_spec
        )
    youssef = next(m for m in got if "youssef" in str(m["To"]))  # follows the "emploi" theme only
    assert "EMPLOI ET FORMATION" in youssef.get_body(("plain",)).get_content()
    assert "CONCURRENCE INTERNATIONALE" not in youssef.get_body(("plain",)).get_content()
    # recorded: message ids, outbox files, send log, digest status
    rows = delivery_rows(store, WEEK)
    assert {r["status"] for r in rows} == {"sent"} and all(r["message_id"] for r in rows)
    folder = settings.data_dir / "outbox" / WEEK
    assert len(list(folder.glob("*.eml"))) == 3 and len(list(folder.glob("*.html"))) == 3
    log = [json.loads(line) for line in (folder / "send.log").read_text().splitlines()]
    assert {e["message_id"] for e in log} == {r["message_id"] for r in rows}
    eml = message_from_bytes(next(folder.glob("*.eml")).read_bytes(), policy=policy.default)
    assert eml["Subject"].startswith("Veille offshoring — semaine 48")
    # re-running sends nothing new
    with sender_for(smtp_server) as sender:
        again = deliver_week(settings, store, WEEK, sender, config=config)
    assert again.sent == [] and sorted(again.already_sent) == sorted(s.email for s in subs)
    assert len(smtp_server.handler.messages) == 3
    with store.engine.connect() as conn:
        sent = conn.execute(t.digests.select()).first()
    assert sent.status == "sent" and sent.built_at is not None  # the web UI's "Préparée le", never "—"


@pytest.mark.parametrize("selection", ["none", "pinned, never built"])
def test_a_sent_letter_reads_when_it_was_prepared_on_the_web(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer,
    selection: str,
) -> None:  # fmt: skip
    """The web's letters page and the letter's own page give a sent letter's date, never "—"."""
    import re

    from fastapi.testclient import TestClient

    from digest.review import update_selection
    from veille.web import create_app

    if selection != "none":  # a draft holding the reviewer's choice, whose letter was never built
        update_selection(store, WEEK, pin=[archive.ids["fes"]])
    make_subscribers(store, 1)
    with sender_for(smtp_server) as sender:
        assert deliver_week(settings, store, WEEK, sender, config=config).complete
    with TestClient(create_app(settings, store=store)) as client:
        page = client.get("/lettres")
        assert page.status_code == 200
        row = re.search(rf'<a href="/lettres/(\d+)">{WEEK}</a>.*?</tr>', page.text, re.S)
        assert row, page.text
        cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
        when = r"\d{1,2} \S+ \d{4} à \d{2}:\d{2}"
        status, prepared = cells[-2:]
        assert status == "envoyée" and re.fullmatch(when, prepared), cells
        letter = client.get(f"/lettres/{row.group(1)}").text
    assert re.search(rf"Période {WEEK} · envoyée · préparée le {when}</p>", letter), letter


def test_refused_recipients_permanent_and_temporary(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer
) -> None:
    make_subscribers(store, 3)
    smtp_server.handler.refuse = {
        "youssef@example.ma": "550 5.1.1 no such user",
        "karim@example.ma": "450 4.2.1 try later",
    }
    with sender_for(smtp_server) as sender:
        report = deliver_week(settings, store, WEEK, sender, config=config)
    assert report.sent == ["amina@example.ma"]
    assert [e for e, _ in report.failed] == ["youssef@example.ma"] and "550" in report.failed[0][1]
    assert [e for e, _ in report.deferred] == ["karim@example.ma"] and "450" in report.deferred[0][1]
    by_email = {r["email"]: r for r in delivery_rows(store, WEEK)}
    assert by_email["youssef@example.ma"]["status"] == "failed"
    assert (
        by_email["karim@example.ma"]["status"] == "pending" and by_email["karim@example.ma"]["attempts"] == 2
    )
    # the server recovers: only the deferred one is sent; the permanent failure is not retried
    smtp_server.handler.refuse = {}
    with sender_for(smtp_server) as sender:
        again = deliver_week(settings, store, WEEK, sender, config=config)
    assert again.sent == ["karim@example.ma"] and again.already_sent == ["amina@example.ma"]
    assert smtp_server.handler.recipients() == ["amina@example.ma", "karim@example.ma"]
    assert delivery_counts(store, WEEK) == {"sent": 2, "failed": 1}


def test_connection_dropped_before_the_message_went_out_then_rerun_sends_only_the_missing(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer
) -> None:
    subs = make_subscribers(store, 5)
    with sender_for(smtp_server) as sender:
        first = deliver_week(settings, store, WEEK, sender, config=config, subscribers=subs[:2])
    assert len(first.sent) == 2
    dead = SmtpSender("127.0.0.1", free_port(), timeout=2)  # the server goes away before the next ones
    report = deliver_week(settings, store, WEEK, dead, config=config, sleep=lambda _: None)
    assert report.aborted and "unreachable" in report.aborted and len(report.deferred) == 3
    assert sorted(report.already_sent) == sorted(s.email for s in subs[:2])  # not "deferred"
    assert delivery_counts(store, WEEK) == {"sent": 2, "pending": 3} and not report.unconfirmed
    with sender_for(smtp_server) as sender:
        again = deliver_week(settings, store, WEEK, sender, config=config)
    assert len(again.sent) == 3 and again.complete
    assert sorted(smtp_server.handler.recipients()) == sorted(s.email for s in subs)  # each exactly once


def test_connection_dropped_after_data_is_unconfirmed_and_never_resent_on_its_own(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer
) -> None:
    """The server kept the message but the connection dropped before its reply: sending it again
    would deliver it twice, so it waits for an operator."""
    amina, youssef, karim = make_subscribers(store, 3)  # sent in address order: amina, karim, youssef
    smtp_server.handler.accept_then_drop = {karim.email}
    with sender_for(smtp_server) as sender:
        report = deliver_week(settings, store, WEEK, sender, config=config)
    assert report.sent == [amina.email] and [e for e, _ in report.unconfirmed] == [karim.email]
    assert "may have been accepted" in report.unconfirmed[0][1] and not report.complete
    assert [e for e, _ in report.deferred] == [youssef.email]  # the batch stopped with the connection
    assert delivery_counts(store, WEEK) == {"sent": 1, "unconfirmed": 1, "pending": 1}
    smtp_server.handler.accept_then_drop = set()
    for _ in range(2):  # reruns send the missing one and never the unconfirmed one
        with sender_for(smtp_server) as sender:
            again = deliver_week(settings, store, WEEK, sender, config=config)
        assert [e for e, _ in again.unconfirmed] == [karim.email] and not again.complete
    assert sorted(smtp_server.handler.recipients()) == sorted([amina.email, karim.email, youssef.email])
    with store.engine.connect() as conn:
        digest_row = conn.execute(t.digests.select()).first()
    assert digest_row is None or digest_row.status != "sent"
    # the operator's decision: resend
    with sender_for(smtp_server) as sender:
        resent = deliver_week(settings, store, WEEK, sender, config=config, resend_unconfirmed=True)
    assert resent.sent == [karim.email] and resent.complete
    assert smtp_server.handler.recipients().count(karim.email) == 2  # as the operator chose
    assert delivery_counts(store, WEEK) == {"sent": 3}


def test_smtp_outage_is_logged_retried_later_never_marked_sent(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    make_subscribers(store, 3)
    sleeps: list[float] = []
    dead = SmtpSender("127.0.0.1", free_port(), timeout=2)
    report = deliver_week(settings, store, WEEK, dead, config=config, sleep=sleeps.append)
    assert report.sent == [] and report.aborted and "unreachable" in report.aborted
    assert len(report.deferred) == 3 and sleeps == [0.0]  # bounded retries with backoff, then stop
    assert delivery_counts(store, WEEK) == {"pending": 3}
    assert "not sent" in caplog.text
    with sender_for(smtp_server) as sender:
        later = deliver_week(settings, store, WEEK, sender, config=config)
    assert len(later.sent) == 3 and delivery_counts(store, WEEK) == {"sent": 3}


def test_smtp_sender_errors_are_typed(smtp_server: SmtpServer) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@veille.test", "x@example.ma", "test"
    msg.set_content("bonjour")
    smtp_server.handler.refuse = {"x@example.ma": "550 5.1.1 unknown"}
    with sender_for(smtp_server) as sender, pytest.raises(SmtpPermanentError) as perm:
        sender.send(msg)
    assert perm.value.code == 550 and perm.value.port == smtp_server.port
    smtp_server.handler.refuse = {"x@example.ma": "451 4.3.0 busy"}
    with sender_for(smtp_server) as sender, pytest.raises(SmtpTemporaryError):
        sender.send(msg)
    port = free_port()
    with pytest.raises(SmtpUnavailable) as down:
        SmtpSender("127.0.0.1", port, timeout=2).send(msg)
    assert (down.value.host, down.value.port) == ("127.0.0.1", port)


def test_claims_of_a_dead_sender_become_unconfirmed_not_resent(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer
) -> None:
    import socket
    import subprocess
    import sys

    subs = make_subscribers(store, 4)
    from digest.send import ensure_rows

    ensure_rows(store, WEEK, subs)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_here = f"{socket.gethostname()}:{int(gone.stdout)}:abc"  # a sender on this host that has exited
    old, fresh = datetime.now(UTC) - timedelta(hours=2), datetime.now(UTC)
    claims = [("elsewhere:1:x", old), (dead_here, fresh), ("elsewhere:2:y", fresh)]
    # crashes left rows 'sending': long ago elsewhere, just now here (dead), just now elsewhere (alive)
    with store.engine.begin() as conn:
        for sub, (by, at) in zip(subs, claims, strict=False):
            conn.execute(update(t.deliveries).where(t.deliveries.c.subscriber_id == sub.id)
                         .values(status="sending", claimed_by=by, claimed_at=at, attempts=1))  # fmt: skip
    with sender_for(smtp_server) as sender:
        report = deliver_week(settings, store, WEEK, sender, config=config)
    assert report.sent == [subs[3].email] and report.busy == [subs[2].email]
    assert [e for e, _ in report.unconfirmed] == [subs[0].email, subs[1].email]
    assert smtp_server.handler.recipients() == [subs[3].email]


def test_dry_run_and_send_empty_false(
    settings: Settings, store: Store, archive: Archive, config: DigestConfig, smtp_server: SmtpServer
) -> None:

    from digest.smtp import NullSender

    make_subscribers(store, 2)
    null = NullSender()
    report = deliver_week(settings, store, WEEK, null, config=config, dry_run=True)
    assert len(report.sent) == 2 and null.messages == [] and delivery_counts(store, WEEK) == {}
    assert len(list((settings.data_dir / "outbox" / WEEK).glob("*.eml"))) == 2
    quiet = config.model_copy(update={"send_empty": False})
    with sender_for(smtp_server) as sender:
        empty = deliver_week(settings, store, "2026-W30", sender, config=quiet)
    assert empty.empty and empty.sent == [] and smtp_server.handler.messages == []
    with sender_for(smtp_server) as sender:
        honest = deliver_week(settings, store, "2026-W30", sender, config=config)
    assert len(honest.sent) == 2
    assert "aucun article" in smtp_server.handler.messages[0].get_body(("plain",)).get_content()


class SlowSender:
    """Sends through SMTP but takes its time, so two workers overlap."""

    def __init__(self, server: SmtpServer) -> None:
        self.inner = sender_for(server)

    def send(self, msg: EmailMessage) -> str:
        time.sleep(0.05)
        return self.inner.send(msg)

    def close(self) -> None:
        self.inner.close()


def test_two_concurrent_senders_deliver_each_reader_exactly_once(
    settings: Settings, any_store: Store, config: DigestConfig, smtp_server: SmtpServer
) -> None:
    build_archive(any_store)
    subs = make_subscribers(any_store, 6)
    reports, errors = [], []
    barrier = threading.Barrier(2)

    def worker() -> None:
        store = open_store(any_store.url)  # each "process" has its own engine
        sender = SlowSender(smtp_server)
        try:
            barrier.wait()
            reports.append(deliver_week(settings, store, WEEK, sender, config=config))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            sender.close()
            store.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors
    sent = [e for r in reports for e in r.sent]
    assert sorted(sent) == sorted(s.email for s in subs)  # nobody twice, nobody missed
    assert sorted(smtp_server.handler.recipients()) == sorted(s.email for s in subs)
    assert delivery_counts(any_store, WEEK) == {"sent": 6}
