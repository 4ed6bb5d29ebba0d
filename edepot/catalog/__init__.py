"""The catalog adapters: `SqlCatalog` (SQLite or PostgreSQL, schema by Alembic migrations) and
`InMemoryCatalog` (the fake for unit tests). Both implement `edepot.ports.Catalog`.
"""

from edepot.catalog import (  # noqa: F401 - registers their tables on the one metadata
    audit_tables,
    job_tables,
    retention_tables,
    search_tables,
    woo_tables,
)
from edepot.catalog.memory import InMemoryCatalog
from edepot.catalog.sql import SqlCatalog, create_engine_for, migrate

__all__ = ["InMemoryCatalog", "SqlCatalog", "create_engine_for", "migrate"]
