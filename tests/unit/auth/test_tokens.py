"""API tokens: shown once, stored as a hash, scoped, expiring, revocable, with their last use."""

from __future__ import annotations

import hashlib
from uuid import uuid4

import pytest

from edepot.auth.policy import Role
from edepot.auth.principal import AuthMethod, NotAuthenticated
from edepot.auth.tokens import authenticate_token, issue_token, list_tokens, new_token, revoke_token
from edepot.errors import InvalidInput, NotFound


def refused(services, presented: str) -> str:
    with pytest.raises(NotAuthenticated) as caught:
        authenticate_token(services, presented)
    assert not presented or presented not in str(caught.value.to_problem())
    return str(caught.value.fields["reason"])


def issue(services, **options):
    options.setdefault("name", "zaaksysteem-worker")
    options.setdefault("roles", ["ingest-worker"])
    return issue_token(services, created_by="cli:test", **options)


def test_malformed_tokens_are_refused(services) -> None:
    for presented in (
        "",
        "edp_",
        "edp_abc_def",
        "Bearer edp_x",
        f"edp_{'g' * 32}_{'a' * 43}",
        f"edp_{'a' * 32}_{'!' * 43}",
    ):
        assert refused(services, presented) == "malformed"


def test_an_unknown_id_and_a_wrong_secret_are_refused_alike(services) -> None:
    issued = issue(services)
    token_id, secret = issued.plaintext[4:36], issued.plaintext[37:]
    assert refused(services, f"edp_{uuid4().hex}_{secret}") == "invalid"
    wrong = ("A" if secret[0] != "A" else "B") + secret[1:]
    assert refused(services, f"edp_{token_id}_{wrong}") == "invalid"


def test_a_revoked_token_is_refused(services) -> None:
    issued = issue(services)
    revoke_token(services, issued.token.id, by="cli:test")
    assert refused(services, issued.plaintext) == "revoked"


def test_an_expired_token_is_refused(services, clock) -> None:
    issued = issue(services, expires_in_days=30)
    authenticate_token(services, issued.plaintext)
    clock.advance(days=30)
    assert refused(services, issued.plaintext) == "expired"


def test_a_token_needs_a_known_role_a_name_and_a_sane_expiry(clock) -> None:
    for bad in (
        {"roles": []},
        {"roles": ["superuser"]},
        {"name": "   "},
        {"expires_in_days": 0},
        {"expires_in_days": 5000},
    ):
        options = {"name": "worker", "roles": ["dim"], "now": clock.now(), "created_by": "x", **bad}
        with pytest.raises(InvalidInput):
            new_token(**options)


def test_revoking_an_unknown_token_is_not_found(services) -> None:
    with pytest.raises(NotFound):
        revoke_token(services, uuid4(), by="cli:test")


def test_a_valid_token_gives_its_roles_and_records_its_last_use_at_most_once_a_minute(services, clock) -> None:
    issued = issue(services, roles=["ingest-worker", "dim"])
    principal = authenticate_token(services, issued.plaintext)

    assert principal.roles == {Role.INGEST_WORKER, Role.DIM}
    assert principal.method is AuthMethod.API_TOKEN and principal.token_id == str(issued.token.id)
    first_use = clock.now()
    clock.advance(seconds=30)
    authenticate_token(services, issued.plaintext)
    assert services.catalog.get_api_token(issued.token.id).last_used_at == first_use
    clock.advance(seconds=60)
    authenticate_token(services, issued.plaintext)
    assert services.catalog.get_api_token(issued.token.id).last_used_at == clock.now()


def test_only_the_hash_of_the_secret_is_stored_and_the_secret_is_random(services) -> None:
    one, two = issue(services), issue(services)
    secret = one.plaintext[37:]

    stored = services.catalog.get_api_token(one.token.id)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(stored) and secret not in repr(one) and stored.secret_hash not in repr(stored)
    assert len(secret) == 43 and one.plaintext != two.plaintext  # 32 random bytes, url-safe


def test_issuing_and_revoking_are_events_that_never_hold_the_secret(services) -> None:
    issued = issue(services)
    revoke_token(services, issued.token.id, by="cli:test")
    revoke_token(services, issued.token.id, by="cli:test")  # idempotent: no second event

    events = list(services.catalog.events(object_id=str(issued.token.id)))
    assert [e.type for e in events] == ["token issued", "token revoked"]
    assert all(issued.plaintext[37:] not in str(e.detail) for e in events)
    assert [t.state(services.clock.now()) for t in list_tokens(services)] == ["revoked"]
