"""Secrets never reach the logs: tokens, Authorization headers and configured secret values."""

from __future__ import annotations

import logging

import pytest

from edepot import logsafe

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
API_TOKEN = "edp_" + "0123456789abcdef" * 2 + "_" + "S3cr3t-_" * 5 + "xyz"


def test_redact_hides_headers_jwts_api_tokens_and_given_secrets() -> None:
    text = f"Authorization: Bearer {JWT}; token={API_TOKEN}; key=geheim-sleutel-123; bare {JWT}"
    redacted = logsafe.redact(text, ["geheim-sleutel-123"])
    for secret in (JWT, API_TOKEN, "geheim-sleutel-123", "c2lnbmF0dXJl", "S3cr3t"):
        assert secret not in redacted
    assert "Authorization: [redacted]" in redacted


def test_log_records_of_any_logger_are_redacted_before_anyone_sees_them(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # uvicorn's own logging config (applied by any test that builds a server) stops uvicorn.access
    # from propagating (and test servers quieten it); make sure this test sees all four records whatever ran before it.
    for name in ("httpx", "some.library", "uvicorn.access", "edepot"):
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)  # some servers quieten access logs
        logging.getLogger(name).setLevel(logging.NOTSET)  # and clear the level cache
    logsafe.install(["the-edepot-secret-key-value"])
    caplog.set_level(logging.DEBUG)

    logging.getLogger("httpx").info("HTTP Request: %s %s", "POST", "https://hooks.example/the-edepot-secret-key-value")
    logging.getLogger("some.library").warning("headers=%r", {"Authorization": f"Bearer {JWT}"})
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/x?token={API_TOKEN}", "1.1", 200
    )
    logging.getLogger("edepot").error("Authorization: %s", f"Bearer {JWT}")

    assert {r.name for r in caplog.records} == {"httpx", "some.library", "uvicorn.access", "edepot"}
    for secret in ("the-edepot-secret-key-value", JWT, API_TOKEN):
        assert secret not in caplog.text
    assert '"GET /x?token=[redacted] HTTP/1.1" 200' in caplog.text  # uvicorn's argument shape kept


def test_a_traceback_with_a_secret_is_redacted_by_the_handler_filter() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError(f"bad token {API_TOKEN}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    logsafe.RedactingFilter().filter(record)
    assert record.exc_text and API_TOKEN not in record.exc_text and "[redacted]" in record.exc_text
