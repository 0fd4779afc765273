"""Saved searches and their alerts ("veilles"): ``watches`` (an account's saved search or figures
query: the user's values and the query built of them, how often it alerts, its Atom feed's token,
an optional webhook with its signing secret, and the id of the newest article already matched),
``watch_recipients`` (its owner and the subscribers it adds, each able to stop it),
``watch_matches`` (each story a watch matched, once, with the run that found it),
``alert_optouts`` (recipients who stopped every alert) and ``webhook_deliveries`` (one signed POST
per watch and run, kept until delivered or given up).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _watch(*, primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    fk = sa.ForeignKey("watches.id", ondelete="CASCADE")
    return sa.Column("watch_id", sa.Integer(), fk, nullable=False, primary_key=primary_key)


def _subscriber(*, primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    fk = sa.ForeignKey("subscribers.id", ondelete="CASCADE")
    return sa.Column("subscriber_id", sa.Integer(), fk, nullable=False, primary_key=primary_key)


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "watches" not in tables:
        op.create_table(
            "watches",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("owner_id", sa.Integer(),
                      sa.ForeignKey("accounts.id", ondelete="CASCADE", name="fk_watches_owner"), nullable=False),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("kind", sa.String(10), nullable=False),
            sa.Column("params", sa.JSON(), nullable=False),
            sa.Column("query", sa.JSON(), nullable=False),
            sa.Column("every", sa.String(10), nullable=False),
            sa.Column("feed_token", sa.String(64), nullable=False),
            sa.Column("webhook_url", sa.Text(), nullable=True),
            sa.Column("webhook_secret", sa.String(100), nullable=True),
            sa.Column("watermark", sa.Integer(), nullable=False),
            _when("last_run_at"),
            _when("created_at", nullable=False),
            sa.UniqueConstraint("owner_id", "name", name="uq_watch_owner_name"),
            sa.UniqueConstraint("feed_token", name="uq_watch_feed_token"),
        )  # fmt: skip
    if "watch_recipients" not in tables:
        op.create_table(
            "watch_recipients",
            _watch(primary_key=True),
            _subscriber(primary_key=True),
            _when("stopped_at"),
        )
    if "watch_matches" not in tables:
        op.create_table(
            "watch_matches",
            sa.Column("id", sa.Integer(), primary_key=True),
            _watch(),
            sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
            sa.Column("story", sa.Integer(), nullable=False),
            sa.Column("batch", sa.String(40), nullable=False),
            _when("found_at", nullable=False),
            sa.UniqueConstraint("watch_id", "story", name="uq_watch_story"),
        )  # fmt: skip
        op.create_index("ix_watch_matches_batch", "watch_matches", ["batch", "watch_id"])
    if "alert_optouts" not in tables:
        op.create_table("alert_optouts", _subscriber(primary_key=True), _when("stopped_at", nullable=False))
    if "webhook_deliveries" not in tables:
        op.create_table(
            "webhook_deliveries",
            sa.Column("id", sa.Integer(), primary_key=True),
            _watch(),
            sa.Column("batch", sa.String(40), nullable=False),
            sa.Column("payload", sa.Text(), nullable=False),
            sa.Column("status", sa.String(12), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            _when("next_at", nullable=False),
            sa.Column("last_error", sa.Text(), nullable=True),
            _when("created_at", nullable=False),
            _when("sent_at"),
            sa.UniqueConstraint("watch_id", "batch", name="uq_webhook_batch"),
        )
        op.create_index("ix_webhook_due", "webhook_deliveries", ["status", "next_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("alert_optouts")
    op.drop_index("ix_watch_matches_batch", table_name="watch_matches")
    op.drop_table("watch_matches")
    op.drop_table("watch_recipients")
    op.drop_table("watches")
