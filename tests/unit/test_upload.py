"""Uploaded packages: hostile archives are refused with findings and nothing lands outside the folder."""

from __future__ import annotations

import asyncio
import io
import os
import stat
import tarfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from edepot.errors import InvalidInput, UnsafeInput
from edepot.upload import PayloadTooLarge, UnpackLimits, archive_kind, block_root, receive, unpack

LIMITS = UnpackLimits(max_total_bytes=4 * 1024 * 1024, max_members=50, max_ratio=100, ratio_floor_bytes=64 * 1024)


def make_zip(path: Path, members: list[tuple[str, bytes]], *, mode: int | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.create_system = 3
                info.external_attr = mode << 16
            bundle.writestr(info, data)
    return path


def make_tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]], *, gz: bool = False) -> Path:
    with tarfile.open(path, "w:gz" if gz else "w") as bundle:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                bundle.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                bundle.addfile(info, io.BytesIO(member[1]))
    return path


def special(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def rules(tmp_path: Path, archive: Path, limits: UnpackLimits = LIMITS) -> set[str]:
    target = tmp_path / "unpacked"
    with pytest.raises(InvalidInput) as caught:
        unpack(archive, target, limits)
    return {f.rule for f in caught.value.fields["findings"]}


def outside_files(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if "unpacked" not in p.parts)


# --- path traversal and odd names ------------------------------------------------------------------


def test_a_zip_member_climbing_out_with_dotdot_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("1987-1996/001/scan.tif", b"ok"), ("1987-1996/../../evil.txt", b"x")])
    assert rules(tmp_path, archive) == {"upload.path.traversal"}
    assert not (tmp_path / "unpacked" / "1987-1996").exists()
    assert outside_files(tmp_path) == ["a.zip"]


def test_absolute_names_drive_letters_backslashes_and_nul_bytes_in_a_zip_are_refused(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "a.zip",
        [("/etc/cron.d/evil", b"x"), ("C:/Windows/evil", b"x"), ("1987-1996\\..\\evil", b"x"), ("a\x00b", b"x")],
    )
    assert rules(tmp_path, archive) == {"upload.path.absolute", "upload.path.invalid"}


def test_a_tar_member_climbing_out_or_absolute_is_refused(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar", [("1987-1996/ok.tif", b"ok"), ("../evil", b"x"), ("/tmp/evil", b"x")])
    assert rules(tmp_path, archive) == {"upload.path.traversal", "upload.path.absolute"}
    assert outside_files(tmp_path) == ["a.tar"]


# --- links, devices and other non-files ------------------------------------------------------------


def test_a_symlink_member_in_a_zip_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("1987-1996/passwd", b"/etc/passwd")], mode=stat.S_IFLNK | 0o777)
    assert rules(tmp_path, archive) == {"upload.member.link"}


def test_a_device_member_in_a_zip_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("1987-1996/tty", b"")], mode=stat.S_IFCHR | 0o666)
    assert rules(tmp_path, archive) == {"upload.member.special"}


def test_symlinks_hardlinks_devices_and_fifos_in_a_tar_are_refused(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "a.tar",
        [
            special("1987-1996/link", tarfile.SYMTYPE, "/etc/passwd"),
            special("1987-1996/hard", tarfile.LNKTYPE, "/etc/shadow"),
            special("1987-1996/dev", tarfile.CHRTYPE),
            special("1987-1996/fifo", tarfile.FIFOTYPE),
        ],
    )
    assert rules(tmp_path, archive) == {"upload.member.link", "upload.member.special"}
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_name_twice_in_one_archive_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("1987-1996/a.tif", b"1"), ("1987-1996/a.tif", b"2")])
    assert rules(tmp_path, archive) == {"upload.member.duplicate"}


# --- bombs -------------------------------------------------------------------------------------------


