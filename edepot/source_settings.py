"""Settings of the source workers (zaaksysteem, Teams), read from `EDEPOT_*` environment variables.

Part of the one settings object (`Settings.zaaksysteem`, `Settings.teams`): None when a source is
not configured. Secrets are refused when empty or a placeholder. Which Teams and key officials to
archive, their roles and the retention per role are configuration data in a JSON file
(`EDEPOT_TEAMS_CONFIG`), not code:

    {"teams": ["<team id>"], "users": ["<user id of a key official>"],
     "roles": {"<team or user id>": "bestuurder"},
     "retention": {"bestuurder": "B", "topmanagement": "V P10Y"},
     "period": "month"}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edepot.errors import ConfigurationError

_PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "xxx", "todo"})


def _secret(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "")
    if value.strip().lower() in _PLACEHOLDERS:
        raise ConfigurationError(
            f"{name} is empty or a placeholder", hint=f"set {name} to the real secret", setting=name
        )
    return value


def _required(env: Mapping[str, str], name: str, group: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigurationError(
            f"{name} is not set while {group} is partly configured",
            hint=f"set every {group} variable, or none",
            setting=name,
        )
    return value


@dataclass(frozen=True)
class ZaaksysteemSettings:
    zaken_url: str
    documenten_url: str
    catalogi_url: str
    client_id: str
    secret: str = field(repr=False)
    besluiten_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ZaaksysteemSettings | None:
        names = ("EDEPOT_ZGW_ZAKEN_URL", "EDEPOT_ZGW_DOCUMENTEN_URL", "EDEPOT_ZGW_CATALOGI_URL", "EDEPOT_ZGW_CLIENT_ID")
        if not any(env.get(n) for n in (*names, "EDEPOT_ZGW_SECRET")):
            return None
        zaken, documenten, catalogi, client_id = (_required(env, n, "EDEPOT_ZGW_*") for n in names)
        return cls(
            zaken_url=zaken,
            documenten_url=documenten,
            catalogi_url=catalogi,
            client_id=client_id,
            secret=_secret(env, "EDEPOT_ZGW_SECRET"),
            besluiten_url=env.get("EDEPOT_ZGW_BESLUITEN_URL") or None,
        )


@dataclass(frozen=True)
class TeamsSettings:
    teams: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    roles: Mapping[str, str] = field(default_factory=dict)
    retention: Mapping[str, str] = field(default_factory=dict)  # role -> "B" | "V P10Y"
    period: str = "month"
    tenant: str | None = None  # Graph credentials: None for export folders only
    client_id: str | None = None
    secret: str | None = field(default=None, repr=False)
    base_url: str | None = None
    token_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsSettings | None:
        path = env.get("EDEPOT_TEAMS_CONFIG")
        if not path:
            return None
        try:
            data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigurationError(
                f"EDEPOT_TEAMS_CONFIG={path}: cannot read it as JSON ({error})",
                hint="point it at a JSON file as described in edepot/source_settings.py",
                setting="EDEPOT_TEAMS_CONFIG",
            ) from None
        if not isinstance(data, dict):
            raise ConfigurationError(f"{path} must hold a JSON object", setting="EDEPOT_TEAMS_CONFIG")
        live = env.get("EDEPOT_GRAPH_TENANT")
        return cls(
            teams=tuple(str(t) for t in data.get("teams", [])),
            users=tuple(str(u) for u in data.get("users", [])),
            roles={str(k): str(v) for k, v in dict(data.get("roles", {})).items()},
            retention={str(k): str(v) for k, v in dict(data.get("retention", {})).items()},
            period=str(data.get("period", "month")),
            tenant=live or None,
            client_id=_required(env, "EDEPOT_GRAPH_CLIENT_ID", "EDEPOT_GRAPH_*") if live else None,
            secret=_secret(env, "EDEPOT_GRAPH_SECRET") if live else None,
            base_url=env.get("EDEPOT_GRAPH_BASE_URL") or None,
            token_url=env.get("EDEPOT_GRAPH_TOKEN_URL") or None,
        )
