"""`edepot ingest zaaksysteem` and `edepot ingest teams` end to end: settings from EDEPOT_* variables,
the fake Open Zaak and Graph servers on 127.0.0.1, a real SQLite catalog and filesystem store.
The cursor of an accepted run is kept with its submission, so the next run continues from it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from edepot.cli import main
from edepot.settings import Settings
from ingest.graph_client import GraphClient
from tests.integration.teams.test_teams import ROLES, TEAMS, USERS, export_folder
from tests.integration.zgw.fake_server import ACCOUNTS, FakeZgw

pytest_plugins = ["tests.integration.teams.conftest"]


@pytest.fixture
def zgw() -> Iterator[FakeZgw]:
    server = FakeZgw().start()
    try:
        yield server
    finally:
        server.stop()


def run(settings: Settings, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [*args, "--json"], obj={"settings": settings}, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def zgw_settings(tmp_path: Path, zgw: FakeZgw) -> Settings:
    return Settings.from_env({
        "EDEPOT_HOME": str(tmp_path / "home"),
        "EDEPOT_ZGW_ZAKEN_URL": zgw.zaken_url,
        "EDEPOT_ZGW_DOCUMENTEN_URL": zgw.documenten_url,
        "EDEPOT_ZGW_CATALOGI_URL": zgw.catalogi_url,
        "EDEPOT_ZGW_BESLUITEN_URL": zgw.besluiten_url,
        "EDEPOT_ZGW_CLIENT_ID": "edepot",
        "EDEPOT_ZGW_SECRET": ACCOUNTS["edepot"].secret,
    })


def test_ingest_zaaksysteem_stores_one_aip_per_zaak_and_continues_from_its_cursor(tmp_path, zgw):
    settings = zgw_settings(tmp_path, zgw)
    code, first = run(settings, "ingest", "zaaksysteem")
    assert code == 0, first
    assert first["status"] == "geaccepteerd" and first["counts"]["packages"] >= 1
    assert first["cursor"]["einddatum"]
    assert all(a["source_key"].startswith(zgw.zaken_url) for a in first["aips"])
    code, again = run(settings, "ingest", "zaaksysteem")
    assert code == 0
    assert again["counts"]["new"] == 0, "a rerun from the stored cursor stores nothing new"
    assert again["cursor"] == first["cursor"]


def test_ingest_one_zaak_by_url_as_a_dry_run_stores_nothing(tmp_path, zgw):
    settings = zgw_settings(tmp_path, zgw)
    code, listed = run(settings, "ingest", "zaaksysteem", "--dry-run")
    zaak = listed["aips"][0]["source_key"]
    code, one = run(settings, "ingest", "zaaksysteem", "--zaak", zaak, "--dry-run")
    assert code == 0 and one["status"] == "proef"
    assert [a["source_key"] for a in one["aips"]] == [zaak]
    assert run(settings, "aip", "list")[1] == []


def test_ingest_zaaksysteem_without_settings_is_a_configuration_error(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "zaaksysteem", "--json"],
                                obj={"settings": Settings(home=tmp_path / "home")})
    assert result.exit_code == 78
    assert "EDEPOT_ZGW" in json.loads(result.stdout)["hint"]


def test_ingest_teams_from_an_export_folder(tmp_path, client: GraphClient):
    export_folder(client, tmp_path / "export", teams=TEAMS, users=USERS)
    config = tmp_path / "teams.json"
    config.write_text(json.dumps({
        "teams": list(TEAMS), "users": list(USERS), "roles": ROLES,
        "retention": {"bestuurder": "B", "topmanagement": "V P10Y"},
    }))
    settings = Settings.from_env({"EDEPOT_HOME": str(tmp_path / "home"), "EDEPOT_TEAMS_CONFIG": str(config)})
    code, receipt = run(settings, "ingest", "teams", "--export", str(tmp_path / "export"))
    assert code == 0, receipt
    keys = [a["source_key"] for a in receipt["aips"]]
    assert any(k.startswith("teams:channel:") for k in keys) and any(k.startswith("teams:chat:") for k in keys)
    code, again = run(settings, "ingest", "teams", "--export", str(tmp_path / "export"))
    assert code == 0 and again["counts"]["new"] == 0
