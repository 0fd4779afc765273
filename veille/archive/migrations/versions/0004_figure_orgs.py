"""Figures by organisation: a ``figure_orgs`` link table; full-text keys singular first

``figure_orgs (figure_id, org_id)`` holds, by id, the organisations named in a figure's
sentence (the canonical names of ``figures.organisations``), with an index on
``(org_id, figure_id)``: ``figures(org=...)`` reads the index instead of parsing every
figure's JSON list. :meth:`Store.save_analysis` fills it; this migration backfills it.

SQLite: the FTS5 keys now drop a final plural ``s`` before stemming ("téléconseillers" and
"téléconseiller" share a key, see :mod:`veille.archive.fulltext`): the index is rebuilt with the
new keys. PostgreSQL needs no change (queries already ask for both forms).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "figure_orgs",
        sa.Column(
            "figure_id", sa.Integer(), sa.ForeignKey("figures.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "org_id", sa.Integer(), sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
        ),
        if_not_exists=True,
    )
    op.create_index("ix_figure_orgs_org_figure", "figure_orgs", ["org_id", "figure_id"], if_not_exists=True)
    op.execute("DELETE FROM figure_orgs")
    if bind.dialect.name == "sqlite":
        names = "json_each(f.organisations) AS j"
    else:
        names = "json_array_elements_text(f.organisations) AS j(value)"
    op.execute(
        "INSERT INTO figure_orgs (figure_id, org_id) "
        f"SELECT DISTINCT f.id, o.id FROM figures AS f, {names} "
        "JOIN organisations AS o ON o.name = j.value"
    )
    if bind.dialect.name == "sqlite":
        _reindex_fts5(bind)
    op.execute("ANALYZE")


def _reindex_fts5(bind: sa.engine.Connection) -> None:
    """Rewrite the FTS5 rows whose keys changed (the table stores its keys: compare them)."""
    from veille.archive.fulltext import index_text

    last = 0
    changed = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT a.id, a.title, a.lead, a.text, f.title AS k_title, f.lead AS k_lead, f.body AS k_body "
                "FROM articles AS a LEFT JOIN article_fts AS f ON f.rowid = a.id "
                "WHERE a.id > :last ORDER BY a.id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).fetchall()
        if not rows:
            break
        last = rows[-1].id
        new = [
            {"id": r.id, "title": index_text(r.title), "lead": index_text(r.lead), "body": index_text(r.text)}
            for r in rows
        ]
        stale = [
            n
            for n, r in zip(new, rows, strict=True)
            if (n["title"], n["lead"], n["body"]) != (r.k_title, r.k_lead, r.k_body)
        ]
        if stale:
            changed += len(stale)
            bind.execute(
                sa.text("DELETE FROM article_fts WHERE rowid = :id"), [{"id": n["id"]} for n in stale]
            )
            bind.execute(
                sa.text(
                    "INSERT INTO article_fts (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"
                ),
                stale,
            )
    if changed:
        op.execute("INSERT INTO article_fts(article_fts) VALUES ('optimize')")


def downgrade() -> None:
    # figure_orgs is derived from figures.organisations; no table is ever dropped: it is left
    # in place (and refilled by the next upgrade).
    op.execute("DELETE FROM figure_orgs")
