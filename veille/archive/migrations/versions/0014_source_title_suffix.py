"""The site's repeated title suffix kept with its source: ``sources.title_suffix``

A crawl learns what a source appends to every page title (" | L'Hebdo du Nord") from the
same segment repeated across its pages; later runs, ``veille page --source NAME`` and
``veille extract --titles`` read it here to remove it from titles.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("sources")}
    if "title_suffix" not in columns:
        op.add_column("sources", sa.Column("title_suffix", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE sources DROP COLUMN title_suffix")  # in place: no batch table copy
