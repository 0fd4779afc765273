"""Work shared between processes and machines: ``extraction_claims`` (the articles an extraction
worker has claimed, by whom and until when: a lease another worker takes over once it expires),
``leases`` (a named lease, such as the scheduler's leadership, held by one process and renewed
by its heartbeat), and on each article how many extractions were committed (``extractions``)
and by which worker the last one was (``extracted_by``).

Revision ID: 0024
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    columns = {c["name"] for c in sa.inspect(bind).get_columns("articles")}
    if "extractions" not in columns:
        op.add_column("articles", sa.Column("extractions", sa.Integer(), nullable=False, server_default="0"))
    if "extracted_by" not in columns:
        op.add_column("articles", sa.Column("extracted_by", sa.String(200), nullable=True))
    tables = set(sa.inspect(bind).get_table_names())
    if "extraction_claims" not in tables:
        op.create_table(
            "extraction_claims",
            sa.Column(
                "article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
            ),
            sa.Column("worker", sa.String(200), nullable=False),
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
        )
        op.create_index("ix_extraction_claims_worker", "extraction_claims", ["worker"])
        op.create_index("ix_extraction_claims_lease_until", "extraction_claims", ["lease_until"])
    if "leases" not in tables:
        op.create_table(
            "leases",
            sa.Column("name", sa.String(100), primary_key=True),
            sa.Column("holder", sa.String(200), nullable=False),
            sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        )


def downgrade() -> None:
    for table in ("leases", "extraction_claims"):
        op.drop_table(table)
    # plain ALTER TABLE (SQLite >= 3.35): batch mode would copy ``articles`` and cascade its drop
    for column in ("extracted_by", "extractions"):
        op.execute(f"ALTER TABLE articles DROP COLUMN {column}")
