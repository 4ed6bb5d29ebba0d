"""Woo: each published document keeps its sitemap entry (categorie and DiWoo fragment).

A sitemap run then reads the rendered `diwoo:Document` of a document in bulk instead of rebuilding
the document from its metadata JSON and its publicatie. Existing rows get NULL: the service renders
those again, so nothing needs backfilling here.

Revision ID: 0008
Revises: 0007
Create Date: 2025-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("woo_documenten") as batch:
        batch.add_column(sa.Column("sitemap_categorie", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sitemap_fragment", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("woo_documenten") as batch:
        batch.drop_column("sitemap_fragment")
        batch.drop_column("sitemap_categorie")
