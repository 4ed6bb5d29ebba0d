"""Security headers on every response, HSTS only over https, and the public rate limit (429 + Retry-After)."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.auth.tokens import issue_token
from edepot.bootstrap import build
from edepot.services import Services
from edepot.settings import RateLimit, Settings

PROXY = ("10.0.0.2", 40000)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    return build(Settings(home=tmp_path_factory.mktemp("home")))


def app_with(services: Services, **settings: object) -> FastAPI:
    return create_app(replace(services, settings=replace(services.settings, **settings)))


def bearer(services: Services, role: str = "beheerder") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(services, name=role, roles=[role], created_by='test').plaintext}"}


# --- rate limit -----------------------------------------------------------------------------------


def test_a_client_over_the_public_rate_gets_429_with_retry_after(services: Services) -> None:
    client = TestClient(app_with(services, public_rate_limit=RateLimit(3, 3600)))
    assert [client.get("/health").status_code for _ in range(3)] == [200, 200, 200]

    limited = client.get("/health")

    assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) == 1200  # one request per 3600/3 s
    assert limited.headers["x-content-type-options"] == "nosniff"  # headers on a 429 too


def test_the_rate_limit_is_per_client_address(services: Services) -> None:
    app = app_with(services, public_rate_limit=RateLimit(1, 3600))
    assert TestClient(app, client=("192.0.2.1", 1)).get("/health").status_code == 200
    assert TestClient(app, client=("192.0.2.1", 2)).get("/health").status_code == 429
    assert TestClient(app, client=("192.0.2.2", 1)).get("/health").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited_and_spoofing_from_outside_is_not_believed(
    services: Services,
) -> None:
    app = app_with(
        services, public_rate_limit=RateLimit(1, 3600), trusted_proxies=(ipaddress.ip_network("10.0.0.0/24"),)
    )
    proxy = TestClient(app, client=PROXY)
    assert proxy.get("/health", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert proxy.get("/health", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert proxy.get("/health", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
    outsider = TestClient(app, client=("203.0.113.5", 1))
    assert outsider.get("/health", headers={"X-Forwarded-For": "198.51.100.3"}).status_code == 200
    assert outsider.get("/health", headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 429


def test_authenticated_internal_requests_do_not_use_up_the_public_rate(services: Services) -> None:
    client = TestClient(app_with(services, public_rate_limit=RateLimit(2, 3600)))
    headers = bearer(services)
    assert {client.get("/api/v1/aips", headers=headers).status_code for _ in range(5)} == {200}


def test_failed_logins_use_up_the_rate_and_are_then_refused_without_filling_the_event_log(services: Services) -> None:
    client = TestClient(app_with(services, public_rate_limit=RateLimit(2, 3600)), client=("192.0.2.66", 1))
    forged = {"Authorization": "Bearer edp_" + "0" * 32 + "_" + "A" * 43}
    before = services.catalog.event_head()
    statuses = [client.get("/api/v1/aips", headers=forged).status_code for _ in range(5)]
    after = services.catalog.event_head()

    assert statuses == [401, 401, 429, 429, 429]
    assert after is not None and after[0] - (before[0] if before else 0) == 2  # two failed logins recorded


# --- security headers ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/api/v1/aips", "/api/v1/nothing-here", "/openapi.json"])
def test_every_response_carries_the_security_headers(services: Services, path: str) -> None:
    response = TestClient(app_with(services, public_rate_limit=None)).get(path)
    headers = response.headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # plain http
    if path.startswith("/api/v1/"):
        assert headers["cache-control"] == "no-store"


def test_the_api_docs_page_gets_a_policy_that_lets_swagger_ui_load(services: Services) -> None:
    response = TestClient(app_with(services, public_rate_limit=None)).get("/docs")
    assert response.status_code == 200
    assert "https://cdn.jsdelivr.net" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_hsts_is_sent_over_https_and_behind_a_trusted_proxy_that_says_https_only(services: Services) -> None:
    trusted = (ipaddress.ip_network("10.0.0.0/24"),)
    app = app_with(services, public_rate_limit=None, trusted_proxies=trusted)
    https = TestClient(app, base_url="https://edepot.example").get("/health")
    proxied = TestClient(app, client=PROXY).get("/health", headers={"X-Forwarded-Proto": "https"})
    spoofed = TestClient(app, client=("203.0.113.5", 1)).get("/health", headers={"X-Forwarded-Proto": "https"})

    assert https.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" in proxied.headers
    assert "strict-transport-security" not in spoofed.headers


def test_an_unexpected_error_is_a_problem_without_its_text(services: Services, tmp_path: Path) -> None:
    app = app_with(services, public_rate_limit=None)

    @app.get("/api/public/boom")
    def boom() -> None:
        raise RuntimeError("database password is hunter2-hunter2")

    response = TestClient(app, raise_server_exceptions=False).get("/api/public/boom")
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert "hunter2" not in response.text
