"""Builders for the audit specifications: services over two replicas (a filesystem store and a second
store), dossiers ingested through the real ingest use case, damage done to one copy, a movable clock,
and an alert channel that remembers what it was sent."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from edepot.audit import Auditor, AuditSettings
from edepot.catalog.audit_memory import InMemoryAuditCatalog
from edepot.catalog.memory import InMemoryCatalog
from edepot.ports import ObjectStore
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.filesystem import FilesystemObjectStore
from edepot.storage.replicas import Replicas
from tests.unit.retention_world import Clock, Dossier, SuffixFormats, World


@dataclass
class Alerts:
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def send(self, subject: str, detail: dict[str, Any]) -> None:
        self.sent.append((subject, detail))

    def subjects(self) -> list[str]:
        return [s for s, _ in self.sent]


@dataclass
class AuditWorld:
    services: Services
    auditor: Auditor
    audits: InMemoryAuditCatalog
    clock: Clock
    alerts: Alerts
    root: Path
    ids: dict[str, UUID] = field(default_factory=dict)

    @property
    def copies(self) -> tuple[ObjectStore, ...]:
        store = self.services.store
        assert isinstance(store, Replicas)
        return store.copies

    def copy(self, name: str) -> Any:
        return next(c for c in self.copies if c.name == name)

    def ingest(self, *keys: str) -> dict[str, UUID]:
        world = World(self.services, None, self.clock, self.root)  # type: ignore[arg-type]
        ids = world.ingest(*(Dossier(k, None) for k in keys))
        self.ids.update(ids)
        return ids

    def scan_key(self, dossier: str) -> str:
        return f"aips/{self.ids[dossier]}/data/{dossier}/scan.tif"

    def original(self, dossier: str) -> bytes:
        return f"scan of {dossier}".encode()

    def read(self, store: str, key: str) -> bytes:
        with self.copy(store).open(key) as handle:
            data: bytes = handle.read()
            return data

    def flip_bit(self, store: str, key: str) -> None:
        copy = self.copy(store)
        if isinstance(copy, FilesystemObjectStore):
            path = copy.root / key
            os.chmod(path, 0o644)
            data = bytearray(path.read_bytes())
            data[len(data) // 2] ^= 0x01
            path.write_bytes(bytes(data))
        else:
            copy.corrupt(key)

    def lose(self, store: str, key: str) -> None:
        copy = self.copy(store)
        if isinstance(copy, FilesystemObjectStore):
            os.unlink(copy.root / key)
        else:
            copy.remove(key)

    def events(self, type: str) -> list[Any]:
        return [e for e in self.services.catalog.events() if e.type == type]


def make_audit_world(
    tmp_path: Path, second: ObjectStore | None = None, *, settings: AuditSettings | None = None
) -> AuditWorld:
    from edepot.storage.memory import InMemoryObjectStore

    clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    holdings = InMemoryCatalog()
    audits = InMemoryAuditCatalog(holdings)
    first = FilesystemObjectStore(tmp_path / "objects", name="filesystem", hardlink=False)
    services = Services(
        catalog=holdings,
        store=Replicas([first, second or InMemoryObjectStore("tweede")]),
        clock=clock,
        settings=Settings(home=tmp_path / "home", io_threads=2),
        formats=SuffixFormats(),
        audits=audits,
    )
    alerts = Alerts()
    auditor = Auditor(services, audits, settings=settings or AuditSettings(workers=2), alert=alerts)
    return AuditWorld(services, auditor, audits, clock, alerts, tmp_path)
