"""The JobCatalog in memory: the fake for unit tests and for an in-memory catalog."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from uuid import UUID

from edepot.catalog.jobs_sql import job_not_found
from edepot.errors import Conflict
from edepot.jobs import OPEN_STATUSES, Job, JobQuery, JobStatus, QueueFull, Submitted
from edepot.leases import InMemoryLeases


class InMemoryJobCatalog:
    def __init__(self) -> None:
        self._jobs: dict[UUID, Job] = {}
        self._mutex = threading.Lock()
        self._leases = InMemoryLeases()

    def submit(self, job: Job, *, limit: int, retry_after: int) -> Submitted:
        with self._mutex:
            for existing in self._jobs.values():
                if existing.idempotency_key == job.idempotency_key:
                    return Submitted(existing, duplicate=True)
            if sum(j.queue == job.queue and j.status in OPEN_STATUSES for j in self._jobs.values()) >= limit:
                raise QueueFull(job.queue, limit, retry_after)
            self._jobs[job.id] = job
        return Submitted(job, duplicate=False)

    def get(self, job_id: UUID) -> Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise job_not_found(job_id) from None

    def save(self, job: Job, *, expected: JobStatus) -> Job:
        with self._mutex:
            current = self.get(job.id)
            if current.status != expected:
                raise Conflict(
                    f"job {job.id} has status {current.status}, not {expected}; someone else changed it",
                    job_id=str(job.id),
                    status=str(current.status),
                )
            self._jobs[job.id] = job
        return job

    def list(self, query: JobQuery) -> list[Job]:
        statuses = set(query.statuses) | ({query.status} if query.status else set())
        found = [
            j
            for j in self._jobs.values()
            if (not statuses or j.status in statuses) and (query.kind is None or j.kind == query.kind)
        ]
        found.sort(key=lambda j: (j.created_at, str(j.id)))
        return found[query.offset : query.offset + query.limit]

    def counts(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for job in self._jobs.values():
            per = found.setdefault(job.queue, {})
            per[str(job.status)] = per.get(str(job.status), 0) + 1
        return found

    def exclusive(self, name: str) -> AbstractContextManager[None]:
        return self._leases.hold([name])
