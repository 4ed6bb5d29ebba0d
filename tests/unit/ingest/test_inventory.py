"""Specification of reading the supplier inventory (ingest.inventory): CSV and XLSX."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from analogue_blocks import HEADER, csv_text, inventory_csv, inventory_xlsx, row

from edepot.errors import Severity
from ingest.inventory import cell_text, find_inventory, read_inventory


def _rules(inventory_findings: tuple[object, ...]) -> set[str]:
    return {f.rule for f in inventory_findings}  # type: ignore[attr-defined]


def _errors(path: Path) -> list[str]:
    return [f.message for f in read_inventory(path).findings if f.severity is Severity.FOUT]


# --- bad input first ---------------------------------------------------------------------------


def test_a_missing_inventory_is_an_error(tmp_path: Path) -> None:
    path, findings = find_inventory(tmp_path)
    assert path is None
    assert [f.rule for f in findings] == ["analogue.inventory.missing"]


def test_both_a_csv_and_an_xlsx_inventory_are_ambiguous(tmp_path: Path) -> None:
    inventory_csv(tmp_path, [row("1")])
    inventory_xlsx(tmp_path, [row("1")])
    path, findings = find_inventory(tmp_path)
    assert path is None
    assert [f.rule for f in findings] == ["analogue.inventory.ambiguous"]


def test_an_empty_file_is_an_empty_inventory(tmp_path: Path) -> None:
    path = tmp_path / "inventaris.csv"
    path.write_bytes(b"")
    assert "analogue.inventory.empty" in _rules(read_inventory(path).findings)


def test_a_header_without_rows_is_an_empty_inventory(tmp_path: Path) -> None:
    path = inventory_csv(tmp_path, [])
    assert "analogue.inventory.empty" in _rules(read_inventory(path).findings)


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    path = inventory_csv(tmp_path, [["12", "1988"]], header=["inventarisnummer", "datering"])
    inventory = read_inventory(path)
    assert inventory.rows == ()
    messages = [f.message for f in inventory.findings if f.rule == "analogue.inventory.column_missing"]
    assert len(messages) == 1 and "'titel'" in messages[0]


def test_duplicate_inventarisnummers_name_both_rows(tmp_path: Path) -> None:
    path = inventory_csv(tmp_path, [row("12"), row("13"), row("012")])
    duplicates = [f for f in read_inventory(path).findings if f.rule == "analogue.inventory.duplicate"]
    assert len(duplicates) == 1
    assert "rows 2 and 4" in duplicates[0].message


def test_the_same_archiefstuk_twice_under_one_dossier_is_a_duplicate(tmp_path: Path) -> None:
    path = inventory_csv(
        tmp_path, [row("12"), row("12", archiefstuk="a"), row("12", archiefstuk="a"), row("13", archiefstuk="a")]
    )
    duplicates = [f for f in read_inventory(path).findings if f.rule == "analogue.inventory.duplicate"]
    assert len(duplicates) == 1 and "rows 3 and 4" in duplicates[0].message


def test_an_empty_required_value_names_the_row(tmp_path: Path) -> None:
    path = inventory_csv(tmp_path, [row("12"), row("13", titel="")])
    assert any("row 3: titel is empty" in message for message in _errors(path))


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\x00garbage", b"PK\x03\x04" + bytes(range(256))])
def test_binary_garbage_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "inventaris.csv"
    path.write_bytes(content)
    assert "analogue.inventory.unreadable" in _rules(read_inventory(path).findings)


def test_bytes_that_are_neither_utf8_nor_cp1252_are_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "inventaris.csv"
    path.write_bytes(b"inventarisnummer,titel\n12,caf\x81\n")  # 0x81 is undefined in cp1252
    inventory = read_inventory(path)
    assert "analogue.inventory.unreadable" in _rules(inventory.findings)
    assert inventory.rows == ()


def test_a_broken_xlsx_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "inventaris.xlsx"
    path.write_bytes(b"PK\x03\x04 this is no workbook")
    assert "analogue.inventory.unreadable" in _rules(read_inventory(path).findings)


# --- good input -------------------------------------------------------------------------------


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = inventory_csv(tmp_path, [row("12", "Café – één")], encoding="cp1252")
    inventory = read_inventory(path)
    assert inventory.rows[0].titel == "Café – één"
    encoding = [f for f in inventory.findings if f.rule == "analogue.inventory.encoding"]
    assert encoding and encoding[0].severity is Severity.WAARSCHUWING


def test_utf8_with_bom_and_semicolons_is_read(tmp_path: Path) -> None:
    path = tmp_path / "inventaris.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([row("0012", "Titel, met komma")], delimiter=";").encode())
    inventory = read_inventory(path)
    assert inventory.findings == ()
    assert inventory.rows[0].inventarisnummer == "0012"
    assert inventory.rows[0].titel == "Titel, met komma"


def test_headers_are_matched_case_insensitively_with_synonyms_and_spaces(tmp_path: Path) -> None:
    header = ["  InvNr ", "Omschrijving", "DATERING", "Openbaar vanaf", "Waardering"]
    path = inventory_csv(tmp_path, [["7", "Notulen", "1990", "2040", "V"]], header=header)
    inventory = read_inventory(path)
    assert inventory.findings == ()
    only = inventory.rows[0]
    assert (only.inventarisnummer, only.titel, only.datering, only.openbaar_vanaf, only.waardering) == (
        "7",
        "Notulen",
        "1990",
        "2040",
        "V",
    )


def test_an_unknown_column_is_a_warning(tmp_path: Path) -> None:
    path = inventory_csv(tmp_path, [["7", "Notulen", "x"]], header=["inventarisnummer", "titel", "kleur"])
    findings = read_inventory(path).findings
    assert [(f.rule, f.severity) for f in findings] == [("analogue.inventory.column_unknown", Severity.WAARSCHUWING)]


def test_row_numbers_count_the_header_as_row_one_and_skip_empty_rows(tmp_path: Path) -> None:
    path = inventory_csv(tmp_path, [row("1"), ["", "", "", "", "", "", "", ""], row("2")])
    assert [r.row for r in read_inventory(path).rows] == [2, 4]


def test_xlsx_cells_are_read_as_the_literal_text(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [12.0, "Float dossier", date(1988, 3, 12), None, None, 2063, "B", None],
        ["0013", "Text keeps zeros", "1990", "", "", "", "V", ""],
    ]
    inventory = read_inventory(inventory_xlsx(tmp_path, rows, header=HEADER))
    assert inventory.findings == ()
    first, second = inventory.rows
    assert (first.inventarisnummer, first.datering, first.openbaar_vanaf) == ("12", "1988-03-12", "2063")
    assert second.inventarisnummer == "0013"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12.0, "12"),
        (12.5, "12.5"),
        (7, "7"),
        (datetime(1988, 3, 12), "1988-03-12"),
        (datetime(1988, 3, 12, 10, 30), "1988-03-12T10:30:00"),
        (date(1990, 1, 2), "1990-01-02"),
        (True, "ja"),
        ("1.1.2", "1.1.2"),
    ],
)
def test_xlsx_cell_values_become_text(value: object, text: str) -> None:
    assert cell_text(value) == text
