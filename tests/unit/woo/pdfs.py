"""PDFs generated for the redaction specification, each with its secrets in a known place.

Made with reportlab (and pikepdf for what reportlab does not write: kerned TJ text, JavaScript,
attachments, metadata). Fonts: the standard 14 Helvetica and Times-Roman, and Bitstream Vera
Sans (the TrueType font reportlab ships, so it is always there), embedded by reportlab as a subset
TrueType font.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

DEJAVU = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # Bitstream Vera, shipped with reportlab
NAAM = "Johannes Verhoeven"
BSN = "111222333"
IBAN = "NL91ABNA0417164300"
EMAIL = "j.verhoeven@example.nl"
GEHEIM_KERN = "Zuiderbroek"  # shown with TJ kerning
GEHEIM_FORM = "Formulierwaarde"
GEHEIM_BIJLAGE = "Bijlagegeheim"
GEHEIM_JS = "Scriptgeheim"
GEHEIM_META = "Metadatageheim"
GEHEIM_ANNOTATIE = "Annotatiegeheim"
GEHEIM_XOBJECT = "Sjabloongeheim"
GEHEIM_SCAN = "SCANGEHEIM"


@dataclass(frozen=True)
class Plek:
    """Where a secret is drawn: page (1-based) and its box in points."""

    pagina: int
    x0: float
    y0: float
    x1: float
    y1: float


def _breedte(tekst: str, font: str, grootte: float) -> float:
    return pdfmetrics.stringWidth(tekst, font, grootte)


def registreer_dejavu() -> bool:
    if not DEJAVU.exists():
        return False
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    return True


def tekst_pdf(pad: Path) -> dict[str, Plek]:
    """Page 1: two columns in Helvetica and Times-Roman. Page 2: DejaVu (subset TrueType) + kerned TJ.

    Page 3: a form XObject with text. Page 4: a 'scanned' page, text only in an image, plus an
    invisible OCR layer. Returns where each secret is.
    """
    plekken: dict[str, Plek] = {}
    c = canvas.Canvas(str(pad), pagesize=A4)
    c.setAuthor(f"{GEHEIM_META} Auteur")
    c.setTitle("Besluit op Woo-verzoek")
    # page 1: two columns
    c.setFont("Helvetica", 11)
    links = ["Besluit op het verzoek van", f"de heer {NAAM} te Maastricht.", f"BSN: {BSN}", "Dit is kolom een."]
    rechts = ["Rekeningnummer", IBAN, f"Mail: {EMAIL}", "Dit is kolom twee."]
    for i, regel in enumerate(links):
        c.drawString(72, 760 - 16 * i, regel)
    c.setFont("Times-Roman", 11)
    for i, regel in enumerate(rechts):
        c.drawString(320, 760 - 16 * i, regel)
    x = 72 + _breedte("de heer ", "Helvetica", 11)
    plekken["naam"] = Plek(1, x, 740, x + _breedte(NAAM, "Helvetica", 11), 755)
    x = 72 + _breedte("BSN: ", "Helvetica", 11)
    plekken["bsn"] = Plek(1, x, 724, x + _breedte(BSN, "Helvetica", 11), 739)
    plekken["iban"] = Plek(1, 320, 740, 320 + _breedte(IBAN, "Times-Roman", 11), 755)
    c.setFont("Helvetica", 9)
    c.drawString(72, 600, "Openbare zin die moet blijven staan.")
    c.textAnnotation(f"{GEHEIM_ANNOTATIE} opmerking", Rect=(400, 600, 450, 650))
    c.bookmarkPage("p1")
    c.addOutlineEntry(f"Hoofdstuk {NAAM}", "p1")
    c.acroForm.textfield(name="naam", value=GEHEIM_FORM, x=72, y=500, width=200, height=20)
    c.showPage()
    # page 2: subset-embedded TrueType and a kerned line (written below with pikepdf)
    if registreer_dejavu():
        c.setFont("DejaVuSans", 12)
        c.drawString(72, 760, f"Geachte {NAAM},")
        c.drawString(72, 740, "Met vriendelijke groet, de provincie.")
        x = 72 + _breedte("Geachte ", "DejaVuSans", 12)
        plekken["naam_tt"] = Plek(2, x, 757, x + _breedte(NAAM, "DejaVuSans", 12), 772)
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, "Adres:")
    c.showPage()
    # page 3: a form XObject with text
    c.beginForm("sjabloon")
    c.setFont("Helvetica", 12)
    c.drawString(0, 0, f"{GEHEIM_XOBJECT} in sjabloon")
    c.endForm()
    c.doForm("sjabloon")  # at the origin; moved with a translation:
    c.saveState()
    c.translate(72, 600)
    c.doForm("sjabloon")
    c.restoreState()
    c.setFont("Helvetica", 12)
    c.drawString(72, 560, "Onder het sjabloon staat openbare tekst.")
    plekken["xobject"] = Plek(3, 72, 597, 72 + _breedte(GEHEIM_XOBJECT, "Helvetica", 12), 612)
    c.showPage()
    # page 4: a scan: the text exists only as pixels, with an invisible OCR layer on top
    beeld = Image.new("L", (1200, 400), 255)
    teken = ImageDraw.Draw(beeld)
    font = ImageFont.truetype(str(DEJAVU), 64) if DEJAVU.exists() else ImageFont.load_default(size=64)
    teken.text((40, 150), f"Naam: {GEHEIM_SCAN}", fill=0, font=font)
    links = 40 + teken.textlength("Naam: ", font=font)
    _, boven, rechts, onder = teken.textbbox((40, 150), f"Naam: {GEHEIM_SCAN}", font=font)
    buffer = io.BytesIO()
    beeld.save(buffer, format="PNG")
    buffer.seek(0)
    from reportlab.lib.utils import ImageReader

    schaal = 450 / 1200  # points per pixel; the image sits at (72, 500), 450 x 150 points

    def punt(px: float, py: float) -> tuple[float, float]:
        return 72 + px * schaal, 650 - py * schaal

    c.drawImage(ImageReader(buffer), 72, 500, width=450, height=150)
    x0, y0 = punt(links, onder)
    x1, y1 = punt(rechts, boven)
    ocr = c.beginText(x0, y0 + 2)
    ocr.setTextRenderMode(3)
    ocr.setFont("Helvetica", (y1 - y0) * 0.9)
    ocr.setHorizScale(100 * (x1 - x0) / _breedte(GEHEIM_SCAN, "Helvetica", (y1 - y0) * 0.9))
    ocr.textOut(GEHEIM_SCAN)
    c.drawText(ocr)
    plekken["scan"] = Plek(4, x0 - 2, y0 - 3, x1 + 2, y1 + 3)
    c.showPage()
    c.save()
    _na_bewerking(pad, plekken)
    return plekken


def _na_bewerking(pad: Path, plekken: dict[str, Plek]) -> None:
    """Add what reportlab does not write: a kerned TJ line, JavaScript, an attachment, XMP."""
    with pikepdf.open(pad, allow_overwriting_input=True) as pdf:
        page = pdf.pages[1]
        fonts = page.obj.Resources.Font
        helvetica = next(naam for naam, font in fonts.items() if str(font.get("/BaseFont")) == "/Helvetica")
        regel = (f"BT {helvetica} 12 Tf 1 0 0 1 130 700 Tm "
                 f"[(Straat ) -40 (Zu) 30 (id) -25 (erbroek) 120 ( 12)] TJ ET\n").encode()
        pdf.pages[1].contents_add(pdf.make_stream(regel), prepend=False)
        start = 130 + _breedte("Straat ", "Helvetica", 12) + 40 / 1000 * 12
        breed = _breedte(GEHEIM_KERN, "Helvetica", 12) - (30 + (-25)) / 1000 * 12
        plekken["kern"] = Plek(2, start, 697, start + breed, 712)
        js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{GEHEIM_JS}');"))
        pdf.Root.OpenAction = pdf.make_indirect(js)
        names = pdf.Root.get("/Names") or pdf.make_indirect(pikepdf.Dictionary())
        names.JavaScript = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), pdf.make_indirect(js)]))
        pdf.Root.Names = names
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=pdf.make_indirect(js))
        pdf.attachments["geheim.txt"] = pikepdf.AttachedFileSpec(pdf, f"{GEHEIM_BIJLAGE} {BSN}".encode(),
                                                                 mime_type="text/plain")
        with pdf.open_metadata() as meta:
            meta["dc:creator"] = [f"{GEHEIM_META} Auteur"]
        pdf.save(pad)
