"""Specification of format identification and the preferred-format policy (edepot.formats).

Files are generated in tmp_path with Pillow and pikepdf; siegfried and libmagic run for real.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from edepot import formats
from edepot.formats import SiegfriedIdentifier, classify, extension_matches, pdf_protection, voorkeursformaten
from edepot.ports import FormatIdentification


def _image(path: Path) -> Path:
    Image.new("L", (16, 16), 200).save(path)
    return path


def _pdf(path: Path, **save: object) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, **save)  # type: ignore[arg-type]
    return path


def _ident(puid: str | None, warning: str = "") -> FormatIdentification:
    return FormatIdentification(puid=puid, format_name="x", format_version="", mime="x/y", warning=warning)


# --- bad input first ---------------------------------------------------------------------------


def test_a_pdf_that_needs_a_password_is_protected(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "user.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    reason = pdf_protection(path)
    assert reason is not None and "password" in reason


def test_a_pdf_with_only_an_owner_password_and_restrictions_is_protected(tmp_path: Path) -> None:
    encryption = pikepdf.Encryption(owner="o", user="", allow=pikepdf.Permissions(extract=False))
    path = _pdf(tmp_path / "owner.pdf", encryption=encryption)
    reason = pdf_protection(path)
    assert reason is not None and "owner password" in reason


def test_a_damaged_pdf_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kapot.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a PDF body")
    reason = pdf_protection(path)
    assert reason is not None and "damaged" in reason


def test_a_truncated_pdf_that_needs_repair_is_damaged(tmp_path: Path) -> None:
    whole = _pdf(tmp_path / "heel.pdf").read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    reason = pdf_protection(path)
    assert reason is not None and reason.startswith(formats.PDF_DAMAGED)


def test_a_pdf_named_tif_does_not_match_its_extension(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "scan.tif")
    found = SiegfriedIdentifier().identify(path)
    assert found.mime == "application/pdf"
    assert not extension_matches(path.name, found)


def test_garbage_is_not_identified(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    path.write_bytes(b"\x00\x13garbage" * 50)
    assert not formats.is_identified(SiegfriedIdentifier().identify(path))


def test_a_guess_from_the_extension_only_does_not_count_as_identified() -> None:
    assert not formats.is_identified(_ident("fmt/208", warning="match on extension only"))
    assert not formats.is_identified(_ident(None))
    assert formats.is_identified(_ident("fmt/353"))


def test_an_extension_the_list_does_not_give_for_the_puid_is_a_mismatch() -> None:
    assert not extension_matches("scan.pdf", _ident("fmt/353"))
    assert extension_matches("scan.TIF", _ident("fmt/353"))
    assert extension_matches("scan.tiff", _ident("fmt/353"))
    assert extension_matches("scan.jpeg", _ident("fmt/44"))
    assert not extension_matches("scan.tif", _ident("fmt/999", warning="extension mismatch"))
    assert extension_matches("scan.xyz", _ident("fmt/999"))


# --- identification of real files --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "puid", "mime"),
    [
        ("scan.tif", "fmt/353", "image/tiff"),
        ("scan.jp2", "x-fmt/392", "image/jp2"),
        ("scan.png", "fmt/11", "image/png"),
    ],
)
def test_images_are_identified_with_puid_and_mime(tmp_path: Path, name: str, puid: str, mime: str) -> None:
    found = SiegfriedIdentifier().identify(_image(tmp_path / name))
    assert (found.puid, found.mime) == (puid, mime)
    assert extension_matches(name, found)
    assert found.basis


def test_a_pdf_is_identified_and_an_open_pdf_is_not_protected(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "doc.pdf", min_version="1.7")
    found = SiegfriedIdentifier().identify(path)
    assert found.puid == "fmt/276" and found.mime == "application/pdf"
    assert formats.is_pdf(found)
    assert pdf_protection(path) is None


def test_an_empty_file_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "leeg.tif"
    path.write_bytes(b"")
    assert SiegfriedIdentifier().identify(path).puid is None


# --- the preferred formats list -----------------------------------------------------------------


def test_the_preferred_formats_list_classifies_puids() -> None:
    assert classify("fmt/353") == "Voorkeur"  # TIFF
    assert classify("x-fmt/392") == "Acceptabel"  # JPEG 2000
    assert classify("fmt/276") == "Acceptabel"  # PDF 1.7
    assert classify("fmt/95") == "Voorkeur"  # PDF/A-1a
    assert classify("fmt/17") == "niet op de lijst"  # PDF 1.3
    assert classify(None) == "niet op de lijst"


def test_the_list_only_knows_voorkeur_and_acceptabel() -> None:
    assert set(voorkeursformaten().values()) == {"Voorkeur", "Acceptabel"}
    assert len(voorkeursformaten()) > 30


def test_many_files_are_identified_by_siegfried_in_a_child_process(tmp_path: Path, monkeypatch) -> None:
    """pygfried.identify_many holds the GIL, so a large batch runs in a child process: in this
    process siegfried is made to fail, and every file is still identified, from the child's results."""
    paths = [_image(tmp_path / f"scan{i}.tif") for i in range(3)]

    def not_in_this_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("siegfried ran in the calling process")

    monkeypatch.setattr(formats.pygfried, "identify_many", not_in_this_process)
    monkeypatch.setattr(formats.pygfried, "identify", not_in_this_process)
    identifier = SiegfriedIdentifier(in_process_below=2)
    identifier.prefetch(paths)
    assert [(f.puid, f.mime) for f in map(identifier.identify, paths)] == [("fmt/353", "image/tiff")] * 3


def test_a_small_batch_is_identified_in_this_process(tmp_path: Path, monkeypatch) -> None:
    paths = [_image(tmp_path / f"scan{i}.tif") for i in range(2)]
    calls: list[int] = []
    real = formats.pygfried.identify_many

    def counted(names: list[str], **kwargs: int) -> object:
        calls.append(len(names))
        return real(names, **kwargs)

    monkeypatch.setattr(formats.pygfried, "identify_many", counted)
    identifier = SiegfriedIdentifier(in_process_below=3)
    identifier.prefetch(paths)
    assert calls == [2]
    assert [identifier.identify(p).puid for p in paths] == ["fmt/353", "fmt/353"]
