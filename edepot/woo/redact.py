"""True redaction of PDFs for Woo publication: the text under each area is removed, not covered.

`redact(pdf_in, pdf_out, redactions)` writes a new PDF and returns a `RedactionReport`.

1. Text redactions are located with pdfium's text search (case-insensitive, on the given page or
   on every page) and become areas; the loose character boxes of each hit, merged per line.
2. Per page with areas the content stream is rewritten (pikepdf): a small interpreter follows the
   graphics and text state (CTM, q/Q, Tm, Tf, Tc, Tw, Tz, TL, Ts) and computes the box of every
   glyph from the text matrix, font size and the font's widths (pdfminer's font metrics, AFM
   metrics for the standard 14 fonts). Glyphs whose box touches an area are cut out of their
   Tj/TJ/'/" string; a TJ displacement keeps the remaining glyphs where they were. Marked-content
   ActualText/Alt/E is dropped. Image XObjects under an area are copied and painted black in the
   pixel data. Vector paths wholly inside an area are dropped.
3. When that cannot be done safely, the page is rasterised instead (pdfium renders it, the areas
   are painted black in the pixels, the page content is replaced by the image): Type3 fonts,
   CMaps other than Identity-H, vertical writing, unknown fonts, a `gs` that sets a font, Form
   XObjects or inline images under an area, images that cannot be decoded, complex paths
   partly under an area, or a page where verification still finds redacted text. The report
   says which method each redaction got, and why a page was rasterised.
4. Black boxes are drawn over every area with the Woo ground printed in them (white Helvetica).
5. Document metadata (Info, XMP on every object), annotations, AcroForm, JavaScript (names tree,
   OpenAction, AA), embedded and associated files, outlines, the structure tree, thumbnails and
   piece info are removed; the whole file is written anew (one %%EOF, no incremental update).
6. Before returning, the output is verified: the text is re-extracted with pdfplumber and pypdfium2
   and the decompressed file (qpdf via pikepdf, streams decoded) is searched byte-wise: the text of
   a text redaction must be found nowhere in the document (also not on pages it was not asked
   for: use page None for every page); inside every area neither extractor may find a character
   other than the printed ground; every page renders; there is exactly one %%EOF. Pages that fail
   after text removal are rasterised and verified again; a failure after that deletes the output
   and raises `RedactieMislukt`.

Areas are rectangles in PDF points in the page's default user space (origin bottom-left, the
coordinates pdfium and pdfplumber report, before /Rotate). The report never contains the redacted
text itself.
"""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, Stream, String

from edepot.errors import EdepotError, Finding, InvalidInput, Severity
from edepot.woo.suggest import WooGrond

# --- public types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    """A rectangle in PDF points (default user space, origin bottom-left)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.x0, self.y0, self.x1, self.y1)):
            raise InvalidInput(f"redaction area {self} has a non-finite coordinate", hint="give numbers in points")
        if self.x1 < self.x0 or self.y1 < self.y0:
            object.__setattr__(self, "x0", min(self.x0, self.x1))
            object.__setattr__(self, "x1", max(self.x0, self.x1))
            object.__setattr__(self, "y0", min(self.y0, self.y1))
            object.__setattr__(self, "y1", max(self.y0, self.y1))

    @property
    def breedte(self) -> float:
        return self.x1 - self.x0

    @property
    def hoogte(self) -> float:
        return self.y1 - self.y0

    def raakt(self, ander: Rect, marge: float = 0.0) -> bool:
        """True when the two overlap by more than `marge` in both directions."""
        return (min(self.x1, ander.x1) - max(self.x0, ander.x0) > marge
                and min(self.y1, ander.y1) - max(self.y0, ander.y0) > marge)

    def bevat_punt(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def bevat(self, ander: Rect) -> bool:
        return self.x0 <= ander.x0 and self.y0 <= ander.y0 and ander.x1 <= self.x1 and ander.y1 <= self.y1

    def als_lijst(self) -> list[float]:
        return [round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2)]


@dataclass(frozen=True)
class Redaction:
    """One thing to redact: an area on a page, or a text (on one page or, with page None, on all)."""

    grond: WooGrond
    wie: str
    wanneer: datetime
    pagina: int | None = None  # 1-based
    gebied: Rect | None = None
    tekst: str | None = None

    def __post_init__(self) -> None:
        if (self.gebied is None) == (self.tekst is None or not self.tekst.strip()):
            raise InvalidInput(
                "a redaction needs exactly one of an area or a text to find",
                hint="give `gebied` (with `pagina`) or a non-empty `tekst`",
            )
        if self.gebied is not None and self.pagina is None:
            raise InvalidInput("an area redaction needs its page number", hint="give `pagina` (1-based)")
        if self.pagina is not None and self.pagina < 1:
            raise InvalidInput(f"page {self.pagina} does not exist", hint="pages are numbered from 1")
        if self.grond not in set(WooGrond):
            raise InvalidInput(f"{self.grond!r} is not a Woo ground",
                               hint="use 5.1.1a-e, 5.1.2a-i, 5.1.5 or 5.2", grond=str(self.grond))
        if not self.wie.strip():
            raise InvalidInput("a redaction needs the name of who made it", hint="give `wie`")


class Methode(StrEnum):
    VERWIJDERD = "removed"  # the text was cut out of the content stream
    GERASTERD = "rasterised"  # the page was replaced by an image with the areas painted black


@dataclass(frozen=True)
class Logregel:
    """One redacted area as it goes into the event log and the publication's inventory."""

    redactie: int  # index into the redactions passed in
    pagina: int
    gebied: Rect
    grond: WooGrond
    wie: str
    wanneer: datetime
    methode: Methode

    def as_dict(self) -> dict[str, Any]:
        return {"redactie": self.redactie, "pagina": self.pagina, "gebied": self.gebied.als_lijst(),
                "grond": str(self.grond), "wie": self.wie, "wanneer": self.wanneer.isoformat(),
                "methode": str(self.methode)}


