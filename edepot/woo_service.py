"""Woo use cases: create a concept publicatie for e-depot records, show its deadline, suggest and
redact, publish (DiWoo XML, sitemaps, search), retract; the site files for the harvester.

`WooService(services, catalog)` combines the existing `Services` (holdings catalog, object store,
clock, ingest, event log) with a `WooCatalog` (`edepot.woo_ports`). Every rule comes from the pure
core in `edepot.woo` (controleer, publicatie_deadline, the transition table, DiWoo, sitemaps,
redact); this module only orders the steps and does the I/O.

- A document publishes one e-depot record's file. Whether the public may see it is decided as
  search decides it (`edepot.openbaarheid.beoordeel` with the record published): a record that is
  restricted is refused until it has a redacted version.
- `redact` runs `edepot.woo.redact.redact` on the original file copied out of storage; the verified
  PDF is ingested as a NEW permanent record (source "woo", beperkingGebruik "openbaar; actief
  (Woo)", an MDTO gerelateerdInformatieobject naming the original) and becomes the document's
  published file. The original record is never changed and stays restricted. Each redacted area
  (page, area, ground, who, when, method; never the text) goes to the catalog's redaction log and
  to the event log.
- `publish` refuses with every finding at once (`SubmissionRejected`), writes and validates the
  DiWoo XML per document under `<home>/woo/diwoo/`, records events, updates the sitemaps
  incrementally (files under `<home>/woo/site/`, each written atomically, only changed files) and
  tells search (`on_change(record_ids)`, e.g. `Indexer.mark_changed`).
- `retract` takes the urls out of the sitemaps; the `WooPublications` adapter then answers the
  reason, so the public record and file URLs answer 410; a replacement's documents carry
  redenVerwijderingVervanging in their DiWoo.
- Publishing or retracting twice changes nothing the second time (the sitemaps are reconciled).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from edepot.errors import ConfigurationError, Conflict, Finding, InvalidInput, NotFound, SubmissionRejected
from edepot.indexing import file_name, is_current, local_today, payloads_of, read_sidecar
from edepot.mdto import codelists
from edepot.mdto.model import (
    LIJST_AGGREGATIENIVEAU,
    LIJST_BEPERKING,
    LIJST_EVENTTYPE,
    Begrip,
    BeperkingGebruik,
    Event,
    GerelateerdInformatieobject,
    Identificatie,
    Informatieobject,
    Verwijzing,
)
from edepot.model import AipStatus, EventOutcome, FileEntry, RecordEntry
from edepot.openbaarheid import beoordeel, feiten_van
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput
from edepot.woo import diwoo, lijsten, schema, sitemaps
from edepot.woo.model import (
    Publicatie,
    PublicatieStatus,
    WooDocument,
    controleer,
    dagen_over,
    deadline_van,
    publiceerbaar,
)
from edepot.woo.redact import Rect, Redaction, redact
from edepot.woo.suggest import WooGrond, suggesties
from edepot.woo_metadata import NieuwePublicatie, metadata_json, woo_document
from edepot.woo_ports import PublicatieRij, RedactieRij, StukRij, WooCatalog

BRON = "woo"  # source of the redacted records' AIPs
KENMERK_BRON = "e-depot Provincie Limburg, Woo"
OPENBAAR_ACTIEF = "Openbaarheid/WOO/Openbaar-Actief/1.0"
PDF_FORMAT = "http://publications.europa.eu/resource/authority/file-type/PDF"
PUBLIC_FILE_PATH = "/api/public/v1/records/{record}/files/{bestand}"
RELATIE_GELAKT = "Gelakte versie van"
LIJST_RELATIES = Verwijzing(naam="Begrippenlijst relaties e-depot Provincie Limburg")

# event types (PREMIS where it has one)
AANGEMAAKT = "Woo-publicatie aangemaakt"
REDACTIE = "redaction"  # PREMIS
PUBLICATIE = "Woo-publicatie"
INTREKKING = "Woo-intrekking"

VEEL_VERANDERD = 2000  # more changed urls than this (and over half): read all entries in one query

SITE_NAAM = re.compile(
    rf"^(robots\.txt|(?:{sitemaps.INDEX_PREFIX}|{sitemaps.SITEMAP_PREFIX})-[a-z0-9_-]{{1,120}}\.xml)$"
)


@dataclass(frozen=True)
class Markering:
    """One thing to redact as the redacteur asks it: an area on a page, or a text (page None: all)."""

    grond: WooGrond
    pagina: int | None = None
    gebied: Rect | None = None
    tekst: str | None = None


def parse_gebied(waarde: str) -> tuple[int, Rect]:
    """`page:x0,y0,x1,y1` (points, origin bottom-left) as page and Rect."""
    try:
        pagina, rest = waarde.split(":", 1)
        x0, y0, x1, y1 = (float(v) for v in rest.split(","))
        return int(pagina), Rect(x0, y0, x1, y1)
    except ValueError:
        raise InvalidInput(
            f"area {waarde!r} is not page:x0,y0,x1,y1", hint="e.g. 1:72,700,200,715 (PDF points, origin bottom-left)"
        ) from None


def grond(waarde: str) -> WooGrond:
    try:
        return WooGrond(waarde.strip())
    except ValueError:
        raise InvalidInput(
            f"{waarde!r} is not a Woo ground", hint="use 5.1.1a-e, 5.1.2a-i, 5.1.5 or 5.2", grond=waarde
        ) from None


def _atomic_write(pad: Path, data: bytes) -> None:
    pad.parent.mkdir(parents=True, exist_ok=True)
    fd, tijdelijk = tempfile.mkstemp(dir=pad.parent, prefix=f".{pad.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tijdelijk, pad)
    except BaseException:
        Path(tijdelijk).unlink(missing_ok=True)
        raise


class WooService:
    def __init__(
        self,
        services: Any,
        catalog: WooCatalog,
        *,
        on_change: Callable[[Iterable[UUID]], object] | None = None,
    ) -> None:
        self.services = services
        self.catalog = catalog
        self.on_change = on_change

    def acting(self, principal: Any) -> WooService:
        """The same service whose events name `principal` as agent."""
        from edepot.auth.audit import acting

        return WooService(acting(self.services, principal), self.catalog, on_change=self.on_change)

    # --- places ---------------------------------------------------------------------------------

    @property
    def site_path(self) -> Path:
        return Path(self.services.settings.home) / "woo" / "site"

    @property
    def diwoo_path(self) -> Path:
        return Path(self.services.settings.home) / "woo" / "diwoo"

    def basis_url(self) -> str:
        basis = str(self.services.settings.public_base_url).rstrip("/")
        if not basis.startswith("https://"):
            raise ConfigurationError(
                f"the public base URL {basis!r} is not https; harvesters and DiWoo need the https URL of each file",
                hint="set EDEPOT_PUBLIC_BASE_URL to the public https address of the portal",
                setting="EDEPOT_PUBLIC_BASE_URL",
            )
        return basis + "/"

    def file_url(self, record_id: UUID, bestand_id: UUID) -> str:
        return self.basis_url().rstrip("/") + PUBLIC_FILE_PATH.format(record=record_id, bestand=bestand_id)

    def _now(self) -> datetime:
        now: datetime = self.services.clock.now()
        return now

    def _today(self) -> date:
        return local_today(self._now())

    # --- create -----------------------------------------------------------------------------------

    def create(self, nieuw: NieuwePublicatie, wie: str) -> PublicatieRij:
        """A concept publicatie for the records of `nieuw` (each must exist and have the file)."""
        now = self._now()
        publicatie_id = f"pub-{self.services.new_id().hex[:16]}"
        stukken = []
        for nummer, document in enumerate(nieuw.documenten, start=1):
            record = self._record(document.record_id)
            entry = self._bestand(record, document.bestand_id)
            stukken.append(
                StukRij(
                    id=f"{publicatie_id}-{nummer}",
                    publicatie_id=publicatie_id,
                    volgnummer=nummer,
                    record_id=record.id,
                    bestand_id=entry.bestand_id or document.record_id,
                    metadata=metadata_json(
                        document,
                        officiele_titel=document.officiele_titel or record.naam,
                        bestandsnaam=file_name(entry),
                    ),
                    gewijzigd_op=now,
                )
            )
        rij = PublicatieRij(
            id=publicatie_id,
            officiele_titel=nieuw.officiele_titel.strip(),
            informatiecategorieen=nieuw.informatiecategorieen,
            verantwoordelijke=nieuw.verantwoordelijke,
            status=PublicatieStatus.CONCEPT,
            aangemaakt_op=now,
            aangemaakt_door=wie,
            gewijzigd_op=now,
            omschrijving=nieuw.omschrijving,
            kenmerken=nieuw.kenmerken,
        )
        self.catalog.add_publicatie(rij, stukken)
        self.services.record_event(
            AANGEMAAKT, EventOutcome.GELUKT, publicatie_id, door=wie, records=[str(s.record_id) for s in stukken]
        )
        return rij

    def _record(self, record_id: UUID) -> RecordEntry:
        try:
            record: RecordEntry = self.services.catalog.get_record(record_id)
        except NotFound:
            raise NotFound(
                f"record {record_id} is not in the e-depot", hint="search the records first", record=str(record_id)
            ) from None
        return record

    def _bestand(self, record: RecordEntry, bestand_id: UUID | None) -> FileEntry:
        aip = self.services.catalog.get_aip(record.aip_id)
        payloads = [f for f in payloads_of(record, aip.files) if f.bestand_id is not None]
        if bestand_id is not None:
            for entry in payloads:
                if entry.bestand_id == bestand_id:
                    return entry
            raise NotFound(
                f"record {record.id} has no file {bestand_id}",
                hint="take a bestand id of that record",
                record=str(record.id),
            )
        if not payloads:
            raise InvalidInput(
                f"record {record.id} ({record.naam}) has no file to publish",
                hint="publish the archiefstuk that holds the file, not its dossier",
                record=str(record.id),
            )
        pdfs = [f for f in payloads if (f.mime or "").startswith("application/pdf")]
        return (pdfs or payloads)[0]

    # --- reading ----------------------------------------------------------------------------------

    def deadline(self, stukken: Sequence[StukRij]) -> date | None:
        deadlines = [d for d in (deadline_van(self._document(s, "https://x/")) for s in stukken) if d is not None]
        return min(deadlines) if deadlines else None

    def samenvatting(self, rij: PublicatieRij, stukken: Sequence[StukRij] | None = None) -> dict[str, Any]:
        stukken = self.catalog.stukken(rij.id) if stukken is None else stukken
        deadline = self.deadline(stukken)
        return {
            **rij.as_dict(),
            "deadline": deadline.isoformat() if deadline else None,
            "dagen_over": dagen_over(deadline, self._today()) if deadline else None,
            "documenten": len(stukken),
        }

    def lijst(self, status: PublicatieStatus | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """The publicaties (newest first) with their Woo art. 3.3 deadline and the days left."""
        return [self.samenvatting(r) for r in self.catalog.publicaties(status=status, limit=limit, offset=offset)]

    def toon(self, publicatie_id: str) -> dict[str, Any]:
        rij = self.catalog.get_publicatie(publicatie_id)
        stukken = self.catalog.stukken(publicatie_id)
        documenten = []
        for stuk in stukken:
            documenten.append(
                {
                    **stuk.as_dict(),
                    "publiceerbaar": self._oordeel(stuk),
                    "redacties": [r.as_dict() for r in self.catalog.redacties(stuk.id)],
                }
            )
        return {**self.samenvatting(rij, stukken), "documenten": documenten}

    def _oordeel(self, stuk: StukRij) -> dict[str, Any]:
        bevinding, reden_nl = self._beoordeel(stuk)
        return {
            "publiceerbaar": bevinding is None,
            "reden": bevinding.message if bevinding else "openbaar na publicatie",
            "regel": bevinding.rule if bevinding else None,
            "reden_nl": reden_nl,  # for the Dutch pages
        }

    # --- suggest and redact -----------------------------------------------------------------------

    def _origineel(self, stuk: StukRij, map_: Path) -> Path:
        """The original file of `stuk` copied out of storage into `map_`; it must be a PDF."""
        record = self._record(stuk.record_id)
        entry = self._bestand(record, stuk.bestand_id)
        pad = map_ / "origineel.pdf"
        with self.services.store.open(entry.key) as bron, open(pad, "wb") as doel:
            shutil.copyfileobj(bron, doel)
        with open(pad, "rb") as handle:
            if not handle.read(1024).lstrip().startswith(b"%PDF-"):
                raise InvalidInput(
                    f"document {stuk.id}: {file_name(entry)} is not a PDF ({entry.mime or 'unknown type'})",
                    hint="only PDFs can be redacted; publish a PDF rendition of the record",
                    document=stuk.id,
                )
        return pad

    def _werkmap(self) -> tempfile.TemporaryDirectory[str]:
        staging = Path(self.services.settings.staging_path)
        staging.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(dir=staging, prefix="woo-")

    def suggest(self, document_id: str) -> list[dict[str, Any]]:
        """Suggestions (BSN, IBAN, e-mail, phone, postcode, licence plate) per page of the original."""
        import pypdfium2 as pdfium

        stuk = self.catalog.get_stuk(document_id)
        with self._werkmap() as map_:
            pad = self._origineel(stuk, Path(map_))
            pdf = pdfium.PdfDocument(str(pad))
            try:
                gevonden = []
                for index in range(len(pdf)):
                    tekst = pdf[index].get_textpage().get_text_range()
                    gevonden += [
                        {
                            "pagina": index + 1,
                            "soort": str(s.soort),
                            "tekst": s.tekst,
                            "grond": str(s.grond),
                            "start": s.start,
                            "end": s.end,
                        }
                        for s in suggesties(tekst)
                    ]
            finally:
                pdf.close()
        return gevonden

    def paginas(self, document_id: str) -> list[tuple[float, float]]:
        """Width and height (PDF points) of every page of the document's original."""
        import pypdfium2 as pdfium

        stuk = self.catalog.get_stuk(document_id)
        with self._werkmap() as map_:
            pdf = pdfium.PdfDocument(str(self._origineel(stuk, Path(map_))))
            try:
                return [tuple(pdf[i].get_size()) for i in range(len(pdf))]
            finally:
                pdf.close()

    def pagina_png(self, document_id: str, pagina: int, *, schaal: float = 1.0) -> bytes:
        """Page `pagina` (from 1) of the document's original as a PNG, `schaal` pixels per point,
        for the Woo-redacteur to mark areas on (the original may be restricted: never for the public)."""
        import io

        import pypdfium2 as pdfium

        stuk = self.catalog.get_stuk(document_id)
        with self._werkmap() as map_:
            pdf = pdfium.PdfDocument(str(self._origineel(stuk, Path(map_))))
            try:
                if not 1 <= pagina <= len(pdf):
                    raise NotFound(
                        f"document {document_id} has no page {pagina}",
                        hint=f"pages are numbered 1 to {len(pdf)}",
                        document=document_id,
                    )
                beeld = pdf[pagina - 1].render(scale=schaal).to_pil()
            finally:
                pdf.close()
        uit = io.BytesIO()
        beeld.save(uit, format="PNG", optimize=True)
        return uit.getvalue()

    def redact(self, document_id: str, markeringen: Sequence[Markering], wie: str) -> dict[str, Any]:
        """Redact the document's original PDF; the verified result becomes its published file."""
        if not markeringen:
            raise InvalidInput("nothing to redact", hint="give at least one area or text with its Woo ground")
        stuk = self.catalog.get_stuk(document_id)
        rij = self.catalog.get_publicatie(stuk.publicatie_id)
        if rij.status is not PublicatieStatus.CONCEPT:
            raise Conflict(
                f"publicatie {rij.id} is {rij.status}; only a concept's documents can be redacted",
                hint="retract it and publish a corrected replacement",
                publicatie=rij.id,
                status=str(rij.status),
            )
        now = self._now()
        redacties = [
            Redaction(grond=m.grond, wie=wie, wanneer=now, pagina=m.pagina, gebied=m.gebied, tekst=m.tekst)
            for m in markeringen
        ]
        record = self._record(stuk.record_id)
        with self._werkmap() as map_:
            invoer = self._origineel(stuk, Path(map_))
            uitvoer = Path(map_) / f"{stuk.id}-gelakt.pdf"
            rapport = redact(invoer, uitvoer, redacties)
            nieuw_record, nieuw_bestand = self._ingest_gelakt(stuk, record, uitvoer, now)
        eerder = len(self.catalog.redacties(stuk.id))
        regels = [
            RedactieRij(
                document_id=stuk.id,
                volgnummer=eerder + n,
                redactie=r.redactie,
                pagina=r.pagina,
                gebied=(r.gebied.x0, r.gebied.y0, r.gebied.x1, r.gebied.y1),
                grond=str(r.grond),
                wie=r.wie,
                wanneer=r.wanneer,
                methode=str(r.methode),
                record_id=nieuw_record.id,
            )
            for n, r in enumerate(rapport.regels, start=1)
        ]
        bijgewerkt = replace(
            stuk,
            gepubliceerd_record_id=nieuw_record.id,
            gepubliceerd_bestand_id=nieuw_bestand.bestand_id,
            geredigeerd=True,
            gewijzigd_op=now,
            sitemap_categorie=None,
            sitemap_fragment=None,
        )
        self.catalog.save(replace(rij, gewijzigd_op=now), [bijgewerkt], revisie=rij.revisie)
        self.catalog.add_redacties(regels)
        self.services.record_event(
            REDACTIE,
            EventOutcome.GELUKT,
            stuk.record_id,
            document=stuk.id,
            publicatie=rij.id,
            gelakt_record=str(nieuw_record.id),
            invoer_sha256=rapport.invoer_sha256,
            uitvoer_sha256=rapport.uitvoer_sha256,
            regels=[r.as_dict() for r in rapport.regels],
            gerasterd={str(k): v for k, v in rapport.gerasterd.items()},
            verwijderd=list(rapport.verwijderd),
        )
        return {
            "document": bijgewerkt.as_dict(),
            "rapport": rapport.as_dict(),
            "gelakt_record_id": str(nieuw_record.id),
            "gelakt_bestand_id": str(nieuw_bestand.bestand_id),
        }

    def _ingest_gelakt(
        self, stuk: StukRij, record: RecordEntry, pdf: Path, now: datetime
    ) -> tuple[RecordEntry, FileEntry]:
        origineel = read_sidecar(self.services.store, record)
        label = codelists.openbaarheid()[OPENBAAR_ACTIEF]
        io = Informatieobject(
            identificatie=(Identificatie(kenmerk=f"woo-gelakt/{stuk.id}", bron=KENMERK_BRON),),
            naam=f"{origineel.naam} (gelakte versie)",
            waardering=origineel.waardering,
            archiefvormer=origineel.archiefvormer,
            beperking_gebruik=(
                BeperkingGebruik(type=Begrip(label=label, code=OPENBAAR_ACTIEF, begrippenlijst=LIJST_BEPERKING)),
            ),
            aggregatieniveau=Begrip(label="Archiefstuk", begrippenlijst=LIJST_AGGREGATIENIVEAU),
            omschrijving=(f"Voor publicatie onder de Woo gelakte versie van {origineel.naam}",),
            dekking_in_tijd=origineel.dekking_in_tijd,
            event=(
                Event(
                    type=Begrip(label="Creatie", begrippenlijst=LIJST_EVENTTYPE),
                    tijd=now.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat(),
                ),
            ),
            gerelateerd_informatieobject=(
                GerelateerdInformatieobject(
                    verwijzing=Verwijzing(
                        naam=origineel.naam,
                        identificatie=Identificatie(kenmerk=str(record.id), bron="e-depot Provincie Limburg"),
                    ),
                    type_relatie=Begrip(label=RELATIE_GELAKT, begrippenlijst=LIJST_RELATIES),
                ),
            ),
        )
        bestand = SourceFile(
            path=pdf,
            original_path=f"{stuk.id}/{pdf.name}",
            naam=pdf.name,
            size=pdf.stat().st_size,
            format=self.services.formats.identify(pdf),
        )
        package = PackageInput(
            source=BRON,
            source_key=f"woo-gelakt/{stuk.id}",
            record=RecordInput(folder="gelakt", original_name=stuk.id, informatieobject=io, files=(bestand,)),
            bag_info={"Edepot-Woo-Document": stuk.id, "Edepot-Redacted-From": str(record.id)},
        )
        receipt = self.services.ingest(SubmissionInput(source=BRON, location=f"woo:{stuk.id}", packages=(package,)))
        aip = self.services.catalog.get_aip(receipt.aips[0].aip_id)
        root = next(r for r in aip.records if r.parent_id is None)
        entry = next(f for f in payloads_of(root, aip.files) if f.bestand_id is not None)
        return root, entry

    # --- publish ----------------------------------------------------------------------------------

    def _document(self, stuk: StukRij, url: str | None = None) -> WooDocument:
        return document_van(stuk, url or stuk.url or self.file_url(stuk.publiek_record_id, stuk.publiek_bestand_id))

    def model(self, rij: PublicatieRij, stukken: Sequence[StukRij]) -> Publicatie:
        """The pure model of a stored publicatie (documents at their public file URLs)."""
        return publicatie_model(rij, tuple(self._document(s) for s in stukken))

    def _publiceerbaar(self, stuk: StukRij) -> Finding | None:
        """None when the public may see the document's record once it is published, else why not."""
        return self._beoordeel(stuk)[0]

    def _beoordeel(self, stuk: StukRij) -> tuple[Finding | None, str]:
        """`_publiceerbaar` with the reason in Dutch, as the Woo pages show it."""
        record = self._record(stuk.publiek_record_id)
        aip = self.services.catalog.get_aip(record.aip_id)
        if aip.status is not AipStatus.OPGESLAGEN or not is_current(self.services.catalog, aip):
            return Finding(
                rule="woo.document.record",
                object=stuk.publicatie_id,
                file=stuk.id,
                message=f"document {stuk.id}: record {record.id} is not the current stored version",
                action="publish the newest version of the record",
            ), "nee: het stuk is niet de actuele opgeslagen versie; publiceer de nieuwste versie"
        io = read_sidecar(self.services.store, record)
        toegang = beoordeel(feiten_van(io, gepubliceerd=True), vandaag=self._today())
        if toegang.public:
            return None, "ja, openbaar na publicatie"
        oordeel = publiceerbaar(record.beperking_code, False, beperking_label=record.beperking_label)
        return Finding(
            rule="woo.document.publiceerbaar",
            object=stuk.publicatie_id,
            file=stuk.id,
            message=f"document {stuk.id}: record {record.id} may not be published: {toegang.reden} ({oordeel.reden})",
            action=f"redact it first (edepot woo redact {stuk.id} ...) or correct its beperkingGebruik",
        ), f"nee, {toegang.reden}: lak het eerst of corrigeer de beperking gebruik"

    def publish(self, publicatie_id: str, wie: str) -> PublicatieRij:
        """Publish a concept: every check first, then DiWoo, catalog, events, sitemaps, search."""
        rij = self.catalog.get_publicatie(publicatie_id)
        if rij.status is PublicatieStatus.GEPUBLICEERD:
            self.sitemaps()  # idempotent: completes a run that stopped after the catalog was written
            return rij
        now = self._now()
        stukken = [
            replace(s, url=self.file_url(s.publiek_record_id, s.publiek_bestand_id))
            for s in self.catalog.stukken(publicatie_id)
        ]
        model = self.model(rij, stukken)
        model.met_status(PublicatieStatus.GEPUBLICEERD, now)  # the transition table decides
        bevindingen = controleer(model)
        bevindingen += [b for b in (self._publiceerbaar(s) for s in stukken) if b is not None]
        xml: dict[str, bytes] = {}
        if not bevindingen:
            for document in model.documenten:
                xml[document.id] = diwoo.document_xml(model, document)
                bevindingen += schema.validate(xml[document.id], source=f"woo/diwoo/{publicatie_id}/{document.id}.xml")
        if bevindingen:
            raise SubmissionRejected(
                f"publicatie {publicatie_id} cannot be published: {len(bevindingen)} problem(s)",
                bevindingen,
                publicatie=publicatie_id,
            )
        gepubliceerd = replace(rij, status=PublicatieStatus.GEPUBLICEERD, gepubliceerd_op=now, gewijzigd_op=now)
        stukken = [met_sitemapregel(gepubliceerd, replace(s, gewijzigd_op=now)) for s in stukken]
        for document_id, data in xml.items():
            _atomic_write(self.diwoo_path / publicatie_id / f"{document_id}.xml", data)
        saved = self.catalog.save(gepubliceerd, stukken, revisie=rij.revisie)
        for stuk in stukken:
            self.services.record_event(
                PUBLICATIE,
                EventOutcome.GELUKT,
                stuk.publiek_record_id,
                publicatie=publicatie_id,
                document=stuk.id,
                url=stuk.url,
                door=wie,
                geredigeerd=stuk.geredigeerd,
            )
        self.sitemaps()
        self._melden(s.publiek_record_id for s in stukken)
        return saved

    def retract(
        self, publicatie_id: str, reden: str, toelichting: str | None, wie: str, vervangen_door: str | None = None
    ) -> PublicatieRij:
        """Withdraw a published publicatie: urls leave the sitemaps, its files answer 410 with the reason."""
        rij = self.catalog.get_publicatie(publicatie_id)
        if rij.status is PublicatieStatus.INGETROKKEN:
            self.sitemaps()
            return rij
        redenen = lijsten.redenen_verwijdering_vervanging()
        from edepot.woo_metadata import tooi

        resource = tooi(redenen, reden, "reden")
        tekst = redenen.waarde(resource).label + (
            f": {toelichting.strip()}" if toelichting and toelichting.strip() else ""
        )
        vervanger = None
        if vervangen_door is not None:
            if vervangen_door == publicatie_id:
                raise InvalidInput("a publicatie cannot replace itself", hint="name the corrected publicatie")
            vervanger = self.catalog.get_publicatie(vervangen_door)
        now = self._now()
        stukken = self.catalog.stukken(publicatie_id)
        self.model(rij, stukken).met_status(PublicatieStatus.INGETROKKEN, now, reden=tekst)
        ingetrokken = replace(
            rij,
            status=PublicatieStatus.INGETROKKEN,
            ingetrokken_op=now,
            gewijzigd_op=now,
            reden_intrekking=tekst,
            reden_resource=resource,
            vervangen_door=vervangen_door,
        )
        saved = self.catalog.save(ingetrokken, [], revisie=rij.revisie)
        if vervanger is not None:
            vervangende = [
                replace(s, metadata={**s.metadata, "reden_verwijdering_vervanging": resource}, gewijzigd_op=now)
                for s in self.catalog.stukken(vervanger.id)
            ]
            if vervanger.status is PublicatieStatus.GEPUBLICEERD:  # its sitemap entries change with its DiWoo
                vervangende = [met_sitemapregel(vervanger, s) for s in vervangende]
            opgeslagen = self.catalog.save(replace(vervanger, gewijzigd_op=now), vervangende, revisie=vervanger.revisie)
            if opgeslagen.status is PublicatieStatus.GEPUBLICEERD:
                model = self.model(opgeslagen, vervangende)
                for document in model.documenten:
                    _atomic_write(
                        self.diwoo_path / vervanger.id / f"{document.id}.xml", diwoo.document_xml(model, document)
                    )
        for stuk in stukken:
            self.services.record_event(
                INTREKKING,
                EventOutcome.GELUKT,
                stuk.publiek_record_id,
                publicatie=publicatie_id,
                document=stuk.id,
                url=stuk.url,
                reden=resource,
                toelichting=toelichting,
                vervangen_door=vervangen_door,
                door=wie,
            )
        self.sitemaps()
        self._melden(s.publiek_record_id for s in stukken)
        return saved

    def _melden(self, record_ids: Iterable[UUID]) -> None:
        if self.on_change is not None:
            self.on_change(list(record_ids))

    def diwoo_xml(self, document_id: str) -> bytes:
        """The DiWoo XML of one document as it is (or would be) published."""
        stuk = self.catalog.get_stuk(document_id)
        rij = self.catalog.get_publicatie(stuk.publicatie_id)
        model = self.model(rij, self.catalog.stukken(rij.id))
        document = next(d for d in model.documenten if d.id == document_id)
        return diwoo.document_xml(model, document)

    # --- sitemaps -----------------------------------------------------------------------------------

    def _sitemap_urls(self, urls: Sequence[str], *, alle: bool = False) -> dict[str, sitemaps.Url]:
        """The sitemap entries of the published documents at `urls`, from the fragments stored at
        publication in one bulk read (`alle`: read every published entry and keep those asked, cheaper
        than many IN queries when most are asked). A document without a stored fragment (published
        before migration 0008) is rendered from its metadata, its publicaties loaded in one query."""
        regels = self.catalog.sitemap_regels(None if alle else urls)
        if alle:
            gevraagd = set(urls)
            regels = [r for r in regels if r.url in gevraagd]
        uit: dict[str, sitemaps.Url] = {}
        opnieuw: list[str] = []
        for regel in regels:
            if regel.fragment is None or regel.categorie is None:
                opnieuw.append(regel.url)
                continue
            uit[regel.url] = sitemaps.Url(
                loc=regel.url,
                lastmod=regel.gewijzigd_op,
                categorie=regel.categorie,
                gepubliceerd_op=regel.gepubliceerd_op or regel.gewijzigd_op,
                document_xml=regel.fragment,
            )
        if opnieuw:
            stukken = self.catalog.stukken_met_urls(opnieuw)
            rijen = self.catalog.publicaties_met_ids(s.publicatie_id for s in stukken)
            for stuk in stukken:
                rij = rijen[stuk.publicatie_id]
                url, categorie, fragment = sitemapregel(rij, stuk)
                uit[url] = sitemaps.Url(
                    loc=url,
                    lastmod=stuk.gewijzigd_op,
                    categorie=categorie,
                    gepubliceerd_op=rij.gepubliceerd_op or stuk.gewijzigd_op,
                    document_xml=fragment,
                )
        return uit

    def sitemaps(self) -> dict[str, Any]:
        """Reconcile the sitemaps with the published documents; write only the files that change.

        One run at a time across processes (`WooCatalog.sitemaps_exclusief`), from reading the state
        to saving the next, so concurrent publications never save a state computed from an older one.
        A run reads the url and change time of every published document, but loads only the sitemap
        entries (rendered at publication) of the documents that changed and of those sharing a
        sitemap file with them.
        """
        basis = self.basis_url()
        with self.catalog.sitemaps_exclusief():
            return self._regenereer(basis)

    def _regenereer(self, basis: str) -> dict[str, Any]:
        vorige = self.catalog.sitemap_state()
        gepubliceerd = self.catalog.gepubliceerde_urls()
        bestand_van = vorige.bestand_van()
        bekend = {u.loc: u.lastmod for b in vorige.sitemaps.values() for u in b.urls}
        veranderd = [loc for loc, moment in gepubliceerd.items() if bekend.get(loc) != moment.isoformat()]
        alle = len(veranderd) > VEEL_VERANDERD and 2 * len(veranderd) > len(gepubliceerd)
        wijzigingen: list[sitemaps.Wijziging] = list(self._sitemap_urls(veranderd, alle=alle).values())
        wijzigingen += [sitemaps.Verwijdering(loc) for loc in bekend if loc not in gepubliceerd]
        geladen: dict[str, sitemaps.Url] = {}

        def opzoeken(loc: str) -> sitemaps.Url:
            # an unchanged url whose sitemap is re-rendered: load its whole old file at once
            if loc not in geladen:
                oud = vorige.sitemaps.get(bestand_van.get(loc, ""))
                buren = [u.loc for u in oud.urls] if oud is not None else [loc]
                batch = [b for b in buren if b in gepubliceerd and b not in geladen] or [loc]
                geladen.update(self._sitemap_urls(batch))
            return geladen[loc]

        regeneratie = sitemaps.regenereer(basis, vorige, wijzigingen, opzoeken, tijdstip=self._now())
        self.site_path.mkdir(parents=True, exist_ok=True)
        for naam, inhoud in sorted(regeneratie.bestanden.items()):
            pad = self.site_path / naam
            if inhoud is None:
                pad.unlink(missing_ok=True)
            else:
                _atomic_write(pad, inhoud)
        robots = sitemaps.robots_txt(basis, regeneratie.indexnamen).encode()
        robots_pad = self.site_path / "robots.txt"
        robots_gewijzigd = not robots_pad.is_file() or robots_pad.read_bytes() != robots
        if robots_gewijzigd:
            _atomic_write(robots_pad, robots)
        self.catalog.save_sitemap_state(vorige, regeneratie.state)
        return {
            "geschreven": sorted(n for n, b in regeneratie.bestanden.items() if b is not None)
            + (["robots.txt"] if robots_gewijzigd else []),
            "verwijderd": sorted(n for n, b in regeneratie.bestanden.items() if b is None),
            "urls": regeneratie.state.urls(),
            "indexen": regeneratie.indexnamen,
            "gelezen": len(veranderd) + len(geladen),
        }

    def site_bestand(self, naam: str) -> bytes:
        """A written site file (robots.txt, a sitemap index or sitemap) by its bare name; NotFound else."""
        if not SITE_NAAM.fullmatch(naam):
            raise NotFound(f"no site file {naam!r}", hint="start from /robots.txt")
        pad = self.site_path / naam
        if pad.resolve().parent != self.site_path.resolve() or not pad.is_file():
            raise NotFound(f"no site file {naam!r}", hint="start from /robots.txt")
        return pad.read_bytes()


