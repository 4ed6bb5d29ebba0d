"""OIDC bearer tokens: validate a JWT from the configured issuer (Keycloak, Entra ID) against its JWKS.

What is checked, in this order, before any claim is believed:
1. the header's `alg` is on the allow-list (RS256, ES256). `none` and every HS* algorithm are
   refused outright: an HMAC "signature" made with the issuer's *public* key as secret (the key
   confusion attack) never reaches a verifier;
2. the header names a `kid` that is in the issuer's JWKS, and that key's type fits the algorithm
   (RSA for RS256, EC P-256 for ES256) and is meant for signing;
3. the signature, then `iss`, `aud`, `exp` and `nbf` (with a small leeway for clock skew); `exp`,
   `iss`, `aud` and `sub` are required.

The JWKS comes from `EDEPOT_OIDC_JWKS_URL`, or else from the issuer's discovery document
(`<issuer>/.well-known/openid-configuration`, field `jwks_uri`). It is cached for `jwks_ttl`
seconds; an unknown `kid` (key rotation) triggers one early refresh, at most every
`min_refresh_interval` seconds, so a flood of forged kids cannot hammer the identity provider.
When a refresh fails the keys already known keep working; with no keys at all the request gets
503. Roles come from a configurable claim path: `realm_access.roles` for Keycloak realm roles,
`roles` for Entra ID app roles; values that are not edepot role names are ignored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from edepot.auth.policy import parse_roles
from edepot.auth.principal import AuthMethod, NotAuthenticated, Principal
from edepot.errors import EdepotError

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class IdentityProviderUnavailable(EdepotError):
    code = "identity-provider-unavailable"
    title = "Identity provider unavailable"
    http_status = 503
    exit_code = 69  # EX_UNAVAILABLE


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str
    jwks_url: str | None = None
    roles_claim: str = "roles"
    jwks_ttl: float = 600.0
    min_refresh_interval: float = 30.0
    leeway_seconds: int = 30
    http_timeout: float = 5.0


def _failed(message: str, reason: str) -> NotAuthenticated:
    return NotAuthenticated(message, reason=reason, auth_method=str(AuthMethod.OIDC))


class JwksCache:
    """The issuer's signing keys by `kid`, fetched over HTTP and kept for `ttl` seconds."""

    def __init__(
        self,
        config: OidcConfig,
        *,
        client: httpx.Client | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._client = client or httpx.Client(timeout=config.http_timeout, follow_redirects=False)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._jwks_url = config.jwks_url

    def key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            now = self._monotonic()
            stale = self._fetched_at is None or now - self._fetched_at >= self._config.jwks_ttl
            may_refresh = self._fetched_at is None or now - self._fetched_at >= self._config.min_refresh_interval
            if stale or (kid not in self._keys and may_refresh):
                self._refresh(now)
            found = self._keys.get(kid)
        if found is None:
            raise _failed("the token is signed with a key the identity provider does not publish", "unknown-key")
        return found

    def _refresh(self, now: float) -> None:
        try:
            self._keys = self._fetch()
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            if not self._keys:
                raise IdentityProviderUnavailable(
                    "the identity provider's signing keys could not be fetched",
                    hint="check EDEPOT_OIDC_ISSUER / EDEPOT_OIDC_JWKS_URL and that the provider is reachable",
                ) from error
            log.warning("JWKS refresh failed (%s); keeping %d known keys", type(error).__name__, len(self._keys))
        self._fetched_at = now

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        if self._jwks_url is None:
            discovery = self._get_json(f"{self._config.issuer.rstrip('/')}/.well-known/openid-configuration")
            uri = discovery["jwks_uri"]
            if not isinstance(uri, str):
                raise TypeError("jwks_uri is not a string")
            self._jwks_url = uri
        keys: dict[str, jwt.PyJWK] = {}
        for entry in self._get_json(self._jwks_url)["keys"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
                continue
            if entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                log.warning("ignoring a JWKS key that cannot be used (kid %r)", entry["kid"][:64])
                continue
            if key.algorithm_name in ALLOWED_ALGORITHMS:  # symmetric (oct) keys never count
                keys[entry["kid"]] = key
        return keys

    def _get_json(self, url: str) -> dict[str, Any]:
        response = self._client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise TypeError(f"{url} did not answer a JSON object")
        return data


class OidcValidator:
    """Turns a bearer JWT into a `Principal`, or raises NotAuthenticated with a `reason`."""

    def __init__(self, config: OidcConfig, *, keys: JwksCache | None = None) -> None:
        self.config = config
        self.keys = keys or JwksCache(config)

    def validate(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _failed("the bearer token is not a well-formed JWT", "malformed") from None
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise _failed(f"JWT algorithm {str(alg)[:16]!r} is not accepted (only RS256, ES256)", "algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _failed("the JWT header names no signing key (kid)", "unknown-key")
        jwk = self.keys.key(kid)
        if jwk.algorithm_name != alg:  # PyJWK derives it from the key's alg, kty and crv
            raise _failed(f"key {kid[:64]!r} does not fit algorithm {alg}", "algorithm")
        claims = self._decode(token, jwk, alg)
        return Principal(
            subject=str(claims["sub"]),
            display_name=str(
                next(
                    (claims[c] for c in ("name", "preferred_username", "upn", "email") if claims.get(c)),
                    claims["sub"],
                )
            ),
            roles=parse_roles(self.roles_of(claims)),
            method=AuthMethod.OIDC,
            token_id=str(claims["jti"]) if claims.get("jti") else None,
        )

    def _decode(self, token: str, jwk: jwt.PyJWK, alg: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=jwk.key,
                algorithms=[alg],
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway_seconds,
                options={"require": _REQUIRED_CLAIMS, "verify_signature": True},
            )
        except jwt.ExpiredSignatureError:
            raise _failed("the bearer token has expired", "expired") from None
        except jwt.ImmatureSignatureError:
            raise _failed("the bearer token is not valid yet (nbf/iat in the future)", "not-yet-valid") from None
        except jwt.InvalidAudienceError:
            raise _failed("the bearer token is meant for another audience", "wrong-audience") from None
        except jwt.InvalidIssuerError:
            raise _failed("the bearer token comes from another issuer", "wrong-issuer") from None
        except jwt.InvalidSignatureError:
            raise _failed("the bearer token's signature does not verify", "invalid-signature") from None
        except jwt.MissingRequiredClaimError as error:
            raise _failed(f"the bearer token lacks the {error.claim!r} claim", "missing-claim") from None
        except jwt.PyJWTError:
            raise _failed("the bearer token is not valid", "invalid") from None
        return claims

    def roles_of(self, claims: dict[str, Any]) -> list[str]:
        """The values at the configured claim path (e.g. `realm_access.roles`); [] when absent."""
        value: Any = claims
        for part in self.config.roles_claim.split("."):
            if not isinstance(value, dict):
                return []
            value = value.get(part)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)]
        return []
