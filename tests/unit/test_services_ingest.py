"""The ingest use case, specified on in-memory fakes: accepted whole or rejected whole, idempotent,
versioned, verified, exportable and rebuildable."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bagit
import pytest

from edepot import bagcheck, packaging
from edepot.catalog.memory import InMemoryCatalog
from edepot.errors import Finding, FixityError, NotFound, Severity, SubmissionRejected
from edepot.fixity import hash_file
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_AGGREGATIENIVEAU,
    LIJST_WAARDERING,
    Begrip,
    Bestand,
    Identificatie,
    Informatieobject,
)
from edepot.mdto.reader import from_xml
from edepot.model import AipStatus, FileKind, SubmissionStatus
from edepot.pooled import BATCH
from edepot.ports import FormatIdentification
from edepot.preingest import NOT_IDENTIFIED
from edepot.services import Services
from edepot.settings import Settings
from edepot.storage.memory import InMemoryObjectStore
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput

TIFF = FormatIdentification(
    puid="fmt/353", format_name="Tagged Image File Format", format_version="", mime="image/tiff"
)


class TickingClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


class NoFormats:
    def prefetch(self, paths: object) -> None:  # pragma: no cover - not used here
        raise AssertionError("the service must not identify formats itself")

    def identify(self, path: Path) -> FormatIdentification:  # pragma: no cover - not used here
        raise AssertionError("the service must not identify formats itself")


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return Services(
        catalog=InMemoryCatalog(),
        store=InMemoryObjectStore(),
        clock=TickingClock(),
        settings=Settings(home=tmp_path / "home"),
        formats=NoFormats(),
    )


def dossier(naam: str, kenmerk: str) -> Informatieobject:
    return Informatieobject(
        identificatie=(Identificatie(kenmerk=kenmerk, bron="Provincie Limburg, archiefblok 1987-1996"),),
        naam=naam,
        aggregatieniveau=Begrip(label="Dossier", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        waardering=Begrip(label="Blijvend te bewaren", code="B", begrippenlijst=LIJST_WAARDERING),
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(GEEN_BEPERKING,),
    )


def source_file(root: Path, rel: str, content: bytes, **expected: str) -> SourceFile:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return SourceFile(
        path=path,
        original_path=rel,
        naam=rel.rsplit("/", 1)[-1],
        size=len(content),
        format=TIFF,
        expected=dict(expected),
    )


def submission(root: Path, contents: dict[str, bytes] | None = None, **kwargs: object) -> SubmissionInput:
    contents = contents or {"1/0001.tif": b"page one", "1/0002.tif": b"page two", "2/0001.tif": b"other"}
    packages = []
    for inv in sorted({rel.split("/")[0] for rel in contents}):
        files = tuple(
            source_file(root, rel, data) for rel, data in sorted(contents.items()) if rel.startswith(f"{inv}/")
        )
        packages.append(
            PackageInput(
                source="analogue",
                source_key=f"1987-1996/{inv}",
                record=RecordInput(
                    folder=inv, original_name=inv, informatieobject=dossier(f"Dossier {inv}", inv), files=files
                ),
            )
        )
    return SubmissionInput(
        source="analogue", location=str(root), packages=tuple(packages), bag_group="1987-1996", **kwargs
    )  # type: ignore[arg-type]


def stored_keys(services: Services) -> list[str]:
    return list(services.store.keys(""))


# --- rejected whole -------------------------------------------------------------------------


def test_a_submission_with_an_error_finding_is_rejected_whole_and_nothing_is_stored(services, tmp_path):
    bad = Finding("preingest.zero-byte", "0 bytes", "deliver it again", file="1/0001.tif")
    with pytest.raises(SubmissionRejected) as caught:
        services.ingest(submission(tmp_path / "in", findings=(bad,)))
    assert caught.value.findings == [bad]
    assert stored_keys(services) == []
    assert services.catalog.list_aips(status=None) == []
    rejected = services.catalog.get_submission(__import__("uuid").UUID(caught.value.fields["submission_id"]))
    assert rejected.status is SubmissionStatus.GEWEIGERD
    assert rejected.report["errors"][0]["rule"] == "preingest.zero-byte"


def test_a_supplier_checksum_mismatch_in_one_package_rejects_every_package(services, tmp_path):
    sub = submission(tmp_path / "in")
    broken = replace(sub.packages[1].record.files[0], expected={"md5": "0" * 32})
    record = replace(sub.packages[1].record, files=(broken,))
    sub = replace(sub, packages=(sub.packages[0], replace(sub.packages[1], record=record)))
    with pytest.raises(SubmissionRejected) as caught:
        services.ingest(sub)
    assert [f.rule for f in caught.value.findings] == ["preingest.supplier-checksum"]
    assert caught.value.findings[0].file == "2/0001.tif"
    assert stored_keys(services) == []
    assert not any(services.settings.staging_path.iterdir())


def test_a_matching_supplier_checksum_is_accepted(services, tmp_path):
    sub = submission(tmp_path / "in", {"1/0001.tif": b"abc"})
    file = replace(sub.packages[0].record.files[0], expected={"md5": "900150983cd24fb0d6963f7d28e17f72"})
    sub = replace(sub, packages=(replace(sub.packages[0], record=replace(sub.packages[0].record, files=(file,))),))
    assert services.ingest(sub).status is SubmissionStatus.GEACCEPTEERD


def test_a_dry_run_checks_and_packages_but_stores_nothing(services, tmp_path):
    receipt = services.ingest(submission(tmp_path / "in"), dry_run=True)
    assert receipt.status is SubmissionStatus.PROEF
    assert [a.result for a in receipt.aips] == ["proef", "proef"]
    assert stored_keys(services) == []
    assert services.catalog.list_aips(status=None) == []


# --- accepted ------------------------------------------------------------------------------


def test_each_package_becomes_one_stored_aip_whose_objects_match_the_ledger(services, tmp_path):
    receipt = services.ingest(submission(tmp_path / "in"))
    assert receipt.status is SubmissionStatus.GEACCEPTEERD
    assert [a.result for a in receipt.aips] == ["nieuw", "nieuw"]
    assert receipt.as_dict()["counts"]["files"] == 3
    assert receipt.as_dict()["counts"]["bytes"] == len(b"page one") + len(b"page two") + len(b"other")
    for outcome in receipt.aips:
        aip = services.get_aip(outcome.aip_id)
        assert aip.status is AipStatus.OPGESLAGEN
        assert sorted(f.key for f in aip.files) == sorted(services.store.keys(f"aips/{aip.id}/"))
        assert services.verify_objects(aip.files) == []


def test_sidecar_checksum_equals_manifest_entry_equals_ledger(services, tmp_path):
    receipt = services.ingest(submission(tmp_path / "in"))
    aip = services.get_aip(receipt.aips[0].aip_id)
    ledger = {f.path: f for f in aip.files}
    with services.store.open(f"aips/{aip.id}/{packaging.MANIFEST}") as handle:
        manifest = dict(reversed(line.split("  ", 1)) for line in handle.read().decode().splitlines())
    payload = [f for f in aip.files if f.kind is FileKind.PAYLOAD]
    assert len(payload) == 2
    for entry in payload:
        with services.store.open(f"aips/{aip.id}/{packaging.sidecar_of_file(entry.path)}") as handle:
            bestand = from_xml(handle.read(), source=entry.path)
        assert isinstance(bestand, Bestand)
        assert bestand.checksum[0].algoritme.label == "SHA-256"
        assert bestand.checksum[0].waarde == manifest[entry.path] == ledger[entry.path].sha256
        assert bestand.omvang == entry.size
        assert bestand.is_representatie_van.identificatie is not None
        assert bestand.is_representatie_van.identificatie.kenmerk == str(entry.record_id)


def test_ingesting_the_same_submission_twice_adds_nothing(services, tmp_path):
    first = services.ingest(submission(tmp_path / "in"))
    keys = stored_keys(services)
    again = services.ingest(submission(tmp_path / "in"))
    assert [a.result for a in again.aips] == ["ongewijzigd", "ongewijzigd"]
    assert [a.aip_id for a in again.aips] == [a.aip_id for a in first.aips]
    assert stored_keys(services) == keys
    assert len(services.catalog.list_aips(status=None)) == 2


def test_a_changed_scan_makes_a_new_version_linked_to_the_old(services, tmp_path):
    first = services.ingest(submission(tmp_path / "in"))
    changed = submission(
        tmp_path / "in2", {"1/0001.tif": b"page one, rescanned", "1/0002.tif": b"page two", "2/0001.tif": b"other"}
    )
    second = services.ingest(changed)
    assert [a.result for a in second.aips] == ["nieuwe versie", "ongewijzigd"]
    new = services.get_aip(second.aips[0].aip_id)
    old = services.get_aip(first.aips[0].aip_id)
    assert (new.version, new.previous_id) == (2, old.id)
    assert old.status is AipStatus.OPGESLAGEN  # history is never edited
    root = next(r for r in new.records if r.parent_id is None)
    with services.store.open(f"aips/{new.id}/{root.sidecar_path}") as handle:
        io = from_xml(handle.read(), source=root.sidecar_path)
    old_root = next(r for r in old.records if r.parent_id is None)
    assert isinstance(io, Informatieobject)
    versie = [g for g in io.gerelateerd_informatieobject if g.type_relatie.label == "Is een versie van"]
    assert versie and versie[0].verwijzing.identificatie is not None
    assert versie[0].verwijzing.identificatie.kenmerk == str(old_root.id)


def test_every_step_is_in_the_event_log_and_the_chain_verifies(services, tmp_path):
    receipt = services.ingest(submission(tmp_path / "in"))
    types = [e.type for e in services.catalog.events()]
    assert types[0] == "ingestion start" and types[-1] == "ingestion end"
    assert types.count("Opname") == 2 and types.count("fixity check") == 2
    assert {e.object_id for e in services.catalog.events() if e.type == "Opname"} == {
        str(a.aip_id) for a in receipt.aips
    }
    assert services.verify_events() == []


# --- verification and crashes ----------------------------------------------------------------


class CorruptingStore(InMemoryObjectStore):
    """Stores what it is given, then loses a byte of one object: a disk that lies."""

    def __init__(self, victim_suffix: str) -> None:
        super().__init__()
        self.victim_suffix = victim_suffix
        self.armed = True

    def put(self, key, source, sha256):  # type: ignore[no-untyped-def]
        super().put(key, source, sha256)
        if self.armed and key.endswith(self.victim_suffix):
            self.corrupt(key)


def test_an_object_that_does_not_read_back_keeps_the_aip_unstored_and_invisible(tmp_path):
    store = CorruptingStore("0001.tif")
    services = Services(
        catalog=InMemoryCatalog(),
        store=store,
        clock=TickingClock(),
        settings=Settings(home=tmp_path / "home"),
        formats=NoFormats(),
    )
    with pytest.raises(FixityError) as caught:
        services.ingest(submission(tmp_path / "in", {"1/0001.tif": b"page one"}))
    aip_id = caught.value.fields["aip_id"]
    [pending] = services.catalog.list_aips(status=None)
    assert pending.status is AipStatus.AANGEMAAKT
    with pytest.raises(NotFound):
        services.get_aip(pending.id)
    assert services.list_records() == []
    owner = services.settings.staging_path / f"ingest-{pending.submission_id}"
    assert (owner / aip_id).is_dir()  # kept in its ingest's own folder, so the next ingest can complete it
    assert (owner / "owner.json").is_file()


def test_export_writes_a_valid_bag_with_byte_identical_payload(services, tmp_path):
    receipt = services.ingest(submission(tmp_path / "in"))
    out = services.export(receipt.aips[0].aip_id, tmp_path / "out")
    assert bagcheck.validate_bag(out) == []
    bagit.Bag(str(out)).validate()
    assert hash_file(out / "data/1/0001.tif") == hash_file(tmp_path / "in/1/0001.tif")


def test_the_catalog_rebuilt_from_storage_alone_has_the_same_records_files_and_checksums(services, tmp_path):
    receipt = services.ingest(submission(tmp_path / "in"))
    before = {a.aip_id: services.get_aip(a.aip_id) for a in receipt.aips}
    result = services.rebuild_catalog()
    assert sorted(result["rebuilt"]) == sorted(str(k) for k in before) and result["skipped"] == []
    for aip_id, old in before.items():
        new = services.get_aip(aip_id)
        assert (new.source, new.source_key, new.version, new.content_hash, new.title) == (
            old.source,
            old.source_key,
            old.version,
            old.content_hash,
            old.title,
        )
        assert sorted(new.records, key=lambda r: r.id.int) == sorted(old.records, key=lambda r: r.id.int)
        assert sorted(new.files, key=lambda f: f.path) == sorted(old.files, key=lambda f: f.path)


def test_warnings_are_reported_in_the_receipt_without_stopping_the_ingest(services, tmp_path):
    warning = Finding("preingest.name-cleaned", "renamed", "nothing", severity=Severity.WAARSCHUWING, file="1/a b.tif")
    receipt = services.ingest(submission(tmp_path / "in", findings=(warning,)))
    assert receipt.warnings == [warning]
    assert "preingest.name-cleaned" in receipt.summary()


def test_staging_left_by_a_crash_before_the_catalog_knew_is_cleaned_on_the_next_run(services, tmp_path):
    orphan = services.settings.staging_path / "ingest-5f1d5a0e-0000-4000-8000-000000000000" / "an-aip"
    legacy = services.settings.staging_path / "5f1d5a0e-0000-4000-8000-000000000001"  # staged by an older version
    (orphan / "data").mkdir(parents=True)
    (legacy / "data").mkdir(parents=True)
    services.ingest(submission(tmp_path / "in"))
    assert not orphan.parent.exists() and not legacy.exists()
    shutil.rmtree(services.settings.staging_path)


def test_staging_of_a_live_ingest_and_work_that_is_not_an_ingests_are_left_alone(services, tmp_path):
    from edepot.leases import owner_lease

    live = services.settings.staging_path / "ingest-5f1d5a0e-0000-4000-8000-000000000002" / "an-aip"
    repair = services.settings.staging_path / "repair-0123456789abcdef"  # an audit repair in progress
    (live / "data").mkdir(parents=True)
    repair.mkdir(parents=True)
    with services.leases.hold([owner_lease("5f1d5a0e-0000-4000-8000-000000000002")]):
        services.ingest(submission(tmp_path / "in"))
    assert live.is_dir() and repair.is_dir()


def test_a_scratch_folder_is_removed_when_its_block_ends(services, tmp_path):
    with services.scratch("download") as folder:
        (folder / "zaak.pdf").write_bytes(b"downloaded")
        assert folder.parent == services.settings.staging_path
    assert not folder.exists()


def test_a_scratch_folder_left_by_a_dead_process_is_removed_by_the_next_ingest_a_live_one_kept(services, tmp_path):
    dead = services.settings.staging_path / "repair-5f1d5a0e-0000-4000-8000-000000000003"
    dead.mkdir(parents=True)
    (dead / "object").write_bytes(b"half a repair")
    with services.scratch("download") as live:
        (live / "zaak.pdf").write_bytes(b"still downloading")
        services.ingest(submission(tmp_path / "in"))
        assert live.is_dir(), "a live scratch folder was removed"
    assert not dead.exists()


def test_a_scratch_folder_of_an_unknown_kind_is_refused(services, tmp_path):
    with pytest.raises(ValueError, match="scratch kind"), services.scratch("ingest"):
        pass


def test_an_aip_left_pending_is_completed_by_the_next_ingest_and_its_staging_removed(services, tmp_path):
    store = CorruptingStore("0001.tif")
    services = replace(services, store=store)
    with pytest.raises(FixityError):
        services.ingest(submission(tmp_path / "in", {"1/0001.tif": b"page one"}))
    store.armed = False
    [pending] = services.catalog.list_aips(status=None)
    store.replace(f"aips/{pending.id}/data/1/0001.tif", b"page one")  # the damage repaired by hand

    services.ingest(submission(tmp_path / "other", {"2/0001.tif": b"other"}))

    assert services.catalog.get_aip(pending.id).status is AipStatus.OPGESLAGEN
    assert not any(services.settings.staging_path.iterdir())


# --- damage is caught both by re-reading storage and by validating an exported bag ---------


def flip_bit(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


DAMAGE = {
    "flipped bit": lambda store, aip: store.replace(f"aips/{aip}/data/1/0001.tif", flip_bit(b"page one")),
    "missing file": lambda store, aip: store.remove(f"aips/{aip}/data/1/0002.tif"),
    "extra file": lambda store, aip: store.replace(f"aips/{aip}/data/1/0009.tif", b"smuggled"),
    "swapped tag manifest": lambda store, aip: store.replace(
        f"aips/{aip}/tagmanifest-sha256.txt", b"0" * 64 + b"  bagit.txt\n"
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_in_storage_is_caught_by_the_re_read_verification(services, tmp_path, damage):
    receipt = services.ingest(submission(tmp_path / "in"))
    aip_id = receipt.aips[0].aip_id
    assert services.verify_aip(aip_id) == []
    DAMAGE[damage](services.store, aip_id)
    assert services.verify_aip(aip_id), f"{damage} went unnoticed"


def test_damage_in_storage_is_named_object_by_object_however_many_are_re_read_together(services, tmp_path):
    pages = {f"1/{n:04d}.tif": f"page {n}".encode() for n in range(1, 3 * BATCH)}
    receipt = services.ingest(submission(tmp_path / "in", pages))
    aip = services.catalog.get_aip(receipt.aips[0].aip_id)
    damaged = ["1/0001.tif", f"1/{BATCH + 1:04d}.tif", f"1/{3 * BATCH - 1:04d}.tif"]
    for name in damaged:
        services.store.replace(f"aips/{aip.id}/data/{name}", b"damaged")

    found = services.verify_objects(aip.files)

    assert sorted(f.object for f in found) == sorted(f"aips/{aip.id}/data/{name}" for name in damaged)


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_in_an_exported_bag_is_caught_by_bag_validation(services, tmp_path, damage):
    receipt = services.ingest(submission(tmp_path / "in"))
    aip_id = receipt.aips[0].aip_id
    out = services.export(aip_id, tmp_path / "out")
    target = {
        "flipped bit": lambda: (out / "data/1/0001.tif").write_bytes(flip_bit(b"page one")),
        "missing file": lambda: (out / "data/1/0002.tif").unlink(),
        "extra file": lambda: (out / "data/1/0009.tif").write_bytes(b"smuggled"),
        "swapped tag manifest": lambda: (out / "tagmanifest-sha256.txt").write_bytes(b"0" * 64 + b"  bagit.txt\n"),
    }[damage]
    target()
    ledger = {f.path: f.sha256 for f in services.get_aip(aip_id).files}
    assert bagcheck.validate_bag(out), f"{damage} went unnoticed without the ledger"
    assert bagcheck.validate_bag(out, ledger=ledger)


# --- identification arriving while the files are copied ---------------------------------------


def _unidentified(sub: SubmissionInput) -> SubmissionInput:
    """The same submission as a source adapter hands it over before identification is done."""

    def strip(record: RecordInput) -> RecordInput:
        return replace(record, files=tuple(replace(f, format=NOT_IDENTIFIED) for f in record.files))

    return replace(sub, packages=tuple(replace(p, record=strip(p.record)) for p in sub.packages))


def test_an_error_found_only_by_the_background_identification_rejects_the_whole_submission(services, tmp_path):
    complete = submission(tmp_path / "in")
    late = Finding("preingest.format.unknown", "not recognised", "check the file", file="2/0001.tif")
    with pytest.raises(SubmissionRejected) as caught:
        services.ingest(_unidentified(complete), identified=lambda: replace(complete, findings=(late,)))
    assert [f.rule for f in caught.value.findings] == ["preingest.format.unknown"]
    assert stored_keys(services) == []
    assert services.catalog.list_aips(status=None) == []
    assert not any(services.settings.staging_path.iterdir())


def test_an_error_known_before_identification_is_reported_with_the_late_findings_too(services, tmp_path):
    complete = submission(tmp_path / "in")
    early = Finding("analogue.dossier.without_row", "no row", "add a row", file="2")
    late = Finding("preingest.format.unknown", "not recognised", "check the file", file="2/0001.tif")
    preliminary = replace(_unidentified(complete), findings=(early,))
    with pytest.raises(SubmissionRejected) as caught:
        services.ingest(preliminary, identified=lambda: replace(complete, findings=(early, late)))
    assert [f.rule for f in caught.value.findings] == ["analogue.dossier.without_row", "preingest.format.unknown"]
    assert stored_keys(services) == []


def test_the_sidecars_and_ledger_carry_the_identification_that_arrived_after_the_copies(services, tmp_path):
    complete = submission(tmp_path / "in")
    asked: list[int] = []

    def identified() -> SubmissionInput:
        asked.append(1)
        return complete

    receipt = services.ingest(_unidentified(complete), identified=identified)
    assert receipt.status is SubmissionStatus.GEACCEPTEERD and asked == [1]
    for outcome in receipt.aips:
        aip = services.get_aip(outcome.aip_id)
        payload = [f for f in aip.files if f.kind is FileKind.PAYLOAD]
        assert {(f.puid, f.mime) for f in payload} == {("fmt/353", "image/tiff")}
        for entry in payload:
            with services.store.open(f"aips/{aip.id}/{entry.path}.bestand.mdto.xml") as handle:
                bestand = from_xml(handle.read(), source=entry.path)
            assert isinstance(bestand, Bestand)
            assert bestand.bestandsformaat.code == "fmt/353"
        with services.store.open(f"aips/{aip.id}/{packaging.FORMATS}") as handle:
            assert "fmt/353" in handle.read().decode()


def test_a_small_file_that_grew_after_it_was_checked_rejects_the_submission(services, tmp_path):
    sub = submission(tmp_path / "in")
    sub.packages[1].record.files[0].path.write_bytes(b"other, and then some more bytes")
    with pytest.raises(SubmissionRejected) as caught:
        services.ingest(sub)
    assert [f.rule for f in caught.value.findings] == ["preingest.changed-during-ingest"]
    assert stored_keys(services) == []
