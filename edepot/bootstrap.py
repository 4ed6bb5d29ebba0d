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
    from edepot.catalog.audit_sql import SqlAuditCatalog
    from edepot.catalog.sql import SqlCatalog, create_engine_for, migrate
    from edepot.formats import SiegfriedIdentifier
    from edepot.services import Services
    from edepot.storage.config import build_store

    # the stores come from the environment (EDEPOT_REPLICAS, EDEPOT_S3_*) unless settings are given,
    # then from settings.extra (tests): edepot.storage.config
    environ = None if settings is None else dict(settings.extra)
    settings = settings or Settings.from_env()
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.staging_path.mkdir(parents=True, exist_ok=True)
    engine = create_engine_for(settings.catalog_url)
    migrate(engine)
    clock = SystemClock()
    return Services(
        catalog=SqlCatalog(engine),
        store=build_store(settings, environ, clock=clock),
        clock=clock,
        settings=settings,
        formats=SiegfriedIdentifier(),
        audits=SqlAuditCatalog(engine),
    )
