"""Specification of the bag validator (`edepot bag validate PATH`): BagIt 1.0 as our profile wants it,
the MDTO sidecar layer and the fixity-ledger layer, on a directory and on a stored bag.

The valid bag is written here by hand (bagit.txt, bag-info.txt, manifests) and cross-checked with
bagit-python, so the validator is not judged only by itself.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import bagit
import pytest

from edepot.bagcheck import parse_bag_info, validate_bag, validate_stored_bag
from edepot.errors import Finding, NotFound, Severity
from edepot.ports import ObjectStore
from edepot.storage import FilesystemObjectStore, InMemoryObjectStore

PAYLOAD = {
    "data/INV-1/scan-001.txt": b"page one\n",
    "data/INV-1/scan-002.txt": b"page two, a little longer\n",
    "data/INV-2/brief.txt": b"een brief\n",
}
BAG_INFO = {
    "Source-Organization": "Provincie Limburg",
    "External-Identifier": "1987-1996/INV-0012",
    "Internal-Sender-Identifier": "analogue:1987-1996/INV-0012",
    "Bagging-Date": "2024-05-01",
    "BagIt-Profile-Identifier": "https://edepot.limburg.nl/profiles/bagit-aip-1.0.json",
    "External-Description": "Stukken betreffende de aanleg van de N280,\n  met kaarten en tekeningen",
}


def encode_path(path: str) -> str:
    """RFC 8493 §2.1.3: percent-encode %, CR and LF in manifest paths."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def manifest(entries: Mapping[str, bytes], algorithm: str) -> bytes:
    lines = [
        f"{hashlib.new(algorithm, data).hexdigest()}  {encode_path(p)}\n"
        for p, data in sorted(entries.items())
    ]
    return "".join(lines).encode()


def make_bag(
    root: Path,
    payload: Mapping[str, bytes] = PAYLOAD,
    *,
    bag_info: Mapping[str, str | None] = {},
    tag_files: Mapping[str, bytes] = {},
    algorithms: Iterable[str] = ("sha256",),
    extra_manifest_lines: str = "",
) -> Path:
    """Write a bag by hand the way our profile wants it; `None` in bag_info drops a field."""
    root.mkdir(parents=True)
    (root / "data").mkdir()
    for rel, data in payload.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    info: dict[str, str | None] = {
        **BAG_INFO,
        "Payload-Oxum": f"{sum(len(d) for d in payload.values())}.{len(payload)}",
        **bag_info,
    }
    tags: dict[str, bytes] = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": "".join(f"{k}: {v}\n" for k, v in info.items() if v is not None).encode(),
        **tag_files,
    }
    for algorithm in algorithms:
        tags[f"manifest-{algorithm}.txt"] = manifest(payload, algorithm) + extra_manifest_lines.encode()
    for rel, data in tags.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    for algorithm in algorithms:
        (root / f"tagmanifest-{algorithm}.txt").write_bytes(manifest(tags, algorithm))
    return root


def rules(findings: Iterable[Finding]) -> set[str]:
    return {f.rule for f in findings}


