"""The audit routes on a tiny FastAPI app with the real gate and API tokens: each declares its action,
the report comes in four formats for the archivaris, /metrics is Prometheus text and not public."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from edepot.api import register_error_handlers
from edepot.api_audit import install
from edepot.audit import Scope
from edepot.auth.http import Gate, declare_actions, undeclared_routes
from edepot.auth.policy import Role
from edepot.auth.tokens import issue_token
from tests.unit.audit_world import AuditWorld, make_audit_world


@pytest.fixture
def world(tmp_path: Path) -> AuditWorld:
    world = make_audit_world(tmp_path)
    world.ingest("001")
    return world


@pytest.fixture
def client(world: AuditWorld) -> TestClient:
    app = FastAPI()
    app.state.services = world.services
    app.state.gate = Gate(world.services)
    app.state.auditor = world.auditor
    register_error_handlers(app)
    install(app)
    install(app)  # idempotent
    declare_actions(app)
    assert undeclared_routes(app) == []
    return TestClient(app)


def bearer(world: AuditWorld, role: Role) -> dict[str, str]:
    issued = issue_token(world.services, name=f"test {role}", roles=[role], created_by="test")
    return {"Authorization": f"Bearer {issued.plaintext}"}


def test_without_credentials_or_the_right_role_every_audit_route_is_refused(
    world: AuditWorld, client: TestClient
) -> None:
    aip = world.ids["001"]
    for method, path in [
        ("GET", f"/api/v1/aips/{aip}/copies"),
        ("GET", "/api/v1/audit/status"),
        ("GET", "/api/v1/audit/report"),
        ("POST", f"/api/v1/audit/aips/{aip}"),
        ("GET", "/metrics"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 401, path
        assert response.headers["content-type"].startswith("application/problem+json")
    woo = bearer(world, Role.WOO_REDACTEUR)
    assert client.get("/api/v1/audit/report", headers=woo).status_code == 403
    assert client.get("/metrics", headers=woo).status_code == 403
    assert client.post(f"/api/v1/audit/aips/{aip}", headers=bearer(world, Role.DIM)).status_code == 403


def test_bad_input_is_a_problem(world: AuditWorld, client: TestClient) -> None:
    archivaris = bearer(world, Role.ARCHIVARIS)
    assert client.get("/api/v1/audit/report?format=docx", headers=archivaris).status_code == 422
    assert client.get("/api/v1/audit/report?from=2026-03-09&to=2026-03-01", headers=archivaris).status_code == 422
    assert client.get(f"/api/v1/aips/{uuid.uuid4()}/copies", headers=archivaris).status_code == 404


def test_the_copies_of_an_aip_name_their_stores_and_verification_times(world: AuditWorld, client: TestClient) -> None:
    body = client.get(f"/api/v1/aips/{world.ids['001']}/copies", headers=bearer(world, Role.DIM)).json()

    assert body["count"] == 2 and [c["store"] for c in body["copies"]] == ["filesystem", "tweede"]
    assert all(c["verified_at"] for c in body["copies"])


def test_the_archivaris_audits_one_aip_reads_the_status_and_gets_the_report_in_every_format(
    world: AuditWorld, client: TestClient
) -> None:
    archivaris = bearer(world, Role.ARCHIVARIS)
    world.flip_bit("tweede", world.scan_key("001"))

    run = client.post(f"/api/v1/audit/aips/{world.ids['001']}", headers=archivaris).json()
    assert run["clean"] and len(run["repairs"]) == 1
    recovery = [e for e in world.events("recovery")]
    assert recovery and "archivaris" in recovery[-1].agent  # the events name who asked

    status = client.get("/api/v1/audit/status", headers=archivaris).json()
    assert status["overdue"] == 0 and status["oldest_age_days"] is not None

    page = client.get("/api/v1/audit/report", headers=archivaris)
    assert page.headers["content-type"].startswith("text/html") and "Controlerapport" in page.text
    pdf = client.get("/api/v1/audit/report?format=pdf", headers=archivaris)
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    table = client.get("/api/v1/audit/report?format=csv", headers=archivaris)
    assert table.headers["content-type"].startswith("text/csv") and table.text.startswith("soort,")
    data = client.get("/api/v1/audit/report?format=json&from=2026-01-01&to=2026-12-31", headers=archivaris).json()
    assert data["period"] == {"from": "2026-01-01", "to": "2026-12-31"} and len(data["repairs"]) == 1


def test_metrics_are_prometheus_text_for_a_token_with_audit_read(world: AuditWorld, client: TestClient) -> None:
    world.auditor.run(Scope.ALLE)

    response = client.get("/metrics", headers=bearer(world, Role.BEHEERDER))

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    assert 'edepot_audit_copies_overdue{store="filesystem"} 0' in lines
    assert any(line.startswith('edepot_audit_oldest_check_age_seconds{store="tweede"} ') for line in lines)
    assert 'edepot_audit_checks_24h{store="tweede",outcome="goed"} 1' in lines
    assert all(line.startswith("#") or " " in line for line in lines)
    schema = client.get("/openapi.json").json()
    assert schema["paths"]["/metrics"]["get"]["x-edepot-action"] == "audit.read"  # the access walk checks it too
