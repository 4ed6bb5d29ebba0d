"""Test and demo data: digitised analogue archive blocks laid out as a scanning supplier delivers them.

A block is a folder named after the block (``1987-1996/``) holding an inventory (``inventaris.csv`` or
``inventaris.xlsx``), one folder per inventarisnummer with the scans (subfolders are archiefstukken),
an optional ``checksums.sha256`` and a ``digitalisering.json`` describing the scanning.

- :func:`make_sample_block` writes the bundled demo block. Every scan is a real image made here with
  Pillow (and pikepdf for the PDFs), so no binary file is committed. The inventory exercises the
  awkward cases that are still valid: cp1252 encoding, ``;`` separator, leading zeros, free-text
  datering, archiefstukken as extra rows, a restricted dossier and a file name with a space and a ``&``.
  The output is deterministic: two calls give byte-identical folders (also the file times).
- :func:`make_bulk_block` writes a large valid block of small genuine TIFFs for the ingest benchmark.
- :func:`make_inventory_xlsx` writes inventory rows as an Excel workbook.

The PDF/A file claims PDF/A-2b (XMP ``pdfaid:part=2``, ``pdfaid:conformance=B``, an sRGB OutputIntent).
That is a best effort: it is not validated with veraPDF and is meant for format identification and
demos, not as a conformance example.
"""

from __future__ import annotations

import calendar
import csv
import functools
import hashlib
import io
import json
import math
import os
import random
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from PIL import Image, ImageCms, ImageDraw, ImageFont

from edepot.errors import Conflict, InvalidInput

INVENTARIS_KOLOMMEN: tuple[str, ...] = (
    "inventarisnummer",
    "titel",
    "datering",
    "archiefstuk",
    "openbaarheidsbeperking",
    "openbaar_vanaf",
    "waardering",
    "selectielijst",
)
"""Column order of the inventory, as the supplier delivers it."""

LEVENSSFEER = "Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0"

PAGINA_PIXELS = (1240, 1754)
"""A4 at 150 ppi: large enough to look like a page, small enough to keep the demo block small."""
RESOLUTIE_PPI = 150

_VASTE_TIJD = datetime(2024, 5, 17, 9, 30, 0)  # digitisation date; also the files' mtime
_VASTE_EPOCH = calendar.timegm(_VASTE_TIJD.timetuple())

DIGITALISERING: dict[str, object] = {
    "scanner": "Zeutschel OS 12000 A2",
    "software": "Omniscan",
    "software_versie": "12.14",
    "resolutie_ppi": RESOLUTIE_PPI,
    "bitdiepte": 8,
    "kleurprofiel": "Gray Gamma 2.2",
    "ocr": "nee",
    "datum": _VASTE_TIJD.date().isoformat(),
    "leverancier": "Voorbeeld Digitalisering B.V. (fictief)",
    "operator": "M. Dassen",
    "vervangingsbesluit": (
        "Vervangingsbesluit analoge archiefbescheiden Provincie Limburg (fictief voorbeeld)"
    ),
}
"""The ``digitalisering.json`` of the demo block (fictitious supplier and decision)."""

ScanSoort = Literal["tiff-lzw", "tiff-g4", "jp2", "pdf", "pdfa", "kaart"]
_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_ACCENTEN = {"\u0301": "\u00b4", "\u0300": "`", "\u0302": "^"}  # combining mark -> spacing glyph


@dataclass(frozen=True)
class _Scan:
    pad: str  # relative to the dossier folder; may contain one subfolder (archiefstuk)
    soort: ScanSoort
    paginas: int = 1


@dataclass(frozen=True)
class _Dossier:
    inventarisnummer: str
    titel: str
    datering: str
    waardering: str
    selectielijst: str
    openbaarheidsbeperking: str = ""
    openbaar_vanaf: str = ""
    briefdatum: str = ""
    zinnen: tuple[str, ...] = ()
    scans: tuple[_Scan, ...] = ()
    archiefstukken: tuple[tuple[str, str, str], ...] = field(default=())  # (map, titel, datering)


