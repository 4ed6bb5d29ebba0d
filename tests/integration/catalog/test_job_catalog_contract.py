"""One contract for the JobCatalog: in memory, on SQLite and on PostgreSQL (jobs table of migration 0006)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from edepot.catalog import job_tables  # noqa: F401 - registers the jobs table on the metadata
from edepot.catalog.jobs_memory import InMemoryJobCatalog
from edepot.catalog.jobs_sql import SqlJobCatalog
from edepot.errors import Conflict, InvalidTransition, NotFound
from edepot.jobs import Job, JobCatalog, JobKind, JobQuery, JobStatus, QueueFull
from tests.support.backends import BACKENDS, contract_backend

NOW = datetime(2025, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def jobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobCatalog]:
    yield from contract_backend(request, tmp_path, InMemoryJobCatalog, SqlJobCatalog)


def job(key: str, kind: JobKind = JobKind.INGEST_ANALOGUE, at: datetime = NOW) -> Job:
    return Job(
        id=uuid4(),
        kind=kind,
        queue=kind.queue,
        payload={"path": f"/blocks/{key}"},
        idempotency_key=key,
        status=JobStatus.QUEUED,
        created_at=at,
        updated_at=at,
    )


def test_a_missing_job_is_not_found(jobs: JobCatalog) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        jobs.get(uuid4())


def test_a_full_queue_refuses_a_new_job_with_a_retry_after(jobs: JobCatalog) -> None:
    for n in range(3):
        jobs.submit(job(f"k{n}"), limit=3, retry_after=42)

    with pytest.raises(QueueFull) as refused:
        jobs.submit(job("k3"), limit=3, retry_after=42)

    assert refused.value.retry_after == 42
    assert refused.value.headers == {"Retry-After": "42"}
    assert len(jobs.list(JobQuery())) == 3


def test_a_full_queue_does_not_hold_back_other_queues(jobs: JobCatalog) -> None:
    jobs.submit(job("a"), limit=1, retry_after=1)

    submitted = jobs.submit(job("b", JobKind.INGEST_TEAMS), limit=1, retry_after=1)

    assert not submitted.duplicate


def test_the_same_idempotency_key_gives_the_existing_job_even_when_the_queue_is_full(jobs: JobCatalog) -> None:
    first = jobs.submit(job("same"), limit=1, retry_after=1)

    again = jobs.submit(job("same"), limit=1, retry_after=1)

    assert again.duplicate and again.job.id == first.job.id
    assert [j.id for j in jobs.list(JobQuery())] == [first.job.id]


def test_done_and_dead_jobs_no_longer_count_against_the_bound(jobs: JobCatalog) -> None:
    first = jobs.submit(job("a"), limit=1, retry_after=1).job
    running = jobs.save(first.to(JobStatus.RUNNING, NOW, attempts=1), expected=JobStatus.QUEUED)
    jobs.save(running.to(JobStatus.DONE, NOW), expected=JobStatus.RUNNING)

    assert not jobs.submit(job("b"), limit=1, retry_after=1).duplicate


def test_a_save_against_a_stale_status_is_a_conflict(jobs: JobCatalog) -> None:
    queued = jobs.submit(job("a"), limit=5, retry_after=1).job
    jobs.save(queued.to(JobStatus.RUNNING, NOW, attempts=1), expected=JobStatus.QUEUED)

    with pytest.raises(Conflict, match="someone else"):
        jobs.save(queued.to(JobStatus.RUNNING, NOW, attempts=1), expected=JobStatus.QUEUED)


def test_a_job_cannot_skip_running_on_its_way_to_done() -> None:
    with pytest.raises(InvalidTransition):
        job("a").to(JobStatus.DONE, NOW)


def test_a_job_round_trips_with_its_payload_result_and_times(jobs: JobCatalog) -> None:
    queued = jobs.submit(job("a"), limit=5, retry_after=1).job
    later = NOW + timedelta(minutes=5)
    running = jobs.save(queued.to(JobStatus.RUNNING, later, attempts=1, worker="w1"), expected=JobStatus.QUEUED)
    done = running.to(JobStatus.DONE, later, finished_at=later, result={"aips": ["x"], "n": 1})
    jobs.save(done, expected=JobStatus.RUNNING)

    assert jobs.get(queued.id) == done


def test_jobs_are_listed_oldest_first_and_filtered_by_status_and_kind(jobs: JobCatalog) -> None:
    a = jobs.submit(job("a", at=NOW + timedelta(seconds=2)), limit=5, retry_after=1).job
    b = jobs.submit(job("b", at=NOW), limit=5, retry_after=1).job
    c = jobs.submit(job("c", JobKind.AUDIT, at=NOW + timedelta(seconds=1)), limit=5, retry_after=1).job
    jobs.save(a.to(JobStatus.DEAD, NOW), expected=JobStatus.QUEUED)

    assert [j.id for j in jobs.list(JobQuery())] == [b.id, c.id, a.id]
    assert [j.id for j in jobs.list(JobQuery(status=JobStatus.DEAD))] == [a.id]
    assert [j.id for j in jobs.list(JobQuery(kind=JobKind.AUDIT))] == [c.id]
    assert jobs.counts() == {"ingest.analogue": {"queued": 1, "dead": 1}, "audit": {"queued": 1}}


def test_concurrent_submitters_never_exceed_the_bound_nor_insert_a_key_twice(jobs: JobCatalog) -> None:
    outcomes: list[str] = []

    def submit(n: int) -> None:
        try:
            submitted = jobs.submit(job(f"k{n % 12}"), limit=8, retry_after=1)
            outcomes.append("duplicate" if submitted.duplicate else "new")
        except QueueFull:
            outcomes.append("full")

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    stored = jobs.list(JobQuery(limit=100))
    assert len(stored) == 8 == outcomes.count("new")
    assert len({j.idempotency_key for j in stored}) == 8
