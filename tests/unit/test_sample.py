"""Specification of the demo and benchmark block generators (edepot.sample)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from importlib import resources
from pathlib import Path

import pikepdf
import pygfried
import pytest
from openpyxl import load_workbook
from PIL import Image, ImageCms

from edepot.errors import Conflict, InvalidInput
from edepot.sample import (
    INVENTARIS_KOLOMMEN,
    LEVENSSFEER,
    make_bulk_block,
    make_inventory_xlsx,
    make_sample_block,
)

SCAN_EXTENSIONS = {".tif", ".jp2", ".pdf"}
# PUIDs whose format fits the extension: TIFF; JP2; PDF 1.x; PDF/A-1a/1b/2a/2b/2u/3a/3b/3u.
PUIDS_PER_EXTENSION = {
    ".tif": {"fmt/353"},
    ".jp2": {"x-fmt/392"},
    ".pdf": {"fmt/14", "fmt/15", "fmt/16", "fmt/17", "fmt/18", "fmt/19", "fmt/20", "fmt/276",
             "fmt/95", "fmt/354", "fmt/476", "fmt/477", "fmt/478", "fmt/479", "fmt/480", "fmt/481"},
}


def _scans(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SCAN_EXTENSIONS)


def _csv_rows(root: Path) -> list[dict[str, str]]:
    text = (root / "inventaris.csv").read_bytes().decode("cp1252")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def _manifest(root: Path) -> dict[str, str]:
    entries = {}
    for line in (root / "checksums.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        entries[name] = digest
    return entries


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def block(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_block(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bulk_block(
        tmp_path_factory.mktemp("bulk"), files=250, min_size=4096, max_size=32768,
        files_per_dossier=40, seed=7, checksums=True,
    )


# --- bad inputs ---------------------------------------------------------------------------------


def test_sample_block_refuses_to_write_into_a_non_empty_block_folder(tmp_path: Path) -> None:
    (tmp_path / "1987-1996").mkdir()
    (tmp_path / "1987-1996" / "old.txt").write_text("keep me")
    with pytest.raises(Conflict, match="not empty"):
        make_sample_block(tmp_path)
    assert (tmp_path / "1987-1996" / "old.txt").read_text() == "keep me"


@pytest.mark.parametrize("name", ["", "..", "a/b", "a\\b"])
def test_sample_block_refuses_a_block_name_that_is_not_one_folder_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInput, match="single folder name"):
        make_sample_block(tmp_path, block=name)


def test_bulk_block_refuses_zero_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="at least 1 file"):
        make_bulk_block(tmp_path, files=0, min_size=4096, max_size=8192)


def test_bulk_block_refuses_min_size_above_max_size(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="swap them"):
        make_bulk_block(tmp_path, files=1, min_size=9000, max_size=8000)


def test_bulk_block_refuses_a_size_no_tiff_can_have_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="smallest possible"):
        make_bulk_block(tmp_path, files=1, min_size=10, max_size=50)
    assert list(tmp_path.iterdir()) == []


# --- the demo block: layout and inventory -------------------------------------------------------


def test_sample_block_has_the_supplier_layout(block: Path) -> None:
    assert block.name == "1987-1996"
    assert {p.name for p in block.iterdir()} == {
        "inventaris.csv", "digitalisering.json", "checksums.sha256", "001", "007", "012", "031", "044",
    }


def test_sample_inventory_is_cp1252_and_semicolon_separated(block: Path) -> None:
    raw = (block / "inventaris.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "café De Keizer" in raw.decode("cp1252")
    header = raw.decode("cp1252").splitlines()[0]
    assert header.split(";") == list(INVENTARIS_KOLOMMEN)


def test_sample_inventory_keeps_leading_zeros_and_free_text_datering(block: Path) -> None:
    rows = _csv_rows(block)
    assert "007" in {r["inventarisnummer"] for r in rows}
    assert {"1987-1992", "ca. 1988", "1990, 1993", "z.d."} <= {r["datering"] for r in rows}
    assert {r["waardering"] for r in rows} == {"B", "V"}
    assert all(r["selectielijst"].startswith("Provisa 2005, categorie ") for r in rows)


def test_every_inventory_row_has_a_folder_and_every_folder_a_row(block: Path) -> None:
    rows = _csv_rows(block)
    described = {r["inventarisnummer"] + ("/" + r["archiefstuk"] if r["archiefstuk"] else "") for r in rows}
    folders = {p.relative_to(block).as_posix() for p in block.rglob("*") if p.is_dir()}
    assert described == folders


def test_one_dossier_has_two_archiefstukken_as_subfolders_with_their_own_rows(block: Path) -> None:
    rows = [r for r in _csv_rows(block) if r["inventarisnummer"] == "012"]
    assert [r["archiefstuk"] for r in rows] == ["", "aanvraag", "besluit"]
    assert [r["datering"] for r in rows] == ["1990, 1993", "1990", "1993"]
    assert sorted(p.name for p in (block / "012").iterdir()) == ["aanvraag", "besluit"]
    assert len(_scans(block / "012" / "aanvraag")) == 2
    assert len(_scans(block / "012" / "besluit")) == 1


def test_one_dossier_is_restricted_for_levenssfeer_until_2063(block: Path) -> None:
    restricted = [r for r in _csv_rows(block) if r["openbaarheidsbeperking"] not in ("", "geen")]
    found = [(r["inventarisnummer"], r["openbaarheidsbeperking"], r["openbaar_vanaf"]) for r in restricted]
    assert found == [("007", LEVENSSFEER, "2063")]
    codes = json.loads(
        resources.files("edepot").joinpath("data/nha/openbaarheid_archiefwet_1995.json").read_text("utf-8")
    )
    assert LEVENSSFEER in {c["begripCode"] for c in codes}
    assert {r["openbaarheidsbeperking"] for r in _csv_rows(block)} >= {"", "geen"}


def test_one_scan_name_has_a_space_and_an_ampersand(block: Path) -> None:
    names = [p.name for p in _scans(block) if " " in p.name and "&" in p.name]
    assert names == ["0002 kaart & legenda.tif"]


def test_digitalisering_json_describes_the_scanning(block: Path) -> None:
    data = json.loads((block / "digitalisering.json").read_text(encoding="utf-8"))
    assert set(data) == {"scanner", "software", "software_versie", "resolutie_ppi", "bitdiepte",
                         "kleurprofiel", "ocr", "datum", "leverancier", "operator", "vervangingsbesluit"}
    assert data["ocr"] in {"ja", "nee"}
    date.fromisoformat(data["datum"])
    assert isinstance(data["resolutie_ppi"], int)


def test_sample_block_can_carry_its_inventory_as_xlsx(tmp_path: Path) -> None:
    root = make_sample_block(tmp_path, inventaris="xlsx")
    assert not (root / "inventaris.csv").exists()
    sheet = load_workbook(root / "inventaris.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == INVENTARIS_KOLOMMEN
    assert ("007", 2063) in {(r[0], r[5]) for r in rows[1:]}


# --- the demo block: real scans -----------------------------------------------------------------


def test_sample_scans_cover_tiff_jp2_pdf_and_pdfa(block: Path) -> None:
    assert {p.suffix for p in _scans(block)} == SCAN_EXTENSIONS
    assert len(_scans(block)) == 11


def test_every_sample_tiff_and_jp2_is_a_page_image_pillow_can_decode(block: Path) -> None:
    images = [p for p in _scans(block) if p.suffix in {".tif", ".jp2"}]
    compressions = set()
    for path in images:
        with Image.open(path) as im:
            im.load()
            assert im.size == (1240, 1754), path
            assert im.mode in {"L", "1"}, path
            compressions.add(im.info.get("compression"))
    assert {"tiff_lzw", "group4"} <= compressions


def test_every_sample_pdf_opens_in_pikepdf_as_pdf_1_7_with_image_pages(block: Path) -> None:
    for path in (p for p in _scans(block) if p.suffix == ".pdf"):
        with pikepdf.open(path) as pdf:
            assert pdf.pdf_version == "1.7"
            assert len(pdf.pages) == 2
            assert all(len(page.Resources.XObject) == 1 for page in pdf.pages)


def test_the_pdfa_claims_part_2b_and_has_an_srgb_output_intent(block: Path) -> None:
    with pikepdf.open(block / "031" / "0001.pdf") as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        profile = ImageCms.ImageCmsProfile(io.BytesIO(intent.DestOutputProfile.read_bytes()))
        assert "sRGB" in ImageCms.getProfileDescription(profile)
    with pikepdf.open(block / "007" / "0001.pdf") as pdf:
        assert "/OutputIntents" not in pdf.Root


def test_checksum_manifest_covers_every_scan_and_matches_it(block: Path) -> None:
    manifest = _manifest(block)
    assert set(manifest) == {p.relative_to(block).as_posix() for p in _scans(block)}
    for name, digest in manifest.items():
        assert hashlib.sha256((block / name).read_bytes()).hexdigest() == digest, name


def test_every_sample_scan_is_identified_with_a_puid_fitting_its_extension(block: Path) -> None:
    puids = {}
    for path in _scans(block):
        puid = pygfried.identify(str(path))
        assert puid in PUIDS_PER_EXTENSION[path.suffix], (path, puid)
        puids[path.relative_to(block).as_posix()] = puid
    assert puids["031/0001.pdf"] == "fmt/477"  # PDF/A-2b
    assert puids["007/0001.pdf"] == "fmt/276"  # PDF 1.7


def test_sample_block_stays_under_3_mb(block: Path) -> None:
    assert sum(p.stat().st_size for p in block.rglob("*") if p.is_file()) < 3 * 1024 * 1024


def test_two_sample_blocks_are_byte_identical(block: Path, tmp_path: Path) -> None:
    again = make_sample_block(tmp_path)
    assert _tree(again) == _tree(block)
    assert {p.relative_to(again).as_posix(): p.stat().st_mtime for p in again.rglob("*")} == {
        p.relative_to(block).as_posix(): p.stat().st_mtime for p in block.rglob("*")
    }


# --- make_inventory_xlsx --------------------------------------------------------------------------


def test_inventory_xlsx_keeps_leading_zeros_and_extra_columns(tmp_path: Path) -> None:
    rows = [{"inventarisnummer": "007", "titel": "Café", "openbaar_vanaf": 2063, "opmerking": "los"}]
    path = make_inventory_xlsx(rows, tmp_path / "inventaris.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    header, row = sheet.iter_rows(values_only=True)
    assert header == (*INVENTARIS_KOLOMMEN, "opmerking")
    assert (row[0], row[1], row[5], row[8]) == ("007", "Café", 2063, "los")
    assert row[2] is None


def test_inventory_xlsx_is_byte_identical_across_calls(tmp_path: Path) -> None:
    rows = [{"inventarisnummer": "001", "titel": "Ontgrondingsvergunning"}]
    first = make_inventory_xlsx(rows, tmp_path / "a.xlsx").read_bytes()
    second = make_inventory_xlsx(rows, tmp_path / "b.xlsx").read_bytes()
    assert first == second


# --- the bulk block ------------------------------------------------------------------------------


def test_bulk_block_has_the_requested_count_within_the_size_range(bulk: Path) -> None:
    files = sorted(bulk.rglob("*.tif"))
    assert len(files) == 250
    sizes = [p.stat().st_size for p in files]
    assert all(4096 <= s <= 32768 for s in sizes)
    assert max(sizes) - min(sizes) > 16384  # spread over the range, not one size


def test_bulk_files_all_have_different_content(bulk: Path) -> None:
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in bulk.rglob("*.tif")}
    assert len(digests) == 250


def test_every_bulk_tiff_is_decoded_by_pillow(bulk: Path) -> None:
    for path in bulk.rglob("*.tif"):
        with Image.open(path) as im:
            im.load()
            assert im.format == "TIFF" and im.mode == "L"


def test_bulk_tiffs_are_identified_by_siegfried_as_fmt_353(bulk: Path) -> None:
    sample = sorted(bulk.rglob("*.tif"))[::25]
    assert [pygfried.identify(str(p)) for p in sample] == ["fmt/353"] * len(sample)


def test_bulk_inventory_has_one_row_per_dossier_folder(bulk: Path) -> None:
    with (bulk / "inventaris.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    folders = sorted(p.name for p in bulk.iterdir() if p.is_dir())
    assert [r["inventarisnummer"] for r in rows] == folders == [f"{i:04d}" for i in range(1, 8)]
    assert [len(list((bulk / d).iterdir())) for d in folders] == [40] * 6 + [10]
    assert (bulk / "digitalisering.json").is_file()


def test_bulk_checksum_manifest_matches_when_asked_for(bulk: Path, tmp_path: Path) -> None:
    manifest = _manifest(bulk)
    assert len(manifest) == 250
    for name, digest in list(manifest.items())[::50]:
        assert hashlib.sha256((bulk / name).read_bytes()).hexdigest() == digest
    plain = make_bulk_block(tmp_path, files=3, min_size=4096, max_size=8192)
    assert not (plain / "checksums.sha256").exists()


def test_bulk_block_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    a = make_bulk_block(tmp_path / "a", files=30, min_size=5000, max_size=6000, seed=3)
    b = make_bulk_block(tmp_path / "b", files=30, min_size=5000, max_size=6000, seed=3)
    c = make_bulk_block(tmp_path / "c", files=30, min_size=5000, max_size=6000, seed=4)
    assert _tree(a) == _tree(b)
    assert _tree(a) != _tree(c)
