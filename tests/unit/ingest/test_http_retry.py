"""Retry timing of the source clients: Retry-After honoured but capped, otherwise doubling backoff."""

from __future__ import annotations

import email.utils

import pytest

from ingest.http_retry import backoff_delay, retry_after_seconds

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("12", 12.0),
        (" 0 ", 0.0),
        ("-5", 0.0),
        (email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
        (email.utils.formatdate(NOW - 30, usegmt=True), 0.0),  # a date in the past: no wait
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_delay_seconds_or_an_http_date(header: str | None, expected: float | None) -> None:
    assert retry_after_seconds(header, now=NOW) == expected


def test_without_retry_after_the_wait_doubles_up_to_the_maximum() -> None:
    waits = [backoff_delay(n, None, base=1.0, maximum=10.0, retry_after_max=300.0) for n in range(1, 7)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_servers_retry_after_is_honoured_but_capped() -> None:
    assert backoff_delay(1, 42.0, base=1.0, maximum=10.0, retry_after_max=300.0) == 42.0
    assert backoff_delay(1, 3600.0, base=1.0, maximum=10.0, retry_after_max=300.0) == 300.0
