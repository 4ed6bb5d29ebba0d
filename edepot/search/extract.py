"""Full text for the search index, extracted from PDF, plain text, HTML, ODF and OOXML.

`extract_text(data, mime=..., filename=...)` returns an `Extractie`: the text (at most
MAX_FULL_TEXT_CHARS) or None with a reason. It never raises on a damaged or hostile file:
indexing must never fail an ingest. PDFs go through pypdfium2 (fast, PDFium) with pdfplumber as
the fallback; ZIP-based formats are read member by member with size and ratio limits (zip-bomb
guard) and their XML parts through `edepot.xmlsafe.parse` (no DTDs, no entities, no network);
HTML is parsed by lxml without network access and with scripts and styles dropped.
"""

from __future__ import annotations

import codecs
import io
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from edepot import xmlsafe
from edepot.errors import EdepotError
from edepot.search.model import MAX_FULL_TEXT_CHARS

MAX_INPUT_BYTES = 256 * 1024 * 1024
MAX_PDF_PAGES = 2_000
MAX_ZIP_MEMBERS = 10_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # uncompressed size of one XML part we read
MAX_ZIP_TOTAL_BYTES = 256 * 1024 * 1024  # uncompressed size of all parts we read
MAX_RATIO = 100  # uncompressed/compressed above this (for parts over 1 MB) is a zip bomb
_RATIO_FLOOR_BYTES = 1024 * 1024

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe

ODF_MIMES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
OOXML_MIMES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}
_SUFFIXES = {
    ".pdf": "pdf",
    ".txt": "text",
    ".csv": "text",
    ".md": "text",
    ".htm": "html",
    ".html": "html",
    ".xhtml": "html",
    ".odt": "zip",
    ".ods": "zip",
    ".odp": "zip",
    ".docx": "zip",
    ".xlsx": "zip",
    ".pptx": "zip",
}


@dataclass(frozen=True)
class Extractie:
    """The result of one extraction: `text` or None with `reason`; `method` says what read it."""

    text: str | None
    reason: str | None = None
    method: str | None = None

    @property
    def ok(self) -> bool:
        return self.text is not None


class _Refused(Exception):
    """Internal: extraction stopped for `reason` (bomb, damage, encryption, no text ...)."""


