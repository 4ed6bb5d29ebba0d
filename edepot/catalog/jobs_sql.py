"""The JobCatalog on the SQL catalog's database (SQLite or PostgreSQL), plus a cross-process lock.

Submissions are atomic: on PostgreSQL a transaction-level advisory lock per queue serialises the
count-then-insert of concurrent submitters (so a bound of N is never exceeded); on SQLite the write
transaction starts with BEGIN IMMEDIATE and so holds the database's write lock. The unique index on
the idempotency key is the last line of defence against a duplicate.

`exclusive(name)` is held by a process for as long as it runs one piece of work that must not run
twice at once: a lease of edepot.catalog.leases_sql (on PostgreSQL a session advisory lock on a
connection of its own, dropped by the server the moment the holder's connection dies, e.g. after
SIGKILL; on SQLite an `flock` beside the database, dropped by the kernel when the process dies).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, Row, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from edepot.catalog.job_tables import jobs
from edepot.catalog.leases_sql import SqlLeases, lock_key
from edepot.catalog.sql import SqlTransactions
from edepot.errors import Conflict, NotFound
from edepot.jobs import OPEN_STATUSES, Job, JobKind, JobQuery, JobStatus, QueueFull, Submitted


def job_not_found(job_id: UUID) -> NotFound:
    return NotFound(f"job {job_id} does not exist", hint="list the jobs with `edepot jobs list`", job_id=str(job_id))


class SqlJobCatalog(SqlTransactions):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._leases = SqlLeases(engine)

    # --- submissions -------------------------------------------------------------------------

    def submit(self, job: Job, *, limit: int, retry_after: int) -> Submitted:
        try:
            with self._writer.begin() as conn:
                if self._postgres:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(f"queue:{job.queue}")})
                existing = self._by_key(conn, job.idempotency_key)
                if existing is not None:
                    return Submitted(existing, duplicate=True)
                open_jobs = conn.execute(
                    select(func.count())
                    .select_from(jobs)
                    .where(jobs.c.queue == job.queue, jobs.c.status.in_([str(s) for s in OPEN_STATUSES]))
                ).scalar_one()
                if open_jobs >= limit:
                    raise QueueFull(job.queue, limit, retry_after)
                conn.execute(insert(jobs).values(_values(job)))
        except IntegrityError:
            with self._engine.connect() as conn:  # another submitter inserted the same key just now
                existing = self._by_key(conn, job.idempotency_key)
            if existing is None:
                raise
            return Submitted(existing, duplicate=True)
        return Submitted(job, duplicate=False)

    @staticmethod
    def _by_key(conn: Connection, key: str) -> Job | None:
        row = conn.execute(select(jobs).where(jobs.c.idempotency_key == key)).one_or_none()
        return None if row is None else _job(row)

    # --- state -------------------------------------------------------------------------------

    def get(self, job_id: UUID) -> Job:
        with self._engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).one_or_none()
        if row is None:
            raise job_not_found(job_id)
        return _job(row)

    def save(self, job: Job, *, expected: JobStatus) -> Job:
        with self._writer.begin() as conn:
            current = conn.execute(select(jobs.c.status).where(jobs.c.id == job.id).with_for_update()).scalar()
            if current is None:
                raise job_not_found(job.id)
            if current != str(expected):
                raise Conflict(
                    f"job {job.id} has status {current}, not {expected}; someone else changed it",
                    hint="show it with `edepot jobs show`",
                    job_id=str(job.id),
                    status=current,
                )
            values = _values(job)
            del values["id"]
            conn.execute(update(jobs).where(jobs.c.id == job.id).values(values))
        return job

    def list(self, query: JobQuery) -> list[Job]:
        statement = select(jobs)
        statuses = set(query.statuses) | ({query.status} if query.status else set())
        if statuses:
            statement = statement.where(jobs.c.status.in_(sorted(str(s) for s in statuses)))
        if query.kind is not None:
            statement = statement.where(jobs.c.kind == str(query.kind))
        statement = statement.order_by(jobs.c.created_at, jobs.c.id).limit(query.limit).offset(query.offset)
        with self._engine.connect() as conn:
            return [_job(r) for r in conn.execute(statement)]

    def counts(self) -> dict[str, dict[str, int]]:
        statement = select(jobs.c.queue, jobs.c.status, func.count()).group_by(jobs.c.queue, jobs.c.status)
        found: dict[str, dict[str, int]] = {}
        with self._engine.connect() as conn:
            for queue, status, count in conn.execute(statement):
                found.setdefault(queue, {})[status] = count
        return found

    # --- a lock across processes --------------------------------------------------------------

    def exclusive(self, name: str) -> AbstractContextManager[None]:
        """Hold the lock `name` across every process sharing this catalog (see the module doc)."""
        return self._leases.hold([name])


def _values(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": str(job.kind),
        "queue": job.queue,
        "payload": dict(job.payload),
        "idempotency_key": job.idempotency_key,
        "status": str(job.status),
        "attempts": job.attempts,
        "last_error": job.last_error,
        "worker": job.worker,
        "result": dict(job.result) if job.result is not None else None,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _job(row: Row[Any]) -> Job:
    m = row._mapping
    return Job(
        id=m["id"],
        kind=JobKind(m["kind"]),
        queue=m["queue"],
        payload=dict(m["payload"]),
        idempotency_key=m["idempotency_key"],
        status=JobStatus(m["status"]),
        attempts=m["attempts"],
        last_error=m["last_error"],
        worker=m["worker"],
        result=m["result"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
    )
