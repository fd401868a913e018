"""Alembic environment: run by ``toolkit.store.engine.migrate`` on a live connection.

All pending migrations run in ONE transaction together with the ``alembic_version`` update
(SQLite and PostgreSQL both have transactional DDL), so a store is never half-migrated.
"""

from __future__ import annotations

from alembic import context

from toolkit.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,
    transaction_per_migration=False,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
