"""Figures say what they measure and whether it has happened

``figures.indicator`` (a key of ``config/indicators.toml``: exportations, effectif, ...),
``figures.status`` (actual, announced, forecast, target) and ``figures.per`` (what a rate is
per: month, m2/month, ...). Existing rows get status "actual" and no indicator until the next
``veille extract --pending`` (the extractor version changes with this revision), so an old
archive opens at once and is completed in the background of the next crawl.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("figures")}
    if "indicator" not in columns:
        op.add_column("figures", sa.Column("indicator", sa.String(32), nullable=True))
    if "status" not in columns:
        op.add_column("figures", sa.Column("status", sa.String(12), nullable=False, server_default="actual"))
    if "per" not in columns:
        op.add_column("figures", sa.Column("per", sa.String(16), nullable=True))
    op.execute("CREATE INDEX IF NOT EXISTS ix_figures_indicator ON figures (indicator, status)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_figures_indicator")
    # in place (SQLite 3.35+): a batch copy would drop the table and cascade to figure_orgs
    for column in ("per", "status", "indicator"):
        op.drop_column("figures", column)
