"""The S3 store against a real SeaweedFS: the ObjectStore contract, Object Lock, checksums, multipart
uploads, versions, and behaviour through a fault-injecting proxy.

The contract suite of `tests/unit/storage/test_store_contract.py` is reused as is: its test
functions are collected here too, with `store` and `verifying_store` bound to an S3ObjectStore on
a fresh bucket (Object Lock and versioning enabled, as in production).
"""

from __future__ import annotations

import base64
import hashlib
import random
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest
from botocore.exceptions import ClientError
from faultproxy import FAULTS, FaultProxy

from edepot.errors import ConfigurationError, Conflict, EdepotError, FixityError, NotFound, ObjectExists, StorageError
from edepot.storage.s3 import (
    Retention,
    RetentionMode,
    RetentionPolicy,
    S3ObjectStore,
    ensure_bucket,
)
from edepot.storage.s3_settings import MIB

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit"))
from storage import test_store_contract as contract  # the contract's module name under pytest

pytestmark = pytest.mark.s3


class SeaweedFS(Protocol):
    """The session's server, as the `seaweedfs` fixture of conftest.py provides it."""

    endpoint: str
    version: str

    def client(
        self, endpoint: str | None = None, *, max_attempts: int = 3, timeouts: tuple[float, float] = (5, 30)
    ) -> Any: ...

    def new_bucket(self, hint: str = "", *, object_lock: bool = True) -> str: ...


# --- the ObjectStore contract ---------------------------------------------------------------------

globals().update({name: test for name, test in vars(contract).items() if name.startswith("test_")})
Source = contract.Source
source = contract.source
read = contract.read
KEY = contract.KEY


@pytest.fixture
def store(s3_store: S3ObjectStore) -> S3ObjectStore:
    return s3_store


@pytest.fixture
def verifying_store(s3_store: S3ObjectStore) -> S3ObjectStore:
    """The server re-hashes what it receives (ChecksumSHA256), so the S3 store is a verifying one."""
    return s3_store


def b64(digest_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(digest_hex)).decode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def locked_store(seaweedfs: SeaweedFS, bucket: str, mode: str, days: int = 1, **kwargs: Any) -> S3ObjectStore:
    return S3ObjectStore(
        seaweedfs.client(), bucket, name="seaweedfs", retention=RetentionPolicy(mode, days), **kwargs
    )


def random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


# --- Object Lock: bad requests first --------------------------------------------------------------


def test_retention_and_legal_hold_of_a_missing_object_are_not_found(s3_store: S3ObjectStore) -> None:
    with pytest.raises(NotFound, match=r"scan\.tif"):
        s3_store.get_retention(KEY)
    with pytest.raises(NotFound, match=r"scan\.tif"):
        s3_store.get_legal_hold(KEY)
    with pytest.raises(NotFound, match=r"scan\.tif"):
        s3_store.delete(KEY)


def test_a_retain_until_date_without_time_zone_is_refused(s3_store: S3ObjectStore, source: Source) -> None:
    path, digest = source(b"x")
    with pytest.raises(EdepotError, match="time zone"):
        s3_store.put(KEY, path, digest, retain_until=datetime(2099, 1, 1))
    assert not s3_store.exists(KEY)


def test_a_bucket_without_object_lock_is_refused_when_the_lock_is_required(seaweedfs: SeaweedFS) -> None:
    plain = seaweedfs.new_bucket("plain", object_lock=False)
    with pytest.raises(ConfigurationError, match="without Object Lock"):
        ensure_bucket(seaweedfs.client(), plain, object_lock=True)


def test_a_retained_object_cannot_be_deleted_and_stays_readable(
    seaweedfs: SeaweedFS, bucket: str, source: Source
) -> None:
    store = locked_store(seaweedfs, bucket, "COMPLIANCE")
    path, digest = source(b"bewaren")
    store.put(KEY, path, digest)

    with pytest.raises(Conflict, match=r"scan\.tif") as raised:
        store.delete(KEY)

    assert raised.value.fields["key"] == KEY
    assert raised.value.fields["deleted_versions"] == []
    assert len(store.versions(KEY)) == 1
    assert read(store, KEY) == b"bewaren"


