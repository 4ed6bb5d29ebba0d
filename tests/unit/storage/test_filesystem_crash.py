"""A crash in the middle of a put leaves at most a stray file in `.tmp/`: never a key, and swept."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from edepot.errors import FixityError
from edepot.storage import FilesystemObjectStore


@pytest.fixture
def store(tmp_path: Path) -> FilesystemObjectStore:
    return FilesystemObjectStore(tmp_path / "store", hardlink=False)


def crash_after_staging(store: FilesystemObjectStore, data: bytes) -> Path:
    """What a put leaves behind when the process dies after step 1 (staged, not yet published)."""
    stray = store.root / ".tmp" / "3f2a9c0d1e5b4a7f8e6d5c4b3a291807"
    stray.write_bytes(data)
    os.chmod(stray, 0o444)
    return stray


def test_a_file_left_in_tmp_is_not_a_key(store: FilesystemObjectStore) -> None:
    crash_after_staging(store, b"half an AIP")

    assert list(store.keys()) == []
    assert list(store.keys(".")) == []


def test_sweep_tmp_removes_what_a_crash_left_behind(store: FilesystemObjectStore) -> None:
    stray = crash_after_staging(store, b"half an AIP")

    assert store.sweep_tmp() == 1

    assert not stray.exists()
    assert store.sweep_tmp() == 0


def test_sweep_tmp_leaves_published_objects_alone(store: FilesystemObjectStore, tmp_path: Path) -> None:
    source = tmp_path / "scan.tif"
    source.write_bytes(b"scan")
    store.put("aips/x/data/scan.tif", source, hashlib.sha256(b"scan").hexdigest())
    crash_after_staging(store, b"stray")

    store.sweep_tmp()

    assert list(store.keys()) == ["aips/x/data/scan.tif"]


def test_sweep_tmp_with_a_minimum_age_spares_files_of_puts_in_progress(store: FilesystemObjectStore) -> None:
    fresh = crash_after_staging(store, b"in progress")
    old = store.root / ".tmp" / "old"
    old.write_bytes(b"from last night's crash")
    os.utime(old, (0, 0))

    assert store.sweep_tmp(min_age_seconds=3600) == 1

    assert fresh.exists()
    assert not old.exists()


def test_a_rerun_after_a_crash_publishes_the_object(store: FilesystemObjectStore, tmp_path: Path) -> None:
    crash_after_staging(store, b"scan")
    source = tmp_path / "scan.tif"
    source.write_bytes(b"scan")

    store.put("aips/x/data/scan.tif", source, hashlib.sha256(b"scan").hexdigest())

    with store.open("aips/x/data/scan.tif") as f:
        assert f.read() == b"scan"


def test_a_put_that_fails_verification_leaves_no_object_and_no_stray_file(
    store: FilesystemObjectStore, tmp_path: Path
) -> None:
    source = tmp_path / "scan.tif"
    source.write_bytes(b"changed after hashing")

    with pytest.raises(FixityError):
        store.put("aips/x/data/scan.tif", source, hashlib.sha256(b"as hashed").hexdigest())

    assert not (store.root / "aips/x/data/scan.tif").exists()
    assert list((store.root / ".tmp").iterdir()) == []
