"""Woo: publicaties, their documents, the redaction log and the sitemap state (edepot.catalog.woo_tables).

Revision ID: 0007
Revises: 0006
Create Date: 2025-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "woo_publicaties",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("officiele_titel", sa.Text(), nullable=False),
        sa.Column("informatiecategorieen", sa.JSON(), nullable=False),
        sa.Column("verantwoordelijke", sa.Text(), nullable=False),
        sa.Column("status", sa.String(14), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=True),
        sa.Column("kenmerken", sa.JSON(), nullable=False),
        _when("aangemaakt_op", False),
        sa.Column("aangemaakt_door", sa.Text(), nullable=False),
        _when("gewijzigd_op", False),
        _when("gepubliceerd_op", True),
        _when("ingetrokken_op", True),
        sa.Column("reden_intrekking", sa.Text(), nullable=True),
        sa.Column("reden_resource", sa.Text(), nullable=True),
        sa.Column("vervangen_door", sa.String(64), nullable=True),
        sa.Column("revisie", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_woo_publicaties"),
    )
    op.create_index("ix_woo_publicaties_status_aangemaakt_op", "woo_publicaties", ["status", "aangemaakt_op"])
    op.create_table(
        "woo_documenten",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("publicatie_id", sa.String(64), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("bestand_id", sa.Uuid(), nullable=False),
        sa.Column("gepubliceerd_record_id", sa.Uuid(), nullable=True),
        sa.Column("gepubliceerd_bestand_id", sa.Uuid(), nullable=True),
        sa.Column("publiek_record_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("geredigeerd", sa.Boolean(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        _when("gewijzigd_op", False),
        sa.ForeignKeyConstraint(
            ["publicatie_id"], ["woo_publicaties.id"], name="fk_woo_documenten_publicatie_id_woo_publicaties"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_woo_documenten"),
    )
    op.create_index("ix_woo_documenten_publicatie_id_volgnummer", "woo_documenten", ["publicatie_id", "volgnummer"])
    op.create_index("ix_woo_documenten_publiek_record_id", "woo_documenten", ["publiek_record_id"])
    op.create_index("ix_woo_documenten_url", "woo_documenten", ["url"])
    op.create_table(
        "woo_redacties",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("redactie", sa.Integer(), nullable=False),
        sa.Column("pagina", sa.Integer(), nullable=False),
        sa.Column("gebied", sa.JSON(), nullable=False),
        sa.Column("grond", sa.String(8), nullable=False),
        sa.Column("wie", sa.Text(), nullable=False),
        _when("wanneer", False),
        sa.Column("methode", sa.String(12), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["woo_documenten.id"], name="fk_woo_redacties_document_id_woo_documenten"
        ),
        sa.PrimaryKeyConstraint("document_id", "volgnummer", name="pk_woo_redacties"),
    )
    op.create_table(
        "woo_sitemap_bestanden",
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("soort", sa.String(8), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("lastmod", sa.String(40), nullable=True),
        sa.Column("urls", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("naam", name="pk_woo_sitemap_bestanden"),
    )


def downgrade() -> None:
    op.drop_table("woo_sitemap_bestanden")
    op.drop_table("woo_redacties")
    op.drop_index("ix_woo_documenten_url", table_name="woo_documenten")
    op.drop_index("ix_woo_documenten_publiek_record_id", table_name="woo_documenten")
    op.drop_index("ix_woo_documenten_publicatie_id_volgnummer", table_name="woo_documenten")
    op.drop_table("woo_documenten")
    op.drop_index("ix_woo_publicaties_status_aangemaakt_op", table_name="woo_publicaties")
    op.drop_table("woo_publicaties")
