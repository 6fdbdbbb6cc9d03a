"""Alembic environment: runs against the connection handed in by workbench.store.migrate."""

from alembic import context

from workbench.store import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic` command line: build an engine from the settings
        from workbench.config import Settings
        from workbench.store import make_engine

        engine = make_engine(Settings.from_env().db_url)
        with engine.begin() as connection:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
