"""Migration 0006 (jobs) from an empty database and from revision 0005, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from edepot.catalog import job_tables
from edepot.catalog.sql import alembic_config, create_engine_for, migrate


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return create_engine_for(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    return create_engine_for(request.getfixturevalue("postgres_database"))


def revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def jobs_shape(engine: Engine) -> tuple[set[str], set[tuple[str, tuple[str, ...], bool]]]:
    inspector = inspect(engine)
    columns = {c["name"] for c in inspector.get_columns("jobs")}
    indexes = {(i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes("jobs")}
    return columns, indexes


EXPECTED_INDEXES = {
    ("ix_jobs_idempotency_key", ("idempotency_key",), True),
    ("ix_jobs_queue_status", ("queue", "status"), False),
    ("ix_jobs_status_created_at", ("status", "created_at"), False),
}


def test_an_empty_database_migrated_to_head_has_the_jobs_table_of_the_metadata(empty_engine: Engine) -> None:
    migrate(empty_engine)

    columns, indexes = jobs_shape(empty_engine)
    assert columns == {c.name for c in job_tables.jobs.columns}
    assert indexes == EXPECTED_INDEXES


def test_a_catalog_at_revision_0005_gets_the_jobs_table_and_keeps_its_tables(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0005")
    before = set(inspect(empty_engine).get_table_names())
    assert "jobs" not in before

    with empty_engine.begin() as conn:  # to 0006 itself: later revisions add tables of their own
        command.upgrade(alembic_config(conn), "0006")

    assert revision(empty_engine) == "0006"
    assert set(inspect(empty_engine).get_table_names()) == before | {"jobs"}
    assert jobs_shape(empty_engine)[1] == EXPECTED_INDEXES


def test_downgrading_0006_removes_only_the_jobs_table(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")

    assert "jobs" not in inspect(empty_engine).get_table_names()
    assert revision(empty_engine) == "0005"
