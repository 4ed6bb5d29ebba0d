"""`edepot index sync|status|open-lapsed` and `edepot reindex`, through the real main group."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from edepot.cli import main
from edepot.settings import Settings


@pytest.fixture
def cli(sample_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[click.Group, dict[str, object]]:
    home = tmp_path / "home"
    shutil.copytree(sample_home, home)
    monkeypatch.delenv("EDEPOT_SEARCH_ENGINE", raising=False)
    return main, {"settings": Settings(home=home)}


def run(cli: tuple[click.Group, dict[str, object]], *args: str) -> tuple[int, object]:
    group, obj = cli
    result = CliRunner().invoke(group, list(args), obj=dict(obj))
    try:
        return result.exit_code, json.loads(result.output)
    except json.JSONDecodeError:
        return result.exit_code, result.output


def test_an_unknown_search_engine_is_refused_with_the_setting_named(
    cli: tuple[click.Group, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDEPOT_SEARCH_ENGINE", "elastic")
    code, output = run(cli, "index", "sync", "--json")
    assert code == 78 and "EDEPOT_SEARCH_ENGINE" in str(output)


def test_an_unreadable_date_for_the_daily_job_is_refused(cli: tuple[click.Group, dict[str, object]]) -> None:
    code, output = run(cli, "index", "open-lapsed", "--date", "morgen", "--json")
    assert code == 65 and "--date" in str(output)


def test_sync_indexes_the_holdings_and_status_reports_them(cli: tuple[click.Group, dict[str, object]]) -> None:
    code, report = run(cli, "index", "sync", "--json")
    assert code == 0 and report == {"queued": 7, "removed": 0, "indexed": 7, "failed": 0, "opened": []}

    code, status = run(cli, "index", "status", "--json")
    assert code == 0 and isinstance(status, dict)
    assert (status["engine"], status["documents"]) == ("tantivy", 7)
    assert status["records"] == {"wachtend": 0, "geindexeerd": 7, "mislukt": 0, "public": 2}

    code, text = run(cli, "index", "status")
    assert code == 0 and "7 indexed (2 public)" in str(text)


def test_reindex_rebuilds_and_the_daily_job_opens_nothing_before_the_day_of_a_restriction(
    cli: tuple[click.Group, dict[str, object]],
) -> None:
    assert run(cli, "index", "sync", "--json")[0] == 0
    code, report = run(cli, "reindex", "--json")
    assert code == 0 and isinstance(report, dict) and report["indexed"] == 7

    code, report = run(cli, "index", "open-lapsed", "--date", "2025-01-01", "--json")
    assert code == 0 and report == {"queued": 0, "removed": 0, "indexed": 0, "failed": 0, "opened": []}


def test_the_daily_job_refuses_to_open_records_as_of_a_day_still_to_come(
    cli: tuple[click.Group, dict[str, object]],
) -> None:
    assert run(cli, "index", "sync", "--json")[0] == 0
    code, output = run(cli, "index", "open-lapsed", "--date", "2063-01-01", "--json")
    assert code == 65 and "after today" in str(output)
    code, status = run(cli, "index", "status", "--json")
    assert isinstance(status, dict) and status["records"]["public"] == 2
