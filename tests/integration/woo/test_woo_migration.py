"""Migration 0007 (Woo) from an empty database and from revision 0006, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from edepot.catalog.sql import alembic_config, create_engine_for, migrate
from edepot.catalog.woo_tables import WOO_TABLES

WOO = {t.name for t in WOO_TABLES}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return create_engine_for(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    return create_engine_for(request.getfixturevalue("postgres_database"))


def revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_a_catalog_at_revision_0006_gets_the_woo_tables_and_keeps_its_tables(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0006")
    before = set(inspect(empty_engine).get_table_names())
    assert not before & WOO

    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")

    assert revision(empty_engine) == "0007"
    assert set(inspect(empty_engine).get_table_names()) == before | WOO
    for table in WOO_TABLES:
        assert {c["name"] for c in inspect(empty_engine).get_columns(table.name)} == {c.name for c in table.columns}


def test_downgrading_0007_removes_only_the_woo_tables(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")

    assert not set(inspect(empty_engine).get_table_names()) & WOO
    assert revision(empty_engine) == "0006"