@dataclass(frozen=True)
class RedactionReport:
    invoer_sha256: str
    uitvoer_sha256: str
    paginas: int
    regels: tuple[Logregel, ...]
    gerasterd: dict[int, str]  # page -> why it was rasterised
    verwijderd: tuple[str, ...]  # what was stripped from the document (annotations, JavaScript, ...)
    controles: tuple[str, ...]  # the verifications that passed
    bevindingen: tuple[Finding, ...] = ()  # warnings, e.g. a redacted area's text also elsewhere

    def as_dict(self) -> dict[str, Any]:
        return {
            "invoer_sha256": self.invoer_sha256, "uitvoer_sha256": self.uitvoer_sha256,
            "paginas": self.paginas, "regels": [r.as_dict() for r in self.regels],
            "gerasterd": {str(k): v for k, v in self.gerasterd.items()},
            "verwijderd": list(self.verwijderd), "controles": list(self.controles),
            "bevindingen": [b.as_dict() for b in self.bevindingen],
        }


class RedactieMislukt(EdepotError):
    """The redacted PDF failed verification: something redacted could still be recovered."""

    code = "redaction-failed"
    title = "Redaction failed verification"
    http_status = 500
    exit_code = 65


# --- matrices ----------------------------------------------------------------------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITEIT: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _maal(m1: Matrix, m2: Matrix) -> Matrix:
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _punt(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _omhullende(m: Matrix, x0: float, y0: float, x1: float, y1: float) -> Rect:
    punten = [_punt(m, x, y) for x in (x0, x1) for y in (y0, y1)]
    return Rect(min(p[0] for p in punten), min(p[1] for p in punten),
                max(p[0] for p in punten), max(p[1] for p in punten))


def _inverse(m: Matrix) -> Matrix | None:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if abs(det) < 1e-12:
        return None
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


# --- fonts -------------------------------------------------------------------------------------


class _Onveilig(Exception):
    """Text cannot be removed safely from this page: rasterise it."""


@dataclass
class _Font:
    multibyte: bool  # 2-byte codes (Identity-H) instead of 1-byte
    breedte: Any  # code -> width in text space units (glyph units / 1000)
    ascent: float
    descent: float


class _Fonts:
    """Font metrics per page resource name, from pdfminer (which knows AFM and CID widths)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._paginas: list[Any] | None = None
        self._cache: dict[tuple[int, str], _Font | str] = {}
        self._rsrc: Any = None

    def _laad(self) -> list[Any]:
        if self._paginas is None:
            from pdfminer.pdfdocument import PDFDocument
            from pdfminer.pdfinterp import PDFResourceManager
            from pdfminer.pdfpage import PDFPage
            from pdfminer.pdfparser import PDFParser

            parser = PDFParser(io.BytesIO(self._data))
            self._paginas = list(PDFPage.create_pages(PDFDocument(parser)))
            self._rsrc = PDFResourceManager(caching=True)
        return self._paginas

    def font(self, pagina: int, naam: str) -> _Font:
        sleutel = (pagina, naam)
        if sleutel not in self._cache:
            try:
                self._cache[sleutel] = self._maak(pagina, naam)
            except _Onveilig as exc:
                self._cache[sleutel] = str(exc)
            except Exception as exc:  # pdfminer raises many kinds on odd fonts
                self._cache[sleutel] = f"font {naam} unreadable ({type(exc).__name__})"
        gevonden = self._cache[sleutel]
        if isinstance(gevonden, str):
            raise _Onveilig(gevonden)
        return gevonden

    def _maak(self, pagina: int, naam: str) -> _Font:
        from pdfminer.pdffont import PDFCIDFont, PDFType3Font
        from pdfminer.pdftypes import PDFObjRef, resolve1
        from pdfminer.psparser import literal_name

        page = self._laad()[pagina]
        fonts = resolve1((page.resources or {}).get("Font")) or {}
        ref = fonts.get(naam.lstrip("/"))
        if ref is None:
            raise _Onveilig(f"font {naam} not in the page resources")
        spec = resolve1(ref)
        objid = ref.objid if isinstance(ref, PDFObjRef) else None
        subtype = literal_name(spec.get("Subtype")) if spec.get("Subtype") is not None else ""
        if subtype == "Type3":
            raise _Onveilig(f"Type3 font {naam}")
        font = self._rsrc.get_font(objid, spec)
        if isinstance(font, PDFType3Font):
            raise _Onveilig(f"Type3 font {naam}")
        if isinstance(font, PDFCIDFont):
            encoding = resolve1(spec.get("Encoding"))
            if encoding is None or literal_name(encoding) != "Identity-H":
                raise _Onveilig(f"font {naam}: CMap other than Identity-H")
            if font.is_vertical():
                raise _Onveilig(f"font {naam}: vertical writing")
            multibyte = True
        elif subtype in ("Type1", "MMType1", "TrueType"):
            multibyte = False
        else:
            raise _Onveilig(f"font {naam}: unsupported subtype {subtype!r}")
        ascent, descent = float(font.get_ascent()), float(font.get_descent())
        if ascent - descent < 0.5 or ascent <= 0:
            ascent, descent = 0.95, -0.3  # missing or odd metrics: a generous box
        return _Font(multibyte=multibyte, breedte=font.char_width, ascent=ascent, descent=descent)


# --- the content stream interpreter ------------------------------------------------------------

_TEKST_TONEN = {"Tj", "TJ", "'", '"'}
_PAD_BOUW = {"m", "l", "c", "v", "y", "re", "h"}
_PAD_VERF = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}
_MARKED_WEG = ("/ActualText", "/Alt", "/E")
_MAX_SEGMENTEN_GEDEELTELIJK = 16


@dataclass
class _Tekststaat:
    tc: float = 0.0
    tw: float = 0.0
    th: float = 1.0
    tl: float = 0.0
    font: str | None = None
    fs: float = 0.0
    rise: float = 0.0


@dataclass
class _Staat:
    ctm: Matrix = IDENTITEIT
    tekst: _Tekststaat = field(default_factory=_Tekststaat)

    def kopie(self) -> _Staat:
        return _Staat(self.ctm, _Tekststaat(**vars(self.tekst)))


def _getal(obj: Any) -> float:
    return float(obj)


def _resources(page: Any) -> Any:
    node = page.obj if hasattr(page, "obj") else page
    while node is not None:
        if "/Resources" in node:
            return node.Resources
        node = node.get("/Parent")
    return Dictionary()


def _heeft_inhoud(xobject: Any, diepte: int = 0) -> bool:
    """Whether a Form XObject draws anything (text, images, nested forms, paths)."""
    if diepte > 8:
        return True
    try:
        instructies = pikepdf.parse_content_stream(xobject)
    except Exception:
        return True
    for instructie in instructies:
        op = str(instructie.operator)
        if op in _TEKST_TONEN or op in _PAD_VERF - {"n"} or op in ("Do", "INLINE IMAGE", "sh"):
            return True
    return False


class _Herschrijver:
    """Rewrites one page's content stream so that nothing under `gebieden` remains."""

    def __init__(self, pdf: pikepdf.Pdf, page: Any, index: int, gebieden: Sequence[Rect], fonts: _Fonts) -> None:
        self.pdf = pdf
        self.page = page
        self.index = index
        self.gebieden = gebieden
        self.fonts = fonts
        self.resources = _resources(page)
        self.xobjects = self.resources.get("/XObject", Dictionary())
        self.gewijzigde_xobjects: dict[str, Any] = {}
        self.staat = _Staat()
        self.stapel: list[_Staat] = []
        self.tm: Matrix = IDENTITEIT
        self.tlm: Matrix = IDENTITEIT
        self.in_bt = False
        self.open_q = 0
        self.geraakt = False

    # glyph geometry
    def _trm_basis(self) -> Matrix:
        t = self.staat.tekst
        return _maal(_maal((t.fs * t.th, 0.0, 0.0, t.fs, 0.0, t.rise), self.tm), self.staat.ctm)

    def _toon(self, data: bytes) -> list[tuple[bytes, float, bool]]:
        """Per glyph: its code bytes, its advance (text space, incl. Tc/Tw) and whether it is hit."""
        t = self.staat.tekst
        if t.font is None:
            raise _Onveilig("text shown without a font")
        font = self.fonts.font(self.index, t.font)
        stap = 2 if font.multibyte else 1
        if len(data) % stap:
            raise _Onveilig(f"font {t.font}: odd byte count for a 2-byte encoding")
        glyphs = []
        for i in range(0, len(data), stap):
            code_bytes = data[i:i + stap]
            code = int.from_bytes(code_bytes, "big")
            w0 = float(font.breedte(code))
            if not math.isfinite(w0):
                raise _Onveilig(f"font {t.font}: no width for code {code}")
            trm = self._trm_basis()
            box = _omhullende(trm, min(0.0, w0), font.descent, max(w0, 0.0), font.ascent)
            hit = any(box.raakt(g, 0.01) or g.bevat(box) for g in self.gebieden)
            woord = t.tw if (not font.multibyte and code == 32) else 0.0
            tx = (w0 * t.fs + t.tc + woord) * t.th
            self.tm = _maal((1.0, 0.0, 0.0, 1.0, tx, 0.0), self.tm)
            glyphs.append((code_bytes, tx, hit))
        return glyphs

    def _verschuif(self, getal: float) -> None:
        t = self.staat.tekst
        self.tm = _maal((1.0, 0.0, 0.0, 1.0, -getal / 1000.0 * t.fs * t.th, 0.0), self.tm)

    def _als_tj(self, delen: list[Any]) -> list[Any]:
        """Show `delen` (bytes and TJ numbers); returns the TJ array with hit glyphs cut out."""
        t = self.staat.tekst
        uit: list[Any] = []
        buffer = bytearray()
        gat = 0.0  # text space displacement of removed glyphs not yet written
        for deel in delen:
            if isinstance(deel, bytes):
                for code_bytes, tx, hit in self._toon(deel):
                    if hit:
                        if buffer:
                            uit.append(String(bytes(buffer)))
                            buffer = bytearray()
                        gat += tx
                        self.geraakt = True
                    else:
                        if gat:
                            uit.append(self._gat_getal(gat))
                            gat = 0.0
                        buffer += code_bytes
            else:
                if buffer:
                    uit.append(String(bytes(buffer)))
                    buffer = bytearray()
                if gat:
                    uit.append(self._gat_getal(gat))
                    gat = 0.0
                self._verschuif(deel)
                uit.append(deel)
        if buffer:
            uit.append(String(bytes(buffer)))
        if gat:
            uit.append(self._gat_getal(gat))
        if not t.fs or not t.th:
            raise _Onveilig("text with zero font size or horizontal scaling")
        return uit

    def _gat_getal(self, tx: float) -> float:
        t = self.staat.tekst
        if not t.fs or not t.th:
            raise _Onveilig("text with zero font size or horizontal scaling")
        return round(-tx * 1000.0 / (t.fs * t.th), 4)

    def _tekst_op(self, op: str, operanden: list[Any]) -> list[tuple[list[Any], str]]:
        t = self.staat.tekst
        if not self.in_bt:
            raise _Onveilig("text shown outside BT/ET")
        voor: list[tuple[list[Any], str]] = []
        if op == "'":
            self._volgende_regel()
            voor.append(([], "T*"))
            delen: list[Any] = [bytes(operanden[0])]
        elif op == '"':
            t.tw, t.tc = _getal(operanden[0]), _getal(operanden[1])
            self._volgende_regel()
            voor += [([operanden[0]], "Tw"), ([operanden[1]], "Tc"), ([], "T*")]
            delen = [bytes(operanden[2])]
        elif op == "Tj":
            delen = [bytes(operanden[0])]
        else:
            delen = [bytes(d) if isinstance(d, String) else _getal(d) for d in operanden[0]]
        return [*voor, ([Array(self._als_tj(delen))], "TJ")]

    def _volgende_regel(self) -> None:
        self.tlm = _maal((1.0, 0.0, 0.0, 1.0, 0.0, -self.staat.tekst.tl), self.tlm)
        self.tm = self.tlm

    def _xobject(self, naam: str) -> list[tuple[list[Any], str]] | None:
        xobject = self.xobjects.get(naam)
        if xobject is None:
            return None
        subtype = xobject.get("/Subtype")
        if subtype == Name.Image:
            plaats = _omhullende(self.staat.ctm, 0, 0, 1, 1)
            geraakt = [g for g in self.gebieden if plaats.raakt(g)]
            if geraakt:
                nieuwe_naam = self._verf_afbeelding(naam, xobject, geraakt)
                self.geraakt = True
                return [([Name(nieuwe_naam)], "Do")]
            return None
        if subtype == Name.Form:
            bbox = [float(v) for v in xobject.get("/BBox", [0, 0, 0, 0])]
            matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITEIT))
            plaats = _omhullende(_maal(matrix, self.staat.ctm), *bbox)  # type: ignore[arg-type]
            if any(plaats.raakt(g) for g in self.gebieden) and _heeft_inhoud(xobject):
                raise _Onveilig(f"Form XObject {naam} under a redaction area")
        return None

    def _verf_afbeelding(self, naam: str, xobject: Any, gebieden: list[Rect]) -> str:
        """A black-painted copy of the image, registered under a new name; returns that name."""
        inverse = _inverse(self.staat.ctm)
        if inverse is None:
            raise _Onveilig(f"image {naam} drawn with a singular matrix")
        try:
            beeld = pikepdf.PdfImage(xobject).as_pil_image()
        except Exception as exc:
            raise _Onveilig(f"image {naam} cannot be decoded ({type(exc).__name__})") from None
        from PIL import ImageDraw

        beeld = beeld.convert("L" if beeld.mode in ("1", "L", "LA") else "RGB")
        breedte, hoogte = beeld.size
        teken = ImageDraw.Draw(beeld)
        for gebied in gebieden:
            # area -> unit square of the image (y up) -> pixels (y down); whole pixels, rounded outward
            r = _omhullende(inverse, gebied.x0, gebied.y0, gebied.x1, gebied.y1)
            px0, px1 = math.floor(r.x0 * breedte) - 1, math.ceil(r.x1 * breedte) + 1
            py0, py1 = math.floor((1 - r.y1) * hoogte) - 1, math.ceil((1 - r.y0) * hoogte) + 1
            teken.rectangle([max(px0, 0), max(py0, 0), min(px1, breedte - 1), min(py1, hoogte - 1)], fill=0)
        # The copy has no /SMask or /Mask: a mask can carry the same shapes as the pixels.
        nieuw = _beeld_stream(self.pdf, beeld)
        nieuwe_naam = f"{naam}_gelakt"
        while nieuwe_naam in self.xobjects or nieuwe_naam in self.gewijzigde_xobjects:
            nieuwe_naam += "x"
        self.gewijzigde_xobjects[nieuwe_naam] = nieuw
        return nieuwe_naam

    def herschrijf(self) -> tuple[list[Any], int]:
        """The new instructions and the number of q left open by the original content."""
        uit: list[Any] = []
        pad: list[Any] = []
        pad_box: list[Rect] = []
        segmenten = 0
        clip = False
        for instructie in pikepdf.parse_content_stream(self.page):
            if isinstance(instructie, pikepdf.ContentStreamInlineImage):
                plaats = _omhullende(self.staat.ctm, 0, 0, 1, 1)
                if any(plaats.raakt(g) for g in self.gebieden):
                    raise _Onveilig("inline image under a redaction area")
                uit.append(instructie)
                continue
            operanden, op = list(instructie.operands), str(instructie.operator)
            t = self.staat.tekst
            if op in _PAD_BOUW:
                pad.append(instructie)
                getallen = [_getal(o) for o in operanden]
                if op == "re":
                    x, y, w, h = getallen
                    pad_box.append(_omhullende(self.staat.ctm, min(x, x + w), min(y, y + h),
                                               max(x, x + w), max(y, y + h)))
                else:
                    for i in range(0, len(getallen) - 1, 2):
                        px, py = _punt(self.staat.ctm, getallen[i], getallen[i + 1])
                        pad_box.append(Rect(px, py, px, py))
                segmenten += 1
                continue
            if op in ("W", "W*"):
                clip = True
                pad.append(instructie)
                continue
            if op in _PAD_VERF:
                uit += self._verf_pad(pad, pad_box, segmenten, clip, instructie)
                pad, pad_box, segmenten, clip = [], [], 0, False
                continue
            if pad:  # a path without painting operator: keep as it was
                uit += pad
                pad, pad_box, segmenten, clip = [], [], 0, False
            if op == "q":
                self.stapel.append(self.staat.kopie())
                self.open_q += 1
            elif op == "Q":
                if self.stapel:
                    self.staat = self.stapel.pop()
                    self.open_q -= 1
            elif op == "cm":
                self.staat.ctm = _maal(tuple(_getal(o) for o in operanden), self.staat.ctm)  # type: ignore[arg-type]
            elif op == "BT":
                self.in_bt, self.tm, self.tlm = True, IDENTITEIT, IDENTITEIT
            elif op == "ET":
                self.in_bt = False
            elif op == "Tf":
                t.font, t.fs = str(operanden[0]), _getal(operanden[1])
            elif op == "Tc":
                t.tc = _getal(operanden[0])
            elif op == "Tw":
                t.tw = _getal(operanden[0])
            elif op == "Tz":
                t.th = _getal(operanden[0]) / 100.0
            elif op == "TL":
                t.tl = _getal(operanden[0])
            elif op == "Ts":
                t.rise = _getal(operanden[0])
            elif op in ("Td", "TD"):
                tx, ty = _getal(operanden[0]), _getal(operanden[1])
                if op == "TD":
                    t.tl = -ty
                self.tlm = _maal((1.0, 0.0, 0.0, 1.0, tx, ty), self.tlm)
                self.tm = self.tlm
            elif op == "Tm":
                self.tlm = self.tm = tuple(_getal(o) for o in operanden)  # type: ignore[assignment]
            elif op == "T*":
                self._volgende_regel()
            elif op in _TEKST_TONEN:
                for nieuwe_operanden, nieuwe_op in self._tekst_op(op, operanden):
                    uit.append(pikepdf.ContentStreamInstruction(nieuwe_operanden, Operator(nieuwe_op)))
                continue
            elif op == "gs":
                extgstate = self.resources.get("/ExtGState", Dictionary()).get(str(operanden[0]))
                if extgstate is not None and "/Font" in extgstate:
                    raise _Onveilig("graphics state sets a font")
            elif op == "Do":
                vervanging = self._xobject(str(operanden[0]))
                if vervanging is not None:
                    for nieuwe_operanden, nieuwe_op in vervanging:
                        uit.append(pikepdf.ContentStreamInstruction(nieuwe_operanden, Operator(nieuwe_op)))
                    continue
            elif op == "BDC" and isinstance(operanden[1], Dictionary):
                eigenschappen = Dictionary({k: v for k, v in operanden[1].items() if k not in _MARKED_WEG})
                uit.append(pikepdf.ContentStreamInstruction([operanden[0], eigenschappen], Operator("BDC")))
                continue
            elif op in ("d0", "d1"):
                raise _Onveilig("glyph procedure operators in page content")
            uit.append(instructie)
        uit += pad
        return uit, max(self.open_q, 0)

    def _verf_pad(self, pad: list[Any], boxes: list[Rect], segmenten: int, clip: bool, verf: Any) -> list[Any]:
        if not boxes:
            return [*pad, verf]
        omvang = Rect(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
                      max(b.x1 for b in boxes), max(b.y1 for b in boxes))
        geraakt = [g for g in self.gebieden if omvang.raakt(g) or g.bevat(omvang)]
        if not geraakt or str(verf.operator) == "n":
            return [*pad, verf]
        if any(g.bevat(omvang) for g in geraakt):
            if clip:
                raise _Onveilig("clipping path inside a redaction area")
            self.geraakt = True
            return []
        if segmenten > _MAX_SEGMENTEN_GEDEELTELIJK:
            raise _Onveilig("complex vector drawing partly under a redaction area")
        return [*pad, verf]


