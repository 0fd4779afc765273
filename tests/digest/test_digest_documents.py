"""The digest's block of the week's new official documents: listed apart from the stories, with
a few of the figures read from their tables, in the email's text and HTML."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

from digest.compose import compose
from digest.message import MessageBuilder
from digest.period import week_period
from tests.digest.conftest import make_subscribers
from tests.store.documents_archive import build
from veille.archive.store import Store
from veille.core.conf.digest import DigestConfig


def test_the_weeks_official_documents_have_their_own_block(store: Store, config: DigestConfig) -> None:
    fx = build(store)  # archived now: this week's new documents
    week = week_period(datetime.now(ZoneInfo(config.timezone)).date(), config.timezone)
    d = compose(store, config, week)
    assert {x.article_id for x in d.documents} == set(fx.ids.values())
    assert not set(fx.ids.values()) & {s.article_id for s in d.stories}  # not told as stories
    indicators = next(x for x in d.documents if x.article_id == fx.ids["indicateurs-septembre-2025.pdf"])
    assert indicators.file_type == "PDF" and indicators.figure_count == 3
    assert indicators.page == f"https://veille.test/documents/{indicators.article_id}"
    assert indicators.url.endswith("/docs/indicateurs-septembre-2025.pdf")
    assert any(
        "18,2" in f and "Exportations" in f and "(janv.–sept. 2025)" in f for f in indicators.figures
    ), indicators
    assert not d.empty
    # the previous week had none
    assert compose(store, config, week.previous()).documents == ()

    sub = make_subscribers(store, 1)[0]
    msg = message_from_bytes(MessageBuilder(config).build(d, sub).as_bytes(), policy=policy.default)
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "DOCUMENTS OFFICIELS DE LA SEMAINE" in plain and "Indicateurs mensuels — septembre 2025" in plain
    assert f"https://veille.test/documents/{indicators.article_id}" in plain
    assert "Documents officiels de la semaine" in html and 'href="https://office.example.ma/docs/' in html


def test_a_week_with_official_documents_only_is_not_empty(store: Store, config: DigestConfig) -> None:
    build(store)
    week = week_period(datetime.now(ZoneInfo(config.timezone)).date(), config.timezone)
    d = compose(store, config, week)
    assert d.sections == () and d.figures == ()  # the press article was published in 2025, not this week
    assert d.documents and not d.empty