_DOSSIERS: tuple[_Dossier, ...] = (
    _Dossier(
        inventarisnummer="001",
        titel="Ontgrondingsvergunning Maasvallei, café De Keizer",
        datering="1987-1992",
        waardering="B",
        selectielijst="Provisa 2005, categorie 5",
        openbaarheidsbeperking="geen",
        briefdatum="Maastricht, 3 november 1987",
        zinnen=(
            "Hierbij verlenen wij vergunning voor het ontgronden van de percelen nabij café De Keizer.",
            "De ontgronding mag niet dieper reiken dan vier meter beneden maaiveld.",
            "Het winterbed van de Maas blijft te allen tijde vrij van opslag van grond.",
            "Na afloop wordt het terrein ingericht als natuurgebied met flauwe oevers.",
            "Tegen dit besluit kunnen belanghebbenden binnen zes weken bezwaar maken.",
        ),
        scans=(_Scan("0001.tif", "tiff-lzw"), _Scan("0002.tif", "tiff-lzw"), _Scan("0003.tif", "tiff-g4")),
    ),
    _Dossier(
        inventarisnummer="007",
        titel="Bezwaarschriften van omwonenden tegen de ontgronding Maasvallei, met persoonsgegevens",
        datering="ca. 1988",
        waardering="B",
        selectielijst="Provisa 2005, categorie 5",
        openbaarheidsbeperking=LEVENSSFEER,
        openbaar_vanaf="2063",
        briefdatum="Itteren, 12 februari 1988",
        zinnen=(
            "Ondergetekende, wonende aan de Maasstraat te Itteren, maakt bezwaar tegen de ontgronding.",
            "Door de werkzaamheden ondervindt mijn gezin ernstige overlast van stof en lawaai.",
            "Mijn echtgenote is vanwege haar gezondheid op rust in en om het huis aangewezen.",
            "Ik verzoek u de vergunning niet te verlenen of de werktijden te beperken.",
        ),
        scans=(_Scan("0001.pdf", "pdf", paginas=2),),
    ),
    _Dossier(
        inventarisnummer="012",
        titel="Aanleg fietspad langs de provinciale weg Roermond-Venlo",
        datering="1990, 1993",
        waardering="V",
        selectielijst="Provisa 2005, categorie 57",
        briefdatum="Roermond, 21 juni 1990",
        zinnen=(
            "Het college verzoekt om een bijdrage in de kosten van de aanleg van het fietspad.",
            "Het tracé volgt de zuidzijde van de weg en kruist twee beken.",
            "De raming bedraagt f 1.250.000, exclusief de kosten van grondverwerving.",
            "Gedeputeerde Staten besluiten een bijdrage van vijftig procent toe te kennen.",
        ),
        scans=(
            _Scan("aanvraag/0001.tif", "tiff-g4"),
            _Scan("aanvraag/0002.tif", "tiff-g4"),
            _Scan("besluit/0001.tif", "tiff-lzw"),
        ),
        archiefstukken=(
            ("aanvraag", "Aanvraag om bijdrage van de gemeente Roermond", "1990"),
            ("besluit", "Besluit van Gedeputeerde Staten over de bijdrage", "1993"),
        ),
    ),
    _Dossier(
        inventarisnummer="031",
        titel="Situatietekeningen stortplaats Landgraaf",
        datering="z.d.",
        waardering="B",
        selectielijst="Provisa 2005, categorie 4",
        openbaarheidsbeperking="geen",
        briefdatum="Maastricht, z.d.",
        zinnen=(
            "Toelichting bij de situatietekening van de stortplaats en de omliggende percelen.",
            "De afdichtingslaag bestaat uit een kleipakket van ten minste een halve meter.",
            "Peilbuizen voor het grondwater zijn op de tekening met een driehoek aangegeven.",
        ),
        scans=(_Scan("0001.pdf", "pdfa", paginas=2), _Scan("0002 kaart & legenda.tif", "kaart")),
    ),
    _Dossier(
        inventarisnummer="044",
        titel="Jaarverslag coördinatie ruimtelijke ordening 1995",
        datering="1996",
        waardering="B",
        selectielijst="Provisa 2005, categorie 2",
        briefdatum="Maastricht, 30 april 1996",
        zinnen=(
            "In het verslagjaar is de coördinatie van streekplan en waterhuishouding versterkt.",
            "De hoogwaters van de Maas hebben de aandacht voor het winterbed vergroot.",
            "Het aantal ontgrondingsvergunningen is ten opzichte van het vorige jaar gedaald.",
            "Voor het komend jaar staat de herziening van het streekplan op het programma.",
        ),
        scans=(_Scan("0001.jp2", "jp2"), _Scan("0002.jp2", "jp2")),
    ),
)


