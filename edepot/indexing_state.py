"""The index-sync state: which records the search index holds (or should), in which AIP version,
with which access decision, and which failed. The port `IndexState`, its row and the in-memory fake.

The SQL adapter is `edepot.catalog.search_sql.SqlIndexState` (table `search_index_state`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class SyncStatus(StrEnum):
    WACHTEND = "wachtend"  # to be (re)indexed
    GEINDEXEERD = "geindexeerd"  # in the index as described by the row
    MISLUKT = "mislukt"  # the last attempt failed; retried from next_attempt_at


@dataclass(frozen=True)
class StateRow:
    record_id: UUID
    aip_id: UUID
    status: SyncStatus = SyncStatus.WACHTEND
    openbaarheid: str | None = None
    published: bool = False  # published under the Woo, as last seen
    public: bool = False  # visible to the public, as indexed
    changes_on: date | None = None  # the day the access decision changes by itself
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    indexed_at: datetime | None = None

    def pending(self) -> StateRow:
        """This row queued for (re)indexing, keeping what is known about its current index entry."""
        return replace(self, status=SyncStatus.WACHTEND, attempts=0, next_attempt_at=None, last_error=None)

    def as_dict(self) -> dict[str, object]:
        return {
            "record_id": str(self.record_id),
            "aip_id": str(self.aip_id),
            "status": str(self.status),
            "openbaarheid": self.openbaarheid,
            "published": self.published,
            "public": self.public,
            "changes_on": self.changes_on.isoformat() if self.changes_on else None,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "last_error": self.last_error,
            "indexed_at": self.indexed_at.isoformat() if self.indexed_at else None,
        }


class IndexState(Protocol):
    def all_rows(self) -> dict[UUID, StateRow]: ...

    def get(self, record_id: UUID) -> StateRow | None: ...

    def put(self, rows: Iterable[StateRow]) -> None:
        """Insert or replace rows (by record_id), in one transaction."""
        ...

    def delete(self, record_ids: Iterable[UUID]) -> None: ...

    def clear(self) -> None: ...

    def due(self, now: datetime, limit: int) -> list[StateRow]:
        """Rows waiting, and failed rows whose next attempt is due, by record id."""
        ...

    def changing(self, today: date) -> list[StateRow]:
        """Indexed rows whose access decision changes on or before `today`."""
        ...

    def counts(self) -> dict[str, int]:
        """Rows per status (every status present, 0 included) and `public`."""
        ...

    def failures(self, limit: int) -> list[StateRow]: ...


def _empty_counts() -> dict[str, int]:
    return {str(s): 0 for s in SyncStatus} | {"public": 0}


class InMemoryIndexState:
    """The fake: a dict behind a lock."""

    def __init__(self) -> None:
        self._rows: dict[UUID, StateRow] = {}
        self._lock = threading.Lock()

    def all_rows(self) -> dict[UUID, StateRow]:
        with self._lock:
            return dict(self._rows)

    def get(self, record_id: UUID) -> StateRow | None:
        with self._lock:
            return self._rows.get(record_id)

    def put(self, rows: Iterable[StateRow]) -> None:
        with self._lock:
            for row in rows:
                self._rows[row.record_id] = row

    def delete(self, record_ids: Iterable[UUID]) -> None:
        with self._lock:
            for record_id in record_ids:
                self._rows.pop(record_id, None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def due(self, now: datetime, limit: int) -> list[StateRow]:
        with self._lock:
            rows = [r for r in self._rows.values() if _is_due(r, now)]
        return sorted(rows, key=lambda r: str(r.record_id))[:limit]

    def changing(self, today: date) -> list[StateRow]:
        with self._lock:
            rows = [
                r
                for r in self._rows.values()
                if r.status is SyncStatus.GEINDEXEERD and r.changes_on is not None and r.changes_on <= today
            ]
        return sorted(rows, key=lambda r: str(r.record_id))

    def counts(self) -> dict[str, int]:
        counts = _empty_counts()
        with self._lock:
            for row in self._rows.values():
                counts[str(row.status)] += 1
                counts["public"] += row.public
        return counts

    def failures(self, limit: int) -> list[StateRow]:
        with self._lock:
            rows = [r for r in self._rows.values() if r.status is SyncStatus.MISLUKT]
        return sorted(rows, key=lambda r: str(r.record_id))[:limit]


def _is_due(row: StateRow, now: datetime) -> bool:
    if row.status is SyncStatus.WACHTEND:
        return True
    return row.status is SyncStatus.MISLUKT and (row.next_attempt_at is None or row.next_attempt_at <= now)