def test_compliance_retention_cannot_be_bypassed_or_shortened_only_extended(
    seaweedfs: SeaweedFS, bucket: str, source: Source
) -> None:
    start = now_utc()
    store = locked_store(seaweedfs, bucket, "COMPLIANCE", clock=FixedClock(start))
    path, digest = source(b"compliance")
    store.put(KEY, path, digest)
    until = start + timedelta(days=1)

    with pytest.raises(Conflict):
        store.delete(KEY, bypass_governance=True)
    with pytest.raises(Conflict, match="shortening or weakening"):
        store.set_retention(KEY, until - timedelta(hours=1))
    with pytest.raises(Conflict):
        store.set_retention(KEY, until + timedelta(days=1), RetentionMode.GOVERNANCE)
    store.set_retention(KEY, until + timedelta(days=30))

    assert store.get_retention(KEY) == Retention(RetentionMode.COMPLIANCE, until + timedelta(days=30))
    assert read(store, KEY) == b"compliance"


def test_governance_retention_refuses_a_delete_unless_it_is_explicitly_bypassed(
    seaweedfs: SeaweedFS, bucket: str, source: Source
) -> None:
    start = now_utc()
    store = locked_store(seaweedfs, bucket, "GOVERNANCE", days=7, clock=FixedClock(start))
    path, digest = source(b"governance")
    store.put(KEY, path, digest)
    assert store.get_retention(KEY) == Retention(RetentionMode.GOVERNANCE, start + timedelta(days=7))

    with pytest.raises(Conflict):
        store.delete(KEY)
    deleted = store.delete(KEY, bypass_governance=True)

    assert len(deleted) == 1
    assert store.versions(KEY) == []
    assert not store.exists(KEY)


def test_a_put_with_its_own_retain_until_date_overrides_the_policy(
    seaweedfs: SeaweedFS, bucket: str, source: Source
) -> None:
    store = locked_store(seaweedfs, bucket, "COMPLIANCE")
    path, digest = source(b"V-record")
    archiefactiedatum_plus_grace = now_utc() + timedelta(days=400)

    store.put(KEY, path, digest, retain_until=archiefactiedatum_plus_grace)

    assert store.get_retention(KEY) == Retention(RetentionMode.COMPLIANCE, archiefactiedatum_plus_grace)
    assert store.stat(KEY).retention == Retention(RetentionMode.COMPLIANCE, archiefactiedatum_plus_grace)


def test_a_delete_marker_hides_a_locked_object_but_does_not_remove_its_version(
    seaweedfs: SeaweedFS, bucket: str, source: Source
) -> None:
    store = locked_store(seaweedfs, bucket, "COMPLIANCE")
    path, digest = source(b"locked bytes")
    store.put(KEY, path, digest)
    locked_version = store.stat(KEY).version_id

    store.client.delete_object(Bucket=bucket, Key=KEY)  # no VersionId: S3 writes a delete marker

    assert not store.exists(KEY)
    versions = store.versions(KEY)
    assert [(v.is_delete_marker, v.is_latest) for v in versions] == [(True, True), (False, False)]
    assert versions[1].version_id == locked_version
    with store.open(KEY, version_id=locked_version) as f:
        assert f.read() == b"locked bytes"
    with pytest.raises(Conflict) as raised:  # destruction removes the marker, not the locked version
        store.delete(KEY)
    assert raised.value.fields["refused_versions"] == [locked_version]
    assert read(store, KEY) == b"locked bytes"


def test_a_legal_hold_blocks_deletion_until_it_is_lifted(s3_store: S3ObjectStore, source: Source) -> None:
    path, digest = source(b"onder juridische bewaarplicht")
    s3_store.put(KEY, path, digest)
    assert s3_store.get_legal_hold(KEY) is False
    assert s3_store.get_retention(KEY) is None

    s3_store.set_legal_hold(KEY, True)
    assert s3_store.get_legal_hold(KEY) is True
    assert s3_store.stat(KEY).legal_hold is True
    with pytest.raises(Conflict, match=r"scan\.tif"):
        s3_store.delete(KEY, bypass_governance=True)

    s3_store.set_legal_hold(KEY, False)
    assert s3_store.get_legal_hold(KEY) is False
    s3_store.delete(KEY)
    assert s3_store.versions(KEY) == []


