"""SQLite: drop ``ix_figures_unit_value``; ``ix_figures_unit_value_period`` starts with its columns

The wider index answers every query the narrow one did (unit, unit + value range, order by
value within a unit) and also holds the period and the article id. With both present SQLite
picked the narrow one for "unit + value + period" filters and read each figure row to test the
period (twice as slow on the figures explorer). PostgreSQL keeps both: its planner uses the
narrow one well (figures by organisation or text, by value) and was slower without it.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_figures_unit_value")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE INDEX IF NOT EXISTS ix_figures_unit_value ON figures (unit, value)")
