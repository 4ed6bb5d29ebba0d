"""Fixtures for search: the sample block ingested once (real SQLite catalog, filesystem store), copied
into a fresh EDEPOT_HOME per test, with a fixed clock, a Woo publications fake and a real index.

The sample's dossiers, as the public must see them on 2025-06-01 (20 years after the last date):
001 (B, no restriction, 1987-1992) and 044 (B, 1996) are public; 007 (B, restricted until 2063),
012 and its two archiefstukken (V) and 031 (B, no date) are not.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from edepot.bootstrap import build
from edepot.indexing import SearchConfig
from edepot.model import RecordEntry
from edepot.publications import InMemoryPublications
from edepot.sample import make_sample_block
from edepot.search_service import SearchService, build_search
from edepot.services import Services
from edepot.settings import Settings

NOW = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
PUBLIC = {"001", "044"}
NOT_PUBLIC = {"007", "012", "012/aanvraag", "012/besluit", "031"}
RESTRICTED = "007"


@dataclass
class FixedClock:
    moment: datetime = NOW

    def now(self) -> datetime:
        return self.moment


@dataclass
class World:
    services: Services
    search: SearchService
    publications: InMemoryPublications
    clock: FixedClock
    home: Path

    def record(self, kenmerk: str) -> RecordEntry:
        return next(r for r in self.services.list_records(limit=1000) if r.kenmerk == kenmerk)

    def id(self, kenmerk: str) -> UUID:
        return self.record(kenmerk).id

    def kenmerk(self, record_id: str | UUID) -> str:
        return next(r.kenmerk for r in self.services.list_records(limit=1000) if str(r.id) == str(record_id))


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the sample block ingested (a template: tests work on copies)."""
    home = tmp_path_factory.mktemp("search-template") / "home"
    services = build(Settings(home=home))
    services.ingest_analogue(make_sample_block(tmp_path_factory.mktemp("search-supplier")))
    return home


def make_world(sample_home: Path, target: Path, engine: str = "tantivy", **settings: object) -> World:
    home = target / "home"
    shutil.copytree(sample_home, home)
    clock = FixedClock()
    base = build(Settings(home=home, public_rate_limit=None, **settings))  # type: ignore[arg-type]
    services = replace(base, clock=clock)
    publications = InMemoryPublications()
    config = SearchConfig(engine=engine, index_path=home / "index" / engine)
    search = build_search(services, config=config, publications=publications)
    return World(services, search, publications, clock, home)


@pytest.fixture
def world(sample_home: Path, tmp_path: Path) -> Iterator[World]:
    made = make_world(sample_home, tmp_path)
    yield made
    made.search.close()
