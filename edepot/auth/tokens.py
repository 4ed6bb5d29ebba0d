"""API tokens for service accounts: issued once, stored hashed, scoped to roles, expiring, revocable.

A token reads `edp_<id>_<secret>`: `id` is the catalog id (32 hex characters, not secret; it names
the token in listings, events and revocation) and `secret` is 32 bytes from `secrets`
(`token_urlsafe`). Only `sha256(secret)` is stored. A slow password hash (argon2, bcrypt) would add
nothing: it protects low-entropy passwords against guessing, while a 256-bit random secret cannot
be guessed from its SHA-256 however fast the hash is; it would only cost tens of milliseconds on
every API request. Lookup is by id, and the secret's hash is compared with `hmac.compare_digest`,
so the comparison takes the same time wherever the first differing byte is.

The use cases (`issue_token`, `list_tokens`, `revoke_token`, `authenticate_token`) take any object
with `catalog`, `clock` and `record_event` (the `Services`) and record every change as an event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID, uuid4

from edepot.auth.policy import Role
from edepot.auth.principal import AuthMethod, NotAuthenticated, Principal
from edepot.errors import InvalidInput, NotFound
from edepot.model import EventOutcome

PREFIX = "edp_"
_TOKEN = re.compile(r"^edp_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most this often per token

TOKEN_ISSUED = "token issued"  # noqa: S105 - event types, not secrets
TOKEN_REVOKED = "token revoked"  # noqa: S105


@dataclass(frozen=True)
class ApiToken:
    """A stored API token (never the secret itself)."""

    id: UUID
    name: str
    roles: tuple[Role, ...]
    secret_hash: str = field(repr=False)
    created_at: datetime
    created_by: str
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"

    def as_dict(self, now: datetime) -> dict[str, Any]:
        """For listings: everything but the hash."""
        return {
            "id": str(self.id),
            "name": self.name,
            "roles": [str(r) for r in self.roles],
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
            "state": self.state(now),
        }


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its plaintext, which is shown once and never stored."""

    token: ApiToken
    plaintext: str = field(repr=False)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def new_token(
    *, name: str, roles: Iterable[Role | str], now: datetime, created_by: str, expires_in_days: int | None = None
) -> IssuedToken:
    """A fresh token (pure apart from the randomness): its record and its plaintext."""
    scoped = _roles(roles)
    clean = " ".join(name.split())
    if not clean or len(clean) > 200:
        raise InvalidInput("a token needs a name of 1 to 200 characters", hint="say which service uses it")
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise InvalidInput(
            f"expiry of {expires_in_days} days is out of range",
            hint="give 1 to 3650 days, or no expiry for a token that lives until revoked",
        )
    token_id = uuid4()
    secret = secrets.token_urlsafe(32)
    record = ApiToken(
        id=token_id,
        name=clean,
        roles=scoped,
        secret_hash=hash_secret(secret),
        created_at=now,
        created_by=created_by,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return IssuedToken(record, f"{PREFIX}{token_id.hex}_{secret}")


def _roles(values: Iterable[Role | str]) -> tuple[Role, ...]:
    roles: list[Role] = []
    for value in values:
        try:
            role = Role(value)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InvalidInput(f"unknown role {value!r}", hint=f"use one of: {known}") from None
        if role not in roles:
            roles.append(role)
    if not roles:
        raise InvalidInput("a token needs at least one role", hint="give --role (or roles) at least once")
    return tuple(sorted(roles))


def looks_like_api_token(presented: str) -> bool:
    """True for anything in the API token format (the rest is treated as a JWT)."""
    return presented.startswith(PREFIX)


def parse(presented: str) -> tuple[UUID, str]:
    """The id and secret of a presented token; NotAuthenticated when it is not well-formed."""
    match = _TOKEN.match(presented)
    if match is None:
        raise NotAuthenticated("the API token is malformed", reason="malformed", auth_method=str(AuthMethod.API_TOKEN))
    return UUID(hex=match.group(1)), match.group(2)


# --- use cases --------------------------------------------------------------------------------


class _TokenCatalog(Protocol):
    def add_api_token(self, token: ApiToken) -> None: ...
    def get_api_token(self, token_id: UUID) -> ApiToken: ...
    def list_api_tokens(self) -> list[ApiToken]: ...
    def revoke_api_token(self, token_id: UUID, at: datetime) -> ApiToken: ...
    def touch_api_token(self, token_id: UUID, at: datetime) -> None: ...


class _Clock(Protocol):
    def now(self) -> datetime: ...


class TokenServices(Protocol):
    """What the token use cases need of `Services`."""

    @property
    def catalog(self) -> Any: ...

    @property
    def clock(self) -> _Clock: ...

    def record_event(self, type: str, outcome: EventOutcome, object_id: object = None, **detail: Any) -> None: ...


def issue_token(
    services: TokenServices,
    *,
    name: str,
    roles: Iterable[Role | str],
    created_by: str,
    expires_in_days: int | None = None,
) -> IssuedToken:
    """Create and store a token; record who issued it. The plaintext is in the result only."""
    issued = new_token(
        name=name, roles=roles, now=services.clock.now(), created_by=created_by, expires_in_days=expires_in_days
    )
    catalog: _TokenCatalog = services.catalog
    catalog.add_api_token(issued.token)
    services.record_event(
        TOKEN_ISSUED,
        EventOutcome.GELUKT,
        issued.token.id,
        name=issued.token.name,
        roles=[str(r) for r in issued.token.roles],
        expires_at=issued.token.expires_at.isoformat() if issued.token.expires_at else None,
        by=created_by,
    )
    return issued


def list_tokens(services: TokenServices) -> list[ApiToken]:
    catalog: _TokenCatalog = services.catalog
    return catalog.list_api_tokens()


def revoke_token(services: TokenServices, token_id: UUID, *, by: str) -> ApiToken:
    """Revoke a token (idempotent: a revoked token keeps its first revocation time)."""
    catalog: _TokenCatalog = services.catalog
    before = catalog.get_api_token(token_id)
    revoked = catalog.revoke_api_token(token_id, services.clock.now())
    if before.revoked_at is None:
        services.record_event(TOKEN_REVOKED, EventOutcome.GELUKT, token_id, name=revoked.name, by=by)
    return revoked


def authenticate_token(services: TokenServices, presented: str) -> Principal:
    """The principal of a presented API token, or NotAuthenticated (malformed, unknown, wrong
    secret, revoked or expired). Updates `last_used_at` at most once per LAST_USED_RESOLUTION."""
    token_id, secret = parse(presented)
    catalog: _TokenCatalog = services.catalog
    method = str(AuthMethod.API_TOKEN)
    try:
        stored = catalog.get_api_token(token_id)
    except NotFound:
        # compare anyway, so an unknown id costs what a wrong secret costs
        hmac.compare_digest(hash_secret(secret), "0" * 64)
        raise NotAuthenticated(
            "the API token is not valid", reason="invalid", auth_method=method, token_id=str(token_id)
        ) from None
    if not hmac.compare_digest(hash_secret(secret), stored.secret_hash):
        raise NotAuthenticated(
            "the API token is not valid", reason="invalid", auth_method=method, token_id=str(token_id)
        )
    now = services.clock.now()
    state = stored.state(now)
    if state != "active":
        raise NotAuthenticated(
            f"the API token is {state}",
            hint="ask a beheerder for a new token (`edepot token create`)",
            reason=state,
            auth_method=method,
            token_id=str(token_id),
        )
    if stored.last_used_at is None or now - stored.last_used_at >= LAST_USED_RESOLUTION:
        catalog.touch_api_token(token_id, now)
    return Principal(
        subject=f"token:{token_id}",
        display_name=stored.name,
        roles=frozenset(stored.roles),
        method=AuthMethod.API_TOKEN,
        token_id=str(token_id),
    )


def with_last_used(token: ApiToken, at: datetime) -> ApiToken:
    """`token` with `last_used_at` moved forward to `at` (never backwards)."""
    if token.last_used_at is not None and token.last_used_at >= at:
        return token
    return replace(token, last_used_at=at)
