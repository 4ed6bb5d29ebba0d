"""The `audit` command group and `aip copies|legal-hold`, run with click's CliRunner on two replicas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from edepot.cli_audit import aip_copies, aip_legal_hold, audit
from tests.unit.audit_world import AuditWorld, make_audit_world


@pytest.fixture
def world(tmp_path: Path) -> AuditWorld:
    world = make_audit_world(tmp_path)
    world.ingest("001", "002")
    return world


def run(world: AuditWorld, command: object, *args: str) -> Result:
    obj = {"services": world.services, "auditor": world.auditor}
    return CliRunner().invoke(command, list(args), obj=obj, catch_exceptions=False)  # type: ignore[arg-type]


def test_bad_arguments_exit_with_a_data_error(world: AuditWorld) -> None:
    both = run(world, audit, "run", "--all", "--aip", str(world.ids["001"]), "--json")
    assert both.exit_code == 65 and json.loads(both.output)["type"].endswith("/invalid-input")
    assert run(world, audit, "run", "--aip", "geen-id").exit_code == 65
    assert run(world, audit, "report", "--from", "1 maart").exit_code == 65
    assert run(world, aip_copies, "00000000-0000-4000-8000-000000000000").exit_code == 66
    assert run(world, aip_legal_hold, str(world.ids["001"]), "--on", "--reden", " ").exit_code == 65


def test_audit_run_repairs_prints_the_result_and_exits_zero_when_all_is_well_again(world: AuditWorld) -> None:
    world.flip_bit("filesystem", world.scan_key("002"))

    result = run(world, audit, "run", "--all", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["clean"] and data["repairs"][0]["key"] == world.scan_key("002")
    text = run(world, audit, "run", "--aip", str(world.ids["002"]))
    assert text.exit_code == 0 and "2 copies" in text.output and "goed 2" in text.output


def test_audit_run_exits_one_while_damage_remains(world: AuditWorld) -> None:
    world.flip_bit("filesystem", world.scan_key("001"))
    world.flip_bit("tweede", world.scan_key("001"))

    assert run(world, audit, "run", "--due").exit_code == 0  # nothing due yet: verified at ingest just now
    assert run(world, audit, "run", "--all").exit_code == 1
    assert "BESCHADIGD" in run(world, audit, "run", "--due").output  # a damaged copy stays due
    status = json.loads(run(world, audit, "status", "--json").output)
    assert status["beschadigd"] == [str(world.ids["001"])]


def test_status_and_copies_as_text_and_json(world: AuditWorld) -> None:
    status = run(world, audit, "status")
    assert status.exit_code == 0 and "filesystem" in status.output and "overdue 0" in status.output
    copies = json.loads(run(world, aip_copies, str(world.ids["001"]), "--json").output)
    assert copies["count"] == 2
    assert "2 verified copies" in run(world, aip_copies, str(world.ids["001"])).output


def test_the_report_goes_to_a_file_or_stdout_in_the_chosen_format(world: AuditWorld, tmp_path: Path) -> None:
    run(world, audit, "run", "--all")
    target = tmp_path / "rapport.pdf"

    assert run(world, audit, "report", "--format", "pdf", "-o", str(target)).exit_code == 0
    assert target.read_bytes().startswith(b"%PDF")
    html = run(world, audit, "report")
    assert html.exit_code == 0 and html.output.startswith("<!doctype html>")
    rows = run(world, audit, "report", "--format", "csv", "--from", "2026-01-01", "--to", "2026-12-31").output
    assert rows.splitlines()[0].startswith("soort,datum")


def test_a_legal_hold_without_an_object_lock_copy_is_recorded_and_says_where_it_could_not_go(
    world: AuditWorld,
) -> None:
    result = run(world, aip_legal_hold, str(world.ids["001"]), "--on", "--reden", "rechtszaak 2026/12", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["stores"] == [] and data["skipped"] == ["filesystem", "tweede"]
    (event,) = [e for e in world.events("policy assignment") if e.detail.get("actie") == "legal hold geplaatst"]
    assert event.detail["reden"] == "rechtszaak 2026/12" and event.object_id == str(world.ids["001"])