def extract_file(path: Path | str, *, mime: str | None = None) -> Extractie:
    """Extract the text of the file at `path` (read whole, up to MAX_INPUT_BYTES)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            return Extractie(None, f"file of {size} bytes is larger than {MAX_INPUT_BYTES}; not extracted")
        data = path.read_bytes()
    except OSError as exc:
        return Extractie(None, f"file cannot be read: {exc.strerror or exc}")
    return extract_text(data, mime=mime, filename=path.name)


def extract_text(data: bytes, *, mime: str | None = None, filename: str | None = None) -> Extractie:
    """The text of `data` (kind from `mime`, else the file name, else the first bytes)."""
    if not data.strip():
        return Extractie(None, "empty content: no text")
    kind = _kind(data, mime, filename)
    if kind is None:
        return Extractie(None, f"no text extraction for {mime or filename or 'this content'}")
    if len(data) > MAX_INPUT_BYTES:
        return Extractie(None, f"content of {len(data)} bytes is larger than {MAX_INPUT_BYTES}; not extracted")
    readers = {"pdf": _pdf, "text": _plain, "html": _html, "zip": _zip}
    try:
        text, method = readers[kind](data)
    except _Refused as refused:
        return Extractie(None, str(refused), kind)
    except (EdepotError, etree.LxmlError, zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError) as exc:
        return Extractie(None, f"damaged {kind} content: {exc}", kind)
    text = _tidy(text)
    if not text:
        return Extractie(None, "no text found (an image-only document needs OCR)", method)
    return Extractie(text[:MAX_FULL_TEXT_CHARS], None, method)


def _kind(data: bytes, mime: str | None, filename: str | None) -> str | None:
    base = (mime or "").split(";")[0].strip().lower()
    if base == "application/pdf":
        return "pdf"
    if base in ODF_MIMES or base in OOXML_MIMES:
        return "zip"
    if base in {"text/html", "application/xhtml+xml"}:
        return "html"
    if base.startswith("text/"):
        return "text"
    if filename:
        suffix = Path(filename).suffix.lower()
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if re.match(rb"(?i)<!doctype html|<html", head):
        return "html"
    return None


def _tidy(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


# -- PDF -----------------------------------------------------------------------------------------


def _pdf(data: bytes) -> tuple[str, str]:
    try:
        return _pdfium(data), "pypdfium2"
    except _Refused:
        raise
    except Exception as first:  # PdfiumError and friends; pdfplumber gets a second try
        try:
            return _pdfplumber(data), "pdfplumber"
        except Exception as second:
            raise _Refused(f"damaged PDF: {first}; pdfplumber: {type(second).__name__}: {second}") from None


def _pdfium(data: bytes) -> str:
    import pypdfium2

    texts: list[str] = []
    total = 0
    with _PDFIUM_LOCK:
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise _Refused("encrypted PDF: no text without the password") from None
            raise
        try:
            for number in range(min(len(document), MAX_PDF_PAGES)):
                page = document[number]
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_bounded()
                finally:
                    textpage.close()
                    page.close()
                texts.append(text)
                total += len(text)
                if total >= MAX_FULL_TEXT_CHARS:
                    break
        finally:
            document.close()
    return "\n\n".join(texts)


def _pdfplumber(data: bytes) -> str:
    import pdfplumber

    texts: list[str] = []
    total = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            texts.append(text)
            total += len(text)
            page.close()
            if total >= MAX_FULL_TEXT_CHARS:
                break
    return "\n\n".join(texts)


# -- plain text and HTML ------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: a BOM, else UTF-8 when valid, else windows-1252 (the usual
    encoding of older Dutch office text; latin-1 is its subset for printable characters)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _plain(data: bytes) -> tuple[str, str]:
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith(tuple(bom for bom, _ in _BOMS)):
        raise _Refused("binary content, not text")
    text, encoding = decode(data)
    return text, f"text ({encoding})"


def _html(data: bytes) -> tuple[str, str]:
    import lxml.html

    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
    root = lxml.html.document_fromstring(data, parser=parser)
    for element in list(root.iter("script", "style", "noscript", "template")):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
        element.tail = "\n" + (element.tail or "")
    return str(root.text_content()), "html"


# -- ZIP-based: ODF and OOXML ----------------------------------------------------------------------

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


class _Zip:
    """A ZIP archive read under limits: member count, size per member, total size, ratio."""

    def __init__(self, data: bytes) -> None:
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.members = {info.filename: info for info in self.archive.infolist()}
        if len(self.members) > MAX_ZIP_MEMBERS:
            raise _Refused(f"zip bomb guard: {len(self.members)} members (limit {MAX_ZIP_MEMBERS})")
        self.read_total = 0

    def read(self, name: str) -> bytes:
        info = self.members[name]
        declared = info.file_size
        if declared > MAX_MEMBER_BYTES:
            raise _Refused(f"zip bomb guard: {name} unpacks to {declared} bytes (limit {MAX_MEMBER_BYTES})")
        if declared > _RATIO_FLOOR_BYTES and declared > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(f"zip bomb guard: {name} compresses {declared // max(info.compress_size, 1)}:1")
        with self.archive.open(info) as stream:  # never trust the declared size: read one byte past it
            content = stream.read(MAX_MEMBER_BYTES + 1)
        if len(content) > MAX_MEMBER_BYTES:
            raise _Refused(f"zip bomb guard: {name} unpacks beyond {MAX_MEMBER_BYTES} bytes")
        self.read_total += len(content)
        if self.read_total > MAX_ZIP_TOTAL_BYTES:
            raise _Refused(f"zip bomb guard: parts unpack beyond {MAX_ZIP_TOTAL_BYTES} bytes in total")
        return content

    def xml(self, name: str) -> Any:
        return xmlsafe.parse(self.read(name), source=name)


def _zip(data: bytes) -> tuple[str, str]:
    archive = _Zip(data)
    if "mimetype" in archive.members and "content.xml" in archive.members:
        return _odf(archive), "odf"
    if "word/document.xml" in archive.members:
        return _docx(archive), "docx"
    if "xl/workbook.xml" in archive.members:
        return _xlsx(archive), "xlsx"
    if any(name.startswith("ppt/slides/slide") for name in archive.members):
        return _pptx(archive), "pptx"
    raise _Refused("zip archive that is neither ODF nor OOXML")


def _paragraphs(root: Any, paragraph: str, run_text: str) -> str:
    lines = []
    for element in root.iter(paragraph):
        lines.append("".join(t.text or "" for t in element.iter(run_text)))
    return "\n".join(lines)


def _odf(archive: _Zip) -> str:
    root = archive.xml("content.xml")
    lines = []
    for element in root.iter(f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h"):
        parts: list[str] = []
        _odf_text(element, parts)
        lines.append("".join(parts))
    return "\n".join(lines)


def _odf_text(element: Any, parts: list[str]) -> None:
    """Text of an ODF paragraph: <text:s/> is a space, <text:tab/> a tab, <text:line-break/> a newline."""
    if element.text:
        parts.append(element.text)
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "s":
            parts.append(" " * int(child.get(f"{{{_ODF_TEXT}}}c", "1") or 1))
        elif name == "tab":
            parts.append("\t")
        elif name == "line-break":
            parts.append("\n")
        elif name not in {"note", "annotation"}:
            _odf_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def _docx(archive: _Zip) -> str:
    extra = sorted(n for n in archive.members if re.fullmatch(r"word/(header|footer|footnotes|endnotes)\d*\.xml", n))
    parts = ["word/document.xml", *extra]
    return "\n".join(_paragraphs(archive.xml(name), f"{{{_W}}}p", f"{{{_W}}}t") for name in parts)


def _xlsx(archive: _Zip) -> str:
    texts: list[str] = []
    if "xl/sharedStrings.xml" in archive.members:
        root = archive.xml("xl/sharedStrings.xml")
        texts.extend("".join(t.text or "" for t in si.iter(f"{{{_S}}}t")) for si in root.iter(f"{{{_S}}}si"))
    for name in sorted(n for n in archive.members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
        root = archive.xml(name)
        for cell in root.iter(f"{{{_S}}}c"):
            if cell.get("t") == "inlineStr":
                texts.append("".join(t.text or "" for t in cell.iter(f"{{{_S}}}t")))
    return "\n".join(texts)


def _pptx(archive: _Zip) -> str:
    def number(name: str) -> int:
        found = re.search(r"(\d+)\.xml$", name)
        return int(found[1]) if found else 0

    slides = sorted((n for n in archive.members if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)), key=number)
    return "\n\n".join(_paragraphs(archive.xml(name), f"{{{_A}}}p", f"{{{_A}}}t") for name in slides)
