"""Search performance: FTS5 rank weights, a title/lead vector, figure indexes

SQLite: FTS5's ``rank`` column is set to ``bm25(10, 3, 1)`` (title, lead, body): search
reads it for the rows it ranks, and ``ORDER BY rank`` works for ad hoc queries.
PostgreSQL: ``search_vector_head``, a small stored vector of title (A) and lead (B),
ranks every match cheaply before the full ``search_vector`` re-ranks the best ones (the
full vector of a 400-word article lives in TOAST: reading it costs a fetch per row).
Both: narrow covering indexes on ``articles`` (a SQLite row holds the whole text); covering indexes for the figure, organisation and person filters (the set of
articles having such a figure or mention is read from an index alone), then ANALYZE so the
planner has statistics.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RANK = "bm25(10.0, 3.0, 1.0)"  # veille.archive.search.TITLE_WEIGHT, LEAD_WEIGHT, TEXT_WEIGHT
PG_HEAD_VECTOR = (
    "setweight(to_tsvector('veille_fr'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('veille_fr'::regconfig, coalesce(lead, '')), 'B')"
)
INDEXES = {
    "ix_figures_unit_value_period": "figures (unit, value, period, article_id)",
    "ix_figures_article_unit": "figures (article_id, unit, value, period)",
    "ix_org_mentions_org_article": "org_mentions (org_id, article_id)",
    "ix_person_mentions_person_article": "person_mentions (person_id, article_id)",
    # SQLite keeps an article's text in its row: these narrow covering indexes let filters,
    # cluster collapsing and counting read a few bytes per article instead of a whole row.
    "ix_articles_search_cover": "articles (id, cluster_id, published, source, relevance)",
    "ix_articles_published_cover": "articles (published, cluster_id, source, relevance)",
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"INSERT INTO article_fts(article_fts, rank) VALUES ('rank', '{RANK}')")
    elif bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE articles ADD COLUMN IF NOT EXISTS search_vector_head tsvector "
            f"GENERATED ALWAYS AS ({PG_HEAD_VECTOR}) STORED"
        )
    for name, target in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    op.execute("ANALYZE")


def downgrade() -> None:
    bind = op.get_bind()
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    if bind.dialect.name == "sqlite":
        op.execute("DELETE FROM article_fts_config WHERE k = 'rank'")
    elif bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector_head")
