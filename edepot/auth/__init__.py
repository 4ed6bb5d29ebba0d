"""Access control for edepot: who is calling (`principal`), what they may do (`policy`), how they
prove it (`oidc` bearer JWTs, `tokens` for service accounts), and the audit trail of it (`audit`).

Every internal route (`/api/v1/...`) declares ONE action with the `require` dependency; public
routes (`/health`, `/api/public/...`) have none. `create_app` refuses to build an app with an
internal route that declares no action, and a test walks the OpenAPI schema (where each operation
carries `x-edepot-action`) for every role against `policy.POLICY`.

How a router of a later feature uses it::

    from typing import Annotated
    from fastapi import APIRouter, Depends, Request
    from edepot.auth import Action, Principal, acting, require

    router = APIRouter(prefix="/api/v1/retention", tags=["retention"])

    @router.post("/lists/{list_id}/approve")
    def approve(
        list_id: UUID,
        request: Request,
        principal: Annotated[Principal, Depends(require(Action.RETENTION_APPROVE))],
    ) -> dict[str, Any]:
        services = acting(request.app.state.services, principal)  # its events name the principal
        ...

    # or, when the handler does not need the principal:
    @router.get("/lists", dependencies=[Depends(require(Action.RETENTION_READ))])

A new permission is a new `Action` member plus the roles that get it in `POLICY` (policy.py);
nothing else grants rights. `require` answers 401 (problem+json, `WWW-Authenticate: Bearer`) without
valid credentials and 403 when no role of the caller grants the action; both are recorded as
events. A route that returns records with a beperkingGebruik must let only principals with
`Action.RECORD_READ_RESTRICTED` see them and record each read with
`request.app.state.gate.trail.restricted_reads(principal, records, gate.request_info(request))`.
Use `edepot.auth.audit.acting(services, principal)` for changes, so their events name the principal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from edepot.auth.audit import acting
from edepot.auth.policy import POLICY, Action, Role, allowed
from edepot.auth.principal import AuthMethod, Forbidden, NotAuthenticated, Principal

if TYPE_CHECKING:
    from edepot.auth.http import require

__all__ = [
    "POLICY",
    "Action",
    "AuthMethod",
    "Forbidden",
    "NotAuthenticated",
    "Principal",
    "Role",
    "acting",
    "allowed",
    "require",
]


def __getattr__(name: str) -> Any:
    # `require` needs FastAPI; importing it lazily keeps the catalog and the CLI free of it.
    if name == "require":
        from edepot.auth.http import require

        return require
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