# --- pure helpers: a stored publicatie as the model, and a document's sitemap entry ----------------


def document_van(stuk: StukRij, url: str) -> WooDocument:
    """The pure model's document of a stored document, published at `url`."""
    return woo_document(
        stuk.id,
        stuk.metadata,
        url=url,
        gewijzigd=stuk.gewijzigd_op,
        record_id=stuk.record_id,
        geredigeerd=stuk.geredigeerd,
        format=PDF_FORMAT if str(stuk.metadata.get("bestandsnaam") or "").lower().endswith(".pdf") else None,
    )


def publicatie_model(rij: PublicatieRij, documenten: tuple[WooDocument, ...] = ()) -> Publicatie:
    """The pure model of a stored publicatie with these documents."""
    return Publicatie(
        id=rij.id,
        officiele_titel=rij.officiele_titel,
        informatiecategorieen=rij.informatiecategorieen,
        documenten=documenten,
        verantwoordelijke=rij.verantwoordelijke,
        omschrijving=rij.omschrijving,
        status=rij.status,
        gepubliceerd_op=rij.gepubliceerd_op,
        ingetrokken_op=rij.ingetrokken_op,
        reden_intrekking=rij.reden_intrekking,
        kenmerken=rij.kenmerken,
    )


def sitemapregel(rij: PublicatieRij, stuk: StukRij) -> tuple[str, str, bytes]:
    """The sitemap entry of `stuk` as published in `rij`: its url, the categorie that places it and
    its `diwoo:Document` fragment (which needs only the publicatie's own fields)."""
    if stuk.url is None:
        raise InvalidInput(
            f"document {stuk.id} has no url yet; its sitemap entry cannot be rendered",
            hint="give the document its public file URL first (publish sets it)",
            document=stuk.id,
        )
    model = publicatie_model(rij)
    document = document_van(stuk, stuk.url)
    return stuk.url, model.categorieen_van(document)[0], diwoo.document_fragment(model, document)


