"""Specification of the analogue block adapter (ingest.analogue.read_block).

Blocks are built in tmp_path with real scans; identification runs siegfried and libmagic for real.
The error cases of the preingest checks are in test_malformed_corpus.py; this file covers the
mapping to MDTO, warnings and the decisions documented in ingest/analogue.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
from analogue_blocks import (
    all_scans,
    description_json,
    good_block,
    inventory_csv,
    inventory_xlsx,
    pdf,
    row,
    sha256sum,
    tiff,
)
from PIL import Image

from edepot.errors import Finding, Severity
from edepot.formats import SiegfriedIdentifier
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_AGGREGATIENIVEAU,
    LIJST_DEKKING_IN_TIJD,
    LIJST_EVENTTYPE,
)
from edepot.submission import PackageInput, SubmissionInput
from ingest.analogue import read_block

IDENTIFIER = SiegfriedIdentifier()


def _read(root: Path, **kwargs: object) -> SubmissionInput:
    return read_block(root, identifier=IDENTIFIER, **kwargs)  # type: ignore[arg-type,unused-ignore]


def _package(result: SubmissionInput, key: str) -> PackageInput:
    return next(p for p in result.packages if p.source_key.endswith("/" + key))


def _with_rule(result: SubmissionInput, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


# --- the clean block -------------------------------------------------------------------------------


def test_a_clean_block_gives_one_package_per_dossier_without_findings(tmp_path: Path) -> None:
    result = _read(good_block(tmp_path))
    assert result.findings == ()
    assert result.source == "analogue"
    assert result.bag_group == "1987-1996"
    assert [p.source_key for p in result.packages] == ["1987-1996/12", "1987-1996/13"]
    assert {p.source for p in result.packages} == {"analogue"}


def test_the_dossier_carries_the_inventory_metadata_as_mdto(tmp_path: Path) -> None:
    record = _package(_read(good_block(tmp_path)), "12").record
    io = record.informatieobject
    assert (record.folder, record.original_name) == ("12", "12")
    assert io.identificatie[0].kenmerk == "12"
    assert io.identificatie[0].bron == "Provincie Limburg, archiefblok 1987-1996"
    assert io.naam == "Aanleg provinciale weg"
    assert (io.waardering.code, io.waardering.label) == ("B", "Blijvend te bewaren")
    assert io.archiefvormer == (ARCHIEFVORMER_PROVINCIE_LIMBURG,)
    assert io.aggregatieniveau is not None and io.aggregatieniveau.label == "Dossier"
    assert io.aggregatieniveau.begrippenlijst == LIJST_AGGREGATIENIVEAU
    assert io.omschrijving == ("Datering: 1987-1992",)
    (dekking,) = io.dekking_in_tijd
    assert (dekking.begindatum, dekking.einddatum, dekking.type.label) == ("1987", "1992", "Periode")
    assert dekking.type.begrippenlijst == LIJST_DEKKING_IN_TIJD


def test_a_short_ground_becomes_the_archiefwet_1995_code_with_its_end_year(tmp_path: Path) -> None:
    io = _package(_read(good_block(tmp_path)), "12").record.informatieobject
    (beperking,) = io.beperking_gebruik
    assert beperking.type.code == "Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0"
    assert "levenssfeer" in beperking.type.label
    assert beperking.termijn is not None and beperking.termijn.einddatum == "2063"


def test_no_restriction_becomes_geen_beperking(tmp_path: Path) -> None:
    io = _package(_read(good_block(tmp_path)), "13").record.informatieobject
    assert io.beperking_gebruik == (GEEN_BEPERKING,)


def test_the_selectielijst_category_is_kept_as_a_provisa_2005_classificatie(tmp_path: Path) -> None:
    io = _package(_read(good_block(tmp_path)), "12").record.informatieobject
    (categorie,) = io.classificatie
    assert (categorie.label, categorie.code, categorie.begrippenlijst.naam) == (
        "12 Uitvoering beleid",
        "12",
        "Provisa 2005",
    )


def test_files_are_sorted_source_files_with_their_identification(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    record = _package(_read(root), "12").record
    assert [f.naam for f in record.files] == ["scan_0001.tif", "scan_0002.tif"]
    first = record.files[0]
    assert first.path == root / "12" / "scan_0001.tif"
    assert first.original_path == "12/scan_0001.tif"
    assert first.size == (root / "12" / "scan_0001.tif").stat().st_size
    assert (first.format.puid, first.format.mime) == ("fmt/353", "image/tiff")


def test_an_archiefstuk_subfolder_becomes_a_child_record_that_inherits_from_its_dossier(tmp_path: Path) -> None:
    record = _package(_read(good_block(tmp_path)), "12").record
    (child,) = record.children
    io = child.informatieobject
    assert child.folder == "brief"
    assert io.aggregatieniveau is not None and io.aggregatieniveau.label == "Archiefstuk"
    assert io.identificatie[0].kenmerk == "12/brief"
    assert io.naam == "Brief aan GS"
    assert io.dekking_in_tijd[0].begindatum == "1988-03-12"
    assert io.beperking_gebruik[0].type.code == "Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0"
    assert [f.original_path for f in child.files] == ["12/brief/p1.tif"]


def test_the_inventory_is_kept_as_supplier_metadata(tmp_path: Path) -> None:
    result = _read(good_block(tmp_path))
    assert [m.original_path for m in result.metadata_files] == ["inventaris.csv"]


def test_an_inventory_given_explicitly_outside_the_block_is_used(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    (root / "inventaris.csv").rename(elsewhere / "inventaris.csv")
    result = _read(root, inventory=elsewhere / "inventaris.csv")
    assert result.errors == []
    assert [m.original_path for m in result.metadata_files] == ["inventaris.csv"]
    assert result.metadata_files[0].path == elsewhere / "inventaris.csv"


def test_an_xlsx_inventory_with_float_numbers_matches_the_folders(tmp_path: Path) -> None:
    root = tmp_path / "1997-2006"
    tiff(root / "12" / "a.tif")
    inventory_xlsx(root, [[12.0, "Dossier", "1998", None, None, None, "V", None]])
    result = _read(root)
    assert result.findings == ()
    assert [p.source_key for p in result.packages] == ["1997-2006/12"]


# --- warnings ---------------------------------------------------------------------------------------


def test_a_folder_with_leading_zeros_matches_and_the_match_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "blok"
    tiff(root / "0012" / "a.tif")
    inventory_csv(root, [row("12")])
    result = _read(root)
    assert result.errors == []
    (warning,) = _with_rule(result, "analogue.dossier.matched_without_leading_zeros")
    assert "'0012'" in warning.message and "'12'" in warning.message
    assert _package(result, "12").record.original_name == "0012"


def test_an_exact_folder_name_wins_over_a_leading_zero_match(tmp_path: Path) -> None:
    root = tmp_path / "blok"
    tiff(root / "12" / "a.tif")
    tiff(root / "012" / "a.tif")
    inventory_csv(root, [row("12")])
    result = _read(root)
    assert _package(result, "12").record.original_name == "12"
    assert [f.file for f in _with_rule(result, "analogue.dossier.without_row")] == ["012"]


def test_a_forbidden_name_is_cleaned_with_a_warning_and_the_original_kept(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    tiff(root / "13" / "scan 2#&.tif")
    result = _read(root)
    assert result.errors == []
    (warning,) = _with_rule(result, "preingest.name.cleaned")
    assert warning.severity is Severity.WAARSCHUWING
    cleaned = next(f for f in _package(result, "13").record.files if f.original_path == "13/scan 2#&.tif")
    assert cleaned.naam == "scan_2__.tif"


def test_a_dos_device_name_is_cleaned_with_a_warning(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    tiff(root / "13" / "CON.tif")
    result = _read(root)
    assert result.errors == []
    assert "DOS device name" in _with_rule(result, "preingest.name.cleaned")[0].message
    assert "CON_.tif" in [f.naam for f in _package(result, "13").record.files]


def test_a_file_name_that_makes_the_bag_path_too_long_is_shortened_with_a_warning(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    tiff(root / "13" / ("x" * 240 + ".tif"))
    result = _read(root)
    assert result.errors == []
    assert _with_rule(result, "preingest.name.shortened")
    longest = max(len(f"data/13/{f.naam}.bestand.mdto.xml") for f in _package(result, "13").record.files)
    assert longest <= 255


def test_hidden_system_files_are_ignored_with_a_warning(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    (root / "Thumbs.db").write_bytes(b"thumbs")
    (root / "12" / ".DS_Store").write_bytes(b"mac")
    result = _read(root)
    assert result.errors == []
    assert {f.file for f in _with_rule(result, "preingest.file.hidden")} == {"Thumbs.db", "12/.DS_Store"}
    assert ".DS_Store" not in [f.naam for f in _package(result, "12").record.files]


def test_an_empty_waardering_becomes_nader_te_bepalen_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "blok"
    tiff(root / "5" / "a.tif")
    inventory_csv(root, [row("5", waardering="")])
    result = _read(root)
    assert _package(result, "5").record.informatieobject.waardering.code == "N"
    assert _with_rule(result, "analogue.waardering.missing")[0].severity is Severity.WAARSCHUWING


def test_an_impossible_datering_is_a_warning_and_is_kept_verbatim(tmp_path: Path) -> None:
    root = tmp_path / "blok"
    tiff(root / "5" / "a.tif")
    inventory_csv(root, [row("5", datering="31-02-1990")])
    result = _read(root)
    assert result.errors == []
    io = _package(result, "5").record.informatieobject
    assert io.dekking_in_tijd == ()
    assert io.omschrijving == ("Datering: 31-02-1990",)
    assert _with_rule(result, "analogue.datering.unreadable")[0].severity is Severity.WAARSCHUWING


def test_an_acceptable_format_is_a_warning_and_an_unlisted_one_too_unless_refused(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    pdf(root / "13" / "bijlage.pdf")  # PDF 1.7: Acceptabel
    Image.new("L", (8, 8)).save(root / "13" / "foto.bmp")  # BMP: not on the list
    result = _read(root)
    assert result.errors == []
    assert _with_rule(result, "preingest.format.acceptabel")[0].file == "13/bijlage.pdf"
    assert _with_rule(result, "preingest.format.unlisted")[0].severity is Severity.WAARSCHUWING
    refused = _read(root, reject_unlisted_formats=True)
    assert _with_rule(refused, "preingest.format.unlisted")[0].severity is Severity.FOUT


def test_cp1252_inventory_is_accepted_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "blok"
    tiff(root / "5" / "a.tif")
    inventory_csv(root, [row("5", titel="Café")], encoding="cp1252")
    result = _read(root)
    assert result.errors == []
    assert _package(result, "5").record.informatieobject.naam == "Café"
    assert _with_rule(result, "analogue.inventory.encoding")


# --- manifest and description --------------------------------------------------------------------------


def test_supplier_checksums_are_attached_to_each_file(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    sha256sum(root, all_scans(root))
    md5 = hashlib.md5((root / "13" / "scan_0001.tif").read_bytes()).hexdigest()
    (root / "manifest-md5.txt").write_text(f"{md5} *13/scan_0001.tif\n", encoding="utf-8")
    result = _read(root)
    assert result.errors == []
    (scan,) = _package(result, "13").record.files
    assert scan.expected == {"sha256": hashlib.sha256(scan.path.read_bytes()).hexdigest(), "md5": md5}
    assert [m.original_path for m in result.metadata_files] == [
        "inventaris.csv",
        "checksums.sha256",
        "manifest-md5.txt",
    ]


def test_the_digitisation_description_becomes_an_event_on_every_dossier_and_bag_info(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    description_json(root)
    result = _read(root)
    assert result.findings == ()
    for package in result.packages:
        (event,) = package.record.informatieobject.event
        assert event.type.label == "Digitalisering" and event.type.begrippenlijst == LIJST_EVENTTYPE
        assert event.tijd == "2024-05-01"
        assert event.verantwoordelijke_actor is not None
        assert event.verantwoordelijke_actor.naam == "Scanbedrijf Zuid BV"
        assert event.resultaat is not None and "400 ppi" in event.resultaat and "Zeutschel" in event.resultaat
        assert package.bag_info["Digitisation-Scanner"] == "Zeutschel OS 12002"
        assert package.bag_info["Digitisation-Ocr"] == "ja"
    assert "digitalisering.json" in [m.original_path for m in result.metadata_files]


def test_an_xml_description_is_read_through_the_safe_parser(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    (root / "digitalisering.xml").write_text(
        "<digitalisering><scanner>Bookeye 4</scanner><datum>2023-11-02</datum>"
        "<leverancier>Scan BV</leverancier><ocr>nee</ocr></digitalisering>",
        encoding="utf-8",
    )
    result = _read(root)
    assert result.findings == ()
    event = _package(result, "13").record.informatieobject.event[0]
    assert event.tijd == "2023-11-02"
    assert _package(result, "13").bag_info["Digitisation-Scanner"] == "Bookeye 4"


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    pdf(root / "13" / "geheim.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    result = _read(root)
    (error,) = _with_rule(result, "preingest.pdf.protected")
    assert error.severity is Severity.FOUT and error.file == "13/geheim.pdf"


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    (root / "12" / "leeg.tif").write_bytes(b"")
    (root / "losse_scan.tif").write_bytes(b"x")
    tiff(root / "99" / "a.tif")
    result = _read(root)
    assert {"preingest.file.empty", "analogue.root.unexpected_file", "analogue.dossier.without_row"} <= {
        f.rule for f in result.errors
    }


def test_a_missing_root_folder_is_one_error(tmp_path: Path) -> None:
    result = _read(tmp_path / "bestaat-niet")
    assert [f.rule for f in result.findings] == ["analogue.root.missing"]
    assert result.packages == ()


def test_an_archiefstuk_with_its_own_restriction_does_not_inherit_and_bad_values_are_reported_once(
    tmp_path: Path,
) -> None:
    root = tmp_path / "blok"
    tiff(root / "12" / "a.tif")
    tiff(root / "12" / "brief" / "p.tif")
    tiff(root / "12" / "kaart" / "p.tif")
    inventory_csv(
        root,
        [
            row("12", openbaarheid="Onbekende grond", waardering="Q"),
            row("12", archiefstuk="brief", openbaarheid="Openbaarheid/AW1995/BeperktOpenbaar-Staatsbelang/1.0 "),
            row("12", archiefstuk="kaart", waardering=""),
        ],
    )
    result = _read(root)
    assert [f.message.split(":")[0] for f in _with_rule(result, "analogue.openbaarheid.unknown")] == [
        "inventaris.csv row 2"
    ]
    assert len(_with_rule(result, "analogue.waardering.invalid")) == 1
    brief, kaart = _package(result, "12").record.children
    assert brief.informatieobject.beperking_gebruik[0].type.code == (
        "Openbaarheid/AW1995/BeperktOpenbaar-Staatsbelang/1.0"
    )
    assert kaart.informatieobject.waardering == _package(result, "12").record.informatieobject.waardering
