"""The zaaksysteem adapter against a real HTTP server playing Open Zaak (fake_server.py), with siegfried."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from edepot import bagcheck
from edepot.catalog.memory import InMemoryCatalog
from edepot.errors import Finding, Severity
from edepot.formats import SiegfriedIdentifier
from edepot.mdto import rules
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    Begrip,
    Betrokkene,
    Event,
    GerelateerdInformatieobject,
    Identificatie,
    Informatieobject,
    Termijn,
    Verwijzing,
)
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.memory import InMemoryObjectStore
from edepot.submission import PackageInput, RecordInput, SubmissionInput
from ingest import zaaksysteem
from ingest.zaaksysteem import mark_archived, next_cursor, read_zaken
from ingest.zgw_client import ZgwClient, ZgwError
from tests.integration.zgw.conftest import MakeClient
from tests.integration.zgw.fake_server import (
    EIO_BESLUIT_PDF,
    EIO_KAART_PNG,
    ZAAK_00,
    ZAAK_01,
    ZAAK_ID_0,
    ZAAK_OPEN,
    ZAKEN,
    FakeZgw,
    OpenApiCheck,
)

FOUT, WAARSCHUWING = Severity.FOUT, Severity.WAARSCHUWING


def _read(client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier, **kwargs: object) -> SubmissionInput:
    return read_zaken(client, workdir=workdir, identifier=identifier, **kwargs)  # type: ignore[arg-type]


def _zaak_url(zgw: FakeZgw, uuid: str) -> str:
    return zgw.url(f"{ZAKEN}/zaken/{uuid}")


def _package(result: SubmissionInput, identificatie: str) -> PackageInput:
    return next(p for p in result.packages if p.record.original_name == identificatie)


def _child(record: RecordInput, original_name: str) -> RecordInput:
    return next(c for c in record.children if c.original_name == original_name)


def _rules(result: SubmissionInput) -> list[tuple[str, Severity]]:
    return [(f.rule, f.severity) for f in result.findings]


def _with_rule(result: SubmissionInput, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


# --- failures first ---------------------------------------------------------------------------------------


def test_a_zaak_deleted_during_the_run_is_an_error_finding_and_has_no_package(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    zgw.deleted.add(ZAAK_01)  # still in the list, gone when read
    result = _read(client, workdir, identifier)
    [gone] = _with_rule(result, "zaaksysteem.zaak.not_found")
    assert gone.severity is FOUT
    assert gone.object == _zaak_url(zgw, ZAAK_01)
    assert "answered 404" in gone.message
    assert [p.record.original_name for p in result.packages] == ["ZAAK-00", "ZAAK-ID-0"]
    assert result.errors == [gone]


def test_an_integriteit_mismatch_is_an_error_finding(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    zgw.data.eio(EIO_BESLUIT_PDF)["integriteit"]["waarde"] = "0" * 64
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_00)])
    [mismatch] = _with_rule(result, "zaaksysteem.document.integriteit_mismatch")
    assert mismatch.severity is FOUT
    assert mismatch.file == "ZAAK-00/DOCUMENT-02/besluit aanvraag.pdf"
    assert f"integriteit says {'0' * 64}" in mismatch.message
    [pdf] = _child(_package(result, "ZAAK-00").record, "DOCUMENT-02").files
    assert set(pdf.expected) == {"sha256"}  # the wrong value is not passed on as an expectation


def test_an_md5_integriteit_is_verified_and_passed_on(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    content = zgw.data.contents[EIO_BESLUIT_PDF]
    assert isinstance(content, bytes)
    zgw.data.eio(EIO_BESLUIT_PDF)["integriteit"] = {
        "algoritme": "md5", "waarde": hashlib.md5(content).hexdigest().upper(), "datum": "2024-07-20"}
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_00)])
    [pdf] = _child(_package(result, "ZAAK-00").record, "DOCUMENT-02").files
    assert pdf.expected == {"sha256": hashlib.sha256(content).hexdigest(), "md5": hashlib.md5(content).hexdigest()}
    assert not _with_rule(result, "zaaksysteem.document.integriteit_mismatch")


def test_an_integriteit_algorithm_we_cannot_compute_is_a_warning(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    zgw.data.eio(EIO_BESLUIT_PDF)["integriteit"] = {"algoritme": "crc_32", "waarde": "1c291ca3", "datum": "2024-07-20"}
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_00)])
    [warning] = _with_rule(result, "zaaksysteem.document.integriteit_unverifiable")
    assert warning.severity is WAARSCHUWING
    assert "crc_32" in warning.message


def test_a_download_size_differing_from_bestandsomvang_is_a_warning(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_01)])
    [warning] = _with_rule(result, "zaaksysteem.document.size_mismatch")
    [png] = _child(_package(result, "ZAAK-01").record, "DOCUMENT-03").files
    assert warning.severity is WAARSCHUWING
    assert warning.message == (
        f"zaak ZAAK-01, document DOCUMENT-03: {png.size} bytes downloaded, bestandsomvang in the zaaksysteem is 9"
    )
    assert png.size == len(zgw.data.contents[EIO_KAART_PNG])  # type: ignore[arg-type]


def test_a_metadata_only_document_is_an_archiefstuk_without_files_and_a_warning(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_00)])
    document = _child(_package(result, "ZAAK-00").record, "DOCUMENT-01")
    [warning] = _with_rule(result, "zaaksysteem.document.no_content")
    assert document.files == ()
    assert document.informatieobject.aggregatieniveau is not None
    assert document.informatieobject.aggregatieniveau.label == "Archiefstuk"
    assert warning.severity is WAARSCHUWING
    assert warning.object == "zaak ZAAK-00, document DOCUMENT-01"
    assert not zgw.seen(r"/69f649d8-27dd-4f6f-b647-f2becf215498/download$")


def test_an_explicit_zaak_that_is_not_closed_is_an_error(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_OPEN)])
    assert _rules(result) == [("zaaksysteem.zaak.not_closed", FOUT)]
    assert result.packages == ()


def test_a_client_without_the_documenten_scope_gets_an_error_per_zaak_with_documents(
    make_client: MakeClient, zgw: FakeZgw, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(make_client("edepot-alleen-zaken"), workdir, identifier)
    incomplete = _with_rule(result, "zaaksysteem.zaak.incomplete")
    assert [f.object for f in incomplete] == [_zaak_url(zgw, ZAAK_00), _zaak_url(zgw, ZAAK_01)]
    assert all("answered 403" in f.message for f in incomplete)
    assert [p.record.original_name for p in result.packages] == ["ZAAK-ID-0"]


def test_a_document_in_an_unconfigured_documenten_api_is_an_error_and_gets_no_token(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    elsewhere = "https://dms.example.org/documenten/api/v1/enkelvoudiginformatieobjecten/1"
    zgw.data.get(f"{ZAKEN}/zaakinformatieobjecten/c74fb48f-59c7-4b74-8a9a-b9feffa24e72")["informatieobject"] = elsewhere
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_01)])
    [incomplete] = result.errors
    assert incomplete.rule == "zaaksysteem.zaak.incomplete"
    assert f"refusing to send credentials to {elsewhere}" in incomplete.message
    assert result.packages == ()


def test_a_zaaksysteem_that_stays_unavailable_raises_instead_of_rejecting_the_content(
    zgw: FakeZgw, make_client: MakeClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    zgw.fail(r"/statussen$", 503, times=100)
    with pytest.raises(ZgwError) as raised:
        _read(make_client(max_attempts=2), workdir, identifier)
    assert raised.value.status == 503


def test_a_wrong_secret_raises_before_anything_is_read(
    make_client: MakeClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    with pytest.raises(ZgwError) as raised:
        _read(make_client(secret="wrong-secret-0123456789abcdef0123"), workdir, identifier)
    assert raised.value.status == 401


def test_429_and_a_broken_download_during_the_run_are_retried_transparently(
    zgw: FakeZgw, client: ZgwClient, sleeps: list[float], workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    zgw.fail(r"/rollen$", 429, times=2)
    zgw.fail(r"/zaken$", 429, retry_after="3")
    zgw.break_download(EIO_BESLUIT_PDF, after=100)
    result = _read(client, workdir, identifier)
    [pdf] = _child(_package(result, "ZAAK-00").record, "DOCUMENT-02").files
    assert sleeps == [3.0, 1.0, 2.0, 1.0]
    assert pdf.path.read_bytes() == zgw.data.contents[EIO_BESLUIT_PDF]
    assert result.errors == []


# --- the happy path ------------------------------------------------------------------------------------------


def test_closed_zaken_become_one_package_each_with_documents_and_raw_json(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier)
    assert (result.source, result.location) == ("zaaksysteem", zgw.zaken_url)
    assert [(p.source, p.source_key, p.record.folder) for p in result.packages] == [
        ("zaaksysteem", _zaak_url(zgw, ZAAK_00), "ZAAK-00"),
        ("zaaksysteem", _zaak_url(zgw, ZAAK_01), "ZAAK-01"),
        ("zaaksysteem", _zaak_url(zgw, ZAAK_ID_0), "ZAAK-ID-0"),
    ]
    z00, z01, z0 = result.packages
    assert [f.naam for f in z00.record.files] == [
        "zgw-zaak.json", "zgw-zaaktype.json", "zgw-resultaat.json", "zgw-resultaattype.json",
        "zgw-status-01.json", "zgw-status-02.json", "zgw-statustype-01.json", "zgw-statustype-02.json",
        "zgw-besluit-01.json", "zgw-besluit-02.json", "zgw-rol-01.json", "zgw-rol-02.json", "zgw-rol-03.json",
        "zgw-zaakeigenschap-01.json", "zgw-zaakobject-01.json",
        "zgw-zaakinformatieobject-01.json", "zgw-zaakinformatieobject-02.json",
        "zgw-enkelvoudiginformatieobject-01.json", "zgw-enkelvoudiginformatieobject-02.json",
    ]
    assert [f.naam for f in z0.record.files] == ["zgw-zaak.json", "zgw-zaaktype.json"]
    assert all(f.original_path == f"ZAAK-00/{f.naam}" for f in z00.record.files)
    assert {f.format.puid for f in z00.record.files} == {"fmt/817"}  # JSON
    assert json.loads(z00.record.files[0].path.read_text(encoding="utf-8")) == zgw.data.zaak(ZAAK_00)
    assert [(c.folder, [(f.naam, f.original_path, f.format.puid) for f in c.files]) for c in z00.record.children] == [
        ("DOCUMENT-01", []),
        ("DOCUMENT-02", [("besluit_aanvraag.pdf", "ZAAK-00/DOCUMENT-02/besluit aanvraag.pdf", "fmt/276")]),
    ]
    assert [(c.folder, [(f.naam, f.format.puid) for f in c.files]) for c in z01.record.children] == [
        ("DOCUMENT-02", [("besluit_aanvraag.pdf", "fmt/276")]),
        ("DOCUMENT-03", [("kaart.png", "fmt/11")]),
    ]
    pdf_content = zgw.data.contents[EIO_BESLUIT_PDF]
    assert isinstance(pdf_content, bytes)
    [pdf] = z00.record.children[1].files
    assert (pdf.size, pdf.expected) == (len(pdf_content), {"sha256": hashlib.sha256(pdf_content).hexdigest()})
    assert [(f.rule, f.severity, f.object) for f in result.findings] == [
        ("zaaksysteem.document.no_content", WAARSCHUWING, "zaak ZAAK-00, document DOCUMENT-01"),
        ("preingest.format.acceptabel", WAARSCHUWING, None),
        ("zaaksysteem.bewaartermijn.incomplete", WAARSCHUWING, _zaak_url(zgw, ZAAK_01)),
        ("zaaksysteem.document.size_mismatch", WAARSCHUWING, "zaak ZAAK-01, document DOCUMENT-03"),
        ("preingest.format.unlisted", WAARSCHUWING, None),
        ("zaaksysteem.bewaartermijn.incomplete", WAARSCHUWING, _zaak_url(zgw, ZAAK_ID_0)),
    ]
    assert z00.bag_info == {
        "Zaak-Identificatie": "ZAAK-00",
        "Zaak-URL": _zaak_url(zgw, ZAAK_00),
        "Zaaktype": zgw.data.zaak(ZAAK_00)["zaaktype"],
        "Zaaktype-Identificatie": "ZAAKTYPE-2018-0000000001",
        "Zaak-Einddatum": "2024-08-01",
        "Zaak-Archiefnominatie": "vernietigen",
        "Zaak-Archiefactiedatum": "2034-08-01",
        "Zaak-Archiefstatus": "nog_te_archiveren",
        "Zaak-Selectielijstklasse": "https://selectielijst.openzaak.nl/api/v1/resultaten/78e12133-c467-4202-91ba-4417baa52801",
        "Zaak-Archiefactietermijn": "P10Y",
        "Zaak-Brondatum-Afleidingswijze": "afgehandeld",
        "Zaak-Startdatum-Bewaartermijn": "2024-08-01",
        "Zaak-Resultaattype": zgw.url("/catalogi/api/v1/resultaattypen/12903100-b7a0-4441-9645-eda7df2ad106"),
    }
    assert zgw.seen(r"/zaken$")[0].query == "einddatum__isnull=false"


def test_the_zaak_is_an_mdto_informatieobject_of_aggregatieniveau_zaak(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_00)])
    io = _package(result, "ZAAK-00").record.informatieobject
    zaken_lijst = Verwijzing(naam="ZGW relaties tussen zaken en documenten")
    assert io.identificatie == (
        Identificatie(kenmerk="ZAAK-00", bron="zaaksysteem, bronorganisatie 523791045"),
        Identificatie(kenmerk=_zaak_url(zgw, ZAAK_00), bron="ZGW Zaken API"),
    )
    assert io.naam == "Aanvraag evenementenvergunning Maasboulevard (ZAAK-00)"
    assert (io.waardering.code, io.waardering.label) == ("V", "Tijdelijk te bewaren")
    assert io.bewaartermijn == Termijn(
        trigger_start_looptijd=Begrip(label="afgehandeld",
                                      begrippenlijst=Verwijzing(naam="ZGW afleidingswijze brondatum archiefprocedure")),
        startdatum_looptijd="2024-08-01",
        looptijd="P10Y",
        einddatum="2034-08-01",
    )
    assert io.archiefvormer == (ARCHIEFVORMER_PROVINCIE_LIMBURG,)
    assert [(b.type.label, b.nadere_beschrijving) for b in io.beperking_gebruik] == [
        ("Overig", "Vertrouwelijkheidaanduiding in het zaaksysteem: Zeer geheim (zeer_geheim); "
                   "openbaarheid volgens Woo/Archiefwet niet beoordeeld"),
        ("Overig", "Bevat persoonsgegevens: namen van betrokken personen (betrokkene en ZGW-rollen); "
                   "overige persoonsgegevens (Uitvoeringswet AVG), niet beoordeeld"),
    ]
    assert [(c.label, c.code) for c in io.classificatie] == [
        ("brand world-class initiatives", "ZAAKTYPE-2018-0000000001"),
        ("https://selectielijst.openzaak.nl/api/v1/resultaten/78e12133-c467-4202-91ba-4417baa52801",
         "https://selectielijst.openzaak.nl/api/v1/resultaten/78e12133-c467-4202-91ba-4417baa52801"),
    ]
    assert io.omschrijving == (
        "Zomerfestival 2024",
        "Zaaktype: brand world-class initiatives (ZAAKTYPE-2018-0000000001)",
        "Archiefnominatie: vernietigen",
        "Archiefactiedatum: 2034-08-01",
        "Archiefactietermijn: P10Y",
        "Selectielijstklasse: https://selectielijst.openzaak.nl/api/v1/resultaten/78e12133-c467-4202-91ba-4417baa52801",
        "Afleidingswijze brondatum: afgehandeld",
        "Besluit BESLUIT-01 van 2021-05-06, ingangsdatum 2005-03-10",
        "Besluit BESLUIT-00 van 2022-09-27, ingangsdatum 2013-12-22",
    )
    assert [(d.begindatum, d.einddatum) for d in io.dekking_in_tijd] == [("2024-07-14", "2024-08-01")]
    assert [(e.type.label, e.type.begrippenlijst.naam, e.tijd, e.resultaat) for e in io.event] == [
        ("Opname", "Begrippenlijst EventType MDTO", "2024-07-11", None),
        ("Ontvangen", "Statustypen zaaktype ZAAKTYPE-2018-0000000001", "2024-07-14T09:30:00Z", None),
        ("Afgerond", "Statustypen zaaktype ZAAKTYPE-2018-0000000001", "2024-08-01T10:00:00Z", None),
        ("Bevriezing", "Begrippenlijst EventType MDTO", "2024-08-01",
         "Resultaat: Vergunning verleend - Vergunning verleend onder voorwaarden"),
    ]
    assert io.gerelateerd_informatieobject == (
        GerelateerdInformatieobject(
            verwijzing=Verwijzing(naam="ZAAK-ID-0",
                                  identificatie=Identificatie(kenmerk=_zaak_url(zgw, ZAAK_ID_0), bron="ZGW Zaken API")),
            type_relatie=Begrip(label="Deelzaak", begrippenlijst=zaken_lijst),
        ),
    )
    assert [v.naam for v in io.aanvullende_metagegevens] == [f.naam for f in _package(result, "ZAAK-00").record.files]
    rollen = [(b.type_relatie.label, b.type_relatie.begrippenlijst.naam, b.actor) for b in io.betrokkene]
    assert rollen == [
        ("Indiener", "Begrippenlijst Relatietypen betrokkene MDTO",
         Verwijzing(naam="J. van der Berg", identificatie=Identificatie(
             kenmerk=zgw.url(f"{ZAKEN}/rollen/2c0e4c8e-1d7a-4b8e-9a3f-000000000001"), bron="ZGW Zaken API (rol)"))),
        ("Behandelaar", "ZGW Rol omschrijvingGeneriek",
         Verwijzing(naam="P. Smeets", identificatie=Identificatie(
             kenmerk=zgw.url(f"{ZAKEN}/rollen/2c0e4c8e-1d7a-4b8e-9a3f-000000000002"), bron="ZGW Zaken API (rol)"))),
        ("Belanghebbende", "Begrippenlijst Relatietypen betrokkene MDTO",
         Verwijzing(naam="Stichting Zomerfestival", identificatie=Identificatie(kenmerk="123456782", bron="RSIN"))),
    ]


def test_personal_names_and_the_bsn_appear_only_in_betrokkene(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier)
    for package in result.packages:
        for record in (package.record, *package.record.children):
            io = record.informatieobject
            without_betrokkene = repr((io.naam, io.omschrijving, io.event, io.identificatie, io.classificatie))
            assert "Berg" not in without_betrokkene and "Smeets" not in without_betrokkene
            assert "999993653" not in repr(io)  # the BSN is nowhere in MDTO


def test_the_documents_inherit_waardering_and_bewaartermijn_and_map_their_own_metadata(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier)
    zaak = _package(result, "ZAAK-00").record
    besluit = _child(zaak, "DOCUMENT-02").informatieobject
    metadata_only = _child(zaak, "DOCUMENT-01").informatieobject
    assert besluit.naam == "Besluit op de aanvraag"
    assert besluit.identificatie[0] == Identificatie(
        kenmerk="DOCUMENT-02", bron="zaaksysteem, bronorganisatie 523791045"
    )
    assert (besluit.waardering, besluit.bewaartermijn) == (zaak.informatieobject.waardering,
                                                           zaak.informatieobject.bewaartermijn)
    assert [(b.type.label, b.nadere_beschrijving) for b in besluit.beperking_gebruik] == [
        ("Overig", "Vertrouwelijkheidaanduiding in het zaaksysteem: Vertrouwelijk (vertrouwelijk); "
                   "openbaarheid volgens Woo/Archiefwet niet beoordeeld"),
    ]
    assert metadata_only.beperking_gebruik == (GEEN_BEPERKING,)  # recorded as openbaar
    assert besluit.taal == ("nld",)
    assert besluit.omschrijving == ("Het besluit zoals verzonden",)
    assert [(e.type.label, e.tijd) for e in besluit.event] == [
        ("Creatie", "2024-07-20"), ("Verzending", "2024-07-31"), ("Opname", "2026-01-02T15:31:34.898712Z"),
    ]
    assert besluit.betrokkene == (
        Betrokkene(type_relatie=Begrip(label="Auteur", begrippenlijst=Verwijzing(naam="ZGW Rol omschrijvingGeneriek")),
                   actor=Verwijzing(naam="Team Vergunningen")),
    )
    assert besluit.aanvullende_metagegevens == (Verwijzing(naam="zgw-enkelvoudiginformatieobject-02.json"),)


def test_a_document_linked_to_two_zaken_is_downloaded_once_and_each_zaak_refers_to_the_other(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier)
    in_00 = _child(_package(result, "ZAAK-00").record, "DOCUMENT-02")
    in_01 = _child(_package(result, "ZAAK-01").record, "DOCUMENT-02")
    assert len(zgw.seen(f"/{EIO_BESLUIT_PDF}/download$")) == 1
    assert in_00.files[0].path == in_01.files[0].path
    assert in_00.files[0].original_path == "ZAAK-00/DOCUMENT-02/besluit aanvraag.pdf"
    assert in_01.files[0].original_path == "ZAAK-01/DOCUMENT-02/besluit aanvraag.pdf"
    hoort_bij = Begrip(label="Hoort bij", begrippenlijst=Verwijzing(naam="ZGW relaties tussen zaken en documenten"))
    assert in_00.informatieobject.gerelateerd_informatieobject == (
        GerelateerdInformatieobject(verwijzing=Verwijzing(naam="ZAAK-01", identificatie=Identificatie(
            kenmerk=_zaak_url(zgw, ZAAK_01), bron="ZGW Zaken API")), type_relatie=hoort_bij),
    )
    assert in_01.informatieobject.gerelateerd_informatieobject[0].verwijzing.naam == "ZAAK-00"


def test_hoofdzaak_and_relevante_andere_zaken_become_relations(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier)
    relaties = {
        p.record.original_name: [(g.type_relatie.label, g.verwijzing.naam)
                                 for g in p.record.informatieobject.gerelateerd_informatieobject]
        for p in result.packages
    }
    assert relaties == {
        "ZAAK-00": [("Deelzaak", "ZAAK-ID-0")],
        "ZAAK-01": [("Onderwerp", "ZAAK-00")],
        "ZAAK-ID-0": [("Hoofdzaak", "ZAAK-00")],
    }


def test_since_selects_the_zaken_closed_on_or_after_that_date(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier, since=date(2024, 8, 28))
    assert [p.record.original_name for p in result.packages] == ["ZAAK-ID-0"]
    assert "einddatum__gt=2024-08-27" in zgw.seen(r"/zaken$")[0].query


def test_filters_are_passed_to_the_zaken_list(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    zgw.data.zaak(ZAAK_01)["archiefstatus"] = "gearchiveerd"
    result = _read(client, workdir, identifier, archiefnominatie="vernietigen", archiefstatus="nog_te_archiveren",
                   zaaktype=zgw.data.zaak(ZAAK_00)["zaaktype"])
    assert [p.record.original_name for p in result.packages] == ["ZAAK-00", "ZAAK-ID-0"]


def test_next_cursor_is_the_latest_einddatum_or_the_previous_one(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier)
    assert next_cursor(result.packages) == date(2024, 8, 28)
    assert next_cursor([zgw.data.zaak(ZAAK_00), zgw.data.zaak(ZAAK_OPEN)]) == date(2024, 8, 1)
    assert next_cursor([], previous=date(2025, 1, 1)) == date(2025, 1, 1)
    assert next_cursor(result.packages, previous=date(2025, 1, 1)) == date(2025, 1, 1)


def test_a_rerun_reuses_the_downloads_and_gives_identical_packages(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    first = _read(client, workdir, identifier)
    downloads = len(zgw.seen(r"/download$"))
    second = _read(client, workdir, identifier)
    assert len(zgw.seen(r"/download$")) == downloads == 2
    assert second.packages == first.packages


def test_every_answer_during_a_run_matches_the_openapi_schemas(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier, openapi: OpenApiCheck
) -> None:
    zgw.deleted.add(ZAAK_ID_0)
    _read(client, workdir, identifier)
    checked = [s for s in zgw.served if s.api != "besluiten"]  # no Besluiten API spec is vendored
    assert [p for s in checked for p in openapi.errors(s)] == []
    assert {s.template for s in checked} >= {"/zaken", "/zaken/{uuid}", "/statussen", "/rollen", "/zaakobjecten",
                                             "/zaakinformatieobjecten", "/zaken/{zaak_uuid}/besluiten",
                                             "/zaken/{zaak_uuid}/zaakeigenschappen", "/resultaten/{uuid}",
                                             "/enkelvoudiginformatieobjecten/{uuid}", "/zaaktypen/{uuid}",
                                             "/statustypen/{uuid}", "/resultaattypen/{uuid}"}


# --- mapping details ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aanduiding", "label"),
    [("openbaar", "Geen beperking"), ("beperkt_openbaar", "Overig"), ("intern", "Overig"),
     ("zaakvertrouwelijk", "Overig"), ("vertrouwelijk", "Overig"), ("confidentieel", "Overig"),
     ("geheim", "Overig"), ("zeer_geheim", "Overig")],
)
def test_every_vertrouwelijkheidaanduiding_maps_to_a_known_beperking(aanduiding: str, label: str) -> None:
    beperking = zaaksysteem.beperking_gebruik(aanduiding)
    assert beperking is not None
    assert beperking.type.label == label
    assert rules.beperking_bekend(beperking.type)
    assert (beperking.nadere_beschrijving is None) == (aanduiding == "openbaar")


def test_an_unknown_vertrouwelijkheidaanduiding_maps_to_nothing() -> None:
    assert zaaksysteem.beperking_gebruik("") is None
    assert zaaksysteem.beperking_gebruik("staatsgeheim") is None


def test_archiefnominatie_maps_to_b_and_v() -> None:
    assert zaaksysteem.waardering("blijvend_bewaren") == Begrip(
        label="Blijvend te bewaren", code="B", begrippenlijst=Verwijzing(naam="Begrippenlijst Waarderingen MDTO"))
    v = zaaksysteem.waardering("vernietigen")
    assert v is not None and v.code == "V"
    assert zaaksysteem.waardering("") is None


def test_a_zaak_without_archiefnominatie_is_nader_te_bepalen_with_a_warning(
    zgw: FakeZgw, client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    zgw.data.zaak(ZAAK_ID_0)["archiefnominatie"] = ""
    result = _read(client, workdir, identifier, zaak_urls=[_zaak_url(zgw, ZAAK_ID_0)])
    io = _package(result, "ZAAK-ID-0").record.informatieobject
    assert (io.waardering.code, io.bewaartermijn) == ("N", None)
    assert _rules(result) == [("zaaksysteem.waardering.missing", WAARSCHUWING)]


def test_every_informatieobject_passes_the_mdto_rules(
    client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier
) -> None:
    result = _read(client, workdir, identifier)
    records: list[Informatieobject] = []
    for package in result.packages:
        records += [package.record.informatieobject, *(c.informatieobject for c in package.record.children)]
    assert [f for io in records for f in rules.check(io, source="test")] == []
    assert len(records) == 7


# --- write-back -----------------------------------------------------------------------------------------------


def test_mark_archived_patches_the_archiefstatus(zgw: FakeZgw, client: ZgwClient) -> None:
    outcome = mark_archived(client, _zaak_url(zgw, ZAAK_00))
    assert (outcome.gelukt, outcome.finding) == (True, None)
    assert zgw.patches == [(_zaak_url(zgw, ZAAK_00), {"archiefstatus": "gearchiveerd"})]


def test_mark_archived_without_the_scope_is_a_warning_not_an_error(zgw: FakeZgw, make_client: MakeClient) -> None:
    outcome = mark_archived(make_client("edepot-lezer"), _zaak_url(zgw, ZAAK_00), status="overgedragen")
    assert outcome.gelukt is False
    assert outcome.finding is not None
    assert (outcome.finding.rule, outcome.finding.severity) == ("zaaksysteem.writeback.failed", WAARSCHUWING)
    assert "zaken.bijwerken" in outcome.finding.action
    assert zgw.patches == []


def test_mark_archived_refuses_a_status_that_is_not_an_archive_status(zgw: FakeZgw, client: ZgwClient) -> None:
    with pytest.raises(ValueError, match="nog_te_archiveren"):
        mark_archived(client, _zaak_url(zgw, ZAAK_00), status="nog_te_archiveren")
    assert zgw.requests == []


# --- through the ingest use case -----------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


def test_the_submission_ingests_into_valid_bags_with_mdto_sidecars(
    client: ZgwClient, workdir: Path, identifier: SiegfriedIdentifier, tmp_path: Path
) -> None:
    services = Services(catalog=InMemoryCatalog(), store=InMemoryObjectStore(), clock=_Clock(),
                        settings=Settings(home=tmp_path / "home"), formats=identifier)
    receipt = services.ingest(_read(client, workdir, identifier))
    assert [(a.result, a.files) for a in receipt.aips] == [("nieuw", 20), ("nieuw", 8), ("nieuw", 2)]
    for index, outcome in enumerate(receipt.aips):
        bag = services.export(outcome.aip_id, tmp_path / f"export-{index}")
        assert bagcheck.validate_bag(bag) == []
    again = services.ingest(_read(client, workdir, identifier))
    assert [a.result for a in again.aips] == ["ongewijzigd"] * 3


def test_nothing_in_a_package_depends_on_the_order_of_the_list(zgw: FakeZgw, make_client: MakeClient,
                                                              workdir: Path, identifier: SiegfriedIdentifier) -> None:
    small_pages = _read(make_client(), workdir, identifier)
    zgw.page_size = 10
    one_page = _read(make_client(), workdir, identifier)
    assert one_page.packages == small_pages.packages


def test_a_zaak_url_given_twice_is_read_once(zgw: FakeZgw, client: ZgwClient, workdir: Path,
                                            identifier: SiegfriedIdentifier) -> None:
    url = _zaak_url(zgw, ZAAK_ID_0)
    result = _read(client, workdir, identifier, zaak_urls=[url, url])
    assert [p.source_key for p in result.packages] == [url]
    assert isinstance(result.packages[0].record.informatieobject.event[0], Event)
