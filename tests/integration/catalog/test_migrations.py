"""The Alembic migrations build exactly the schema of `edepot.catalog.tables`; engines are set up right."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, select

from edepot.catalog import SqlCatalog, create_engine_for, migrate
from edepot.catalog.tables import event_head, metadata
from edepot.errors import ConfigurationError


def differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, metadata))


def revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return create_engine_for(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    return create_engine_for(request.getfixturevalue("postgres_database"))


def test_an_empty_database_has_differences_before_migrating(empty_engine: Engine) -> None:
    assert differences(empty_engine)


def test_migrating_an_empty_database_to_head_gives_exactly_the_schema_of_the_metadata(
    empty_engine: Engine,
) -> None:
    migrate(empty_engine)

    assert differences(empty_engine) == []
    assert revision(empty_engine) == head_revision()
    assert set(inspect(empty_engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    from edepot.catalog.sql import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_catalog_at_revision_0001_is_upgraded_to_head_with_an_empty_token_table(empty_engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import text

    from edepot.catalog.sql import alembic_config
    from edepot.catalog.tables import api_tokens

    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    assert revision(empty_engine) == "0001"
    assert "api_tokens" not in inspect(empty_engine).get_table_names()

    migrate(empty_engine)

    assert revision(empty_engine) == head_revision()
    columns = {c["name"] for c in inspect(empty_engine).get_columns("api_tokens")}
    assert columns == {c.name for c in api_tokens.columns}
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 0


def test_migrating_twice_changes_nothing_and_leaves_one_event_head_row(empty_engine: Engine) -> None:
    migrate(empty_engine)
    migrate(empty_engine)

    with empty_engine.connect() as conn:
        heads = conn.execute(select(event_head.c.id, event_head.c.seq)).all()
    assert [tuple(h) for h in heads] == [(1, 0)]
    assert differences(empty_engine) == []


def test_the_sqlite_engine_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    with engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30_000, "synchronous": 1}


def test_a_database_other_than_sqlite_or_postgresql_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="EDEPOT_DATABASE_URL"):
        create_engine_for("mysql+pymysql://edepot:geheim@db/edepot")


def test_a_sqlite_engine_not_made_by_create_engine_for_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="create_engine_for"):
        SqlCatalog(create_engine(f"sqlite:///{tmp_path / 'catalog.sqlite3'}"))
