"""The storage-copy and fixity-audit part of the catalog's SQL schema, on the SAME MetaData as
`edepot.catalog.tables`: one row per AIP copy (`aip_copies`), audit runs and the check of every
AIP copy per run. Migration 0004 creates exactly these tables.

No foreign keys to the holdings tables: `rebuild-catalog` clears and refills those (keeping AIP
ids), and the audit history outlives a destroyed AIP.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, Uuid

from edepot.catalog.tables import UtcDateTime, metadata

# One row per AIP per store that holds a copy of it.
aip_copies = Table(
    "aip_copies",
    metadata,
    Column("aip_id", Uuid, primary_key=True),
    Column("store", String(100), primary_key=True),
    Column("verified_at", UtcDateTime, nullable=True),  # last time every object matched the ledger
    Column("checked_at", UtcDateTime, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("objects", Integer, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Index(None, "store", "verified_at"),
)

audit_runs = Table(
    "audit_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("scope", String(60), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("status", String(20), nullable=False),
    Column("software", String(40), nullable=False),
    Column("agent", Text, nullable=False),
    Column("summary", JSON, nullable=False),
    Index(None, "started_at"),
)

# The check of one AIP copy in one run, with its problems per object.
audit_checks = Table(
    "audit_checks",
    metadata,
    Column("run_id", Uuid, ForeignKey("audit_runs.id"), primary_key=True),
    Column("aip_id", Uuid, primary_key=True),
    Column("store", String(100), primary_key=True),
    Column("checked_at", UtcDateTime, nullable=False),
    Column("objects", Integer, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("problems", JSON, nullable=False),
    Index(None, "checked_at"),
)
