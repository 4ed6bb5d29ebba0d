"""HTTP routes of storage copies and fixity audits: the copies of an AIP, the audit status, the
report for the provinciearchivaris (HTML, PDF, CSV, JSON), a one-AIP audit, and `/metrics`.

Register in `create_app` BEFORE `declare_actions(app)`:

    from edepot.api_audit import install as install_audit
    install_audit(app)

(`install` adds the routes to the app's own route list, as edepot.api_retention explains.)

Actions: copies need `aip.read`; status, report and metrics need `audit.read` (DIM, archivaris,
beheerder); running an audit needs `audit.run`. `/metrics` is NOT public: it tells how much is kept,
where it is damaged and how far behind the audits are, which is operational intelligence about the
archive, and each scrape runs aggregate queries over every copy (a cheap way to load the database for
anyone who can reach it). Prometheus sends an edepot API token (`authorization: {credentials: ...}`
in its scrape config) of a service account with a role that has `audit.read`.

The Auditor is `app.state.auditor` when the app has one (tests set it), else it is built once from
`app.state.services` (`edepot.audit.build_auditor`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import PlainTextResponse

from edepot.auth.http import OPENAPI_ACTION, include_routes, problem_response, require
from edepot.auth.policy import Action
from edepot.auth.principal import Principal

router = APIRouter(tags=["audit"])

AuditReader = Annotated[Principal, Depends(require(Action.AUDIT_READ))]
AuditRunner = Annotated[Principal, Depends(require(Action.AUDIT_RUN))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem_response("No such AIP (or it is not stored yet)")}
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def install(app: FastAPI) -> None:
    """Add every audit route to `app` itself (idempotent)."""
    include_routes(app, router)


def _auditor(request: Request) -> Any:
    auditor = getattr(request.app.state, "auditor", None)
    if auditor is None:
        from edepot.audit import build_auditor

        auditor = build_auditor(request.app.state.services)
        request.app.state.auditor = auditor
    return auditor


@router.get(
    "/api/v1/aips/{aip_id}/copies",
    tags=["aips"],
    responses=NOT_FOUND,
    dependencies=[Depends(require(Action.AIP_READ))],
)
def aip_copies(aip_id: UUID, request: Request) -> dict[str, Any]:
    """How many verified copies the AIP has, in which stores, and when each was last verified."""
    result: dict[str, Any] = _auditor(request).copies_of_aip(aip_id)
    return result


@router.get("/api/v1/audit/status")
def audit_status(request: Request, principal: AuditReader) -> dict[str, Any]:
    """Per store: copies, the oldest good check and its age in days, overdue copies; damaged AIPs."""
    result: dict[str, Any] = _auditor(request).status()
    return result


@router.get(
    "/api/v1/audit/report",
    responses={
        200: {
            "description": "The report in the requested format",
            "content": {
                "text/html": {},
                "application/pdf": {},
                "text/csv": {},
                "application/json": {},
            },
        }
    },
)
def audit_report(
    request: Request,
    principal: AuditReader,
    format: Annotated[Literal["html", "pdf", "csv", "json"], Query(description="html | pdf | csv | json")] = "html",
    start: Annotated[date | None, Query(alias="from", description="First day (default: a cadence before `to`)")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default: today)")] = None,
) -> Response:
    """The fixity-audit report for the provinciearchivaris, in Dutch."""
    from edepot.audit_report import MEDIA_TYPES, render

    data = _auditor(request).report_data(start, end)
    headers = {}
    if format != "html":
        headers["Content-Disposition"] = (
            f'attachment; filename="controlerapport-{data["period"]["from"]}-{data["period"]["to"]}.{format}"'
        )
    return Response(render(data, format), media_type=MEDIA_TYPES[format], headers=headers)


@router.post("/api/v1/audit/aips/{aip_id}", responses=NOT_FOUND)
def audit_aip(aip_id: UUID, request: Request, principal: AuditRunner) -> dict[str, Any]:
    """Audit every copy of one AIP now (repairing from a good copy where needed); the run's result."""
    from edepot.auth.audit import acting

    auditor = _auditor(request)
    acting_services = acting(request.app.state.services, principal)
    from edepot.audit import Auditor

    run = Auditor(acting_services, auditor.catalog, settings=auditor.settings, alert=auditor.alert)
    result: dict[str, Any] = run.run(aip_id=aip_id).as_dict()
    return result


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    tags=["beheer"],
    # outside /api/v1, so declare_actions does not document it: say it here, as it does
    openapi_extra={OPENAPI_ACTION: str(Action.AUDIT_READ)},
    responses={
        401: problem_response("No or invalid credentials"),
        403: problem_response(f"The caller's roles do not grant {Action.AUDIT_READ}"),
    },
)
def metrics(request: Request, principal: AuditReader) -> PlainTextResponse:
    """The audit state in the Prometheus text format (needs `audit.read`: see the module doc)."""
    return PlainTextResponse(_auditor(request).metrics_text(), media_type=PROMETHEUS)