def sample_inventory_rows() -> list[dict[str, str]]:
    """The inventory rows of the demo block, in file order (dossier row, then its archiefstukken)."""
    rows: list[dict[str, str]] = []
    for d in _DOSSIERS:
        basis = {
            "inventarisnummer": d.inventarisnummer,
            "titel": d.titel,
            "datering": d.datering,
            "archiefstuk": "",
            "openbaarheidsbeperking": d.openbaarheidsbeperking,
            "openbaar_vanaf": d.openbaar_vanaf,
            "waardering": d.waardering,
            "selectielijst": d.selectielijst,
        }
        rows.append(basis)
        for map_, titel, datering in d.archiefstukken:
            rows.append({**basis, "archiefstuk": map_, "titel": titel, "datering": datering,
                         "openbaarheidsbeperking": ""})
    return rows


def make_sample_block(
    dest: Path, *, block: str = "1987-1996", inventaris: Literal["csv", "xlsx"] = "csv"
) -> Path:
    """Write the demo block under ``dest/<block>`` and return that folder.

    The inventory is ``inventaris.csv`` (cp1252, ``;``) or, with ``inventaris="xlsx"``,
    ``inventaris.xlsx`` with the same rows. Refuses a non-empty existing block folder.
    """
    root = _new_block_root(dest, block)
    scans: list[Path] = []
    for dossier in _DOSSIERS:
        for scan in dossier.scans:
            path = root / dossier.inventarisnummer / scan.pad
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_render_scan(dossier, scan))
            scans.append(path)
    rows = sample_inventory_rows()
    if inventaris == "xlsx":  # a year typed in Excel is a number; the inventarisnummer stays text
        make_inventory_xlsx(
            [{**r, "openbaar_vanaf": int(r["openbaar_vanaf"]) if r["openbaar_vanaf"] else ""} for r in rows],
            root / "inventaris.xlsx",
        )
    else:
        (root / "inventaris.csv").write_bytes(_inventory_csv(rows, delimiter=";", encoding="cp1252"))
    _write_json(root / "digitalisering.json", DIGITALISERING)
    _write_checksums(root, scans)
    _fix_times(root)
    return root


def make_inventory_xlsx(rows: Iterable[Mapping[str, object]], path: Path) -> Path:
    """Write inventory rows to an Excel workbook (sheet ``inventaris``) and return ``path``.

    Columns are :data:`INVENTARIS_KOLOMMEN` followed by any extra keys in first-seen order. Values
    keep their Python type: a string ``"007"`` stays text (leading zeros kept), an int is a number.
    The workbook is byte-for-byte deterministic (fixed document dates and zip entry times).
    """
    from openpyxl import Workbook
    from openpyxl.xml.functions import tostring

    rows = [dict(r) for r in rows]
    kolommen = list(INVENTARIS_KOLOMMEN)
    for r in rows:
        kolommen.extend(k for k in r if k not in kolommen)
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new Workbook always has one sheet
    ws.title = "inventaris"
    ws.append(kolommen)
    for r in rows:
        ws.append([_xlsx_value(r.get(k)) for k in kolommen])
    for cell in ws["A"]:
        cell.number_format = "@"
    wb.properties.creator = "edepot"
    wb.properties.created = _VASTE_TIJD
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps "modified" and the zip times with now(): rewrite both below
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.modified = _VASTE_TIJD
    path.write_bytes(_deterministic_xlsx(buf.getvalue(), tostring(wb.properties.to_tree())))
    return path


