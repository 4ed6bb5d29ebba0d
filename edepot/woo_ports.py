"""The Woo feature's persistence port: publicaties with their documents (stukken), the redaction
log and the sitemap state, as `WooCatalog` (a `typing.Protocol`) with plain row types.

A `PublicatieRij` is one publicatie as edepot keeps it (the DiWoo fields shared by its documents,
status and who/when); a `StukRij` is one of its documents: which e-depot record and bestand it
publishes, the record and bestand actually served to the public (the redacted version, once
there is one), its own DiWoo metadata as JSON (`edepot.woo_metadata`) and the https URL it is
published at. Status changes are made by the service through `PUBLICATIE_TRANSITIONS`; the
catalog only refuses a save against a stale `revisie` (optimistic concurrency).

Sitemap runs are serialised by `sitemaps_exclusief()` (a lease of `edepot.leases`: an advisory lock
on PostgreSQL, `flock` beside a SQLite database, a thread lock in memory), dropped when its holder dies.

Adapters: `edepot.catalog.woo_sql.SqlWooCatalog` (SQLite/PostgreSQL, migrations 0007-0008) and
`edepot.catalog.woo_memory.InMemoryWooCatalog`; one contract test runs against both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from edepot.errors import Conflict, NotFound
from edepot.woo.model import PublicatieStatus, Verantwoordelijke
from edepot.woo.sitemaps import SitemapState


@dataclass(frozen=True)
class PublicatieRij:
    id: str
    officiele_titel: str
    informatiecategorieen: tuple[str, ...]
    verantwoordelijke: Verantwoordelijke
    status: PublicatieStatus
    aangemaakt_op: datetime
    aangemaakt_door: str
    gewijzigd_op: datetime
    omschrijving: str | None = None
    kenmerken: tuple[str, ...] = ()
    gepubliceerd_op: datetime | None = None
    ingetrokken_op: datetime | None = None
    reden_intrekking: str | None = None  # as the 410 page shows it: label of the reason + toelichting
    reden_resource: str | None = None  # TOOI redenVerwijderingVervanging resource
    vervangen_door: str | None = None  # the publicatie that replaces this one
    revisie: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "officiele_titel": self.officiele_titel,
            "informatiecategorieen": list(self.informatiecategorieen),
            "verantwoordelijke": str(self.verantwoordelijke),
            "status": str(self.status),
            "omschrijving": self.omschrijving,
            "kenmerken": list(self.kenmerken),
            "aangemaakt_op": self.aangemaakt_op.isoformat(),
            "aangemaakt_door": self.aangemaakt_door,
            "gewijzigd_op": self.gewijzigd_op.isoformat(),
            "gepubliceerd_op": self.gepubliceerd_op.isoformat() if self.gepubliceerd_op else None,
            "ingetrokken_op": self.ingetrokken_op.isoformat() if self.ingetrokken_op else None,
            "reden_intrekking": self.reden_intrekking,
            "reden_resource": self.reden_resource,
            "vervangen_door": self.vervangen_door,
            "revisie": self.revisie,
        }


@dataclass(frozen=True)
class StukRij:
    id: str
    publicatie_id: str
    volgnummer: int
    record_id: UUID  # the e-depot record (the original)
    bestand_id: UUID  # its file that is published (or redacted)
    metadata: Mapping[str, Any]  # DiWoo fields of this document (edepot.woo_metadata)
    gewijzigd_op: datetime  # last change of file or metadata: the sitemap lastmod
    gepubliceerd_record_id: UUID | None = None  # the redacted record, once there is one
    gepubliceerd_bestand_id: UUID | None = None
    url: str | None = None  # https URL of the published file: the sitemap loc
    geredigeerd: bool = False
    # its sitemap entry as rendered at publication (`WooService`), None when not (yet) rendered
    sitemap_categorie: str | None = None
    sitemap_fragment: bytes | None = None

    @property
    def publiek_record_id(self) -> UUID:
        """The record the public gets: the redacted version when there is one, else the original."""
        return self.gepubliceerd_record_id or self.record_id

    @property
    def publiek_bestand_id(self) -> UUID:
        return self.gepubliceerd_bestand_id or self.bestand_id

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "publicatie_id": self.publicatie_id,
            "volgnummer": self.volgnummer,
            "record_id": str(self.record_id),
            "bestand_id": str(self.bestand_id),
            "gepubliceerd_record_id": str(self.gepubliceerd_record_id) if self.gepubliceerd_record_id else None,
            "gepubliceerd_bestand_id": str(self.gepubliceerd_bestand_id) if self.gepubliceerd_bestand_id else None,
            "url": self.url,
            "geredigeerd": self.geredigeerd,
            "gewijzigd_op": self.gewijzigd_op.isoformat(),
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True)
class SitemapRegel:
    """What a sitemap run needs of one published document: its url, change time, the categorie and
    first publication that place it, and its DiWoo fragment (None when it was never rendered)."""

    url: str
    gewijzigd_op: datetime
    gepubliceerd_op: datetime | None
    categorie: str | None
    fragment: bytes | None


@dataclass(frozen=True)
class RedactieRij:
    """One redacted area of the redaction log (never the redacted text itself)."""

    document_id: str
    volgnummer: int  # order within the document's log
    redactie: int  # index of the redaction as it was asked for
    pagina: int
    gebied: tuple[float, float, float, float]
    grond: str
    wie: str
    wanneer: datetime
    methode: str
    record_id: UUID  # the redacted record this produced
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "volgnummer": self.volgnummer,
            "redactie": self.redactie,
            "pagina": self.pagina,
            "gebied": list(self.gebied),
            "grond": self.grond,
            "wie": self.wie,
            "wanneer": self.wanneer.isoformat(),
            "methode": self.methode,
            "record_id": str(self.record_id),
        }


class WooCatalog(Protocol):
    def add_publicatie(self, publicatie: PublicatieRij, stukken: Sequence[StukRij]) -> None:
        """Store a new publicatie with its documents (all or nothing); Conflict if the id exists."""
        ...

    def get_publicatie(self, publicatie_id: str) -> PublicatieRij: ...

    def publicaties(
        self, *, status: PublicatieStatus | None = None, limit: int = 100, offset: int = 0
    ) -> list[PublicatieRij]:
        """Newest first."""
        ...

    def stukken(self, publicatie_id: str) -> list[StukRij]:
        """The publicatie's documents in volgnummer order."""
        ...

    def get_stuk(self, document_id: str) -> StukRij: ...

    def stuk_met_url(self, url: str) -> StukRij | None: ...

    def save(self, publicatie: PublicatieRij, stukken: Sequence[StukRij], *, revisie: int) -> PublicatieRij:
        """Write the publicatie and its documents if its stored revisie is still `revisie`; the
        stored row gets revisie + 1 (returned). Conflict when someone changed it meanwhile."""
        ...

    def gepubliceerde_stukken(self) -> list[StukRij]:
        """Every document of every publicatie in status gepubliceerd."""
        ...

    def gepubliceerde_urls(self) -> dict[str, datetime]:
        """url -> gewijzigd_op of every published document (two narrow columns: what a sitemap run
        compares with its state to find what changed)."""
        ...

    def stukken_met_urls(self, urls: Sequence[str]) -> list[StukRij]:
        """The published documents at these urls (any order; unknown or unpublished urls are left out)."""
        ...

    def sitemap_regels(self, urls: Sequence[str] | None = None) -> list[SitemapRegel]:
        """The sitemap entries of the published documents at these urls (all published documents
        when None), in any order; unknown or unpublished urls are left out. One bulk read: no
        metadata JSON, no publicatie rows."""
        ...

    def publicaties_met_ids(self, ids: Iterable[str]) -> dict[str, PublicatieRij]:
        """id -> publicatie for those of `ids` that exist (one bulk read)."""
        ...

    def published_record_ids(self) -> frozenset[UUID]: ...

    def gepubliceerde_categorieen(self, record_ids: Iterable[UUID]) -> dict[UUID, tuple[str, ...]]:
        """Of these records, those the public gets from a published publicatie, each with the
        informatiecategorieën (TOOI resources) it is published under: its document's own, else
        the publicatie's; a record published twice has the categories of both."""
        ...

    def withdrawal(self, record_id: UUID) -> str | None:
        """The reason shown when the public asks for a record whose publicatie was withdrawn."""
        ...

    def add_redacties(self, regels: Iterable[RedactieRij]) -> None: ...

    def redacties(self, document_id: str) -> list[RedactieRij]: ...

    def sitemap_state(self) -> SitemapState: ...

    def save_sitemap_state(self, vorige: SitemapState, nieuw: SitemapState) -> None:
        """Store `nieuw`; only the files that differ from `vorige` are written or deleted."""
        ...

    def sitemaps_exclusief(self) -> AbstractContextManager[None]:
        """Held by one sitemap run at a time across every process sharing this catalog, from reading
        the state to saving the next one (so no run saves a state computed from an older one)."""
        ...


