"""Fixtures for the access-control tests: a real identity provider on 127.0.0.1, and the sample
block ingested once per module with an API token for every role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edepot.auth.policy import Role
from edepot.auth.tokens import issue_token
from edepot.bootstrap import build
from edepot.sample import make_sample_block
from edepot.services import Services
from edepot.settings import Settings
from tests.integration.auth.fake_idp import FakeIdp


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    server = FakeIdp().start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Holdings:
    """A catalog with the sample block and an API token (plaintext) per role."""

    services: Services
    tokens: dict[Role, str]

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def with_settings(self, **changes: object) -> Services:
        """The same catalog and store under other settings (rate limits, OIDC, proxies)."""
        from dataclasses import replace

        return replace(self.services, settings=replace(self.services.settings, **changes))


@pytest.fixture(scope="module")
def holdings(tmp_path_factory: pytest.TempPathFactory) -> Holdings:
    home: Path = tmp_path_factory.mktemp("home")
    services = build(Settings(home=home, secret_key="the-edepot-secret-key-of-this-test"))
    services.ingest_analogue(make_sample_block(tmp_path_factory.mktemp("supplier")))
    tokens = {
        role: issue_token(services, name=f"test {role}", roles=[role], created_by="test").plaintext for role in Role
    }
    return Holdings(services, tokens)
