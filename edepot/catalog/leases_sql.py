"""Leases (edepot.leases) on the catalog's database, so every process sharing the catalog sees them,
on any machine that reaches it.

PostgreSQL: session advisory locks on a connection of the holder's own (AUTOCOMMIT). The server
drops them the moment that session ends: a killed process closes its socket at once; a lost
machine's session ends when the server's TCP keepalive gives up (see docs/deployment.md).

SQLite (one machine by nature): `flock` on files in `.edepot-locks/` beside the database; the
kernel drops a lock when its process dies. Names are spread over 65,536 files per kind of name (the
part before the first ':'), so the folder stays bounded; two names sharing a file only make one
wait for the other (never a wrong "free"), and `hold` takes files in sorted order, so no deadlock.
A database without a file (`:memory:`) is private to its process: in-process locks serve.
"""

from __future__ import annotations

import fcntl
import hashlib
import weakref
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from edepot.leases import InMemoryLeases

# lock files per kind of name (SQLite only; created when first used). Two live names sharing a file
# make a recovery that probes one of them leave it to a later ingest. With 1024 files that is a
# 1-in-500 chance when a dead owner is probed beside two live ones (a likely cause of one CI failure
# of test_parallel_ingest); 65,536 makes it 1 in 30,000.
STRIPES = 65_536

_private: weakref.WeakKeyDictionary[Engine, InMemoryLeases] = weakref.WeakKeyDictionary()


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for `name`."""
    return int.from_bytes(hashlib.sha256(f"edepot:{name}".encode()).digest()[:8], "big", signed=True)


class SqlLeases:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        database = make_url(str(engine.url)).database
        self._folder: Path | None = None
        self._memory: InMemoryLeases | None = None
        if not self._postgres:
            if database and database != ":memory:" and not database.startswith("file::memory:"):
                self._folder = Path(database).resolve().parent / ".edepot-locks"
            else:
                self._memory = _private.setdefault(engine, InMemoryLeases())

    # --- PostgreSQL ------------------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                yield conn
            finally:
                with suppress(DBAPIError):  # a broken session has lost its locks already
                    conn.execute(text("SELECT pg_advisory_unlock_all()"))

    # --- SQLite ----------------------------------------------------------------------------------

    def _file(self, name: str) -> Path:
        assert self._folder is not None
        kind = name.split(":", 1)[0] if ":" in name else "lease"
        stripe = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % STRIPES
        return self._folder / "".join(c if c.isalnum() or c in "-_." else "_" for c in kind) / f"{stripe:04d}.lock"

    @staticmethod
    def _open(path: Path) -> IO[bytes]:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+b")

    # --- the port --------------------------------------------------------------------------------

    @contextmanager
    def hold(self, names: Iterable[str]) -> Iterator[None]:
        wanted = set(names)
        if self._memory is not None:
            with self._memory.hold(wanted):
                yield
            return
        if self._postgres:
            with self._session() as conn:
                for key in sorted({lock_key(n) for n in wanted}):
                    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                yield
            return
        with ExitStack() as stack:
            for path in sorted({self._file(n) for n in wanted}):
                handle = stack.enter_context(self._open(path))
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            yield  # closing each file drops its lock

    @contextmanager
    def attempt(self, name: str) -> Iterator[bool]:
        if self._memory is not None:
            with self._memory.attempt(name) as taken:
                yield taken
            return
        if self._postgres:
            with self._session() as conn:
                taken = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(name)}).scalar())
                yield taken
            return
        with self._open(self._file(name)) as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
