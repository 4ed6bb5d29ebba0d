"""S3 settings from `EDEPOT_S3_*`: refused when partial or unsafe, typed and defaulted otherwise."""

from __future__ import annotations

import pytest

from edepot.errors import ConfigurationError
from edepot.storage.s3_settings import MIB, S3Settings, parse_size

COMPLETE = {
    "EDEPOT_S3_ENDPOINT": "http://127.0.0.1:8333",
    "EDEPOT_S3_BUCKET": "edepot-aips",
    "EDEPOT_S3_ACCESS_KEY": "edepot",
    "EDEPOT_S3_SECRET_KEY": "a-long-random-secret",
}


@pytest.mark.parametrize("missing", ["EDEPOT_S3_BUCKET", "EDEPOT_S3_ACCESS_KEY", "EDEPOT_S3_SECRET_KEY"])
def test_a_partial_s3_configuration_is_refused_naming_what_is_missing(missing: str) -> None:
    env = {k: v for k, v in COMPLETE.items() if k != missing}
    with pytest.raises(ConfigurationError, match=missing):
        S3Settings.from_env(env)


@pytest.mark.parametrize("secret", ["changeme", "secret", " "])
def test_a_placeholder_secret_is_refused(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="EDEPOT_S3_SECRET_KEY"):
        S3Settings.from_env({**COMPLETE, "EDEPOT_S3_SECRET_KEY": secret})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EDEPOT_S3_LOCK_MODE", "FOREVER", "not a retention mode"),
        ("EDEPOT_S3_MULTIPART_THRESHOLD", "lots", "not a size"),
        ("EDEPOT_S3_MULTIPART_THRESHOLD", "1MiB", "below 5 MiB"),
        ("EDEPOT_S3_PART_SIZE", "4MiB", "below the S3 minimum"),
        ("EDEPOT_S3_READ_TIMEOUT", "-1", "must be positive"),
        ("EDEPOT_S3_MAX_ATTEMPTS", "many", "not a number"),
    ],
)
def test_an_unusable_value_is_refused_naming_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as raised:
        S3Settings.from_env({**COMPLETE, name: value})
    assert name in str(raised.value) or raised.value.fields.get("setting") == name


def test_without_any_s3_variable_s3_is_not_configured() -> None:
    assert S3Settings.from_env({"EDEPOT_HOME": "/srv/edepot"}) is None


def test_a_complete_configuration_has_safe_defaults() -> None:
    settings = S3Settings.from_env(COMPLETE)

    assert settings is not None
    assert settings.endpoint == "http://127.0.0.1:8333"
    assert settings.region == "us-east-1"
    assert settings.lock_mode == "COMPLIANCE"
    assert settings.multipart_threshold == 64 * MIB
    assert settings.part_size == 16 * MIB
    assert "a-long-random-secret" not in repr(settings)


def test_governance_mode_sizes_and_none_are_read() -> None:
    settings = S3Settings.from_env(
        {**COMPLETE, "EDEPOT_S3_LOCK_MODE": "governance", "EDEPOT_S3_MULTIPART_THRESHOLD": "200MB"}
    )
    unlocked = S3Settings.from_env({**COMPLETE, "EDEPOT_S3_LOCK_MODE": "none"})

    assert settings is not None and unlocked is not None
    assert settings.lock_mode == "GOVERNANCE"
    assert settings.multipart_threshold == 200_000_000
    assert unlocked.lock_mode is None


@pytest.mark.parametrize(
    ("raw", "size"), [("123", 123), ("64MiB", 64 * MIB), ("64m", 64_000_000), ("1 GiB", 1024 * MIB), ("5KiB", 5120)]
)
def test_sizes_are_read_binary_with_i_and_decimal_without(raw: str, size: int) -> None:
    assert parse_size("EDEPOT_S3_PART_SIZE", raw) == size
