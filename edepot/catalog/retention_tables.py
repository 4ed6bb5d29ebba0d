"""The retention part of the catalog's SQL schema, on the SAME MetaData as `edepot.catalog.tables`:
facts per AIP, decisions, exclusions (legal holds ...), postponements, proposal lists with their
items, tombstones and verklaringen. Migration 0003 creates exactly these tables.

No foreign keys to the holdings tables (aips, records): `rebuild-catalog` clears and refills
those, and a tombstone outlives its AIP. Dates are `Date` columns (ISO strings on SQLite, so
comparisons stay correct); datetimes use the catalog's `UtcDateTime`.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, Uuid

from edepot.catalog.tables import UtcDateTime, metadata

# What the mapping layer read from an AIP's metadata (raw `eigenschappen`) and mapped to engine inputs.
retention_facts = Table(
    "retention_facts",
    metadata,
    Column("aip_id", Uuid, primary_key=True),
    Column("record_id", Uuid, nullable=True),
    Column("bron", String(50), nullable=False),
    Column("source_key", Text, nullable=False),
    Column("titel", Text, nullable=False),
    Column("eigenschappen", JSON, nullable=False),
    Column("mapping_hash", String(64), nullable=False),
    Column("revisie", Integer, nullable=False),
    Column("categorie", Text, nullable=True),
    Column("selectielijstklasse", Text, nullable=True),
    Column("aanmaakdatum", Date, nullable=True),
    Column("einddatum", Date, nullable=True),
    Column("ander_datumkenmerk", Date, nullable=True),
    Column("vaste_waardering", String(1), nullable=True),
    Column("invoer", JSON, nullable=False),
)

retention_decisions = Table(
    "retention_decisions",
    metadata,
    Column("aip_id", Uuid, primary_key=True),
    Column("record_id", Uuid, nullable=True),
    Column("waardering", String(1), nullable=False),
    Column("code", String(60), nullable=False),
    Column("reden", Text, nullable=False),
    Column("besloten_op", UtcDateTime, nullable=False),
    Column("feiten_revisie", Integer, nullable=False),
    Column("regels_hash", String(64), nullable=False),
    Column("revisie", Integer, nullable=False),
    Column("geschreven", Integer, nullable=False),
    Column("selectielijst", Text, nullable=True),
    Column("versie", Text, nullable=True),
    Column("categorie", Text, nullable=True),
    Column("categorie_omschrijving", Text, nullable=True),
    Column("bewaartermijn", String(32), nullable=True),
    Column("afleidingswijze", String(40), nullable=True),
    Column("brondatum", Date, nullable=True),
    Column("termijnstart", Date, nullable=True),
    Column("archiefactiedatum", Date, nullable=True),
    Column("overbrengingsdatum", Date, nullable=True),
    Column("uitgesteld", Boolean, nullable=False),
    Index(None, "waardering", "archiefactiedatum"),
    Index(None, "waardering", "overbrengingsdatum"),
)

retention_exclusions = Table(
    "retention_exclusions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("aip_id", Uuid, nullable=False),
    Column("soort", String(40), nullable=False),
    Column("reden", Text, nullable=False),
    Column("door", Text, nullable=False),
    Column("op", UtcDateTime, nullable=False),
    Column("opgeheven_door", Text, nullable=True),
    Column("opgeheven_op", UtcDateTime, nullable=True),
    Column("opheffing_reden", Text, nullable=True),
    Index(None, "aip_id"),
)

retention_postponements = Table(
    "retention_postponements",
    metadata,
    Column("aip_id", Uuid, primary_key=True),
    Column("archiefactiedatum", Date, nullable=False),
    Column("reden", Text, nullable=False),
    Column("door", Text, nullable=False),
    Column("op", UtcDateTime, nullable=False),
)

retention_lists = Table(
    "retention_lists",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("soort", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("aangemaakt_op", UtcDateTime, nullable=False),
    Column("aangemaakt_door", Text, nullable=False),
    Column("peildatum", Date, nullable=False),
    Column("revisie", Integer, nullable=False),
    Column("ingediend_op", UtcDateTime, nullable=True),
    Column("ingediend_door", Text, nullable=True),
    Column("beoordeeld_op", UtcDateTime, nullable=True),
    Column("beoordeeld_door", Text, nullable=True),
    Column("goedgekeurde_revisie", Integer, nullable=True),
    Column("reden", Text, nullable=True),
    Column("wachttijd_tot", UtcDateTime, nullable=True),
    Column("uitgevoerd_op", UtcDateTime, nullable=True),
    Index(None, "soort", "status"),
)

retention_list_items = Table(
    "retention_list_items",
    metadata,
    Column("lijst_id", Uuid, ForeignKey("retention_lists.id"), primary_key=True),
    Column("aip_id", Uuid, primary_key=True),
    Column("record_id", Uuid, nullable=True),
    Column("source_key", Text, nullable=False),
    Column("titel", Text, nullable=False),
    Column("selectielijst", Text, nullable=True),
    Column("versie", Text, nullable=True),
    Column("categorie", Text, nullable=True),
    Column("waardering", String(1), nullable=False),
    Column("brondatum", Date, nullable=True),
    Column("archiefactiedatum", Date, nullable=True),
    Column("besluit_revisie", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("reden", Text, nullable=True),
    Column("door", Text, nullable=True),
    Column("op", UtcDateTime, nullable=True),
    Column("uitgevoerd_op", UtcDateTime, nullable=True),
    Column("detail", JSON, nullable=False),
    Index(None, "aip_id", "status"),
)

retention_tombstones = Table(
    "retention_tombstones",
    metadata,
    Column("aip_id", Uuid, primary_key=True),
    Column("record_id", Uuid, nullable=True),
    Column("bron", String(50), nullable=False),
    Column("source_key", Text, nullable=False),
    Column("titel", Text, nullable=False),
    Column("selectielijst", Text, nullable=True),
    Column("versie", Text, nullable=True),
    Column("categorie", Text, nullable=True),
    Column("waardering", String(1), nullable=False),
    Column("brondatum", Date, nullable=True),
    Column("archiefactiedatum", Date, nullable=True),
    Column("lijst_id", Uuid, nullable=False),
    Column("goedgekeurd_door", Text, nullable=False),
    Column("goedgekeurd_op", UtcDateTime, nullable=False),
    Column("vernietigd_op", UtcDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("bestanden", Integer, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("opslag", JSON, nullable=False),
    Index(None, "lijst_id"),
)

retention_verklaringen = Table(
    "retention_verklaringen",
    metadata,
    Column("lijst_id", Uuid, primary_key=True),
    Column("soort", String(30), nullable=False),
    Column("aangemaakt_op", UtcDateTime, nullable=False),
    Column("aip_id", Uuid, nullable=True),
    Column("pdf_sha256", String(64), nullable=False),
    Column("csv_sha256", String(64), nullable=False),
    Column("items", Integer, nullable=False),
    Column("locatie", Text, nullable=True),
)

RETENTION_TABLES = (
    retention_facts,
    retention_decisions,
    retention_exclusions,
    retention_postponements,
    retention_lists,
    retention_list_items,
    retention_tombstones,
    retention_verklaringen,
)