def _beeld_stream(pdf: pikepdf.Pdf, beeld: Any) -> Stream:
    """A Flate-compressed image XObject (DeviceGray or DeviceRGB, 8 bits) of a PIL image."""
    grijs = beeld.mode == "L"
    stream = Stream(pdf, zlib.compress(beeld.tobytes(), 6))
    stream.Type = Name.XObject
    stream.Subtype = Name.Image
    stream.Width, stream.Height = beeld.size
    stream.ColorSpace = Name.DeviceGray if grijs else Name.DeviceRGB
    stream.BitsPerComponent = 8
    stream.Filter = Name.FlateDecode
    return stream


# --- labels and boxes --------------------------------------------------------------------------

_LABEL_FONT = "/EdepotGrond"


def _helvetica_breedte(tekst: str) -> float:
    from pdfminer.fontmetrics import FONT_METRICS

    breedtes = FONT_METRICS["Helvetica"][1]
    return sum(float(breedtes.get(c, 556)) for c in tekst) / 1000.0


@dataclass(frozen=True)
class _Label:
    tekst: str
    x: float
    y: float
    grootte: float

    @property
    def midden(self) -> tuple[float, float]:
        return (self.x + _helvetica_breedte(self.tekst) * self.grootte / 2, self.y + self.grootte * 0.35)


