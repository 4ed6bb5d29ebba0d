"""The Catalog contract for API tokens: the in-memory fake, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import pytest

from edepot.auth.policy import Role
from edepot.auth.tokens import ApiToken, new_token
from edepot.catalog import InMemoryCatalog, SqlCatalog
from edepot.errors import Conflict, InvalidInput, NotFound
from edepot.ports import Catalog
from tests.support.backends import BACKENDS, contract_backend

T0 = datetime(2025, 3, 1, 9, 30, 0, 654321, tzinfo=UTC)
CET = timezone(timedelta(hours=1))


@pytest.fixture(params=BACKENDS)
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    yield from contract_backend(request, tmp_path, InMemoryCatalog, SqlCatalog)


def token(name: str = "zaaksysteem-worker", at: datetime = T0, **changes: object) -> ApiToken:
    issued = new_token(name=name, roles=["ingest-worker", "dim"], now=at, created_by="cli:beheerder")
    return replace(issued.token, **changes)  # type: ignore[arg-type]


def test_an_unknown_token_is_not_found_for_every_operation(catalog: Catalog) -> None:
    missing = uuid4()
    with pytest.raises(NotFound, match=str(missing)):
        catalog.get_api_token(missing)
    with pytest.raises(NotFound):
        catalog.revoke_api_token(missing, T0)
    with pytest.raises(NotFound):
        catalog.touch_api_token(missing, T0)


def test_a_token_id_cannot_be_stored_twice(catalog: Catalog) -> None:
    first = token()
    catalog.add_api_token(first)
    with pytest.raises(Conflict):
        catalog.add_api_token(replace(first, name="another"))
    assert catalog.get_api_token(first.id).name == "zaaksysteem-worker"


def test_naive_datetimes_are_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput):
        catalog.add_api_token(token(at=datetime(2025, 3, 1, 9, 30)))
    stored = token()
    catalog.add_api_token(stored)
    with pytest.raises(InvalidInput):
        catalog.revoke_api_token(stored.id, datetime(2025, 3, 2))


def test_a_stored_token_reads_back_equal_with_its_times_in_utc(catalog: Catalog) -> None:
    local = token(at=T0.astimezone(CET), expires_at=(T0 + timedelta(days=90)).astimezone(CET))
    catalog.add_api_token(local)

    back = catalog.get_api_token(local.id)

    assert back == replace(local, created_at=T0, expires_at=T0 + timedelta(days=90))
    assert back.created_at.tzinfo is not None and back.created_at.utcoffset() == timedelta(0)
    assert back.roles == (Role.DIM, Role.INGEST_WORKER)
    assert back.secret_hash == local.secret_hash and len(back.secret_hash) == 64


def test_tokens_are_listed_oldest_first_revoked_ones_included(catalog: Catalog) -> None:
    later, earlier = token("b", T0 + timedelta(hours=1)), token("a", T0)
    catalog.add_api_token(later)
    catalog.add_api_token(earlier)
    catalog.revoke_api_token(earlier.id, T0 + timedelta(hours=2))

    assert [t.name for t in catalog.list_api_tokens()] == ["a", "b"]


def test_revoking_is_idempotent_and_keeps_the_first_revocation_time(catalog: Catalog) -> None:
    stored = token()
    catalog.add_api_token(stored)

    first = catalog.revoke_api_token(stored.id, T0 + timedelta(days=1))
    again = catalog.revoke_api_token(stored.id, T0 + timedelta(days=2))

    assert first.revoked_at == again.revoked_at == T0 + timedelta(days=1)
    assert catalog.get_api_token(stored.id).state(T0 + timedelta(days=3)) == "revoked"


def test_last_use_moves_forward_only(catalog: Catalog) -> None:
    stored = token()
    catalog.add_api_token(stored)

    catalog.touch_api_token(stored.id, T0 + timedelta(minutes=5))
    catalog.touch_api_token(stored.id, T0 + timedelta(minutes=1))

    assert catalog.get_api_token(stored.id).last_used_at == T0 + timedelta(minutes=5)
