"""The retention routes, on a tiny FastAPI app with the real gate and API tokens: every route declares
its action, only the archivaris approves or rejects, errors are problem+json."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from edepot.api import register_error_handlers
from edepot.api_retention import install
from edepot.auth.http import Gate, declare_actions, undeclared_routes
from edepot.auth.policy import Role
from edepot.auth.tokens import issue_token
from edepot.retention_workflow import LijstSoort, LijstStatus
from tests.unit.retention_world import TODAY, Dossier, World, make_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    world.ids = world.ingest(Dossier("057", "Provisa 2005, categorie 57"), Dossier("058", "Provisa 2005, categorie 57"))  # type: ignore[attr-defined]
    world.retention.nightly(TODAY)
    return world


@pytest.fixture
def app(world: World) -> FastAPI:
    app = FastAPI()
    app.state.services = world.services
    app.state.gate = Gate(world.services)
    app.state.retention = world.retention
    register_error_handlers(app)
    install(app)
    install(app)  # idempotent
    declare_actions(app)
    return app


def bearer(world: World, role: Role, name: str) -> dict[str, str]:
    issued = issue_token(world.services, name=name, roles=[role], created_by="test")
    return {"Authorization": f"Bearer {issued.plaintext}"}


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def concept_id(world: World) -> str:
    (lijst,) = world.retention.catalog.lists(soort=LijstSoort.VERNIETIGING)
    return str(lijst.id)


def test_every_retention_route_declares_exactly_one_action(app: FastAPI) -> None:
    assert undeclared_routes(app) == []
    actions = {op.get("x-edepot-action") for p in app.openapi()["paths"].values() for op in p.values()}
    assert actions == {"retention.read", "retention.propose", "retention.approve"}


def test_without_credentials_the_lists_are_refused_with_401(client: TestClient) -> None:
    response = client.get("/api/v1/retention/lists")
    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"


def test_an_unknown_list_is_a_404_problem_and_a_bad_body_a_422(client: TestClient, world: World) -> None:
    dim = bearer(world, Role.DIM, "dim")
    assert client.get(f"/api/v1/retention/lists/{'0' * 8}-0000-4000-8000-{'0' * 12}", headers=dim).status_code == 404
    response = client.post(f"/api/v1/retention/lists/{concept_id(world)}/cancel", json={}, headers=dim)
    assert response.status_code == 422


def test_the_dim_team_lists_inspects_and_submits_but_may_not_approve(client: TestClient, world: World) -> None:
    dim = bearer(world, Role.DIM, "dim")
    listed = client.get("/api/v1/retention/lists", headers=dim).json()
    assert [(x["soort"], x["status"], x["tellingen"]) for x in listed] == [
        ("vernietigingslijst", "concept", {"voorgesteld": 2})
    ]
    shown = client.get(f"/api/v1/retention/lists/{concept_id(world)}", headers=dim).json()
    assert {i["source_key"] for i in shown["items"]} == {"1987-1996/057", "1987-1996/058"}
    assert shown["items"][0]["uitsluitingen"] == []

    submitted = client.post(f"/api/v1/retention/lists/{concept_id(world)}/submit", headers=dim)
    assert submitted.status_code == 200 and submitted.json()["status"] == "ter beoordeling"
    assert client.post(f"/api/v1/retention/lists/{concept_id(world)}/approve", headers=dim).status_code == 403


def test_the_archivaris_approves_and_after_the_waiting_period_the_list_is_executed(
    client: TestClient, world: World
) -> None:
    dim, archivaris = bearer(world, Role.DIM, "dim"), bearer(world, Role.ARCHIVARIS, "archivaris")
    list_id = concept_id(world)
    revisie = client.post(f"/api/v1/retention/lists/{list_id}/submit", headers=dim).json()["revisie"]
    stale = client.post(f"/api/v1/retention/lists/{list_id}/approve", json={"revisie": revisie + 3}, headers=archivaris)
    assert stale.status_code == 409

    approved = client.post(f"/api/v1/retention/lists/{list_id}/approve", json={"revisie": revisie}, headers=archivaris)
    assert approved.status_code == 200 and approved.json()["status"] == "wachttijd"
    assert client.post(f"/api/v1/retention/lists/{list_id}/execute", headers=dim).status_code == 409

    world.clock.advance(timedelta(days=8))
    executed = client.post(f"/api/v1/retention/lists/{list_id}/execute", headers=dim).json()
    assert executed["lijst"]["status"] == "uitgevoerd" and len(executed["executed"]) == 2
    assert executed["verklaring"]["aip_id"]
    assert world.keys_of(world.ids["057"]) == []  # type: ignore[attr-defined]


def test_the_archivaris_rejects_with_a_reason_per_item_and_the_dim_team_removes_it(
    client: TestClient, world: World
) -> None:
    dim, archivaris = bearer(world, Role.DIM, "dim"), bearer(world, Role.ARCHIVARIS, "archivaris")
    list_id = concept_id(world)
    aip = str(world.ids["058"])  # type: ignore[attr-defined]
    client.post(f"/api/v1/retention/lists/{list_id}/submit", headers=dim)

    rejected = client.post(
        f"/api/v1/retention/lists/{list_id}/reject",
        json={"reden": "058 nog in procedure", "items": {aip: "beroep loopt"}},
        headers=archivaris,
    ).json()
    assert rejected["status"] == "afgewezen"
    assert {i["aip_id"]: (i["status"], i["reden"]) for i in rejected["items"]}[aip] == ("afgewezen", "beroep loopt")

    removed = client.post(
        f"/api/v1/retention/lists/{list_id}/items/{aip}/remove",
        json={"reden": "beroep loopt", "nieuwe_datum": "2028-01-01"},
        headers=dim,
    )
    assert removed.status_code == 200 and removed.json()["status"] == "verwijderd"
    cancelled = client.post(f"/api/v1/retention/lists/{list_id}/cancel", json={"reden": "opnieuw"}, headers=dim)
    assert cancelled.json()["status"] == str(LijstStatus.GEANNULEERD)


def test_exclusions_are_placed_listed_and_lifted_and_decisions_are_readable(client: TestClient, world: World) -> None:
    dim = bearer(world, Role.DIM, "dim")
    aip = str(world.ids["057"])  # type: ignore[attr-defined]
    placed = client.post(
        "/api/v1/retention/exclusions", json={"aip_id": aip, "soort": "legal hold", "reden": "rechtszaak"}, headers=dim
    )
    assert placed.status_code == 201
    assert [
        u["soort"] for u in client.get("/api/v1/retention/exclusions", params={"aip_id": aip}, headers=dim).json()
    ] == ["legal hold"]
    lifted = client.post(
        f"/api/v1/retention/exclusions/{placed.json()['id']}/lift", json={"reden": "klaar"}, headers=dim
    )
    assert lifted.json()["opgeheven_door"].endswith("dim)")
    decision = client.get(f"/api/v1/retention/decisions/{aip}", headers=dim).json()
    assert (decision["waardering"], decision["categorie"]) == ("V", "57")
    bad = client.post(
        "/api/v1/retention/exclusions", json={"aip_id": aip, "soort": "vergeten", "reden": "x"}, headers=dim
    )
    assert bad.status_code == 422
