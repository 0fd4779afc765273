"""The archive keeps the sources it was crawled from: ``sources`` (name, label, kind)

The web UI named sources by the labels of ``sources.toml`` only, so the articles of sources
crawled from elsewhere (the demo's own site, a one-off crawl with another config) showed bare
names such as ``demo-rss``. Every crawl now records its sources here and the pages fall back
on these labels.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "sources" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "sources",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("sources")
