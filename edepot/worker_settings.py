"""Settings of the scale-out runtime (broker, queues, retries, schedule, database pool), read from
`EDEPOT_*` environment variables. Pure: no network, no Celery import.

| variable | meaning | default |
|---|---|---|
| EDEPOT_BROKER_URL | Celery broker (`redis://host:6379/0`); unset: embedded, jobs run in-process | none |
| EDEPOT_QUEUE_LIMIT | open jobs (queued, running, failed) a queue may hold before submissions are refused | `50` |
| EDEPOT_QUEUE_LIMIT_<QUEUE> | the same for one queue, e.g. EDEPOT_QUEUE_LIMIT_INGEST_ANALOGUE | EDEPOT_QUEUE_LIMIT |
| EDEPOT_QUEUE_RETRY_AFTER | seconds a refused submitter is told to wait (HTTP Retry-After) | `60` |
| EDEPOT_JOB_MAX_RETRIES | retries after the first attempt before a job goes to the dead-letter list | `5` |
| EDEPOT_JOB_BACKOFF_SECONDS | first retry delay; doubles per retry | `10` |
| EDEPOT_JOB_BACKOFF_MAX_SECONDS | longest retry delay | `3600` |
| EDEPOT_BROKER_VISIBILITY_TIMEOUT | secs until an unacknowledged job (lost worker) goes to another worker | `3600` |
| EDEPOT_NIGHTLY_AT | time of the nightly retention job (Celery beat, Europe/Amsterdam) | `02:30` |
| EDEPOT_DB_POOL_SIZE / EDEPOT_DB_MAX_OVERFLOW | PostgreSQL connections kept / extra, per process | `5` / `10` |
| EDEPOT_DB_POOL_PRE_PING | test a pooled connection before use | `true` |
| EDEPOT_DB_POOL_RECYCLE | seconds after which a pooled connection is replaced | `1800` |
| EDEPOT_DB_POOL_TIMEOUT | seconds to wait for a free pooled connection | `30` |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from edepot.errors import ConfigurationError
from edepot.jobs import QUEUES, queue_limit_setting


def _positive(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number", setting=name) from None
    if value < minimum:
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum}", setting=name)
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on", "ja"}:
        return True
    if raw in {"0", "false", "no", "off", "nee"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean", hint="use true or false", setting=name)


def _clock(env: Mapping[str, str], name: str, default: time) -> time:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw)
    if match is None:
        raise ConfigurationError(f"{name}={raw!r} is not a time of day", hint="write HH:MM, e.g. 02:30", setting=name)
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class PoolSettings:
    """SQLAlchemy pool options for PostgreSQL catalog engines."""

    size: int = 5
    max_overflow: int = 10
    pre_ping: bool = True
    recycle: int = 1800
    timeout: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PoolSettings:
        env = os.environ if environ is None else environ
        return cls(
            size=_positive(env, "EDEPOT_DB_POOL_SIZE", cls.size),
            max_overflow=_positive(env, "EDEPOT_DB_MAX_OVERFLOW", cls.max_overflow, minimum=0),
            pre_ping=_flag(env, "EDEPOT_DB_POOL_PRE_PING", cls.pre_ping),
            recycle=_positive(env, "EDEPOT_DB_POOL_RECYCLE", cls.recycle),
            timeout=_positive(env, "EDEPOT_DB_POOL_TIMEOUT", cls.timeout),
        )

    def engine_options(self) -> dict[str, Any]:
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_pre_ping": self.pre_ping,
            "pool_recycle": self.recycle,
            "pool_timeout": self.timeout,
        }


def pool_options(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`create_engine` keyword arguments for a PostgreSQL catalog, from the environment."""
    return PoolSettings.from_env(environ).engine_options()


@dataclass(frozen=True)
class WorkerSettings:
    broker_url: str | None = None
    queue_limit: int = 50
    queue_limits: Mapping[str, int] = field(default_factory=dict)
    retry_after: int = 60
    max_retries: int = 5
    backoff_seconds: int = 10
    backoff_max_seconds: int = 3600
    visibility_timeout: int = 3600
    nightly_at: time = time(2, 30)
    timezone: str = "Europe/Amsterdam"

    @property
    def embedded(self) -> bool:
        """No broker: jobs run in the submitting process (see edepot.job_service.InlineDispatcher)."""
        return self.broker_url is None

    def limit(self, queue: str) -> int:
        return self.queue_limits.get(queue, self.queue_limit)

    def backoff(self, retries: int) -> int:
        """Seconds before retry number `retries + 1`: base * 2**retries, at most the maximum."""
        return int(min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, retries)))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        env = os.environ if environ is None else environ
        limit = _positive(env, "EDEPOT_QUEUE_LIMIT", cls.queue_limit)
        limits = {q: _positive(env, queue_limit_setting(q), limit) for q in QUEUES if env.get(queue_limit_setting(q))}
        broker = env.get("EDEPOT_BROKER_URL", "").strip() or None
        if broker is not None and not re.match(r"^(redis|rediss|redis\+socket|amqp|amqps|memory)://", broker):
            raise ConfigurationError(
                f"EDEPOT_BROKER_URL={broker.split('@')[-1]!r} is not a broker URL",
                hint="write e.g. redis://redis.internal:6379/0",
                setting="EDEPOT_BROKER_URL",
            )
        return cls(
            broker_url=broker,
            queue_limit=limit,
            queue_limits=limits,
            retry_after=_positive(env, "EDEPOT_QUEUE_RETRY_AFTER", cls.retry_after),
            max_retries=_positive(env, "EDEPOT_JOB_MAX_RETRIES", cls.max_retries, minimum=0),
            backoff_seconds=_positive(env, "EDEPOT_JOB_BACKOFF_SECONDS", cls.backoff_seconds),
            backoff_max_seconds=_positive(env, "EDEPOT_JOB_BACKOFF_MAX_SECONDS", cls.backoff_max_seconds),
            visibility_timeout=_positive(env, "EDEPOT_BROKER_VISIBILITY_TIMEOUT", cls.visibility_timeout),
            nightly_at=_clock(env, "EDEPOT_NIGHTLY_AT", cls.nightly_at),
        )
