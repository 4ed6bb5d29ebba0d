"""Every route for every role, from the OpenAPI schema, against the one policy table; the audit trail
of logins, failed logins, denied requests and restricted reads; OIDC through the API."""

from __future__ import annotations

import logging
import re
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.auth.http import declare_actions, undeclared_routes
from edepot.auth.policy import Action, Role, allowed
from edepot.errors import ConfigurationError
from tests.integration.auth.conftest import Holdings
from tests.integration.auth.fake_idp import AUDIENCE, FakeIdp

METHODS = ("get", "post", "put", "patch", "delete")

# The routes of this issue and the action each must declare (routes of later features are checked
# against the policy by the walk below, whatever they declare).
EXPECTED_ACTIONS = {
    ("GET", "/api/v1/aips"): Action.AIP_READ,
    ("GET", "/api/v1/aips/{aip_id}"): Action.AIP_READ,
    ("GET", "/api/v1/records"): Action.RECORD_READ,
    ("GET", "/api/v1/records/{record_id}"): Action.RECORD_READ,
    ("POST", "/api/v1/submissions"): Action.SUBMISSION_CREATE,
    ("GET", "/api/v1/events"): Action.EVENTS_READ,
    ("GET", "/api/v1/tokens"): Action.TOKEN_MANAGE,
    ("POST", "/api/v1/tokens"): Action.TOKEN_MANAGE,
    ("DELETE", "/api/v1/tokens/{token_id}"): Action.TOKEN_MANAGE,
    ("GET", "/health"): None,
}


def operations(schema: dict[str, Any]) -> list[tuple[str, str, Action | None]]:
    """(METHOD, path, declared action) for every operation; fails for an internal one without action."""
    found = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            action = item[method].get("x-edepot-action")
            if path.startswith("/api/v1/") and action is None:
                pytest.fail(f"{method.upper()} {path} declares no action (add Depends(require(...)))")
            found.append((method.upper(), path, Action(action) if action else None))
    return found


def call(client: TestClient, method: str, path: str, holdings: Holdings, headers: dict[str, str]) -> int:
    aip = next(a for a in holdings.services.list_aips() if not _restricted(holdings, a.id))
    record = next(r for r in holdings.services.list_records(aip_id=aip.id))
    values = {"aip_id": str(aip.id), "record_id": str(record.id), "token_id": str(uuid4())}
    if path.startswith("/api/public/v1/records/"):  # public routes answer for a public record only
        values.update(public_record(holdings))
    url = path.format(**{name: values.get(name, str(uuid4())) for name in re.findall(r"{(\w+)}", path)})
    json_body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") and "tokens" in path else None
    return client.request(method, url, headers=headers, json=json_body).status_code


def public_record(holdings: Holdings) -> dict[str, str]:
    """The ids of a record the public may see and of its first file."""
    from edepot.search_service import NotPublic, build_search

    search = build_search(holdings.services)
    for record in holdings.services.list_records(limit=1000):
        try:
            view = search.record_view(record.id, public=True)
        except NotPublic:
            continue
        if view.files:
            return {"record_id": str(record.id), "bestand_id": str(view.files[0].bestand_id)}
    raise AssertionError("the sample holds no public record with a file")


def _restricted(holdings: Holdings, aip_id: Any) -> bool:
    return any(r.beperking_code for r in holdings.services.get_aip(aip_id).records)


@pytest.fixture(scope="module")
def client(holdings: Holdings) -> TestClient:
    return TestClient(create_app(holdings.with_settings(public_rate_limit=None)))


# --- the matrix -------------------------------------------------------------------------------------


def test_a_route_without_a_declared_action_fails_the_route_walk(holdings: Holdings) -> None:
    app = create_app(holdings.services)

    @app.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {"leaks": "everything"}

    assert undeclared_routes(app) == ["GET /api/v1/forgotten"]
    with pytest.raises(pytest.fail.Exception, match="GET /api/v1/forgotten declares no action"):
        operations(TestClient(app).get("/openapi.json").json())


def test_an_app_with_an_undeclared_internal_route_is_refused_when_built() -> None:
    app = FastAPI()

    @app.delete("/api/v1/aips/{aip_id}")
    def destroy(aip_id: str) -> None:
        return None

    with pytest.raises(ConfigurationError, match=r"DELETE /api/v1/aips/\{aip_id\}"):
        declare_actions(app)


def test_the_routes_of_this_issue_declare_the_expected_actions(client: TestClient) -> None:
    declared = {(m, p): a for m, p, a in operations(client.get("/openapi.json").json())}
    assert {key: declared.get(key, "missing") for key in EXPECTED_ACTIONS} == EXPECTED_ACTIONS


