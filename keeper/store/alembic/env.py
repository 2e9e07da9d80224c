"""Alembic's entry point for the keeper's store: migrations run on the connection the store hands over (see
`keeper.store.migrations`), never on a URL read from a file."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
