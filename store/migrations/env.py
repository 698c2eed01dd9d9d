"""Alembic environment of the store: migrations run on a connection handed in by ``store.schema``.

Run through :func:`store.schema.upgrade` (which ``open_store`` calls), never with a global engine:
``config.attributes["connection"]`` is an open SQLAlchemy connection inside a transaction.
"""
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