SITEMAP_LEASE = "woo:sitemaps"


def publicatie_not_found(publicatie_id: str) -> NotFound:
    return NotFound(
        f"publicatie {publicatie_id!r} does not exist",
        hint="list the publicaties with `edepot woo list` or GET /api/v1/woo/publicaties",
        publicatie=publicatie_id,
    )


def stuk_not_found(document_id: str) -> NotFound:
    return NotFound(
        f"Woo document {document_id!r} does not exist",
        hint="show the publicatie to see its documents' ids",
        document=document_id,
    )


def stale(publicatie_id: str, revisie: int, actual: int) -> Conflict:
    return Conflict(
        f"publicatie {publicatie_id} changed meanwhile (revisie {actual}, expected {revisie})",
        hint="show it again and repeat the change",
        publicatie=publicatie_id,
    )


def bestand_wijzigingen(vorige: SitemapState, nieuw: SitemapState) -> tuple[list[Any], list[str]]:
    """(BestandState rows to write, names to delete) between two states, with their kind."""
    schrijven: list[Any] = []
    weg: list[str] = []
    for soort, oud, nu in (("sitemap", vorige.sitemaps, nieuw.sitemaps), ("index", vorige.indexen, nieuw.indexen)):
        for naam, bestand in nu.items():
            if oud.get(naam) != bestand:
                schrijven.append((soort, bestand))
        weg += [naam for naam in oud if naam not in nu]
    return schrijven, weg
