"""Former names of organisations: kept as written, linked to what they became (migration 0008)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.store.test_backends import HEAD
from veille.archive.database import MIGRATIONS
from veille.archive.search import organisation
from veille.archive.store import Store
from veille.core.models import Analysis, Article, Mention, Organisation

OLD = "Ministère de l'Industrie, du Commerce et des Nouvelles technologies"
NEW = "Ministère de l'Industrie et du Commerce"


def _article(store: Store, url: str, text: str, org: Organisation) -> int:
    article_id, _ = store.upsert_article(
        Article(url=url, source="test", title=url, text=text, published=datetime(2010, 5, 3, tzinfo=UTC))
    )
    store.save_analysis(article_id, Analysis(organisations=(org,)), "test")
    return article_id


def test_a_former_name_is_stored_as_written_and_both_pages_link_each_other(any_store: Store) -> None:
    text = f"Le parc est porté par MEDZ et le {OLD.lower()}."
    start = text.index(OLD.lower())
    old = Organisation(
        name=OLD, aliases=(OLD.lower(),), kind="ministry", successor=NEW, years="2007-2013",
        mentions=(Mention(start, start + len(OLD), OLD.lower()),),
    )  # fmt: skip
    _article(any_store, "https://test/2010", text, old)
    today = f"Le {NEW.lower()} signe une convention."
    start = today.index(NEW.lower())
    new = Organisation(name=NEW, kind="ministry", mentions=(Mention(start, start + len(NEW), NEW.lower()),))
    _article(any_store, "https://test/2024", today, new)
    # a second article with the old name does not duplicate the link
    _article(any_store, "https://test/2011", text, old)

    was = organisation(any_store, OLD)
    assert was is not None and was.name == OLD
    assert (was.successor, was.years, was.article_count) == (NEW, "2007-2013", 2)
    now = organisation(any_store, NEW)
    assert now is not None and now.former == [(OLD, "2007-2013")] and now.article_count == 1


def test_upgrading_to_former_names_keeps_every_mention_and_alias(any_store: Store) -> None:
    """Migration 0008 adds columns in place: a table copy on SQLite would cascade-delete them."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from tests.store.archive import load
    from veille.archive import schema as t

    load(any_store)

    def counts() -> tuple[int, ...]:
        with any_store.engine.connect() as conn:
            return tuple(
                int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
                for table in (t.organisations, t.org_aliases, t.org_mentions, t.figure_orgs)
            )

    before = counts()
    assert all(before)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with any_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    assert counts() == before
    any_store.migrate()
    assert any_store.schema_revision() == HEAD and counts() == before
