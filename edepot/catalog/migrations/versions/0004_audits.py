"""Storage copies per AIP, fixity-audit runs and checks (edepot.catalog.audit_tables).

Revision ID: 0004
Revises: 0003
Create Date: 2025-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "aip_copies",
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("store", sa.String(100), nullable=False),
        _when("verified_at", True),
        _when("checked_at", False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("aip_id", "store", name="pk_aip_copies"),
    )
    op.create_index("ix_aip_copies_store_verified_at", "aip_copies", ["store", "verified_at"])
    op.create_table(
        "audit_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(60), nullable=False),
        _when("started_at", False),
        _when("finished_at", True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("software", sa.String(40), nullable=False),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_runs"),
    )
    op.create_index("ix_audit_runs_started_at", "audit_runs", ["started_at"])
    op.create_table(
        "audit_checks",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("store", sa.String(100), nullable=False),
        _when("checked_at", False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["audit_runs.id"], name="fk_audit_checks_run_id_audit_runs"),
        sa.PrimaryKeyConstraint("run_id", "aip_id", "store", name="pk_audit_checks"),
    )
    op.create_index("ix_audit_checks_checked_at", "audit_checks", ["checked_at"])


def downgrade() -> None:
    for table in ("audit_checks", "audit_runs", "aip_copies"):
        op.drop_table(table)
