"""reads_locally: which stores' small objects are re-read in the calling thread rather than by a pool."""

from __future__ import annotations

from pathlib import Path

from edepot.storage import FilesystemObjectStore, InMemoryObjectStore, reads_locally
from edepot.storage.s3 import S3ObjectStore


def test_a_filesystem_or_memory_store_reads_locally(tmp_path: Path) -> None:
    assert reads_locally(FilesystemObjectStore(tmp_path / "store"))
    assert reads_locally(InMemoryObjectStore())


def test_an_s3_bucket_does_not_its_reads_are_network_requests() -> None:
    assert not reads_locally(S3ObjectStore(client=None, bucket="aips"))

