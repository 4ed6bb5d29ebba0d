"""The retention workflow as plain values: decisions as stored, exclusions, proposal lists and their
items, tombstones and verklaringen, with their statuses and the ONE transition table of each. Pure.

A proposal list (vernietigingslijst or overbrengingslijst) moves

    concept -> ter beoordeling -> goedgekeurd (by the archivaris) -> wachttijd -> uitgevoerd
                               \\-> afgewezen (a reason per item) -> concept (reworked) ...

and can be cancelled (geannuleerd) until its first item is executed. Its items move from
voorgesteld to verwijderd (removed, with a reason and a new archiefactiedatum), afgewezen (by the
archivaris, with a reason), bezig (execution started: the intent is recorded before anything is
deleted), uitgevoerd, wacht (a store still protects an object; retried by the next execution) or
geblokkeerd (the recheck right before acting failed: a hold, a changed decision, a later date).
`edepot.model.advance` is the only way to change either status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from edepot.selectielijst import Waardering


class LijstSoort(StrEnum):
    VERNIETIGING = "vernietigingslijst"
    OVERBRENGING = "overbrengingslijst"


class LijstStatus(StrEnum):
    CONCEPT = "concept"
    TER_BEOORDELING = "ter beoordeling"
    GOEDGEKEURD = "goedgekeurd"
    AFGEWEZEN = "afgewezen"
    WACHTTIJD = "wachttijd"
    UITGEVOERD = "uitgevoerd"
    GEANNULEERD = "geannuleerd"


LIJST_TRANSITIONS: dict[LijstStatus, frozenset[LijstStatus]] = {
    LijstStatus.CONCEPT: frozenset({LijstStatus.TER_BEOORDELING, LijstStatus.GEANNULEERD}),
    LijstStatus.TER_BEOORDELING: frozenset({LijstStatus.GOEDGEKEURD, LijstStatus.AFGEWEZEN, LijstStatus.GEANNULEERD}),
    LijstStatus.AFGEWEZEN: frozenset({LijstStatus.CONCEPT, LijstStatus.GEANNULEERD}),
    LijstStatus.GOEDGEKEURD: frozenset({LijstStatus.WACHTTIJD, LijstStatus.GEANNULEERD}),
    LijstStatus.WACHTTIJD: frozenset({LijstStatus.UITGEVOERD, LijstStatus.GEANNULEERD}),
    LijstStatus.UITGEVOERD: frozenset(),
    LijstStatus.GEANNULEERD: frozenset(),
}

OPEN_LIJST = frozenset(
    {
        LijstStatus.CONCEPT,
        LijstStatus.TER_BEOORDELING,
        LijstStatus.AFGEWEZEN,
        LijstStatus.GOEDGEKEURD,
        LijstStatus.WACHTTIJD,
    }
)


class ItemStatus(StrEnum):
    VOORGESTELD = "voorgesteld"
    VERWIJDERD = "verwijderd"
    AFGEWEZEN = "afgewezen"
    BEZIG = "bezig"
    UITGEVOERD = "uitgevoerd"
    WACHT = "wacht"
    GEBLOKKEERD = "geblokkeerd"


ITEM_TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.VOORGESTELD: frozenset(
        {ItemStatus.VERWIJDERD, ItemStatus.AFGEWEZEN, ItemStatus.BEZIG, ItemStatus.GEBLOKKEERD}
    ),
    ItemStatus.AFGEWEZEN: frozenset({ItemStatus.VOORGESTELD, ItemStatus.VERWIJDERD}),
    ItemStatus.BEZIG: frozenset({ItemStatus.UITGEVOERD, ItemStatus.WACHT}),
    ItemStatus.WACHT: frozenset({ItemStatus.BEZIG, ItemStatus.VERWIJDERD, ItemStatus.GEBLOKKEERD}),
    ItemStatus.UITGEVOERD: frozenset(),
    ItemStatus.VERWIJDERD: frozenset(),
    ItemStatus.GEBLOKKEERD: frozenset(),
}

# items that keep their AIP "on a list": it is not proposed again while one exists on an open list
OPEN_ITEM = frozenset({ItemStatus.VOORGESTELD, ItemStatus.AFGEWEZEN, ItemStatus.BEZIG, ItemStatus.WACHT})
# items that still have to be executed before the list is done
TE_DOEN = frozenset({ItemStatus.VOORGESTELD, ItemStatus.BEZIG, ItemStatus.WACHT})


class UitsluitingSoort(StrEnum):
    """Why a record may not be destroyed or transferred now."""

    LEGAL_HOLD = "legal hold"
    WOO_VERZOEK = "woo-verzoek"  # a pending request under the Wet open overheid
    PROCEDURE = "bezwaar/beroep/procedure"
    HOTSPOT = "hotspot"
    ONBEKENDE_CATEGORIE = "onbekende categorie"  # placed and lifted by the nightly job itself


@dataclass(frozen=True)
class Feiten:
    """What the nightly job knows of one AIP (the unit of appraisal), as mapped from its metadata.

    `eigenschappen` holds the raw properties read once from the bag (classificatie, bag-info,
    dekking in tijd, events), so a changed mapping is re-applied without reading storage again.
    `revisie` grows whenever the mapped values change; a decision remembers the revisie it used.
    """

    aip_id: UUID
    record_id: UUID | None
    bron: str
    source_key: str
    titel: str
    eigenschappen: dict[str, Any]
    mapping_hash: str
    revisie: int = 1
    categorie: str | None = None
    selectielijstklasse: str | None = None
    aanmaakdatum: date | None = None
    einddatum: date | None = None
    ander_datumkenmerk: date | None = None
    vaste_waardering: str | None = None  # from the mapping, for records kept by law (verklaringen)
    invoer: dict[str, Any] = field(default_factory=dict)  # further engine inputs (besluiten, eigenschappen, ...)


@dataclass(frozen=True)
class Groep:
    """AIPs awaiting a decision whose engine inputs are equal as far as the engine uses them: the same
    source, category and klasse, no further `invoer`, no fixed waardering, no postponement, a creation
    date (not after today) in the same `tijdvak` (the stretch between two consecutive `grenzen`, the
    days on which a list version starts or stops applying, so the same list versions are in force),
    and the same `datumsleutel` of the einddatum and of the ander_datumkenmerk (see
    `retention.datumgebruik`). One engine call, for `einddatum`/`ander_datumkenmerk` (the group's
    earliest), decides the whole group; when a date is used by its year only, each AIP gets its own
    date as brondatum (also in the reason) and the rest of the group's decision.

    Without a `gebruik` the catalog groups coarsely (dates not in the key): those groups say which
    categories the engine must be asked about."""

    bron: str
    categorie: str | None
    selectielijstklasse: str | None
    einddatum: date | None
    ander_datumkenmerk: date | None
    tijdvak: int
    eerste: date  # the earliest creation date in the group
    laatste: date  # the latest
    aantal: int
    eind_sleutel: str = ""
    ander_sleutel: str = ""

    def grof(self) -> Grofsleutel:
        return (self.bron, self.categorie or "", self.selectielijstklasse or "", self.tijdvak)

    def sleutel(self) -> tuple[object, ...]:
        return (*self.grof(), self.eind_sleutel, self.ander_sleutel)


Grofsleutel = tuple[str, str, str, int]  # bron, categorie or "", klasse or "", tijdvak


def datumsleutel(waarde: date | None, gebruik: str) -> str:
    """The part of a date that a decision uses (`gebruik` a `retention.Datumgebruik`): "" when none."""
    if waarde is None or gebruik == "niet":
        return ""
    if gebruik == "jaar":
        return f"{waarde.year:04d}"
    return waarde.isoformat()


def brondatum_veld(gebruik: tuple[str, str]) -> str | None:
    """The plain date that is each AIP's own brondatum in a group decided with `gebruik` (the
    `Datumgebruik` of einddatum and ander_datumkenmerk), or None when the group's brondatum is shared."""
    if gebruik[0] == "jaar":
        return "einddatum"
    if gebruik[1] == "jaar":
        return "ander_datumkenmerk"
    return None


