"""Write-once object storage in an S3 bucket with Object Lock: the S3 adapter of `edepot.ports.ObjectStore`.

How a put stores an object exactly once, verified by the server:

1. HEAD the key. If an object is there, it is compared with the source: size, our sha256 kept as
   object metadata (`x-amz-meta-sha256`) and the server's own `ChecksumSHA256` (for a multipart
   object the composite checksum is recomputed from the source along the stored part sizes). All
   agree: the put is a no-op. Any differs: ObjectExists. Neither digest available: the stored
   object is read back and hashed.
2. Otherwise the file is uploaded with `ChecksumSHA256` = our digest, so the server recomputes
   SHA-256 over the bytes it received and refuses a mismatch (`BadDigest`), which surfaces as a
   FixityError naming the key (never retried: the bytes, not the network, are wrong).
   - Up to `multipart_threshold` bytes: one PutObject, streamed from the open file.
   - Above it: one sequential read hashes the whole file and every part (the whole digest must
     equal the caller's before anything is sent); then the parts are uploaded, `max_concurrency`
     at a time, each read from its window of the file and carrying its own SHA-256, and the
     upload is completed with the checksum of the whole object. The SHA-256 full-object checksum
     type (`ChecksumType=FULL_OBJECT`) is tried once per store; S3 (and SeaweedFS) only allow
     FULL_OBJECT for CRC algorithms, so the upload falls back to the COMPOSITE checksum
     (SHA-256 over the parts' SHA-256 digests, suffixed `-<parts>`), which the server verifies
     at completion. A failed multipart upload is aborted.
3. The upload is conditional (`If-None-Match: *`), so of two concurrent puts of the same key
   exactly one succeeds; the other gets 412 and goes back to step 1 (identical bytes: no-op).
   When the server answers that conditional writes are not implemented (501), the store stops
   sending the header and relies on step 1 alone. Then there is a race: two puts that both HEAD
   "absent" both upload, and in a versioned bucket the later one becomes a second version. The
   older version is not lost (versioning and Object Lock keep it), but write-once is then only
   as strong as the HEAD; use a server with conditional writes in production.

Retention (Object Lock) is applied per put from a `RetentionPolicy`, or per call with
`retain_until`. Retries are botocore's "standard" mode with a bounded number of attempts and
connect/read timeouts (see `s3_client`); after the last attempt a StorageError names the key and
the store. Reads stream: `open()` returns a file object that reads the response body in chunks,
checks the byte count against Content-Length, resumes an interrupted body with a ranged GET pinned
to the same version (a bounded number of times) and raises StorageError rather than ever
returning a short read as if it were the whole object. A response that arrives without a header
it must have (ETag, Content-Length: a cut inside the head) is asked again, and a put that finds
different content confirms it with a second HEAD before it raises ObjectExists.

Checked against SeaweedFS 4.48 (`weed mini`, tests/integration/storage/test_s3_store.py): Object
Lock COMPLIANCE and GOVERNANCE (bypass honoured for GOVERNANCE only; COMPLIANCE can be extended,
not shortened or downgraded), legal hold, versioning with delete markers, If-None-Match on
PutObject and CompleteMultipartUpload (412, atomic under concurrent puts), SHA-256 verified on
PutObject, UploadPart and CompleteMultipartUpload (BadDigest), FULL_OBJECT only for CRC algorithms.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import hashlib
import io
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from edepot.errors import ConfigurationError, Conflict, EdepotError, FixityError, NotFound, ObjectExists, StorageError
from edepot.fixity import CHUNK
from edepot.ports import Clock
from edepot.storage.keys import check_key, check_sha256
from edepot.storage.s3_settings import MIB, MIN_PART_SIZE, S3Settings

MAX_PARTS = 10_000  # S3 limit of parts per multipart upload
MAX_PART_SIZE = 5 * 1024 * MIB
SHA256_METADATA = "sha256"  # sent as the header x-amz-meta-sha256

_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchVersion", "405", "MethodNotAllowed"})
_DIGEST_REFUSED = frozenset({"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "InvalidChecksum"})
_NO_RETENTION = frozenset({"NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"})
_NO_LEGAL_HOLD = frozenset({"NoSuchObjectLegalHold", *_NO_RETENTION})
_BUCKET_EXISTS = frozenset({"BucketAlreadyOwnedByYou", "BucketAlreadyExists"})
_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_B64_SHA256 = re.compile(r"^[A-Za-z0-9+/]{43}=(-[1-9][0-9]*)?$")


class RetentionMode(StrEnum):
    """Object Lock modes: COMPLIANCE nobody can shorten or lift; GOVERNANCE a privileged user can."""

    COMPLIANCE = "COMPLIANCE"
    GOVERNANCE = "GOVERNANCE"


@dataclass(frozen=True)
class RetentionPolicy:
    """The retention every put gets unless the caller passes its own retain-until date."""

    mode: RetentionMode | str
    default_days: int

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", RetentionMode(str(self.mode).upper()))
        except ValueError:
            raise EdepotError(
                f"unknown Object Lock mode {self.mode!r}", hint="use COMPLIANCE or GOVERNANCE"
            ) from None
        if self.default_days < 1:
            raise EdepotError(f"retention of {self.default_days} days is too short", hint="use at least 1 day")

    def until(self, now: datetime) -> datetime:
        return now + timedelta(days=self.default_days)


@dataclass(frozen=True)
class Retention:
    """The Object Lock retention of one object version."""

    mode: RetentionMode
    until: datetime


@dataclass(frozen=True)
class ObjectVersion:
    """One version of a key in a versioned bucket (a delete marker has no size)."""

    key: str
    version_id: str
    is_latest: bool
    is_delete_marker: bool
    last_modified: datetime
    size: int | None = None
    etag: str | None = None


@dataclass(frozen=True)
class ObjectInfo:
    """What a HEAD tells about the current version of a key."""

    key: str
    size: int
    sha256: str | None  # our digest from the object metadata
    checksum_sha256: str | None  # the server's, base64; composite ones end in -<parts>
    version_id: str | None
    etag: str | None
    retention: Retention | None
    legal_hold: bool


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def s3_client(
    endpoint_url: str | None,
    region: str,
    access_key: str,
    secret_key: str,
    *,
    max_attempts: int = 5,
    timeouts: tuple[float, float] = (5.0, 60.0),
    max_pool_connections: int = 16,
) -> Any:
    """A boto3 S3 client with bounded retries ("standard" mode) and (connect, read) timeouts.

    Path-style addressing (bucket in the path), which every S3-compatible server understands.
    Checksums are only computed by botocore where an operation requires one: the store sends
    SHA-256 itself on every upload.
    """
    import boto3
    from botocore.config import Config

    connect_timeout, read_timeout = timeouts
    config = Config(
        region_name=region,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max_pool_connections,
        s3={"addressing_style": "path"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    )


def ensure_bucket(client: Any, bucket: str, *, object_lock: bool = True, versioning: bool = True) -> None:
    """Create `bucket` (with Object Lock and versioning) unless it exists; check an existing one.

    An existing bucket without Object Lock when `object_lock` is asked for is a ConfigurationError:
    the lock cannot be relied on there.
    """
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if object_lock:
        kwargs["ObjectLockEnabledForBucket"] = True
    region = getattr(getattr(client, "meta", None), "region_name", None)
    if region and region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(**kwargs)
    except Exception as exc:
        if _code(exc) not in _BUCKET_EXISTS:
            raise _storage_error(exc, f"creating bucket {bucket!r}", store=bucket, key=None) from exc
    try:
        if object_lock:
            try:
                config = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
                enabled = config.get("ObjectLockEnabled") == "Enabled"
            except Exception as exc:
                if _code(exc) not in _NO_RETENTION:
                    raise
                enabled = False
            if not enabled:
                raise ConfigurationError(
                    f"bucket {bucket!r} exists without Object Lock",
                    hint="use a new bucket created with Object Lock (ensure_bucket), or enable it on the server",
                    bucket=bucket,
                )
        if versioning or object_lock:
            status = client.get_bucket_versioning(Bucket=bucket).get("Status")
            if status != "Enabled":
                client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    except EdepotError:
        raise
    except Exception as exc:
        raise _storage_error(exc, f"configuring bucket {bucket!r}", store=bucket, key=None) from exc


class S3ObjectStore:
    """ObjectStore on one S3 bucket. Thread-safe (boto3 clients are); see the module doc."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        *,
        name: str = "s3",
        multipart_threshold: int = 64 * MIB,
        part_size: int = 16 * MIB,
        max_concurrency: int = 4,
        retention: RetentionPolicy | None = None,
        conditional_writes: bool | None = None,
        read_resumes: int = 3,
        clock: Clock | None = None,
    ) -> None:
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise EdepotError(f"part size {part_size} is outside the S3 limits (5 MiB to 5 GiB)")
        if max_concurrency < 1:
            raise EdepotError("max_concurrency must be at least 1")
        self.name = name
        self.bucket = bucket
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self.max_concurrency = max_concurrency
        self.retention = retention
        self.read_resumes = read_resumes
        self._client = client
        self._clock: Clock = clock or _SystemClock()
        # capabilities: None = not known yet, found out on first use
        self._conditional_writes = conditional_writes
        self._full_object_sha256: bool | None = None

    @classmethod
    def from_settings(cls, settings: S3Settings, *, name: str = "s3", clock: Clock | None = None) -> S3ObjectStore:
        client = s3_client(
            settings.endpoint,
            settings.region,
            settings.access_key,
            settings.secret_key,
            max_attempts=settings.max_attempts,
            timeouts=(settings.connect_timeout, settings.read_timeout),
            max_pool_connections=max(16, settings.max_concurrency * 2),
        )
        retention = RetentionPolicy(settings.lock_mode, settings.retention_days) if settings.lock_mode else None
        return cls(
            client,
            settings.bucket,
            name=name,
            multipart_threshold=settings.multipart_threshold,
            part_size=settings.part_size,
            max_concurrency=settings.max_concurrency,
            retention=retention,
            clock=clock,
        )

    @property
    def client(self) -> Any:
        return self._client

    @property
    def conditional_writes(self) -> bool | None:
        """True/False once known whether the server honours If-None-Match on writes."""
        return self._conditional_writes

    @property
    def full_object_sha256(self) -> bool | None:
        """True/False once known whether multipart uploads can carry a full-object SHA-256."""
        return self._full_object_sha256

    # --- reading ------------------------------------------------------------------------------

    def open(self, key: str, *, version_id: str | None = None) -> BinaryIO:
        """The object (latest version, or `version_id`) as a streaming binary file; NotFound if missing."""
        check_key(key)
        raw = _ObjectReader(self, key, version_id)
        return io.BufferedReader(raw, buffer_size=CHUNK)

    def exists(self, key: str) -> bool:
        check_key(key)
        return self._head(key) is not None

    def size(self, key: str) -> int:
        return self.stat(key).size

    def stat(self, key: str, *, version_id: str | None = None) -> ObjectInfo:
        """Size, digests, version and lock state of the object; NotFound if missing."""
        check_key(key)
        head = self._head(key, version_id=version_id)
        if head is None:
            raise self._not_found(key)
        return _info(key, head)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with `prefix` (current versions only), sorted."""
        found: list[str] = []
        try:
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                found.extend(item["Key"] for item in page.get("Contents", ()) if not item["Key"].endswith("/"))
        except Exception as exc:
            raise self._error(exc, "listing", prefix or "(all keys)") from exc
        return iter(sorted(found))

    def versions(self, key: str) -> list[ObjectVersion]:
        """Every version and delete marker of exactly `key`: the current one first, then by age."""
        check_key(key)
        found: list[ObjectVersion] = []
        try:
            paginator = self._client.get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=key):
                for item in page.get("Versions", ()):
                    if item["Key"] == key:
                        found.append(_listed_version(item, delete_marker=False))
                for item in page.get("DeleteMarkers", ()):
                    if item["Key"] == key:
                        found.append(_listed_version(item, delete_marker=True))
        except Exception as exc:
            raise self._error(exc, "listing versions of", key) from exc
        # S3 lists versions and delete markers separately, each newest first; merged by time (whole
        # seconds), the current one first. Within one second a marker and a version keep no order.
        found.sort(key=lambda v: (v.is_latest, v.last_modified), reverse=True)
        return found

    # --- writing ------------------------------------------------------------------------------

    def put(self, key: str, source: Path, sha256: str, *, retain_until: datetime | None = None) -> None:
        """Store `source` under `key` once, verified by the server; identical bytes again are a no-op.

        `retain_until` overrides the policy's default retain-until date (the mode stays the policy's,
        or GOVERNANCE without a policy).
        """
        check_key(key)
        sha256 = check_sha256(sha256)
        source = Path(source)
        size = source.stat().st_size
        for _ in range(3):
            head = self._head(key)
            if head is not None:
                try:
                    self._check_same(key, head, source, size, sha256)
                except ObjectExists:
                    # confirm with a second look before refusing: a response cut inside its head
                    # can reach the client as a shorter header value
                    head = self._head(key)
                    if head is None:
                        continue
                    self._check_same(key, head, source, size, sha256)
                return
            lock = self._lock_arguments(retain_until)
            try:
                if size > self.multipart_threshold:
                    self._put_multipart(key, source, size, sha256, lock)
                else:
                    self._put_single(key, source, size, sha256, lock)
                return
            except _KeyTaken:
                continue  # someone (or our own retried request) stored it first: compare
        raise StorageError(
            f"object {key!r} in store {self.name!r} was reported present and then absent while storing",
            hint="objects are never deleted outside an approved destruction; check the bucket's versions",
            key=key,
            store=self.name,
        )

    def _put_single(self, key: str, source: Path, size: int, sha256: str, lock: dict[str, Any]) -> None:
        arguments: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "ContentLength": size,
            "ContentType": "application/octet-stream",
            "ChecksumSHA256": _b64(bytes.fromhex(sha256)),
            "Metadata": {SHA256_METADATA: sha256},
            **lock,
        }
        with open(source, "rb") as body:
            self._conditional(key, "storing", lambda extra: self._client.put_object(Body=body, **arguments, **extra))

    def _put_multipart(self, key: str, source: Path, size: int, sha256: str, lock: dict[str, Any]) -> None:
        part_size = max(self.part_size, math.ceil(size / MAX_PARTS / MIB) * MIB)
        windows = [(offset, min(part_size, size - offset)) for offset in range(0, size, part_size)]
        whole, part_digests = _hash_parts(source, part_size)
        if whole != sha256:
            raise FixityError(
                f"{source} does not match the sha256 given for {key!r} (read {whole}, expected {sha256})",
                hint="the source changed after it was hashed; hash it again and retry",
                key=key,
                expected=sha256,
                actual=whole,
            )
        upload_id, full_object = self._create_multipart(key, sha256, lock)
        try:
            parts = self._upload_parts(key, source, upload_id, windows, part_digests)
            if full_object:
                expected, kind = _b64(bytes.fromhex(sha256)), {"ChecksumType": "FULL_OBJECT"}
            else:
                composite = hashlib.sha256(b"".join(part_digests)).digest()
                expected, kind = f"{_b64(composite)}-{len(parts)}", {}
            completed = self._conditional(
                key,
                "completing the upload of",
                lambda extra: self._client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                    ChecksumSHA256=expected,
                    **kind,
                    **extra,
                ),
                gone_means_taken=True,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        reported = completed.get("ChecksumSHA256")
        if reported and reported != expected:
            raise FixityError(
                f"the server reports checksum {reported} for {key!r} in store {self.name!r}, expected {expected}",
                hint="the object may be damaged; read it back and compare it with the ledger",
                key=key,
                store=self.name,
            )

    def _create_multipart(self, key: str, sha256: str, lock: dict[str, Any]) -> tuple[str, bool]:
        """Start a multipart upload; (upload id, whether it carries a full-object SHA-256)."""
        arguments: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "ContentType": "application/octet-stream",
            "ChecksumAlgorithm": "SHA256",
            "Metadata": {SHA256_METADATA: sha256},
            **lock,
        }
        if self._full_object_sha256 is not False:
            try:
                response = self._client.create_multipart_upload(ChecksumType="FULL_OBJECT", **arguments)
                self._full_object_sha256 = True
                return str(response["UploadId"]), True
            except Exception as exc:
                code = _code(exc)
                if code in {"InvalidRequest", "InvalidArgument", "NotImplemented"}:
                    self._full_object_sha256 = False  # the server said so: do not ask again
                elif code not in {"400", "501"}:  # (an error without a readable code: try composite)
                    raise self._error(exc, "starting the upload of", key) from exc
        try:
            response = self._client.create_multipart_upload(**arguments)
        except Exception as exc:
            raise self._error(exc, "starting the upload of", key) from exc
        return str(response["UploadId"]), False

    def _upload_parts(
        self, key: str, source: Path, upload_id: str, windows: list[tuple[int, int]], digests: list[bytes]
    ) -> list[dict[str, Any]]:
        def upload(number: int) -> dict[str, Any]:
            offset, length = windows[number - 1]
            checksum = _b64(digests[number - 1])
            with _FileWindow(source, offset, length) as body:

                def call() -> dict[str, Any]:
                    body.seek(0)
                    response: dict[str, Any] = self._client.upload_part(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=body,
                        ContentLength=length,
                        ChecksumSHA256=checksum,
                    )
                    return response

                try:
                    response = self._complete(call, ("ETag",))  # a part may be uploaded again
                except Exception as exc:
                    raise self._error(exc, f"uploading part {number} of", key) from exc
            return {"PartNumber": number, "ETag": response["ETag"], "ChecksumSHA256": checksum}

        workers = min(self.max_concurrency, len(windows))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3-part") as pool:
            futures = [pool.submit(upload, number) for number in range(1, len(windows) + 1)]
            try:
                return [f.result() for f in futures]
            except BaseException:
                for f in futures:
                    f.cancel()
                raise

    def _conditional(
        self, key: str, action: str, call: Callable[[dict[str, Any]], Any], *, gone_means_taken: bool = False
    ) -> Any:
        """Run a write with If-None-Match when the server supports it; _KeyTaken on 412."""
        while True:
            conditional = self._conditional_writes is not False
            try:
                response = call({"IfNoneMatch": "*"} if conditional else {})
            except Exception as exc:
                code = _code(exc)
                if code in {"PreconditionFailed", "412", "ConditionalRequestConflict"}:
                    raise _KeyTaken from None
                if gone_means_taken and code in {"NoSuchUpload", "InvalidPart"}:
                    # a retried completion whose first attempt succeeded finds its upload (or its
                    # parts) gone: look again; if the object is not there, the put starts over
                    raise _KeyTaken from None
                if conditional and code in {"NotImplemented", "501"}:
                    self._conditional_writes = False
                    continue
                raise self._error(exc, action, key) from exc
            if conditional:
                self._conditional_writes = True
            return response

    def _check_same(self, key: str, head: dict[str, Any], source: Path, size: int, sha256: str) -> None:
        """Return if the stored object holds the bytes of `source`; ObjectExists if not."""
        info = _info(key, head)
        stored: str | None = info.sha256
        evidence = 0
        if info.size != size:
            stored = stored or f"(another object of {info.size} bytes)"
        elif info.sha256 is not None:
            evidence += 1
        if stored == sha256 and info.checksum_sha256:
            if _matches_server_checksum(self, key, info, source, sha256):
                evidence += 1
            else:
                stored = f"(server checksum {info.checksum_sha256})"
        if info.size == size and stored is None:  # neither digest: read the object back
            stored = self._hash_stored(key, info.version_id)
            evidence += 1
        if stored != sha256 or not evidence:
            raise ObjectExists(
                f"object {key!r} already exists in store {self.name!r} with different content "
                f"(stored sha256 {stored}, new {sha256})",
                hint="objects are write-once; store the new content under a new key (a new revision)",
                key=key,
                store=self.name,
                stored_sha256=stored,
                new_sha256=sha256,
            )

    def _hash_stored(self, key: str, version_id: str | None) -> str:
        digest = hashlib.sha256()
        with self.open(key, version_id=version_id) as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def _lock_arguments(self, retain_until: datetime | None) -> dict[str, Any]:
        if self.retention is not None:
            mode = RetentionMode(self.retention.mode)
            until = retain_until or self.retention.until(self._clock.now())
        elif retain_until is not None:
            mode, until = RetentionMode.GOVERNANCE, retain_until
        else:
            return {}
        return {"ObjectLockMode": str(mode), "ObjectLockRetainUntilDate": _utc(until)}

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        """Never: a bucket has no atomic publish of many objects; the caller puts them one by one."""
        return False

    def sync(self) -> None:
        """Nothing to do: a put is durable on the server when it returns."""

    # --- Object Lock --------------------------------------------------------------------------

    def set_retention(
        self,
        key: str,
        until: datetime,
        mode: RetentionMode | str | None = None,
        *,
        version_id: str | None = None,
        bypass_governance: bool = False,
    ) -> None:
        """Set (extend) the retain-until date; shortening COMPLIANCE retention is refused (Conflict)."""
        check_key(key)
        chosen = RetentionMode(str(mode or (self.retention.mode if self.retention else "GOVERNANCE")).upper())
        arguments: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Retention": {"Mode": str(chosen), "RetainUntilDate": _utc(until)},
            **_version(version_id),
        }
        if bypass_governance:
            arguments["BypassGovernanceRetention"] = True
        try:
            self._client.put_object_retention(**arguments)
        except Exception as exc:
            refusal = "shortening or weakening a retention"
            raise self._error(exc, "setting the retention of", key, refusal=refusal) from exc

    def get_retention(self, key: str, *, version_id: str | None = None) -> Retention | None:
        """The retention of the object, or None if it has none."""
        check_key(key)
        try:
            response = self._client.get_object_retention(Bucket=self.bucket, Key=key, **_version(version_id))
        except Exception as exc:
            if _code(exc) in _NO_RETENTION:
                self.stat(key, version_id=version_id)  # NotFound for a missing object
                return None
            raise self._error(exc, "reading the retention of", key) from exc
        retention = response.get("Retention") or {}
        if not retention.get("Mode"):
            return None
        return Retention(RetentionMode(retention["Mode"]), _utc(retention["RetainUntilDate"]))

    def set_legal_hold(self, key: str, on: bool, *, version_id: str | None = None) -> None:
        """Place (on=True) or lift a legal hold: while on, no version can be deleted whatever its retention."""
        check_key(key)
        try:
            self._client.put_object_legal_hold(
                Bucket=self.bucket, Key=key, LegalHold={"Status": "ON" if on else "OFF"}, **_version(version_id)
            )
        except Exception as exc:
            raise self._error(exc, "setting the legal hold of", key) from exc

    def get_legal_hold(self, key: str, *, version_id: str | None = None) -> bool:
        check_key(key)
        try:
            response = self._client.get_object_legal_hold(Bucket=self.bucket, Key=key, **_version(version_id))
        except Exception as exc:
            if _code(exc) in _NO_LEGAL_HOLD:
                self.stat(key, version_id=version_id)  # NotFound for a missing object
                return False
            raise self._error(exc, "reading the legal hold of", key) from exc
        return bool((response.get("LegalHold") or {}).get("Status") == "ON")

    def delete(self, key: str, *, version_id: str | None = None, bypass_governance: bool = False) -> list[str]:
        """Delete one version, or every version and delete marker of `key`, for good; the ids deleted.

        This is destruction, not hiding: no delete marker is written. A version under retention or
        legal hold is refused by the server and raises Conflict (the versions that could be deleted
        are gone; the refused ones are named in the error). NotFound when there is nothing to delete.
        """
        check_key(key)
        targets = [version_id] if version_id else [v.version_id for v in self.versions(key)]
        if not targets:
            raise self._not_found(key)
        deleted: list[str] = []
        refused: list[str] = []
        last: Exception | None = None
        for target in targets:
            arguments: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "VersionId": target}
            if bypass_governance:
                arguments["BypassGovernanceRetention"] = True
            try:
                self._client.delete_object(**arguments)
                deleted.append(target)
            except Exception as exc:
                if _code(exc) not in {"AccessDenied", "403"}:
                    raise self._error(exc, "deleting", key) from exc
                refused.append(target)
                last = exc
        if refused:
            raise Conflict(
                f"deleting {key!r} in store {self.name!r} was refused for version(s) {', '.join(refused)}: "
                "Object Lock retention or a legal hold protects them (or the identity may not delete)",
                hint="wait until the retain-until date has passed and lift any legal hold; "
                "COMPLIANCE retention cannot be bypassed",
                key=key,
                store=self.name,
                refused_versions=refused,
                deleted_versions=deleted,
                server_code=_code(last) if last else None,
            )
        return deleted

    # --- internals ----------------------------------------------------------------------------

    def _head(self, key: str, *, version_id: str | None = None) -> dict[str, Any] | None:
        def call() -> dict[str, Any]:
            response: dict[str, Any] = self._client.head_object(
                Bucket=self.bucket, Key=key, ChecksumMode="ENABLED", **_version(version_id)
            )
            return response

        try:
            return self._complete(call, ("ContentLength", "ETag", "LastModified"))
        except Exception as exc:
            if _code(exc) in _NOT_FOUND:
                return None
            raise self._error(exc, "looking up", key) from exc

    def _get(self, key: str, version_id: str | None, etag: str | None, start: int) -> dict[str, Any]:
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Key": key, **_version(version_id)}
        if etag and not version_id:
            arguments["IfMatch"] = etag
        if start:
            arguments["Range"] = f"bytes={start}-"

        def call() -> dict[str, Any]:
            response: dict[str, Any] = self._client.get_object(**arguments)
            return response

        try:
            return self._complete(call, ("ContentLength", "ETag"))
        except Exception as exc:
            if _code(exc) in _NOT_FOUND:
                raise self._not_found(key) from None
            raise self._error(exc, "reading", key) from exc

    def _complete(self, call: Callable[[], dict[str, Any]], required: tuple[str, ...]) -> dict[str, Any]:
        """`call()`, repeated while its response lacks a header it must have.

        A connection cut inside the response head can look, to the HTTP client, like a complete
        response with fewer headers; such a response is never used. Bounded by the client's attempts.
        """
        for _ in range(self._attempts()):
            response = call()
            if all(name in response for name in required):
                return response
            with contextlib.suppress(Exception):
                response["Body"].close()
        raise _IncompleteResponse(f"the response lacked {', '.join(required)} (cut short?)")

    def _attempts(self) -> int:
        retries = getattr(getattr(getattr(self._client, "meta", None), "config", None), "retries", None) or {}
        return int(retries.get("total_max_attempts") or retries.get("max_attempts") or 3)

    def _not_found(self, key: str) -> NotFound:
        return NotFound(
            f"no object {key!r} in store {self.name!r}",
            hint="check the key (list with keys(prefix)), its versions, or the fixity ledger",
            key=key,
            store=self.name,
        )

    def _error(self, exc: BaseException, action: str, key: str, *, refusal: str | None = None) -> EdepotError:
        code = _code(exc)
        if code in _DIGEST_REFUSED:
            return FixityError(
                f"store {self.name!r} refused {key!r}: the bytes received do not match the SHA-256 sent ({code})",
                hint="the source changed after it was hashed, or the bytes were damaged on the way; "
                "hash the source again and retry",
                key=key,
                store=self.name,
                server_code=code,
            )
        if refusal and code in {"AccessDenied", "403"}:
            return Conflict(
                f"{action} {key!r} in store {self.name!r} was refused ({code}): Object Lock forbids {refusal}",
                hint="COMPLIANCE retention can only be extended; GOVERNANCE needs bypass_governance",
                key=key,
                store=self.name,
                server_code=code,
            )
        if code in _NOT_FOUND:
            return self._not_found(key)
        return _storage_error(
            exc, f"{action} {key!r}", store=self.name, key=key, bucket=self.bucket, attempts=self._attempts()
        )


class _IncompleteResponse(Exception):
    """A response without a header it must have: treated as a failed transfer."""


class _KeyTaken(Exception):
    """A conditional write found the key taken (412), or a retried completion found it done."""


class _ObjectReader(io.RawIOBase):
    """The body of one object version, read in chunks; resumes a broken body with a ranged GET."""

    def __init__(self, store: S3ObjectStore, key: str, version_id: str | None) -> None:
        super().__init__()
        self._store = store
        self._key = key
        self._position = 0
        self._resumes = 0
        response = store._get(key, version_id, None, 0)
        self._body: Any = response["Body"]
        self._length = int(response["ContentLength"])
        self._version_id: str | None = version_id or response.get("VersionId")
        if self._version_id == "null":
            self._version_id = None
        self._etag: str | None = response.get("ETag")

    @property
    def length(self) -> int:
        return self._length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._position >= self._length or not len(view):
            if self._position == self._length and len(view):
                self._check_end()
            return 0
        wanted = min(len(view), self._length - self._position)
        while True:
            try:
                data = self._body.read(wanted)
                if not data:
                    raise _Truncated(f"the body ended after {self._position} of {self._length} bytes")
            except Exception as exc:
                self._resume(exc)
                continue
            n = len(data)
            view[:n] = data
            self._position += n
            return n

    def _check_end(self) -> None:
        """At Content-Length: the stream must be exhausted too (more bytes would mean a wrong length)."""
        try:
            extra = self._body.read(1)
        except Exception:
            extra = b""
        if extra:
            raise StorageError(
                f"reading {self._key!r} from store {self._store.name!r}: more bytes than its Content-Length "
                f"{self._length}",
                hint="the server or a proxy in between answered wrongly; retry the read",
                key=self._key,
                store=self._store.name,
            )

    def _resume(self, cause: BaseException) -> None:
        with contextlib.suppress(Exception):
            self._body.close()
        if self._resumes >= self._store.read_resumes:
            raise StorageError(
                f"reading {self._key!r} from store {self._store.name!r} broke off after {self._position} of "
                f"{self._length} bytes ({type(cause).__name__}: {cause}), {self._resumes} resume(s) tried",
                hint="the connection to the S3 server is unreliable; retry the read later",
                key=self._key,
                store=self._store.name,
                bytes_read=self._position,
                length=self._length,
            ) from cause
        self._resumes += 1
        response = self._store._get(self._key, self._version_id, self._etag, self._position)
        remaining = self._length - self._position
        if int(response["ContentLength"]) != remaining:
            raise StorageError(
                f"resuming {self._key!r} in store {self._store.name!r} at byte {self._position}: the server "
                f"offers {response['ContentLength']} bytes, {remaining} were expected",
                hint="the object changed while it was read; read it again",
                key=self._key,
                store=self._store.name,
            )
        self._body = response["Body"]

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                self._body.close()
        super().close()


class _Truncated(Exception):
    pass


class _FileWindow(io.RawIOBase):
    """`length` bytes of a file from `offset`, seekable within the window (one multipart part)."""

    def __init__(self, path: Path, offset: int, length: int) -> None:
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._offset = offset
        self._length = length
        self._position = 0
        self._file.seek(offset)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._length}[whence]
        self._position = max(0, min(self._length, base + position))
        self._file.seek(self._offset + self._position)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._length - self._position)
        if wanted <= 0:
            return 0
        n = self._file.readinto(view[:wanted])
        self._position += n
        return n

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._length - self._position
        buffer = bytearray(min(size, self._length - self._position))
        n = self.readinto(buffer)
        return bytes(buffer[:n])

    def __len__(self) -> int:
        return self._length

    def close(self) -> None:
        self._file.close()
        super().close()


def _hash_parts(source: Path, part_size: int) -> tuple[str, list[bytes]]:
    """One sequential read: the hex SHA-256 of the whole file and the raw SHA-256 of every part."""
    whole = hashlib.sha256()
    parts: list[bytes] = []
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(source, "rb") as f:
        while True:
            part = hashlib.sha256()
            remaining = part_size
            while remaining:
                n = f.readinto(view[: min(CHUNK, remaining)])
                if not n:
                    break
                part.update(view[:n])
                whole.update(view[:n])
                remaining -= n
            if remaining == part_size:
                break
            parts.append(part.digest())
            if remaining:
                break
    return whole.hexdigest(), parts


def _matches_server_checksum(store: S3ObjectStore, key: str, info: ObjectInfo, source: Path, sha256: str) -> bool:
    """Whether the server's ChecksumSHA256 fits the source (whose whole digest is `sha256`)."""
    checksum = info.checksum_sha256 or ""
    value, _, parts = checksum.partition("-")
    if not parts:
        return value == _b64(bytes.fromhex(sha256))
    try:  # composite: recompute along the stored part sizes
        attributes = store.client.get_object_attributes(
            Bucket=store.bucket,
            Key=key,
            ObjectAttributes=["ObjectParts"],
            MaxParts=MAX_PARTS,
            **_version(info.version_id),
        )
        sizes = [int(p["Size"]) for p in attributes["ObjectParts"]["Parts"]]
    except Exception:
        return True  # the server cannot tell the parts; the metadata digest has to do
    if len(sizes) != int(parts) or sum(sizes) != info.size:
        return False
    digests: list[bytes] = []
    with open(source, "rb") as f:
        for part_size in sizes:
            digest = hashlib.sha256()
            remaining = part_size
            while remaining:
                chunk = f.read(min(CHUNK, remaining))
                if not chunk:
                    return False
                digest.update(chunk)
                remaining -= len(chunk)
            digests.append(digest.digest())
    return _b64(hashlib.sha256(b"".join(digests)).digest()) == value


