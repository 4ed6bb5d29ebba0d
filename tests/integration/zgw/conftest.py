"""Fixtures for the zaaksysteem tests: the fake ZGW server, clients with recorded sleeps, siegfried."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edepot.formats import SiegfriedIdentifier
from ingest.zgw_client import ZgwClient, ZgwConfig
from tests.integration.zgw.fake_server import ACCOUNTS, FakeZgw, OpenApiCheck

MakeClient = Callable[..., ZgwClient]


@pytest.fixture
def zgw() -> Iterator[FakeZgw]:
    server = FakeZgw().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the client asked for (the client's sleep function appends here)."""
    return []


@pytest.fixture
def make_client(zgw: FakeZgw, sleeps: list[float]) -> Iterator[MakeClient]:
    made: list[ZgwClient] = []

    def make(client_id: str = "edepot", *, secret: str | None = None, **options: object) -> ZgwClient:
        config = ZgwConfig(
            zaken_url=zgw.zaken_url,
            documenten_url=zgw.documenten_url,
            catalogi_url=zgw.catalogi_url,
            besluiten_url=zgw.besluiten_url,
            client_id=client_id,
            secret=secret if secret is not None else ACCOUNTS[client_id].secret,
            **{k: v for k, v in options.items() if k not in ("sleep", "clock")},  # type: ignore[arg-type]
        )
        kwargs: dict[str, object] = {"sleep": options.get("sleep", sleeps.append)}
        if "clock" in options:
            kwargs["clock"] = options["clock"]
        client = ZgwClient(config, **kwargs)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> ZgwClient:
    return make_client()


@pytest.fixture(scope="session")
def identifier() -> SiegfriedIdentifier:
    return SiegfriedIdentifier()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path / "work"


@pytest.fixture(scope="session")
def openapi() -> OpenApiCheck:
    """The three vendored OpenAPI specs, loaded once, to check what the fake server answered."""
    return OpenApiCheck()