def tijdvak(aanmaakdatum: date, grenzen: Sequence[date]) -> int:
    """How many of `grenzen` lie on or before `aanmaakdatum`."""
    return sum(1 for g in grenzen if g <= aanmaakdatum)


@dataclass(frozen=True)
class Besluit:
    """A retention decision as stored: the engine's outcome plus bookkeeping.

    `revisie` grows when the content (not the wording of today-dependent parts) changes;
    `geschreven` is the last revisie written to storage as a metadata revision.
    """

    aip_id: UUID
    record_id: UUID | None
    waardering: Waardering
    code: str
    reden: str
    besloten_op: datetime
    feiten_revisie: int
    regels_hash: str
    revisie: int = 1
    geschreven: int = 0
    selectielijst: str | None = None
    versie: str | None = None
    categorie: str | None = None
    categorie_omschrijving: str | None = None
    bewaartermijn: str | None = None
    afleidingswijze: str | None = None
    brondatum: date | None = None
    termijnstart: date | None = None
    archiefactiedatum: date | None = None
    overbrengingsdatum: date | None = None
    uitgesteld: bool = False

    def inhoud(self) -> tuple[Any, ...]:
        """What makes two decisions the same decision (bookkeeping aside)."""
        return (
            str(self.waardering),
            self.code,
            self.reden,
            self.selectielijst,
            self.versie,
            self.categorie,
            self.bewaartermijn,
            self.afleidingswijze,
            self.brondatum,
            self.termijnstart,
            self.archiefactiedatum,
            self.overbrengingsdatum,
            self.uitgesteld,
        )

    @property
    def categorie_sleutel(self) -> str | None:
        if self.selectielijst is None or self.categorie is None:
            return None
        return f"{self.selectielijst}/{self.categorie}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "aip_id": str(self.aip_id),
            "record_id": str(self.record_id) if self.record_id else None,
            "waardering": str(self.waardering),
            "code": self.code,
            "reden": self.reden,
            "selectielijst": self.selectielijst,
            "versie": self.versie,
            "categorie": self.categorie,
            "categorie_omschrijving": self.categorie_omschrijving,
            "bewaartermijn": self.bewaartermijn,
            "afleidingswijze": self.afleidingswijze,
            "brondatum": _iso(self.brondatum),
            "termijnstart": _iso(self.termijnstart),
            "archiefactiedatum": _iso(self.archiefactiedatum),
            "overbrengingsdatum": _iso(self.overbrengingsdatum),
            "uitgesteld": self.uitgesteld,
            "besloten_op": self.besloten_op.isoformat(),
            "revisie": self.revisie,
            "geschreven": self.geschreven,
        }


