"""Official documents as sources: ``articles.kind`` ("article" or "document"), the file behind a
document (``documents``: type, hash of its bytes, size, pages, the source's official flag, where
its title and date came from), its tables as read (``document_tables``), and the cell a figure
was read from (``figures.table_index``, ``figures.cell``).

A document is an article of kind "document": search, the figures explorer, the indicator series
and the digest read it where they read articles. Existing rows are articles.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    if "kind" not in _columns("articles"):
        op.add_column("articles", sa.Column("kind", sa.String(16), nullable=False, server_default="article"))
    op.execute("CREATE INDEX IF NOT EXISTS ix_articles_kind ON articles (kind, published)")
    figures = _columns("figures")
    if "table_index" not in figures:
        op.add_column("figures", sa.Column("table_index", sa.Integer(), nullable=True))
    if "cell" not in figures:
        op.add_column("figures", sa.Column("cell", sa.String(40), nullable=True))
    tables = _tables()
    if "documents" not in tables:
        op.create_table(
            "documents",
            sa.Column(
                "article_id",
                sa.Integer(),
                sa.ForeignKey("articles.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("file_type", sa.String(8), nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("pages", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("official", sa.Boolean(), nullable=False, server_default=sa.false()),
            sa.Column("listing_url", sa.Text(), nullable=True),
            sa.Column("title_from", sa.String(16), nullable=True),
            sa.Column("date_from", sa.String(16), nullable=True),
        )
        op.create_index("ix_documents_sha256", "documents", ["sha256"])
    if "document_tables" not in tables:
        op.create_table(
            "document_tables",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column(
                "article_id",
                sa.Integer(),
                sa.ForeignKey("articles.id", ondelete="CASCADE"),
                nullable=False,
            ),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("page", sa.Integer(), nullable=True),
            sa.Column("sheet", sa.String(200), nullable=True),
            sa.Column("caption", sa.Text(), nullable=False, server_default=""),
            sa.Column("header_rows", sa.Integer(), nullable=False, server_default="1"),
            sa.Column("cells", sa.JSON(), nullable=False),
            sa.Column("row_refs", sa.JSON(), nullable=False),
            sa.Column("col_refs", sa.JSON(), nullable=False),
            sa.UniqueConstraint("article_id", "position", name="uq_document_table"),
        )


def downgrade() -> None:
    op.drop_table("document_tables")
    op.drop_index("ix_documents_sha256", table_name="documents")
    op.drop_table("documents")
    # plain ALTER TABLE (SQLite >= 3.35): batch mode would copy and drop the tables, and the drop
    # would cascade to what refers to them
    op.execute("ALTER TABLE figures DROP COLUMN cell")
    op.execute("ALTER TABLE figures DROP COLUMN table_index")
    op.execute("DROP INDEX IF EXISTS ix_articles_kind")
    op.execute("ALTER TABLE articles DROP COLUMN kind")
