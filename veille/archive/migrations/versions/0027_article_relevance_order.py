"""PostgreSQL: the articles in the order of a search by relevance without text, with what its
walk reads

A search without text ranked by relevance (``unit=jobs min_value=5000 period=2024``) walks the
articles by ``relevance DESC, published DESC NULLS LAST, id DESC`` and tests its filters on each
until the page is full. At a million articles the planner does walk them so, but along
``ix_articles_relevance`` (the score alone): each article read from the table for its date and
cluster, then sorted again within each score (25,000 table pages for 28,769 articles walked).
``ix_articles_relevance_order`` is the whole order, with the columns the walk and its row
filters read (cluster, source, kind): the walk reads the index alone. SQLite keeps its indexes.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_articles_relevance_order ON articles "
            "(relevance DESC, published DESC NULLS LAST, id DESC) INCLUDE (cluster_id, source, kind)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_relevance_order")