@dataclass(frozen=True)
class Uitsluiting:
    """A legal hold or another reason not to act on an AIP, until it is lifted."""

    id: UUID
    aip_id: UUID
    soort: UitsluitingSoort
    reden: str
    door: str
    op: datetime
    opgeheven_door: str | None = None
    opgeheven_op: datetime | None = None
    opheffing_reden: str | None = None

    @property
    def open(self) -> bool:
        return self.opgeheven_op is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "aip_id": str(self.aip_id),
            "soort": str(self.soort),
            "reden": self.reden,
            "door": self.door,
            "op": self.op.isoformat(),
            "opgeheven_door": self.opgeheven_door,
            "opgeheven_op": self.opgeheven_op.isoformat() if self.opgeheven_op else None,
            "opheffing_reden": self.opheffing_reden,
        }


@dataclass(frozen=True)
class Uitstel:
    """A new archiefactiedatum set by hand when an item was removed from a list."""

    aip_id: UUID
    archiefactiedatum: date
    reden: str
    door: str
    op: datetime


@dataclass(frozen=True)
class Item:
    lijst_id: UUID
    aip_id: UUID
    record_id: UUID | None
    source_key: str
    titel: str
    selectielijst: str | None
    versie: str | None
    categorie: str | None
    waardering: str
    brondatum: date | None
    archiefactiedatum: date | None
    besluit_revisie: int
    status: ItemStatus = ItemStatus.VOORGESTELD
    reden: str | None = None  # why removed, rejected, waiting or blocked
    door: str | None = None
    op: datetime | None = None
    uitgevoerd_op: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)  # per store: what was deleted or exported

    def as_dict(self) -> dict[str, Any]:
        return {
            "aip_id": str(self.aip_id),
            "record_id": str(self.record_id) if self.record_id else None,
            "source_key": self.source_key,
            "titel": self.titel,
            "selectielijst": self.selectielijst,
            "versie": self.versie,
            "categorie": self.categorie,
            "waardering": self.waardering,
            "brondatum": _iso(self.brondatum),
            "archiefactiedatum": _iso(self.archiefactiedatum),
            "besluit_revisie": self.besluit_revisie,
            "status": str(self.status),
            "reden": self.reden,
            "door": self.door,
            "op": self.op.isoformat() if self.op else None,
            "uitgevoerd_op": self.uitgevoerd_op.isoformat() if self.uitgevoerd_op else None,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Lijst:
    """A vernietigingslijst or overbrengingslijst. `items` is empty when listed without them."""

    id: UUID
    soort: LijstSoort
    status: LijstStatus
    aangemaakt_op: datetime
    aangemaakt_door: str
    peildatum: date  # the `today` of the nightly run that proposed it
    revisie: int = 1  # grows with every change; an approval names the revisie it approved
    ingediend_op: datetime | None = None
    ingediend_door: str | None = None
    beoordeeld_op: datetime | None = None
    beoordeeld_door: str | None = None
    goedgekeurde_revisie: int | None = None
    reden: str | None = None  # of a rejection or cancellation
    wachttijd_tot: datetime | None = None
    uitgevoerd_op: datetime | None = None
    items: tuple[Item, ...] = ()
    tellingen: dict[str, int] = field(default_factory=dict)  # item status -> count

    def as_dict(self, *, items: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": str(self.id),
            "soort": str(self.soort),
            "status": str(self.status),
            "peildatum": self.peildatum.isoformat(),
            "revisie": self.revisie,
            "aangemaakt_op": self.aangemaakt_op.isoformat(),
            "aangemaakt_door": self.aangemaakt_door,
            "ingediend_op": self.ingediend_op.isoformat() if self.ingediend_op else None,
            "ingediend_door": self.ingediend_door,
            "beoordeeld_op": self.beoordeeld_op.isoformat() if self.beoordeeld_op else None,
            "beoordeeld_door": self.beoordeeld_door,
            "goedgekeurde_revisie": self.goedgekeurde_revisie,
            "reden": self.reden,
            "wachttijd_tot": self.wachttijd_tot.isoformat() if self.wachttijd_tot else None,
            "uitgevoerd_op": self.uitgevoerd_op.isoformat() if self.uitgevoerd_op else None,
            "tellingen": dict(sorted(self.tellingen.items())),
        }
        if items:
            out["items"] = [i.as_dict() for i in self.items]
        return out


@dataclass(frozen=True)
class Grafsteen:
    """What remains of a destroyed AIP: its identity, category, dates and the list that destroyed it."""

    aip_id: UUID
    record_id: UUID | None
    bron: str
    source_key: str
    titel: str
    selectielijst: str | None
    versie: str | None
    categorie: str | None
    waardering: str
    brondatum: date | None
    archiefactiedatum: date | None
    lijst_id: UUID
    goedgekeurd_door: str
    goedgekeurd_op: datetime
    vernietigd_op: datetime
    content_hash: str
    bestanden: int
    bytes: int
    opslag: dict[str, Any] = field(default_factory=dict)  # store name -> keys/versions deleted

    def as_dict(self) -> dict[str, Any]:
        return {
            "aip_id": str(self.aip_id),
            "record_id": str(self.record_id) if self.record_id else None,
            "bron": self.bron,
            "source_key": self.source_key,
            "titel": self.titel,
            "selectielijst": self.selectielijst,
            "versie": self.versie,
            "categorie": self.categorie,
            "waardering": self.waardering,
            "brondatum": _iso(self.brondatum),
            "archiefactiedatum": _iso(self.archiefactiedatum),
            "lijst_id": str(self.lijst_id),
            "goedgekeurd_door": self.goedgekeurd_door,
            "goedgekeurd_op": self.goedgekeurd_op.isoformat(),
            "vernietigd_op": self.vernietigd_op.isoformat(),
            "content_hash": self.content_hash,
            "bestanden": self.bestanden,
            "bytes": self.bytes,
            "opslag": self.opslag,
        }


@dataclass(frozen=True)
class Verklaring:
    """A verklaring van vernietiging or van overbrenging, kept as a permanent record (its AIP)."""

    lijst_id: UUID
    soort: LijstSoort
    aangemaakt_op: datetime
    aip_id: UUID | None
    pdf_sha256: str
    csv_sha256: str
    items: int
    locatie: str | None = None  # transfer: the folder handed to the archiefbewaarplaats

    def as_dict(self) -> dict[str, Any]:
        return {
            "lijst_id": str(self.lijst_id),
            "soort": str(self.soort),
            "aangemaakt_op": self.aangemaakt_op.isoformat(),
            "aip_id": str(self.aip_id) if self.aip_id else None,
            "pdf_sha256": self.pdf_sha256,
            "csv_sha256": self.csv_sha256,
            "items": self.items,
            "locatie": self.locatie,
        }


@dataclass(frozen=True)
class AipRef:
    """A stored AIP that has no facts yet: what the mapping step needs to find its metadata."""

    aip_id: UUID
    bron: str
    source_key: str
    titel: str
    record_id: UUID | None  # the root informatieobject
    sidecar_path: str | None  # of the root informatieobject


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