def _label(gebied: Rect, grond: WooGrond) -> _Label | None:
    tekst = str(grond)
    grootte = min(10.0, gebied.hoogte * 0.7)
    breedte = _helvetica_breedte(tekst)
    if breedte * grootte > gebied.breedte - 2:
        grootte = (gebied.breedte - 2) / breedte
    if grootte < 3:
        return None
    x = gebied.x0 + (gebied.breedte - breedte * grootte) / 2
    y = gebied.y0 + (gebied.hoogte - grootte * 0.7) / 2
    return _Label(tekst, x, y, grootte)


def _dozen_en_labels(gebieden: Sequence[tuple[Rect, WooGrond]]) -> tuple[bytes, list[_Label]]:
    regels = [b"q 0 0 0 rg"]
    for gebied, _ in gebieden:
        regels.append(f"{gebied.x0:.3f} {gebied.y0:.3f} {gebied.breedte:.3f} {gebied.hoogte:.3f} re f".encode())
    labels = []
    for gebied, grond in gebieden:
        label = _label(gebied, grond)
        if label is None:
            continue
        labels.append(label)
        regels.append(f"BT 1 1 1 rg {_LABEL_FONT} {label.grootte:.3f} Tf {label.x:.3f} {label.y:.3f} Td "
                      f"({label.tekst}) Tj ET".encode())
    regels.append(b"Q")
    return b"\n".join(regels) + b"\n", labels