def make_bulk_block(
    dest: Path,
    *,
    files: int,
    min_size: int,
    max_size: int,
    files_per_dossier: int = 100,
    seed: int = 0,
    block: str = "bulk",
    checksums: bool = False,
) -> Path:
    """Write a large valid block of genuine uncompressed grayscale TIFFs and return its folder.

    Every file size lies in ``[min_size, max_size]`` (drawn uniformly with ``seed``, then rounded to a
    whole image row of at most 256 bytes), every file has different content and hash, and every
    file is a TIFF that Pillow opens and siegfried identifies as fmt/353. Files are grouped in
    dossiers of ``files_per_dossier`` (folders ``0001``, ``0002`` ...); the inventory has one row per
    dossier. With ``checksums=True`` a ``checksums.sha256`` is written too.
    """
    if files < 1:
        raise InvalidInput(f"make_bulk_block: files={files}; ask for at least 1 file.")
    if files_per_dossier < 1:
        raise InvalidInput(f"make_bulk_block: files_per_dossier={files_per_dossier}; use at least 1.")
    if min_size > max_size:
        raise InvalidInput(f"make_bulk_block: min_size {min_size} > max_size {max_size}; swap them.")
    maker = _TiffSizes(min_size, max_size, seed)  # refuses an impossible size range before any write
    root = _new_block_root(dest, block)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    dossiers = (files + files_per_dossier - 1) // files_per_dossier
    breedte = max(4, len(str(dossiers)))
    written: list[Path] = []
    rows: list[dict[str, str]] = []
    for d in range(dossiers):
        nummer = f"{d + 1:0{breedte}d}"
        folder = root / nummer
        folder.mkdir()
        rows.append({
            "inventarisnummer": nummer,
            "titel": f"Bulkdossier {nummer}",
            "datering": str(1987 + d % 10),
            "archiefstuk": "",
            "openbaarheidsbeperking": "",
            "openbaar_vanaf": "",
            "waardering": "B",
            "selectielijst": "Provisa 2005, categorie 5",
        })
        for i in range(min(files_per_dossier, files - d * files_per_dossier)):
            index = d * files_per_dossier + i
            path = folder / f"{i + 1:04d}.tif"
            maker.write(path, rng.randint(min_size, max_size), index)
            written.append(path)
    (root / "inventaris.csv").write_bytes(_inventory_csv(rows, delimiter=",", encoding="utf-8"))
    _write_json(root / "digitalisering.json", DIGITALISERING)
    if checksums:
        _write_checksums(root, written)
    return root


# --- bulk TIFFs ----------------------------------------------------------------------------------


