"""The initial catalog: submissions, AIPs, records, the fixity ledger, events and the event head.

Revision ID: 0001
Revises:
Create Date: 2025-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
    )
    op.create_table(
        "aips",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=True),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_aips"),
    )
    op.create_index("ix_aips_source_source_key_version", "aips", ["source", "source_key", "version"], unique=True)
    op.create_index("ix_aips_status", "aips", ["status"])
    op.create_table(
        "records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("naam", sa.Text(), nullable=False),
        sa.Column("aggregatieniveau", sa.String(20), nullable=False),
        sa.Column("kenmerk", sa.Text(), nullable=False),
        sa.Column("bron", sa.Text(), nullable=False),
        sa.Column("waardering", sa.String(1), nullable=False),
        sa.Column("beperking_code", sa.Text(), nullable=True),
        sa.Column("beperking_label", sa.Text(), nullable=False),
        sa.Column("dekking_begin", sa.String(32), nullable=True),
        sa.Column("dekking_eind", sa.String(32), nullable=True),
        sa.Column("sidecar_path", sa.Text(), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["aip_id"], ["aips.id"], name="fk_records_aip_id_aips"),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
    )
    op.create_index("ix_records_aip_id", "records", ["aip_id"])
    op.create_table(
        "files",
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("bestand_id", sa.Uuid(), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("puid", sa.String(32), nullable=True),
        sa.Column("mime", sa.Text(), nullable=True),
        sa.Column("original_path", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["aip_id"], ["aips.id"], name="fk_files_aip_id_aips"),
        sa.PrimaryKeyConstraint("aip_id", "path", name="pk_files"),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
    )
    op.create_index("ix_events_object_id", "events", ["object_id"])
    head = op.create_table(
        "event_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_event_head_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_event_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def downgrade() -> None:
    for table in ("event_head", "events", "files", "records", "aips", "submissions"):
        op.drop_table(table)