# --- write-once and checksums ---------------------------------------------------------------------


def test_the_server_refuses_a_conditional_write_to_a_taken_key(s3_store: S3ObjectStore, source: Source) -> None:
    path, digest = source(b"first")
    s3_store.put(KEY, path, digest)
    assert s3_store.conditional_writes is True

    with pytest.raises(ClientError) as raised:
        s3_store.client.put_object(Bucket=s3_store.bucket, Key=KEY, Body=b"second", IfNoneMatch="*")

    assert raised.value.response["Error"]["Code"] == "PreconditionFailed"
    assert read(s3_store, KEY) == b"first"


def test_storing_identical_bytes_again_writes_no_new_version(s3_store: S3ObjectStore, source: Source) -> None:
    path, digest = source(b"same")
    s3_store.put(KEY, path, digest)
    s3_store.put(KEY, path, digest)
    assert len(s3_store.versions(KEY)) == 1


def test_a_wrong_checksum_is_rejected_by_the_server_once_as_a_fixity_error_naming_the_key(
    seaweedfs: SeaweedFS, bucket: str, source: Source
) -> None:
    path, _ = source(b"what the server receives")
    wrong = sha(b"what the ledger says")
    with FaultProxy(("127.0.0.1", port_of(seaweedfs.endpoint)), seed=1, rates={}) as counter:
        store = S3ObjectStore(seaweedfs.client(counter.endpoint, max_attempts=5), bucket, name="seaweedfs")

        with pytest.raises(FixityError, match=r"scan\.tif") as raised:
            store.put(KEY, path, wrong)

        assert raised.value.fields["key"] == KEY
        assert raised.value.fields["server_code"] == "BadDigest"
        assert counter.stats["requests"] == 2  # one HEAD, one PUT: a refused digest is not retried
    assert not S3ObjectStore(seaweedfs.client(), bucket).exists(KEY)


def test_seaweedfs_verifies_the_sha256_of_a_put_and_of_every_part(s3_store: S3ObjectStore) -> None:
    client, bucket = s3_store.client, s3_store.bucket
    with pytest.raises(ClientError) as put:
        client.put_object(Bucket=bucket, Key=KEY, Body=b"abc", ChecksumSHA256=b64(sha(b"abd")))
    upload = client.create_multipart_upload(Bucket=bucket, Key=KEY, ChecksumAlgorithm="SHA256")["UploadId"]
    with pytest.raises(ClientError) as part:
        client.upload_part(
            Bucket=bucket, Key=KEY, UploadId=upload, PartNumber=1, Body=b"abc", ChecksumSHA256=b64(sha(b"abd"))
        )
    client.abort_multipart_upload(Bucket=bucket, Key=KEY, UploadId=upload)

    assert put.value.response["Error"]["Code"] == "BadDigest"
    assert part.value.response["Error"]["Code"] == "BadDigest"
    assert not s3_store.exists(KEY)


def test_seaweedfs_offers_a_full_object_checksum_for_crc_algorithms_only(s3_store: S3ObjectStore) -> None:
    client, bucket = s3_store.client, s3_store.bucket
    with pytest.raises(ClientError) as sha256_full:
        client.create_multipart_upload(Bucket=bucket, Key=KEY, ChecksumAlgorithm="SHA256", ChecksumType="FULL_OBJECT")
    crc = client.create_multipart_upload(
        Bucket=bucket, Key=KEY, ChecksumAlgorithm="CRC64NVME", ChecksumType="FULL_OBJECT"
    )
    client.abort_multipart_upload(Bucket=bucket, Key=KEY, UploadId=crc["UploadId"])

    assert sha256_full.value.response["Error"]["Code"] == "InvalidRequest"
    assert crc["ChecksumType"] == "FULL_OBJECT"


def test_a_small_object_carries_the_servers_sha256_equal_to_ours(s3_store: S3ObjectStore, source: Source) -> None:
    path, digest = source(b"klein")
    s3_store.put(KEY, path, digest)
    info = s3_store.stat(KEY)
    assert info.sha256 == digest
    assert info.checksum_sha256 == b64(digest)


# --- multipart ------------------------------------------------------------------------------------