class _TiffSizes:
    """Genuine uncompressed 'L' TIFFs of a requested size, fast.

    Pillow writes the header and IFD first and the pixel strips after them, contiguously. So per image
    height we let Pillow write the TIFF once and keep only the bytes before the pixels; each file is
    that head plus a slice of one random buffer, starting at a per-file offset and with 16 per-file
    bytes in front, so every file differs.
    """

    _UNIEK = 16
    _VERSCHUIVING = 4096

    def __init__(self, min_size: int, max_size: int, seed: int) -> None:
        self.min_size, self.max_size = min_size, max_size
        self.width = max(1, min(256, (max_size - min_size + 1) // 2))
        self.seed = seed
        self._heads: dict[int, bytes] = {}
        self._rows_for_size: dict[int, int] = {}
        smallest = self._size(1)
        if max_size < smallest:
            raise InvalidInput(
                f"make_bulk_block: no TIFF fits in {min_size}..{max_size} bytes; "
                f"the smallest possible is {smallest} bytes, ask for a larger max_size."
            )
        pixels = self.width * (max_size // self.width + 1) + self._VERSCHUIVING
        self._buffer = memoryview(random.Random(seed).randbytes(pixels))  # noqa: S311 - test data

    def _head(self, rows: int) -> bytes:
        head = self._heads.get(rows)
        if head is None:
            buf = io.BytesIO()
            Image.new("L", (self.width, rows), 0).save(buf, format="TIFF", dpi=(RESOLUTIE_PPI, RESOLUTIE_PPI))
            data = buf.getvalue()
            head = data[: len(data) - self.width * rows]
            self._heads[rows] = head
        return head

    def _size(self, rows: int) -> int:
        return len(self._head(rows)) + self.width * rows

    def _rows(self, target: int) -> int:
        rows = self._rows_for_size.get(target)
        if rows is None:
            rows = max(1, round((target - len(self._head(1))) / self.width))
            while rows > 1 and self._size(rows) > self.max_size:
                rows -= 1
            while self._size(rows) < self.min_size:
                rows += 1
            if self._size(rows) > self.max_size:
                raise InvalidInput(
                    f"make_bulk_block: no TIFF size fits in {self.min_size}..{self.max_size} bytes; "
                    "widen the range."
                )
            self._rows_for_size[target] = rows
        return rows

    def write(self, path: Path, target: int, index: int) -> None:
        rows = self._rows(target)
        n = self.width * rows
        start = index % self._VERSCHUIVING
        uniek = hashlib.blake2b(f"{self.seed}:{index}".encode(), digest_size=self._UNIEK).digest()
        with path.open("wb") as f:
            f.write(self._head(rows))
            if n <= self._UNIEK:
                f.write(uniek[:n])
            else:
                f.write(uniek)
                f.write(self._buffer[start + self._UNIEK : start + n])


# --- scans of the demo block ---------------------------------------------------------------------


def _render_scan(dossier: _Dossier, scan: _Scan) -> bytes:
    seed = int.from_bytes(hashlib.sha256(f"{dossier.inventarisnummer}/{scan.pad}".encode()).digest()[:8])
    rng = random.Random(seed)  # noqa: S311 - reproducible page content, not security
    titel = dossier.titel
    if "/" in scan.pad:
        titel = next(t for m, t, _ in dossier.archiefstukken if scan.pad.startswith(m + "/"))
    if scan.soort == "kaart":
        return _tiff(_kaart(titel, rng), "tiff_lzw")
    paginas = [_pagina(dossier, titel, p + 1, scan.paginas, rng) for p in range(scan.paginas)]
    if scan.soort == "tiff-lzw":
        return _tiff(paginas[0], "tiff_lzw")
    if scan.soort == "tiff-g4":
        return _tiff(paginas[0].point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE),
                     "group4")
    if scan.soort == "jp2":
        buf = io.BytesIO()
        paginas[0].save(buf, format="JPEG2000", quality_mode="rates", quality_layers=[24], irreversible=True)
        return buf.getvalue()
    return _pdf(paginas, titel, pdfa=scan.soort == "pdfa")


@functools.lru_cache(maxsize=16)
def _font(size: int) -> _Font:
    try:
        return ImageFont.load_default(size=size)
    except ImportError:  # Pillow without FreeType: small bitmap font
        return ImageFont.load_default()


def _papier() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """An empty scanned sheet: off-white paper with a dark scanner bed edge and two punch holes."""
    w, h = PAGINA_PIXELS
    im = Image.new("L", (w, h), 238)
    draw = ImageDraw.Draw(im)
    draw.rectangle((w - 14, 0, w, h), fill=40)
    for y in (h // 2 - 200, h // 2 + 200):
        draw.ellipse((40, y - 18, 76, y + 18), fill=55)
    return im, draw


def _pagina(dossier: _Dossier, titel: str, nummer: int, van: int, rng: random.Random) -> Image.Image:
    im, draw = _papier()
    w, h = PAGINA_PIXELS
    klein, tekst, kop = _font(18), _font(22), _font(34)
    links, y = 150, 110
    _schrijf(draw, (links, y), "PROVINCIE LIMBURG", fill=20, font=kop)
    _schrijf(draw, (links, y + 46), "Gedeputeerde Staten", fill=40, font=tekst)
    draw.line((links, y + 84, w - 150, y + 84), fill=60, width=2)
    y += 130
    _schrijf(draw, (links, y), dossier.briefdatum, fill=30, font=tekst)
    _schrijf(draw, (links, y + 40), f"Onderwerp: {titel}", fill=30, font=tekst)
    _schrijf(draw, (links, y + 80), f"Inventarisnummer {dossier.inventarisnummer}", fill=60, font=klein)
    if nummer == 1:  # incoming-post stamp, slightly off the grid like a real stamp
        sx, sy = w - 470 + rng.randint(-20, 20), 150 + rng.randint(-15, 15)
        draw.rectangle((sx, sy, sx + 300, sy + 90), outline=70, width=4)
        _schrijf(draw, (sx + 24, sy + 14), "INGEKOMEN", fill=70, font=tekst)
        _schrijf(draw, (sx + 24, sy + 50), dossier.briefdatum.split(", ")[-1], fill=70, font=klein)
    y += 160
    zinnen = list(dossier.zinnen)
    while y < h - 330:
        rng.shuffle(zinnen)
        for zin in zinnen:
            for regel in _afbreken(zin, 78):
                if y >= h - 330:
                    break
                _schrijf(draw, (links, y), regel, fill=rng.randint(15, 45), font=tekst)
                y += 36
            y += 18
    if nummer == van:  # a signature: a random pen stroke
        x0, y0 = links + 20, h - 250
        punten = [(x0 + i * 14, y0 + rng.randint(-22, 22)) for i in range(24)]
        draw.line(punten, fill=35, width=3, joint="curve")
        _schrijf(draw, (links, h - 200), "namens Gedeputeerde Staten van Limburg", fill=40, font=klein)
    _schrijf(draw, (w // 2 - 30, h - 110), f"- {nummer} -", fill=50, font=klein)
    return im


def _kaart(titel: str, rng: random.Random) -> Image.Image:
    """A scanned drawing: parcels, a winding river, a legend box."""
    im, draw = _papier()
    w, h = PAGINA_PIXELS
    _schrijf(draw, (150, 100), titel, fill=25, font=_font(30))
    for _ in range(14):
        x, y = rng.randint(160, w - 400), rng.randint(220, h - 600)
        draw.rectangle((x, y, x + rng.randint(80, 260), y + rng.randint(60, 200)), outline=45, width=3)
    fase = rng.uniform(0, math.tau)
    rivier = [(110 + i * 20, 900 + int(170 * math.sin(fase + i / 9) + 40 * math.sin(i / 3)))
              for i in range(56)]
    draw.line(rivier, fill=90, width=18, joint="curve")
    for _ in range(6):
        x, y = rng.randint(200, w - 300), rng.randint(300, h - 600)
        draw.polygon([(x, y - 16), (x - 14, y + 10), (x + 14, y + 10)], fill=20)
    lx, ly = w - 520, h - 470
    draw.rectangle((lx, ly, lx + 360, ly + 300), outline=30, width=3, fill=250)
    tekst = _font(20)
    _schrijf(draw, (lx + 20, ly + 16), "Legenda", fill=20, font=tekst)
    draw.rectangle((lx + 20, ly + 70, lx + 70, ly + 100), outline=45, width=3)
    _schrijf(draw, (lx + 90, ly + 72), "perceel", fill=30, font=tekst)
    draw.line((lx + 20, ly + 150, lx + 70, ly + 150), fill=90, width=14)
    _schrijf(draw, (lx + 90, ly + 138), "Maas", fill=30, font=tekst)
    draw.polygon([(lx + 45, ly + 196), (lx + 31, ly + 222), (lx + 59, ly + 222)], fill=20)
    _schrijf(draw, (lx + 90, ly + 200), "peilbuis", fill=30, font=tekst)
    _schrijf(draw, (150, h - 150), "Schaal 1:2500", fill=40, font=tekst)
    return im


def _schrijf(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], tekst: str, *, fill: int, font: _Font
) -> None:
    """Draw text; accented letters the font lacks (Pillow's default font has no é) get composed
    from the base letter and a drawn accent, so "café" never shows a missing-glyph box."""
    samengesteld = [unicodedata.normalize("NFD", c) for c in tekst]
    basis = "".join(c[0] for c in samengesteld)
    x, y = xy
    draw.text((x, y), basis, fill=fill, font=font)
    for i, c in enumerate(samengesteld):
        if len(c) < 2:
            continue
        bx = x + font.getlength(basis[:i])
        left, top, right, bottom = _inkt(font, c[0])
        midden = bx + (left + right) / 2
        for teken in c[1:]:
            if teken in _ACCENTEN:
                ml, _, mr, mb = _inkt(font, _ACCENTEN[teken])
                draw.text((midden - (ml + mr) / 2, y + top - 2 - mb), _ACCENTEN[teken], fill=fill, font=font)
            elif teken == "\u0308":  # diaeresis: two dots
                r = max(1.0, (bottom - top) / 11)
                onder = y + top - 2
                for dx in (-(right - left) / 4, (right - left) / 4):
                    draw.ellipse((midden + dx - r, onder - 2 * r, midden + dx + r, onder), fill=fill)
            elif teken == "\u0327":  # cedilla
                draw.text((bx + left, y + bottom - 4), ",", fill=fill, font=font)


@functools.lru_cache(maxsize=256)
def _inkt(font: _Font, teken: str) -> tuple[int, int, int, int]:
    """Where a glyph puts ink, relative to the drawing position (getbbox measures the line box)."""
    maat = int(getattr(font, "size", 11)) * 3
    im = Image.new("L", (maat, maat), 0)
    ImageDraw.Draw(im).text((0, 0), teken, fill=255, font=font)
    return im.getbbox() or (0, 0, 0, 0)


def _afbreken(zin: str, breedte: int) -> list[str]:
    regels: list[str] = []
    regel = ""
    for woord in zin.split():
        if regel and len(regel) + 1 + len(woord) > breedte:
            regels.append(regel)
            regel = woord
        else:
            regel = f"{regel} {woord}".strip()
    return [*regels, regel] if regel else regels


def _tiff(im: Image.Image, compression: str) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="TIFF", compression=compression, dpi=(RESOLUTIE_PPI, RESOLUTIE_PPI))
    return buf.getvalue()


def _pdf(paginas: Sequence[Image.Image], titel: str, *, pdfa: bool) -> bytes:
    """Scanned pages as a PDF 1.7 (Pillow draws it, pikepdf rewrites it); optionally PDF/A-2b-ish."""
    import pikepdf

    vast = time.gmtime(_VASTE_EPOCH)
    buf = io.BytesIO()
    paginas[0].save(
        buf, format="PDF", save_all=True, append_images=list(paginas[1:]), resolution=float(RESOLUTIE_PPI),
        quality=60, title=titel, creator="Omniscan 12.14", creationDate=vast, modDate=vast,
    )
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        if pdfa:
            profiel = pdf.make_stream(_srgb_icc())
            profiel.N = 3
            pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier="sRGB IEC61966-2.1",
                Info="sRGB IEC61966-2.1",
                DestOutputProfile=profiel,
            )])
            xmp = pdf.make_stream(_pdfa_xmp(titel, "Omniscan 12.14"))
            xmp.Type = pikepdf.Name.Metadata
            xmp.Subtype = pikepdf.Name.XML
            pdf.Root.Metadata = xmp
        out = io.BytesIO()
        pdf.save(out, force_version="1.7", deterministic_id=True)
    return out.getvalue()


