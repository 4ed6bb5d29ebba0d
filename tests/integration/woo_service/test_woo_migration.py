"""Migrations 0007 (Woo) and 0008 (sitemap entries) from an empty database and from the previous
revision, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from edepot.catalog.sql import alembic_config, create_engine_for, migrate
from edepot.catalog.woo_tables import WOO_TABLES

WOO = {t.name for t in WOO_TABLES}
SITEMAP_ENTRY = {"sitemap_categorie", "sitemap_fragment"}  # added to woo_documenten by 0008


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
        added = SITEMAP_ENTRY if table.name == "woo_documenten" else set()
        columns = {c["name"] for c in inspect(empty_engine).get_columns(table.name)}
        assert columns == {c.name for c in table.columns} - added


def test_downgrading_0007_removes_only_the_woo_tables(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")

    assert not set(inspect(empty_engine).get_table_names()) & WOO
    assert revision(empty_engine) == "0006"


def columns_of_documents(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("woo_documenten")}


def insert_published_document(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO woo_publicaties (id, officiele_titel, informatiecategorieen, verantwoordelijke, status,"
                " kenmerken, aangemaakt_op, aangemaakt_door, gewijzigd_op, revisie)"
                " VALUES ('pub-1', 'Besluit', '[]', 'GS', 'gepubliceerd', '[]', :t, 'redacteur', :t, 1)"
            ),
            {"t": "2025-03-04 10:00:00+00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO woo_documenten (id, publicatie_id, volgnummer, record_id, bestand_id, publiek_record_id,"
                " url, geredigeerd, metadata, gewijzigd_op)"
                " VALUES ('pub-1-1', 'pub-1', 1, :r, :b, :r, 'https://open.example/1.pdf', false, '{}', :t)"
            ),
            {
                "r": "00000000-0000-0000-0000-000000000001",
                "b": "00000000-0000-0000-0000-000000000002",
                "t": "2025-03-04 10:00:00+00:00",
            },
        )


def test_a_catalog_at_revision_0007_keeps_its_woo_documents_and_gets_an_empty_sitemap_entry_for_each(
    empty_engine: Engine,
) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
    insert_published_document(empty_engine)

    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")

    assert revision(empty_engine) == "0008"
    assert columns_of_documents(empty_engine) >= SITEMAP_ENTRY
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, url, sitemap_categorie, sitemap_fragment FROM woo_documenten")).all()
    assert [tuple(r) for r in rows] == [("pub-1-1", "https://open.example/1.pdf", None, None)]


def test_downgrading_0008_drops_only_the_sitemap_entry_and_keeps_the_documents(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
    insert_published_document(empty_engine)

    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")

    assert revision(empty_engine) == "0007"
    assert not SITEMAP_ENTRY & columns_of_documents(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM woo_documenten")).scalars().all() == ["pub-1-1"]
