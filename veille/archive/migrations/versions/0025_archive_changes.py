"""A count of the writes that change what the web's result cache holds (``archive_changes``),
kept on PostgreSQL by triggers: a write transaction that inserts, updates or deletes rows of the
archive's content (articles, figures, organisations, persons and their mentions, documents,
corrections, reviews, series points, sources) counts one more, once, as it commits: on row 2
when it said it is the flow of new work (``veille.write_kind`` = ``flow``: a crawl's articles,
an extraction's results), on row 1 otherwise (analysts' edits, everything else).
Runs, heartbeats, claims, leases, sessions and deliveries do not count: the cache's marker
(:mod:`veille.archive.cache`) stays put while crawl and extraction workers only beat.

How: a statement trigger on each content table notes, once per transaction, a row in
``archive_changes_pending``; a constraint trigger on that table, deferred to the commit, adds
one to the count and removes the note. The count's row is thus locked only between the
pre-commit and the commit: concurrent writers do not wait on one another while they write.
SQLite keeps the tables but no trigger (its marker is ``PRAGMA data_version``).

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

CONTENT = (
    "articles", "figures", "figure_orgs", "organisations", "org_aliases", "org_mentions", "persons",
    "person_mentions", "documents", "document_tables", "corrections", "article_reviews", "org_edits",
    "series_points", "sources",
)  # fmt: skip

NOTE = """
CREATE OR REPLACE FUNCTION veille_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('veille.change_noted', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('veille.change_noted', txid_current()::text, true);
        INSERT INTO archive_changes_pending (xid) VALUES (txid_current());
    END IF;
    RETURN NULL;
END $$
"""

COUNT = """
CREATE OR REPLACE FUNCTION veille_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO archive_changes (id, writes)
        VALUES (CASE WHEN current_setting('veille.write_kind', true) = 'flow' THEN 2 ELSE 1 END, 1)
        ON CONFLICT (id) DO UPDATE SET writes = archive_changes.writes + 1;
    DELETE FROM archive_changes_pending WHERE xid = NEW.xid;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if "archive_changes" not in tables:
        op.create_table(
            "archive_changes",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("writes", sa.BigInteger(), nullable=False, server_default="0"),
        )
    if "archive_changes_pending" not in tables:
        op.create_table("archive_changes_pending", sa.Column("xid", sa.BigInteger(), primary_key=True))
    if bind.dialect.name != "postgresql":
        return
    op.execute(NOTE)
    op.execute(COUNT)
    op.execute("DROP TRIGGER IF EXISTS archive_changes_count ON archive_changes_pending")
    op.execute(
        "CREATE CONSTRAINT TRIGGER archive_changes_count AFTER INSERT ON archive_changes_pending "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION veille_count_change()"
    )
    for table in CONTENT:
        op.execute(f"DROP TRIGGER IF EXISTS archive_changes_note ON {table}")
        op.execute(
            f"CREATE TRIGGER archive_changes_note AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION veille_note_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in CONTENT:
            op.execute(f"DROP TRIGGER IF EXISTS archive_changes_note ON {table}")
        op.execute("DROP TRIGGER IF EXISTS archive_changes_count ON archive_changes_pending")
        op.execute("DROP FUNCTION IF EXISTS veille_note_change()")
        op.execute("DROP FUNCTION IF EXISTS veille_count_change()")
    op.drop_table("archive_changes_pending")
    op.drop_table("archive_changes")
