"""Fixtures for the digest: a small French archive (two weeks), subscribers, a real SMTP server.

The archive is hand-made (``Store.upsert_article`` + ``save_analysis`` with Figures and
Organisations written here), so these tests need neither spaCy nor the network.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPProtocol

from veille.archive.store import Store
from veille.archive.subscribers import Subscriber, add_subscriber
from veille.core.conf.digest import DigestConfig, SendPolicy
from veille.core.config import Settings
from veille.core.models import Analysis, Article, Figure, Mention, Organisation

SECRET = "test-secret-key-not-for-production"
WEEK = "2026-W48"  # Monday 23 to Sunday 29 November 2026
PREVIOUS = "2026-W47"
CASA = timezone(timedelta(hours=1))
# what readers see for the archive's sources ("hespress" has no label: it shows its name)
SOURCE_LABELS = {
    "lematin": "Le Matin",
    "leseco": "LesEco.ma",
    "medias24": "Médias24",
    "lavieeco": "La Vie éco",
}


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=CASA)


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.delenv("VEILLE_SMTP_PASSWORD", raising=False)


@pytest.fixture
def config(settings: Settings) -> DigestConfig:
    base = settings.digest
    return base.model_copy(
        update={
            "from_address": "veille@veille.test",
            "list_id": "veille-offshoring.veille.test",
            "base_url": "https://veille.test",
            "unsubscribe_mailto": "desinscription@veille.test",
            "send": SendPolicy(retries=2, backoff_seconds=0.0, max_attempts=5, stale_claim_minutes=30),
            "source_labels": dict(
                SOURCE_LABELS
            ),  # pinned: the golden files do not follow sources.toml's edits
        }
    )


def _fig(text: str, sentence: str, value: float, unit: str, *, metric: str | None = None,
         period: str | None = None, orgs: tuple[str, ...] = (), indicator: str | None = None,
         status: str = "actual") -> Figure:  # fmt: skip
    start = sentence.index(text)
    return Figure(
        text=text, start=start, end=start + len(text), value=value, unit=unit, sentence=sentence,
        sentence_start=0, sentence_end=len(sentence), period=period, metric=metric, organisations=orgs,
        indicator=indicator, status=status,
    )  # fmt: skip


def _org(name: str, *forms: str, acronym: str | None = None, kind: str | None = None) -> Organisation:
    return Organisation(
        name=name, aliases=forms, acronym=acronym, kind=kind,
        mentions=tuple(Mention(i * 10, i * 10 + len(f), f) for i, f in enumerate(forms or (name,))),
    )  # fmt: skip


@dataclass
class Archive:
    ids: dict[str, int] = field(default_factory=dict)


S_WEBHELP = (
    "Le groupe Webhelp a annoncé la création de 2 500 emplois sur son site de Casanearshore d'ici fin 2027."
)
S_EXPORT = (
    "Les recettes d'exportation de l'offshoring ont atteint 18,5 MMDH en 2025, selon l'Office des changes."
)
S_ADD = "L'Agence de développement du digital (ADD) formera 5 000 jeunes aux métiers du numérique en 2027."
S_FES = "La zone Fès Shore sera étendue de 25 hectares, soit 250 000 m² de bureaux supplémentaires."
S_APEBI = "Selon l'APEBI, l'emploi numérique a progressé de 12 % en un an."


def build_archive(store: Store) -> Archive:
    arch = Archive()

    def add(key: str, *, source: str, title: str, text: str, published: datetime, relevance: float,
            themes: list[str], lead: str | None = None, cluster: str | None = None,
            analysis: Analysis | None = None) -> int:  # fmt: skip
        art = Article(
            url=f"https://{source}.test/{key}", source=source, title=title, text=text, lead=lead,
            published=published, relevance=relevance, themes=themes, language="fr",
            cluster=arch.ids[cluster] if cluster else None,
        )  # fmt: skip
        article_id, _ = store.upsert_article(art)
        store.save_analysis(article_id, analysis or Analysis(), "test-1")
        arch.ids[key] = article_id
        return article_id

    webhelp_text = (
        f"{S_WEBHELP} L'opérateur recrutera des téléconseillers et des développeurs.\n\n"
        "Le directeur général a rappelé que le Maroc reste une destination de choix pour les donneurs d'ordre "
        "francophones. La météo était clémente lors de la cérémonie.\n\n"
        "Le site accueillera aussi un centre de formation."
    )
    webhelp = Analysis(
        figures=(
            _fig(
                "2 500 emplois",
                S_WEBHELP,
                2500,
                "jobs",
                metric="emplois créés",
                period="2027",
                orgs=("Webhelp",),
                indicator="emplois_crees",
                status="announced",  # "a annoncé la création de ... d'ici fin 2027": decided, not yet made
            ),
        ),  # fmt: skip
        organisations=(
            _org("Webhelp", "Webhelp", "groupe Webhelp", kind="company"),
            _org("Casanearshore", "Casanearshore", kind="zone"),
        ),
    )
    add("webhelp", source="lematin", title="Webhelp va créer 2 500 emplois à Casanearshore", text=webhelp_text,
        published=at(24), relevance=0.9, themes=["offshoring", "emploi"], analysis=webhelp,
        lead="Le centre de relation client s'agrandit.")  # fmt: skip
    for i, src in enumerate(("medias24", "leseco", "hespress")):
        add(f"webhelp-copy{i}", source=src, title="Webhelp annonce 2 500 emplois", text=webhelp_text,
            published=at(24, 12 + i), relevance=0.7, themes=["offshoring"], cluster="webhelp", analysis=webhelp)  # fmt: skip
    add("export", source="leseco", title="Offshoring : les exportations atteignent 18,5 MMDH en 2025",
        text=f"{S_EXPORT} C'est un record pour le secteur.\n\nLa France reste le premier client avec 62 % des recettes.",
        published=at(25), relevance=0.85, themes=["offshoring"],
        analysis=Analysis(
            figures=(_fig("18,5 MMDH", S_EXPORT, 1.85e10, "MAD", metric="recettes d'exportation", period="2025",
                          orgs=("Office des changes",)),
                     _fig("62 %", "La France reste le premier client avec 62 % des recettes.", 62, "percent",
                          metric="part de la France")),
            organisations=(_org("Office des changes", "Office des changes", kind="agency"),),
        ))  # fmt: skip
    add("add", source="medias24", title="L'ADD veut former 5 000 jeunes aux métiers du digital",
        text=f"{S_ADD} Le programme cible les diplômés au chômage.\n\nLes formations commenceront en janvier.",
        published=at(26), relevance=0.7, themes=["emploi", "numerique"],
        analysis=Analysis(
            figures=(_fig("5 000 jeunes", S_ADD, 5000, "count", metric="jeunes formés", period="2027",
                          orgs=("Agence de développement du digital",), indicator="personnes_formees",
                          status="target"),),
            organisations=(_org("Agence de développement du digital", "ADD", "Agence de développement du digital",
                                acronym="ADD", kind="agency"),),
        ))  # fmt: skip
    add("nearshore", source="lavieeco", title="Nearshore : la Tunisie et le Portugal accélèrent",
        text="Les concurrents du Maroc multiplient les incitations pour attirer les centres d'appels européens. "
        "La Tunisie a annoncé un nouveau programme d'aides.", published=at(27), relevance=0.6,
        themes=["international"], analysis=Analysis(organisations=(_org("Webhelp", "Webhelp"),)))  # fmt: skip
    add("fes", source="lematin", title="Fès Shore s'agrandit de 25 hectares",
        text=f"{S_FES} Les travaux débuteront au printemps.", published=at(29, 20), relevance=0.5,
        themes=["investissement"],
        analysis=Analysis(figures=(_fig("250 000 m²", S_FES, 250000, "m2", metric="surface de bureaux"),)))  # fmt: skip
    add("derby", source="lematin", title="Botola : le derby se termine sur un nul",
        text="Le Raja et le Wydad se sont quittés sur un score nul et vierge.", published=at(28), relevance=0.05,
        themes=[], analysis=Analysis(organisations=(_org("Raja", "Raja"),)))  # fmt: skip
    # the week before
    add("apebi", source="leseco", title="Baromètre APEBI : l'emploi numérique progresse de 12 %",
        text=f"{S_APEBI} Les entreprises peinent à recruter.", published=at(18), relevance=0.8, themes=["emploi"],
        analysis=Analysis(
            figures=(_fig("12 %", S_APEBI, 12, "percent", metric="hausse de l'emploi numérique"),),
            organisations=(_org("APEBI", "APEBI", acronym="APEBI"), _org("Webhelp", "Webhelp")),
        ))  # fmt: skip
    return arch


@pytest.fixture
def archive(store: Store) -> Archive:
    return build_archive(store)


def make_subscribers(store: Store, n: int = 3) -> list[Subscriber]:
    people = [
        ("amina@example.ma", "Amina Benali", None, None),
        ("youssef@example.ma", "Youssef", "emploi", None),
        ("karim@example.ma", None, None, "Office des changes"),
        ("salma@example.ma", "Salma", None, None),
        ("omar@example.ma", "Omar", None, None),
        ("nadia@example.ma", "Nadia", None, None),
    ]
    out = []
    for email, name, themes, orgs in people[:n]:
        sub, _ = add_subscriber(store, email, name=name, themes=themes, orgs=orgs)
        out.append(sub)
    return out


# -- SMTP server ---------------------------------------------------------------------------
class Recorder:
    """aiosmtpd handler: keeps what arrived; can refuse recipients or drop the connection."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}  # address -> "450 ..." / "550 ..."
        self.drop_after: int | None = None  # close the connection at DATA once this many arrived
        # keep the message for these addresses, then close the connection without replying to DATA
        self.accept_then_drop: set[str] = set()
        self.hold: set[str] = set()  # for these addresses, DATA waits (no reply) until ``release`` is set
        self.holding = threading.Event()  # set once a held DATA is waiting
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPProtocol, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.hold:  # the message is here; the reply waits
            with self.lock:
                self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "250 Message accepted"
        if set(envelope.rcpt_tos) & self.accept_then_drop:
            with self.lock:
                self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            server.transport.close()  # accepted, but the reply never reaches the sender
            return "421 closing"
        with self.lock:
            if self.drop_after is not None and len(self.messages) >= self.drop_after:
                server.transport.close()  # mid-batch outage: no reply to DATA
                return "421 closing"
            msg = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return [str(m["To"].addresses[0].addr_spec) for m in self.messages]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Recorder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()