def _zet_label_font(pdf: pikepdf.Pdf, resources: Any) -> None:
    fonts = resources.get("/Font")
    if fonts is None:
        resources.Font = fonts = Dictionary()
    fonts[_LABEL_FONT] = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding))


# --- locating text redactions ------------------------------------------------------------------


def _regels_samenvoegen(boxes: list[tuple[float, float, float, float]]) -> list[Rect]:
    """Loose character boxes of one hit merged per line (same baseline band)."""
    regels: list[list[float]] = []
    for left, bottom, right, top in boxes:
        for regel in regels:
            overlap = min(top, regel[3]) - max(bottom, regel[1])
            if overlap > 0.5 * min(top - bottom, regel[3] - regel[1]):
                regel[0], regel[1] = min(regel[0], left), min(regel[1], bottom)
                regel[2], regel[3] = max(regel[2], right), max(regel[3], top)
                break
        else:
            regels.append([left, bottom, right, top])
    return [Rect(*r) for r in regels]


def _zoek_tekst(pdfium_doc: Any, tekst: str, paginas: Iterable[int]) -> dict[int, list[Rect]]:
    gevonden: dict[int, list[Rect]] = {}
    for index in paginas:
        page = pdfium_doc[index]
        textpage = page.get_textpage()
        zoeker = textpage.search(tekst, match_case=False, match_whole_word=False)
        while (treffer := zoeker.get_next()) is not None:
            begin, aantal = treffer
            boxes = [textpage.get_charbox(i, loose=True) for i in range(begin, begin + aantal)]
            boxes = [b for b in boxes if b[2] > b[0] and b[3] > b[1]]
            gevonden.setdefault(index, []).extend(_regels_samenvoegen(boxes))
        zoeker.close()
        textpage.close()
    return gevonden


