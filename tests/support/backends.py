"""One adapter contract, three backends: the in-memory fake, SQLite and PostgreSQL.

A contract test parametrises its fixture with `BACKENDS` and yields from `contract_backend`, which
builds the fake, or a migrated catalog database (a file in the test's folder, or a fresh database
on the session's embedded PostgreSQL) and the SQL adapter over it, disposed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine

T = TypeVar("T")

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def contract_backend(
    request: pytest.FixtureRequest, tmp_path: Path, memory: Callable[[], T], sql: Callable[[Engine], T]
) -> Iterator[T]:
    if request.param == "memory":
        yield memory()
        return
    from edepot.catalog.sql import create_engine_for, migrate

    url = (
        f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_database")
    )
    engine = create_engine_for(url)
    migrate(engine)
    try:
        yield sql(engine)
    finally:
        engine.dispose()
