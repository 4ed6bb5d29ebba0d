"""The filesystem store deletes an object only for a destruction order that covers it, and then for good."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from edepot.errors import UnsafeInput
from edepot.retention_ports import Vernietigingsopdracht
from edepot.storage.filesystem import FilesystemObjectStore

AIP = UUID("6f1c1d1e-0000-4000-8000-000000000001")
ORDER = Vernietigingsopdracht(UUID(int=9), AIP, "archivaris-an", datetime(2026, 3, 1, tzinfo=UTC))


def stored(tmp_path: Path, *keys: str) -> FilesystemObjectStore:
    store = FilesystemObjectStore(tmp_path / "objects")
    for key in keys:
        source = tmp_path / hashlib.sha256(key.encode()).hexdigest()
        source.write_bytes(key.encode())
        store.put(key, source, hashlib.sha256(key.encode()).hexdigest())
    return store


def test_a_key_of_another_aip_is_refused_and_kept(tmp_path: Path) -> None:
    other = "aips/00000000-0000-4000-8000-000000000002/bagit.txt"
    store = stored(tmp_path, other)
    with pytest.raises(UnsafeInput, match="covers only"):
        store.destroy(other, ORDER)
    with pytest.raises(UnsafeInput):
        store.destroy_blocked(other, ORDER)
    assert store.exists(other)


def test_the_objects_of_the_aip_and_its_revisions_are_deleted_with_their_emptied_folders(tmp_path: Path) -> None:
    keys = [f"aips/{AIP}/data/1/scan.tif", f"aips/{AIP}/bagit.txt", f"revisions/{AIP}/0001/bagit.txt"]
    store = stored(tmp_path, *keys, "aips/00000000-0000-4000-8000-000000000002/bagit.txt")

    assert all(store.destroy_blocked(key, ORDER) is None for key in keys)
    assert [store.destroy(key, ORDER) for key in keys] == [[""], [""], [""]]

    assert list(store.keys(f"aips/{AIP}/")) == [] and list(store.keys("revisions/")) == []
    root = store.root
    assert not (root / "aips" / str(AIP)).exists() and (root / "aips").is_dir() and (root / "revisions").is_dir()
    assert store.destroy(keys[0], ORDER) == []
    assert list(store.keys("aips/")) == ["aips/00000000-0000-4000-8000-000000000002/bagit.txt"]
