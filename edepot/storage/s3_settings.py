"""S3 storage settings, read from `EDEPOT_S3_*` environment variables (pure: no network, no boto3).

Variables (all optional unless S3 is used; S3 is used as soon as one of them is set):

| variable | meaning | default |
|---|---|---|
| EDEPOT_S3_ENDPOINT | endpoint URL, e.g. `https://s3.example.nl` (empty: AWS) | none |
| EDEPOT_S3_REGION | region name | `us-east-1` |
| EDEPOT_S3_ACCESS_KEY / EDEPOT_S3_SECRET_KEY | credentials; placeholders are refused | required |
| EDEPOT_S3_BUCKET | bucket holding the AIPs | required |
| EDEPOT_S3_LOCK_MODE | Object Lock retention mode: COMPLIANCE, GOVERNANCE or NONE | `COMPLIANCE` |
| EDEPOT_S3_RETENTION_DAYS | retain-until of a new object, in days (then the nightly retention job sets it) | `365` |
| EDEPOT_S3_MULTIPART_THRESHOLD | size above which uploads are multipart (`64MiB`, `200MB`, bytes) | `64MiB` |
| EDEPOT_S3_PART_SIZE | multipart part size (at least 5 MiB) | `16MiB` |
| EDEPOT_S3_MAX_CONCURRENCY | parts uploaded at the same time per put | `4` |
| EDEPOT_S3_MAX_ATTEMPTS | attempts per request (botocore "standard" retries) | `5` |
| EDEPOT_S3_CONNECT_TIMEOUT / EDEPOT_S3_READ_TIMEOUT | seconds | `5` / `60` |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from edepot.errors import ConfigurationError

MIB = 1024 * 1024
MIN_PART_SIZE = 5 * MIB  # S3: every part but the last is at least 5 MiB
LOCK_MODES = frozenset({"COMPLIANCE", "GOVERNANCE"})
_PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "xxx", "todo"})
_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


def parse_size(name: str, raw: str) -> int:
    """Bytes from `123`, `64MiB`, `64M` (binary when `i` is given, decimal otherwise: `200MB`)."""
    match = _SIZE.match(raw)
    if not match:
        raise ConfigurationError(
            f"{name}={raw!r} is not a size",
            hint="write bytes or a number with KiB, MiB, GiB (e.g. 64MiB)",
            setting=name,
        )
    number, unit = int(match.group(1)), (match.group(2) or "").lower()
    if "i" in unit:
        return number * int(1024 ** ("kmgt".index(unit[0]) + 1))
    return number * _UNITS[unit[:1]]


def _number(name: str, raw: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number", setting=name) from None
    if value <= 0:
        raise ConfigurationError(f"{name}={raw!r} must be positive", setting=name)
    return value


@dataclass(frozen=True)
class S3Settings:
    """Where and how edepot stores AIP objects in S3. Build with `from_env`; tests pass values."""

    bucket: str
    access_key: str
    secret_key: str
    endpoint: str | None = None
    region: str = "us-east-1"
    lock_mode: str | None = "COMPLIANCE"  # None: no Object Lock retention on puts
    # short on purpose: under COMPLIANCE a longer initial lock would outlive short bewaartermijnen and
    # block lawful destruction; the nightly retention job extends each AIP's lock from its decision
    retention_days: int = 365
    multipart_threshold: int = 64 * MIB
    part_size: int = 16 * MIB
    max_concurrency: int = 4
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 60.0

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Refuse what cannot work: placeholders, unknown lock modes, parts S3 would refuse."""
        for setting, value in (("EDEPOT_S3_ACCESS_KEY", self.access_key), ("EDEPOT_S3_SECRET_KEY", self.secret_key)):
            if value.strip().lower() in _PLACEHOLDERS:
                raise ConfigurationError(
                    f"{setting} is empty or a placeholder",
                    hint="set the credentials of the edepot identity on the S3 server",
                    setting=setting,
                )
        if not self.bucket.strip():
            raise ConfigurationError(
                "EDEPOT_S3_BUCKET is empty", hint="name the bucket for the AIPs", setting="EDEPOT_S3_BUCKET"
            )
        if self.lock_mode is not None and self.lock_mode not in LOCK_MODES:
            raise ConfigurationError(
                f"EDEPOT_S3_LOCK_MODE={self.lock_mode!r} is not a retention mode",
                hint="use COMPLIANCE (production), GOVERNANCE, or NONE",
                setting="EDEPOT_S3_LOCK_MODE",
            )
        if self.part_size < MIN_PART_SIZE:
            raise ConfigurationError(
                f"EDEPOT_S3_PART_SIZE={self.part_size} is below the S3 minimum of 5 MiB",
                setting="EDEPOT_S3_PART_SIZE",
            )
        if self.multipart_threshold < MIN_PART_SIZE:
            raise ConfigurationError(
                f"EDEPOT_S3_MULTIPART_THRESHOLD={self.multipart_threshold} is below 5 MiB",
                hint="smaller files go up in one request anyway; use at least 5MiB",
                setting="EDEPOT_S3_MULTIPART_THRESHOLD",
            )
        if self.retention_days < 1 or self.max_concurrency < 1 or self.max_attempts < 1:
            raise ConfigurationError(
                "EDEPOT_S3_RETENTION_DAYS, EDEPOT_S3_MAX_CONCURRENCY and EDEPOT_S3_MAX_ATTEMPTS must be at least 1"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> S3Settings | None:
        """The settings, or None when no `EDEPOT_S3_*` variable is set (S3 not used)."""
        env = os.environ if environ is None else environ
        if not any(name.startswith("EDEPOT_S3_") and value for name, value in env.items()):
            return None
        missing = [n for n in ("EDEPOT_S3_BUCKET", "EDEPOT_S3_ACCESS_KEY", "EDEPOT_S3_SECRET_KEY") if not env.get(n)]
        if missing:
            raise ConfigurationError(
                f"S3 storage is partly configured: {', '.join(missing)} not set",
                hint="set all of EDEPOT_S3_BUCKET, EDEPOT_S3_ACCESS_KEY and EDEPOT_S3_SECRET_KEY, or none",
                setting=missing[0],
            )
        kwargs: dict[str, object] = {
            "bucket": env["EDEPOT_S3_BUCKET"],
            "access_key": env["EDEPOT_S3_ACCESS_KEY"],
            "secret_key": env["EDEPOT_S3_SECRET_KEY"],
            "endpoint": env.get("EDEPOT_S3_ENDPOINT") or None,
        }
        if env.get("EDEPOT_S3_REGION"):
            kwargs["region"] = env["EDEPOT_S3_REGION"]
        if env.get("EDEPOT_S3_LOCK_MODE"):
            mode = env["EDEPOT_S3_LOCK_MODE"].strip().upper()
            kwargs["lock_mode"] = None if mode in {"NONE", "OFF"} else mode
        sizes = (("EDEPOT_S3_MULTIPART_THRESHOLD", "multipart_threshold"), ("EDEPOT_S3_PART_SIZE", "part_size"))
        for name, field_name in sizes:
            if env.get(name):
                kwargs[field_name] = parse_size(name, env[name])
        for name, field_name in (
            ("EDEPOT_S3_RETENTION_DAYS", "retention_days"),
            ("EDEPOT_S3_MAX_CONCURRENCY", "max_concurrency"),
            ("EDEPOT_S3_MAX_ATTEMPTS", "max_attempts"),
        ):
            if env.get(name):
                kwargs[field_name] = int(_number(name, env[name], int))
        seconds = (("EDEPOT_S3_CONNECT_TIMEOUT", "connect_timeout"), ("EDEPOT_S3_READ_TIMEOUT", "read_timeout"))
        for name, field_name in seconds:
            if env.get(name):
                kwargs[field_name] = _number(name, env[name], float)
        return cls(**kwargs)  # type: ignore[arg-type]

    def __repr__(self) -> str:  # never print the secret
        return (
            f"S3Settings(endpoint={self.endpoint!r}, region={self.region!r}, bucket={self.bucket!r}, "
            f"lock_mode={self.lock_mode!r}, multipart_threshold={self.multipart_threshold})"
        )
