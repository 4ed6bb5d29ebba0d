"""The ObjectStore contract, one suite for every store: write-once, idempotent, safe keys, sorted listing.

Runs against the filesystem store (copying and hard-linking) and the in-memory fake, so the fake
used elsewhere in the tests is known to behave like the real thing.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from edepot.errors import FixityError, InvalidInput, NotFound, ObjectExists, UnsafeInput
from edepot.ports import ObjectStore
from edepot.storage import FilesystemObjectStore, InMemoryObjectStore

KEY = "aips/0b7c5d2e-1f00-4c8e-9f3a-5a1b2c3d4e5f/data/INV-1/scan.tif"

BAD_KEYS = [
    "",
    "/etc/passwd",
    "../outside",
    "aips/../../outside",
    "aips/./x",
    "aips//x",
    "aips/x/",
    "aips\\x",
    "aips/x\x00y",
    ".tmp/stray",
]


def _filesystem_copy(tmp_path: Path) -> ObjectStore:
    return FilesystemObjectStore(tmp_path / "store", hardlink=False)


def _filesystem_link(tmp_path: Path) -> ObjectStore:
    return FilesystemObjectStore(tmp_path / "store", hardlink=True)


def _memory(tmp_path: Path) -> ObjectStore:
    return InMemoryObjectStore()


STORES: dict[str, Callable[[Path], ObjectStore]] = {
    "filesystem-copy": _filesystem_copy,
    "filesystem-link": _filesystem_link,
    "memory": _memory,
}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    return STORES[request.param](tmp_path)


@pytest.fixture(params=["filesystem-copy", "memory"])
def verifying_store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """Stores that re-hash the bytes they write (a hard link is verified by the caller's read-back)."""
    return STORES[request.param](tmp_path)


class Source:
    """Source files in a staging directory, with their digests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(exist_ok=True)
        self.count = 0

    def __call__(self, data: bytes) -> tuple[Path, str]:
        self.count += 1
        path = self.root / f"source-{self.count}"
        path.write_bytes(data)
        return path, hashlib.sha256(data).hexdigest()


@pytest.fixture
def source(tmp_path: Path) -> Source:
    return Source(tmp_path / "staging")


def read(store: ObjectStore, key: str) -> bytes:
    with store.open(key) as f:
        return f.read()


# --- bad input first ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", BAD_KEYS)
def test_an_unsafe_key_is_refused_by_every_operation(store: ObjectStore, source: Source, key: str) -> None:
    path, digest = source(b"x")
    with pytest.raises(UnsafeInput):
        store.put(key, path, digest)
    with pytest.raises(UnsafeInput):
        store.open(key)
    with pytest.raises(UnsafeInput):
        store.exists(key)
    with pytest.raises(UnsafeInput):
        store.size(key)
    assert list(store.keys()) == []


@pytest.mark.parametrize("digest", ["", "abc", "z" * 64, "0" * 63])
def test_a_malformed_sha256_is_invalid_input(store: ObjectStore, source: Source, digest: str) -> None:
    path, _ = source(b"x")
    with pytest.raises(InvalidInput):
        store.put(KEY, path, digest)
    assert not store.exists(KEY)


def test_a_source_that_does_not_match_its_sha256_is_not_stored(
    verifying_store: ObjectStore, source: Source
) -> None:
    path, _ = source(b"what was hashed")
    wrong = hashlib.sha256(b"something else").hexdigest()

    with pytest.raises(FixityError):
        verifying_store.put(KEY, path, wrong)

    assert not verifying_store.exists(KEY)
    assert list(verifying_store.keys()) == []


def test_a_missing_key_is_not_found(store: ObjectStore) -> None:
    assert not store.exists(KEY)
    with pytest.raises(NotFound, match=r"scan\.tif"):
        store.open(KEY)
    with pytest.raises(NotFound):
        store.size(KEY)


def test_different_bytes_under_an_existing_key_are_refused_naming_the_key(
    store: ObjectStore, source: Source
) -> None:
    first, first_digest = source(b"original")
    second, second_digest = source(b"tampered")
    store.put(KEY, first, first_digest)

    with pytest.raises(ObjectExists, match=r"scan\.tif") as raised:
        store.put(KEY, second, second_digest)

    assert raised.value.fields["key"] == KEY
    assert read(store, KEY) == b"original"


# --- behaviour ------------------------------------------------------------------------------------


def test_a_stored_object_reads_back_with_its_bytes_and_size(store: ObjectStore, source: Source) -> None:
    data = b"\x00\x01scan" * 1000
    path, digest = source(data)

    store.put(KEY, path, digest)

    assert store.exists(KEY)
    assert store.size(KEY) == len(data)
    assert read(store, KEY) == data


def test_storing_identical_bytes_again_is_a_no_op(store: ObjectStore, source: Source) -> None:
    first, digest = source(b"same")
    again, again_digest = source(b"same")
    store.put(KEY, first, digest)

    store.put(KEY, again, again_digest)
    store.put(KEY, first, digest.upper())

    assert list(store.keys()) == [KEY]
    assert read(store, KEY) == b"same"


def test_an_empty_file_is_an_object_too(store: ObjectStore, source: Source) -> None:
    path, digest = source(b"")
    store.put(KEY, path, digest)
    assert store.size(KEY) == 0
    assert read(store, KEY) == b""


def test_keys_lists_objects_under_a_prefix_sorted(store: ObjectStore, source: Source) -> None:
    wanted = [
        "aips/a/bagit.txt",
        "aips/a/data/x/1.txt",
        "aips/a/data/x/2.txt",
        "aips/a/tagmanifest-sha256.txt",
    ]
    others = ["aips/ab/bagit.txt", "other/a/bagit.txt"]
    for key in reversed(wanted + others):
        path, digest = source(key.encode())
        store.put(key, path, digest)

    assert list(store.keys("aips/a/")) == wanted
    assert list(store.keys("aips/a")) == sorted([*wanted, "aips/ab/bagit.txt"])
    assert list(store.keys()) == sorted(wanted + others)
    assert list(store.keys("nothing/")) == []


def test_concurrent_puts_of_the_same_bytes_end_with_one_object(store: ObjectStore, source: Source) -> None:
    data = b"concurrent" * 10_000
    sources = [source(data) for _ in range(8)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(sources))

    def put(path: Path, digest: str) -> None:
        barrier.wait()
        try:
            store.put(KEY, path, digest)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=put, args=s) for s in sources]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert list(store.keys()) == [KEY]
    assert read(store, KEY) == data


def test_concurrent_puts_of_different_bytes_store_exactly_one_of_them(
    store: ObjectStore, source: Source
) -> None:
    sources = [source(f"version {i}".encode() * 1000) for i in range(6)]
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(sources))

    def put(path: Path, digest: str) -> None:
        barrier.wait()
        try:
            store.put(KEY, path, digest)
            result = "stored"
        except ObjectExists:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=put, args=s) for s in sources]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["refused"] * 5 + ["stored"]
    assert read(store, KEY) in {p.read_bytes() for p, _ in sources}
