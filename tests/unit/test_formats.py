"""Specification of format identification and the preferred-format policy (edepot.formats).

Files are generated in tmp_path with Pillow and pikepdf; siegfried and libmagic run for real.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
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


def _samples(folder: Path) -> list[Path]:
    """Real files of the kinds a submission holds, and a few that are not what they seem."""
    folder.mkdir(exist_ok=True)
    text = folder / "inventaris.txt"
    text.write_text("Inventaris van het archief van de Provincie Limburg\n", encoding="utf-8")
    unknown = folder / "onbekend.tif"
    unknown.write_bytes(bytes(range(1, 256)) * 8)  # no signature matches, and not a zero-byte file
    guessed = folder / "onbekend.bin"
    guessed.write_bytes(bytes(range(1, 256)) * 8)
    return [
        _image(folder / "scan.tif"),
        _image(folder / "scan.jp2"),
        _pdf(folder / "doc.pdf", min_version="1.7"),
        _pdf(folder / "doc.tif"),
        text,
        unknown,
        guessed,
    ]


def _forbid_identification_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on siegfried and libmagic fail in this process: only a child can identify files."""

    def not_in_this_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("siegfried or libmagic ran in the calling process")

    monkeypatch.setattr(formats.pygfried, "identify_many", not_in_this_process)
    monkeypatch.setattr(formats.pygfried, "identify", not_in_this_process)
    monkeypatch.setattr(formats.magic, "from_file", not_in_this_process)


def _counted(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[object]:
    """Record the first argument of every call of owner.name, which still does its real work."""
    calls: list[object] = []
    real: Callable[..., object] = getattr(owner, name)

    def counted(first: object, *args: object, **kwargs: object) -> object:
        calls.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def _identified(identifier: SiegfriedIdentifier, paths: list[Path]) -> list[FormatIdentification]:
    identifier.prefetch(paths)
    return [identifier.identify(p) for p in paths]


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


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        '{"kinds": []}',
        '{"kinds": [[["fmt/353"], "image/tiff"]], "files": [0]}',
        '{"kinds": [[null, null]], "files": [1]}',
        '{"kinds": [[null, null]], "files": [-2]}',
        '{"kinds": [[null, null]], "files": ["nul"]}',
    ],
)
def test_a_batch_answer_of_the_wrong_shape_is_refused(payload: str) -> None:
    with pytest.raises(ValueError):
        formats.Batch.from_json(payload)


def test_a_batch_answer_for_another_number_of_files_is_refused() -> None:
    batch = formats.Batch(kinds=((formats.NO_MATCH, ""),), files=(0, 0))
    with pytest.raises(ValueError, match="2 answers for 3 files"):
        batch.by_name(["a", "b", "c"])


@pytest.mark.parametrize(
    "child",
    [
        [sys.executable, "-c", "import sys; sys.exit(3)"],
        [sys.executable, "-c", "print('kapot')"],
        [sys.executable, "-c", 'print(\'{"kinds": [], "files": [0, 0]}\')'],
        ["/nonexistent/python"],
    ],
    ids=["exits-non-zero", "prints-garbage", "refers-to-missing-kinds", "cannot-start"],
)
def test_when_the_child_fails_the_batch_runs_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: list[str]
) -> None:
    paths = [_image(tmp_path / f"scan{i}.tif") for i in range(2)]
    monkeypatch.setattr(formats, "_child_command", lambda workers: child)
    in_process = _counted(monkeypatch, formats.pygfried, "identify_many")
    alone = _counted(monkeypatch, formats.pygfried, "identify")
    found = _identified(SiegfriedIdentifier(in_process_below=1, children=1), paths)
    assert in_process == [[str(p) for p in paths]]
    assert alone == []
    assert [(f.puid, f.mime) for f in found] == [("fmt/353", "image/tiff")] * 2


def test_a_large_batch_is_split_over_the_children_each_file_in_exactly_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _samples(tmp_path)
    expected = _identified(SiegfriedIdentifier(in_process_below=len(paths) + 1), paths)
    parts = _counted(monkeypatch, formats, "_identify_in_child")
    _forbid_identification_here(monkeypatch)
    found = _identified(SiegfriedIdentifier(in_process_below=1, children=3), paths)
    assert len(parts) == 3 and all(parts)
    assert sorted(name for part in parts for name in part) == sorted(map(str, paths))
    assert found == expected


@pytest.mark.parametrize(("cpus", "children"), [(None, 1), (1, 1), (2, 2), (4, 4), (64, formats.MAX_CHILDREN)])
def test_by_default_there_is_one_child_per_cpu_at_most_max_children(
    monkeypatch: pytest.MonkeyPatch, cpus: int | None, children: int
) -> None:
    monkeypatch.setattr(formats.os, "cpu_count", lambda: cpus)
    assert SiegfriedIdentifier().children == children


def test_a_failing_child_costs_only_its_own_part_a_run_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [_image(tmp_path / f"scan{i}.tif") for i in range(4)]
    real = formats._identify_in_child
    failing = str(paths[0])

    def child(names: list[str], workers: int) -> formats.Batch:
        if failing in names:
            raise OSError("the child could not start")
        return real(names, workers)

    monkeypatch.setattr(formats, "_identify_in_child", child)
    in_process = _counted(monkeypatch, formats.pygfried, "identify_many")
    found = _identified(SiegfriedIdentifier(in_process_below=1, children=2), paths)
    assert in_process == [[str(paths[0]), str(paths[2])]]
    assert [(f.puid, f.mime) for f in found] == [("fmt/353", "image/tiff")] * 4


