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
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output, args
