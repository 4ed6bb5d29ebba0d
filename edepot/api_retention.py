"""HTTP routes of retention under /api/v1/retention/: lists, inspect, submit, approve, reject, remove
an item, cancel, execute, decisions and exclusions. Each route declares its action with `require`;
approve and reject need `retention.approve`, which the policy grants the archivaris only.

Register in `create_app` BEFORE `declare_actions(app)`:

    from edepot.api_retention import install as install_retention
    install_retention(app)

`install` adds the routes to the app's own route list: with FastAPI 0.165 `include_router` adds one
`_IncludedRouter` entry instead, which `edepot.auth.http.declare_actions` does not look into (so it
would neither check nor document their actions).

The RetentionService is `app.state.retention` when the app has one (tests set it), else it is
built once from `app.state.services` (`edepot.retention_service.build_retention`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field

from edepot.auth.http import include_routes, problem_response, require
from edepot.auth.policy import Action
from edepot.auth.principal import Principal
from edepot.retention_workflow import LijstSoort, LijstStatus, UitsluitingSoort

router = APIRouter(prefix="/api/v1/retention", tags=["retention"])

Reader = Annotated[Principal, Depends(require(Action.RETENTION_READ))]
Proposer = Annotated[Principal, Depends(require(Action.RETENTION_PROPOSE))]
Approver = Annotated[Principal, Depends(require(Action.RETENTION_APPROVE))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem_response("No such list, item, AIP or exclusion")}
CONFLICT: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: problem_response("Not allowed in the list's current status, or it changed meanwhile"),
}


def install(app: FastAPI) -> None:
    """Add every retention route to `app` itself (see the module doc)."""
    include_routes(app, router)


def retention_service(request: Request) -> Any:
    service = getattr(request.app.state, "retention", None)
    if service is None:
        from edepot.retention_service import build_retention

        service = build_retention(request.app.state.services)
        request.app.state.retention = service
    return service


class Approval(BaseModel):
    revisie: int | None = Field(default=None, ge=1, description="The revisie reviewed; refused if it changed since")


class Rejection(BaseModel):
    reden: str = Field(min_length=1, max_length=4000)
    items: dict[UUID, str] = Field(default_factory=dict, description="AIP id -> why this item is wrong")
    revisie: int | None = Field(default=None, ge=1)


class Removal(BaseModel):
    reden: str = Field(min_length=1, max_length=4000)
    nieuwe_datum: date = Field(description="The new archiefactiedatum (or transfer date)")


class Reason(BaseModel):
    reden: str = Field(min_length=1, max_length=4000)


class NewExclusion(BaseModel):
    aip_id: UUID
    soort: UitsluitingSoort
    reden: str = Field(min_length=1, max_length=4000)


@router.get("/lists", dependencies=[Depends(require(Action.RETENTION_READ))])
def get_lists(
    request: Request, soort: LijstSoort | None = None, status: LijstStatus | None = None
) -> list[dict[str, Any]]:
    """Vernietigingslijsten and overbrengingslijsten, newest first, with counts per item status."""
    return [lst.as_dict(items=False) for lst in retention_service(request).catalog.lists(soort=soort, status=status)]


@router.get("/lists/{list_id}", responses=NOT_FOUND, dependencies=[Depends(require(Action.RETENTION_READ))])
def get_list(list_id: UUID, request: Request) -> dict[str, Any]:
    """One list with its items, each with its open exclusions, and its verklaring once executed."""
    shown: dict[str, Any] = retention_service(request).show(list_id)
    return shown


@router.post("/lists/{list_id}/submit", responses=CONFLICT)
def submit(list_id: UUID, request: Request, principal: Proposer) -> dict[str, Any]:
    """Put a concept (or reworked) list up for review by the archivaris."""
    service = retention_service(request).acting(principal)
    return dict(service.submit(list_id, principal).as_dict(items=False))


@router.post("/lists/{list_id}/approve", responses=CONFLICT)
def approve(list_id: UUID, request: Request, principal: Approver, body: Approval | None = None) -> dict[str, Any]:
    """Approve a list under review; its waiting period starts. Not by the one who submitted it."""
    service = retention_service(request).acting(principal)
    revisie = body.revisie if body else None
    return dict(service.approve(list_id, principal, revisie=revisie).as_dict(items=False))


@router.post("/lists/{list_id}/reject", responses=CONFLICT)
def reject(list_id: UUID, body: Rejection, request: Request, principal: Approver) -> dict[str, Any]:
    """Reject a list under review with a reason, and a reason per wrong item."""
    service = retention_service(request).acting(principal)
    return dict(service.reject(list_id, principal, body.reden, body.items, revisie=body.revisie).as_dict())


@router.post("/lists/{list_id}/items/{aip_id}/remove", responses=CONFLICT)
def remove_item(list_id: UUID, aip_id: UUID, body: Removal, request: Request, principal: Proposer) -> dict[str, Any]:
    """Take an AIP off a list with a reason and a new archiefactiedatum."""
    service = retention_service(request).acting(principal)
    return dict(service.remove_item(list_id, aip_id, principal, body.reden, body.nieuwe_datum).as_dict())


@router.post("/lists/{list_id}/cancel", responses=CONFLICT)
def cancel(list_id: UUID, body: Reason, request: Request, principal: Proposer) -> dict[str, Any]:
    """Cancel a list, until its first item has been executed."""
    service = retention_service(request).acting(principal)
    return dict(service.cancel(list_id, principal, body.reden).as_dict(items=False))


@router.post("/lists/{list_id}/execute", responses=CONFLICT)
def execute(list_id: UUID, request: Request, principal: Proposer) -> dict[str, Any]:
    """Execute an approved list after its waiting period (destruction or transfer)."""
    service = retention_service(request).acting(principal)
    return dict(service.execute(list_id, principal).as_dict())


@router.get("/decisions/{aip_id}", responses=NOT_FOUND, dependencies=[Depends(require(Action.RETENTION_READ))])
def get_decision(aip_id: UUID, request: Request) -> dict[str, Any]:
    """The retention decision of one AIP: waardering, category, dates and the reason."""
    return dict(retention_service(request).catalog.get_decision(aip_id).as_dict())


@router.get("/exclusions", dependencies=[Depends(require(Action.RETENTION_READ))])
def get_exclusions(
    request: Request,
    aip_id: UUID | None = None,
    open_only: bool = Query(True, alias="open"),
    limit: int = Query(1000, ge=1, le=10000),
) -> list[dict[str, Any]]:
    """Legal holds and other exclusions with their reasons."""
    found = retention_service(request).catalog.exclusions(aip_id=aip_id, open_only=open_only, limit=limit)
    return [u.as_dict() for u in found]


@router.post("/exclusions", status_code=201, responses=NOT_FOUND)
def add_exclusion(body: NewExclusion, request: Request, principal: Proposer) -> dict[str, Any]:
    """Place a legal hold, Woo-verzoek, bezwaar/beroep/procedure or hotspot exclusion."""
    service = retention_service(request).acting(principal)
    return dict(service.place_exclusion(body.aip_id, body.soort, body.reden, door=principal.agent).as_dict())


@router.post("/exclusions/{exclusion_id}/lift", responses=NOT_FOUND)
def lift_exclusion(exclusion_id: UUID, body: Reason, request: Request, principal: Proposer) -> dict[str, Any]:
    """Lift an exclusion."""
    service = retention_service(request).acting(principal)
    return dict(service.lift_exclusion(exclusion_id, body.reden, door=principal.agent).as_dict())
