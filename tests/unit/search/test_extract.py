"""Full-text extraction: damaged and hostile files give a reason, never an exception; real files give text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from edepot.search.extract import MAX_MEMBER_BYTES, extract_file, extract_text
from edepot.search.model import MAX_FULL_TEXT_CHARS


def make_pdf(pages: list[str]) -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, pagesize=A4)
    for text in pages:
        drawing.drawString(72, 760, text)
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def make_zip(members: dict[str, bytes | str], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != stored_first:
                archive.writestr(name, content)
    return buffer.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def docx(body: str) -> bytes:
    return make_zip({
        "[Content_Types].xml": '<?xml version="1.0"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?>'
        f"<w:document {W}><w:body>{body}</w:body></w:document>",
    })


def odt(body: str) -> bytes:
    return make_zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF}>'
            f"<office:body><office:text>{body}</office:text></office:body></office:document-content>",
        },
        stored_first="mimetype",
    )


# -- damaged and hostile input first ------------------------------------------------------------


def test_a_damaged_pdf_gives_a_reason_not_an_exception() -> None:
    damaged = make_pdf(["Provinciale Staten"])[:200] + b"\x00garbage" * 50
    result = extract_text(damaged, mime="application/pdf")
    assert result.text is None
    assert result.reason and "damaged" in result.reason


def test_an_encrypted_pdf_says_it_needs_the_password() -> None:
    import pikepdf

    with pikepdf.open(io.BytesIO(make_pdf(["Geheim besluit"]))) as pdf:
        locked = io.BytesIO()
        pdf.save(locked, encryption=pikepdf.Encryption(owner="eigenaar", user="gebruiker"))
    result = extract_text(locked.getvalue(), mime="application/pdf")
    assert result.text is None and "encrypted" in (result.reason or "")


def test_empty_content_gives_a_reason() -> None:
    assert extract_text(b"  \n ", mime="text/html").reason == "empty content: no text"


def test_random_bytes_labelled_pdf_give_a_reason() -> None:
    result = extract_text(b"%PDF-1.7 this is not a pdf at all", mime="application/pdf")
    assert result.text is None and result.reason


def test_a_zip_bomb_is_refused_by_the_ratio_guard() -> None:
    bomb = make_zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": b"<a>" + b" " * 20_000_000})
    result = extract_text(bomb, filename="bom.odt")
    assert result.text is None
    assert result.reason and "zip bomb" in result.reason


def test_a_zip_member_that_lies_about_its_size_is_refused() -> None:
    data = bytearray(make_zip({"word/document.xml": b"<a>" + b"x" * (MAX_MEMBER_BYTES + 10) + b"</a>"}))
    # Forge the declared sizes (central directory and local header) to look small and harmless.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.infolist()[0]
    real = info.file_size.to_bytes(4, "little")
    data = bytearray(bytes(data).replace(real, (1000).to_bytes(4, "little")))
    result = extract_text(bytes(data), filename="leugen.docx")
    assert result.text is None and result.reason


def test_xml_with_a_doctype_inside_an_office_file_is_refused() -> None:
    hostile = make_zip({
        "word/document.xml": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>",
    })
    result = extract_text(hostile, filename="entiteit.docx")
    assert result.text is None
    assert result.reason and "DOCTYPE" in result.reason


def test_a_zip_that_is_no_office_document_gives_a_reason() -> None:
    result = extract_text(make_zip({"readme.txt": "hallo"}), filename="archief.docx")
    assert result.text is None and result.reason


def test_binary_content_labelled_as_text_gives_a_reason() -> None:
    result = extract_text(b"\x00\x01\x02\x03" * 100, mime="text/plain")
    assert result.text is None and result.reason == "binary content, not text"


def test_an_unknown_format_gives_a_reason() -> None:
    result = extract_text(b"\x89PNG\r\n\x1a\n....", mime="image/png")
    assert result.text is None and result.reason


def test_an_image_only_pdf_says_it_needs_ocr() -> None:
    result = extract_text(make_pdf(["", ""]), mime="application/pdf")
    assert result.text is None and "OCR" in (result.reason or "")


def test_a_missing_file_gives_a_reason(tmp_path: Path) -> None:
    result = extract_file(tmp_path / "bestaat-niet.pdf")
    assert result.text is None and result.reason


# -- real text ----------------------------------------------------------------------------------


def test_text_of_every_pdf_page_with_pypdfium2() -> None:
    result = extract_text(make_pdf(["Besluit Gedeputeerde Staten", "Vergunning grindwinning Roermond"]),
                          mime="application/pdf")
    assert result.method == "pypdfium2"
    assert result.text is not None
    assert "Besluit Gedeputeerde Staten" in result.text and "Vergunning grindwinning Roermond" in result.text


def test_plain_text_in_windows_1252_is_decoded() -> None:
    data = "Café één geëist: € 25 voor de reünie".encode("cp1252")
    result = extract_text(data, filename="notitie.txt")
    assert result.text == "Café één geëist: € 25 voor de reünie"
    assert result.method == "text (cp1252)"


def test_plain_text_in_utf8_and_utf16_with_bom() -> None:
    assert extract_text("Reünie".encode(), mime="text/plain").text == "Reünie"
    assert extract_text("Reünie".encode("utf-16"), mime="text/plain").text == "Reünie"


def test_html_text_without_scripts_styles_or_comments() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Besluit</title><style>p{color:red}</style>"
        b'<script>alert("x")</script></head><body><!-- geheim --><h1>Besluit</h1>'
        b"<p>Vergunning <b>verleend</b></p><img src='http://example.invalid/x.png'></body></html>"
    )
    result = extract_text(page, mime="text/html")
    assert result.text is not None
    assert "Vergunning verleend" in result.text
    assert "alert" not in result.text and "color" not in result.text and "geheim" not in result.text


def test_docx_paragraphs_from_word_document_xml() -> None:
    result = extract_text(
        docx("<w:p><w:r><w:t>Verslag van de </w:t></w:r><w:r><w:t>vergadering</w:t></w:r></w:p>"
             "<w:p><w:r><w:t>Tweede alinea</w:t></w:r></w:p>"),
        filename="verslag.docx",
    )
    assert result.method == "docx"
    assert result.text == "Verslag van de vergadering\nTweede alinea"


def test_odt_paragraphs_headings_and_spaces() -> None:
    result = extract_text(
        odt("<text:h>Notulen</text:h><text:p>Aanwezig:<text:s/>de <text:span>gedeputeerde</text:span></text:p>"),
        mime="application/vnd.oasis.opendocument.text",
    )
    assert result.method == "odf"
    assert result.text == "Notulen\nAanwezig: de gedeputeerde"


def test_xlsx_shared_and_inline_strings() -> None:
    s = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    data = make_zip({
        "xl/workbook.xml": f"<workbook {s}/>",
        "xl/sharedStrings.xml": f"<sst {s}><si><t>Subsidie</t></si>"
        "<si><r><t>Natuur</t></r><r><t>beheer</t></r></si></sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet {s}><sheetData><row><c t="inlineStr"><is><t>Venlo</t></is></c>'
        "</row></sheetData></worksheet>",
    })
    result = extract_text(data, filename="lijst.xlsx")
    assert result.method == "xlsx"
    assert result.text == "Subsidie\nNatuurbeheer\nVenlo"


def test_pptx_slides_in_order() -> None:
    a = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    data = make_zip({
        "ppt/slides/slide10.xml": f"<sld {a}><a:p><a:r><a:t>Tiende</a:t></a:r></a:p></sld>",
        "ppt/slides/slide2.xml": f"<sld {a}><a:p><a:r><a:t>Tweede</a:t></a:r></a:p></sld>",
    })
    result = extract_text(data, filename="presentatie.pptx")
    assert result.text == "Tweede\n\nTiende"


def test_long_text_is_cut_to_the_index_maximum() -> None:
    result = extract_text(("woord " * 50_000).encode(), mime="text/plain")
    assert result.text is not None and len(result.text) == MAX_FULL_TEXT_CHARS


def test_extract_file_reads_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "besluit.pdf"
    path.write_bytes(make_pdf(["Ontgrondingsvergunning"]))
    result = extract_file(path)
    assert result.ok and "Ontgrondingsvergunning" in (result.text or "")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_office_files_never_raise(keep: float) -> None:
    whole = odt("<text:p>" + "Tekst " * 500 + "</text:p>")
    data = whole[: int(len(whole) * keep)]
    result = extract_text(data, filename="kapot.odt")
    assert result.text is None and result.reason
