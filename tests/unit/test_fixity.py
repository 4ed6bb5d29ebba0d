"""Specification of edepot.fixity: streaming hashes and the copy-while-hashing used by storage."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from edepot import fixity
from edepot.errors import InvalidInput

# larger than two chunks and not a multiple of the chunk size, so the last partial chunk counts
BIG = bytes(range(256)) * (fixity.CHUNK // 256 * 2) + b"tail"


@pytest.mark.parametrize("name", ["blake3", "sha-3", "", "crc32", "sha256x"])
def test_an_unknown_algorithm_is_invalid_input(name: str) -> None:
    with pytest.raises(InvalidInput, match="unknown checksum algorithm"):
        fixity.normalise_algorithm(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SHA-256", "sha256"),
        ("SHA256", "sha256"),
        ("sha256", "sha256"),
        ("MD5", "md5"),
        ("SHA-512", "sha512"),
    ],
)
def test_algorithm_names_are_normalised_to_the_bagit_spelling(name: str, expected: str) -> None:
    assert fixity.normalise_algorithm(name) == expected


def test_hashing_with_an_unknown_algorithm_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        fixity.hash_stream(io.BytesIO(b"x"), ("sha256", "whirlpool-ish"))


def test_hash_file_gives_every_requested_digest_of_a_file_larger_than_a_chunk(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(BIG)

    digests = fixity.hash_file(path, ("SHA-256", "md5"))

    assert digests == {"sha256": hashlib.sha256(BIG).hexdigest(), "md5": hashlib.md5(BIG).hexdigest()}


def test_hash_file_of_an_empty_file_is_the_digest_of_no_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert fixity.hash_file(path) == {"sha256": hashlib.sha256(b"").hexdigest()}


def test_hash_stream_works_on_streams_that_only_offer_read() -> None:
    class ReadOnly:
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def read(self, n: int = -1) -> bytes:
            return self._inner.read(n)

    digests, size = fixity.hash_stream(ReadOnly(BIG))  # type: ignore[arg-type]
    assert (digests, size) == ({"sha256": hashlib.sha256(BIG).hexdigest()}, len(BIG))


def test_hash_stream_returns_the_digests_and_the_number_of_bytes_read() -> None:
    digests, size = fixity.hash_stream(io.BytesIO(BIG), ("sha256", "sha1"))
    assert size == len(BIG)
    assert digests == {"sha256": hashlib.sha256(BIG).hexdigest(), "sha1": hashlib.sha1(BIG).hexdigest()}


def test_hash_stream_can_copy_what_it_reads_to_another_stream() -> None:
    out = io.BytesIO()
    digests, size = fixity.hash_stream(io.BytesIO(BIG), out=out)
    assert out.getvalue() == BIG
    assert (digests["sha256"], size) == (hashlib.sha256(BIG).hexdigest(), len(BIG))


def test_hash_bytes_gives_the_hex_digest_of_bytes_in_memory() -> None:
    assert fixity.hash_bytes(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert fixity.hash_bytes(b"abc", "MD5") == hashlib.md5(b"abc").hexdigest()
    with pytest.raises(InvalidInput):
        fixity.hash_bytes(b"abc", "rot13")


def test_copy_and_hash_refuses_to_overwrite_an_existing_destination(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"new")
    dst = tmp_path / "dst"
    dst.write_bytes(b"old")

    with pytest.raises(FileExistsError):
        fixity.copy_and_hash(src, dst)

    assert dst.read_bytes() == b"old"


def test_copy_and_hash_creates_nothing_when_the_source_is_missing(tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    with pytest.raises(FileNotFoundError):
        fixity.copy_and_hash(tmp_path / "absent", dst)
    assert not dst.exists()


def test_copy_and_hash_copies_the_bytes_and_returns_their_digests_and_size(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(BIG)
    dst = tmp_path / "dst.bin"

    digests, size = fixity.copy_and_hash(src, dst, ("sha256", "sha512"))

    assert dst.read_bytes() == BIG
    assert size == len(BIG)
    assert digests == {"sha256": hashlib.sha256(BIG).hexdigest(), "sha512": hashlib.sha512(BIG).hexdigest()}
