"""The analysts' corrections, kept apart from the extractor's output: ``corrections`` (one row per
word an analyst said on a figure: confirm, correct, reject or add, keyed by the article and the
figure's offsets, with the figure before and after, who, when and a version per figure),
``article_reviews`` (articles marked "vérifié") and ``org_edits`` (organisations merged or split,
in the order made). Each figure row says whether an analyst confirmed, corrected or added it,
who and when (``figures.review``, ``reviewed_by``, ``reviewed_at``): every reader sees the
corrected values without knowing about corrections.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _who(key: str) -> list[sa.Column]:  # type: ignore[type-arg]
    """Who did it: the account (kept as a login when the account goes) and its login at the time."""
    account = sa.ForeignKey("accounts.id", ondelete="SET NULL", name=key)
    return [
        sa.Column("account_id", sa.Integer(), account, nullable=True),
        sa.Column("account", sa.String(320), nullable=False),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    columns = {c["name"] for c in sa.inspect(bind).get_columns("figures")}
    for name, kind in (("review", sa.String(12)), ("reviewed_by", sa.String(320))):
        if name not in columns:
            op.add_column("figures", sa.Column(name, kind, nullable=True))
    if "reviewed_at" not in columns:
        op.add_column("figures", sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    tables = set(sa.inspect(bind).get_table_names())
    if "corrections" not in tables:
        op.create_table(
            "corrections",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column(
                "article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
            ),
            sa.Column("start", sa.Integer(), nullable=False),
            sa.Column("end", sa.Integer(), nullable=False),
            sa.Column("span", sa.Text(), nullable=False),
            sa.Column("action", sa.String(10), nullable=False),
            sa.Column("before", sa.JSON(), nullable=True),
            sa.Column("after", sa.JSON(), nullable=True),
            *_who("fk_corrections_account"),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.UniqueConstraint("article_id", "start", "end", "version", name="uq_correction_version"),
        )
    if "article_reviews" not in tables:
        op.create_table(
            "article_reviews",
            sa.Column(
                "article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
            ),
            *_who("fk_reviews_account"),
            sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        )
    if "org_edits" not in tables:
        op.create_table(
            "org_edits",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("action", sa.String(10), nullable=False),
            sa.Column("source", sa.String(300), nullable=False),
            sa.Column("target", sa.String(300), nullable=False),
            sa.Column("target_kind", sa.String(40), nullable=True),
            sa.Column("mentions", sa.JSON(), nullable=True),
            *_who("fk_org_edits_account"),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )


def downgrade() -> None:
    for table in ("org_edits", "article_reviews", "corrections"):
        op.drop_table(table)
    for column in ("reviewed_at", "reviewed_by", "review"):
        op.drop_column("figures", column)
