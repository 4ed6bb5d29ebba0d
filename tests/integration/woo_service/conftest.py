"""A real e-depot for the Woo flow: SQLite catalog, filesystem store, tantivy index, the FastAPI app,
with three records of its own: a restricted PDF holding a BSN, an open PDF and an open text file.
Waardering V, so nothing is public under the Archiefwet: only a Woo publication makes it public."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from edepot.api import create_app
from edepot.auth.policy import Role
from edepot.auth.tokens import issue_token
from edepot.bootstrap import build
from edepot.mdto import codelists
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_AGGREGATIENIVEAU,
    LIJST_BEPERKING,
    LIJST_DEKKING_IN_TIJD,
    LIJST_WAARDERING,
    Begrip,
    BeperkingGebruik,
    DekkingInTijd,
    Identificatie,
    Informatieobject,
    Termijn,
)
from edepot.model import RecordEntry
from edepot.services import Services
from edepot.settings import Settings
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput
from edepot.woo_service import WooService, build_woo

NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
BASE = "https://open.limburg.example"
BSN = "111222333"
NAAM = "Johannes Verhoeven"
LEVENSSFEER = "Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0"


@dataclass
class FixedClock:
    moment: datetime = NOW

    def now(self) -> datetime:
        return self.moment


def pdf_bytes(*regels: str) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setFont("Helvetica", 11)
    for n, regel in enumerate(regels):
        c.drawString(72, 760 - 16 * n, regel)
    c.showPage()
    c.save()
    return buffer.getvalue()


def ingest_record(
    services: Services, key: str, naam: str, bestandsnaam: str, data: bytes, beperking: BeperkingGebruik
) -> RecordEntry:
    map_ = Path(services.settings.home) / "aanlevering" / key
    map_.mkdir(parents=True)
    pad = map_ / bestandsnaam
    pad.write_bytes(data)
    informatieobject = Informatieobject(
        identificatie=(Identificatie(kenmerk=key, bron="Woo-test"),),
        naam=naam,
        waardering=Begrip(label="Tijdelijk te bewaren", code="V", begrippenlijst=LIJST_WAARDERING),
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(beperking,),
        aggregatieniveau=Begrip(label="Archiefstuk", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        dekking_in_tijd=(
            DekkingInTijd(type=Begrip(label="Periode", begrippenlijst=LIJST_DEKKING_IN_TIJD), begindatum="2025-05-28"),
        ),
        bewaartermijn=Termijn(looptijd="P10Y"),
    )
    bestand = SourceFile(
        path=pad,
        original_path=f"{key}/{bestandsnaam}",
        naam=bestandsnaam,
        size=len(data),
        format=services.formats.identify(pad),
    )
    package = PackageInput(
        source="woo-test",
        source_key=key,
        record=RecordInput(folder=key, original_name=naam, informatieobject=informatieobject, files=(bestand,)),
    )
    receipt = services.ingest(SubmissionInput(source="woo-test", location=str(map_), packages=(package,)))
    aip = services.get_aip(receipt.aips[0].aip_id)
    return next(r for r in aip.records if r.parent_id is None)


def restricted() -> BeperkingGebruik:
    code = LEVENSSFEER
    return BeperkingGebruik(
        type=Begrip(label=codelists.openbaarheid()[code], code=code, begrippenlijst=LIJST_BEPERKING),
        termijn=Termijn(einddatum="2100"),
    )


@dataclass
class World:
    services: Services
    woo: WooService
    client: TestClient
    app: Any
    geheim: RecordEntry  # restricted PDF with a BSN and a name
    open: RecordEntry  # open PDF
    tekst: RecordEntry  # open text file
    token: str  # woo-redacteur
    dim_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def file_path(self, record: RecordEntry) -> str:
        aip = self.services.get_aip(record.aip_id)
        entry = next(f for f in aip.files if f.record_id == record.id and f.bestand_id is not None)
        return f"/api/public/v1/records/{record.id}/files/{entry.bestand_id}"

    def index(self) -> None:
        self.app.state.search.indexer.sync()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    base = build(Settings(home=tmp_path / "home", public_base_url=BASE, public_rate_limit=None))
    services = replace(base, clock=FixedClock())
    geheim = ingest_record(
        services,
        "besluit-1",
        "Besluit op bezwaar",
        "besluit.pdf",
        pdf_bytes(
            "Besluit op het bezwaar van",
            f"de heer {NAAM} te Maastricht.",
            f"BSN: {BSN}",
            "Openbare zin die blijft staan.",
        ),
        restricted(),
    )
    open_ = ingest_record(
        services,
        "besluit-2",
        "Besluit subsidie",
        "subsidie.pdf",
        pdf_bytes("Subsidiebesluit natuurbeheer."),
        GEEN_BEPERKING,
    )
    tekst = ingest_record(services, "notitie-1", "Notitie", "notitie.txt", b"Een notitie, geen PDF.\n", GEEN_BEPERKING)
    app = create_app(services)
    woo = build_woo(services, on_change=lambda ids: app.state.search.indexer.mark_changed(ids))
    app.state.woo = woo
    token = issue_token(services, name="redacteur", roles=[Role.WOO_REDACTEUR], created_by="test").plaintext
    dim = issue_token(services, name="dim", roles=[Role.DIM], created_by="test").plaintext
    with TestClient(app) as client:
        yield World(services, woo, client, app, geheim, open_, tekst, token, dim)
    app.state.search.close()
