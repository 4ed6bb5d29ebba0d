"""A corpus of malformed block deliveries: each case builds a bad block in tmp_path and names the
rule that must reject it (as an error). Each case starts from a clean block and breaks one thing.

Unreadable files: the tests run as root, so `chmod 000` does not make a file unreadable. A FIFO
(named pipe) where a scan is expected stands in for it: it cannot be read as a file, and the
adapter must report it without ever opening it (opening a FIFO would block).

Name cleaning (forbidden characters, DOS device names, a long file name) is a warning by design
(the name is repaired and the original kept), so those cases are in CLEANED, which asserts the
warning and that nothing else is wrong; the error cases for names are a name that is not UTF-8
and a path that stays too long however the file name is shortened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from analogue_blocks import (
    all_scans,
    description_json,
    good_block,
    inventory_csv,
    pdf,
    row,
    sha256sum,
    tiff,
)

from edepot.errors import Severity
from edepot.formats import SiegfriedIdentifier
from ingest.analogue import read_block

Builder = Callable[[Path], Path]


def name_not_utf8(tmp: Path) -> Path:
    root = good_block(tmp)
    with open(os.fsencode(root / "13") + b"/scan\xff.tif", "wb") as handle:
        handle.write((root / "13" / "scan_0001.tif").read_bytes())
    return root


def path_too_long(tmp: Path) -> Path:
    root = good_block(tmp)
    archiefstuk = "a" * 200
    tiff(root / "12" / archiefstuk / "p.tif")
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("12", archiefstuk=archiefstuk), row("13")])
    return root


def zero_byte_tiff(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "12" / "scan_0003.tif").write_bytes(b"")
    return root


def unreadable_fifo(tmp: Path) -> Path:
    root = good_block(tmp)
    os.mkfifo(root / "12" / "scan_0003.tif")
    return root


def unknown_format(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "12" / "scan_0003.tif").write_bytes(b"\x13\x37 not an image " * 40)
    return root


def pdf_named_tif(tmp: Path) -> Path:
    root = good_block(tmp)
    pdf(root / "12" / "scan_0003.tif")
    return root


def encrypted_pdf(tmp: Path) -> Path:
    root = good_block(tmp)
    pdf(root / "12" / "geheim.pdf", encryption=pikepdf.Encryption(owner="eigenaar", user="gebruiker"))
    return root


def pdf_with_owner_password(tmp: Path) -> Path:
    root = good_block(tmp)
    restricted = pikepdf.Encryption(owner="eigenaar", user="", allow=pikepdf.Permissions(extract=False))
    pdf(root / "12" / "beperkt.pdf", encryption=restricted)
    return root


def damaged_pdf(tmp: Path) -> Path:
    root = good_block(tmp)
    good = pdf(tmp / "heel.pdf").read_bytes()
    (root / "12" / "kapot.pdf").write_bytes(good[: len(good) // 2])
    return root


def row_without_scans(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("13"), row("14")])
    return root


def scans_without_row(tmp: Path) -> Path:
    root = good_block(tmp)
    tiff(root / "15" / "a.tif")
    return root


def duplicate_inventarisnummer(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("13"), row("12", "Nog eens 12")])
    return root


def missing_inventory(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "inventaris.csv").unlink()
    return root


def missing_required_column(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(root, [["12", "1988"], ["13", "1990"]], header=["inventarisnummer", "datering"])
    return root


def binary_inventory(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "inventaris.csv").write_bytes(bytes(range(256)) * 4)
    return root


def neither_utf8_nor_cp1252_inventory(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "inventaris.csv").write_bytes(b"inventarisnummer,titel\n12,\x81\x8d\x90\n13,x\n")
    return root


def empty_inventory(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "inventaris.csv").write_bytes(b"\n\n")
    return root


def xml_description_with_dtd(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "digitalisering.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
        "<digitalisering><scanner>&lol2;</scanner></digitalisering>\n",
        encoding="utf-8",
    )
    return root


def xml_description_with_external_entity(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "digitalisering.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<digitalisering><scanner>&x;</scanner></digitalisering>\n",
        encoding="utf-8",
    )
    return root


def invalid_json_description(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "digitalisering.json").write_text("{scanner: Zeutschel", encoding="utf-8")
    return root


def two_descriptions(tmp: Path) -> Path:
    root = good_block(tmp)
    description_json(root)
    (root / "digitalisering.xml").write_text("<d><scanner>x</scanner></d>", encoding="utf-8")
    return root


def manifest_path_traversal(tmp: Path) -> Path:
    root = good_block(tmp)
    manifest = sha256sum(root, all_scans(root))
    with manifest.open("a", encoding="utf-8") as handle:
        handle.write("0" * 64 + "  ../../etc/passwd\n")
    return root


def manifest_absolute_path(tmp: Path) -> Path:
    root = good_block(tmp)
    manifest = sha256sum(root, all_scans(root))
    with manifest.open("a", encoding="utf-8") as handle:
        handle.write("0" * 64 + " */etc/shadow\n")
    return root


def symlink_out_of_the_block(tmp: Path) -> Path:
    root = good_block(tmp)
    os.symlink("/etc/passwd", root / "12" / "scan_0003.tif")
    return root


def symlinked_dossier_folder(tmp: Path) -> Path:
    root = good_block(tmp)
    os.symlink(root / "13", root / "14")
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("13"), row("14")])
    return root


def manifest_lists_missing_file(tmp: Path) -> Path:
    root = good_block(tmp)
    manifest = sha256sum(root, all_scans(root))
    with manifest.open("a", encoding="utf-8") as handle:
        handle.write("a" * 64 + "  12/scan_0099.tif\n")
    return root


def file_not_in_manifest(tmp: Path) -> Path:
    root = good_block(tmp)
    sha256sum(root, all_scans(root)[1:])
    return root


def malformed_manifest_line(tmp: Path) -> Path:
    root = good_block(tmp)
    manifest = sha256sum(root, all_scans(root))
    with manifest.open("a", encoding="utf-8") as handle:
        handle.write("deadbeef 12/scan_0001.tif\n")
    return root


def unexpected_file_in_root(tmp: Path) -> Path:
    root = good_block(tmp)
    tiff(root / "losse_scan.tif")
    return root


def empty_dossier_folder(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "14").mkdir()
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("13"), row("14")])
    return root


def empty_archiefstuk_folder(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "13" / "bijlage").mkdir()
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("13"), row("13", archiefstuk="bijlage")])
    return root


def unknown_openbaarheid_code(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(
        root, [row("12", openbaarheid="Openbaarheid/AW1995/Geheim/1.0"), row("12", archiefstuk="brief"), row("13")]
    )
    return root


def openbaar_vanaf_not_a_year(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(
        root,
        [
            row("12", openbaarheid="Levenssfeer", openbaar_vanaf="over 75 jaar"),
            row("12", archiefstuk="brief"),
            row("13"),
        ],
    )
    return root


def invalid_waardering(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(root, [row("12", waardering="X"), row("12", archiefstuk="brief"), row("13")])
    return root


def archiefstuk_folder_without_row(tmp: Path) -> Path:
    root = good_block(tmp)
    tiff(root / "13" / "bijlage" / "p1.tif")
    return root


def archiefstuk_row_without_folder(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("13"), row("13", archiefstuk="kaart")])
    return root


def archiefstuk_row_without_dossier_row(tmp: Path) -> Path:
    root = good_block(tmp)
    inventory_csv(root, [row("12"), row("12", archiefstuk="brief"), row("13"), row("16", archiefstuk="x")])
    return root


def nested_folder_too_deep(tmp: Path) -> Path:
    root = good_block(tmp)
    tiff(root / "12" / "brief" / "bijlagen" / "p1.tif")
    return root


def file_named_like_a_sidecar(tmp: Path) -> Path:
    root = good_block(tmp)
    (root / "12" / "scan_0001.tif.bestand.mdto.xml").write_bytes(b"<MDTO/>")
    return root


CORPUS: list[tuple[Builder, str]] = [
    (file_named_like_a_sidecar, "preingest.name.reserved"),
    (name_not_utf8, "preingest.name.undecodable"),
    (path_too_long, "preingest.path.too_long"),
    (zero_byte_tiff, "preingest.file.empty"),
    (unreadable_fifo, "preingest.file.unreadable"),
    (unknown_format, "preingest.format.unknown"),
    (pdf_named_tif, "preingest.format.extension_mismatch"),
    (encrypted_pdf, "preingest.pdf.protected"),
    (pdf_with_owner_password, "preingest.pdf.protected"),
    (damaged_pdf, "preingest.pdf.damaged"),
    (row_without_scans, "analogue.dossier.without_scans"),
    (scans_without_row, "analogue.dossier.without_row"),
    (duplicate_inventarisnummer, "analogue.inventory.duplicate"),
    (missing_inventory, "analogue.inventory.missing"),
    (missing_required_column, "analogue.inventory.column_missing"),
    (binary_inventory, "analogue.inventory.unreadable"),
    (neither_utf8_nor_cp1252_inventory, "analogue.inventory.unreadable"),
    (empty_inventory, "analogue.inventory.empty"),
    (xml_description_with_dtd, "analogue.description.unsafe_xml"),
    (xml_description_with_external_entity, "analogue.description.unsafe_xml"),
    (invalid_json_description, "analogue.description.unreadable"),
    (two_descriptions, "analogue.description.ambiguous"),
    (manifest_path_traversal, "preingest.manifest.unsafe_path"),
    (manifest_absolute_path, "preingest.manifest.unsafe_path"),
    (symlink_out_of_the_block, "preingest.symlink"),
    (symlinked_dossier_folder, "preingest.symlink"),
    (manifest_lists_missing_file, "preingest.manifest.missing_file"),
    (file_not_in_manifest, "preingest.manifest.unlisted_file"),
    (malformed_manifest_line, "preingest.manifest.malformed"),
    (unexpected_file_in_root, "analogue.root.unexpected_file"),
    (empty_dossier_folder, "analogue.dossier.empty"),
    (empty_archiefstuk_folder, "analogue.archiefstuk.empty"),
    (unknown_openbaarheid_code, "analogue.openbaarheid.unknown"),
    (openbaar_vanaf_not_a_year, "analogue.openbaar_vanaf.invalid"),
    (invalid_waardering, "analogue.waardering.invalid"),
    (archiefstuk_folder_without_row, "analogue.archiefstuk.without_row"),
    (archiefstuk_row_without_folder, "analogue.archiefstuk.without_scans"),
    (archiefstuk_row_without_dossier_row, "analogue.inventory.archiefstuk_without_dossier"),
    (nested_folder_too_deep, "analogue.layout.too_deep"),
]


def test_the_corpus_has_at_least_25_cases() -> None:
    assert len(CORPUS) >= 25


def test_the_untouched_block_of_the_corpus_is_clean(tmp_path: Path) -> None:
    assert read_block(good_block(tmp_path), identifier=SiegfriedIdentifier()).findings == ()


@pytest.mark.parametrize(("build", "rule"), CORPUS, ids=[build.__name__ for build, _ in CORPUS])
def test_a_malformed_block_is_rejected_with_the_rule_that_it_breaks(tmp_path: Path, build: Builder, rule: str) -> None:
    result = read_block(build(tmp_path), identifier=SiegfriedIdentifier())
    errors = {f.rule for f in result.errors}
    assert rule in errors, [f.as_dict() for f in result.findings]
    for error in result.errors:
        assert error.message and error.action


def test_a_symlink_out_of_the_block_is_reported_as_path_traversal_and_not_followed(tmp_path: Path) -> None:
    result = read_block(symlink_out_of_the_block(tmp_path), identifier=SiegfriedIdentifier())
    (error,) = [f for f in result.errors if f.rule == "preingest.symlink"]
    assert "OUTSIDE" in error.message
    files = [f.original_path for p in result.packages for f in p.record.files]
    assert "12/scan_0003.tif" not in files


def test_a_dtd_in_the_description_is_refused_before_anything_is_expanded(tmp_path: Path) -> None:
    result = read_block(xml_description_with_external_entity(tmp_path), identifier=SiegfriedIdentifier())
    assert all("root:" not in f.message for f in result.findings)  # nothing of /etc/passwd leaked
    assert all(p.bag_info == {} for p in result.packages)


def long_file_name(tmp: Path) -> Path:
    root = good_block(tmp)
    tiff(root / "13" / ("lange_naam_" * 22 + ".tif"))
    return root


def forbidden_characters(tmp: Path) -> Path:
    root = good_block(tmp)
    tiff(root / "13" / 'scan <1> "a" & b#c.tif')
    return root


def dos_device_name(tmp: Path) -> Path:
    root = good_block(tmp)
    tiff(root / "13" / "AUX.tif")
    return root


CLEANED: list[tuple[Builder, str]] = [
    (forbidden_characters, "preingest.name.cleaned"),
    (dos_device_name, "preingest.name.cleaned"),
    (long_file_name, "preingest.name.shortened"),
]


@pytest.mark.parametrize(("build", "rule"), CLEANED, ids=[build.__name__ for build, _ in CLEANED])
def test_a_name_that_can_be_repaired_is_a_warning_and_the_original_is_kept(
    tmp_path: Path, build: Builder, rule: str
) -> None:
    result = read_block(build(tmp_path), identifier=SiegfriedIdentifier())
    assert result.errors == []
    (warning,) = result.warnings
    assert (warning.rule, warning.severity) == (rule, Severity.WAARSCHUWING)
    assert warning.file is not None
    package = next(p for p in result.packages if p.source_key.endswith("/13"))
    repaired = next(f for f in package.record.files if f.original_path == warning.file)
    assert repaired.naam != repaired.original_path.split("/")[-1]
