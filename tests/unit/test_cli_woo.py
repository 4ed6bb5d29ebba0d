"""The `edepot woo` command group, run with click's CliRunner on the in-memory catalog and store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from edepot.catalog.memory import InMemoryCatalog
from edepot.cli_woo import woo
from edepot.mdto.model import GEEN_BEPERKING
from edepot.model import RecordEntry
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.memory import InMemoryObjectStore
from edepot.woo_service import WooService, build_woo
from tests.integration.woo_service.conftest import BASE, BSN, FixedClock, ingest_record, pdf_bytes, restricted
from tests.unit.retention_world import SuffixFormats


class Wereld:
    def __init__(self, tmp_path: Path) -> None:
        self.services = Services(
            catalog=InMemoryCatalog(),
            store=InMemoryObjectStore(),
            clock=FixedClock(),
            settings=Settings(home=tmp_path / "home", public_base_url=BASE),
            formats=SuffixFormats(),
        )
        self.woo: WooService = build_woo(self.services)
        self.geheim: RecordEntry = ingest_record(
            self.services, "b1", "Besluit", "besluit.pdf", pdf_bytes("Besluit", f"BSN: {BSN}"), restricted()
        )
        self.open: RecordEntry = ingest_record(
            self.services, "b2", "Open", "open.pdf", pdf_bytes("Open besluit"), GEEN_BEPERKING
        )

    def run(self, *args: str) -> Result:
        obj: dict[str, Any] = {"services": self.services, "woo": self.woo}
        return CliRunner().invoke(woo, list(args), obj=obj, catch_exceptions=False)

    def create(self, record: RecordEntry) -> str:
        result = self.run(
            "create",
            "--titel",
            "Besluit op Woo-verzoek",
            "--categorie",
            "beschikkingen",
            "--record",
            str(record.id),
            "--handeling",
            "vaststelling@2025-05-28T10:00:00+02:00",
            "--json",
        )
        assert result.exit_code == 0, result.output
        return str(json.loads(result.output)["id"])


@pytest.fixture
def wereld(tmp_path: Path) -> Wereld:
    return Wereld(tmp_path)


def problem(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.output)
    return data


def test_a_redaction_without_a_ground_or_with_a_malformed_area_exits_with_a_data_error(wereld: Wereld) -> None:
    document = f"{wereld.create(wereld.geheim)}-1"
    assert wereld.run("redact", document, "--tekst", BSN, "--json").exit_code == 65
    bad_area = wereld.run("redact", document, "--gebied", "1:72,700", "--grond", "5.1.1e", "--json")
    assert bad_area.exit_code == 65 and "page:x0,y0,x1,y1" in problem(bad_area)["detail"]
    assert wereld.run("redact", document, "--tekst", BSN, "--grond", "6.6", "--json").exit_code == 65


def test_an_unknown_publicatie_exits_not_found_and_retracting_a_concept_exits_with_a_conflict(wereld: Wereld) -> None:
    assert wereld.run("show", "pub-nope", "--json").exit_code == 66
    publicatie = wereld.create(wereld.open)
    retracted = wereld.run("retract", publicatie, "--reden", "correctie procedurele fout", "--json")
    assert retracted.exit_code == 73 and "concept -> ingetrokken" in problem(retracted)["detail"]


def test_create_without_records_or_with_a_malformed_handeling_exits_with_a_data_error(wereld: Wereld) -> None:
    assert wereld.run("create", "--titel", "X", "--json").exit_code == 65
    bad = wereld.run(
        "create",
        "--titel",
        "X",
        "--categorie",
        "beschikkingen",
        "--record",
        str(wereld.open.id),
        "--handeling",
        "vaststelling 2025-05-28",
        "--json",
    )
    assert bad.exit_code == 65 and "soort@time" in problem(bad)["detail"]


def test_a_restricted_record_is_refused_then_redacted_published_listed_and_retracted(wereld: Wereld) -> None:
    publicatie = wereld.create(wereld.geheim)
    refused = wereld.run("publish", publicatie, "--json")
    assert refused.exit_code == 65
    assert [f["rule"] for f in problem(refused)["findings"]] == ["woo.document.publiceerbaar"]

    suggested = wereld.run("suggest", f"{publicatie}-1", "--json")
    assert [s["soort"] for s in json.loads(suggested.output)] == ["bsn"]
    redacted = wereld.run("redact", f"{publicatie}-1", "--tekst", BSN, "--grond", "5.1.1e", "--door", "Els", "--json")
    assert redacted.exit_code == 0, redacted.output
    assert BSN not in redacted.output

    published = wereld.run("publish", publicatie, "--json")
    assert published.exit_code == 0, published.output
    listed = json.loads(wereld.run("list", "--status", "gepubliceerd", "--json").output)
    assert [p["id"] for p in listed] == [publicatie]
    assert json.loads(wereld.run("sitemaps", "--json").output)["urls"] == 1

    retracted = wereld.run("retract", publicatie, "--reden", "correctie procedurele fout", "--toelichting", "fout")
    assert retracted.exit_code == 0 and "correctie procedurele fout: fout" in retracted.output
    assert json.loads(wereld.run("sitemaps", "--json").output)["urls"] == 0