def ledger_of(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    return make_bag(tmp_path / "bag")


# --- bad bags first -----------------------------------------------------------------------------


def test_a_path_that_is_not_a_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no bag directory"):
        validate_bag(tmp_path / "absent", mdto=False)


def test_a_flipped_bit_in_a_payload_file_is_a_checksum_error(bag: Path) -> None:
    target = bag / "data/INV-1/scan-001.txt"
    data = bytearray(target.read_bytes())
    data[3] ^= 0x01
    target.write_bytes(bytes(data))

    findings = validate_bag(bag, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.checksum", "data/INV-1/scan-001.txt")]
    assert findings[0].severity is Severity.FOUT
    assert findings[0].object == str(bag)


def test_a_missing_payload_file_is_reported_and_the_oxum_no_longer_matches(bag: Path) -> None:
    (bag / "data/INV-2/brief.txt").unlink()

    findings = validate_bag(bag, mdto=False)

    assert ("bagit.manifest.missing-file", "data/INV-2/brief.txt") in [(f.rule, f.file) for f in findings]
    assert rules(findings) == {"bagit.manifest.missing-file", "bagit.payload-oxum"}


def test_an_extra_payload_file_is_reported(bag: Path) -> None:
    (bag / "data/INV-2/stowaway.txt").write_bytes(b"")

    findings = validate_bag(bag, mdto=False)

    assert ("bagit.manifest.extra-file", "data/INV-2/stowaway.txt") in [(f.rule, f.file) for f in findings]
    assert rules(findings) == {"bagit.manifest.extra-file", "bagit.payload-oxum"}


def test_a_tag_manifest_swapped_in_from_another_bag_is_reported(tmp_path: Path) -> None:
    ours = make_bag(tmp_path / "ours")
    theirs = make_bag(tmp_path / "theirs", bag_info={"External-Identifier": "1987-1996/INV-0099"})
    shutil.copyfile(theirs / "tagmanifest-sha256.txt", ours / "tagmanifest-sha256.txt")

    findings = validate_bag(ours, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.tagmanifest", "bag-info.txt")]


def test_a_payload_manifest_rewritten_to_hide_a_change_is_caught_by_the_tag_manifest(bag: Path) -> None:
    (bag / "data/INV-1/scan-001.txt").write_bytes(b"page 0ne\n")  # same size, different bytes
    payload = {**PAYLOAD, "data/INV-1/scan-001.txt": b"page 0ne\n"}
    (bag / "manifest-sha256.txt").write_bytes(manifest(payload, "sha256"))

    findings = validate_bag(bag, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.tagmanifest", "manifest-sha256.txt")]


def test_a_tag_file_the_tag_manifest_does_not_cover_is_reported(bag: Path) -> None:
    (bag / "original-filepaths.txt").write_bytes(b"data/INV-1/scan-001.txt Scan 001.TXT\n")

    findings = validate_bag(bag, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.tagmanifest.unlisted", "original-filepaths.txt")]


def test_other_tag_files_listed_in_the_tag_manifest_are_checked(tmp_path: Path) -> None:
    bag = make_bag(
        tmp_path / "bag", tag_files={"original-filepaths.txt": b"data/INV-2/brief.txt Brief #1.txt\n"}
    )
    assert validate_bag(bag, mdto=False) == []

    (bag / "original-filepaths.txt").write_bytes(b"data/INV-2/brief.txt Brief #2.txt\n")

    assert rules(validate_bag(bag, mdto=False)) == {"bagit.tagmanifest"}


def test_a_bag_without_tag_manifest_is_refused(bag: Path) -> None:
    (bag / "tagmanifest-sha256.txt").unlink()
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.tagmanifest.required"}


def test_a_bag_without_sha256_manifest_is_refused_even_with_another_manifest(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", algorithms=("md5",))
    assert "bagit.manifest.required" in rules(validate_bag(bag, mdto=False))


def test_a_second_manifest_is_checked_too(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", algorithms=("sha256", "md5"))
    assert validate_bag(bag, mdto=False) == []
    md5 = bag / "manifest-md5.txt"
    md5.write_bytes(md5.read_bytes().replace(b"0", b"1", 1))

    findings = validate_bag(bag, mdto=False)

    assert {"bagit.checksum", "bagit.tagmanifest"} <= rules(findings)
    assert any("md5" in f.message for f in findings if f.rule == "bagit.checksum")


@pytest.mark.parametrize(
    "field",
    [
        "Source-Organization",
        "External-Identifier",
        "Internal-Sender-Identifier",
        "Bagging-Date",
        "Payload-Oxum",
        "BagIt-Profile-Identifier",
    ],
)
def test_a_missing_required_bag_info_field_is_reported(tmp_path: Path, field: str) -> None:
    bag = make_bag(tmp_path / "bag", bag_info={field: None})

    findings = validate_bag(bag, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.bag-info.required", "bag-info.txt")]
    assert field in findings[0].message


def test_an_empty_required_bag_info_field_counts_as_missing(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", bag_info={"External-Identifier": ""})
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.bag-info.required"}


@pytest.mark.parametrize("oxum", ["44.3", "46.3", "45.2", "many", "45", "45.3.1"])
def test_a_wrong_payload_oxum_is_reported(tmp_path: Path, oxum: str) -> None:
    bag = make_bag(tmp_path / "bag", bag_info={"Payload-Oxum": oxum})
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.payload-oxum"}


def test_a_bagging_date_that_is_not_a_date_is_reported(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", bag_info={"Bagging-Date": "2024-02-30"})
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.bag-info.bagging-date"}


def test_a_fetch_file_is_forbidden_by_our_profile(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", tag_files={"fetch.txt": b"https://example.org/x 10 data/x\n"})
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.fetch"}


def test_a_symlink_in_the_payload_is_an_error_and_is_not_followed(bag: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not part of the bag")
    (bag / "data/INV-1/link.txt").symlink_to(secret)

    findings = validate_bag(bag, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.symlink", "data/INV-1/link.txt")]


def test_a_symlinked_directory_is_an_error_and_is_not_walked(bag: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.txt").write_bytes(b"x")
    (bag / "data/INV-3").symlink_to(elsewhere, target_is_directory=True)

    findings = validate_bag(bag, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.symlink", "data/INV-3")]


def test_a_bag_that_is_itself_a_symlink_is_an_error(bag: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(bag, target_is_directory=True)
    assert rules(validate_bag(link, mdto=False)) == {"bagit.symlink"}


@pytest.mark.parametrize(
    "entry", ["../x", "data/../../x", "/etc/passwd", "data//x", "data/./x", "data\\..\\x", "C:/x"]
)
def test_a_manifest_entry_pointing_outside_the_bag_is_unsafe(tmp_path: Path, entry: str) -> None:
    line = f"{hashlib.sha256(b'').hexdigest()}  {entry}\n"
    bag = make_bag(tmp_path / "bag", extra_manifest_lines=line)

    findings = validate_bag(bag, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("bagit.manifest.unsafe-path", "manifest-sha256.txt")]


def test_a_tag_file_listed_in_the_payload_manifest_is_reported(tmp_path: Path) -> None:
    line = f"{hashlib.sha256(b'').hexdigest()}  bag-info.txt\n"
    bag = make_bag(tmp_path / "bag", extra_manifest_lines=line)
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.manifest.outside-payload"}


def test_a_payload_file_listed_twice_is_reported(tmp_path: Path) -> None:
    data = PAYLOAD["data/INV-2/brief.txt"]
    line = f"{hashlib.sha256(data).hexdigest()}  data/INV-2/brief.txt\n"
    bag = make_bag(tmp_path / "bag", extra_manifest_lines=line)
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.manifest.duplicate"}


def test_a_malformed_manifest_line_is_reported(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", extra_manifest_lines="not-a-checksum data/x\n")
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.manifest.syntax"}


@pytest.mark.parametrize(
    "declaration",
    [
        b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n",
        b"\xef\xbb\xbfBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        b"BagIt-Version: 1.0\n",
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: line\n",
    ],
)
def test_a_bagit_txt_other_than_our_two_lines_is_reported(tmp_path: Path, declaration: bytes) -> None:
    bag = make_bag(tmp_path / "bag", tag_files={"bagit.txt": declaration})
    assert rules(validate_bag(bag, mdto=False)) == {"bagit.declaration"}


def test_a_bag_without_bagit_txt_or_data_is_reported(bag: Path) -> None:
    (bag / "bagit.txt").unlink()
    shutil.rmtree(bag / "data")

    found = rules(validate_bag(bag, mdto=False))

    assert {"bagit.declaration.missing", "bagit.payload.missing", "bagit.manifest.missing-file"} <= found


def test_a_tag_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", bag_info={"External-Description": "Stukken \xe9"})
    info = bag / "bag-info.txt"
    info.write_bytes(info.read_bytes().replace("é".encode(), b"\xe9"))

    assert "bagit.encoding" in rules(validate_bag(bag, mdto=False))


# --- valid bags ---------------------------------------------------------------------------------


def test_the_hand_written_bag_is_valid_for_bagit_python_and_for_us(bag: Path) -> None:
    bagit.Bag(str(bag)).validate()
    assert validate_bag(bag, mdto=False) == []


def test_the_validator_gives_the_same_answer_with_one_worker_or_many(bag: Path) -> None:
    (bag / "data/INV-2/brief.txt").write_bytes(b"een andere brief\n")
    assert validate_bag(bag, mdto=False, workers=1) == validate_bag(bag, mdto=False, workers=8)


def test_percent_encoded_cr_lf_and_percent_in_manifest_paths_are_decoded(tmp_path: Path) -> None:
    payload = {"data/50%-korting.txt": b"a", "data/twee\nregels.txt": b"b", "data/cr\rhere.txt": b"c"}
    bag = make_bag(tmp_path / "bag", payload)
    assert b"data/50%25-korting.txt" in (bag / "manifest-sha256.txt").read_bytes()

    assert validate_bag(bag, mdto=False) == []


def test_bag_info_continuation_lines_are_folded_into_the_value() -> None:
    pairs, bad = parse_bag_info(
        "Source-Organization: Provincie Limburg\r\n"
        "External-Description: Stukken betreffende\n"
        "  de aanleg van de N280\n"
        "\tmet kaarten\n"
        "Contact-Name: DIM\n"
    )
    assert bad == []
    assert pairs == [
        ("Source-Organization", "Provincie Limburg"),
        ("External-Description", "Stukken betreffende de aanleg van de N280 met kaarten"),
        ("Contact-Name", "DIM"),
    ]


def test_bag_info_lines_that_are_neither_label_nor_continuation_are_reported() -> None:
    _, bad = parse_bag_info("  orphan continuation\nno colon here\nLabel: ok\n")
    assert bad == [1, 2]


def test_bag_info_labels_are_case_insensitive(tmp_path: Path) -> None:
    bag = make_bag(
        tmp_path / "bag", bag_info={"Source-Organization": None, "source-organization": "Provincie Limburg"}
    )
    assert validate_bag(bag, mdto=False) == []


# --- ledger layer -------------------------------------------------------------------------------


def test_a_file_that_differs_from_the_ledger_is_a_ledger_mismatch(bag: Path) -> None:
    ledger = ledger_of(bag)
    ledger["data/INV-2/brief.txt"] = hashlib.sha256(b"what was ingested").hexdigest()

    findings = validate_bag(bag, ledger=ledger, mdto=False)

    assert [(f.rule, f.file) for f in findings] == [("ledger.mismatch", "data/INV-2/brief.txt")]


def test_a_bag_swapped_whole_passes_bagit_but_not_the_ledger(tmp_path: Path) -> None:
    original = make_bag(tmp_path / "original")
    ledger = ledger_of(original)
    forged = make_bag(tmp_path / "forged", {**PAYLOAD, "data/INV-2/brief.txt": b"een valse brief\n"})

    findings = validate_bag(forged, ledger=ledger, mdto=False)

    assert {(f.rule, f.file) for f in findings} == {
        ("ledger.mismatch", "data/INV-2/brief.txt"),
        ("ledger.mismatch", "manifest-sha256.txt"),
        ("ledger.mismatch", "bag-info.txt"),
        ("ledger.mismatch", "tagmanifest-sha256.txt"),
    }


def test_the_ledger_must_list_exactly_the_files_of_the_bag(bag: Path) -> None:
    ledger = ledger_of(bag)
    del ledger["data/INV-1/scan-002.txt"]
    ledger["data/INV-3/lost.txt"] = hashlib.sha256(b"lost").hexdigest()

    findings = validate_bag(bag, ledger=ledger, mdto=False)

    assert {(f.rule, f.file) for f in findings} == {
        ("ledger.unlisted-file", "data/INV-1/scan-002.txt"),
        ("ledger.missing-file", "data/INV-3/lost.txt"),
    }


def test_a_bag_matching_its_ledger_has_no_findings(bag: Path) -> None:
    assert validate_bag(bag, ledger=ledger_of(bag), mdto=False) == []


# --- a bag in storage ---------------------------------------------------------------------------

AIP = "aips/6a1f2d3c-0000-4000-8000-000000000001/"


def store_bag(store: ObjectStore, bag: Path, prefix: str = AIP) -> None:
    for path in sorted(p for p in bag.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        store.put(prefix + path.relative_to(bag).as_posix(), path, digest)


@pytest.fixture(params=["memory", "filesystem"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "memory":
        return InMemoryObjectStore()
    return FilesystemObjectStore(tmp_path / "store", hardlink=False)


def test_a_stored_bag_is_validated_from_the_store(store: ObjectStore, bag: Path) -> None:
    store_bag(store, bag)
    store_bag(store, make_bag(bag.parent / "neighbour"), AIP.rstrip("1/") + "2/")

    assert validate_stored_bag(store, AIP, ledger_of(bag), mdto=False) == []
    assert validate_stored_bag(store, AIP.rstrip("/"), ledger_of(bag), mdto=False) == []


def test_a_corrupted_object_is_caught_by_bagit_and_the_ledger(bag: Path) -> None:
    store = InMemoryObjectStore()
    store_bag(store, bag)
    store.corrupt(AIP + "data/INV-1/scan-002.txt")

    findings = validate_stored_bag(store, AIP, ledger_of(bag), mdto=False)

    assert {(f.rule, f.file) for f in findings} == {
        ("bagit.checksum", "data/INV-1/scan-002.txt"),
        ("ledger.mismatch", "data/INV-1/scan-002.txt"),
    }
    assert all(f.object == f"memory:{AIP}" for f in findings)


def test_a_lost_object_is_caught_by_bagit_and_the_ledger(bag: Path) -> None:
    store = InMemoryObjectStore()
    store_bag(store, bag)
    store.remove(AIP + "bag-info.txt")

    found = {(f.rule, f.file) for f in validate_stored_bag(store, AIP, ledger_of(bag), mdto=False)}

    assert ("bagit.bag-info.missing", "bag-info.txt") in found
    assert ("bagit.tagmanifest.missing-file", "bag-info.txt") in found
    assert ("ledger.missing-file", "bag-info.txt") in found


def test_an_aip_with_no_objects_at_all_is_reported(bag: Path) -> None:
    findings = validate_stored_bag(InMemoryObjectStore(), AIP, ledger_of(bag), mdto=False)
    assert "bagit.declaration.missing" in rules(findings)
    assert sum(f.rule == "ledger.missing-file" for f in findings) == len(ledger_of(bag))


# --- MDTO layer ---------------------------------------------------------------------------------


def dossier_sidecar(naam: str) -> bytes:
    from edepot.mdto import model as m
    from edepot.mdto.writer import to_xml

    return to_xml(
        m.Informatieobject(
            identificatie=(m.Identificatie(kenmerk=f"urn:uuid:{naam}", bron="edepot"),),
            naam=naam,
            waardering=m.Begrip(label="Blijvend te bewaren", code="B", begrippenlijst=m.LIJST_WAARDERING),
            archiefvormer=(m.ARCHIEFVORMER_PROVINCIE_LIMBURG,),
            beperking_gebruik=(m.GEEN_BEPERKING,),
            aggregatieniveau=m.Begrip(label="Dossier", begrippenlijst=m.LIJST_AGGREGATIENIVEAU),
        )
    )


def bestand_sidecar(naam: str, data: bytes, *, sha256: str | None = None, omvang: int | None = None) -> bytes:
    from edepot.mdto import model as m
    from edepot.mdto.writer import to_xml

    return to_xml(
        m.Bestand(
            identificatie=(m.Identificatie(kenmerk=f"urn:uuid:{naam}", bron="edepot"),),
            naam=naam,
            omvang=len(data) if omvang is None else omvang,
            bestandsformaat=m.Begrip(
                label="Plain Text File", code="x-fmt/111", begrippenlijst=m.LIJST_PRONOM
            ),
            checksum=(m.sha256_checksum(sha256 or hashlib.sha256(data).hexdigest(), "2024-05-01T12:00:00"),),
            is_representatie_van=m.Verwijzing(
                naam="dossier", identificatie=m.Identificatie(kenmerk="urn:uuid:INV-1", bron="edepot")
            ),
        )
    )


def mdto_payload() -> dict[str, bytes]:
    """A dossier INV-1 with one scan, each with its sidecar."""
    scan = b"page one\n"
    return {
        "data/INV-1/INV-1.mdto.xml": dossier_sidecar("INV-1"),
        "data/INV-1/scan-001.txt": scan,
        "data/INV-1/scan-001.txt.bestand.mdto.xml": bestand_sidecar("scan-001.txt", scan),
    }


def test_a_payload_file_without_its_bestand_sidecar_is_reported(tmp_path: Path) -> None:
    payload = mdto_payload()
    del payload["data/INV-1/scan-001.txt.bestand.mdto.xml"]
    bag = make_bag(tmp_path / "bag", payload)

    findings = validate_bag(bag)

    assert [(f.rule, f.file) for f in findings] == [("mdto.sidecar.missing", "data/INV-1/scan-001.txt")]


def test_a_folder_without_its_own_sidecar_is_reported(tmp_path: Path) -> None:
    payload = mdto_payload()
    del payload["data/INV-1/INV-1.mdto.xml"]
    bag = make_bag(tmp_path / "bag", payload)

    findings = validate_bag(bag)

    assert [(f.rule, f.file) for f in findings] == [("mdto.sidecar.missing", "data/INV-1")]


def test_a_bestand_sidecar_whose_checksum_differs_from_the_manifest_is_reported(tmp_path: Path) -> None:
    payload = mdto_payload()
    payload["data/INV-1/scan-001.txt.bestand.mdto.xml"] = bestand_sidecar(
        "scan-001.txt", b"page one\n", sha256=hashlib.sha256(b"another scan").hexdigest()
    )
    bag = make_bag(tmp_path / "bag", payload)

    findings = validate_bag(bag)

    assert [(f.rule, f.file) for f in findings] == [
        ("mdto.checksum", "data/INV-1/scan-001.txt.bestand.mdto.xml")
    ]


def test_a_bestand_sidecar_whose_omvang_differs_from_the_file_size_is_reported(tmp_path: Path) -> None:
    payload = mdto_payload()
    payload["data/INV-1/scan-001.txt.bestand.mdto.xml"] = bestand_sidecar(
        "scan-001.txt", b"page one\n", omvang=1
    )
    bag = make_bag(tmp_path / "bag", payload)

    assert [(f.rule, f.file) for f in validate_bag(bag)] == [
        ("mdto.omvang", "data/INV-1/scan-001.txt.bestand.mdto.xml")
    ]


def test_a_folder_sidecar_that_holds_a_bestand_is_the_wrong_kind(tmp_path: Path) -> None:
    payload = mdto_payload()
    payload["data/INV-1/INV-1.mdto.xml"] = bestand_sidecar("INV-1", b"x")
    bag = make_bag(tmp_path / "bag", payload)

    assert ("mdto.sidecar.kind", "data/INV-1/INV-1.mdto.xml") in [(f.rule, f.file) for f in validate_bag(bag)]


def test_a_sidecar_that_describes_nothing_is_an_orphan(tmp_path: Path) -> None:
    payload = mdto_payload()
    payload["data/INV-1/gone.pdf.bestand.mdto.xml"] = bestand_sidecar("gone.pdf", b"gone")
    bag = make_bag(tmp_path / "bag", payload)

    assert [(f.rule, f.file) for f in validate_bag(bag)] == [
        ("mdto.sidecar.orphan", "data/INV-1/gone.pdf.bestand.mdto.xml")
    ]


def test_a_sidecar_that_is_not_valid_mdto_is_reported_by_the_mdto_rules(tmp_path: Path) -> None:
    payload = mdto_payload()
    payload["data/INV-1/INV-1.mdto.xml"] = b"<MDTO><informatieobject/></MDTO>"
    bag = make_bag(tmp_path / "bag", payload)

    findings = validate_bag(bag)

    assert findings
    assert all(f.rule.startswith("mdto.") and f.file == "data/INV-1/INV-1.mdto.xml" for f in findings)


def test_a_bag_with_complete_valid_sidecars_passes_every_layer(tmp_path: Path) -> None:
    bag = make_bag(tmp_path / "bag", mdto_payload())
    bagit.Bag(str(bag)).validate()

    assert validate_bag(bag, ledger=ledger_of(bag)) == []

    store = InMemoryObjectStore()
    store_bag(store, bag)
    assert validate_stored_bag(store, AIP, ledger_of(bag)) == []


def test_the_mdto_layer_is_skipped_on_request(tmp_path: Path) -> None:
    payload = {"data/INV-1/scan-001.txt": b"no sidecars at all"}
    bag = make_bag(tmp_path / "bag", payload)

    assert validate_bag(bag, mdto=False) == []
    assert rules(validate_bag(bag)) == {"mdto.sidecar.missing"}


def test_validation_never_writes_to_the_bag(bag: Path) -> None:
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in bag.rglob("*") if p.is_file()}
    validate_bag(bag, mdto=False)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in bag.rglob("*") if p.is_file()} == before