# --- rasterising -------------------------------------------------------------------------------


def _rasteriseer(pdf: pikepdf.Pdf, pdfium_doc: Any, index: int, gebieden: Sequence[Rect], dpi: float) -> None:
    """Replace page `index` by an image of itself with the areas painted black in the pixels."""
    from PIL import ImageDraw

    page = pdf.pages[index]
    bron = pdfium_doc[index]
    bron.set_rotation(0)
    crop = [float(v) for v in page.cropbox]
    cx0, cy0, cx1, cy1 = min(crop[0], crop[2]), min(crop[1], crop[3]), max(crop[0], crop[2]), max(crop[1], crop[3])
    schaal = dpi / 72.0
    beeld = bron.render(scale=schaal, draw_annots=False, may_draw_forms=False).to_pil().convert("RGB")
    breedte, hoogte = beeld.size
    sx, sy = breedte / (cx1 - cx0), hoogte / (cy1 - cy0)
    teken = ImageDraw.Draw(beeld)
    for g in gebieden:
        teken.rectangle([math.floor((g.x0 - cx0) * sx) - 1, math.floor((cy1 - g.y1) * sy) - 1,
                         math.ceil((g.x1 - cx0) * sx) + 1, math.ceil((cy1 - g.y0) * sy) + 1], fill=(0, 0, 0))
    rood, groen, blauw = beeld.split()
    if rood.tobytes() == groen.tobytes() == blauw.tobytes():
        beeld = beeld.convert("L")
    afbeelding = pdf.make_indirect(_beeld_stream(pdf, beeld))
    page.obj.Resources = Dictionary(XObject=Dictionary(EdepotPagina=afbeelding))
    inhoud = f"q {cx1 - cx0:.4f} 0 0 {cy1 - cy0:.4f} {cx0:.4f} {cy0:.4f} cm /EdepotPagina Do Q\n".encode()
    page.obj.Contents = pdf.make_stream(inhoud)
    for sleutel in ("/Group",):
        if sleutel in page.obj:
            del page.obj[sleutel]


# --- stripping ---------------------------------------------------------------------------------

_CATALOGUS_WEG = (
    ("/AcroForm", "interactive form (AcroForm)"), ("/OpenAction", "open action"), ("/AA", "document actions (AA)"),
    ("/Names", "names tree (JavaScript, embedded files, destinations)"), ("/Outlines", "outlines (bookmarks)"),
    ("/Metadata", "XMP metadata"), ("/StructTreeRoot", "structure tree (tags, Alt texts)"),
    ("/AF", "associated files"), ("/PieceInfo", "piece info"), ("/Collection", "portfolio"),
    ("/Threads", "article threads"), ("/SpiderInfo", "web capture info"), ("/Perms", "permissions"),
    ("/Legal", "legal attestation"), ("/Dests", "named destinations"),
)
_PAGINA_WEG = ("/Annots", "/AA", "/Metadata", "/PieceInfo", "/AF", "/Thumb", "/B", "/StructParents")
_OBJECT_WEG = ("/Metadata", "/AF", "/PieceInfo", "/AA", "/JS")


def _ontdoe(pdf: pikepdf.Pdf) -> list[str]:
    verwijderd: list[str] = []
    root = pdf.Root
    names = root.get("/Names")
    if names is not None:
        for sleutel, wat in (("/JavaScript", "JavaScript"), ("/EmbeddedFiles", "embedded files")):
            if sleutel in names:
                verwijderd.append(wat)
    for sleutel, wat in _CATALOGUS_WEG:
        if sleutel in root:
            del root[sleutel]
            verwijderd.append(wat)
    if "/MarkInfo" in root:
        del root["/MarkInfo"]
    annotaties = 0
    for page in pdf.pages:
        annotaties += len(page.obj.get("/Annots", []))
        for sleutel in _PAGINA_WEG:
            if sleutel in page.obj:
                del page.obj[sleutel]
    if annotaties:
        verwijderd.append(f"annotations ({annotaties})")
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
        verwijderd.append("document information (Info)")
    for obj in pdf.objects:
        if isinstance(obj, Dictionary | Stream):
            for sleutel in _OBJECT_WEG:
                if sleutel in obj:
                    del obj[sleutel]
    return verwijderd


# --- verification ------------------------------------------------------------------------------


def _normaal(tekst: str) -> str:
    return " ".join(tekst.casefold().split())