def _info(key: str, head: dict[str, Any]) -> ObjectInfo:
    mode = head.get("ObjectLockMode")
    until = head.get("ObjectLockRetainUntilDate")
    metadata = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
    stored = str(metadata.get(SHA256_METADATA) or "").strip().lower()
    checksum = str(head.get("ChecksumSHA256") or "")
    version_id = head.get("VersionId")
    return ObjectInfo(
        key=key,
        size=int(head.get("ContentLength", 0)),
        sha256=stored if _HEX_SHA256.match(stored) else None,  # anything else counts as absent
        checksum_sha256=checksum if _B64_SHA256.match(checksum) else None,
        version_id=None if version_id in (None, "null") else version_id,
        etag=head.get("ETag"),
        retention=Retention(RetentionMode(mode), _utc(until)) if mode and until else None,
        legal_hold=head.get("ObjectLockLegalHoldStatus") == "ON",
    )


def _version(version_id: str | None) -> dict[str, str]:
    """The VersionId argument of a request, if a version is named."""
    return {"VersionId": version_id} if version_id else {}


def _listed_version(source: dict[str, Any], *, delete_marker: bool) -> ObjectVersion:
    return ObjectVersion(
        key=source["Key"],
        version_id=source["VersionId"],
        is_latest=bool(source.get("IsLatest")),
        is_delete_marker=delete_marker,
        last_modified=_utc(source["LastModified"]),
        size=None if delete_marker else int(source.get("Size", 0)),
        etag=source.get("ETag"),
    )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise EdepotError(f"{moment!r} has no time zone", hint="pass an aware datetime, e.g. in UTC")
    return moment.astimezone(UTC)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _code(exc: BaseException) -> str:
    """The S3 error code of a botocore ClientError ('' for anything else)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    error = response.get("Error") or {}
    code = str(error.get("Code") or "")
    if not code:
        code = str((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or "")
    return code


def _storage_error(
    exc: BaseException, doing: str, *, store: str, key: str | None, attempts: int | None = None, **fields: Any
) -> EdepotError:
    from botocore.exceptions import ParamValidationError

    if isinstance(exc, ParamValidationError):
        return EdepotError(f"{doing}: invalid request ({exc})", hint="this is a bug in edepot; report it")
    code = _code(exc)
    retried = (getattr(exc, "response", None) or {}).get("ResponseMetadata", {}).get("RetryAttempts")
    if isinstance(retried, int):
        attempts = retried + 1
    detail = f"{code}: {exc}" if code else f"{type(exc).__name__}: {exc}"
    after = f" after {attempts} attempt(s)" if attempts else ""
    hint = "check that the S3 server is reachable and healthy, then retry (puts and reads can safely be repeated)"
    if code in {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403"}:
        hint = "check EDEPOT_S3_ACCESS_KEY / EDEPOT_S3_SECRET_KEY and the identity's permissions on the bucket"
    elif code == "NoSuchBucket":
        hint = "create the bucket with Object Lock (edepot.storage.s3.ensure_bucket) or fix EDEPOT_S3_BUCKET"
    return StorageError(
        f"store {store!r} failed {doing}{after} ({detail})",
        hint=hint,
        key=key,
        store=store,
        server_code=code or None,
        **fields,
    )
