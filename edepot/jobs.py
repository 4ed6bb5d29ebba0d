"""Background jobs: what a job is, its one status transition table, the queue of each kind, the
idempotency key of a submission and the JobCatalog port. Pure apart from `fingerprint_folder`,
which reads the files it fingerprints.

A job is a row in the catalog (the truth); the broker message only carries its id. Statuses:

    queued -> running -> done
                      -> failed -> running (retry) | dead (dead-letter list, with the reason)
    running -> running  (taken over after the worker that ran it was lost)
    dead -> queued      (an operator's `edepot jobs retry`)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from edepot.errors import EdepotError, InvalidInput
from edepot.model import advance


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"


JOB_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.DEAD}),
    JobStatus.RUNNING: frozenset({JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED}),
    JobStatus.FAILED: frozenset({JobStatus.RUNNING, JobStatus.DEAD}),
    JobStatus.DEAD: frozenset({JobStatus.QUEUED}),
    JobStatus.DONE: frozenset(),
}

# Statuses that count against a queue's bound (work that is waiting or in hand).
OPEN_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED})


class JobKind(StrEnum):
    """A kind of job is also the name of its Celery task (prefixed `edepot.`)."""

    INGEST_ANALOGUE = "ingest.analogue"
    INGEST_ZAAKSYSTEEM = "ingest.zaaksysteem"
    INGEST_TEAMS = "ingest.teams"
    AUDIT = "audit"
    INDEXING = "indexing"
    RETENTION_NIGHTLY = "retention.nightly"
    PUBLICATION = "publication"

    @property
    def queue(self) -> str:
        """One queue per ingest source; the other kinds each have their own queue too."""
        return str(self.value)

    @property
    def task_name(self) -> str:
        return f"edepot.{self.value}"

    @property
    def is_ingest(self) -> bool:
        return self.value.startswith("ingest.")


QUEUES: tuple[str, ...] = tuple(k.queue for k in JobKind)


@dataclass(frozen=True)
class Job:
    id: UUID
    kind: JobKind
    queue: str
    payload: Mapping[str, Any]
    idempotency_key: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    last_error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    worker: str | None = None
    result: Mapping[str, Any] | None = None

    def to(self, new: JobStatus, at: datetime, **changes: Any) -> Job:
        """This job in status `new` (checked against JOB_TRANSITIONS)."""
        status = advance(JOB_TRANSITIONS, self.status, new)
        return replace(self, status=status, updated_at=at, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "kind": str(self.kind),
            "queue": self.queue,
            "status": str(self.status),
            "attempts": self.attempts,
            "payload": dict(self.payload),
            "idempotency_key": self.idempotency_key,
            "last_error": self.last_error,
            "worker": self.worker,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "result": dict(self.result) if self.result is not None else None,
        }


@dataclass(frozen=True)
class Submitted:
    """The answer to a submission: the job, and whether it already existed (same idempotency key)."""

    job: Job
    duplicate: bool


class QueueFull(EdepotError):
    """A source's queue holds its maximum of open jobs: submit again after `retry_after` seconds."""

    code = "queue-full"
    title = "Queue full"
    http_status = 429
    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, queue: str, limit: int, retry_after: int) -> None:
        super().__init__(
            f"queue {queue} already holds {limit} open jobs; nothing was queued",
            hint=f"submit again in {retry_after} seconds, or raise EDEPOT_QUEUE_LIMIT_{_env_name(queue)}",
            queue=queue,
            limit=limit,
            retry_after=retry_after,
        )
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class NotAvailable(EdepotError):
    """A job kind whose use case is not part of this build."""

    code = "not-available"
    title = "Not available in this build"
    http_status = 501
    exit_code = 69  # EX_UNAVAILABLE


def _env_name(queue: str) -> str:
    return queue.upper().replace(".", "_")


def queue_limit_setting(queue: str) -> str:
    return f"EDEPOT_QUEUE_LIMIT_{_env_name(queue)}"


# --- idempotency keys ------------------------------------------------------------------------------


def fingerprint_folder(path: Path) -> str:
    """sha256 over every file below `path` (relative path, size and content), in a fixed order.

    The same block copied again (new mtimes, another mount point) has the same fingerprint; one
    changed byte, added or renamed file gives another.
    """
    if not path.is_dir():
        raise InvalidInput(f"{path} is not a folder", hint="give the folder of the block to ingest", path=str(path))
    digest = hashlib.sha256()
    files = sorted(
        (Path(root) / name for root, _, names in os.walk(path) for name in names),
        key=lambda p: p.relative_to(path).as_posix().encode(),
    )
    for file in files:
        relative = file.relative_to(path).as_posix()
        digest.update(f"{relative}\0{file.stat().st_size}\0".encode())
        with open(file, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def idempotency_key(source: str, location: str, fingerprint: str) -> str:
    """source + location + content fingerprint: the same batch submitted twice is one job."""
    return hashlib.sha256(f"{source}\0{location}\0{fingerprint}".encode()).hexdigest()


# --- the port ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobQuery:
    status: JobStatus | None = None
    kind: JobKind | None = None
    limit: int = 100
    offset: int = 0
    statuses: frozenset[JobStatus] = field(default_factory=frozenset)


class JobCatalog(Protocol):
    """Job state, shared by the API, the CLI and every worker."""

    def submit(self, job: Job, *, limit: int, retry_after: int) -> Submitted:
        """Insert `job` unless a job with its idempotency key exists (then return that one);
        raise QueueFull(retry_after) if its queue holds `limit` open jobs. Atomic: concurrent
        submitters never exceed the limit or insert a key twice."""
        ...

    def get(self, job_id: UUID) -> Job: ...

    def save(self, job: Job, *, expected: JobStatus) -> Job:
        """Store `job` if the stored row still has status `expected` (else raise Conflict)."""
        ...

    def list(self, query: JobQuery) -> list[Job]: ...

    def counts(self) -> dict[str, dict[str, int]]:
        """Jobs per queue per status."""
        ...

    def exclusive(self, name: str) -> AbstractContextManager[None]:
        """A lock named `name` across every process sharing this catalog, dropped if its holder dies."""
        ...
