"""French full-text search on title, lead and text

SQLite: an FTS5 table ``article_fts`` (rowid = articles.id) holding folded, stemmed keys
(see :mod:`veille.archive.fulltext`), filled by :meth:`Store._after_article_write`.
PostgreSQL: the ``unaccent`` extension, a ``veille_fr`` text search configuration
(unaccent then the French Snowball stemmer) and a stored, generated ``search_vector``
column on ``articles`` (title weight A, lead B, text C) with a GIN index.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PG_VECTOR = (
    "setweight(to_tsvector('veille_fr'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('veille_fr'::regconfig, coalesce(lead, '')), 'B') || "
    "setweight(to_tsvector('veille_fr'::regconfig, coalesce(text, '')), 'C')"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        from veille.archive.fulltext import index_text

        op.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5("
            "title, lead, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute("DELETE FROM article_fts")
        rows = bind.execute(sa.text("SELECT id, title, lead, text FROM articles")).fetchall()
        if rows:
            bind.execute(
                sa.text(
                    "INSERT INTO article_fts (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"
                ),
                [
                    {
                        "id": r.id,
                        "title": index_text(r.title),
                        "lead": index_text(r.lead),
                        "body": index_text(r.text),
                    }
                    for r in rows
                ],
            )
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'veille_fr') THEN
                    CREATE TEXT SEARCH CONFIGURATION veille_fr (COPY = french);
                    ALTER TEXT SEARCH CONFIGURATION veille_fr
                        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
                END IF;
            END
            $$
            """
        )
        op.execute(
            f"ALTER TABLE articles ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ({PG_VECTOR}) STORED"
        )
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_articles_search_vector ON articles USING gin (search_vector)"
        )


def downgrade() -> None:
    # The search structures are derived data; the FTS5 table is left in place (no table is
    # ever dropped) and refilled by the next upgrade.
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_search_vector")
        op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
