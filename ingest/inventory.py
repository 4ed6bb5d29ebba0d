"""Reading the supplier's inventory (`inventaris.csv` or `inventaris.xlsx`) of an analogue block.

Every cell is read as the literal text the supplier meant: CSV in UTF-8 (with or without BOM) or,
failing that, cp1252 (with a warning), delimiter `,` or `;` sniffed from the header; XLSX through
openpyxl (read-only, cached values) with integer-valued numbers written without `.0` and dates as
ISO text. Headers are matched case-insensitively with synonyms. Problems are returned as findings
naming the row (row 1 is the header, as in a spreadsheet); nothing is raised for bad input.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from edepot.errors import Finding, Severity

FOUT = Severity.FOUT
WAARSCHUWING = Severity.WAARSCHUWING

INVENTORY_NAMES = ("inventaris.csv", "inventaris.xlsx")

COLUMNS: dict[str, tuple[str, ...]] = {
    "inventarisnummer": ("inventarisnummer", "invnr", "inventarisnr"),
    "titel": ("titel", "beschrijving", "omschrijving"),
    "datering": ("datering",),
    "archiefstuk": ("archiefstuk",),
    "openbaarheidsbeperking": ("openbaarheidsbeperking",),
    "openbaar_vanaf": ("openbaar_vanaf",),
    "waardering": ("waardering",),
    "selectielijst": ("selectielijst",),
}
REQUIRED = ("inventarisnummer", "titel")
_SYNONYMS = {synonym: column for column, synonyms in COLUMNS.items() for synonym in synonyms}
_CONTROL_ALLOWED = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class InventoryRow:
    """One described dossier (archiefstuk empty) or archiefstuk (a subfolder of the dossier)."""

    row: int  # row number as in a spreadsheet: the header is row 1
    inventarisnummer: str
    titel: str
    datering: str = ""
    archiefstuk: str = ""
    openbaarheidsbeperking: str = ""
    openbaar_vanaf: str = ""
    waardering: str = ""
    selectielijst: str = ""


@dataclass(frozen=True)
class Inventory:
    path: Path
    rows: tuple[InventoryRow, ...]
    findings: tuple[Finding, ...]


def _finding(rule: str, message: str, action: str, path: Path, severity: Severity = FOUT) -> Finding:
    return Finding(rule=rule, message=message, action=action, severity=severity, file=path.name)


def comparable(value: str) -> str:
    """The key two identifiers are compared by: trimmed, and without leading zeros when numeric."""
    value = value.strip()
    if value.isdigit():
        return value.lstrip("0") or "0"
    return value


def find_inventory(root: Path) -> tuple[Path | None, list[Finding]]:
    """The inventory file in the root of the block (names compared case-insensitively)."""
    found = sorted(p for p in root.iterdir() if p.name.lower() in INVENTORY_NAMES and not p.is_symlink())
    if not found:
        return None, [
            _finding(
                "analogue.inventory.missing",
                f"no inventory in {root.name}/ (expected inventaris.csv or inventaris.xlsx)",
                "add the inventory of the block to its root folder or give its path explicitly",
                root,
            )
        ]
    if len(found) > 1:
        return None, [
            _finding(
                "analogue.inventory.ambiguous",
                f"more than one inventory in {root.name}/: " + ", ".join(p.name for p in found),
                "keep one inventory, or give the one to use explicitly",
                root,
            )
        ]
    return found[0], []


# --- decoding ---------------------------------------------------------------------------


def _decode(data: bytes, path: Path) -> tuple[str | None, list[Finding]]:
    if b"\x00" in data:
        return None, [
            _finding(
                "analogue.inventory.unreadable",
                f"{path.name} contains NUL bytes: it is not a text file",
                "send the inventory as CSV (UTF-8) or XLSX",
                path,
            )
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        return None, [
            _finding(
                "analogue.inventory.unreadable",
                f"{path.name} is neither UTF-8 nor cp1252 text (byte {error.start})",
                "save the inventory as CSV UTF-8",
                path,
            )
        ]
    return text, [
        _finding(
            "analogue.inventory.encoding",
            f"{path.name} is not UTF-8; read as cp1252 (Windows)",
            "save the inventory as CSV UTF-8 next time",
            path,
            WAARSCHUWING,
        )
    ]


def _has_binary_garbage(text: str) -> bool:
    return any(ord(c) < 32 and c not in _CONTROL_ALLOWED for c in text)


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _csv_table(path: Path) -> tuple[list[tuple[int, list[str]]] | None, list[Finding]]:
    text, findings = _decode(path.read_bytes(), path)
    if text is None:
        return None, findings
    if _has_binary_garbage(text):
        return None, [
            *findings,
            _finding(
                "analogue.inventory.unreadable",
                f"{path.name} contains control characters: it is not a text inventory",
                "send the inventory as CSV (UTF-8) or XLSX",
                path,
            ),
        ]
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        return [(number, row) for number, row in enumerate(reader, start=1)], findings
    except csv.Error as error:
        return None, [
            *findings,
            _finding(
                "analogue.inventory.unreadable",
                f"{path.name}: CSV error ({error})",
                "check quoting in the inventory",
                path,
            ),
        ]


# --- XLSX ---------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """The literal text of an XLSX cell value: 12.0 -> "12", dates -> ISO, None -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_table(path: Path) -> tuple[list[tuple[int, list[str]]] | None, list[Finding]]:
    from openpyxl import load_workbook  # imported here: only XLSX deliveries need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        return None, [
            _finding(
                "analogue.inventory.unreadable",
                f"{path.name} is not a readable XLSX workbook ({error})",
                "save the inventory again as .xlsx or as CSV UTF-8",
                path,
            )
        ]
    try:
        sheet = workbook.worksheets[0]
        table = [
            (number, [cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return table, []


# --- rows ---------------------------------------------------------------------------------


def _normalise_header(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _columns(header: Sequence[str], path: Path) -> tuple[dict[str, int], list[Finding]]:
    columns: dict[str, int] = {}
    findings: list[Finding] = []
    for index, raw in enumerate(header):
        name = _SYNONYMS.get(_normalise_header(raw))
        if name is None:
            if raw.strip():
                findings.append(
                    _finding(
                        "analogue.inventory.column_unknown",
                        f"{path.name}: column {raw.strip()!r} is not used",
                        "rename it if it should be read",
                        path,
                        WAARSCHUWING,
                    )
                )
        elif name in columns:
            findings.append(
                _finding(
                    "analogue.inventory.column_duplicate",
                    f"{path.name}: column {name!r} appears "
                    f"more than once (columns {columns[name] + 1} and {index + 1})",
                    "keep one column per field",
                    path,
                )
            )
        else:
            columns[name] = index
    for name in REQUIRED:
        if name not in columns:
            findings.append(
                _finding(
                    "analogue.inventory.column_missing",
                    f"{path.name}: required column {name!r} is missing (accepted headers: {', '.join(COLUMNS[name])})",
                    "add the column to the header row",
                    path,
                )
            )
    return columns, findings


def _row(number: int, cells: Sequence[str], columns: dict[str, int]) -> InventoryRow:
    values = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
    return InventoryRow(row=number, **values)


def _rows(
    table: Iterable[tuple[int, list[str]]], columns: dict[str, int], path: Path
) -> tuple[list[InventoryRow], list[Finding]]:
    rows: list[InventoryRow] = []
    findings: list[Finding] = []
    for number, cells in table:
        if not any(cell.strip() for cell in cells):
            continue
        row = _row(number, cells, columns)
        for name in REQUIRED:
            if not getattr(row, name):
                findings.append(
                    _finding(
                        "analogue.inventory.value_missing",
                        f"{path.name} row {number}: {name} is empty",
                        f"fill in the {name} of row {number}",
                        path,
                    )
                )
        rows.append(row)
    return rows, findings


def _duplicates(rows: Sequence[InventoryRow], path: Path) -> list[Finding]:
    seen: dict[tuple[str, str], InventoryRow] = {}
    findings: list[Finding] = []
    for row in rows:
        key = (comparable(row.inventarisnummer), comparable(row.archiefstuk))
        if key in seen:
            first = seen[key]
            what = f"inventarisnummer {row.inventarisnummer!r}" + (
                f" with archiefstuk {row.archiefstuk!r}" if row.archiefstuk else ""
            )
            findings.append(
                _finding(
                    "analogue.inventory.duplicate",
                    f"{path.name}: {what} appears in rows {first.row} and {row.row}",
                    "describe each dossier and archiefstuk in exactly one row",
                    path,
                )
            )
        else:
            seen[key] = row
    return findings


def read_inventory(path: Path) -> Inventory:
    """Read the inventory at `path`; every problem is a finding in the result."""
    if path.suffix.lower() == ".xlsx":
        table, findings = _xlsx_table(path)
    else:
        table, findings = _csv_table(path)
    if table is None:
        return Inventory(path, (), tuple(findings))
    table = [(number, cells) for number, cells in table if any(cell.strip() for cell in cells)]
    if not table:
        return Inventory(
            path,
            (),
            (
                *findings,
                _finding(
                    "analogue.inventory.empty",
                    f"{path.name} is empty",
                    "send the inventory with a header row and one row per dossier",
                    path,
                ),
            ),
        )
    columns, column_findings = _columns(table[0][1], path)
    findings += column_findings
    if any(f.rule == "analogue.inventory.column_missing" for f in column_findings):
        return Inventory(path, (), tuple(findings))
    rows, row_findings = _rows(table[1:], columns, path)
    findings += row_findings
    if not rows:
        findings.append(
            _finding(
                "analogue.inventory.empty",
                f"{path.name} has a header but no rows",
                "add one row per dossier",
                path,
            )
        )
    findings += _duplicates(rows, path)
    return Inventory(path, tuple(rows), tuple(findings))
