"""The deliveries table becomes a general delivery ledger: a kind of message, a recipient, a period, a state

``kind`` says which message a row is about (``digest`` now; alerts will add theirs) and
``recipient`` keeps the address the message went to (a subscriber may change theirs later).
The uniqueness guard becomes (kind, period, subscriber): one row, hence at most one message,
per recipient, period and kind. A new state, ``unconfirmed``, holds the rows whose message
may have been accepted by the SMTP server without Veille hearing it (connection lost after
the message was transmitted, or a sender killed while it was sending): they are never resent
on their own, only reported, until an operator confirms or resends them.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("deliveries")}
    with op.batch_alter_table("deliveries") as batch:
        if "kind" not in columns:
            batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="digest"))
        if "recipient" not in columns:
            batch.add_column(sa.Column("recipient", sa.String(length=320), nullable=True))
        batch.drop_constraint("uq_delivery", type_="unique")
        batch.create_unique_constraint("uq_delivery_kind", ["kind", "period", "subscriber_id"])
    op.execute(
        "UPDATE deliveries SET recipient = (SELECT subscribers.email FROM subscribers "
        "WHERE subscribers.id = deliveries.subscriber_id) WHERE recipient IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_delivery_kind", type_="unique")
        batch.create_unique_constraint("uq_delivery", ["period", "subscriber_id"])
        batch.drop_column("recipient")
        batch.drop_column("kind")
