"""The domain model of the holdings: submissions, AIPs, records, files (the fixity ledger), events.

Plain dataclasses with no I/O. Statuses are StrEnums whose allowed transitions live here, in
one table each; `advance()` is the only way to change a status.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from edepot.errors import InvalidTransition


class AipStatus(StrEnum):
    AANGEMAAKT = "aangemaakt"  # intent recorded; objects are being stored, not visible
    OPGESLAGEN = "opgeslagen"  # every object re-read from storage and matched with the ledger
    BESCHADIGD = "beschadigd"  # a fixity audit found no good copy left
    VERNIETIGD = "vernietigd"  # destroyed after an approved vernietigingslijst


AIP_TRANSITIONS: dict[AipStatus, frozenset[AipStatus]] = {
    AipStatus.AANGEMAAKT: frozenset({AipStatus.OPGESLAGEN}),
    AipStatus.OPGESLAGEN: frozenset({AipStatus.BESCHADIGD, AipStatus.VERNIETIGD}),
    AipStatus.BESCHADIGD: frozenset({AipStatus.OPGESLAGEN, AipStatus.VERNIETIGD}),
    AipStatus.VERNIETIGD: frozenset(),
}


class SubmissionStatus(StrEnum):
    ONTVANGEN = "ontvangen"
    GEWEIGERD = "geweigerd"  # rejected whole, nothing stored
    GEACCEPTEERD = "geaccepteerd"
    PROEF = "proef"  # --dry-run: checked, nothing stored


SUBMISSION_TRANSITIONS: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    SubmissionStatus.ONTVANGEN: frozenset(
        {SubmissionStatus.GEWEIGERD, SubmissionStatus.GEACCEPTEERD, SubmissionStatus.PROEF}
    ),
    SubmissionStatus.GEWEIGERD: frozenset(),
    SubmissionStatus.GEACCEPTEERD: frozenset(),
    SubmissionStatus.PROEF: frozenset(),
}


S = TypeVar("S", bound=StrEnum)


def advance(table: dict[S, frozenset[S]], current: S, new: S) -> S:
    """Return `new` if the table allows current -> new, else raise InvalidTransition."""
    if new not in table[current]:
        raise InvalidTransition(
            f"status change {current} -> {new} is not allowed",
            hint=f"allowed from {current}: {', '.join(sorted(table[current])) or 'none'}",
            current=str(current),
            requested=str(new),
        )
    return new


class FileKind(StrEnum):
    PAYLOAD = "payload"  # a bestand: the scan, document or message itself
    SIDECAR = "sidecar"  # an MDTO metadata file inside data/
    TAG = "tag"  # a BagIt tag file (bagit.txt, bag-info.txt, manifests, original-filepaths.txt)


@dataclass(frozen=True)
class FileEntry:
    """One object of an AIP and its fixity: the ledger kept apart from storage."""

    aip_id: UUID
    path: str  # bag-relative, e.g. data/INV-1/scan.tif or tagmanifest-sha256.txt
    sha256: str
    size: int
    kind: FileKind
    bestand_id: UUID | None = None  # payload only: the MDTO bestand identity
    record_id: UUID | None = None  # payload: the informatieobject it represents; sidecar: its subject
    puid: str | None = None
    mime: str | None = None
    original_path: str | None = None  # path as delivered, before name cleaning

    @property
    def key(self) -> str:
        """Object key in storage."""
        return f"aips/{self.aip_id}/{self.path}"


@dataclass(frozen=True)
class RecordEntry:
    """An informatieobject in the catalog (a projection of its MDTO sidecar)."""

    id: UUID
    aip_id: UUID
    parent_id: UUID | None
    naam: str
    aggregatieniveau: str
    kenmerk: str
    bron: str
    waardering: str
    beperking_code: str | None
    beperking_label: str
    dekking_begin: str | None
    dekking_eind: str | None
    sidecar_path: str
    omschrijving: str | None = None


@dataclass
class Aip:
    id: UUID
    source: str  # analogue | zaaksysteem | teams
    source_key: str  # the source identity, e.g. "1987-1996/INV-0012"
    content_hash: str
    version: int
    status: AipStatus
    created_at: datetime
    title: str
    submission_id: UUID | None = None
    previous_id: UUID | None = None
    stored_at: datetime | None = None
    records: list[RecordEntry] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)

    def with_status(self, new: AipStatus, at: datetime | None = None) -> Aip:
        status = advance(AIP_TRANSITIONS, self.status, new)
        stored_at = at if status is AipStatus.OPGESLAGEN else self.stored_at
        return replace(self, status=status, stored_at=stored_at)

    @property
    def payload_bytes(self) -> int:
        return sum(f.size for f in self.files if f.kind is FileKind.PAYLOAD)


@dataclass
class Submission:
    """One delivery: accepted (one or more AIPs), rejected (a report) or a dry run."""

    id: UUID
    source: str
    location: str
    received_at: datetime
    status: SubmissionStatus = SubmissionStatus.ONTVANGEN
    report: dict[str, Any] = field(default_factory=dict)


class EventOutcome(StrEnum):
    GELUKT = "success"
    MISLUKT = "failure"
    WAARSCHUWING = "warning"


@dataclass(frozen=True)
class EventDraft:
    """An event before it is chained. `type` comes from the MDTO EventTypeLijst or PREMIS."""

    type: str
    agent: str
    outcome: EventOutcome
    time: datetime
    object_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventRecord:
    """A chained event: its hash covers its own content and the previous event's hash."""

    seq: int
    type: str
    agent: str
    outcome: EventOutcome
    time: datetime
    object_id: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str
