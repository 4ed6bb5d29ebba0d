"""Fixtures for the Teams tests: the fake Graph server on a shared fake clock, clients, siegfried."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edepot.formats import SiegfriedIdentifier
from ingest.graph_client import GraphClient, GraphConfig
from tests.integration.teams.fake_graph import CLIENT_ID, CLIENT_SECRET, TENANT, FakeGraph

MakeClient = Callable[..., GraphClient]


class FakeClock:
    """Monotonic seconds that only move when someone sleeps: the client's rate limiter and retries
    sleep on it, and the fake server times its requests with it, so no test waits for real."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def graph(clock: FakeClock) -> Iterator[FakeGraph]:
    """The fake Graph server. After every test it checks what Graph would enforce: no team got more
    than 4 requests in any second, and no token went to the pre-authenticated download URL."""
    server = FakeGraph(clock=clock).start()
    try:
        yield server
    finally:
        server.stop()
    if not server.expect_rate_violations:
        assert server.rate_violations() == [], "the client broke Graph's limit of 4 requests per second per team"
    assert server.token_leaks == [], "the Graph token was sent to a pre-authenticated download URL"


@pytest.fixture
def make_client(graph: FakeGraph, clock: FakeClock) -> Iterator[MakeClient]:
    made: list[GraphClient] = []

    def make(*, secret: str = CLIENT_SECRET, **options: object) -> GraphClient:
        config = GraphConfig(tenant=TENANT, client_id=CLIENT_ID, secret=secret, base_url=graph.base_url,
                             token_url=graph.token_url, **options)  # type: ignore[arg-type]
        client = GraphClient(config, sleep=clock.sleep, clock=clock)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> GraphClient:
    return make_client()


@pytest.fixture(scope="session")
def identifier() -> SiegfriedIdentifier:
    return SiegfriedIdentifier()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path / "work"