def _zonder_wit(tekst: str) -> str:
    return "".join(tekst.casefold().split())


def _byte_vormen(geheim: str) -> list[bytes]:
    vormen = {geheim.encode("utf-8"), geheim.encode("utf-16-be")}
    try:
        latin = geheim.encode("latin-1")
        vormen |= {latin, latin.hex().encode(), latin.hex().upper().encode()}
    except UnicodeEncodeError:
        pass
    return sorted(vormen)


@dataclass
class _Controle:
    fouten: dict[int | None, list[str]] = field(default_factory=dict)  # page index (None: file) -> problems
    gedaan: list[str] = field(default_factory=list)

    def fout(self, pagina: int | None, wat: str) -> None:
        self.fouten.setdefault(pagina, []).append(wat)


def _verifieer(
    data: bytes,
    geheimen: set[str],
    gebieden: dict[int, list[tuple[Rect, WooGrond]]],
    labels: dict[int, list[_Label]],
) -> _Controle:
    """Every check on the bytes that will be written.

    `geheimen` (the texts of text redactions) must not be found anywhere: not by pdfplumber, not
    by pypdfium2, not in the decompressed bytes. For areas the check is positional, with both
    extractors: no character may be left inside an area except the printed ground (the same words
    may legitimately occur elsewhere on the page).
    """
    import pdfplumber
    import pypdfium2 as pdfium

    controle = _Controle()
    if data.count(b"%%EOF") != 1:
        controle.fout(None, f"{data.count(b'%%EOF')} %%EOF markers (an incremental update?)")

    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        for sleutel, wat in _CATALOGUS_WEG:
            if sleutel in root:
                controle.fout(None, f"{wat} still present")
        if "/Info" in pdf.trailer:
            controle.fout(None, "document information still present")
        for page in pdf.pages:
            if "/Annots" in page.obj:
                controle.fout(page.index, "annotations still present")
        ruw = io.BytesIO()
        pdf.save(ruw, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.all,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    ruw_klein = ruw.getvalue().lower()
    for geheim in geheimen:
        if len(geheim.strip()) >= 5 and any(vorm.lower() in ruw_klein for vorm in _byte_vormen(geheim)):
            controle.fout(None, "a redacted string is present in the decompressed file")
    controle.gedaan.append("byte search of the decompressed file (qpdf, all streams decoded)")

    def zoek(bron: str, index: int, tekst: str) -> None:
        normaal, kaal = _normaal(tekst), _zonder_wit(tekst)
        for geheim in geheimen:
            if _normaal(geheim) in normaal or (len(_zonder_wit(geheim)) >= 6 and _zonder_wit(geheim) in kaal):
                controle.fout(index, f"a redacted string is still extracted by {bron}")

    def in_gebieden(bron: str, index: int, tekens: list[tuple[str, float, float]]) -> None:
        for gebied, _ in gebieden.get(index, []):
            rest = "".join(t for t, x, y in tekens if gebied.bevat_punt(x, y) and not t.isspace())
            for label in labels.get(index, []):
                if gebied.bevat_punt(*label.midden):
                    rest = rest.replace(label.tekst, "", 1)
            if rest:
                controle.fout(index, f"{bron} finds characters other than the ground inside a redaction area")

    with pdfplumber.open(io.BytesIO(data)) as plumber:
        for index, blad in enumerate(plumber.pages):
            zoek("pdfplumber", index, blad.extract_text() or "")
            if index in gebieden:
                hoogte, x0, y0 = float(blad.height), float(blad.bbox[0]), float(blad.bbox[1])
                in_gebieden("pdfplumber", index, [
                    (str(c["text"]), (float(c["x0"]) + float(c["x1"])) / 2 + x0,
                     hoogte - (float(c["top"]) + float(c["bottom"])) / 2 + y0) for c in blad.chars])
    controle.gedaan.append("text re-extracted with pdfplumber; no characters inside redaction areas")

    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            zoek("pypdfium2", index, textpage.get_text_range())
            if index in gebieden:
                tekens = []
                for i in range(textpage.count_chars()):
                    left, bottom, right, top = textpage.get_charbox(i)
                    tekens.append((textpage.get_text_range(i, 1), (left + right) / 2, (bottom + top) / 2))
                in_gebieden("pypdfium2", index, tekens)
            textpage.close()
            bitmap = page.render(scale=0.25)
            if bitmap.width < 1 or bitmap.height < 1:
                controle.fout(index, "page does not render")
        controle.gedaan += ["text re-extracted with pypdfium2; no characters inside redaction areas",
                            "every page renders (pypdfium2)", "exactly one %%EOF"]
    finally:
        document.close()
    return controle


# --- the use case ------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def redact(
    pdf_in: Path,
    pdf_out: Path,
    redactions: list[Redaction],
    *,
    dpi: float = 150.0,
    rasteriseer: Iterable[int] = (),
) -> RedactionReport:
    """Write a truly redacted copy of `pdf_in` to `pdf_out` and report what was done.

    `rasteriseer` names (1-based) pages to rasterise regardless. Raises `InvalidInput` for an
    unreadable or encrypted PDF, a page that does not exist or a text that is not found (mark an
    area instead: text that exists only in an image cannot be searched), and `RedactieMislukt`
    when the output fails verification (the output is then deleted).
    """
    import pypdfium2 as pdfium

    data = Path(pdf_in).read_bytes()
    try:
        origineel = pdfium.PdfDocument(data)
    except Exception as exc:
        raise InvalidInput(f"{pdf_in}: not a readable PDF ({exc})", hint="give an unencrypted, valid PDF",
                           file=str(pdf_in)) from None
    try:
        aantal = len(origineel)
        per_pagina: dict[int, list[tuple[Rect, WooGrond, int]]] = {}
        geheimen: set[str] = set()
        for nummer, redactie in enumerate(redactions):
            if redactie.pagina is not None and redactie.pagina > aantal:
                raise InvalidInput(f"redaction {nummer}: page {redactie.pagina} does not exist ({aantal} pages)",
                                   hint="number pages from 1", redactie=nummer)
            if redactie.gebied is not None:
                index = (redactie.pagina or 1) - 1
                per_pagina.setdefault(index, []).append((redactie.gebied, redactie.grond, nummer))
                continue
            tekst = (redactie.tekst or "").strip()
            paginas = [redactie.pagina - 1] if redactie.pagina else range(aantal)
            treffers = _zoek_tekst(origineel, tekst, paginas)
            if not treffers:
                waar = f"page {redactie.pagina}" if redactie.pagina else "any page"
                raise InvalidInput(
                    f"redaction {nummer}: the text is not found on {waar}",
                    hint="mark the area instead (text in a scanned image cannot be searched)",
                    redactie=nummer,
                )
            geheimen.add(tekst)
            for index, rects in treffers.items():
                for rect in rects:
                    per_pagina.setdefault(index, []).append((rect, redactie.grond, nummer))

        forceer = {p - 1 for p in rasteriseer}
        for _ in range(2):
            uitvoer, gerasterd, labels, verwijderd = _schrijf(data, origineel, per_pagina, forceer, dpi)
            gebieden = {i: [(r, g) for r, g, _ in items] for i, items in per_pagina.items()}
            controle = _verifieer(uitvoer, geheimen, gebieden, labels)
            herstelbaar = {p for p in controle.fouten if p in per_pagina and p not in gerasterd}
            if not controle.fouten or None in controle.fouten or not herstelbaar:
                break
            forceer |= herstelbaar  # removal left something behind: rasterise those pages and retry
    finally:
        origineel.close()

    if controle.fouten:
        Path(pdf_out).unlink(missing_ok=True)
        problemen = [f"{'file' if p is None else f'page {p + 1}'}: {w}"
                     for p, ws in controle.fouten.items() for w in ws]
        raise RedactieMislukt(
            f"{pdf_in}: the redacted PDF failed verification: {'; '.join(sorted(set(problemen)))}",
            hint="nothing was written; mark larger areas or rasterise the pages, and report this file",
            file=str(pdf_in),
        )
    Path(pdf_out).write_bytes(uitvoer)

    bevindingen = []
    regels = tuple(
        Logregel(redactie=nummer, pagina=index + 1, gebied=rect, grond=grond, wie=redactions[nummer].wie,
                 wanneer=redactions[nummer].wanneer,
                 methode=Methode.GERASTERD if index in gerasterd else Methode.VERWIJDERD)
        for index, items in sorted(per_pagina.items()) for rect, grond, nummer in items
    )
    for index, reden in sorted(gerasterd.items()):
        bevindingen.append(Finding(
            rule="woo.redact.rasterised", severity=Severity.WAARSCHUWING,
            message=f"page {index + 1} was rasterised: {reden}",
            action="check the page image; its text is no longer searchable", object=str(pdf_in),
        ))
    return RedactionReport(
        invoer_sha256=_sha256(data), uitvoer_sha256=_sha256(uitvoer), paginas=aantal, regels=regels,
        gerasterd={i + 1: r for i, r in sorted(gerasterd.items())}, verwijderd=tuple(verwijderd),
        controles=tuple(controle.gedaan), bevindingen=tuple(bevindingen),
    )


