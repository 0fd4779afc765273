"""The files of documents sources that were refused (``refused_files``): too big to download,
encrypted, broken, a zip bomb, too long to read. One row per URL with the reason (the run
ledger's line), the hash and size of the bytes refused, the server's validators (ETag,
Last-Modified) and when it was refused and last asked: the next crawl does not download the
file again unless it changed (a conditional request answered 304, the same bytes) or the retry
delay of ``[crawl.documents]`` has passed.

Revision ID: 0023
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "refused_files" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "refused_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False, unique=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("size_limit", sa.BigInteger(), nullable=True),
        sa.Column("etag", sa.String(300), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_refused_files_sha256", "refused_files", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_refused_files_sha256", table_name="refused_files")
    op.drop_table("refused_files")
