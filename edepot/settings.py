"""Typed settings, read once from `EDEPOT_*` environment variables by the composition root.

The embedded default needs nothing but a data directory (`EDEPOT_HOME`, default `./var`).
Outside the embedded default placeholder secrets are refused.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from edepot.errors import ConfigurationError
from edepot.source_settings import TeamsSettings, ZaaksysteemSettings

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "xxx", "todo"})


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "ja"}:
        return True
    if value in {"0", "false", "no", "off", "nee"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean", hint="use true or false", setting=name)


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number", setting=name) from None


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_PERIODS = {"second": 1, "minute": 60, "hour": 3600}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)\s*$")
GIB = 1024**3


@dataclass(frozen=True)
class RateLimit:
    """`requests` per `period_seconds` per client IP (a token bucket that holds `requests`)."""

    requests: int
    period_seconds: int

    @classmethod
    def parse(cls, name: str, raw: str) -> RateLimit | None:
        """`"120/minute"` (also second, hour); `"off"` disables the limit."""
        if raw.strip().lower() in {"off", "0", "none"}:
            return None
        match = _RATE.match(raw.lower())
        if match is None or int(match.group(1)) < 1:
            raise ConfigurationError(
                f"{name}={raw!r} is not a rate", hint="write e.g. 120/minute, 5/second or off", setting=name
            )
        return cls(int(match.group(1)), _PERIODS[match.group(2)])


def _networks(name: str, raw: str) -> tuple[IpNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigurationError(
            f"{name}={raw!r} is not a list of IP addresses or networks",
            hint="write e.g. 10.0.0.5,10.1.0.0/16",
            setting=name,
        ) from None


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """Every knob of edepot. Construct with `Settings.from_env()`; tests pass values directly."""

    home: Path = Path("var")
    database_url: str | None = None  # default: SQLite (WAL) in home/catalog.sqlite3
    store_path: Path | None = None  # default: home/objects
    reject_unlisted_formats: bool = False
    max_path_length: int = 255
    secret_key: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    io_threads: int = 4
    organisation: str = "Provincie Limburg"
    # access control and hardening (edepot.auth, edepot.api)
    oidc_issuer: str | None = None  # e.g. https://sso.example.nl/realms/limburg; None: API tokens only
    oidc_audience: str | None = None  # the `aud` edepot's tokens carry (its client id)
    oidc_jwks_url: str | None = None  # default: `jwks_uri` from the issuer's discovery document
    oidc_roles_claim: str = "roles"  # Entra ID: roles; Keycloak: realm_access.roles
    max_upload_bytes: int = GIB  # largest package accepted by POST /api/v1/submissions
    max_unpacked_bytes: int = 4 * GIB  # largest total size of an unpacked upload
    public_rate_limit: RateLimit | None = RateLimit(120, 60)  # per client IP, per API process
    trusted_proxies: tuple[IpNetwork, ...] = ()  # proxies whose X-Forwarded-For/-Proto are believed
    alert_webhook: str | None = None  # URL that gets a JSON POST when a nightly check fails
    zaaksysteem: ZaaksysteemSettings | None = None  # EDEPOT_ZGW_*: the ZGW APIs to archive from
    teams: TeamsSettings | None = None  # EDEPOT_TEAMS_CONFIG + EDEPOT_GRAPH_*: the Teams to archive
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        """True for the embedded default: SQLite and the filesystem store under `home`."""
        return self.database_url is None or self.database_url.startswith("sqlite")

    @property
    def catalog_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'catalog.sqlite3').resolve()}"

    @property
    def objects_path(self) -> Path:
        return self.store_path or self.home / "objects"

    @property
    def staging_path(self) -> Path:
        return self.home / "staging"

    @property
    def uploads_path(self) -> Path:
        """Where uploaded packages are received and unpacked (apart from staging, which ingest cleans)."""
        return self.home / "uploads"

    def secrets(self) -> tuple[str, ...]:
        """Configured values that must never appear in logs or error bodies."""
        values = [self.secret_key, self.alert_webhook or ""]
        return tuple(v for v in values if len(v.strip()) >= 8)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        kwargs: dict[str, object] = {}
        if "EDEPOT_HOME" in env:
            kwargs["home"] = Path(env["EDEPOT_HOME"])
        if env.get("EDEPOT_DATABASE_URL"):
            kwargs["database_url"] = env["EDEPOT_DATABASE_URL"]
        if env.get("EDEPOT_STORE_PATH"):
            kwargs["store_path"] = Path(env["EDEPOT_STORE_PATH"])
        if "EDEPOT_REJECT_UNLISTED_FORMATS" in env:
            kwargs["reject_unlisted_formats"] = _bool(
                "EDEPOT_REJECT_UNLISTED_FORMATS", env["EDEPOT_REJECT_UNLISTED_FORMATS"]
            )
        if "EDEPOT_MAX_PATH_LENGTH" in env:
            kwargs["max_path_length"] = _int("EDEPOT_MAX_PATH_LENGTH", env["EDEPOT_MAX_PATH_LENGTH"])
        if "EDEPOT_IO_THREADS" in env:
            kwargs["io_threads"] = max(1, _int("EDEPOT_IO_THREADS", env["EDEPOT_IO_THREADS"]))
        if "EDEPOT_SECRET_KEY" in env:
            kwargs["secret_key"] = env["EDEPOT_SECRET_KEY"]
        if env.get("EDEPOT_PUBLIC_BASE_URL"):
            kwargs["public_base_url"] = env["EDEPOT_PUBLIC_BASE_URL"].rstrip("/")
        for name, key in (
            ("EDEPOT_OIDC_ISSUER", "oidc_issuer"),
            ("EDEPOT_OIDC_AUDIENCE", "oidc_audience"),
            ("EDEPOT_OIDC_JWKS_URL", "oidc_jwks_url"),
            ("EDEPOT_ALERT_WEBHOOK", "alert_webhook"),
        ):
            if env.get(name, "").strip():
                kwargs[key] = env[name].strip()
        if env.get("EDEPOT_OIDC_ROLES_CLAIM", "").strip():
            kwargs["oidc_roles_claim"] = env["EDEPOT_OIDC_ROLES_CLAIM"].strip()
        if "EDEPOT_MAX_UPLOAD_BYTES" in env:
            kwargs["max_upload_bytes"] = _int("EDEPOT_MAX_UPLOAD_BYTES", env["EDEPOT_MAX_UPLOAD_BYTES"])
        if "EDEPOT_MAX_UNPACKED_BYTES" in env:
            kwargs["max_unpacked_bytes"] = _int("EDEPOT_MAX_UNPACKED_BYTES", env["EDEPOT_MAX_UNPACKED_BYTES"])
        if "EDEPOT_PUBLIC_RATE_LIMIT" in env:
            kwargs["public_rate_limit"] = RateLimit.parse("EDEPOT_PUBLIC_RATE_LIMIT", env["EDEPOT_PUBLIC_RATE_LIMIT"])
        if "EDEPOT_TRUSTED_PROXIES" in env:
            kwargs["trusted_proxies"] = _networks("EDEPOT_TRUSTED_PROXIES", env["EDEPOT_TRUSTED_PROXIES"])
        kwargs["zaaksysteem"] = ZaaksysteemSettings.from_env(env)
        kwargs["teams"] = TeamsSettings.from_env(env)
        settings = cls(**kwargs)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse placeholder secrets outside the embedded default."""
        if not self.embedded and self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            raise ConfigurationError(
                "EDEPOT_SECRET_KEY is empty or a placeholder while a production database is configured",
                hint="set EDEPOT_SECRET_KEY to a long random value (e.g. `python -c 'import secrets;"
                " print(secrets.token_urlsafe(48))'`)",
                setting="EDEPOT_SECRET_KEY",
            )
        if self.oidc_issuer is not None:
            if not self.oidc_audience:
                raise ConfigurationError(
                    "EDEPOT_OIDC_ISSUER is set but EDEPOT_OIDC_AUDIENCE is not",
                    hint="set EDEPOT_OIDC_AUDIENCE to the client id that edepot's access tokens are issued for",
                    setting="EDEPOT_OIDC_AUDIENCE",
                )
            for name, url in (("EDEPOT_OIDC_ISSUER", self.oidc_issuer), ("EDEPOT_OIDC_JWKS_URL", self.oidc_jwks_url)):
                if url is not None and not url.startswith("https://") and not _is_loopback_url(url):
                    raise ConfigurationError(
                        f"{name}={url!r} must be an https URL (plain http only on the loopback interface)",
                        setting=name,
                    )
        if self.alert_webhook is not None and urlsplit(self.alert_webhook).scheme not in {"http", "https"}:
            raise ConfigurationError("EDEPOT_ALERT_WEBHOOK must be an http(s) URL", setting="EDEPOT_ALERT_WEBHOOK")
        if self.max_upload_bytes < 1 or self.max_unpacked_bytes < 1:
            raise ConfigurationError(
                "EDEPOT_MAX_UPLOAD_BYTES and EDEPOT_MAX_UNPACKED_BYTES must be positive",
                setting="EDEPOT_MAX_UPLOAD_BYTES",
            )
        if self.max_path_length < 32:
            raise ConfigurationError(
                f"EDEPOT_MAX_PATH_LENGTH={self.max_path_length} is too small (minimum 32)",
                setting="EDEPOT_MAX_PATH_LENGTH",
            )