@pytest.mark.parametrize("in_process_below", [1, 1000], ids=["child", "in-process"])
def test_a_file_siegfried_could_not_read_in_the_batch_is_identified_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_process_below: int
) -> None:
    """The batch sees no file yet (siegfried: "no such file", no match; libmagic fails), so
    `identify` asks siegfried and libmagic again for that file alone, and gets the real answer."""
    late = tmp_path / "later.tif"
    present = _image(tmp_path / "scan.tif")
    identifier = SiegfriedIdentifier(in_process_below=in_process_below)
    identifier.prefetch([present, late])
    _image(late)
    expected = SiegfriedIdentifier().identify(present)
    alone = _counted(monkeypatch, formats.pygfried, "identify")
    by_magic = _counted(monkeypatch, formats.magic, "from_file")
    assert identifier.identify(present) == expected
    assert (alone, by_magic) == ([], [])
    assert identifier.identify(late) == expected
    assert (alone, by_magic) == ([str(late)], [str(late)])


def test_a_vanished_file_still_fails_in_identify_after_a_batch(tmp_path: Path) -> None:
    gone = tmp_path / "weg.tif"
    identifier = SiegfriedIdentifier(in_process_below=1)
    identifier.prefetch([gone, _image(tmp_path / "scan.tif")])
    with pytest.raises(OSError):
        identifier.identify(gone)


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


# --- prefetch: one batch, in a child process or in this one ---------------------------------------


def test_many_files_are_identified_by_siegfried_and_libmagic_in_a_child_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pygfried.identify_many holds the GIL, so a large batch runs in a child process, libmagic
    included: in this process both are made to fail, and every file is still identified."""
    paths = [_image(tmp_path / f"scan{i}.tif") for i in range(3)]
    _forbid_identification_here(monkeypatch)
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


def test_a_file_identified_in_a_child_equals_one_identified_in_process_and_one_not_prefetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _samples(tmp_path)
    alone = [SiegfriedIdentifier().identify(p) for p in paths]
    in_process = _identified(SiegfriedIdentifier(in_process_below=len(paths) + 1), paths)
    _forbid_identification_here(monkeypatch)
    in_child = _identified(SiegfriedIdentifier(in_process_below=1), paths)
    assert in_child == in_process == alone
    assert [f.puid for f in alone] == ["fmt/353", "x-fmt/392", "fmt/276", "fmt/17", "x-fmt/111", None, "fmt/208"]
    assert [f.mime for f in alone][:5] == [
        "image/tiff",
        "image/jp2",
        "application/pdf",
        "application/pdf",
        "text/plain",
    ]
    assert alone[3].warning == "extension mismatch" and alone[6].warning == "match on extension only"


def test_the_child_answers_with_only_what_identify_needs(tmp_path: Path) -> None:
    """Per distinct answer the first PRONOM match's six fields and libmagic's MIME type, per file
    one index in the order given: no file names, sizes, dates, classes or error texts."""
    pdf = _pdf(tmp_path / "doc.pdf")
    paths = [_image(tmp_path / f"scan{i}.tif") for i in range(3)] + [pdf]
    done = subprocess.run(
        formats._child_command(2),
        input="\0".join(map(str, paths)).encode("utf-8"),
        capture_output=True,
        check=True,
    )
    tiff = [
        "fmt/353",
        "Tagged Image File Format",
        "",
        "image/tiff",
        "extension match tif; byte match at 0, 4 (signature 1/2)",
        "",
    ]
    pdf_match = formats.first_pronom_match(formats.pygfried.identify(str(pdf), detailed=True)["files"][0])
    assert pdf_match.id == "fmt/17"
    assert json.loads(done.stdout) == {
        "kinds": [[tiff, "image/tiff"], [list(pdf_match), "application/pdf"]],
        "files": [0, 0, 0, 1],
    }
    answer = done.stdout.decode("utf-8")
    for siegfried_only in (
        "filename",
        "filesize",
        "modified",
        "errors",
        "matches",
        "class",
        "Image (Raster)",
        "pronom",
    ):
        assert siegfried_only not in answer
    assert str(tmp_path) not in answer


def test_twenty_thousand_files_of_one_format_cost_one_answer_and_an_index_each() -> None:
    batch = formats.Batch(
        kinds=((formats.PronomMatch("fmt/353", "TIFF", "", "image/tiff", "b", ""), "image/tiff"),), files=(0,) * 20000
    )
    assert len(batch.to_json()) < 41000
    assert formats.Batch.from_json(batch.to_json()) == batch


def test_libmagic_decides_the_mime_type_and_siegfried_only_fills_in_when_libmagic_has_none() -> None:
    match = formats.PronomMatch("fmt/353", "Tagged Image File Format", "", "image/tiff", "byte match", "")
    assert formats.identification(match, "application/octet-stream").mime == "application/octet-stream"
    assert formats.identification(match, "").mime == "image/tiff"
    assert formats.identification(formats.PronomMatch("UNKNOWN", "", "", "", "", "no match"), "").puid is None
    assert formats.identification(formats.NO_MATCH, "").puid is None


def test_a_prefetched_answer_is_used_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _image(tmp_path / "scan.tif")
    identifier = SiegfriedIdentifier()
    identifier.prefetch([path])
    alone = _counted(monkeypatch, formats.pygfried, "identify")
    assert identifier.identify(path) == identifier.identify(path)
    assert alone == [str(path)]
