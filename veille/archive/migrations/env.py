"""Alembic environment: run with a connection handed in by :func:`veille.archive.store.migrate`."""

from __future__ import annotations

from alembic import context

from veille.archive.schema import metadata

config = context.config

# Full-text structures live outside ``metadata`` (migration 0002): autogenerate must not
# propose to drop them.
SEARCH_OBJECTS = ("article_fts", "search_vector", "ix_articles_search_vector")


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (name and name.startswith(SEARCH_OBJECTS))


connection = config.attributes.get("connection")

if connection is None:  # `alembic` command line: use the URL from the config
    from sqlalchemy import create_engine

    url = config.get_main_option("sqlalchemy.url")
    if url is None:  # veille ships no alembic.ini: the command line must name the database
        raise RuntimeError("no sqlalchemy.url in the Alembic config (Store.migrate needs none)")
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(
            connection=conn, target_metadata=metadata, render_as_batch=True, include_object=include_object
        )
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, include_object=include_object
    )
    with context.begin_transaction():
        context.run_migrations()
