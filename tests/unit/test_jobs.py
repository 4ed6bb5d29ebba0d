"""Jobs, specified on the in-memory job catalog: idempotent submission, back-pressure, retries with
backoff, the dead-letter list, takeover after a lost worker, and the settings that govern them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from edepot.catalog.jobs_memory import InMemoryJobCatalog
from edepot.errors import ConfigurationError, InvalidInput, StorageError
from edepot.job_service import InlineDispatcher, JobRunner, JobService, RetryLater
from edepot.jobs import Job, JobKind, JobStatus, QueueFull, fingerprint_folder
from edepot.worker_settings import PoolSettings, WorkerSettings


class TickingClock:
    def __init__(self) -> None:
        self.current = datetime(2025, 12, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


@dataclass
class World:
    """A stand-in for `Services` that only has what the runner touches: a clock."""

    clock: TickingClock = field(default_factory=TickingClock)


@dataclass
class Recorder:
    """Collects what was sent to the broker."""

    sent: list[Job] = field(default_factory=list)

    def send(self, job: Job) -> None:
        self.sent.append(job)


def flaky(failures: list[Exception]) -> Any:
    calls: list[Mapping[str, Any]] = []

    def handler(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        calls.append(payload)
        if failures:
            raise failures.pop(0)
        return {"ok": True}

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def service(tmp_path: Path, *, limit: int = 50, max_retries: int = 2, handler: Any = None) -> tuple[JobService, Any]:
    settings = WorkerSettings(queue_limit=limit, max_retries=max_retries, retry_after=30)
    world, jobs = World(), InMemoryJobCatalog()
    runner = JobRunner(world, jobs, settings, worker="w1", handlers={k: handler for k in JobKind} if handler else {})
    return JobService(world, jobs, settings, Recorder()), runner


def block(tmp_path: Path, name: str, content: bytes = b"scan") -> Path:
    folder = tmp_path / name
    (folder / "0001").mkdir(parents=True)
    (folder / "0001" / "p1.tif").write_bytes(content)
    (folder / "inventaris.csv").write_bytes(b"inventarisnummer;titel\n0001;Dossier\n")
    return folder


# --- idempotency keys ------------------------------------------------------------------------------


def test_fingerprinting_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a folder"):
        fingerprint_folder(tmp_path / "nope")


def test_a_copied_block_has_the_same_fingerprint_and_one_changed_byte_another(tmp_path: Path) -> None:
    original = block(tmp_path, "a")
    copy = block(tmp_path, "b")
    changed = block(tmp_path, "c", b"scan!")

    assert fingerprint_folder(original) == fingerprint_folder(copy)
    assert fingerprint_folder(original) != fingerprint_folder(changed)


def test_submitting_the_same_block_twice_gives_one_job_and_one_message(tmp_path: Path) -> None:
    jobs, _ = service(tmp_path)
    folder = block(tmp_path, "a")

    first = jobs.submit_analogue(folder)
    jobs.dispatcher.sent.clear()  # type: ignore[attr-defined]
    jobs.jobs.save(first.job.to(JobStatus.RUNNING, first.job.updated_at), expected=JobStatus.QUEUED)
    again = jobs.submit_analogue(folder)

    assert again.duplicate and again.job.id == first.job.id
    assert jobs.dispatcher.sent == []  # type: ignore[attr-defined]


def test_a_duplicate_still_queued_is_sent_again_in_case_its_message_was_lost(tmp_path: Path) -> None:
    jobs, _ = service(tmp_path)
    folder = block(tmp_path, "a")

    first = jobs.submit_analogue(folder)
    again = jobs.submit_analogue(folder)

    assert again.duplicate
    assert [j.id for j in jobs.dispatcher.sent] == [first.job.id, first.job.id]  # type: ignore[attr-defined]


# --- back-pressure ----------------------------------------------------------------------------------


def test_a_hundred_blocks_at_once_queue_up_to_the_bound_and_the_rest_come_back_later(tmp_path: Path) -> None:
    jobs, runner = service(tmp_path, limit=10, handler=flaky([]))
    folders = [block(tmp_path, f"b{n:03}", f"scan {n}".encode()) for n in range(100)]
    pending = list(folders)
    refused_first_round = 0
    rounds = 0
    while pending:
        rounds += 1
        refused = []
        for folder in pending:
            try:
                jobs.submit_analogue(folder)
            except QueueFull as full:
                assert full.retry_after == 30
                refused.append(folder)
        refused_first_round = refused_first_round or len(refused)
        for sent in jobs.dispatcher.sent:  # type: ignore[attr-defined]
            runner.run(sent.id, final=False)  # the workers drain the queue
        jobs.dispatcher.sent.clear()  # type: ignore[attr-defined]
        pending = refused

    done = jobs.list_jobs(limit=1000)
    assert refused_first_round == 90 and rounds == 10
    assert len(done) == 100 and {j.status for j in done} == {JobStatus.DONE}
    assert sorted(j.payload["path"] for j in done) == sorted(str(f.resolve()) for f in folders)


def test_a_full_queue_says_when_to_come_back_and_which_setting_raises_the_bound(tmp_path: Path) -> None:
    jobs, _ = service(tmp_path, limit=1)
    jobs.submit_analogue(block(tmp_path, "a"))

    with pytest.raises(QueueFull) as refused:
        jobs.submit_analogue(block(tmp_path, "b", b"other"))

    assert refused.value.http_status == 429 and refused.value.exit_code == 75
    assert "EDEPOT_QUEUE_LIMIT_INGEST_ANALOGUE" in str(refused.value)


# --- running --------------------------------------------------------------------------------------------


def test_a_permanent_error_sends_the_job_to_the_dead_letter_list_at_once(tmp_path: Path) -> None:
    jobs, runner = service(tmp_path, handler=flaky([InvalidInput("block 1987 has no inventory")]))
    job = jobs.submit_analogue(block(tmp_path, "a")).job

    dead = runner.run(job.id, final=False)

    assert dead.status is JobStatus.DEAD and dead.attempts == 1
    assert dead.last_error == "InvalidInput: block 1987 has no inventory"
    assert [j.id for j in jobs.dead_letters()] == [job.id]


def test_a_transient_error_is_retried_and_after_the_last_retry_the_job_is_dead(tmp_path: Path) -> None:
    handler = flaky([StorageError("S3 timed out")] * 3)
    jobs, runner = service(tmp_path, handler=handler, max_retries=2)
    job = jobs.submit_analogue(block(tmp_path, "a")).job

    for retries in range(2):
        with pytest.raises(RetryLater) as retry:
            runner.run(job.id, final=retries >= 2)
        assert retry.value.job.status is JobStatus.FAILED
    dead = runner.run(job.id, final=True)

    assert dead.status is JobStatus.DEAD and dead.attempts == 3
    assert dead.last_error == "StorageError: S3 timed out"


def test_a_job_that_succeeds_on_retry_is_done_with_its_result(tmp_path: Path) -> None:
    jobs, runner = service(tmp_path, handler=flaky([StorageError("S3 timed out")]))
    job = jobs.submit_analogue(block(tmp_path, "a")).job

    with pytest.raises(RetryLater):
        runner.run(job.id, final=False)
    done = runner.run(job.id, final=False)

    assert done.status is JobStatus.DONE and done.attempts == 2 and done.result == {"ok": True}


def test_a_redelivered_message_for_a_done_job_runs_nothing(tmp_path: Path) -> None:
    handler = flaky([])
    jobs, runner = service(tmp_path, handler=handler)
    job = jobs.submit_analogue(block(tmp_path, "a")).job
    runner.run(job.id, final=False)

    again = runner.run(job.id, final=False)

    assert again.status is JobStatus.DONE and len(handler.calls) == 1


def test_a_job_left_running_by_a_lost_worker_is_taken_over(tmp_path: Path) -> None:
    jobs, runner = service(tmp_path, handler=flaky([]))
    job = jobs.submit_analogue(block(tmp_path, "a")).job
    jobs.jobs.save(job.to(JobStatus.RUNNING, job.updated_at, attempts=1, worker="lost"), expected=JobStatus.QUEUED)

    done = runner.run(job.id, final=False)

    assert done.status is JobStatus.DONE and done.attempts == 2 and done.worker == "w1"


def test_a_job_whose_workers_keep_getting_lost_ends_in_the_dead_letter_list(tmp_path: Path) -> None:
    handler = flaky([])
    jobs, runner = service(tmp_path, handler=handler, max_retries=2)
    job = jobs.submit_analogue(block(tmp_path, "a")).job
    jobs.jobs.save(job.to(JobStatus.RUNNING, job.updated_at, attempts=3), expected=JobStatus.QUEUED)

    dead = runner.run(job.id, final=False)

    assert dead.status is JobStatus.DEAD and "lost 3 times" in (dead.last_error or "")
    assert handler.calls == []


def test_a_dead_job_retried_by_an_operator_is_queued_and_sent_again(tmp_path: Path) -> None:
    jobs, runner = service(tmp_path, handler=flaky([InvalidInput("bad")]))
    job = jobs.submit_analogue(block(tmp_path, "a")).job
    runner.run(job.id, final=False)

    retried = jobs.retry(job.id)

    assert retried.status is JobStatus.QUEUED and retried.attempts == 0
    assert jobs.dispatcher.sent[-1].id == job.id  # type: ignore[attr-defined]


def test_a_publication_job_without_an_action_is_refused_before_anything_runs(tmp_path: Path) -> None:
    from edepot.job_service import HANDLERS

    with pytest.raises(InvalidInput, match="unknown action None"):
        HANDLERS[JobKind.PUBLICATION](None, {})


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        ({"scope": "everything"}, "unknown scope"),
        ({"aip_id": "not-an-id"}, "not an AIP id"),
        ({"scope": "alle", "aip_id": "5f1d5a0e-0000-4000-8000-000000000000"}, "not both"),
        ({"scope": "alle", "workers": 0}, "not a positive number"),
        ({"scope": "alle", "depth": 3}, "unknown field"),
    ],
)
def test_an_audit_job_with_a_bad_payload_is_refused_before_any_work(payload: Any, complaint: str) -> None:
    from edepot.job_service import HANDLERS

    with pytest.raises(InvalidInput, match=complaint):
        HANDLERS[JobKind.AUDIT](None, payload)


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        ({}, "unknown action"),
        ({"action": "optimise"}, "unknown action"),
        ({"action": "open-lapsed", "today": "yesterday"}, "not a date"),
        ({"action": "sync", "today": "2025-01-01"}, "only for open-lapsed"),
        ({"action": "sync", "force": True}, "unknown field"),
    ],
)
def test_an_indexing_job_with_a_bad_payload_is_refused_before_any_work(payload: Any, complaint: str) -> None:
    from edepot.job_service import HANDLERS

    with pytest.raises(InvalidInput, match=complaint):
        HANDLERS[JobKind.INDEXING](None, payload)


def test_a_job_runs_under_a_lock_of_its_own_for_blocks_and_of_its_kind_for_cursor_sources_and_the_rest() -> None:
    from edepot.job_service import _lock_name

    now = datetime(2025, 12, 3, tzinfo=UTC)

    def job(kind: JobKind, n: int) -> Job:
        return Job(UUID(int=n), kind, kind.queue, {}, f"k{n}", JobStatus.QUEUED, now, now)

    blocks = {_lock_name(job(JobKind.INGEST_ANALOGUE, n)) for n in (1, 2)}
    zaken = {_lock_name(job(JobKind.INGEST_ZAAKSYSTEEM, n)) for n in (1, 2)}

    assert len(blocks) == 2 and "ingest" not in blocks  # two blocks never wait for each other
    assert zaken == {"job:ingest.zaaksysteem"}  # one cursor run at a time
    assert _lock_name(job(JobKind.AUDIT, 3)) == "job:audit"


def test_the_embedded_default_runs_the_job_inline_with_the_same_retry_budget(tmp_path: Path) -> None:
    handler = flaky([StorageError("disk busy")])
    jobs, runner = service(tmp_path, handler=handler)
    jobs.dispatcher = InlineDispatcher(runner)

    submitted = jobs.submit_analogue(block(tmp_path, "a"))

    assert submitted.job.status is JobStatus.DONE and submitted.job.attempts == 2


# --- settings ---------------------------------------------------------------------------------------------


def test_settings_refuse_a_broker_url_that_is_not_one() -> None:
    with pytest.raises(ConfigurationError, match="EDEPOT_BROKER_URL"):
        WorkerSettings.from_env({"EDEPOT_BROKER_URL": "localhost:6379"})


def test_settings_refuse_a_queue_limit_below_one() -> None:
    with pytest.raises(ConfigurationError, match="at least 1"):
        WorkerSettings.from_env({"EDEPOT_QUEUE_LIMIT_INGEST_TEAMS": "0"})


def test_settings_read_per_queue_limits_backoff_and_the_nightly_time() -> None:
    settings = WorkerSettings.from_env(
        {
            "EDEPOT_BROKER_URL": "redis://redis:6379/0",
            "EDEPOT_QUEUE_LIMIT": "20",
            "EDEPOT_QUEUE_LIMIT_INGEST_TEAMS": "3",
            "EDEPOT_JOB_BACKOFF_SECONDS": "5",
            "EDEPOT_JOB_BACKOFF_MAX_SECONDS": "30",
            "EDEPOT_NIGHTLY_AT": "01:15",
        }
    )

    assert not settings.embedded
    assert (settings.limit("ingest.teams"), settings.limit("ingest.analogue")) == (3, 20)
    assert [settings.backoff(n) for n in range(5)] == [5, 10, 20, 30, 30]
    assert (settings.nightly_at.hour, settings.nightly_at.minute) == (1, 15)


def test_pool_settings_come_from_the_environment() -> None:
    pool = PoolSettings.from_env({"EDEPOT_DB_POOL_SIZE": "20", "EDEPOT_DB_MAX_OVERFLOW": "0"})

    assert pool.engine_options()["pool_size"] == 20 and pool.engine_options()["max_overflow"] == 0
    with pytest.raises(ConfigurationError):
        PoolSettings.from_env({"EDEPOT_DB_POOL_PRE_PING": "maybe"})
