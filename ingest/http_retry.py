"""Retry timing shared by the source clients (ZGW, Microsoft Graph). Pure: the caller gives the clock.

`Retry-After` is delay-seconds or an HTTP date (RFC 9110 §10.2.3); without it the wait doubles per
attempt up to a maximum. A server's Retry-After is honoured but capped, so one answer cannot park
a worker for hours.
"""

from __future__ import annotations

import email.utils


def retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header at wall-clock `now`; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - now, 0.0)


def backoff_delay(
    attempt: int, retry_after: float | None, *, base: float, maximum: float, retry_after_max: float
) -> float:
    """How long to wait before attempt `attempt + 1` (attempts count from 1)."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), retry_after_max)
    return float(min(base * 2 ** (attempt - 1), maximum))
