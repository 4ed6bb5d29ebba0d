"""Builders of block folders for the analogue adapter tests: real scans made with Pillow and
pikepdf, inventories as CSV (any encoding, delimiter) or XLSX (openpyxl), manifests, descriptions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from openpyxl import Workbook
from PIL import Image

HEADER = (
    "inventarisnummer",
    "titel",
    "datering",
    "archiefstuk",
    "openbaarheidsbeperking",
    "openbaar_vanaf",
    "waardering",
    "selectielijst",
)


def tiff(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (16, 16), 180).save(path, format="TIFF")
    return path


def jp2(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), (10, 20, 30)).save(path, format="JPEG2000")
    return path


def pdf(path: Path, *, encryption: pikepdf.Encryption | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = pikepdf.new()
    document.add_blank_page()
    if encryption is None:
        document.save(path, min_version="1.7")
    else:
        document.save(path, min_version="1.7", encryption=encryption)
    return path


def csv_text(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER, delimiter: str = ",") -> str:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return "\n".join(lines) + "\n"


def inventory_csv(
    root: Path,
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
    name: str = "inventaris.csv",
) -> Path:
    path = root / name
    path.write_bytes(csv_text(rows, header, delimiter).encode(encoding))
    return path


def inventory_xlsx(
    root: Path, rows: Sequence[Sequence[object]], *, header: Sequence[str] = HEADER, name: str = "inventaris.xlsx"
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    path = root / name
    workbook.save(path)
    return path


def row(
    inventarisnummer: str,
    titel: str = "Dossier",
    datering: str = "1988",
    archiefstuk: str = "",
    openbaarheid: str = "",
    openbaar_vanaf: str = "",
    waardering: str = "B",
    selectielijst: str = "",
) -> list[str]:
    return [inventarisnummer, titel, datering, archiefstuk, openbaarheid, openbaar_vanaf, waardering, selectielijst]


def sha256sum(root: Path, relatives: Sequence[str], name: str = "checksums.sha256") -> Path:
    lines = [f"{hashlib.sha256((root / r).read_bytes()).hexdigest()}  {r}" for r in relatives]
    path = root / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def description_json(root: Path, **values: object) -> Path:
    data: dict[str, object] = {
        "scanner": "Zeutschel OS 12002",
        "software": "Omniscan",
        "software_versie": "12.4",
        "resolutie_ppi": 400,
        "bitdiepte": 24,
        "kleurprofiel": "eciRGB v2",
        "ocr": "ja",
        "datum": "2024-05-01",
        "leverancier": "Scanbedrijf Zuid BV",
        "operator": "J. Jansen",
        "vervangingsbesluit": "GS 2023/114",
    }
    data.update(values)
    path = root / "digitalisering.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def good_block(tmp_path: Path, name: str = "1987-1996") -> Path:
    """A clean block: dossier 12 with two TIFFs and archiefstuk 'brief', dossier 13 with one TIFF."""
    root = tmp_path / name
    root.mkdir()
    tiff(root / "12" / "scan_0001.tif")
    tiff(root / "12" / "scan_0002.tif")
    tiff(root / "12" / "brief" / "p1.tif")
    tiff(root / "13" / "scan_0001.tif")
    inventory_csv(
        root,
        [
            row(
                "12",
                "Aanleg provinciale weg",
                "1987-1992",
                openbaarheid="Levenssfeer",
                openbaar_vanaf="2063",
                selectielijst="12 Uitvoering beleid",
            ),
            row("12", "Brief aan GS", "12-03-1988", archiefstuk="brief"),
            row("13", "Subsidie musea", "ca. 1990"),
        ],
    )
    return root


def all_scans(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.tif"))
