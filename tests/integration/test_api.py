"""The HTTP API on the embedded default: health, AIPs and records as JSON, errors as problem+json.

The client authenticates with a beheerder API token; access control itself is specified in
tests/integration/auth/."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.auth.tokens import issue_token
from edepot.bootstrap import build
from edepot.sample import make_sample_block
from edepot.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    home = tmp_path_factory.mktemp("home")
    services = build(Settings(home=home))
    services.ingest_analogue(make_sample_block(tmp_path_factory.mktemp("supplier")))
    token = issue_token(services, name="test", roles=["beheerder"], created_by="test").plaintext
    return TestClient(create_app(services), headers={"Authorization": f"Bearer {token}"})


def test_health_answers_ok_with_the_number_of_events(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["events"] > 0


def test_aips_are_listed_and_shown_with_records_and_files(client):
    aips = client.get("/api/v1/aips").json()
    assert len(aips) == 5 and {a["status"] for a in aips} == {"opgeslagen"}
    detail = client.get(f"/api/v1/aips/{aips[0]['id']}").json()
    assert detail["records"] and any(f["kind"] == "payload" for f in detail["files"])


def test_records_are_listed_per_aip_and_shown(client):
    records = client.get("/api/v1/records", params={"limit": 1000}).json()
    assert {r["aggregatieniveau"] for r in records} == {"Dossier", "Archiefstuk"}
    restricted = [r for r in records if r["beperking_gebruik"]["code"]]
    assert restricted, "the sample has a restricted dossier"
    one = client.get(f"/api/v1/records/{records[0]['id']}").json()
    assert one == records[0]


def test_an_unknown_aip_is_a_404_problem_json(client):
    response = client.get("/api/v1/aips/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/not-found")


def test_a_malformed_id_or_page_is_refused_with_422_problem_json(client):
    assert client.get("/api/v1/aips/not-a-uuid").status_code == 422
    response = client.get("/api/v1/aips", params={"limit": 0})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


def test_the_openapi_schema_documents_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/health",
        "/api/v1/aips",
        "/api/v1/aips/{aip_id}",
        "/api/v1/records",
        "/api/v1/records/{record_id}",
        "/api/v1/submissions",
        "/api/v1/events",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    } <= set(paths)
