"""Retention: facts per AIP, decisions, exclusions, postponements, proposal lists and items,
tombstones and verklaringen (edepot.catalog.retention_tables).

Revision ID: 0003
Revises: 0002
Create Date: 2025-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "retention_facts",
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("bron", sa.String(50), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("titel", sa.Text(), nullable=False),
        sa.Column("eigenschappen", sa.JSON(), nullable=False),
        sa.Column("mapping_hash", sa.String(64), nullable=False),
        sa.Column("revisie", sa.Integer(), nullable=False),
        sa.Column("categorie", sa.Text(), nullable=True),
        sa.Column("selectielijstklasse", sa.Text(), nullable=True),
        sa.Column("aanmaakdatum", sa.Date(), nullable=True),
        sa.Column("einddatum", sa.Date(), nullable=True),
        sa.Column("ander_datumkenmerk", sa.Date(), nullable=True),
        sa.Column("vaste_waardering", sa.String(1), nullable=True),
        sa.Column("invoer", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("aip_id", name="pk_retention_facts"),
    )
    op.create_table(
        "retention_decisions",
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("waardering", sa.String(1), nullable=False),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("reden", sa.Text(), nullable=False),
        _when("besloten_op", False),
        sa.Column("feiten_revisie", sa.Integer(), nullable=False),
        sa.Column("regels_hash", sa.String(64), nullable=False),
        sa.Column("revisie", sa.Integer(), nullable=False),
        sa.Column("geschreven", sa.Integer(), nullable=False),
        sa.Column("selectielijst", sa.Text(), nullable=True),
        sa.Column("versie", sa.Text(), nullable=True),
        sa.Column("categorie", sa.Text(), nullable=True),
        sa.Column("categorie_omschrijving", sa.Text(), nullable=True),
        sa.Column("bewaartermijn", sa.String(32), nullable=True),
        sa.Column("afleidingswijze", sa.String(40), nullable=True),
        sa.Column("brondatum", sa.Date(), nullable=True),
        sa.Column("termijnstart", sa.Date(), nullable=True),
        sa.Column("archiefactiedatum", sa.Date(), nullable=True),
        sa.Column("overbrengingsdatum", sa.Date(), nullable=True),
        sa.Column("uitgesteld", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("aip_id", name="pk_retention_decisions"),
    )
    op.create_index(
        "ix_retention_decisions_waardering_archiefactiedatum",
        "retention_decisions",
        ["waardering", "archiefactiedatum"],
    )
    op.create_index(
        "ix_retention_decisions_waardering_overbrengingsdatum",
        "retention_decisions",
        ["waardering", "overbrengingsdatum"],
    )
    op.create_table(
        "retention_exclusions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("soort", sa.String(40), nullable=False),
        sa.Column("reden", sa.Text(), nullable=False),
        sa.Column("door", sa.Text(), nullable=False),
        _when("op", False),
        sa.Column("opgeheven_door", sa.Text(), nullable=True),
        _when("opgeheven_op", True),
        sa.Column("opheffing_reden", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_retention_exclusions"),
    )
    op.create_index("ix_retention_exclusions_aip_id", "retention_exclusions", ["aip_id"])
    op.create_table(
        "retention_postponements",
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("archiefactiedatum", sa.Date(), nullable=False),
        sa.Column("reden", sa.Text(), nullable=False),
        sa.Column("door", sa.Text(), nullable=False),
        _when("op", False),
        sa.PrimaryKeyConstraint("aip_id", name="pk_retention_postponements"),
    )
    op.create_table(
        "retention_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("soort", sa.String(30), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _when("aangemaakt_op", False),
        sa.Column("aangemaakt_door", sa.Text(), nullable=False),
        sa.Column("peildatum", sa.Date(), nullable=False),
        sa.Column("revisie", sa.Integer(), nullable=False),
        _when("ingediend_op", True),
        sa.Column("ingediend_door", sa.Text(), nullable=True),
        _when("beoordeeld_op", True),
        sa.Column("beoordeeld_door", sa.Text(), nullable=True),
        sa.Column("goedgekeurde_revisie", sa.Integer(), nullable=True),
        sa.Column("reden", sa.Text(), nullable=True),
        _when("wachttijd_tot", True),
        _when("uitgevoerd_op", True),
        sa.PrimaryKeyConstraint("id", name="pk_retention_lists"),
    )
    op.create_index("ix_retention_lists_soort_status", "retention_lists", ["soort", "status"])
    op.create_table(
        "retention_list_items",
        sa.Column("lijst_id", sa.Uuid(), nullable=False),
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("titel", sa.Text(), nullable=False),
        sa.Column("selectielijst", sa.Text(), nullable=True),
        sa.Column("versie", sa.Text(), nullable=True),
        sa.Column("categorie", sa.Text(), nullable=True),
        sa.Column("waardering", sa.String(1), nullable=False),
        sa.Column("brondatum", sa.Date(), nullable=True),
        sa.Column("archiefactiedatum", sa.Date(), nullable=True),
        sa.Column("besluit_revisie", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reden", sa.Text(), nullable=True),
        sa.Column("door", sa.Text(), nullable=True),
        _when("op", True),
        _when("uitgevoerd_op", True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lijst_id"], ["retention_lists.id"], name="fk_retention_list_items_lijst_id_retention_lists"
        ),
        sa.PrimaryKeyConstraint("lijst_id", "aip_id", name="pk_retention_list_items"),
    )
    op.create_index("ix_retention_list_items_aip_id_status", "retention_list_items", ["aip_id", "status"])
    op.create_table(
        "retention_tombstones",
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("bron", sa.String(50), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("titel", sa.Text(), nullable=False),
        sa.Column("selectielijst", sa.Text(), nullable=True),
        sa.Column("versie", sa.Text(), nullable=True),
        sa.Column("categorie", sa.Text(), nullable=True),
        sa.Column("waardering", sa.String(1), nullable=False),
        sa.Column("brondatum", sa.Date(), nullable=True),
        sa.Column("archiefactiedatum", sa.Date(), nullable=True),
        sa.Column("lijst_id", sa.Uuid(), nullable=False),
        sa.Column("goedgekeurd_door", sa.Text(), nullable=False),
        _when("goedgekeurd_op", False),
        _when("vernietigd_op", False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("bestanden", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("opslag", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("aip_id", name="pk_retention_tombstones"),
    )
    op.create_index("ix_retention_tombstones_lijst_id", "retention_tombstones", ["lijst_id"])
    op.create_table(
        "retention_verklaringen",
        sa.Column("lijst_id", sa.Uuid(), nullable=False),
        sa.Column("soort", sa.String(30), nullable=False),
        _when("aangemaakt_op", False),
        sa.Column("aip_id", sa.Uuid(), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("csv_sha256", sa.String(64), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("locatie", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("lijst_id", name="pk_retention_verklaringen"),
    )


def downgrade() -> None:
    for table in (
        "retention_verklaringen",
        "retention_tombstones",
        "retention_list_items",
        "retention_lists",
        "retention_postponements",
        "retention_exclusions",
        "retention_decisions",
        "retention_facts",
    ):
        op.drop_table(table)
