"""Index documents are built from a record, its sidecar, its files and the access decision: small,
with Dutch labels for kind and format, and the full text of the files that have text."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

from edepot.indexing import documentsoort, extractable, formaat, full_text_of, index_document, payloads_of
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_WAARDERING,
    Begrip,
    Identificatie,
    Informatieobject,
    Verwijzing,
)
from edepot.model import FileEntry, FileKind, RecordEntry
from edepot.openbaarheid import Toegang
from edepot.search import Openbaarheid
from edepot.search.model import MAX_FULL_TEXT_CHARS
from edepot.storage.memory import InMemoryObjectStore

AIP = UUID(int=1)
RECORD = UUID(int=2)
OPEN = Toegang(Openbaarheid.OPENBAAR, True, None, "test")
CLOSED = Toegang(Openbaarheid.BEPERKT, False, None, "test")


def record(**changes: object) -> RecordEntry:
    values: dict[str, object] = {
        "id": RECORD,
        "aip_id": AIP,
        "parent_id": None,
        "naam": "Besluit ontgronding Maasvallei",
        "aggregatieniveau": "Archiefstuk",
        "kenmerk": "INV-0012",
        "bron": "Provincie Limburg",
        "waardering": "B",
        "beperking_code": None,
        "beperking_label": "Geen beperking",
        "dekking_begin": "1987-03",
        "dekking_eind": "1992",
        "sidecar_path": "data/a/a.mdto.xml",
        "omschrijving": "Vergunning voor het ontgronden",
    }
    values.update(changes)
    return RecordEntry(**values)  # type: ignore[arg-type]


def informatieobject(**changes: object) -> Informatieobject:
    values: dict[str, object] = {
        "identificatie": (Identificatie(str(RECORD), "e-depot Provincie Limburg"),),
        "naam": "Besluit ontgronding Maasvallei",
        "waardering": Begrip("Blijvend te bewaren", LIJST_WAARDERING, "B"),
        "archiefvormer": (ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        "beperking_gebruik": (GEEN_BEPERKING,),
    }
    values.update(changes)
    return Informatieobject(**values)  # type: ignore[arg-type]


def payload(path: str, mime: str | None, size: int = 10, record_id: UUID = RECORD) -> FileEntry:
    return FileEntry(AIP, path, "0" * 64, size, FileKind.PAYLOAD, uuid4(), record_id, None, mime)


def stored(store: InMemoryObjectStore, tmp_path: Path, entry: FileEntry, data: bytes) -> FileEntry:
    source = tmp_path / hashlib.sha256(entry.path.encode()).hexdigest()
    source.write_bytes(data)
    store.put(entry.key, source, hashlib.sha256(data).hexdigest())
    return FileEntry(**{**entry.__dict__, "size": len(data)})


# --- bad or missing input first ---------------------------------------------------------------------


def test_dates_that_cannot_be_read_or_run_backwards_are_left_out_not_fatal() -> None:
    doc = index_document(record(dekking_begin="z.d.", dekking_eind="ca. 1990"), None, [], OPEN)
    assert (doc.date_begin, doc.date_end) == (None, None)
    backwards = index_document(record(dekking_begin="1995", dekking_eind="1990"), None, [], OPEN)
    assert (backwards.date_begin, backwards.date_end) == (date(1995, 1, 1), None)


def test_a_record_without_files_or_sidecar_still_gets_a_document_with_the_catalog_fields() -> None:
    doc = index_document(record(), None, [], CLOSED, organisatie="Provincie Limburg")
    assert (doc.title, doc.kenmerken, doc.organisatie) == (
        "Besluit ontgronding Maasvallei",
        ("INV-0012", str(RECORD)),
        "Provincie Limburg",
    )
    assert (doc.documentsoort, doc.bestandsformaat, doc.omvang) == (None, None, None)
    assert (doc.openbaarheid, doc.published, doc.public) == (Openbaarheid.BEPERKT, False, False)


def test_files_without_text_are_not_read_and_give_no_full_text(tmp_path: Path) -> None:
    store = InMemoryObjectStore()
    scan = stored(store, tmp_path, payload("data/a/0001.tif", "image/tiff"), b"II*\x00" + b"\x00" * 100)
    assert not extractable(scan)
    assert full_text_of(store, [scan]) == ""


# --- what goes in -----------------------------------------------------------------------------------


def test_the_document_carries_dates_category_kind_format_and_size() -> None:
    files = [payload("data/a/2.pdf", "application/pdf", 300), payload("data/a/1.tif", "image/tiff", 200)]
    io = informatieobject(classificatie=(Begrip("Provisa 2005, categorie 5", Verwijzing("Provisa 2005")),))
    doc = index_document(record(), io, payloads_of(record(), files), OPEN)
    assert (doc.date_begin, doc.date_end) == (date(1987, 3, 1), date(1992, 12, 31))
    assert (doc.informatiecategorie, doc.organisatie) == ("Provisa 2005, categorie 5", "Provincie Limburg")
    assert (doc.documentsoort, doc.bestandsformaat, doc.omvang) == ("Afbeelding (scan)", "TIFF, PDF", 500)
    assert (doc.openbaarheid, doc.published, doc.public) == (Openbaarheid.OPENBAAR, True, True)


def test_an_mdto_informatiecategorie_wins_over_the_classification() -> None:
    io = informatieobject(
        informatiecategorie=Begrip("beschikkingen", Verwijzing("TOOI informatiecategorieen")),
        classificatie=(Begrip("Provisa 2005, categorie 5", Verwijzing("Provisa 2005")),),
    )
    assert index_document(record(), io, [], OPEN).informatiecategorie == "beschikkingen"


def test_the_woo_informatiecategorie_of_a_published_record_wins_over_mdto_and_classification() -> None:
    io = informatieobject(
        informatiecategorie=Begrip("beschikkingen", Verwijzing("TOOI informatiecategorieen")),
        classificatie=(Begrip("Provisa 2005, categorie 5", Verwijzing("Provisa 2005")),),
    )
    woo = ("convenanten", "beschikkingen")
    assert index_document(record(), io, [], OPEN, woo_categorieen=woo).informatiecategorie == "convenanten"
    assert index_document(record(), None, [], OPEN, woo_categorieen=woo).informatiecategorie == "convenanten"


def test_only_the_records_own_payload_files_count() -> None:
    other = UUID(int=3)
    files = [payload("data/a/1.pdf", "application/pdf"), payload("data/b/1.pdf", "application/pdf", record_id=other)]
    sidecar = FileEntry(AIP, "data/a/a.mdto.xml", "0" * 64, 5, FileKind.SIDECAR, None, RECORD)
    assert [f.path for f in payloads_of(record(), [*files, sidecar])] == ["data/a/1.pdf"]


def test_kinds_and_formats_have_dutch_labels_for_people() -> None:
    assert documentsoort("application/pdf") == "PDF-document"
    assert documentsoort("image/jp2") == "Afbeelding (scan)"
    assert documentsoort("message/rfc822") == "E-mail"
    assert documentsoort("application/vnd.openxmlformats-officedocument.wordprocessingml.document") == ("Tekstdocument")
    assert documentsoort("application/x-onbekend") == "Overig"
    assert formaat("image/jp2") == "JPEG 2000"
    assert formaat("application/x-onbekend") == "X-ONBEKEND"
    assert formaat(None, "fmt/353") == "fmt/353"


def test_the_full_text_joins_the_text_of_every_file_that_has_text_within_the_size_limit(tmp_path: Path) -> None:
    store = InMemoryObjectStore()
    brief = stored(store, tmp_path, payload("data/a/brief.txt", "text/plain"), b"Geachte heer, de ontgronding")
    pagina = stored(
        store,
        tmp_path,
        payload("data/a/pagina.html", "text/html"),
        b"<html><body><p>Besluit over de Maas</p><script>alert(1)</script></body></html>",
    )
    text = full_text_of(store, [brief, pagina])
    assert "Geachte heer, de ontgronding" in text and "Besluit over de Maas" in text
    assert "alert" not in text

    long = stored(store, tmp_path, payload("data/a/lang.txt", "text/plain"), b"woord " * MAX_FULL_TEXT_CHARS)
    assert len(full_text_of(store, [long, brief])) <= MAX_FULL_TEXT_CHARS + 2
