"""Every point of the indicator series kept in the archive: ``series_points`` (one row per point,
its key, whether its citations disagree, how many there are, and the point as the rule gave it)
and ``series_state`` (when they were computed, with which rule, how many writes of the figures
were counted and from which count the points were computed). The extraction run, a correction and ``veille indicators refresh`` write them; the
indicators' list and the "à vérifier" page only read them (computing every point takes seconds
over a large archive).

Revision ID: 0022
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "series_points" not in tables:
        op.create_table(
            "series_points",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("indicator", sa.String(60), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("scope_kind", sa.String(20), nullable=False),
            sa.Column("scope", sa.String(300), nullable=False),
            sa.Column("period", sa.String(20), nullable=False),
            sa.Column("unit", sa.String(20), nullable=False),
            sa.Column("per", sa.String(20), nullable=False),
            sa.Column("conflict", sa.Boolean(), nullable=False),
            sa.Column("citations_count", sa.Integer(), nullable=False),
            sa.Column("point", sa.JSON(), nullable=False),
        )
        op.create_index(
            "ix_series_points_series", "series_points", ["indicator", "scope_kind", "scope", "unit", "per"]
        )
        op.create_index("ix_series_points_conflicts", "series_points", ["conflict", "citations_count"])
    if "series_state" not in tables:
        op.create_table(
            "series_state",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("rule", sa.String(64), nullable=True),
            sa.Column("changes", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("computed_from", sa.Integer(), nullable=True),
        )


def downgrade() -> None:
    op.drop_table("series_state")
    op.drop_table("series_points")
