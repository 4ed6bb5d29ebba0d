"""What only the filesystem store does: read-only objects, hard links, refusing links out of its root."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from edepot.errors import NotFound, ObjectExists, UnsafeInput
from edepot.storage import FilesystemObjectStore


def staged(tmp_path: Path, data: bytes, name: str = "source") -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_a_key_through_a_symlinked_directory_out_of_the_root_is_unsafe(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "aips").symlink_to(outside)
    path, digest = staged(tmp_path, b"x")

    with pytest.raises(UnsafeInput, match="outside the store root"):
        store.put("aips/x", path, digest)

    assert list(outside.iterdir()) == []


def test_a_key_nested_under_an_existing_object_is_refused(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    path, digest = staged(tmp_path, b"x")
    store.put("aips/a", path, digest)

    with pytest.raises(ObjectExists):
        store.put("aips/a/b", path, digest)


def test_a_key_that_names_a_directory_of_objects_is_refused(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    path, digest = staged(tmp_path, b"x")
    store.put("aips/a/b", path, digest)

    with pytest.raises(ObjectExists):
        store.put("aips/a", path, digest)


@pytest.mark.parametrize("hardlink", [True, False])
def test_published_objects_are_read_only(tmp_path: Path, hardlink: bool) -> None:
    store = FilesystemObjectStore(tmp_path / "store", hardlink=hardlink)
    path, digest = staged(tmp_path, b"scan")

    store.put("aips/x/data/scan.tif", path, digest)

    mode = stat.S_IMODE((store.root / "aips/x/data/scan.tif").stat().st_mode)
    assert mode == 0o444


def test_on_the_same_device_the_source_is_hard_linked_not_copied(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store", hardlink=True)
    path, digest = staged(tmp_path, b"scan")

    store.put("aips/x/data/scan.tif", path, digest)

    assert os.path.samefile(path, store.root / "aips/x/data/scan.tif")
    assert list((store.root / ".tmp").iterdir()) == []


def test_without_hardlinks_the_object_is_a_copy(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store", hardlink=False)
    path, digest = staged(tmp_path, b"scan")

    store.put("aips/x/data/scan.tif", path, digest)

    assert not os.path.samefile(path, store.root / "aips/x/data/scan.tif")
    assert stat.S_IMODE(path.stat().st_mode) != 0o444


def test_keys_skips_anything_that_is_not_a_regular_file(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    path, digest = staged(tmp_path, b"x")
    store.put("aips/a/real", path, digest)
    (store.root / "aips/a/link").symlink_to(path)

    assert list(store.keys()) == ["aips/a/real"]


def test_reading_through_a_symlinked_directory_out_of_the_root_is_unsafe(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    outside = tmp_path / "outside"
    (outside / "a").mkdir(parents=True)
    (outside / "a" / "secret").write_bytes(b"not an object")
    (store.root / "aips").symlink_to(outside)

    with pytest.raises(UnsafeInput, match="outside the store root"):
        store.open("aips/a/secret")


def test_reading_an_object_that_is_a_symlink_out_of_the_root_is_unsafe(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    secret = tmp_path / "secret"
    secret.write_bytes(b"not an object")
    (store.root / "aips").mkdir()
    (store.root / "aips" / "x").symlink_to(secret)

    with pytest.raises(UnsafeInput, match="outside the store root"):
        store.open("aips/x")


def test_a_symlinked_directory_that_stays_inside_the_root_still_reads(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    path, digest = staged(tmp_path, b"kept")
    store.put("aips/real/file", path, digest)
    (store.root / "aips" / "alias").symlink_to(store.root / "aips" / "real")

    with store.open("aips/alias/file") as handle:
        assert handle.read() == b"kept"


@pytest.mark.parametrize("key", ["aips/missing", "aips/a/missing", "aips/a"])
def test_reading_a_missing_object_or_a_directory_is_not_found(tmp_path: Path, key: str) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    path, digest = staged(tmp_path, b"x")
    store.put("aips/a/b", path, digest)

    with pytest.raises(NotFound):
        store.open(key)


def test_reading_under_an_object_as_if_it_were_a_folder_is_not_found(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "store")
    path, digest = staged(tmp_path, b"x")
    store.put("aips/a", path, digest)

    with pytest.raises(NotFound):
        store.open("aips/a/b")
