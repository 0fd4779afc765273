"""Organisations keep the names they had: a former name is its own row, linked to what it became

An article of 2010 names "Ministère de l'Industrie, du Commerce et des Nouvelles technologies";
the archive keeps that name as written (``organisations.name``) and links it to today's entity
(``successor_id``) with the years it was in use (``years``, "2007-2013"). The organisation page
of either lists the other.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, never a batch copy: on SQLite the copy drops the table, and with foreign
    # keys on, that cascades to every alias, mention and figure link of every organisation
    bind = op.get_bind()
    columns = {c["name"] for c in sa.inspect(bind).get_columns("organisations")}
    if "successor_id" not in columns:
        fk = [] if bind.dialect.name == "sqlite" else [sa.ForeignKey("organisations.id", ondelete="SET NULL")]
        op.add_column("organisations", sa.Column("successor_id", sa.Integer(), *fk, nullable=True))
    if "years" not in columns:
        op.add_column("organisations", sa.Column("years", sa.String(20), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (no table copy, no cascade)
    op.drop_column("organisations", "years")
    op.drop_column("organisations", "successor_id")
