"""The in-memory AuditCatalog: the fake the audit use cases' unit tests run on.

Behaves like `SqlAuditCatalog` (one contract suite runs on both). It reads AIP statuses from the
holdings catalog it is given (the SQL version joins the `aips` table). Copies out, one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from edepot.audit_ports import VERIFIED, Controle, Kopie, Ouderdom, Run, RunStatus, Telling, Uitkomst
from edepot.errors import Conflict, NotFound
from edepot.model import AipStatus
from edepot.ports import Catalog

ALL = 10**12
KEPT = (AipStatus.OPGESLAGEN, AipStatus.BESCHADIGD)


class InMemoryAuditCatalog:
    def __init__(self, holdings: Catalog) -> None:
        self._holdings = holdings
        self._lock = threading.RLock()
        self._copies: dict[tuple[UUID, str], Kopie] = {}
        self._runs: dict[UUID, Run] = {}
        self._checks: dict[tuple[UUID, UUID, str], Controle] = {}

    def _kept(self) -> list[UUID]:
        found: list[UUID] = []
        for status in KEPT:
            found += [a.id for a in self._holdings.list_aips(status=status, limit=ALL)]
        return sorted(found)

    def _upsert(self, copy: Kopie, *, verified: bool) -> None:
        old = self._copies.get((copy.aip_id, copy.store))
        if old is not None and not verified:
            copy = replace(copy, verified_at=old.verified_at)
        self._copies[(copy.aip_id, copy.store)] = copy

    def record_copies(self, aip_id: UUID, stores: Sequence[str], at: datetime, *, objects: int, bytes: int) -> None:
        with self._lock:
            for store in stores:
                self._upsert(Kopie(aip_id, store, at, at, Uitkomst.GOED, objects, bytes), verified=True)

    def copies(self, aip_id: UUID) -> list[Kopie]:
        with self._lock:
            return sorted((c for (a, _), c in self._copies.items() if a == aip_id), key=lambda c: c.store)

    def start_run(self, run: Run) -> None:
        with self._lock:
            if run.id in self._runs:
                raise Conflict(f"audit run {run.id} exists")
            self._runs[run.id] = replace(run, summary=dict(run.summary))

    def finish_run(self, run_id: UUID, at: datetime, status: RunStatus, summary: dict[str, Any]) -> Run:
        with self._lock:
            run = self.get_run(run_id)
            self._runs[run_id] = replace(run, finished_at=at, status=status, summary=dict(summary))
            return self.get_run(run_id)

    def get_run(self, run_id: UUID) -> Run:
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                raise NotFound(f"no audit run {run_id}", run_id=str(run_id))
            return replace(run, summary=dict(run.summary))

    def runs(self, start: datetime, end: datetime) -> list[Run]:
        with self._lock:
            chosen = [r for r in self._runs.values() if start <= r.started_at < end]
        return [replace(r, summary=dict(r.summary)) for r in sorted(chosen, key=lambda r: (r.started_at, r.id))]

    def record_check(self, check: Controle) -> None:
        with self._lock:
            key = (check.run_id, check.aip_id, check.store)
            if key in self._checks:
                raise Conflict(f"AIP {check.aip_id} in {check.store} was already checked in run {check.run_id}")
            self._checks[key] = check
            verified = check.outcome in VERIFIED
            copy = Kopie(
                check.aip_id,
                check.store,
                check.checked_at if verified else None,
                check.checked_at,
                check.outcome,
                check.objects,
                check.bytes,
            )
            self._upsert(copy, verified=verified)

    def aips_to_check(
        self, stores: Sequence[str], *, due_before: datetime | None, after: UUID | None, limit: int
    ) -> list[tuple[UUID, tuple[str, ...]]]:
        found: list[tuple[UUID, tuple[str, ...]]] = []
        with self._lock:
            for aip_id in self._kept():
                if after is not None and aip_id <= after:
                    continue
                due = tuple(
                    s
                    for s in stores
                    if due_before is None
                    or (c := self._copies.get((aip_id, s))) is None
                    or c.verified_at is None
                    or c.verified_at < due_before
                    or c.outcome not in VERIFIED
                )
                if due:
                    found.append((aip_id, due))
                if len(found) == limit:
                    break
        return found

    def ages(self, stores: Sequence[str], overdue_before: datetime) -> list[Ouderdom]:
        with self._lock:
            kept = self._kept()
            found = []
            for store in stores:
                copies = [c for a in kept if (c := self._copies.get((a, store))) is not None]
                verified = [c.verified_at for c in copies if c.verified_at is not None]
                fresh = sum(1 for v in verified if v >= overdue_before)
                found.append(Ouderdom(store, len(copies), len(kept), min(verified, default=None), len(kept) - fresh))
            return found

    def _in(self, start: datetime, end: datetime) -> list[Controle]:
        with self._lock:
            return sorted(
                (c for c in self._checks.values() if start <= c.checked_at < end),
                key=lambda c: (c.checked_at, c.aip_id, c.store),
            )

    def tallies(self, start: datetime, end: datetime) -> list[Telling]:
        sums: dict[tuple[str, Uitkomst], list[int]] = {}
        for c in self._in(start, end):
            total = sums.setdefault((c.store, c.outcome), [0, 0, 0])
            total[0] += 1
            total[1] += c.objects
            total[2] += c.bytes
        return [Telling(s, o, *v) for (s, o), v in sorted(sums.items())]

    def daily(self, start: datetime, end: datetime) -> list[tuple[date, Uitkomst, int]]:
        counts: dict[tuple[date, Uitkomst], int] = {}
        for c in self._in(start, end):
            key = (c.checked_at.astimezone(UTC).date(), c.outcome)
            counts[key] = counts.get(key, 0) + 1
        return [(d, o, n) for (d, o), n in sorted(counts.items())]

    def problems(self, start: datetime, end: datetime) -> Iterator[Controle]:
        return iter([c for c in self._in(start, end) if c.outcome is not Uitkomst.GOED])
