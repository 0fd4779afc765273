"""Runs record who runs them: ``host``, ``pid`` and a ``heartbeat_at`` refreshed while they run

A crawl killed with SIGKILL left its run "running" for ever. With the host, the process id and
a heartbeat recorded, the next crawl marks ``interrupted`` a run whose process is gone from
this host, or whose heartbeat stopped long ago, and leaves alone a run still alive elsewhere
(several crawls may run at once).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("runs")}
    if "host" not in columns:
        op.add_column("runs", sa.Column("host", sa.String(length=255), nullable=True))
    if "pid" not in columns:
        op.add_column("runs", sa.Column("pid", sa.Integer(), nullable=True))
    if "heartbeat_at" not in columns:
        op.add_column("runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE (SQLite >= 3.35): batch mode would copy and drop ``runs``, and the drop
    # would cascade to run_sources
    for column in ("heartbeat_at", "pid", "host"):
        op.execute(f"ALTER TABLE runs DROP COLUMN {column}")
