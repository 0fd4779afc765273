"""Articles cut at the extractor's text limit say so: ``articles.truncated``

A page longer than ``[extract] max_text_chars`` (pipeline.toml) is archived with its text cut
at the limit rather than dropped, and flagged here so that readers and analysts know figures
past the cut were not seen.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("articles")}
    if "truncated" not in columns:
        op.add_column(
            "articles", sa.Column("truncated", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    # a plain ALTER TABLE (SQLite >= 3.35): batch mode would copy and drop ``articles``, and the
    # drop would cascade to its figures and mentions
    op.execute("ALTER TABLE articles DROP COLUMN truncated")
