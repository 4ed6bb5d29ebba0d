"""The report for the provinciearchivaris: the same facts in HTML (inline SVG chart), PDF (reportlab
chart), CSV and JSON, in Dutch, with a verdict first; failures and repairs name their objects; the
event log's hash chain, the software version and the run ids are in it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pdfplumber
import pytest

from edepot import __version__
from edepot.audit import Scope
from edepot.audit_report import datum, getal, omvang, render
from edepot.errors import InvalidInput
from tests.unit.audit_world import AuditWorld, make_audit_world


@pytest.fixture
def world(tmp_path: Path) -> AuditWorld:
    world = make_audit_world(tmp_path)
    world.ingest("001", "002", "003")
    world.clock.advance(timedelta(days=1))
    world.flip_bit("tweede", world.scan_key("001"))  # repaired from the filesystem copy
    world.flip_bit("filesystem", world.scan_key("002"))
    world.lose("tweede", world.scan_key("002"))  # no good copy left: beschadigd
    world.auditor.run(Scope.ALLE)
    world.clock.advance(timedelta(days=1))
    world.auditor.run(Scope.VERLOPEN)  # finds 002 again: one failure row, seen twice
    return world


def test_a_period_that_ends_before_it_starts_and_an_unknown_format_are_refused(world: AuditWorld) -> None:
    with pytest.raises(InvalidInput, match="ends before it starts"):
        world.auditor.report_data(date(2026, 3, 5), date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="unknown report format"):
        render(world.auditor.report_data(), "docx")


def test_dutch_wording_of_dates_numbers_and_sizes() -> None:
    assert datum("2026-03-02") == "2 maart 2026" and datum("2026-03-02T14:05:00+00:00") == "2 maart 2026, 14:05 UTC"
    assert getal(1234567) == "1.234.567" and getal(1.5, 1) == "1,5"
    assert omvang(1_500_000_000) == "1,5 GB" and omvang(12) == "12 bytes" and datum(None) == "nooit"


def test_the_data_name_the_repair_the_unrepaired_damage_the_damaged_aip_runs_and_the_chain(world: AuditWorld) -> None:
    data = world.auditor.report_data()

    (repair,) = data["repairs"]
    assert repair["key"] == world.scan_key("001") and repair["store"] == "tweede"
    assert repair["repaired_from"] == "filesystem" and repair["title"] == "Dossier 001"
    failures = {(f["store"], f["verdict"]): f for f in data["failures"]}
    assert set(failures) == {("filesystem", "afwijkend"), ("tweede", "ontbreekt")}
    assert all(f["times"] == 2 and f["key"] == world.scan_key("002") for f in failures.values())
    assert [b["aip_id"] for b in data["beschadigd"]] == [str(world.ids["002"])]
    assert len(data["runs"]) == 2 and all(r["software"] == __version__ for r in data["runs"])
    assert data["event_chain"]["intact"] and data["event_chain"]["events"] > 0
    assert {s["store"] for s in data["stores"]} == {"filesystem", "tweede"}
    assert data["totals"]["checks"] == 6 + 2  # all 3 AIPs x 2 copies, then the damaged one's 2 copies again


def test_the_html_report_leads_with_the_verdict_and_draws_the_chart_inline(world: AuditWorld) -> None:
    page = render(world.auditor.report_data(), "html").decode()

    assert page.startswith("<!doctype html>") and '<html lang="nl">' in page
    assert "Ernstig: van 1 archiefpakket is geen onbeschadigde kopie meer over" in page
    assert page.count("<svg") == 1 and "<rect" in page and "<script" not in page and "http" not in page.split("<svg")[0]
    assert "data/001/scan.tif" in page and "Dossier 002 (1987-1996/002)" in page
    assert all(r["id"] in page for r in world.auditor.report_data()["runs"])
    assert f"versie {__version__}" in page and "de keten is intact" in page


def test_a_clean_period_says_so_plainly(tmp_path: Path) -> None:
    world = make_audit_world(tmp_path)
    world.ingest("001")
    world.auditor.run(Scope.ALLE)

    page = render(world.auditor.report_data(), "html").decode()

    assert "In orde: alle gecontroleerde bestanden zijn ongeschonden" in page
    assert "Geen: in deze periode is bij geen enkele controle een afwijking gevonden." in page


def test_a_broken_event_chain_is_reported(world: AuditWorld) -> None:
    log = world.services.catalog._events  # type: ignore[attr-defined]
    log[3] = replace(log[3], detail={"changed": True})

    data = world.auditor.report_data()

    assert not data["event_chain"]["intact"]
    assert "De keten is verbroken" in render(data, "html").decode()


def test_the_csv_has_one_row_per_store_repair_failure_and_run_and_the_chain(world: AuditWorld) -> None:
    rows = list(csv.DictReader(io.StringIO(render(world.auditor.report_data(), "csv").decode())))

    kinds = [r["soort"] for r in rows]
    assert kinds.count("opslag") == 2 and kinds.count("herstel") == 1 and kinds.count("afwijking") == 2
    assert kinds.count("controleronde") == 2 and kinds[-1] == "logboek" and rows[-1]["uitkomst"] == "intact"
    (repair,) = [r for r in rows if r["soort"] == "herstel"]
    assert repair["bestand"] == world.scan_key("001") and repair["toelichting"] == "hersteld uit filesystem"


def test_the_json_is_the_report_data(world: AuditWorld) -> None:
    data = world.auditor.report_data()
    assert json.loads(render(data, "json")) == json.loads(json.dumps(data, default=str))


def test_the_pdf_holds_the_same_facts(world: AuditWorld) -> None:
    data = world.auditor.report_data()
    pdf = render(data, "pdf")

    assert pdf.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
        assert document.metadata["Title"].startswith("Controlerapport e-depot")
    flat = " ".join(text.split())
    assert "Ernstig: van 1 archiefpakket is geen onbeschadigde kopie meer over" in flat
    assert "data/001/scan.tif" in flat and data["runs"][0]["id"][:8] in flat
    assert "Logboek van gebeurtenissen" in flat and "de keten is intact" in flat
