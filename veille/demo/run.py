"""``veille demo``: the whole chain, with no internet.

Serves the bundled demo news site on 127.0.0.1, crawls it with the real spiders (RSS, Atom
and listing sources), stores and extracts, then builds the digest of the latest week that
has articles and delivers it to a demo subscriber through a local SMTP server (aiosmtpd,
started here unless one is given) and into the outbox folder of the data directory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from veille.core.config import Settings
from veille.core.errors import VeilleError

if TYPE_CHECKING:
    from veille.archive.store import Store
    from veille.core.conf.digest import DigestConfig
    from veille.core.sources import Source

DEMO_SUBSCRIBER = "analyste@veille-demo.test"


class DemoError(VeilleError):
    pass


class _Inbox:
    """aiosmtpd handler keeping what it receives (the demo's 'mail server')."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class DemoReport:
    site_url: str = ""
    crawl: dict[str, Any] = field(default_factory=dict)
    articles_in_archive: int = 0
    figures: int = 0
    organisations: int = 0
    top_figures: list[str] = field(default_factory=list)
    period: str | None = None
    smtp: str = ""
    received: int = 0
    outbox: list[Path] = field(default_factory=list)
    delivery: str = ""
    already_sent: bool = False


def demo_secret(settings: Settings) -> bytes:
    """The key that signs the demo letter's unsubscribe link: ``VEILLE_SECRET_KEY`` when the
    settings carry it, else one the demo keeps in its data directory. Handed to the sender,
    never put into this process's environment."""
    import secrets

    if settings.secrets.secret_key is not None:
        return settings.secrets.link_key()
    path = settings.data_dir / "demo-secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def _free_port(host: str) -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _start_smtp(host: str, port: int) -> tuple[Any, _Inbox]:
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = port or _free_port(host)  # aiosmtpd checks readiness by connecting: it needs a real port
    controller = Controller(inbox, hostname=host, port=port, ready_timeout=10)
    try:
        controller.start()
    except (OSError, RuntimeError) as exc:
        raise DemoError(f"cannot start the demo SMTP server on {host}:{port}: {exc}") from None
    return controller, inbox


def run_demo(
    settings: Settings,
    *,
    site_port: int = 0,
    smtp: tuple[str, int] | None = None,
    smtp_port: int = 0,
    echo: Callable[[str], None] = print,
) -> DemoReport:
    """Run the demo chain; ``smtp`` delivers to an existing server instead of starting one."""
    from veille.archive.store import open_store

    settings.ensure_data_dir()
    report = DemoReport()
    store = open_store(settings.database_url, timezone=settings.digest.timezone)
    try:
        sources = _crawl_site(settings, site_port, echo, report)
        period = _read_archive(settings, store, report)
        config = _digest_config(settings, sources)
        report.top_figures = _top_figures(store, config, period)
        with _mail_server(smtp, smtp_port) as (host, port, inbox):
            report.smtp = f"{host}:{port}"
            _deliver(settings, store, period, config, (host, port), inbox, report)
        return report
    finally:
        store.close()


def _crawl_site(
    settings: Settings, site_port: int, echo: Callable[[str], None], report: DemoReport
) -> list[Source]:
    """Serve the demo site and crawl it with the real spiders; the crawl's totals go in the
    report. Returns the demo's sources (they are not in sources.toml)."""
    from spiders.run import run_crawl
    from veille.core.sources import sources_for_demo
    from veille.demo.site import SITE_NAME, DemoSite

    with DemoSite(port=site_port) as site:
        report.site_url = site.base_url
        echo(f"Demo news site serving on {site.base_url}")
        domain = urlsplit(site.base_url).hostname or "127.0.0.1"
        sources = sources_for_demo(site.rss_url, site.atom_url, site.listing_url, domain, SITE_NAME)
        logs = settings.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        echo(f"Crawling its RSS feed, Atom feed and listing pages (log: {logs / 'demo-crawl.log'})")
        crawl = run_crawl(
            settings,
            sources=sources,
            allow_hosts=(domain,),
            progress=True,  # a progress bar on a terminal, a line per source otherwise
            overrides={
                "LOG_FILE": str(logs / "demo-crawl.log"),
                "LOG_FILE_APPEND": False,
                # our own site on loopback: no need for the politeness delay of real sites
                "DOWNLOAD_DELAY": 0,
                "AUTOTHROTTLE_ENABLED": False,
            },
        )
    report.crawl = {k: crawl.total(k) for k in ("fetched", "new", "duplicate", "dropped", "errors")}
    reasons: dict[str, int] = {}
    for src in crawl.sources:
        for reason, count in src.drop_reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
    report.crawl["drop_reasons"] = reasons
    return sources


def _read_archive(settings: Settings, store: Store, report: DemoReport) -> str:
    """Extract what is still pending and count what the archive holds (articles, figures,
    organisations). Returns the latest week with articles, the digest's period."""
    from digest.compose import latest_week_with_articles
    from pipeline.extract import extract_articles
    from veille.archive.search import FigureQuery, figures, org_stats

    # anything still pending
    extract_articles(store, config_dir=settings.config_dir, rule=settings.series_rule)
    report.articles_in_archive = store.count_articles()
    period = latest_week_with_articles(store)
    report.period = period
    if period is None:
        raise DemoError("the demo crawl archived no article: nothing to put in a digest")
    found = figures(store, FigureQuery(limit=1000, copies=True))  # every figure extracted
    report.figures = found.total
    report.organisations = len(org_stats(store))  # what `veille orgs` lists
    return period


def _digest_config(settings: Settings, sources: list[Source]) -> DigestConfig:
    """digest.toml's configuration, with the labels of the demo's sources (not in sources.toml)."""
    from veille.core.sources import source_labels

    config = settings.digest
    return config.model_copy(update={"source_labels": {**config.source_labels, **source_labels(sources)}})


def _top_figures(store: Store, config: DigestConfig, period: str) -> list[str]:
    """The first five key figures of the week's digest, one line each."""
    from digest.compose import compose

    week = compose(store, config, period)
    return [
        " — ".join(
            x
            for x in (
                (f"{kf.status_label} : " if kf.status_label else "") + kf.formatted.replace("\u00a0", " "),
                kf.metric,
                kf.period,
                config.source_label(kf.source),
            )
            if x
        )
        for kf in week.figures[:5]
    ]


@contextmanager
def _mail_server(smtp: tuple[str, int] | None, smtp_port: int) -> Iterator[tuple[str, int, _Inbox | None]]:
    """The SMTP server to deliver to: the one given, or a local one started (and stopped) here."""
    if smtp is not None:
        yield smtp[0], smtp[1], None
        return
    controller, inbox = _start_smtp("127.0.0.1", smtp_port)
    try:
        yield controller.hostname, controller.port, inbox
    finally:
        controller.stop()


def _deliver(
    settings: Settings,
    store: Store,
    period: str,
    config: DigestConfig,
    server: tuple[str, int],
    inbox: _Inbox | None,
    report: DemoReport,
) -> None:
    """Deliver the week's digest to the demo subscriber and into the outbox; what was delivered
    goes in the report. Raises DemoError when the digest could not be delivered."""
    from digest.send import deliver_week
    from digest.smtp import SmtpSender
    from veille.archive.subscribers import add_subscriber

    subscriber, _ = add_subscriber(store, DEMO_SUBSCRIBER, name="Analyste (démo)", resubscribe=True)
    sender = SmtpSender(host=server[0], port=server[1], security="none")
    delivery = deliver_week(
        settings,
        store,
        period,
        sender,
        subscribers=[subscriber],
        outbox=True,
        config=config,
        secret=demo_secret(settings),
    )
    report.delivery = delivery.summary()
    report.already_sent = bool(delivery.already_sent)
    if delivery.outbox is not None and delivery.outbox.is_dir():
        report.outbox = sorted(p for p in delivery.outbox.iterdir() if p.suffix in (".eml", ".html"))
    report.received = len(inbox.messages) if inbox is not None else len(delivery.sent)
    if delivery.failed or delivery.deferred:
        raise DemoError(f"the digest could not be delivered: {delivery.summary()}")
