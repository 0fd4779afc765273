"""Aggregator links kept as partial articles: ``articles.publisher``, and the ledger's
``run_sources.partial`` / ``run_sources.completed``

A news-query item whose link leads to an aggregator's redirect page is archived from the
feed (title, summary) with the publisher the item names; the run ledger counts such partial
articles, and those completed in place when the publisher's own feed or site brings the story.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if "publisher" not in _columns("articles"):
        op.add_column("articles", sa.Column("publisher", sa.String(length=200), nullable=True))
    ledger = _columns("run_sources")
    for name in ("partial", "completed"):
        if name not in ledger:
            op.add_column("run_sources", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # plain ALTER TABLE (SQLite >= 3.35): batch mode would copy and drop ``articles``, and the
    # drop would cascade to its figures and mentions
    op.execute("ALTER TABLE run_sources DROP COLUMN completed")
    op.execute("ALTER TABLE run_sources DROP COLUMN partial")
    op.execute("ALTER TABLE articles DROP COLUMN publisher")
