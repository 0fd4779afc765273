"""Figures say what they are about and who gave them: ``figures.scope_kind`` (zone,
organisation, region, country, sector), ``figures.scope`` (its name: "Fès Shore", "Tunisie")
and ``figures.attributed_to`` (the organisation the text gives as the source: "selon l'AMRC"),
for the indicator series (indicator x scope x period).

Existing rows keep no scope until the next ``veille extract --pending`` (the extractor
version changes with this revision); the series read a figure without a scope as the default
country's, so an old archive gives series at once.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("figures")}
    if "scope_kind" not in columns:
        op.add_column("figures", sa.Column("scope_kind", sa.String(16), nullable=True))
    if "scope" not in columns:
        op.add_column("figures", sa.Column("scope", sa.String(200), nullable=True))
    if "attributed_to" not in columns:
        op.add_column("figures", sa.Column("attributed_to", sa.String(300), nullable=True))
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_figures_series ON figures (indicator, scope_kind, scope, period)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_figures_series")
    # in place (SQLite 3.35+): a batch copy would drop the table and cascade to figure_orgs
    for column in ("attributed_to", "scope", "scope_kind"):
        op.drop_column("figures", column)