def _schrijf(
    data: bytes,
    origineel: Any,
    per_pagina: dict[int, list[tuple[Rect, WooGrond, int]]],
    forceer: set[int],
    dpi: float,
) -> tuple[bytes, dict[int, str], dict[int, list[_Label]], list[str]]:
    fonts = _Fonts(data)
    gerasterd: dict[int, str] = {}
    labels: dict[int, list[_Label]] = {}
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise InvalidInput("the PDF is encrypted with a password", hint="give the unencrypted original") from None
    with pdf:
        for index, items in sorted(per_pagina.items()):
            page = pdf.pages[index]
            rects = [r for r, _, _ in items]
            if index in forceer:
                gerasterd[index] = "verification found text left after removal, or rasterising was asked for"
                _rasteriseer(pdf, origineel, index, rects, dpi)
            else:
                try:
                    herschrijver = _Herschrijver(pdf, page, index, rects, fonts)
                    instructies, open_q = herschrijver.herschrijf()
                except _Onveilig as exc:
                    gerasterd[index] = str(exc)
                    _rasteriseer(pdf, origineel, index, rects, dpi)
                else:
                    inhoud = b"q\n" + pikepdf.unparse_content_stream(instructies) + b"\n" + b"Q\n" * (open_q + 1)
                    resources = Dictionary({k: v for k, v in _resources(page).items()})
                    if herschrijver.gewijzigde_xobjects:
                        xobjects = Dictionary({k: v for k, v in resources.get("/XObject", Dictionary()).items()})
                        for naam, stream in herschrijver.gewijzigde_xobjects.items():
                            xobjects[naam] = pdf.make_indirect(stream)
                        resources.XObject = xobjects
                    if "/Font" in resources:
                        resources.Font = Dictionary({k: v for k, v in resources.Font.items()})
                    page.obj.Resources = resources
                    page.obj.Contents = pdf.make_stream(inhoud)
            dozen, labels[index] = _dozen_en_labels([(r, g) for r, g, _ in items])
            _zet_label_font(pdf, page.obj.Resources)
            page.obj.Contents = pdf.make_stream(bytes(page.obj.Contents.read_bytes()) + b"\n" + dozen)
            # an image replaced by its painted copy must not stay behind as an unused resource
            page.remove_unreferenced_resources()
        verwijderd = _ontdoe(pdf)
        uit = io.BytesIO()
        pdf.save(uit, linearize=False, compress_streams=True, deterministic_id=True,
                 fix_metadata_version=False, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return uit.getvalue(), gerasterd, labels, verwijderd
