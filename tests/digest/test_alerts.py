"""Alerts end to end against a real SMTP server (aiosmtpd) and a real webhook receiver, both on
loopback: runs after "crawls" (articles written and extracted as the pipeline writes them)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from digest.alerts import run_alerts
from digest.smtp import SmtpSender
from digest.webhooks import verify
from tests.digest.conftest import SECRET, SmtpServer
from veille.archive import alerts
from veille.archive import deliveries as ledger
from veille.archive import watches as w
from veille.archive.accounts import add_account, find_account
from veille.archive.store import Store
from veille.archive.subscribers import add_subscriber
from veille.archive.webhooks import webhook_rows
from veille.core.conf.digest import DigestConfig
from veille.core.config import Settings
from veille.core.models import Analysis, Article
from veille.queries import watch_query
from veille.watching import save_watch

KEY = SECRET.encode()
LOOPBACK = ("127.0.0.1",)  # allowed explicitly, as the crawler's tests allow their fixture sites


@dataclass
class Receiver:
    url: str
    fail_first: int = 0
    bodies: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    calls: int = 0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback that answers 500 to its first ``fail_first`` POSTs."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.calls += 1
            if state.calls <= state.fail_first:
                self.send_response(500)
                self.end_headers()
                return
            state.bodies.append(({k: v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class Crawl:
    """Brings articles as a crawl and its extraction leave them."""

    def __init__(self, store: Store) -> None:
        self.store, self.n = store, 0

    def bring(self, title: str, *, source: str = "medias24", copy_of: int | None = None) -> int:
        self.n += 1
        art = Article(
            url=f"https://{source}.test/a{self.n}", source=source, title=title,
            text=f"{title}. Le centre de relation client recrute à Casablanca ({self.n}).",
            published=datetime(2026, 12, 1, 9, tzinfo=UTC) + timedelta(hours=self.n), relevance=0.8,
            themes=["emploi"], language="fr", cluster=copy_of,
        )  # fmt: skip
        aid, _ = self.store.upsert_article(art)
        self.store.save_analysis(aid, Analysis(), "test-1")
        return aid


def _watch(store: Store, *, text: str = "Webhelp", to: tuple[str, ...] = (), webhook: str | None = None,
           name: str = "Webhelp") -> w.Watch:  # fmt: skip
    found = find_account(store, "amina@example.ma")
    owner = (
        found or add_account(store, "amina@example.ma", role="analyste", password="veille-2026-longue")
    ).id
    return w.add_watch(store, owner_id=owner, name=name, params={"text": text}, query=watch_query("search", {"text": text}),
                       every="immediate", recipients=to, webhook_url=webhook)  # fmt: skip


def _run(settings: Settings, store: Store, smtp: SmtpServer, config: DigestConfig, **kw: Any) -> Any:
    with SmtpSender(smtp.host, smtp.port, "none", None, None, 5.0) as sender:
        return run_alerts(settings, store, sender, config=config, secret=KEY, sleep=lambda s: None,
                          allow_hosts=LOOPBACK, **kw)  # fmt: skip


def test_three_new_articles_make_one_alert_then_nothing_new_nothing_sent(
    settings: Settings, any_store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    store = any_store  # SQLite and PostgreSQL
    crawl = Crawl(store)
    crawl.bring("Le marché des centres d'appels")  # before the watch: not alerted
    _watch(store)
    first = [crawl.bring(f"Webhelp ouvre un site à Fès ({i})") for i in range(3)]
    crawl.bring("Majorel recrute à Rabat")  # does not match
    report = _run(settings, store, smtp_server, config)
    assert len(smtp_server.handler.messages) == 1
    msg = smtp_server.handler.messages[0]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert [ln for ln in text.splitlines() if ln.startswith("* ")] == [
        f"* Webhelp ouvre un site à Fès ({i})" for i in (2, 1, 0)
    ]  # newest first
    assert "3 nouveaux articles" in str(msg["Subject"])
    assert report.watches[0].new == tuple(first[::-1]) or sorted(report.watches[0].new) == first
    # the second crawl brings nothing that matches: no message
    crawl.bring("Concentrix forme 200 jeunes")
    again = _run(settings, store, smtp_server, config)
    assert len(smtp_server.handler.messages) == 1 and again.watches[0].new == ()
    # a syndicated copy of a story already sent: not sent again
    crawl.bring("Webhelp ouvre un site à Fès (0)", source="lematin", copy_of=first[0])
    copy = _run(settings, store, smtp_server, config)
    assert copy.watches[0].matched == 1 and copy.watches[0].new == ()
    assert len(smtp_server.handler.messages) == 1


def test_headers_unsubscribe_all_alerts_and_per_watch_links(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    crawl = Crawl(store)
    _watch(store)
    _watch(store, text="Majorel", name="Majorel")
    crawl.bring("Webhelp ouvre un site à Fès")
    crawl.bring("Majorel recrute à Rabat")
    _run(settings, store, smtp_server, config)
    [msg] = smtp_server.handler.messages  # one message for the recipient, grouping both watches
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(msg["List-Unsubscribe"]).split(",")[0].strip("<> ")
    assert url.startswith("https://veille.test/veilles/desabonnement/")
    sub_id = store_subscriber(store, "amina@example.ma")
    assert alerts.alerts_recipient(store, url.rsplit("/", 1)[1], secret=KEY).id == sub_id
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert html.count("/desabonnement/") == 3  # one per watch, one for every alert


def store_subscriber(store: Store, email: str) -> int:
    from veille.archive.subscribers import get_subscriber

    return get_subscriber(store, email).id


def test_more_than_twenty_items_are_counted_with_a_link(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    crawl = Crawl(store)
    watch = _watch(store)
    for i in range(23):
        crawl.bring(f"Webhelp, épisode {i}")
    _run(settings, store, smtp_server, config)
    text = smtp_server.handler.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert sum(ln.startswith("* ") for ln in text.splitlines()) == 20
    assert f"… et 3 autres : https://veille.test/veilles/{watch.id}" in text


def test_an_smtp_failure_mid_batch_then_a_rerun_sends_each_alert_once(
    settings: Settings, any_store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    store = any_store  # SQLite and PostgreSQL
    add_subscriber(store, "karim@example.ma")
    crawl = Crawl(store)
    _watch(store, to=("karim@example.ma", "salma@example.ma"))
    crawl.bring("Webhelp ouvre un site à Fès")
    smtp_server.handler.refuse["salma@example.ma"] = "451 4.3.0 try again later"
    first = _run(settings, store, smtp_server, config)
    assert sorted(smtp_server.handler.recipients()) == ["amina@example.ma", "karim@example.ma"]
    assert [e for e, _ in first.delivery.deferred] == ["salma@example.ma"]
    del smtp_server.handler.refuse["salma@example.ma"]
    crawl.bring("Majorel recrute à Rabat")  # nothing new for the watch
    _run(settings, store, smtp_server, config)
    _run(settings, store, smtp_server, config)
    assert sorted(smtp_server.handler.recipients()) == [
        "amina@example.ma",
        "karim@example.ma",
        "salma@example.ma",
    ]
    assert {r["status"] for r in ledger.rows(store, alerts.ALERT, first.batch)} == {"sent"}


def test_one_click_stops_every_alert_of_the_recipient(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    crawl = Crawl(store)
    _watch(store, to=("karim@example.ma",))
    crawl.bring("Webhelp ouvre un site à Fès")
    _run(settings, store, smtp_server, config)
    karim = next(m for m in smtp_server.handler.messages if "karim" in str(m["To"]))
    token = str(karim["List-Unsubscribe"]).split(",")[0].strip("<> ").rsplit("/", 1)[1]
    alerts.stop_alerts(store, alerts.alerts_recipient(store, token, secret=KEY).id)
    crawl.bring("Webhelp recrute encore")
    _run(settings, store, smtp_server, config)
    assert smtp_server.handler.recipients().count("karim@example.ma") == 1
    assert smtp_server.handler.recipients().count("amina@example.ma") == 2


def test_webhook_failing_twice_gets_the_payload_on_the_third_try_signed(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig, receiver: Receiver
) -> None:
    crawl = Crawl(store)
    watch = _watch(store, webhook=receiver.url)
    aid = crawl.bring("Webhelp ouvre un site à Fès")
    receiver.fail_first = 2
    report = _run(settings, store, smtp_server, config)
    assert report.webhooks.sent == [f"watch {watch.id} {report.batch}"] and receiver.calls == 3
    [(headers, body)] = receiver.bodies
    assert verify(watch.webhook_secret or "", headers["X-Veille-Signature"], body, now=time.time())
    assert not verify("another secret", headers["X-Veille-Signature"], body, now=time.time())
    assert not verify(watch.webhook_secret or "", headers["X-Veille-Signature"], body, now=time.time() + 3600)
    payload = json.loads(body)
    assert payload["watch"] == {"id": watch.id, "name": "Webhelp"} and [
        i["id"] for i in payload["items"]
    ] == [aid]


def test_webhook_retried_with_backoff_across_restarts(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig, receiver: Receiver
) -> None:
    crawl = Crawl(store)
    watch = _watch(store, webhook=receiver.url)
    crawl.bring("Webhelp ouvre un site à Fès")
    receiver.fail_first = 4  # the run's three tries fail, and the first of the next run
    t0 = datetime.now(UTC)
    first = _run(settings, store, smtp_server, config, now=lambda: t0)
    assert first.webhooks.waiting and receiver.calls == 3
    [row] = webhook_rows(store, watch.id)
    assert row["status"] == "pending" and row["attempts"] == 3 and row["next_at"] > t0
    # a new process, before the row's time: nothing tried; after it: delivered
    _run(settings, store, smtp_server, config, now=lambda: t0 + timedelta(seconds=10))
    assert receiver.calls == 3
    later = _run(settings, store, smtp_server, config, now=lambda: row["next_at"] + timedelta(seconds=1))
    assert later.webhooks.sent and receiver.calls == 5 and len(receiver.bodies) == 1
    assert webhook_rows(store, watch.id)[0]["status"] == "sent"


def test_the_private_address_guard_applies_to_webhooks(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig, receiver: Receiver
) -> None:
    owner = add_account(store, "nadia@example.ma", role="analyste", password="veille-2026-longue")
    with pytest.raises(w.WatchError, match="refused"):
        save_watch(settings, store, owner=owner.email, name="x", kind="search", values={"text": "Webhelp"},
                   webhook_url="http://169.254.169.254/latest")  # fmt: skip
    watch = _watch(store, webhook=receiver.url)  # saved before the guard's settings changed
    Crawl(store).bring("Webhelp ouvre un site à Fès")
    with SmtpSender(smtp_server.host, smtp_server.port, "none", None, None, 5.0) as sender:
        report = run_alerts(settings, store, sender, config=config, secret=KEY, sleep=lambda s: None)
    assert receiver.calls == 0 and report.webhooks.failed
    assert webhook_rows(store, watch.id)[0]["status"] == "failed"


def test_dry_run_prints_matches_and_records_nothing(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    crawl = Crawl(store)
    watch = _watch(store)
    aid = crawl.bring("Webhelp ouvre un site à Fès")
    report = _run(settings, store, smtp_server, config, dry_run=True)
    assert report.lines()[0].startswith(f"{watch.id}\tWebhelp\tamina@example.ma\t1 new\t{aid}")
    assert smtp_server.handler.messages == [] and w.matched_ids(store, watch.id) == []
    _run(settings, store, smtp_server, config)
    assert len(smtp_server.handler.messages) == 1


def test_a_completed_or_corrected_article_is_no_new_alert(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    crawl = Crawl(store)
    _watch(store)
    aid = crawl.bring("Webhelp ouvre un site à Fès")
    _run(settings, store, smtp_server, config)
    # the feed's summary becomes the whole article (completed in place), then extracted again
    full = Article(url="https://medias24.test/a1", source="medias24", title="Webhelp ouvre un site à Fès",
                   text="Webhelp ouvre un site à Fès. " * 30, language="fr", relevance=0.9,
                   published=datetime(2026, 12, 1, 10, tzinfo=UTC), themes=["emploi"])  # fmt: skip
    assert store.upsert_article(full)[0] == aid
    store.save_analysis(aid, Analysis(), "test-2")
    report = _run(settings, store, smtp_server, config)
    assert report.watches[0].new == () and len(smtp_server.handler.messages) == 1


def test_an_alert_that_may_have_left_is_never_sent_again_on_its_own(
    settings: Settings, store: Store, smtp_server: SmtpServer, config: DigestConfig
) -> None:
    """The server takes the message and the connection drops before its answer: the delivery is
    unconfirmed, reported, and the next runs do not send it again (the digest's rule)."""
    crawl = Crawl(store)
    _watch(store)
    crawl.bring("Webhelp ouvre un site à Fès")
    smtp_server.handler.accept_then_drop.add("amina@example.ma")
    first = _run(settings, store, smtp_server, config)
    assert [e for e, _ in first.delivery.unconfirmed] == ["amina@example.ma"] and not first.complete
    smtp_server.handler.accept_then_drop.clear()
    _run(settings, store, smtp_server, config)
    assert smtp_server.handler.recipients() == ["amina@example.ma"]
    assert [r["status"] for r in ledger.rows(store, alerts.ALERT, first.batch)] == ["unconfirmed"]


@pytest.mark.parametrize(
    "every, last, now, due",
    [
        ("immediate", "2026-12-07T08:00", "2026-12-07T08:05", True),
        ("daily", "2026-12-07T08:00", "2026-12-07T20:00", False),
        ("daily", "2026-12-07T08:00", "2026-12-08T06:00", True),
        ("daily", "2026-12-07T23:30", "2026-12-08T00:10", False),  # 00:30 and 01:10 in Casablanca: same day
        ("weekly", "2026-12-07T08:00", "2026-12-13T20:00", False),  # Monday to Sunday: the same week
        ("weekly", "2026-12-07T08:00", "2026-12-14T08:00", True),
    ],
)
def test_when_a_watch_is_due(every: str, last: str, now: str, due: bool) -> None:
    from digest.alerts import is_due

    watch = w.Watch(id=1, owner_id=1, owner="a@b.ma", name="x", kind="search", params={}, query=w.SearchQuery(),
                    every=every, feed_token="t" * 32, webhook_url=None, webhook_secret=None, watermark=0,
                    last_run_at=datetime.fromisoformat(last).replace(tzinfo=UTC),
                    created_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    assert is_due(watch, datetime.fromisoformat(now).replace(tzinfo=UTC), "Africa/Casablanca") is due
