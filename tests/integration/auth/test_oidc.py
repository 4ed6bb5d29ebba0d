"""OIDC bearer tokens against a real JWKS served on 127.0.0.1, signed with keys made in the test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from edepot.auth.oidc import IdentityProviderUnavailable, JwksCache, OidcConfig, OidcValidator
from edepot.auth.policy import Role
from edepot.auth.principal import AuthMethod, NotAuthenticated
from tests.integration.auth.fake_idp import AUDIENCE, FakeIdp


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def validator(idp: FakeIdp, clock: Clock | None = None, **options: object) -> OidcValidator:
    options.setdefault("jwks_url", idp.jwks_url)
    options.setdefault("roles_claim", "realm_access.roles")
    config = OidcConfig(issuer=idp.issuer, audience=AUDIENCE, **options)  # type: ignore[arg-type]
    return OidcValidator(config, keys=JwksCache(config, monotonic=clock or Clock()))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, object], claims: dict[str, object]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def reason(validator: OidcValidator, token: str) -> str:
    with pytest.raises(NotAuthenticated) as caught:
        validator.validate(token)
    assert caught.value.http_status == 401
    return str(caught.value.fields["reason"])


# --- refused ---------------------------------------------------------------------------------------


def test_an_alg_none_token_is_refused_before_any_key_is_fetched(idp: FakeIdp) -> None:
    token = unsigned({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, idp.claims()) + "."
    assert reason(validator(idp), token) == "algorithm"
    assert idp.hits == {}


def test_an_hs256_token_signed_with_the_public_key_as_secret_is_refused(idp: FakeIdp) -> None:
    """The key-confusion attack: a verifier that trusts the header would check the HMAC with the PEM."""
    signing_input = unsigned(
        {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, idp.claims(realm_access={"roles": ["beheerder"]})
    )
    signature = hmac.new(idp.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    assert reason(validator(idp), f"{signing_input}.{b64(signature)}") == "algorithm"


def test_an_expired_token_is_refused(idp: FakeIdp) -> None:
    past = int(time.time()) - 3600
    assert reason(validator(idp), idp.sign(idp.claims(iat=past - 300, nbf=past - 300, exp=past))) == "expired"


def test_a_token_for_another_audience_is_refused(idp: FakeIdp) -> None:
    assert reason(validator(idp), idp.sign(idp.claims(aud="another-app"))) == "wrong-audience"


def test_a_token_from_another_issuer_is_refused(idp: FakeIdp) -> None:
    assert reason(validator(idp), idp.sign(idp.claims(iss="https://evil.example/realms/limburg"))) == "wrong-issuer"


def test_a_token_signed_with_a_key_the_issuer_does_not_publish_is_refused(idp: FakeIdp) -> None:
    stranger = FakeIdp()  # other keys, same claims
    assert reason(validator(idp), stranger.sign(idp.claims(), kid="rsa-999")) == "unknown-key"
    assert reason(validator(idp), stranger.sign(idp.claims(), kid="rsa-1")) == "invalid-signature"


def test_a_token_without_kid_is_refused(idp: FakeIdp) -> None:
    assert reason(validator(idp), idp.sign(kid=None)) == "unknown-key"


def test_a_tampered_payload_does_not_verify(idp: FakeIdp) -> None:
    header, _, signature = idp.sign().split(".")
    forged = b64(json.dumps(idp.claims(realm_access={"roles": ["beheerder"]})).encode())
    assert reason(validator(idp), f"{header}.{forged}.{signature}") == "invalid-signature"


def test_a_token_not_valid_yet_is_refused(idp: FakeIdp) -> None:
    future = int(time.time()) + 3600
    assert reason(validator(idp), idp.sign(idp.claims(nbf=future, exp=future + 300))) == "not-yet-valid"


def test_a_token_without_subject_or_expiry_is_refused(idp: FakeIdp) -> None:
    assert reason(validator(idp), idp.sign(idp.claims(sub=None))) == "missing-claim"
    assert reason(validator(idp), idp.sign(idp.claims(exp=None))) == "missing-claim"


def test_an_ec_signature_under_the_kid_of_the_rsa_key_is_refused(idp: FakeIdp) -> None:
    assert reason(validator(idp), idp.sign(alg="ES256", kid="rsa-1")) == "algorithm"


def test_garbage_is_refused_as_malformed(idp: FakeIdp) -> None:
    assert reason(validator(idp), "not.a.jwt") == "malformed"
    assert reason(validator(idp), "eyJhbGciOiJSUzI1NiJ9") == "malformed"


def test_symmetric_keys_in_the_jwks_are_never_used(idp: FakeIdp) -> None:
    secret = b"shared-secret-of-at-least-32-bytes!!"
    idp.extra_keys.append({"kty": "oct", "kid": "hmac-1", "k": b64(secret)})
    token = jwt.encode(idp.claims(), secret, algorithm="HS256", headers={"kid": "hmac-1"})
    assert reason(validator(idp), token) == "algorithm"


def test_without_reachable_keys_the_request_gets_503_not_401(idp: FakeIdp) -> None:
    idp.available = False
    with pytest.raises(IdentityProviderUnavailable) as caught:
        validator(idp).validate(idp.sign())
    assert caught.value.http_status == 503


# --- accepted --------------------------------------------------------------------------------------


def test_a_valid_rs256_token_gives_a_principal_with_the_mapped_roles(idp: FakeIdp) -> None:
    principal = validator(idp).validate(idp.sign())

    assert principal.subject == "f3b1c2d4-0000-4000-8000-000000000001"
    assert principal.display_name == "A. Archivaris"
    assert principal.roles == frozenset({Role.ARCHIVARIS})  # offline_access is not an edepot role
    assert principal.method is AuthMethod.OIDC and principal.token_id == "jti-1"


def test_a_valid_es256_token_is_accepted(idp: FakeIdp) -> None:
    assert validator(idp).validate(idp.sign(alg="ES256", kid="ec-1")).roles == {Role.ARCHIVARIS}


def test_entra_id_app_roles_come_from_the_roles_claim(idp: FakeIdp) -> None:
    token = idp.sign(
        idp.claims(
            realm_access=None, roles=["woo-redacteur", "dim"], name=None, preferred_username=None, upn="w@limburg.nl"
        )
    )
    principal = validator(idp, roles_claim="roles").validate(token)
    assert principal.roles == {Role.WOO_REDACTEUR, Role.DIM} and principal.display_name == "w@limburg.nl"


def test_the_jwks_is_found_through_discovery_and_cached(idp: FakeIdp) -> None:
    check = validator(idp, jwks_url=None)
    for _ in range(3):
        check.validate(idp.sign())
    assert idp.hits == {
        "/realms/limburg/.well-known/openid-configuration": 1,
        "/realms/limburg/protocol/openid-connect/certs": 1,
    }


def test_a_rotated_key_is_picked_up_but_unknown_kids_cannot_hammer_the_provider(idp: FakeIdp) -> None:
    clock = Clock()
    check = validator(idp, clock, min_refresh_interval=30.0)
    check.validate(idp.sign())
    new_key = FakeIdp().rsa_key
    idp.extra_keys.append({**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(new_key.public_key())), "kid": "rsa-2"})
    rotated = jwt.encode(idp.claims(), new_key, algorithm="RS256", headers={"kid": "rsa-2"})

    for _ in range(5):
        assert reason(check, rotated) == "unknown-key"  # within 30 s of the last fetch: no refetch
    clock.now += 31
    assert check.validate(rotated).roles == {Role.ARCHIVARIS}
    assert idp.hits["/realms/limburg/protocol/openid-connect/certs"] == 2


def test_known_keys_keep_working_when_a_refresh_fails(idp: FakeIdp) -> None:
    clock = Clock()
    check = validator(idp, clock, jwks_ttl=60.0)
    check.validate(idp.sign())
    idp.available = False
    clock.now += 120
    assert check.validate(idp.sign()).roles == {Role.ARCHIVARIS}
