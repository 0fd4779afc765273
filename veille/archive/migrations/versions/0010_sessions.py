"""Web sessions are kept server-side, so that logging out (or a new admin password) ends them

A signed cookie alone stays valid until it expires, whatever happens on the server: a cookie
copied before a logout was still accepted for 12 hours. A session is now a row: the cookie
carries a random token, the row its SHA-256, who it belongs to (``account``: ``admin`` today;
``user_id`` is there for the named accounts that come next), which credential opened it (a
fingerprint of the password hash: a new password ends every session opened with the old one),
when it expires and when it was revoked.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "sessions" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=100), nullable=False, server_default="admin"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("credential", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_session_token"),
    )
    op.create_index("ix_sessions_account", "sessions", ["account", "revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_sessions_account", table_name="sessions")
    op.drop_table("sessions")
