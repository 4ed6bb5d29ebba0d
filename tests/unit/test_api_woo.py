"""The Woo HTTP routes on the in-memory catalog and store: what OpenAPI documents, robots.txt before
anything is published, a refused publication as problem+json with its findings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.auth.policy import Action, Role
from edepot.auth.tokens import issue_token
from edepot.catalog.memory import InMemoryCatalog
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.memory import InMemoryObjectStore
from tests.integration.woo_service.conftest import BASE, BSN, FixedClock, ingest_record, pdf_bytes, restricted
from tests.unit.retention_world import SuffixFormats


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[TestClient, Services, dict[str, str]]]:
    services = Services(
        catalog=InMemoryCatalog(),
        store=InMemoryObjectStore(),
        clock=FixedClock(),
        settings=Settings(home=tmp_path / "home", public_base_url=BASE, public_rate_limit=None),
        formats=SuffixFormats(),
    )
    token = issue_token(services, name="r", roles=[Role.WOO_REDACTEUR], created_by="test").plaintext
    with TestClient(create_app(services)) as client:
        yield client, services, {"Authorization": f"Bearer {token}"}


def test_a_publicatie_body_with_unknown_fields_or_no_documents_is_refused(
    setup: tuple[TestClient, Services, dict[str, str]],
) -> None:
    client, _, headers = setup
    base = {"officiele_titel": "X", "informatiecategorieen": ["beschikkingen"]}
    assert client.post("/api/v1/woo/publicaties", json={**base, "documenten": []}, headers=headers).status_code == 422
    extra = {**base, "documenten": [{"record_id": "00000000-0000-0000-0000-000000000001"}], "geheim": 1}
    assert client.post("/api/v1/woo/publicaties", json=extra, headers=headers).status_code == 422


def test_a_refused_publication_is_problem_json_listing_every_finding(
    setup: tuple[TestClient, Services, dict[str, str]],
) -> None:
    client, services, headers = setup
    record = ingest_record(services, "b1", "Besluit", "besluit.pdf", pdf_bytes(f"BSN: {BSN}"), restricted())
    body = {
        "officiele_titel": "Besluit",
        "informatiecategorieen": ["beschikkingen"],
        "documenten": [{"record_id": str(record.id)}],  # no documenthandeling either
    }
    made = client.post("/api/v1/woo/publicaties", json=body, headers=headers)
    assert made.status_code == 201, made.text

    refused = client.post(f"/api/v1/woo/publicaties/{made.json()['id']}/publiceren", headers=headers)

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    rules = sorted(f["rule"] for f in refused.json()["findings"])
    assert rules == ["woo.document.documenthandeling", "woo.document.publiceerbaar"]


def test_robots_txt_answers_before_anything_is_published_and_the_woo_routes_declare_their_actions(
    setup: tuple[TestClient, Services, dict[str, str]],
) -> None:
    client, _, _ = setup
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.text == "User-agent: *\nDisallow:\n"
    paths = client.get("/openapi.json").json()["paths"]
    declared = {
        (method.upper(), path): op.get("x-edepot-action")
        for path, item in paths.items()
        if path.startswith("/api/v1/woo")
        for method, op in item.items()
    }
    assert declared == {
        ("POST", "/api/v1/woo/publicaties"): Action.WOO_PUBLISH,
        ("GET", "/api/v1/woo/publicaties"): Action.WOO_PUBLISH,
        ("GET", "/api/v1/woo/publicaties/{publicatie_id}"): Action.WOO_PUBLISH,
        ("GET", "/api/v1/woo/documenten/{document_id}/suggesties"): Action.WOO_REDACT,
        ("POST", "/api/v1/woo/documenten/{document_id}/redacties"): Action.WOO_REDACT,
        ("POST", "/api/v1/woo/publicaties/{publicatie_id}/publiceren"): Action.WOO_PUBLISH,
        ("POST", "/api/v1/woo/publicaties/{publicatie_id}/intrekken"): Action.WOO_RETRACT,
        ("GET", "/api/v1/woo/documenten/{document_id}/diwoo"): Action.WOO_PUBLISH,
        ("POST", "/api/v1/woo/sitemaps"): Action.WOO_PUBLISH,
    }
    assert "/robots.txt" in paths
