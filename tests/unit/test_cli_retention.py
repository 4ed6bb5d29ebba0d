"""The `retention` and `selectielijst` command groups, run with click's CliRunner on in-memory fakes."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from edepot.cli_retention import retention, selectielijst
from edepot.retention_workflow import LijstSoort
from edepot.selectielijst import DEFAULT_DIR, load_dir
from tests.unit.retention_world import TODAY, Dossier, World, make_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    world.ids = world.ingest(
        Dossier("057", "Provisa 2005, categorie 57"), Dossier("099", "Provisa 2005, categorie 999")
    )  # type: ignore[attr-defined]
    return world


def run(world: World, *args: str) -> Result:
    obj = {"services": world.services, "retention": world.retention}
    return CliRunner().invoke(retention, list(args), obj=obj, catch_exceptions=False)


def list_id(world: World) -> str:
    (lijst,) = world.retention.catalog.lists(soort=LijstSoort.VERNIETIGING)
    return str(lijst.id)


def test_a_bad_date_or_id_exits_with_a_data_error(world: World) -> None:
    bad_day = run(world, "nightly", "--today", "2 maart", "--json")
    assert bad_day.exit_code == 65 and json.loads(bad_day.output)["type"].endswith("/invalid-input")
    assert run(world, "show", "geen-id").exit_code == 65
    assert run(world, "show", "00000000-0000-4000-8000-000000000000").exit_code == 66


def test_nightly_prints_the_report_as_json_and_as_text(world: World) -> None:
    result = run(world, "nightly", "--today", TODAY.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["decisions"] == {"N": 1, "V": 1} and report["exclusions"] == {"onbekende categorie": 1}
    assert report["lists"]["vernietigingslijst"]["added"] == 1
    text = run(world, "nightly", "--today", TODAY.isoformat())
    assert text.exit_code == 0 and "0 decided" in text.output


def test_nightly_can_bound_the_revisions_it_writes_and_leaves_the_rest_for_later(world: World) -> None:
    more = world.ingest(Dossier("058", "Provisa 2005, categorie 57"), Dossier("059", "Provisa 2005, categorie 57"))
    first = json.loads(run(world, "nightly", "--today", TODAY.isoformat(), "--max-revisions", "1", "--json").output)
    second = json.loads(run(world, "nightly", "--today", TODAY.isoformat(), "--json").output)
    assert (first["revisions_written"], second["revisions_written"]) == (1, 2)
    assert all(list(world.store.keys(f"revisions/{aip}/")) for aip in more.values())


def test_the_workflow_from_the_command_line_honours_the_roles_and_segregation(world: World) -> None:
    run(world, "nightly", "--today", TODAY.isoformat())
    lid = list_id(world)
    assert "concept" in run(world, "lists").output
    shown = json.loads(run(world, "show", lid, "--json").output)
    assert [i["source_key"] for i in shown["items"]] == ["1987-1996/057"]

    assert run(world, "submit", lid, "--door", "piet").exit_code == 0
    same = run(world, "approve", lid, "--door", "piet", "--json")
    assert same.exit_code == 77 and "another person" in json.loads(same.output)["detail"]
    approved = run(world, "approve", lid, "--door", "an", "--json")
    assert approved.exit_code == 0 and json.loads(approved.output)["status"] == "wachttijd"
    assert run(world, "execute", lid).exit_code == 73  # the waiting period

    world.clock.advance(timedelta(days=8))
    executed = run(world, "execute", "--json")
    assert executed.exit_code == 0
    (report,) = json.loads(executed.output)
    assert report["lijst"]["status"] == "uitgevoerd" and report["verklaring"]["aip_id"]
    assert world.keys_of(world.ids["057"]) == []  # type: ignore[attr-defined]


def test_reject_remove_item_and_cancel(world: World) -> None:
    run(world, "nightly", "--today", TODAY.isoformat())
    lid = list_id(world)
    aip = str(world.ids["057"])  # type: ignore[attr-defined]
    run(world, "submit", lid, "--door", "piet")
    assert run(world, "reject", lid, "--reden", "nee", "--item", "zonder-reden").exit_code == 65
    rejected = run(world, "reject", lid, "--reden", "nee", "--item", f"{aip}=nog in beroep", "--door", "an", "--json")
    assert json.loads(rejected.output)["status"] == "afgewezen"
    removed = run(world, "remove-item", lid, aip, "--reden", "beroep", "--nieuwe-datum", "2028-01-01", "--json")
    assert json.loads(removed.output)["status"] == "verwijderd"
    assert "geannuleerd" in run(world, "cancel", lid, "--reden", "leeg").output
    decision = json.loads(run(world, "nightly", "--today", TODAY.isoformat(), "--json").output)
    assert decision["lists"]["vernietigingslijst"]["added"] == 0
    assert json.loads(run(world, "decision", aip, "--json").output)["archiefactiedatum"] == "2028-01-01"


def test_holds_are_added_listed_and_lifted(world: World) -> None:
    aip = str(world.ids["057"])  # type: ignore[attr-defined]
    assert run(world, "hold", "add", aip, "--soort", "onbekende categorie", "--reden", "x").exit_code == 2
    added = json.loads(
        run(world, "hold", "add", aip, "--soort", "legal hold", "--reden", "rechtszaak", "--json").output
    )
    assert "rechtszaak" in run(world, "hold", "list", "--aip", aip).output
    assert run(world, "hold", "lift", added["id"], "--reden", "klaar").exit_code == 0
    assert run(world, "hold", "list").output.strip() == "none"


# --- selectielijst import ------------------------------------------------------------------------

HEADER = (
    "selectielijst;versie;categorie_nummer;omschrijving;waardering;bewaartermijn;afleidingswijze;"
    "geldig_van;geldig_tot\n"
)


def importing(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(selectielijst, ["import", *args], obj={}, catch_exceptions=False)


def test_an_import_with_row_errors_names_every_row_and_writes_nothing(tmp_path: Path) -> None:
    table = tmp_path / "lijst.csv"
    table.write_text(
        HEADER + "Provisa 2020;2020;1;Beleid;X;;afgehandeld;2014-01-01;\n;2020;2;Uitvoering;V;tien jaar;afgehandeld;;\n"
    )
    folder = tmp_path / "lijsten"
    result = importing(tmp_path, str(table), "--into", str(folder), "--json")
    assert result.exit_code == 65
    problem = json.loads(result.output)
    assert "nothing was imported" in problem["detail"]
    assert {(f["rule"], f["object"]) for f in problem["findings"]} >= {
        ("selectielijst.import.waardering", "rij 2, kolom waardering"),
        ("selectielijst.import.bewaartermijn", "rij 3, kolom bewaartermijn"),
    }
    assert not folder.exists()


def test_a_valid_table_is_written_beside_the_other_lists_once(tmp_path: Path) -> None:
    folder = tmp_path / "lijsten"
    shutil.copytree(DEFAULT_DIR, folder)
    table = tmp_path / "provisa-2020.csv"
    table.write_text(
        HEADER
        + "Provisa 2020;2020;1.1;Beleid;B;;afgehandeld;2014-01-01;\n"
        + "Provisa 2020;2020;1.2;Uitvoering;V;P10Y;afgehandeld;2014-01-01;\n"
    )

    written = importing(tmp_path, str(table), "--into", str(folder), "--json")

    assert written.exit_code == 0, written.output
    data = json.loads(written.output)
    assert data["geschreven"] and Path(data["bestand"]).name == "provisa-2020-2020.json"
    assert {s.naam for s in load_dir(folder)} == {"Provisa 2005", "Provisa 2020"}
    assert importing(tmp_path, str(table), "--into", str(folder)).exit_code == 73


def test_a_version_that_overlaps_another_is_refused_and_removed_again(tmp_path: Path) -> None:
    folder = tmp_path / "lijsten"
    shutil.copytree(DEFAULT_DIR, folder)
    table = tmp_path / "provisa-2005b.csv"
    table.write_text(HEADER + "Provisa 2005;2005b;1;Beleid;B;;afgehandeld;2010-01-01;\n")
    result = importing(tmp_path, str(table), "--into", str(folder))
    assert result.exit_code == 65
    assert not (folder / "provisa-2005-2005b.json").exists()
    assert importing(tmp_path, str(table), "--check").exit_code == 0
