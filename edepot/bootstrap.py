"""The composition root: the one place that builds adapters from settings and wires the services.

Nothing is built at import time; `build()` is called by the CLI, the API factory and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from edepot.settings import Settings

if TYPE_CHECKING:
    from edepot.services import Services


@dataclass(frozen=True)
class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def build(settings: Settings | None = None) -> Services:
    """Services for the configured environment (embedded default: SQLite + filesystem store)."""
    from edepot.catalog.sql import SqlCatalog, create_engine_for, migrate
    from edepot.formats import SiegfriedIdentifier
    from edepot.services import Services
    from edepot.storage.filesystem import FilesystemObjectStore

    settings = settings or Settings.from_env()
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.staging_path.mkdir(parents=True, exist_ok=True)
    engine = create_engine_for(settings.catalog_url)
    migrate(engine)
    return Services(
        catalog=SqlCatalog(engine),
        store=FilesystemObjectStore(settings.objects_path),
        clock=SystemClock(),
        settings=settings,
        formats=SiegfriedIdentifier(),
    )
