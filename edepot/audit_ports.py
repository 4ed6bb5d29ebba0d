"""The fixity-audit port and its values: what the catalog keeps about storage copies and audits.

Pure: dataclasses, a StrEnum and the `AuditCatalog` protocol (implemented by
`edepot.catalog.audit_sql.SqlAuditCatalog` and `edepot.catalog.audit_memory.InMemoryAuditCatalog`).

- `Kopie`: one copy of an AIP in one store, with the time every object of it last matched the
  fixity ledger (`verified_at`) and the outcome of its last check.
- `Controle`: one check of one AIP copy in one audit run, with its problems per object.
- `Run`: one audit run (`edepot audit run`), with the software version and its totals.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID


class Uitkomst(StrEnum):
    """The outcome of checking one AIP copy."""

    GOED = "goed"  # every object matched the ledger
    HERSTELD = "hersteld"  # damaged or missing objects were repaired from another copy and re-verified
    FOUT = "fout"  # damaged or missing objects that could not be repaired
    ONLEESBAAR = "onleesbaar"  # the store could not be read (no verdict about the bytes)


VERIFIED = frozenset({Uitkomst.GOED, Uitkomst.HERSTELD})


class RunStatus(StrEnum):
    BEZIG = "bezig"
    KLAAR = "klaar"
    AFGEBROKEN = "afgebroken"


@dataclass(frozen=True)
class Kopie:
    aip_id: UUID
    store: str
    verified_at: datetime | None  # every object matched the ledger (None: never)
    checked_at: datetime
    outcome: Uitkomst
    objects: int
    bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "aip_id": str(self.aip_id),
            "store": self.store,
            "verified_at": self.verified_at.isoformat() if self.verified_at else None,
            "checked_at": self.checked_at.isoformat(),
            "outcome": str(self.outcome),
            "objects": self.objects,
            "bytes": self.bytes,
        }


@dataclass(frozen=True)
class Controle:
    """One AIP copy checked in one run. `problems`: one dict per object that did not match
    ({key, rule, message, and for a repair: repaired_from, repaired})."""

    run_id: UUID
    aip_id: UUID
    store: str
    checked_at: datetime
    objects: int
    bytes: int
    outcome: Uitkomst
    problems: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": str(self.run_id),
            "aip_id": str(self.aip_id),
            "store": self.store,
            "checked_at": self.checked_at.isoformat(),
            "objects": self.objects,
            "bytes": self.bytes,
            "outcome": str(self.outcome),
            "problems": list(self.problems),
        }


@dataclass
class Run:
    id: UUID
    scope: str  # alle | verlopen | aip <uuid>
    started_at: datetime
    software: str
    agent: str
    status: RunStatus = RunStatus.BEZIG
    finished_at: datetime | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "scope": self.scope,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "status": str(self.status),
            "software": self.software,
            "agent": self.agent,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class Ouderdom:
    """Per store: how old the oldest successful check of a copy of a kept AIP is."""

    store: str
    copies: int  # copies with a row (checked at least once, at ingest or by an audit)
    aips: int  # AIPs that should have a copy here (opgeslagen or beschadigd)
    oldest_verified: datetime | None  # None when no copy was ever verified
    overdue: int  # copies whose last successful check is older than the cadence, or never verified


@dataclass(frozen=True)
class Telling:
    """Checks of one store with one outcome in a period."""

    store: str
    outcome: Uitkomst
    checks: int
    objects: int
    bytes: int


class AuditCatalog(Protocol):
    """Copies and audits in the catalog. Every method is one transaction."""

    def record_copies(self, aip_id: UUID, stores: Sequence[str], at: datetime, *, objects: int, bytes: int) -> None:
        """Every object of these copies was just verified (at ingest): upsert them as goed at `at`."""
        ...

    def copies(self, aip_id: UUID) -> list[Kopie]:
        """The copies of an AIP, by store name."""
        ...

    def start_run(self, run: Run) -> None: ...

    def finish_run(self, run_id: UUID, at: datetime, status: RunStatus, summary: dict[str, Any]) -> Run: ...

    def get_run(self, run_id: UUID) -> Run: ...

    def runs(self, start: datetime, end: datetime) -> list[Run]:
        """Runs started in [start, end), oldest first."""
        ...

    def record_check(self, check: Controle) -> None:
        """Keep the check and update its copy: verified_at moves to checked_at only when verified."""
        ...

    def aips_to_check(
        self, stores: Sequence[str], *, due_before: datetime | None, after: UUID | None, limit: int
    ) -> list[tuple[UUID, tuple[str, ...]]]:
        """Kept AIPs (opgeslagen or beschadigd) by id after `after`, each with the stores whose copy
        is due: never verified, verified before `due_before`, or whose last check was not good
        (every store when `due_before` is None)."""
        ...

    def ages(self, stores: Sequence[str], overdue_before: datetime) -> list[Ouderdom]: ...

    def tallies(self, start: datetime, end: datetime) -> list[Telling]:
        """Checks in [start, end) per store and outcome."""
        ...

    def daily(self, start: datetime, end: datetime) -> list[tuple[date, Uitkomst, int]]:
        """Checks in [start, end) per UTC day and outcome, by day."""
        ...

    def problems(self, start: datetime, end: datetime) -> Iterator[Controle]:
        """Checks in [start, end) whose outcome is not goed, by time."""
        ...
