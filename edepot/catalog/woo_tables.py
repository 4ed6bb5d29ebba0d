"""The Woo part of the catalog's SQL schema, on the SAME MetaData as `edepot.catalog.tables`:
publicaties, their documents, the redaction log and the sitemap files' state. Migration 0007
creates these tables; 0008 adds each document's sitemap entry (categorie and DiWoo fragment),
rendered once at publication so a sitemap run reads it instead of rebuilding the document.

No foreign keys to the holdings tables (`rebuild-catalog` clears and refills those); record and
bestand ids are kept as plain UUIDs. The index on the published record id serves the public
`Publications` questions (is this record published, why was it withdrawn).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text, Uuid

from edepot.catalog.tables import UtcDateTime, metadata

woo_publicaties = Table(
    "woo_publicaties",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("officiele_titel", Text, nullable=False),
    Column("informatiecategorieen", JSON, nullable=False),
    Column("verantwoordelijke", Text, nullable=False),
    Column("status", String(14), nullable=False),
    Column("omschrijving", Text, nullable=True),
    Column("kenmerken", JSON, nullable=False),
    Column("aangemaakt_op", UtcDateTime, nullable=False),
    Column("aangemaakt_door", Text, nullable=False),
    Column("gewijzigd_op", UtcDateTime, nullable=False),
    Column("gepubliceerd_op", UtcDateTime, nullable=True),
    Column("ingetrokken_op", UtcDateTime, nullable=True),
    Column("reden_intrekking", Text, nullable=True),
    Column("reden_resource", Text, nullable=True),
    Column("vervangen_door", String(64), nullable=True),
    Column("revisie", Integer, nullable=False),
    Index(None, "status", "aangemaakt_op"),
)

woo_documenten = Table(
    "woo_documenten",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("publicatie_id", String(64), ForeignKey("woo_publicaties.id"), nullable=False),
    Column("volgnummer", Integer, nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("bestand_id", Uuid, nullable=False),
    Column("gepubliceerd_record_id", Uuid, nullable=True),
    Column("gepubliceerd_bestand_id", Uuid, nullable=True),
    Column("publiek_record_id", Uuid, nullable=False),
    Column("url", Text, nullable=True),
    Column("geredigeerd", Boolean, nullable=False),
    Column("metadata", JSON, nullable=False),
    Column("gewijzigd_op", UtcDateTime, nullable=False),
    # migration 0008: the document's sitemap entry as rendered at publication (NULL: render it again)
    Column("sitemap_categorie", Text, nullable=True),
    Column("sitemap_fragment", LargeBinary, nullable=True),
    Index(None, "publicatie_id", "volgnummer"),
    Index(None, "publiek_record_id"),
    Index(None, "url"),
)

woo_redacties = Table(
    "woo_redacties",
    metadata,
    Column("document_id", String(64), ForeignKey("woo_documenten.id"), primary_key=True),
    Column("volgnummer", Integer, primary_key=True),
    Column("redactie", Integer, nullable=False),
    Column("pagina", Integer, nullable=False),
    Column("gebied", JSON, nullable=False),
    Column("grond", String(8), nullable=False),
    Column("wie", Text, nullable=False),
    Column("wanneer", UtcDateTime, nullable=False),
    Column("methode", String(12), nullable=False),
    Column("record_id", Uuid, nullable=False),
)

woo_sitemap_bestanden = Table(
    "woo_sitemap_bestanden",
    metadata,
    Column("naam", String(200), primary_key=True),
    Column("soort", String(8), nullable=False),  # sitemap | index
    Column("digest", String(64), nullable=False),
    Column("lastmod", String(40), nullable=True),
    Column("urls", JSON, nullable=False),  # [[loc, volgorde0, volgorde1, lastmod, digest, grootte], ...]
)

WOO_TABLES = (woo_publicaties, woo_documenten, woo_redacties, woo_sitemap_bestanden)
