"""The HTTP side of access control: the `require(action)` dependency, the gate behind it, and the
walk over an app's routes that finds which action each route declares.

The gate authenticates a request (an OIDC bearer JWT, or an `edp_...` API token in the same
`Authorization: Bearer` header), records the login or the failed login, checks the policy and
records a denied request. Failed logins also use up the client's bucket of the public rate limit,
so guessing (and filling the event log) is bounded per client address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import FastAPI, Request, Security
from fastapi.routing import APIRoute, APIRouter
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from edepot.auth.audit import AuditTrail, RequestInfo
from edepot.auth.oidc import OidcValidator
from edepot.auth.policy import Action, allowed
from edepot.auth.principal import Forbidden, NotAuthenticated, Principal
from edepot.auth.tokens import authenticate_token, looks_like_api_token
from edepot.errors import ConfigurationError, EdepotError
from edepot.middleware import TokenBuckets, client_ip
from edepot.settings import IpNetwork

INTERNAL_PREFIX = "/api/v1/"
ACTION_ATTRIBUTE = "edepot_action"
OPENAPI_ACTION = "x-edepot-action"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An OIDC access token of the configured issuer, or an edepot API token (`edp_...`).",
)


class RateLimited(EdepotError):
    code = "rate-limited"
    title = "Too many requests"
    http_status = 429
    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, message: str, *, retry_after: int, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Gate:
    """Authenticates and authorises requests for one app (kept in `app.state.gate`)."""

    def __init__(
        self,
        services: Any,
        *,
        oidc: OidcValidator | None = None,
        trail: AuditTrail | None = None,
        failures: TokenBuckets | None = None,
        trusted_proxies: tuple[IpNetwork, ...] = (),
    ) -> None:
        self.services = services
        self.oidc = oidc
        self.trail = trail or AuditTrail(services)
        self.failures = failures
        self.trusted_proxies = trusted_proxies

    def request_info(self, request: Request) -> RequestInfo:
        return RequestInfo(client_ip(request.scope, self.trusted_proxies), request.method, request.url.path)

    def authenticate(self, credential: str) -> Principal:
        if looks_like_api_token(credential):
            return authenticate_token(self.services, credential)
        if self.oidc is None:
            raise NotAuthenticated(
                "this bearer token is not an edepot API token, and no OIDC issuer is configured",
                hint="send an API token (`edepot token create`) or configure EDEPOT_OIDC_ISSUER",
                reason="unsupported",
            )
        return self.oidc.validate(credential)

    def check(self, request: Request, credentials: HTTPAuthorizationCredentials | None, action: Action) -> Principal:
        info = self.request_info(request)
        try:
            if credentials is None or not credentials.credentials:
                raise NotAuthenticated(
                    "this endpoint needs an `Authorization: Bearer <token>` header", reason="missing"
                )
            principal = self.authenticate(credentials.credentials)
        except NotAuthenticated as error:
            if self.failures is not None:
                wait = self.failures.take(info.client)
                if wait > 0:
                    raise RateLimited(
                        "too many failed logins from this address", retry_after=max(1, round(wait + 0.5))
                    ) from None
            self.trail.failed_login(error, info)
            raise
        self.trail.login(principal, info)
        if not allowed(principal.roles, action):
            self.trail.denied(principal, str(action), info)
            raise Forbidden(
                f"none of your roles ({', '.join(sorted(principal.roles)) or 'none'}) may {action}",
                hint="ask a beheerder for a role that grants it",
                action=str(action),
            )
        request.state.principal = principal
        return principal


def require(action: Action) -> Callable[..., Principal]:
    """A FastAPI dependency: the caller's `Principal` if it may perform `action`, else 401/403."""

    def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
    ) -> Principal:
        gate: Gate = request.app.state.gate
        return gate.check(request, credentials, action)

    setattr(dependency, ACTION_ATTRIBUTE, Action(action))
    dependency.__name__ = f"require_{Action(action).name.lower()}"
    return dependency


# --- which route declares which action ----------------------------------------------------------


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in getattr(dependant, "dependencies", ()):
        yield sub.call
        yield from _calls(sub)


def route_actions(route: APIRoute) -> set[Action]:
    """The actions a route requires through `require(...)`, wherever in its dependencies."""
    return {getattr(call, ACTION_ATTRIBUTE) for call in _calls(route.dependant) if hasattr(call, ACTION_ATTRIBUTE)}


def is_internal(path: str) -> bool:
    return path.startswith(INTERNAL_PREFIX)


def include_routes(app: FastAPI, router: APIRouter) -> None:
    """Add a feature's routes to `app` itself, once (idempotent), so `declare_actions` sees each
    route and can check its action."""
    present = {(r.path, frozenset(r.methods or ())) for r in app.router.routes if isinstance(r, APIRoute)}
    for route in router.routes:
        if isinstance(route, APIRoute) and (route.path, frozenset(route.methods or ())) not in present:
            app.router.routes.append(route)


def undeclared_routes(app: FastAPI) -> list[str]:
    """`METHOD path` of every internal route that does not declare exactly one action."""
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute) and is_internal(route.path) and len(route_actions(route)) != 1:
            found += [f"{method} {route.path}" for method in sorted(route.methods or ())]
    return found


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "hint": {"type": "string"},
        "instance": {"type": "string"},
    },
}


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response of RFC 9457 problem details (the schema is `#/components/schemas/Problem`)."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


def declare_actions(app: FastAPI) -> None:
    """Refuse an app with an internal route that declares no action (or several); put each route's
    action in the OpenAPI schema (`x-edepot-action`) with its 401/403/422/429 problem responses."""
    missing = undeclared_routes(app)
    if missing:
        raise ConfigurationError(
            f"internal route(s) without exactly one declared action: {', '.join(missing)}",
            hint="add `Depends(require(Action....))` to each; see edepot/auth/__init__.py",
        )
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        responses = dict(route.responses)
        if is_internal(route.path):
            (action,) = route_actions(route)
            route.openapi_extra = {**(route.openapi_extra or {}), OPENAPI_ACTION: str(action)}
            responses.setdefault(401, problem_response("No or invalid credentials"))
            responses.setdefault(403, problem_response(f"The caller's roles do not grant {action}"))
        if route.body_field is not None:
            responses.setdefault(400, problem_response("The body is not parseable (e.g. malformed JSON)"))
        responses.setdefault(422, problem_response("Invalid input"))
        responses.setdefault(429, problem_response("Too many requests from this address"))
        route.responses = responses
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
