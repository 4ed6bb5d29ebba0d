"""`edepot worker`, `edepot beat` and `edepot jobs list|show|retry|submit`. Thin: parse, call the
JobService (or start Celery), print (JSON with `--json`). Register them at the END of edepot/cli.py:

    from edepot.cli_worker import beat, jobs, worker  # noqa: E402
    main.add_command(worker); main.add_command(beat); main.add_command(jobs)

Nightly work without Celery beat (cron): `30 2 * * * edepot jobs submit nightly` queues the
nightly retention job (keyed by date, so beat and cron together still make one job per night);
in the embedded default it runs right away in that process. `edepot jobs submit audit` and
`edepot jobs submit indexing open-lapsed` do the same for the daily audit of due copies and the
opening of lapsed restrictions (each keyed by its day too). `edepot jobs submit publication
sitemaps|publish ID` queues the Woo publication job (`edepot.woo_jobs`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from edepot.cli_common import _emit, _services, handle_errors, json_option
from edepot.jobs import QUEUES, Job, JobKind, JobStatus, QueueFull, Submitted


def _jobs(ctx: click.Context) -> Any:
    if "jobs" not in ctx.obj:
        from edepot.job_service import build_jobs

        ctx.obj["jobs"] = build_jobs(_services(ctx))
    return ctx.obj["jobs"]


def _line(job: Job) -> str:
    error = f"  {job.last_error[:80]}" if job.last_error else ""
    return f"{job.id}  {job.kind:<20} {job.status:<8} attempts={job.attempts}{error}"


@click.command()
@click.option(
    "--queues",
    "-Q",
    default=",".join(QUEUES),
    show_default=True,
    help="Comma-separated queues this worker consumes (e.g. ingest.analogue,ingest.teams).",
)
@click.option("--concurrency", "-c", type=int, default=1, show_default=True, help="Jobs run at the same time.")
@click.option(
    "--pool",
    type=click.Choice(["prefork", "solo", "threads"]),
    default="prefork",
    show_default=True,
    help="Celery execution pool (solo: one job at a time in the worker process itself).",
)
@click.option("--hostname", "-n", default=None, help="Worker node name (default celery@HOST).")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@handle_errors
def worker(queues: str, concurrency: int, pool: str, hostname: str | None, loglevel: str) -> None:
    """Start a Celery worker for the job queues (needs EDEPOT_BROKER_URL)."""
    from edepot.tasks import create_celery

    unknown = [q for q in queues.split(",") if q.strip() and q.strip() not in QUEUES]
    if unknown:
        raise click.BadParameter(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(QUEUES)}")
    app = create_celery()
    argv = ["worker", f"--queues={queues}", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}"]
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)


@click.command()
@click.option("--schedule-file", type=click.Path(path_type=Path), default=None, help="Where beat keeps its state.")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@handle_errors
def beat(schedule_file: Path | None, loglevel: str) -> None:
    """Start Celery beat: submits the nightly retention job at EDEPOT_NIGHTLY_AT (run exactly one)."""
    from edepot.tasks import create_celery

    app = create_celery()
    argv = ["beat", f"--loglevel={loglevel}"]
    if schedule_file:
        argv.append(f"--schedule={schedule_file}")
    app.start(argv)


@click.group()
def jobs() -> None:
    """Background jobs: list, show, retry from the dead-letter list, submit."""


@jobs.command("list")
@click.option(
    "--status", type=click.Choice([str(s) for s in JobStatus]), default=None, help="dead: the dead-letter list"
)
@click.option("--kind", type=click.Choice([str(k) for k in JobKind]), default=None)
@click.option("--limit", type=int, default=100, show_default=True)
@json_option
@click.pass_context
@handle_errors
def list_jobs(ctx: click.Context, status: str | None, kind: str | None, limit: int, as_json: bool) -> None:
    """Jobs, oldest first, with per-queue counts."""
    service = _jobs(ctx)
    found = service.list_jobs(
        status=JobStatus(status) if status else None, kind=JobKind(kind) if kind else None, limit=limit
    )
    counts = service.counts()
    text = "\n".join([_line(j) for j in found] or ["no jobs"])
    text += "\n" + "\n".join(f"{q}: {', '.join(f'{s}={n}' for s, n in sorted(c.items()))}" for q, c in counts.items())
    _emit(as_json, {"jobs": [j.as_dict() for j in found], "counts": counts}, text.rstrip())


@jobs.command("show")
@click.argument("job_id", type=click.UUID)
@json_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, job_id: UUID, as_json: bool) -> None:
    """One job with its payload, attempts, last error and result."""
    job = _jobs(ctx).get(job_id)
    data = job.as_dict()
    _emit(as_json, data, "\n".join(f"{k:16} {v}" for k, v in data.items()))


@jobs.command("retry")
@click.argument("job_id", type=click.UUID)
@json_option
@click.pass_context
@handle_errors
def retry(ctx: click.Context, job_id: UUID, as_json: bool) -> None:
    """Put a job from the dead-letter list back in its queue."""
    job = _jobs(ctx).retry(job_id)
    _emit(as_json, job.as_dict(), f"queued again: {_line(job)}")


def _submitted(as_json: bool, submitted: Submitted) -> None:
    word = "already submitted" if submitted.duplicate else "submitted"
    _emit(as_json, {**submitted.job.as_dict(), "duplicate": submitted.duplicate}, f"{word}: {_line(submitted.job)}")


def _queue_full(error: QueueFull) -> None:
    click.echo(
        f"error: {error.message}\n  the queue is full; nothing is lost: run the same command again in "
        f"{error.retry_after} seconds (resubmitting an already queued batch is harmless)",
        err=True,
    )
    raise SystemExit(error.exit_code)


@jobs.group("submit")
def submit() -> None:
    """Queue a job (in the embedded default it runs right away)."""


@submit.command("analogue")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--inventory", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@json_option
@click.pass_context
@handle_errors
def submit_analogue(ctx: click.Context, path: Path, inventory: Path | None, as_json: bool) -> None:
    """A digitised analogue block (a folder every worker can read)."""
    try:
        _submitted(as_json, _jobs(ctx).submit_analogue(path, inventory=inventory))
    except QueueFull as error:
        _queue_full(error)


@submit.command("zaaksysteem")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--zaak", "zaken", multiple=True, help="A zaak URL (repeatable).")
@json_option
@click.pass_context
@handle_errors
def submit_zaaksysteem(ctx: click.Context, since: Any, zaken: tuple[str, ...], as_json: bool) -> None:
    """Closed zaken since the cursor (or --since), or the given zaken."""
    try:
        _submitted(as_json, _jobs(ctx).submit_zaaksysteem(since=since.date() if since else None, zaak_urls=list(zaken)))
    except QueueFull as error:
        _queue_full(error)


@submit.command("teams")
@click.option("--export", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
@json_option
@click.pass_context
@handle_errors
def submit_teams(ctx: click.Context, export: Path | None, since: Any, as_json: bool) -> None:
    """Teams threads and chats, from Graph or an export folder."""
    try:
        _submitted(as_json, _jobs(ctx).submit_teams(export=export, since=since.date() if since else None))
    except QueueFull as error:
        _queue_full(error)


@submit.command("nightly")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: today.")
@json_option
@click.pass_context
@handle_errors
def submit_nightly(ctx: click.Context, today: Any, as_json: bool) -> None:
    """The nightly retention job (once per date; for cron)."""
    try:
        _submitted(as_json, _jobs(ctx).submit_nightly(today.date() if today else date.today()))
    except QueueFull as error:
        _queue_full(error)


@submit.command("audit")
@click.option("--all", "everything", is_flag=True, help="Every copy of every stored AIP.")
@click.option("--aip", "aip_id", type=click.UUID, default=None, help="Every copy of this one AIP.")
@json_option
@click.pass_context
@handle_errors
def submit_audit(ctx: click.Context, everything: bool, aip_id: UUID | None, as_json: bool) -> None:
    """A fixity audit: the copies that are due (default), --all, or --aip ID (once per day each)."""
    if everything and aip_id is not None:
        raise click.BadParameter("choose --all or --aip, not both")
    try:
        _submitted(as_json, _jobs(ctx).submit_audit(scope="alle" if everything else "verlopen", aip_id=aip_id))
    except QueueFull as error:
        _queue_full(error)


@submit.command("indexing")
@click.argument("action", type=click.Choice(["sync", "reindex", "open-lapsed"]), default="sync")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="open-lapsed: the day (default today).")
@json_option
@click.pass_context
@handle_errors
def submit_indexing(ctx: click.Context, action: str, today: Any, as_json: bool) -> None:
    """Search indexing: sync (new and changed records), reindex (rebuild) or open-lapsed (the daily job)."""
    try:
        _submitted(as_json, _jobs(ctx).submit_indexing(action, today=today.date() if today else None))
    except QueueFull as error:
        _queue_full(error)


@submit.command("publication")
@click.argument("action", type=click.Choice(["sitemaps", "publish"]))
@click.argument("publicatie", required=False)
@json_option
@click.pass_context
@handle_errors
def submit_publication_job(ctx: click.Context, action: str, publicatie: str | None, as_json: bool) -> None:
    """Woo: sitemaps (reconcile the DiWoo sitemaps) or publish ID (publish one concept publicatie)."""
    from edepot.woo_jobs import submit_publication

    if action == "publish" and not publicatie:
        raise click.BadParameter("publish needs the publicatie id, e.g. publish pub-0123456789abcdef")
    if action == "sitemaps" and publicatie:
        raise click.BadParameter("sitemaps takes no publicatie id")
    payload = {"action": action, **({"publicatie": publicatie} if publicatie else {})}
    try:
        _submitted(as_json, submit_publication(_jobs(ctx), payload))
    except QueueFull as error:
        _queue_full(error)
