"""The ingest specification of tests/unit/test_services_ingest.py, run again on the real catalogs:
SQLite (the embedded default) and PostgreSQL (production), with the filesystem object store."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edepot.catalog.sql import SqlCatalog, create_engine_for, migrate
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.filesystem import FilesystemObjectStore

_spec = importlib.util.spec_from_file_location(
    "ingest_specification", Path(__file__).parents[2] / "unit" / "test_services_ingest.py"
)
assert _spec and _spec.loader
spec = importlib.util.module_from_spec(_spec)
sys.modules["ingest_specification"] = spec
_spec.loader.exec_module(spec)

SPECIFICATIONS = [
    name
    for name in dir(spec)
    if name.startswith("test_") and "damage_in_storage" not in name and "does_not_read_back" not in name
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def services(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_database")
    engine = create_engine_for(url)
    migrate(engine)
    yield Services(
        catalog=SqlCatalog(engine),
        store=FilesystemObjectStore(tmp_path / "objects"),
        clock=spec.TickingClock(),
        settings=Settings(home=tmp_path / "home"),
        formats=spec.NoFormats(),
    )
    engine.dispose()


@pytest.mark.parametrize("specification", SPECIFICATIONS)
def test_the_ingest_specification_holds_on_sql(specification: str, services: Services, tmp_path: Path) -> None:
    function = getattr(spec, specification)
    params = function.__code__.co_varnames[: function.__code__.co_argcount]
    if "damage" in params:
        for damage in spec.DAMAGE:
            function(services, tmp_path / damage.replace(" ", "-"), damage)
    else:
        function(services, tmp_path)