@pytest.fixture
def multipart_store(seaweedfs: SeaweedFS, bucket: str) -> S3ObjectStore:
    return S3ObjectStore(
        seaweedfs.client(), bucket, name="seaweedfs", multipart_threshold=5 * MIB, part_size=5 * MIB, max_concurrency=3
    )


def test_a_multipart_source_that_does_not_match_its_sha256_uploads_nothing(
    multipart_store: S3ObjectStore, source: Source
) -> None:
    path, _ = source(random_bytes(11 * MIB, seed=3))
    with pytest.raises(FixityError, match=r"scan\.tif"):
        multipart_store.put(KEY, path, sha(b"something else"))
    assert not multipart_store.exists(KEY)
    uploads = multipart_store.client.list_multipart_uploads(Bucket=multipart_store.bucket).get("Uploads", [])
    assert uploads == []


def test_a_file_above_the_threshold_goes_up_in_parts_and_reads_back_byte_identical(
    multipart_store: S3ObjectStore, source: Source
) -> None:
    data = random_bytes(12 * MIB + 123, seed=4)
    path, digest = source(data)

    multipart_store.put(KEY, path, digest)

    info = multipart_store.stat(KEY)
    assert info.size == len(data)
    assert info.sha256 == digest
    assert info.checksum_sha256 is not None and info.checksum_sha256.endswith("-3")  # composite of 3 parts
    assert multipart_store.full_object_sha256 is False  # SeaweedFS: FULL_OBJECT only for CRC algorithms
    with multipart_store.open(KEY) as f:
        assert hashlib.sha256(f.read()).hexdigest() == digest
    assert multipart_store.client.list_multipart_uploads(Bucket=multipart_store.bucket).get("Uploads", []) == []


def test_a_multipart_object_is_compared_by_its_composite_checksum_on_a_second_put(
    multipart_store: S3ObjectStore, source: Source
) -> None:
    data = random_bytes(11 * MIB, seed=5)
    path, digest = source(data)
    multipart_store.put(KEY, path, digest)
    other, other_digest = source(data[:-1] + bytes([data[-1] ^ 1]))

    multipart_store.put(KEY, path, digest)  # identical: no-op
    with pytest.raises(ObjectExists, match=r"scan\.tif"):
        multipart_store.put(KEY, other, other_digest)

    assert len(multipart_store.versions(KEY)) == 1


# --- versions -------------------------------------------------------------------------------------


def test_versions_lists_every_version_and_delete_marker_of_exactly_one_key_newest_first(
    s3_store: S3ObjectStore, source: Source
) -> None:
    first, first_digest = source(b"revisie 1")
    s3_store.put(KEY, first, first_digest)
    s3_store.put(KEY + ".bestand.mdto.xml", first, first_digest)  # a longer key with the same prefix
    s3_store.client.delete_object(Bucket=s3_store.bucket, Key=KEY)
    second, second_digest = source(b"revisie 2")
    s3_store.put(KEY, second, second_digest)

    versions = s3_store.versions(KEY)

    current, *older = versions
    assert (current.is_delete_marker, current.is_latest, current.size) == (False, True, 9)
    older_kinds = sorted((v.is_delete_marker, v.is_latest, v.size or 0) for v in older)
    assert older_kinds == [(False, False, 9), (True, False, 0)]
    assert {v.key for v in versions} == {KEY}
    [first_version] = [v for v in older if not v.is_delete_marker]
    with s3_store.open(KEY, version_id=first_version.version_id) as f:
        assert f.read() == b"revisie 1"
    assert read(s3_store, KEY) == b"revisie 2"


# --- faults ---------------------------------------------------------------------------------------


