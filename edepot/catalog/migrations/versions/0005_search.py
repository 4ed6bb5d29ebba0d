"""Search: the index-sync state per record (edepot.catalog.search_tables).

Revision ID: 0005
Revises: 0004
Create Date: 2025-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_index_state",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("aip_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("openbaarheid", sa.String(10), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("changes_on", sa.Date(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("record_id", name="pk_search_index_state"),
    )
    op.create_index("ix_search_index_state_status", "search_index_state", ["status"])
    op.create_index("ix_search_index_state_changes_on", "search_index_state", ["changes_on"])


def downgrade() -> None:
    op.drop_index("ix_search_index_state_changes_on", table_name="search_index_state")
    op.drop_index("ix_search_index_state_status", table_name="search_index_state")
    op.drop_table("search_index_state")