def test_every_internal_route_answers_401_without_credentials_and_public_routes_answer(
    client: TestClient, holdings: Holdings
) -> None:
    for method, path, action in operations(client.get("/openapi.json").json()):
        status = call(client, method, path, holdings, {})
        if action is None:
            assert status < 400, (method, path, status)
        else:
            assert status == 401, (method, path, status)


def test_every_route_allows_exactly_the_roles_the_policy_table_grants(client: TestClient, holdings: Holdings) -> None:
    matrix: dict[tuple[str, str], dict[Role, int]] = {}
    for method, path, action in operations(client.get("/openapi.json").json()):
        if action is None:
            continue
        for role in Role:
            status = call(client, method, path, holdings, holdings.headers(role))
            matrix[(method, path)] = {**matrix.get((method, path), {}), role: status}
            if allowed([role], action):
                assert status not in (401, 403), (role, method, path, status)
            else:
                assert status == 403, (role, method, path, status)
    assert len(matrix) >= 9


# --- the audit trail --------------------------------------------------------------------------------


def events_since(holdings: Holdings, seq: int) -> list[Any]:
    return [e for e in holdings.services.catalog.events() if e.seq > seq]


def head(holdings: Holdings) -> int:
    found = holdings.services.catalog.event_head()
    return found[0] if found else 0


