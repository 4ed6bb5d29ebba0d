"""The `Publications` port: which records are published under the Woo, and which were withdrawn.

Search and the public portal ask this port; the Woo feature feeds it (its publications name the
e-depot record they are a version of). Until it does, `NoPublications` answers "nothing
published". `InMemoryPublications` is the fake for tests and demos. After a change, call
`Indexer.mark_changed(record_ids)` or let the next sync notice it (it compares the published set).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Protocol
from uuid import UUID


class Publications(Protocol):
    def published_ids(self) -> frozenset[UUID]:
        """Every record currently published under the Woo."""
        ...

    def withdrawal(self, record_id: UUID) -> str | None:
        """The reason a publication of this record was withdrawn (the 410 page shows it), else None."""
        ...

    def categorieen(self, record_ids: Iterable[UUID]) -> Mapping[UUID, tuple[str, ...]]:
        """Of these records, the published ones with the labels of the Woo informatiecategorieën
        they are published under (search shows the first as the record's informatiecategorie)."""
        ...


class NoPublications:
    """Nothing is published under the Woo (the default until the Woo feature feeds the port)."""

    def published_ids(self) -> frozenset[UUID]:
        return frozenset()

    def withdrawal(self, record_id: UUID) -> str | None:
        return None

    def categorieen(self, record_ids: Iterable[UUID]) -> Mapping[UUID, tuple[str, ...]]:
        return {}


class InMemoryPublications:
    """A thread-safe in-memory set of published records, with withdrawals."""

    def __init__(self, published: Iterable[UUID] = ()) -> None:
        self._published = set(published)
        self._categorieen: dict[UUID, tuple[str, ...]] = {}
        self._withdrawn: dict[UUID, str] = {}
        self._lock = threading.Lock()

    def publish(self, record_id: UUID, categorieen: Iterable[str] = ()) -> None:
        with self._lock:
            self._published.add(record_id)
            self._categorieen[record_id] = tuple(categorieen)
            self._withdrawn.pop(record_id, None)

    def withdraw(self, record_id: UUID, reason: str) -> None:
        with self._lock:
            self._published.discard(record_id)
            self._withdrawn[record_id] = reason

    def published_ids(self) -> frozenset[UUID]:
        with self._lock:
            return frozenset(self._published)

    def withdrawal(self, record_id: UUID) -> str | None:
        with self._lock:
            return self._withdrawn.get(record_id)

    def categorieen(self, record_ids: Iterable[UUID]) -> Mapping[UUID, tuple[str, ...]]:
        with self._lock:
            return {r: self._categorieen.get(r, ()) for r in record_ids if r in self._published}