def met_sitemapregel(rij: PublicatieRij, stuk: StukRij) -> StukRij:
    """`stuk` carrying its sitemap entry (`sitemapregel`): rendered once when the document is
    published or its DiWoo changes, then read in bulk by every sitemap run."""
    _, categorie, fragment = sitemapregel(rij, stuk)
    return replace(stuk, sitemap_categorie=categorie, sitemap_fragment=fragment)


# --- the Publications adapter ----------------------------------------------------------------------


_IN_MEMORY: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()  # one fake per in-memory catalog


class WooPublications:
    """`edepot.publications.Publications` over the Woo catalog: a record is published when it is the
    public file of a document of a published publicatie (the redacted version, never its original)."""

    def __init__(self, catalog: WooCatalog) -> None:
        self.catalog = catalog

    def published_ids(self) -> frozenset[UUID]:
        return self.catalog.published_record_ids()

    def categorieen(self, record_ids: Iterable[UUID]) -> dict[UUID, tuple[str, ...]]:
        lijst = lijsten.informatiecategorieen()
        return {
            record_id: tuple(lijst.waarde(c).label for c in resources)
            for record_id, resources in self.catalog.gepubliceerde_categorieen(record_ids).items()
        }

    def withdrawal(self, record_id: UUID) -> str | None:
        return self.catalog.withdrawal(record_id)