def test_a_failed_login_is_recorded_with_its_reason_but_never_the_token(client: TestClient, holdings: Holdings) -> None:
    before = head(holdings)
    forged = holdings.tokens[Role.BEHEERDER][:-4] + "AAAA"
    response = client.get("/api/v1/aips", headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="edepot", error="invalid_token"'
    [event] = events_since(holdings, before)
    assert (event.type, str(event.outcome), event.detail["reason"]) == ("authentication", "failure", "invalid")
    assert event.detail["path"] == "/api/v1/aips" and event.detail["client"] == "testclient"
    assert forged[37:] not in str(event.detail) and forged[37:] not in response.text


def test_a_login_is_recorded_once_per_credential_not_on_every_request(holdings: Holdings) -> None:
    client = TestClient(create_app(holdings.services))  # a fresh process-wide login memory
    before = head(holdings)
    for _ in range(3):
        assert client.get("/api/v1/aips", headers=holdings.headers(Role.DIM)).status_code == 200
    logins = [e for e in events_since(holdings, before) if e.type == "authentication"]
    assert len(logins) == 1 and str(logins[0].outcome) == "success"
    assert logins[0].detail["principal"]["roles"] == ["dim"] and "api-token:" in logins[0].agent


def test_a_denied_request_is_recorded_with_the_action_and_the_principal(client: TestClient, holdings: Holdings) -> None:
    before = head(holdings)
    assert client.get("/api/v1/tokens", headers=holdings.headers(Role.ARCHIVARIS)).status_code == 403
    [denied] = [e for e in events_since(holdings, before) if e.type == "authorization"]
    assert denied.detail["action"] == "token.manage" and denied.detail["principal"]["roles"] == ["archivaris"]


def test_every_read_of_a_restricted_record_is_recorded(client: TestClient, holdings: Holdings) -> None:
    restricted = next(r for r in holdings.services.list_records(limit=1000) if r.beperking_code)
    before = head(holdings)

    one = client.get(f"/api/v1/records/{restricted.id}", headers=holdings.headers(Role.ARCHIVARIS))
    listing = client.get("/api/v1/records", params={"limit": 1000}, headers=holdings.headers(Role.ARCHIVARIS))

    assert one.status_code == 200 and one.json()["beperking_gebruik"]["code"] == restricted.beperking_code
    shown = [r for r in listing.json() if r["beperking_gebruik"]["code"]]
    reads = [e for e in events_since(holdings, before) if e.type == "access"]
    assert len(reads) == 1 + len(shown) and str(restricted.id) in {e.object_id for e in reads}
    assert all(e.detail["principal"]["roles"] == ["archivaris"] for e in reads)


def test_an_aip_with_restricted_records_is_refused_and_recorded_for_a_role_without_that_right(
    client: TestClient, holdings: Holdings
) -> None:
    aip = next(a for a in holdings.services.list_aips() if _restricted(holdings, a.id))
    before = head(holdings)
    response = client.get(f"/api/v1/aips/{aip.id}", headers=holdings.headers(Role.INGEST_WORKER))
    assert response.status_code == 403 and response.json()["action"] == "record.read_restricted"
    assert [e.detail["action"] for e in events_since(holdings, before) if e.type == "authorization"] == [
        "record.read_restricted"
    ]


def test_changes_through_the_api_name_the_principal_in_their_events(client: TestClient, holdings: Holdings) -> None:
    created = client.post(
        "/api/v1/tokens",
        json={"name": "teams-worker", "roles": ["ingest-worker"]},
        headers=holdings.headers(Role.BEHEERDER),
    )
    assert created.status_code == 201
    token_id = created.json()["id"]
    revoked = client.delete(f"/api/v1/tokens/{token_id}", headers=holdings.headers(Role.BEHEERDER))
    assert revoked.json()["state"] == "revoked"
    changes = list(holdings.services.catalog.events(object_id=token_id))
    assert [e.type for e in changes] == ["token issued", "token revoked"]
    assert all("api-token:" in e.agent and "(test beheerder)" in e.agent for e in changes)
    refused = client.get("/api/v1/aips", headers={"Authorization": f"Bearer {created.json()['token']}"})
    assert refused.status_code == 401 and refused.json()["reason"] == "revoked"


# --- OIDC through the API ---------------------------------------------------------------------------


def test_oidc_access_tokens_work_and_forged_ones_are_refused_and_recorded(holdings: Holdings, idp: FakeIdp) -> None:
    services = holdings.with_settings(
        oidc_issuer=idp.issuer, oidc_audience=AUDIENCE, oidc_roles_claim="realm_access.roles", public_rate_limit=None
    )
    client = TestClient(create_app(services))
    ok = client.get("/api/v1/events", params={"limit": 1}, headers={"Authorization": f"Bearer {idp.sign()}"})
    assert ok.status_code == 200  # archivaris may read events; the JWKS came through discovery

    before = head(holdings)
    none_alg = idp.sign().split(".")
    forged = ".".join([_b64('{"alg":"none","kid":"rsa-1"}'), none_alg[1], ""])
    refused = client.get("/api/v1/events", headers={"Authorization": f"Bearer {forged}"})
    denied = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {idp.sign()}"})

    assert refused.status_code == 401 and refused.json()["reason"] == "algorithm"
    assert denied.status_code == 403
    kinds = [(e.type, e.detail.get("reason") or e.detail.get("action")) for e in events_since(holdings, before)]
    assert ("authentication", "algorithm") in kinds and ("authorization", "token.manage") in kinds


def _b64(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


# --- secrets ----------------------------------------------------------------------------------------


def test_secrets_appear_neither_in_logs_nor_in_error_bodies(
    holdings: Holdings, idp: FakeIdp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    services = holdings.with_settings(oidc_issuer=idp.issuer, oidc_audience=AUDIENCE, public_rate_limit=None)
    client = TestClient(create_app(services), raise_server_exceptions=False)
    expired = idp.sign(idp.claims(exp=1, iat=0, nbf=0))
    presented = [holdings.tokens[Role.DIM][:-2] + "xx", expired, "Basic dXNlcjpwYXNz", holdings.tokens[Role.BEHEERDER]]
    bodies = []
    for credential in presented:
        bodies.append(client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {credential}"}).text)
        bodies.append(client.get("/api/v1/aips/not-a-uuid", headers={"Authorization": credential}).text)
    logging.getLogger("edepot.test").warning("request had Authorization: Bearer %s", expired)

    secrets = [p.removeprefix("Basic ") for p in presented] + [holdings.services.settings.secret_key]
    for secret in secrets:
        assert secret not in caplog.text
        assert all(secret not in body for body in bodies)
    assert "[redacted]" in caplog.text


def test_the_aip_list_withholds_titles_of_restricted_aips_from_a_role_without_that_right(
    client: TestClient, holdings: Holdings
) -> None:
    restricted = {str(a.id) for a in holdings.services.list_aips() if _restricted(holdings, a.id)}
    assert restricted, "the holdings must include an AIP with restricted records"

    worker = client.get("/api/v1/aips", headers=holdings.headers(Role.INGEST_WORKER)).json()
    archivaris = client.get("/api/v1/aips", headers=holdings.headers(Role.ARCHIVARIS)).json()

    for entry in worker:
        assert entry["title_withheld"] is (entry["id"] in restricted)
        assert (entry["title"] is None) is (entry["id"] in restricted)
    assert all(e["title"] and not e["title_withheld"] for e in archivaris)
    assert {e["id"] for e in worker} == {e["id"] for e in archivaris}
