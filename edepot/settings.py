"""Typed settings, read once from `EDEPOT_*` environment variables by the composition root.

The embedded default needs nothing but a data directory (`EDEPOT_HOME`, default `./var`).
Outside the embedded default placeholder secrets are refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from edepot.errors import ConfigurationError

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
        if self.max_path_length < 32:
            raise ConfigurationError(
                f"EDEPOT_MAX_PATH_LENGTH={self.max_path_length} is too small (minimum 32)",
                setting="EDEPOT_MAX_PATH_LENGTH",
            )
