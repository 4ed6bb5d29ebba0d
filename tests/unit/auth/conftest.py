"""Services on in-memory adapters with a clock the test moves, for the access-control unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edepot.catalog import InMemoryCatalog
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.memory import InMemoryObjectStore


class MovableClock:
    def __init__(self) -> None:
        self.at = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def services(tmp_path: Path, clock: MovableClock) -> Services:
    return Services(
        catalog=InMemoryCatalog(),
        store=InMemoryObjectStore(),
        clock=clock,
        settings=Settings(home=tmp_path),
        formats=None,  # type: ignore[arg-type]  # no ingest in these tests
    )
