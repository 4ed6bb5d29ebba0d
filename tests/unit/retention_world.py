"""Builders for the retention specifications: services on in-memory fakes, dossiers ingested through
the real ingest use case, principals of the DIM team and the archivaris, a clock that can be moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from edepot.auth.policy import Role
from edepot.auth.principal import AuthMethod, Principal
from edepot.catalog.memory import InMemoryCatalog
from edepot.catalog.retention_memory import InMemoryRetentionCatalog
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
    lijst,
)
from edepot.ports import FormatIdentification
from edepot.retention_service import RetentionService, RetentionSettings
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.memory import InMemoryObjectStore
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput

TODAY = date(2026, 3, 2)
FORMATS = {
    ".tif": FormatIdentification("fmt/353", "Tagged Image File Format", "", "image/tiff"),
    ".pdf": FormatIdentification("fmt/276", "Acrobat PDF 1.7 - Portable Document Format", "1.7", "application/pdf"),
    ".csv": FormatIdentification("x-fmt/18", "Comma Separated Values", "", "text/csv"),
}


class Clock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        self.current += timedelta(microseconds=1000)
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class SuffixFormats:
    """Identifies by file suffix (the service must not depend on siegfried for its own PDFs and CSVs)."""

    def prefetch(self, paths: object) -> None:
        return None

    def identify(self, path: Path) -> FormatIdentification:
        return FORMATS[path.suffix.lower()]


def principal(role: Role, name: str) -> Principal:
    return Principal(subject=name, display_name=name, roles=frozenset({role}), method=AuthMethod.LOCAL)


DIM = principal(Role.DIM, "dim-piet")
ARCHIVARIS = principal(Role.ARCHIVARIS, "archivaris-an")


@dataclass
class Dossier:
    key: str
    categorie: str | None  # the inventory's selectielijst cell, e.g. "Provisa 2005, categorie 57"
    begin: str | None = "1990"
    eind: str | None = "1993"
    beperking: tuple[str, str, str | None] | None = None  # code, label, einddatum of the restriction


def informatieobject(d: Dossier) -> Informatieobject:
    classificatie = ()
    if d.categorie:
        classificatie = (Begrip(label=d.categorie, begrippenlijst=lijst("Provisa 2005")),)
    dekking = ()
    if d.begin:
        dekking = (
            DekkingInTijd(
                type=Begrip(label="Periode", begrippenlijst=LIJST_DEKKING_IN_TIJD), begindatum=d.begin, einddatum=d.eind
            ),
        )
    beperking = GEEN_BEPERKING
    if d.beperking:
        code, label, einde = d.beperking
        beperking = BeperkingGebruik(
            type=Begrip(label=label, code=code, begrippenlijst=LIJST_BEPERKING),
            termijn=Termijn(einddatum=einde) if einde else None,
        )
    return Informatieobject(
        identificatie=(Identificatie(kenmerk=d.key, bron="Provincie Limburg, archiefblok 1987-1996"),),
        naam=f"Dossier {d.key}",
        aggregatieniveau=Begrip(label="Dossier", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        waardering=Begrip(label="Nader te bepalen", code="N", begrippenlijst=LIJST_WAARDERING),
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(beperking,),
        classificatie=classificatie,
        dekking_in_tijd=dekking,
    )


@dataclass
class World:
    services: Services
    retention: RetentionService
    clock: Clock
    root: Path

    @property
    def store(self) -> InMemoryObjectStore:
        store = self.services.store
        assert isinstance(store, InMemoryObjectStore)
        return store

    def ingest(self, *dossiers: Dossier) -> dict[str, UUID]:
        packages = []
        for d in dossiers:
            path = self.root / "in" / d.key / "scan.tif"
            path.parent.mkdir(parents=True, exist_ok=True)
            content = f"scan of {d.key}".encode()
            path.write_bytes(content)
            source = SourceFile(
                path=path, original_path=f"{d.key}/scan.tif", naam="scan.tif", size=len(content), format=FORMATS[".tif"]
            )
            packages.append(
                PackageInput(
                    source="analogue",
                    source_key=f"1987-1996/{d.key}",
                    record=RecordInput(
                        folder=d.key, original_name=d.key, informatieobject=informatieobject(d), files=(source,)
                    ),
                )
            )
        receipt = self.services.ingest(
            SubmissionInput(source="analogue", location=str(self.root / "in"), packages=tuple(packages))
        )
        return {a.source_key.split("/")[-1]: a.aip_id for a in receipt.aips}

    def keys_of(self, aip_id: UUID) -> list[str]:
        return [*self.store.keys(f"aips/{aip_id}/"), *self.store.keys(f"revisions/{aip_id}/")]


def make_world(tmp_path: Path, *, settings: RetentionSettings | None = None, **service_args: object) -> World:
    clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    holdings = InMemoryCatalog()
    services = Services(
        catalog=holdings,
        store=InMemoryObjectStore(),
        clock=clock,
        settings=Settings(home=tmp_path / "home"),
        formats=SuffixFormats(),
    )
    retention = RetentionService(
        services, InMemoryRetentionCatalog(holdings), settings=settings or RetentionSettings(), **service_args
    )  # type: ignore[arg-type]
    return World(services, retention, clock, tmp_path)