def test_a_zip_bomb_member_is_refused_on_its_compression_ratio(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", [("1987-1996/zeros.tif", bytes(3 * 1024 * 1024))])
    assert archive.stat().st_size < 30_000
    assert rules(tmp_path, archive) == {"upload.bomb"}
    assert not list((tmp_path / "unpacked").rglob("*.tif"))


def test_a_zip_that_unpacks_beyond_the_total_limit_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", [(f"1987-1996/{i}.bin", os.urandom(1024 * 1024)) for i in range(5)])
    assert rules(tmp_path, archive) == {"upload.bomb"}


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "many.zip", [(f"1987-1996/{i}.txt", b"x") for i in range(51)])
    assert rules(tmp_path, archive) == {"upload.bomb"}


def test_a_tar_bomb_is_refused_on_its_headers_before_its_data_is_written(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "bomb.tar.gz", [("1987-1996/zeros.tif", bytes(8 * 1024 * 1024))], gz=True)
    assert archive.stat().st_size < 60_000
    assert rules(tmp_path, archive) == {"upload.bomb"}
    assert not list((tmp_path / "unpacked").rglob("*.tif"))


def test_a_gzip_stream_expanding_beyond_the_ratio_is_refused_even_under_the_total_limit(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "b.tar.gz", [("1987-1996/zeros.tif", bytes(2 * 1024 * 1024))], gz=True)
    assert rules(tmp_path, archive, UnpackLimits(max_total_bytes=10**9, ratio_floor_bytes=1024)) == {"upload.bomb"}


# --- not an archive, damaged, layout -------------------------------------------------------------------


def test_something_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(600))
    assert archive_kind(path) is None
    assert rules(tmp_path, path) == {"upload.format"}


def test_a_truncated_tar_gz_is_reported_as_damaged(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "a.tar.gz", [("1987-1996/a.bin", os.urandom(200_000))], gz=True)
    archive.write_bytes(archive.read_bytes()[:50_000])
    assert rules(tmp_path, archive) == {"upload.corrupt"}


def test_an_archive_must_hold_exactly_one_block_folder(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("1987-1996/a.tif", b"1"), ("1997-2006/b.tif", b"2")])
    unpack(archive, tmp_path / "unpacked", LIMITS)
    with pytest.raises(InvalidInput) as caught:
        block_root(tmp_path / "unpacked")
    assert caught.value.fields["findings"][0].rule == "upload.layout"


# --- accepted ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_a_block_folder_unpacks_byte_for_byte(tmp_path: Path, kind: str) -> None:
    members = [
        ("./1987-1996/inventaris.csv", b"inventarisnummer;titel\n001;x\n"),
        ("./1987-1996/001/0001.tif", os.urandom(5000)),
    ]
    archive = tmp_path / f"block.{kind}"
    if kind == "zip":
        make_zip(archive, members)
    else:
        make_tar(archive, list(members), gz=kind == "tar.gz")
    assert archive_kind(archive) == kind

    unpack(archive, tmp_path / "unpacked", LIMITS)

    root = block_root(tmp_path / "unpacked")
    assert root.name == "1987-1996"
    assert {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()} == {
        name.removeprefix("./1987-1996/"): data for name, data in members
    }


# --- receiving ------------------------------------------------------------------------------------------


async def chunks(sizes: list[int]) -> AsyncIterator[bytes]:
    for size in sizes:
        yield bytes(size)


def test_receiving_stops_with_413_as_soon_as_the_limit_is_passed(tmp_path: Path) -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        asyncio.run(receive(chunks([400, 400, 400, 10**6]), tmp_path / "package", limit=1000))
    assert caught.value.http_status == 413
    assert (tmp_path / "package").stat().st_size <= 1000


def test_receiving_within_the_limit_writes_every_byte(tmp_path: Path) -> None:
    assert asyncio.run(receive(chunks([400, 600]), tmp_path / "package", limit=1000)) == 1000
    assert (tmp_path / "package").stat().st_size == 1000
    assert UnsafeInput.http_status == 422
