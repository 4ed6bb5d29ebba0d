"""Job use cases: submit a job (idempotent, bounded per queue) and run one (the body of every
Celery task). Running a job calls the use-case layer (`Services`, `RetentionService`) and nothing
else; the job row in the catalog is the truth, the broker message only carries the job id.

Running is idempotent. A job that is done or dead is not run again (a redelivered message is a
no-op), and a job runs under a lock (`JobCatalog.exclusive`) that its worker holds while it runs and
that drops when the worker dies, so a message redelivered while the job still runs waits and then
finds it done; after a lost worker the next one takes it over. Analogue ingest jobs lock only
themselves, so several blocks are ingested at once: `Services.ingest` stages in a folder of its own
and holds a lease per source_key (edepot.leases), so it never touches another live ingest's work,
completes a dead one's half-stored AIPs exactly once, and two ingests of one source_key make
consecutive versions. Zaaksysteem and Teams jobs (which read and move a cursor) and the other kinds
run one at a time per kind.

Embedded default (no EDEPOT_BROKER_URL): the InlineDispatcher runs the job in the submitting
process right away, through the same `JobRunner.run` the Celery tasks call. We chose this direct
call path over Celery's `task_always_eager` because eager mode ignores the retry countdown (it
retries immediately, recursively), skips acks_late/reject_on_worker_lost, and would make the
embedded default import and configure Celery just to bypass it.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID, uuid4

from edepot.errors import ConfigurationError, EdepotError, InvalidInput, NotFound
from edepot.jobs import (
    Job,
    JobCatalog,
    JobKind,
    JobQuery,
    JobStatus,
    NotAvailable,
    Submitted,
    canonical,
    fingerprint_folder,
    idempotency_key,
)
from edepot.woo_jobs import run_publication
from edepot.worker_settings import WorkerSettings

# Errors that another attempt cannot cure: the job goes to the dead-letter list at once.
PERMANENT: tuple[type[EdepotError], ...] = (InvalidInput, ConfigurationError, NotAvailable, NotFound)
MAX_ERROR = 4000


class Dispatcher(Protocol):
    def send(self, job: Job) -> None: ...


@dataclass
class RetryLater(Exception):
    """The attempt failed with a transient error; the job is `failed` and should be retried."""

    job: Job
    error: BaseException


Handler = Callable[[Any, Mapping[str, Any]], Mapping[str, Any]]


def _ingest_analogue(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    inventory = Path(payload["inventory"]) if payload.get("inventory") else None
    receipt = services.ingest_analogue(Path(payload["path"]), inventory=inventory)
    return _receipt(receipt)


def _ingest_zaaksysteem(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    since = date.fromisoformat(payload["since"]) if payload.get("since") else None
    receipt = services.ingest_zaaksysteem(
        since=since, zaak_urls=list(payload.get("zaak_urls") or ()), write_back=payload.get("write_back")
    )
    return _receipt(receipt)


def _ingest_teams(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    since = date.fromisoformat(payload["since"]) if payload.get("since") else None
    export = Path(payload["export"]) if payload.get("export") else None
    return _receipt(services.ingest_teams(export=export, since=since))


def _retention_nightly(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    from edepot.retention_service import build_retention

    today = date.fromisoformat(payload["today"]) if payload.get("today") else services.clock.now().date()
    report: Any = build_retention(services).nightly(today)
    result: Mapping[str, Any] = report.as_dict()
    return result


AUDIT_SCOPES = ("verlopen", "alle")
INDEXING_ACTIONS = ("sync", "reindex", "open-lapsed")


def _audit(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """A fixity audit (edepot.audit): {"scope": "verlopen" | "alle"} or {"aip_id": ID}. Rerunning it
    is harmless: an audit only reads, and repairs only what it proves damaged."""
    from edepot.audit import build_auditor

    scope, aip_id = audit_payload(payload)
    workers = payload.get("workers")
    auditor = build_auditor(services)
    result = auditor.run(scope, workers=workers) if aip_id is None else auditor.run(aip_id=aip_id, workers=workers)
    return {"run": result.run.as_dict(), "clean": result.clean, **result.summary_dict()}


def audit_payload(payload: Mapping[str, Any]) -> tuple[str, UUID | None]:
    """(scope, aip id) of an audit job's payload; InvalidInput says what is wrong with it."""
    unknown = sorted(set(payload) - {"scope", "aip_id", "workers"})
    if unknown:
        raise InvalidInput(f"audit job: unknown field(s) {', '.join(unknown)}", hint="give scope or aip_id")
    workers = payload.get("workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise InvalidInput(f"audit job: workers={workers!r} is not a positive number", field="workers")
    if payload.get("aip_id") is not None:
        if payload.get("scope") is not None:
            raise InvalidInput("audit job: give scope or aip_id, not both", hint="one AIP: only aip_id")
        try:
            return "verlopen", UUID(str(payload["aip_id"]))
        except ValueError:
            raise InvalidInput(f"audit job: aip_id {payload['aip_id']!r} is not an AIP id", field="aip_id") from None
    scope = payload.get("scope") or "verlopen"
    if scope not in AUDIT_SCOPES:
        raise InvalidInput(f"audit job: unknown scope {scope!r}", hint="use verlopen or alle", field="scope")
    return str(scope), None


def _indexing(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """Search indexing (edepot.indexing): {"action": "sync" | "reindex" | "open-lapsed", "today"?}.
    Every action converges on the same index whatever ran before, so rerunning one is harmless."""
    from edepot.search_service import build_search

    action, today = indexing_payload(payload)
    search = build_search(services)
    try:
        if action == "sync":
            report = search.indexer.sync()
        elif action == "reindex":
            report = search.indexer.reindex()
        else:
            report = search.indexer.open_lapsed(today)
        result: dict[str, Any] = {"action": action, **report.as_dict()}
        return result
    finally:
        search.close()


def indexing_payload(payload: Mapping[str, Any]) -> tuple[str, date | None]:
    """(action, day) of an indexing job's payload; InvalidInput says what is wrong with it."""
    unknown = sorted(set(payload) - {"action", "today"})
    if unknown:
        raise InvalidInput(f"indexing job: unknown field(s) {', '.join(unknown)}", hint="give action (and today)")
    action = payload.get("action")
    if action not in INDEXING_ACTIONS:
        raise InvalidInput(
            f"indexing job: unknown action {action!r}", hint="use sync, reindex or open-lapsed", field="action"
        )
    today = payload.get("today")
    if today is not None and action != "open-lapsed":
        raise InvalidInput(f"indexing job: today is only for open-lapsed, not {action}", field="today")
    try:
        return str(action), date.fromisoformat(today) if today else None
    except (TypeError, ValueError):
        raise InvalidInput(f"indexing job: today={today!r} is not a date", hint="write YYYY-MM-DD") from None


def _not_available(kind: JobKind) -> Handler:
    def handler(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        raise NotAvailable(
            f"job kind {kind} is not available in this build: its use case is not part of it yet",
            hint="upgrade edepot; the job stays in the dead-letter list and `edepot jobs retry` runs it later",
            kind=str(kind),
        )

    return handler


def _receipt(receipt: Any) -> Mapping[str, Any]:
    data: dict[str, Any] = receipt.as_dict()
    return {
        "submission_id": data["submission_id"],
        "status": data["status"],
        "counts": data["counts"],
        "aips": [{"aip_id": a["aip_id"], "result": a["result"]} for a in data["aips"]],
    }


HANDLERS: dict[JobKind, Handler] = {
    JobKind.INGEST_ANALOGUE: _ingest_analogue,
    JobKind.INGEST_ZAAKSYSTEEM: _ingest_zaaksysteem,
    JobKind.INGEST_TEAMS: _ingest_teams,
    JobKind.RETENTION_NIGHTLY: _retention_nightly,
    JobKind.AUDIT: _audit,
    JobKind.INDEXING: _indexing,
    JobKind.PUBLICATION: run_publication,  # edepot.woo_jobs: publish one publicatie, or the sitemaps
}


def _lock_name(job: Job) -> str:
    """The lock a job runs under (see the module doc): an analogue block only excludes itself; a
    cursor source's run, and every other kind, excludes the other jobs of its kind."""
    return f"job:{job.id}" if job.kind is JobKind.INGEST_ANALOGUE else f"job:{job.kind}"


def _reason(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


@dataclass
class JobRunner:
    """Runs one job by id; the body of every task, in a worker or inline."""

    services: Any
    jobs: JobCatalog
    settings: WorkerSettings
    worker: str = field(default_factory=socket.gethostname)
    handlers: Mapping[JobKind, Handler] = field(default_factory=lambda: dict(HANDLERS))

    def run(self, job_id: UUID, *, final: bool) -> Job:
        """Run the job unless it is done or dead. Returns the job done, or dead after a permanent
        error or (with `final`) a transient one; raises RetryLater after a transient error."""
        job = self.jobs.get(job_id)
        if job.status in (JobStatus.DONE, JobStatus.DEAD):
            return job
        with self.jobs.exclusive(_lock_name(job)):
            job = self.jobs.get(job_id)  # recheck once the lock is ours
            if job.status in (JobStatus.DONE, JobStatus.DEAD):
                return job
            now = self.services.clock.now()
            if job.status is JobStatus.RUNNING and job.attempts > self.settings.max_retries:
                lost = job.to(JobStatus.FAILED, now, last_error=f"the worker running it was lost {job.attempts} times")
                self.jobs.save(lost, expected=JobStatus.RUNNING)
                return self._dead(lost)
            running = job.to(JobStatus.RUNNING, now, attempts=job.attempts + 1, started_at=now, worker=self.worker)
            self.jobs.save(running, expected=job.status)
            try:
                result = self.handlers[job.kind](self.services, running.payload)
            except Exception as error:
                failed = running.to(JobStatus.FAILED, self.services.clock.now(), last_error=_reason(error))
                self.jobs.save(failed, expected=JobStatus.RUNNING)
                if final or isinstance(error, PERMANENT):
                    return self._dead(failed)
                raise RetryLater(failed, error) from error
            done = running.to(
                JobStatus.DONE, self.services.clock.now(), finished_at=self.services.clock.now(), result=dict(result)
            )
            return self.jobs.save(done, expected=JobStatus.RUNNING)

    def _dead(self, failed: Job) -> Job:
        dead = failed.to(JobStatus.DEAD, self.services.clock.now(), finished_at=self.services.clock.now())
        return self.jobs.save(dead, expected=JobStatus.FAILED)


@dataclass
class InlineDispatcher:
    """The embedded default: run the job now, in this process, with the same retry budget (no waits)."""

    runner: JobRunner

    def send(self, job: Job) -> None:
        for attempt in range(self.runner.settings.max_retries + 1):
            try:
                self.runner.run(job.id, final=attempt == self.runner.settings.max_retries)
                return
            except RetryLater:
                continue


@dataclass
class JobService:
    services: Any
    jobs: JobCatalog
    settings: WorkerSettings
    dispatcher: Dispatcher
    new_id: Callable[[], UUID] = uuid4

    # --- submitting ----------------------------------------------------------------------------

    def submit(self, kind: JobKind, payload: Mapping[str, Any], key: str) -> Submitted:
        """Queue a job unless one with `key` exists; refuse with QueueFull when the queue is full.
        A duplicate that is still queued is sent again (a lost message is harmless to resend:
        running a job twice is a no-op)."""
        now = self.services.clock.now()
        job = Job(
            id=self.new_id(),
            kind=kind,
            queue=kind.queue,
            payload=dict(payload),
            idempotency_key=key,
            status=JobStatus.QUEUED,
            created_at=now,
            updated_at=now,
        )
        submitted = self.jobs.submit(job, limit=self.settings.limit(kind.queue), retry_after=self.settings.retry_after)
        if not submitted.duplicate or submitted.job.status is JobStatus.QUEUED:
            self.dispatcher.send(submitted.job)
            if not submitted.duplicate:
                return Submitted(self.jobs.get(job.id), duplicate=False)
        return submitted

    def submit_analogue(self, path: Path, *, inventory: Path | None = None) -> Submitted:
        """A digitised analogue block (a folder the workers can read) as one ingest job; its key
        is source + location + a fingerprint of every file's path, size and content."""
        location = str(path.resolve())
        fingerprint = fingerprint_folder(path)
        payload: dict[str, Any] = {"path": location}
        if inventory is not None:
            payload["inventory"] = str(inventory.resolve())
            fingerprint += ":" + hashlib.sha256(inventory.read_bytes()).hexdigest()
        return self.submit(JobKind.INGEST_ANALOGUE, payload, idempotency_key("analogue", location, fingerprint))

    def submit_zaaksysteem(
        self, *, since: date | None = None, zaak_urls: list[str] | None = None, write_back: str | None = None
    ) -> Submitted:
        """A zaaksysteem run. Without zaken or `since` it continues from the cursor; such a run
        is keyed by day (one cursor run per day unless the earlier one is done and retried)."""
        payload: dict[str, Any] = {"since": since.isoformat() if since else None, "zaak_urls": sorted(zaak_urls or [])}
        if write_back:
            payload["write_back"] = write_back
        location = "cursor:" + self.services.clock.now().date().isoformat() if not (since or zaak_urls) else "zgw"
        return self.submit(
            JobKind.INGEST_ZAAKSYSTEEM, payload, idempotency_key("zaaksysteem", location, canonical(payload))
        )

    def submit_teams(self, *, export: Path | None = None, since: date | None = None) -> Submitted:
        payload: dict[str, Any] = {
            "export": str(export.resolve()) if export else None,
            "since": since.isoformat() if since else None,
        }
        if export is not None:
            location, fingerprint = str(export.resolve()), fingerprint_folder(export)
        else:
            location, fingerprint = "graph:" + self.services.clock.now().date().isoformat(), canonical(payload)
        return self.submit(JobKind.INGEST_TEAMS, payload, idempotency_key("teams", location, fingerprint))

    def submit_nightly(self, today: date) -> Submitted:
        """The nightly retention job of `today` (once per day, whoever triggers it)."""
        payload = {"today": today.isoformat()}
        return self.submit(
            JobKind.RETENTION_NIGHTLY, payload, idempotency_key("retention", "nightly", today.isoformat())
        )

    def submit_audit(self, *, scope: str = "verlopen", aip_id: UUID | None = None) -> Submitted:
        """A fixity audit of the copies in `scope` (verlopen: due; alle: every copy) or of one AIP,
        keyed by its payload and the day: one such audit per day however often it is submitted."""
        payload: dict[str, Any] = {"aip_id": str(aip_id)} if aip_id is not None else {"scope": scope}
        audit_payload(payload)
        return self.submit_other(JobKind.AUDIT, payload)

    def submit_indexing(self, action: str = "sync", *, today: date | None = None) -> Submitted:
        """Search indexing: `sync` is keyed by the catalog's event head (nothing happened since the
        last sync: the same job), `reindex` by the day, `open-lapsed` by its date."""
        payload: dict[str, Any] = {"action": action}
        if action == "open-lapsed":
            payload["today"] = (today or self.services.clock.now().date()).isoformat()
        indexing_payload(payload)
        if action == "sync":
            head = self.services.catalog.event_head()
            day = self.services.clock.now().date().isoformat()
            location = f"sync:{head[0] if head else 0}:{head[1] if head else ''}:{day}"
            return self.submit(JobKind.INDEXING, payload, idempotency_key("indexing", location, canonical(payload)))
        return self.submit_other(JobKind.INDEXING, payload)

    def submit_other(self, kind: JobKind, payload: Mapping[str, Any]) -> Submitted:
        """Audit, indexing or publication work, keyed by its payload (and the day)."""
        day = self.services.clock.now().date().isoformat()
        return self.submit(kind, payload, idempotency_key(str(kind), day, canonical(payload)))

    # --- operating ---------------------------------------------------------------------------

    def get(self, job_id: UUID) -> Job:
        return self.jobs.get(job_id)

    def list_jobs(
        self, *, status: JobStatus | None = None, kind: JobKind | None = None, limit: int = 100, offset: int = 0
    ) -> list[Job]:
        return self.jobs.list(JobQuery(status=status, kind=kind, limit=limit, offset=offset))

    def dead_letters(self, *, limit: int = 100) -> list[Job]:
        return self.jobs.list(JobQuery(status=JobStatus.DEAD, limit=limit))

    def retry(self, job_id: UUID) -> Job:
        """Put a dead job back in its queue (its attempts start again)."""
        job = self.jobs.get(job_id)
        queued = job.to(JobStatus.QUEUED, self.services.clock.now(), attempts=0, finished_at=None)
        self.jobs.save(queued, expected=JobStatus.DEAD)
        self.dispatcher.send(queued)
        return self.jobs.get(job_id)

    def counts(self) -> dict[str, dict[str, int]]:
        return self.jobs.counts()


# --- composition ---------------------------------------------------------------------------------


def worker_services(settings: Any = None) -> Any:
    """`bootstrap.build(settings)`, with the S3 object store when `EDEPOT_S3_*` is set and the
    composition root built the filesystem store anyway (before edepot.storage.config is wired in)."""
    from dataclasses import replace

    from edepot.bootstrap import build
    from edepot.storage.s3_settings import S3Settings

    services = build(settings)
    s3 = S3Settings.from_env()
    # only while the composition root still builds the filesystem store alone
    if s3 is not None and services.store.name == "filesystem" and not os.environ.get("EDEPOT_REPLICAS"):
        from edepot.storage.s3 import S3ObjectStore

        services = replace(services, store=S3ObjectStore.from_settings(s3, clock=services.clock))
    if not hasattr(services.store, "publish_directory"):  # a bare S3ObjectStore
        services = replace(services, store=_BagStore(services.store))
    return services


class _BagStore:
    """An S3 store as the ingest sees it: no one-rename publish (objects are put one by one) and
    nothing to sync (S3 acknowledges a put once it is durable)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.name: str = store.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        return False

    def sync(self) -> None:
        return None


def job_catalog_for(services: Any) -> JobCatalog:
    """The SQL job catalog in the catalog's database, or the in-memory one beside an in-memory catalog."""
    from edepot.catalog.memory import InMemoryCatalog

    if isinstance(services.catalog, InMemoryCatalog):
        from edepot.catalog.jobs_memory import InMemoryJobCatalog

        return InMemoryJobCatalog()
    from edepot.catalog.jobs_sql import SqlJobCatalog
    from edepot.catalog.sql import create_engine_for

    # the catalog's own engine (one connection pool per process), else one for the same database
    engine = getattr(services.catalog, "_engine", None) or create_engine_for(services.settings.catalog_url)
    return SqlJobCatalog(engine)


def build_jobs(services: Any, settings: WorkerSettings | None = None, *, jobs: JobCatalog | None = None) -> JobService:
    """The JobService: Celery dispatch when a broker is configured, else inline (embedded)."""
    settings = settings or WorkerSettings.from_env()
    jobs = jobs or job_catalog_for(services)
    dispatcher: Dispatcher
    if settings.embedded:
        dispatcher = InlineDispatcher(JobRunner(services, jobs, settings))
    else:
        from edepot.tasks import CeleryDispatcher, create_celery

        dispatcher = CeleryDispatcher(create_celery(settings))
    return JobService(services, jobs, settings, dispatcher)
