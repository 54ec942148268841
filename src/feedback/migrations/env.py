"""Alembic environment: runs on the connection that feedback.db.upgrade passes in.

There is no alembic.ini; ``feedback.db`` builds the configuration in code so
the app, the CLI and the tests all migrate the same way.
"""

from __future__ import annotations

from alembic import context

from feedback.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through feedback.db.upgrade(engine) or `python -m feedback db upgrade`.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs table copies for ALTER
)
with context.begin_transaction():
    context.run_migrations()
