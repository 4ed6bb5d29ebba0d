"""Alembic environment for the catalog.

`edepot.catalog.migrate(engine)` passes its connection in `config.attributes["connection"]`.
From the alembic command line (`alembic -c edepot/catalog/alembic.ini revision --autogenerate -m
"..."`), the database is `EDEPOT_DATABASE_URL` or else `sqlalchemy.url` from that file.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from edepot.catalog.tables import metadata


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can only ALTER by copying
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    config = context.config
    url = os.environ.get("EDEPOT_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    if not url:
        raise RuntimeError("no database: set EDEPOT_DATABASE_URL or sqlalchemy.url, or call edepot.catalog.migrate")
    from edepot.catalog.sql import create_engine_for

    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            _run_on(conn)
            conn.commit()
    finally:
        engine.dispose()


_run()
