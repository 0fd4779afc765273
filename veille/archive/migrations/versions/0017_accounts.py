"""Named accounts with roles replace the single admin password: ``accounts`` (email, folded to
lower case and unique; role ``lecteur``, ``analyste`` or ``admin``; password hash; created and
last login; disabled), and each session names the account that opened it (``sessions.user_id``,
a foreign key on PostgreSQL; SQLite cannot add one to an existing table without copying it, and
accounts are disabled, never deleted).

Sessions opened before this revision name no account: they log nobody in, and are marked
revoked here. The old admin password hash lives in the environment or in ``web.toml``, which a
migration does not read: the first start of the web (or of a ``veille users`` command) with such
a hash configured and no admin account creates the account ``admin`` with that hash
(:func:`veille.archive.accounts.adopt_admin_hash`).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if "accounts" not in sa.inspect(bind).get_table_names():
        op.create_table(
            "accounts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("email", sa.String(length=320), nullable=False),
            sa.Column("role", sa.String(length=20), nullable=False),
            sa.Column("password_hash", sa.String(length=512), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("email", name="uq_account_email"),
        )
    op.execute("CREATE INDEX IF NOT EXISTS ix_sessions_user ON sessions (user_id)")
    if bind.dialect.name == "postgresql":
        keys = {fk["name"] for fk in sa.inspect(bind).get_foreign_keys("sessions")}
        if "fk_sessions_account" not in keys:
            op.create_foreign_key(
                "fk_sessions_account", "sessions", "accounts", ["user_id"], ["id"], ondelete="CASCADE"
            )
    sessions = sa.table(
        "sessions", sa.column("user_id", sa.Integer()), sa.column("revoked_at", sa.DateTime(timezone=True))
    )
    op.execute(
        sessions.update()
        .where(sessions.c.user_id.is_(None), sessions.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_sessions_account", "sessions", type_="foreignkey")
    op.execute("DROP INDEX IF EXISTS ix_sessions_user")
    op.drop_table("accounts")