def _pdfa_xmp(titel: str, creator_tool: str) -> bytes:
    """XMP packet claiming PDF/A-2b, with the pdfaid properties written the way common PDF/A producers
    do (namespace declared on rdf:Description): siegfried's PDF/A signatures match those bytes."""
    from xml.sax.saxutils import escape

    datum = _VASTE_TIJD.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
        "   <dc:format>application/pdf</dc:format>\n"
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(titel)}</rdf:li></rdf:Alt></dc:title>\n'
        f"   <xmp:CreateDate>{datum}</xmp:CreateDate>\n"
        f"   <xmp:ModifyDate>{datum}</xmp:ModifyDate>\n"
        f"   <xmp:CreatorTool>{escape(creator_tool)}</xmp:CreatorTool>\n"
        "   <pdfaid:part>2</pdfaid:part>\n"
        "   <pdfaid:conformance>B</pdfaid:conformance>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _srgb_icc() -> bytes:
    """LittleCMS's built-in sRGB profile with its creation date (header bytes 24-35) pinned."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    t = _VASTE_TIJD
    data[24:36] = b"".join(v.to_bytes(2, "big") for v in (t.year, t.month, t.day, t.hour, t.minute, t.second))
    return bytes(data)


# --- inventory, manifest, helpers ----------------------------------------------------------------


def _inventory_csv(rows: Sequence[Mapping[str, str]], *, delimiter: str, encoding: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(INVENTARIS_KOLOMMEN)
    for r in rows:
        writer.writerow([r.get(k, "") for k in INVENTARIS_KOLOMMEN])
    return buf.getvalue().encode(encoding)


def _xlsx_value(value: object) -> str | int | float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _deterministic_xlsx(data: bytes, core: bytes) -> bytes:
    """The same workbook with ``docProps/core.xml`` replaced and every zip entry time pinned."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            inhoud = core if info.filename == "docProps/core.xml" else src.read(info)
            vast = zipfile.ZipInfo(info.filename, date_time=_VASTE_TIJD.timetuple()[:6])
            vast.compress_type = zipfile.ZIP_DEFLATED
            vast.external_attr = info.external_attr
            dst.writestr(vast, inhoud)
    return out.getvalue()


def _write_json(path: Path, data: Mapping[str, object]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_checksums(root: Path, files: Iterable[Path]) -> None:
    regels = []
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        regels.append(f"{digest}  {path.relative_to(root).as_posix()}\n")
    (root / "checksums.sha256").write_text("".join(regels), encoding="utf-8")


def _fix_times(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        os.utime(path, (_VASTE_EPOCH, _VASTE_EPOCH))
    os.utime(root, (_VASTE_EPOCH, _VASTE_EPOCH))


def _new_block_root(dest: Path, block: str) -> Path:
    if not block or block in {".", ".."} or "/" in block or "\\" in block:
        raise InvalidInput(f"Block name {block!r} is not a single folder name; use e.g. '1987-1996'.")
    root = Path(dest) / block
    if root.exists() and any(root.iterdir()):
        raise Conflict(
            f"Block folder {root} already exists and is not empty; choose another destination or remove it.",
            path=str(root),
        )
    root.mkdir(parents=True, exist_ok=True)
    return root
