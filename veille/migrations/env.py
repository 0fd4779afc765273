"""Alembic environment: run with a connection handed in by :func:`veille.store.migrate`."""

from __future__ import annotations

from alembic import context

from veille.schema import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # `alembic` command line: use the URL from the config
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
