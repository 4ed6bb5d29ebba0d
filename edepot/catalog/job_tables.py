"""The jobs table (background work: ingest per source, audit, indexing, retention, publication), on
the SAME MetaData as `edepot.catalog.tables`. Migration 0006 creates exactly this table.

Indices serve the hot queries: the open jobs of a queue (back-pressure on every submission), the
jobs of a status in age order (`edepot jobs list --status dead`, the dead-letter list) and the
idempotency key (unique: one batch is one job, whoever submits it how often).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, Uuid

from edepot.catalog.tables import UtcDateTime, metadata

jobs = Table(
    "jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("queue", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("worker", Text, nullable=True),
    Column("result", JSON, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Index(None, "idempotency_key", unique=True),
    Index(None, "queue", "status"),
    Index(None, "status", "created_at"),
)
