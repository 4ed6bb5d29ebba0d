"""Leases: named locks shared by every process that shares the catalog, each dropped the moment its
holder dies. The port (`Leases`), its in-memory fake, and the lease names ingest uses.

An ingest holds, for its whole life, the lease of its owner (`owner:<submission id>`) and the
lease of every (source, source_key) it packages (`bron:<source>\\0<source_key>`). From that follow
the two facts recovery relies on, without trusting process ids or clocks:

- a staging folder whose owner lease can be taken belongs to an ingest that ended (finished or
  died): it is never the folder of a live ingest;
- whoever holds the lease of a source_key is the only one that may create or complete an AIP of
  it: a pending AIP of a key whose lease one holds was left by a dead owner, and no one else is
  completing it at that moment.

`hold(names)` blocks and takes every name in one fixed order (so two holders never deadlock);
`attempt(name)` never blocks (recovery must not wait for live work). The SQL adapter is
`edepot.catalog.leases_sql.SqlLeases` (PostgreSQL advisory locks, `flock` for SQLite).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Protocol
from uuid import UUID


class Leases(Protocol):
    def hold(self, names: Iterable[str]) -> AbstractContextManager[None]:
        """Take every lease in `names` (waiting for each, in a fixed order) until the block ends."""
        ...

    def attempt(self, name: str) -> AbstractContextManager[bool]:
        """Take `name` if no one holds it: yields True (held until the block ends), else False at once."""
        ...


def owner_lease(submission_id: UUID | str) -> str:
    return f"owner:{submission_id}"


def source_lease(source: str, source_key: str) -> str:
    return f"bron:{source}\0{source_key}"


class InMemoryLeases:
    """Leases among the threads of one process: right beside an in-memory catalog (which no other
    process can see) and in unit tests."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _lock(self, name: str) -> threading.Lock:
        with self._mutex:
            return self._locks.setdefault(name, threading.Lock())

    @contextmanager
    def hold(self, names: Iterable[str]) -> Iterator[None]:
        with ExitStack() as stack:
            for name in sorted(set(names)):
                lock = self._lock(name)
                lock.acquire()
                stack.callback(lock.release)
            yield

    @contextmanager
    def attempt(self, name: str) -> Iterator[bool]:
        lock = self._lock(name)
        if not lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
