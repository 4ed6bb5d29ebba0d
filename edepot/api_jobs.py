"""HTTP routes of jobs under /api/v1/jobs: submit an analogue block folder that the workers can
read (202, or 200 when the same batch was submitted before; 429 with Retry-After when the queue
is full), list jobs, show one. Register in `create_app` BEFORE `declare_actions(app)`:

    from edepot.api_jobs import install as install_jobs
    install_jobs(app)

The JobService is `app.state.jobs` when the app has one, else it is built once from
`app.state.services` (`edepot.job_service.build_jobs`). `create_app_with_jobs` is a uvicorn factory
(`uvicorn --factory edepot.api_jobs:create_app_with_jobs`) for API replicas until then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from edepot.auth.http import include_routes, problem_response, require
from edepot.auth.policy import Action
from edepot.auth.principal import Principal
from edepot.errors import InvalidInput
from edepot.jobs import JobKind, JobStatus

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

Submitter = Annotated[Principal, Depends(require(Action.SUBMISSION_CREATE))]
Reader = Annotated[Principal, Depends(require(Action.SUBMISSION_READ))]


class AnalogueJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: StrictStr = Field(min_length=1, max_length=4096, description="Block folder on the shared volume")
    inventory: StrictStr | None = Field(default=None, max_length=4096)


def install(app: FastAPI) -> None:
    """Add every job route to `app` itself (as edepot.api_retention does)."""
    include_routes(app, router)


def _service(request: Request) -> Any:
    service = getattr(request.app.state, "jobs", None)
    if service is None:
        from edepot.job_service import build_jobs

        service = build_jobs(request.app.state.services)
        request.app.state.jobs = service
    return service


@router.post(
    "/analogue",
    status_code=202,
    responses={
        200: {"description": "The same batch was submitted before: that job"},
        429: problem_response("The queue is full: submit again after Retry-After seconds"),
    },
)
def submit_analogue(body: AnalogueJob, request: Request, principal: Submitter) -> JSONResponse:
    """Queue the ingest of a block folder; idempotent per source, location and content."""
    path = Path(body.path)
    if not path.is_absolute() or not path.is_dir():
        raise InvalidInput(f"{body.path} is not an absolute path of a folder", hint="give the block folder")
    inventory = Path(body.inventory) if body.inventory else None
    submitted = _service(request).submit_analogue(path, inventory=inventory)
    return JSONResponse(
        {**submitted.job.as_dict(), "duplicate": submitted.duplicate}, status_code=200 if submitted.duplicate else 202
    )


@router.get("")
def list_jobs(
    request: Request,
    principal: Reader,
    status: JobStatus | None = None,
    kind: JobKind | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    service = _service(request)
    found = service.list_jobs(status=status, kind=kind, limit=limit, offset=offset)
    return {"jobs": [j.as_dict() for j in found], "counts": service.counts()}


@router.get("/{job_id}", responses={404: problem_response("No such job")})
def get_job(job_id: UUID, request: Request, principal: Reader) -> dict[str, Any]:
    result: dict[str, Any] = _service(request).get(job_id).as_dict()
    return result


def create_app_with_jobs() -> FastAPI:
    """The API (`edepot.api.create_app`) with the job routes, on `worker_services()`."""
    from edepot.api import create_app
    from edepot.job_service import worker_services

    app = create_app(worker_services())
    install(app)
    return app
