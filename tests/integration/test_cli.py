"""The `edepot` command line, run in-process on the embedded default (SQLite + filesystem store)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from edepot.cli import main
from edepot.sample import make_sample_block
from edepot.settings import Settings


@pytest.fixture(scope="module")
def block(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_block(tmp_path_factory.mktemp("supplier"))


@pytest.fixture
def run(tmp_path: Path):
    settings = Settings(home=tmp_path / "home")

    def invoke(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), obj={"settings": settings}, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    invoke.settings = settings  # type: ignore[attr-defined]
    return invoke


def test_init_creates_the_data_directory_and_is_idempotent(run):
    assert run("init")[0] == 0
    code, out, _ = run("init", "--json")
    assert code == 0 and Path(json.loads(out)["home"]).is_dir()


def test_ingest_prints_a_receipt_and_aip_show_lists_its_records_and_files(run, block):
    code, out, _ = run("ingest", "analogue", str(block), "--json")
    assert code == 0
    receipt = json.loads(out)
    assert receipt["status"] == "geaccepteerd"
    assert receipt["counts"]["packages"] == 5 and receipt["counts"]["files"] == 11
    assert {w["rule"] for w in receipt["warnings"]} >= {"preingest.name.cleaned"}
    aip_id = receipt["aips"][2]["aip_id"]  # the dossier with two archiefstukken
    code, out, _ = run("aip", "show", aip_id, "--json")
    shown = json.loads(out)
    assert [r["aggregatieniveau"] for r in shown["records"]].count("Archiefstuk") == 2
    assert any(f["path"] == "tagmanifest-sha256.txt" for f in shown["files"])


def test_a_dry_run_reports_but_stores_nothing(run, block):
    code, out, _ = run("ingest", "analogue", str(block), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["status"] == "proef"
    assert json.loads(run("aip", "list", "--json")[1]) == []


def test_a_rejected_block_exits_65_with_a_machine_readable_report_and_stores_nothing(run, block, tmp_path):
    bad = tmp_path / "1987-1996"
    shutil.copytree(block, bad)
    (bad / "001" / "0001.tif").write_bytes(b"")
    code, out, _ = run("ingest", "analogue", str(bad), "--json")
    assert code == 65
    report = json.loads(out)
    assert report["status"] == 422 and report["type"].endswith("submission-rejected")
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors and all({"rule", "message", "action", "file"} <= f.keys() for f in errors)
    assert any(f["file"] == "001/0001.tif" for f in errors)
    assert json.loads(run("aip", "list", "--json")[1]) == []
    assert not list((run.settings.objects_path).rglob("*.tif"))  # type: ignore[attr-defined]


def test_export_gives_a_bag_that_bag_validate_accepts(run, block, tmp_path):
    receipt = json.loads(run("ingest", "analogue", str(block), "--json")[1])
    aip_id = receipt["aips"][0]["aip_id"]
    out = tmp_path / "export"
    assert run("export", aip_id, str(out))[0] == 0
    code, text, _ = run("bag", "validate", str(out), "--ledger-from-catalog")
    assert code == 0 and "valid" in text
    (out / "data" / "001" / "0002.tif").write_bytes(b"tampered")
    code, text, _ = run("bag", "validate", str(out), "--json")
    assert code == 1
    rules = {f["rule"] for f in json.loads(text)["findings"]}
    assert "bagit.checksum" in rules


def test_unknown_aip_ids_exit_66_and_malformed_ones_65(run):
    run("init")
    assert run("aip", "show", "00000000-0000-4000-8000-000000000000")[0] == 66
    assert run("aip", "show", "not-a-uuid")[0] == 65


def test_rebuild_catalog_and_events_verify_succeed_after_an_ingest(run, block):
    run("ingest", "analogue", str(block))
    before = json.loads(run("aip", "list", "--json")[1])
    code, out, _ = run("rebuild-catalog", "--json")
    assert code == 0 and len(json.loads(out)["rebuilt"]) == 5
    after = json.loads(run("aip", "list", "--json")[1])
    assert sorted(a["id"] for a in after) == sorted(a["id"] for a in before)
    code, out, _ = run("events", "verify", "--json")
    assert code == 0 and json.loads(out)["intact"] is True


def test_events_verify_exits_1_when_a_row_was_edited(run, block):
    import sqlalchemy as sa

    run("ingest", "analogue", str(block))
    engine = sa.create_engine(run.settings.catalog_url)  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET agent = 'someone else' WHERE seq = 2"))
    code, out, _ = run("events", "verify", "--json")
    assert code == 1
    assert "events.content" in {f["rule"] for f in json.loads(out)["findings"]}


def test_init_prints_an_admin_token_the_first_time_only_and_it_works(run):
    from edepot.auth.tokens import authenticate_token
    from edepot.bootstrap import build

    code, out, _ = run("init", "--json")
    first = json.loads(out)
    assert code == 0 and first["admin_token"].startswith("edp_")
    code, out, _ = run("init")
    assert code == 0 and first["admin_token"] not in out and "API token" not in out

    principal = authenticate_token(build(run.settings), first["admin_token"])  # type: ignore[attr-defined]
    assert principal.roles == {"beheerder"} and principal.token_id == first["admin_token_id"]


def test_token_create_list_and_revoke(run):
    code, out, _ = run(
        "token",
        "create",
        "--role",
        "ingest-worker",
        "--role",
        "dim",
        "--expires",
        "90",
        "--name",
        "zaaksysteem-worker",
        "--json",
    )
    created = json.loads(out)
    assert code == 0 and created["roles"] == ["dim", "ingest-worker"] and created["expires_at"]
    code, out, _ = run("token", "list", "--json")
    listed = {t["id"]: t for t in json.loads(out)}
    assert listed[created["id"]]["state"] == "active" and "token" not in listed[created["id"]]
    assert created["token"] not in out
    assert run("token", "revoke", created["id"])[0] == 0
    assert {t["id"]: t["state"] for t in json.loads(run("token", "list", "--json")[1])}[created["id"]] == "revoked"


def test_token_commands_refuse_unknown_roles_and_ids(run):
    assert run("token", "create", "--role", "root")[0] == 65
    assert run("token", "revoke", "not-an-id")[0] == 65
    assert run("token", "revoke", "00000000-0000-4000-8000-000000000000")[0] == 66


def test_events_export_writes_csv_for_a_period(run, tmp_path):
    import csv
    import io

    run("init")
    run("token", "create", "--role", "dim")
    code, out, _ = run("events", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["type"] for r in rows] == ["token issued", "token issued"]
    assert run("events", "export", "--from", "2999-01-01")[1].count("\n") == 1  # the header only
    assert run("events", "export", "--to", "not-a-date")[0] == 65
    target = tmp_path / "events.csv"
    assert run("events", "export", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == out


def test_events_verify_alert_posts_to_the_webhook_when_the_chain_is_broken(tmp_path):
    import sqlalchemy as sa

    from tests.integration.test_alerts import Webhook

    hook = Webhook()
    try:
        settings = Settings(home=tmp_path / "home", alert_webhook=hook.url)
        invoke = CliRunner().invoke
        assert invoke(main, ["init"], obj={"settings": settings}).exit_code == 0
        assert invoke(main, ["events", "verify", "--alert"], obj={"settings": settings}).exit_code == 0
        assert hook.received == []
        engine = sa.create_engine(settings.catalog_url)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE events SET agent = 'someone else' WHERE seq = 1"))
        result = invoke(main, ["events", "verify", "--alert", "--json"], obj={"settings": settings})
    finally:
        hook.stop()
    assert result.exit_code == 1
    assert len(hook.received) == 1 and hook.received[0]["body"]["findings"][0]["rule"] == "events.content"


def test_every_command_has_help():
    for args in (
        ["--help"],
        ["ingest", "analogue", "--help"],
        ["bag", "validate", "--help"],
        ["aip", "show", "--help"],
        ["export", "--help"],
        ["rebuild-catalog", "--help"],
        ["events", "verify", "--help"],
        ["init", "--help"],
        ["demo", "--help"],
        ["serve", "--help"],
        ["token", "create", "--help"],
        ["token", "list", "--help"],
        ["token", "revoke", "--help"],
        ["events", "export", "--help"],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output, args
