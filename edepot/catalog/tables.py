"""The catalog's SQL schema (SQLAlchemy Core): submissions, AIPs, records, the fixity ledger, API tokens and
the hash-chained event log with its head.

This metadata is the target the Alembic migrations must reproduce exactly (a test compares them).
Datetimes are stored in UTC and always come back timezone-aware; UUIDs use `sqlalchemy.Uuid`
(native on PostgreSQL, 32 hex characters on SQLite).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: give a timezone-aware datetime")
        utc = value.astimezone(UTC)
        # SQLite has no time zones: store the UTC wall time; it is read back as UTC
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source", String(50), nullable=False),
    Column("location", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("report", JSON, nullable=False),
)

# submission_id and previous_id carry no foreign key: rebuild-catalog restores AIPs from storage
# in any order and without their submissions.
aips = Table(
    "aips",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source", String(50), nullable=False),
    Column("source_key", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("title", Text, nullable=False),
    Column("submission_id", Uuid, nullable=True),
    Column("previous_id", Uuid, nullable=True),
    Column("stored_at", UtcDateTime, nullable=True),
    Index(None, "source", "source_key", "version", unique=True),
    Index(None, "status"),
)

records = Table(
    "records",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("aip_id", Uuid, ForeignKey("aips.id"), nullable=False),
    Column("parent_id", Uuid, nullable=True),
    Column("naam", Text, nullable=False),
    Column("aggregatieniveau", String(20), nullable=False),
    Column("kenmerk", Text, nullable=False),
    Column("bron", Text, nullable=False),
    Column("waardering", String(1), nullable=False),
    Column("beperking_code", Text, nullable=True),
    Column("beperking_label", Text, nullable=False),
    Column("dekking_begin", String(32), nullable=True),
    Column("dekking_eind", String(32), nullable=True),
    Column("sidecar_path", Text, nullable=False),
    Column("omschrijving", Text, nullable=True),
    Index(None, "aip_id"),
)

# The fixity ledger. Its primary key (aip_id, path) also serves lookups by aip_id.
files = Table(
    "files",
    metadata,
    Column("aip_id", Uuid, ForeignKey("aips.id"), primary_key=True),
    Column("path", Text, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("bestand_id", Uuid, nullable=True),
    Column("record_id", Uuid, nullable=True),
    Column("puid", String(32), nullable=True),
    Column("mime", Text, nullable=True),
    Column("original_path", Text, nullable=True),
)

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", Text, nullable=False),
    Column("agent", Text, nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("time", UtcDateTime, nullable=False),
    Column("object_id", Text, nullable=True),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "object_id"),
)

# Exactly one row (id 1), created by the first migration with seq 0 and the genesis hash; it is
# locked by every append so that concurrent writers never fork the chain.
event_head = Table(
    "event_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

HEAD_ID = 1

# API tokens of service accounts (edepot.auth.tokens): only the SHA-256 of the secret is stored.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
)