def port_of(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def test_a_server_that_keeps_failing_gives_a_storage_error_after_a_bounded_number_of_attempts(
    seaweedfs: SeaweedFS, bucket: str, source: Source
) -> None:
    path, digest = source(b"x")
    with FaultProxy(("127.0.0.1", port_of(seaweedfs.endpoint)), seed=2, rates={"slowdown": 1.0}) as proxy:
        store = S3ObjectStore(seaweedfs.client(proxy.endpoint, max_attempts=3), bucket, name="seaweedfs")

        with pytest.raises(StorageError, match=r"scan\.tif") as raised:
            store.put(KEY, path, digest)

        assert raised.value.fields["store"] == "seaweedfs"
        assert raised.value.fields["key"] == KEY
        assert "3 attempt" in raised.value.message
        assert proxy.stats["requests"] == 3


def test_a_body_cut_short_is_resumed_and_reads_back_byte_identical(
    seaweedfs: SeaweedFS, s3_store: S3ObjectStore, source: Source
) -> None:
    data = random_bytes(3 * MIB, seed=6)
    path, digest = source(data)
    s3_store.put(KEY, path, digest)
    with FaultProxy(("127.0.0.1", port_of(seaweedfs.endpoint)), seed=3, rates={}) as proxy:
        store = S3ObjectStore(seaweedfs.client(proxy.endpoint), s3_store.bucket, name="seaweedfs")
        proxy.force("truncate", "truncate")

        with store.open(KEY) as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest
        assert proxy.stats["truncate"] == 2


def test_a_body_that_keeps_breaking_off_is_an_error_never_a_short_read(
    seaweedfs: SeaweedFS, s3_store: S3ObjectStore, source: Source
) -> None:
    data = random_bytes(2 * MIB, seed=7)
    path, digest = source(data)
    s3_store.put(KEY, path, digest)
    with FaultProxy(("127.0.0.1", port_of(seaweedfs.endpoint)), seed=4, rates={"truncate": 1.0}) as proxy:
        store = S3ObjectStore(seaweedfs.client(proxy.endpoint), s3_store.bucket, name="seaweedfs", read_resumes=2)

        with pytest.raises(StorageError, match=r"scan\.tif.*broke off") as raised, store.open(KEY) as f:
            f.read()

        assert raised.value.fields["length"] == len(data)
        assert raised.value.fields["bytes_read"] < len(data)


@pytest.mark.slow
def test_through_a_faulty_network_every_put_and_read_succeeds_byte_identical_or_fails_cleanly(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    rng = random.Random(2024)
    objects: dict[str, bytes] = {}
    for i in range(50):  # every tenth above the multipart threshold, the others up to 256 KiB
        size = 6 * MIB + rng.randrange(1000) if i % 10 == 0 else rng.randrange(0, 256 * 1024)
        objects[f"aips/{i:04d}/data/object.bin"] = rng.randbytes(size)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []

    with FaultProxy(("127.0.0.1", port_of(seaweedfs.endpoint)), seed=20, delay=(0.1, 2.5)) as proxy:
        client = seaweedfs.client(proxy.endpoint, max_attempts=4, timeouts=(2, 2))  # some delays time out
        store = S3ObjectStore(client, bucket, name="seaweedfs", multipart_threshold=5 * MIB, part_size=5 * MIB)
        for key, data in objects.items():
            path = tmp_path / "source.bin"
            path.write_bytes(data)
            try:
                store.put(key, path, sha(data))
                outcomes["put ok"] += 1
            except (StorageError, FixityError) as exc:
                outcomes["put failed"] += 1
                failures.append(f"put {key}: {exc}")
                continue
            try:
                with store.open(key) as f:
                    assert f.read() == data  # never wrong bytes, never a short read
                outcomes["read ok"] += 1
            except (StorageError, FixityError) as exc:
                outcomes["read failed"] += 1
                failures.append(f"read {key}: {exc}")
        stats = dict(proxy.stats)

    direct = S3ObjectStore(seaweedfs.client(), bucket)
    stored = list(direct.keys())
    for key in stored:
        with direct.open(key) as f:
            assert f.read() == objects[key]  # whatever got stored is exactly what was sent
        assert len(direct.versions(key)) == 1  # retried writes never stored a second version
    assert outcomes["put ok"] + outcomes["put failed"] == 50
    assert set(stored) >= {k for k in objects if not any(f.startswith(f"put {k}:") for f in failures)}
    assert sum(stats[f] for f in FAULTS) >= 10, stats
    assert min(stats.get(f, 0) for f in FAULTS) > 0, stats
    assert outcomes["read ok"] > 0, failures
    print(f"faults injected: {stats}; outcomes: {dict(outcomes)}; failures: {failures}")
