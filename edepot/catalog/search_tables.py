"""The search part of the catalog's SQL schema, on the SAME MetaData as `edepot.catalog.tables`:
the index-sync state, one row per record the search index should hold. Migration 0005 creates it.

A row says which AIP version of the record is (to be) indexed, whether that is done (`status`:
wachtend, geindexeerd, mislukt), the access decision as last indexed (`openbaarheid`, the Woo
flag `published`, `public`), the day that decision changes by itself (`changes_on`, for the daily
opening of lapsed restrictions) and the retry bookkeeping of failures. No foreign keys to the
holdings tables: `rebuild-catalog` clears and refills those, and the next sync reconciles.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Table, Text, Uuid

from edepot.catalog.tables import UtcDateTime, metadata

search_index_state = Table(
    "search_index_state",
    metadata,
    Column("record_id", Uuid, primary_key=True),
    Column("aip_id", Uuid, nullable=False),
    Column("status", String(12), nullable=False),
    Column("openbaarheid", String(10), nullable=True),
    Column("published", Boolean, nullable=False),
    Column("public", Boolean, nullable=False),
    Column("changes_on", Date, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("indexed_at", UtcDateTime, nullable=True),
    Index(None, "status"),
    Index(None, "changes_on"),
)

SEARCH_TABLES = (search_index_state,)