def woo_catalog_for(services: Any) -> WooCatalog:
    """The SQL Woo catalog in the catalog database, or the in-memory fake beside an in-memory catalog."""
    from edepot.catalog.memory import InMemoryCatalog

    if isinstance(services.catalog, InMemoryCatalog):
        from edepot.catalog.woo_memory import InMemoryWooCatalog

        fake: WooCatalog = _IN_MEMORY.setdefault(services.catalog, InMemoryWooCatalog())
        return fake
    from edepot.catalog.sql import create_engine_for
    from edepot.catalog.woo_sql import SqlWooCatalog

    return SqlWooCatalog(create_engine_for(services.settings.catalog_url))


def build_woo(services: Any, *, on_change: Callable[[Iterable[UUID]], object] | None = None) -> WooService:
    return WooService(services, woo_catalog_for(services), on_change=on_change)


def woo_publications(services: Any) -> WooPublications:
    return WooPublications(woo_catalog_for(services))


def markeringen_uit_json(data: object) -> list[Markering]:
    """[{grond, pagina?, gebied?: [x0,y0,x1,y1] | "p:x0,y0,x1,y1", tekst?}, ...] as Markeringen."""
    if not isinstance(data, Sequence) or isinstance(data, str | bytes):
        raise InvalidInput("redactions must be a list", hint='e.g. [{"grond": "5.1.1e", "tekst": "111222333"}]')
    uit = []
    for n, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"redaction {n} is not an object", hint="give grond and gebied or tekst")
        pagina = item.get("pagina")
        gebied = item.get("gebied")
        rect = None
        if isinstance(gebied, str):
            pagina, rect = parse_gebied(gebied)
        elif gebied is not None:
            try:
                x0, y0, x1, y1 = (float(v) for v in gebied)
            except (TypeError, ValueError):
                raise InvalidInput(f"redaction {n}: gebied must be [x0, y0, x1, y1]", hint="PDF points") from None
            rect = Rect(x0, y0, x1, y1)
        if pagina is not None and (not isinstance(pagina, int) or isinstance(pagina, bool)):
            raise InvalidInput(f"redaction {n}: pagina must be a whole number", hint="pages are numbered from 1")
        uit.append(
            Markering(
                grond=grond(str(item.get("grond", ""))),
                pagina=pagina,
                gebied=rect,
                tekst=str(item["tekst"]) if item.get("tekst") else None,
            )
        )
    return uit
