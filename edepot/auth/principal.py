"""Who is calling: the authenticated principal, and the two errors of authentication and authorisation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from edepot.auth.policy import Role
from edepot.errors import EdepotError


class AuthMethod(StrEnum):
    OIDC = "oidc"  # a bearer JWT from the configured identity provider
    API_TOKEN = "api-token"  # an edepot API token of a service account  # noqa: S105
    LOCAL = "local"  # the command line, run by an operator on the server


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. `token_id` is the API token's id or the JWT's `jti` (never the secret)."""

    subject: str
    display_name: str
    roles: frozenset[Role]
    method: AuthMethod
    token_id: str | None = None

    @property
    def agent(self) -> str:
        """How events name this principal: `oidc:alice`, `api-token:<id> (naam)`."""
        if self.method is AuthMethod.API_TOKEN:
            return f"{self.method}:{self.token_id} ({self.display_name})"
        return f"{self.method}:{self.subject}"

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "display_name": self.display_name,
            "roles": sorted(self.roles),
            "method": str(self.method),
            "token_id": self.token_id,
        }


class NotAuthenticated(EdepotError):
    """No credentials, or credentials that do not verify (HTTP 401 with `WWW-Authenticate: Bearer`)."""

    code = "not-authenticated"
    title = "Authentication required"
    http_status = 401
    exit_code = 77  # EX_NOPERM

    @property
    def headers(self) -> dict[str, str]:
        """RFC 6750: say that a bearer token is wanted, and whether the one sent was invalid."""
        error = ', error="invalid_token"' if self.fields.get("reason") not in (None, "missing") else ""
        return {"WWW-Authenticate": f'Bearer realm="edepot"{error}'}


class Forbidden(EdepotError):
    """Authenticated, but the policy does not grant this action to any of the caller's roles."""

    code = "forbidden"
    title = "Not allowed"
    http_status = 403
    exit_code = 77
