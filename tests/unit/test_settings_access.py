"""The access-control and hardening settings: parsed from EDEPOT_* variables, refused when unsafe."""

from __future__ import annotations

import ipaddress

import pytest

from edepot.errors import ConfigurationError
from edepot.settings import RateLimit, Settings


@pytest.mark.parametrize(
    "env",
    [
        {"EDEPOT_PUBLIC_RATE_LIMIT": "lots"},
        {"EDEPOT_PUBLIC_RATE_LIMIT": "0/minute"},
        {"EDEPOT_TRUSTED_PROXIES": "10.0.0.1, proxy.example"},
        {"EDEPOT_OIDC_ISSUER": "https://sso.example.nl/realms/limburg"},  # no audience
        {"EDEPOT_OIDC_ISSUER": "http://sso.example.nl/realms/limburg", "EDEPOT_OIDC_AUDIENCE": "edepot"},
        {
            "EDEPOT_OIDC_ISSUER": "https://sso.example.nl",
            "EDEPOT_OIDC_AUDIENCE": "e",
            "EDEPOT_OIDC_JWKS_URL": "ftp://x",
        },
        {"EDEPOT_ALERT_WEBHOOK": "file:///etc/passwd"},
        {"EDEPOT_MAX_UPLOAD_BYTES": "0"},
        {"EDEPOT_MAX_UPLOAD_BYTES": "1GB"},
    ],
)
def test_unsafe_or_malformed_values_are_refused_with_the_variable_named(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(env)
    assert any(name in str(caught.value) or name == caught.value.fields.get("setting") for name in env)


def test_the_defaults_take_api_tokens_only_and_limit_public_endpoints() -> None:
    settings = Settings.from_env({})
    assert settings.oidc_issuer is None and settings.trusted_proxies == ()
    assert settings.public_rate_limit == RateLimit(120, 60)
    assert settings.max_upload_bytes == 1024**3 and settings.max_unpacked_bytes == 4 * 1024**3


def test_every_access_setting_is_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "EDEPOT_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
            "EDEPOT_OIDC_AUDIENCE": "api://edepot",
            "EDEPOT_OIDC_JWKS_URL": "https://login.microsoftonline.com/tenant/discovery/v2.0/keys",
            "EDEPOT_OIDC_ROLES_CLAIM": "roles",
            "EDEPOT_MAX_UPLOAD_BYTES": "5000000",
            "EDEPOT_MAX_UNPACKED_BYTES": "9000000",
            "EDEPOT_PUBLIC_RATE_LIMIT": "5/second",
            "EDEPOT_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16",
            "EDEPOT_ALERT_WEBHOOK": "https://hooks.example/abc",
        }
    )
    assert settings.oidc_audience == "api://edepot" and settings.oidc_roles_claim == "roles"
    assert (settings.max_upload_bytes, settings.max_unpacked_bytes) == (5_000_000, 9_000_000)
    assert settings.public_rate_limit == RateLimit(5, 1)
    assert settings.trusted_proxies == (ipaddress.ip_network("10.0.0.5/32"), ipaddress.ip_network("10.1.0.0/16"))
    assert "https://hooks.example/abc" in settings.secrets()


def test_the_rate_limit_can_be_switched_off_and_plain_http_is_allowed_for_a_loopback_issuer() -> None:
    settings = Settings.from_env(
        {
            "EDEPOT_PUBLIC_RATE_LIMIT": "off",
            "EDEPOT_OIDC_ISSUER": "http://127.0.0.1:8080/realms/test",
            "EDEPOT_OIDC_AUDIENCE": "edepot",
        }
    )
    assert settings.public_rate_limit is None and settings.oidc_issuer == "http://127.0.0.1:8080/realms/test"
