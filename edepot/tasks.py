"""Celery tasks: one per job kind, each taking a job id and running it through `JobRunner.run`
(which calls the use-case layer and nothing else). Queues: ingest.analogue, ingest.zaaksysteem,
ingest.teams (one per source), audit, indexing, retention.nightly, publication.

Every task acknowledges late and is rejected (so requeued) when its worker is lost
(`acks_late=True, reject_on_worker_lost=True`, prefetch 1): the broker hands the job to another
worker once `EDEPOT_BROKER_VISIBILITY_TIMEOUT` has passed. A transient failure is retried with
exponential backoff (EDEPOT_JOB_BACKOFF_SECONDS, doubling, at most EDEPOT_JOB_BACKOFF_MAX_SECONDS);
after the last of EDEPOT_JOB_MAX_RETRIES retries, or at once after a permanent error, the job
goes to the dead-letter list (status dead, with the reason in last_error; `edepot jobs list
--status dead`). Publication is registered but fails with "not available in this build" until its
use case is part of it.

The app is made by `create_celery(settings)`. Nothing is built at import time, except on demand
for Celery's own discovery: `celery -A edepot.tasks worker` reads the module attribute `app`,
which this module makes (once, from the environment) when it is first asked for (PEP 562
`__getattr__`). `edepot worker` and `edepot beat` call the factory themselves.

The nightly schedule (Celery beat) submits the retention job at EDEPOT_NIGHTLY_AT, Europe/Amsterdam.
Its key is the date, so several beats (or beat and cron) still make one job per night.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from celery import Celery, Task
from celery.schedules import crontab

from edepot.jobs import Job, JobKind
from edepot.worker_settings import WorkerSettings

NIGHTLY_TASK = "edepot.schedule.nightly"


@dataclass
class _Runtime:
    """The JobRunner of this worker process, built on its first task (after the prefork fork:
    database pools and S3 clients are never shared between processes)."""

    settings: WorkerSettings
    _runner: Any = None
    _pid: int = 0

    def runner(self) -> Any:
        if self._runner is None or self._pid != os.getpid():
            from edepot.job_service import JobRunner, job_catalog_for, worker_services

            services = worker_services()
            self._runner = JobRunner(services, job_catalog_for(services), self.settings)
            self._pid = os.getpid()
        return self._runner


def _register(app: Celery, kind: JobKind, runtime: _Runtime) -> None:
    settings = runtime.settings

    def run(task: Task, job_id: str) -> str:
        from edepot.job_service import RetryLater

        runner = runtime.runner()
        runner.worker = task.request.hostname or runner.worker  # the Celery node name, e.g. w1@host
        try:
            job = runner.run(UUID(job_id), final=task.request.retries >= settings.max_retries)
        except RetryLater as retry:
            raise task.retry(countdown=settings.backoff(task.request.retries), exc=retry.error) from None
        return str(job.status)

    app.task(
        name=kind.task_name,
        bind=True,
        queue=kind.queue,
        acks_late=True,
        reject_on_worker_lost=True,
        max_retries=settings.max_retries,
        ignore_result=True,
    )(run)


def _register_nightly(app: Celery) -> None:
    def nightly(task: Task) -> str:
        from edepot.job_service import build_jobs, worker_services

        services = worker_services()
        today = datetime.now(UTC).astimezone().date()
        return str(build_jobs(services).submit_nightly(today).job.id)

    app.task(name=NIGHTLY_TASK, bind=True, queue=JobKind.RETENTION_NIGHTLY.queue, ignore_result=True)(nightly)


def create_celery(settings: WorkerSettings | None = None) -> Celery:
    """The Celery app for `settings` (default: from the environment)."""
    settings = settings or WorkerSettings.from_env()
    if settings.broker_url is None:
        from edepot.errors import ConfigurationError

        raise ConfigurationError(
            "no broker: EDEPOT_BROKER_URL is not set",
            hint="set EDEPOT_BROKER_URL=redis://HOST:6379/0 for workers; the embedded default runs jobs in-process",
            setting="EDEPOT_BROKER_URL",
        )
    app = Celery("edepot", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_routes={kind.task_name: {"queue": kind.queue} for kind in JobKind},
        task_default_queue=JobKind.INGEST_ANALOGUE.queue,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        timezone=settings.timezone,
        enable_utc=True,
        beat_schedule={
            "retention-nightly": {
                "task": NIGHTLY_TASK,
                "schedule": crontab(hour=settings.nightly_at.hour, minute=settings.nightly_at.minute),
            }
        },
    )
    runtime = _Runtime(settings)
    for kind in JobKind:
        _register(app, kind, runtime)
    _register_nightly(app)
    return app


@dataclass
class CeleryDispatcher:
    """Sends a job's id to its queue."""

    app: Celery

    def send(self, job: Job) -> None:
        self.app.send_task(job.kind.task_name, args=[str(job.id)], queue=job.queue)


_app: Celery | None = None


def __getattr__(name: str) -> Any:
    """`app` on demand, for `celery -A edepot.tasks ...` (see the module doc)."""
    global _app
    if name == "app":
        if _app is None:
            _app = create_celery()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
