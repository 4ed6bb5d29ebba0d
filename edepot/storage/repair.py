"""The one narrow way around write-once: repairing a damaged or missing object of ONE copy with bytes
already verified against the fixity ledger (read from another copy). Only the audit calls it.

`repair_object(store, key, source, sha256, size)` first proves the damage again (the object is
re-read here: an intact object is never touched, Conflict), then, per kind of store:

- filesystem: the verified bytes are copied into the store's staging area and checked once more,
  the damaged file is kept as evidence under `.tmp/quarantaine/` (a hard link: never listed as a
  key, never swept), and the new file is renamed over the old name in one atomic step;
- S3: a NEW VERSION is written (without If-None-Match, with the server verifying ChecksumSHA256).
  The damaged version stays in the bucket (versioning and Object Lock keep it); the new one gets at
  least the damaged version's retain-until;
- in memory (tests): the bytes are swapped;
- any other store: its own `repair(key, source, sha256)` method, or ConfigurationError.

The caller re-reads the object afterwards and only then counts the copy as verified.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edepot import fixity
from edepot.errors import ConfigurationError, Conflict, EdepotError, FixityError, NotFound, StorageError
from edepot.ports import ObjectStore
from edepot.storage.keys import RESERVED_PREFIX, check_key, check_sha256

QUARANTINE = "quarantaine"
MAX_SINGLE_PUT = 5 * 1024**3  # S3: the largest object one PutObject may write


def prove_damaged(store: ObjectStore, key: str, sha256: str, size: int) -> str:
    """Why the object is bad ('ontbreekt' or 'sha256 ... (n bytes)'); Conflict when it is intact."""
    try:
        with store.open(key) as handle:
            digests, read = fixity.hash_stream(handle)
    except NotFound:
        return "ontbreekt"
    if digests["sha256"] == sha256 and read == size:
        raise Conflict(
            f"object {key!r} in store {store.name!r} matches the ledger; it is not repaired",
            hint="a repair replaces only an object proven damaged or missing",
            key=key,
            store=store.name,
        )
    return f"sha256 {digests['sha256']} ({read} bytes)"


def repair_object(store: ObjectStore, key: str, source: Path, sha256: str, size: int) -> str:
    """Replace the damaged or missing `key` in `store` with `source`; how it was done, in words."""
    check_key(key)
    sha256 = check_sha256(sha256)
    with open(source, "rb") as handle:
        digests, read = fixity.hash_stream(handle)
    if digests["sha256"] != sha256 or read != size:
        raise FixityError(
            f"the repair source for {key!r} does not match the ledger; nothing was repaired",
            hint="repair only from a copy that was just verified",
            key=key,
        )
    damage = prove_damaged(store, key, sha256, size)
    own = getattr(store, "repair", None)
    if own is not None:
        own(key, source, sha256)
        return f"hersteld door de opslag zelf (was: {damage})"
    from edepot.storage.filesystem import FilesystemObjectStore
    from edepot.storage.memory import InMemoryObjectStore
    from edepot.storage.s3 import S3ObjectStore

    if isinstance(store, FilesystemObjectStore):
        return _repair_file(store, key, source, sha256, damage)
    if isinstance(store, S3ObjectStore):
        return _repair_s3(store, key, source, sha256, size, damage)
    if isinstance(store, InMemoryObjectStore):
        store.replace(key, source.read_bytes())
        return f"vervangen in het geheugen (was: {damage})"
    raise ConfigurationError(
        f"store {store.name!r} cannot repair objects",
        hint="give it a `repair(key, source, sha256)` method",
        store=store.name,
    )


def _repair_file(store: Any, key: str, source: Path, sha256: str, damage: str) -> str:
    final: Path = store._path(key)  # the store's own check: inside its root, no symbolic links
    root: Path = store.root
    staging = root / RESERVED_PREFIX
    tmp = staging / f"repair-{secrets.token_hex(12)}"
    try:
        digests, _ = fixity.copy_and_hash(source, tmp)
        if digests["sha256"] != sha256:
            raise FixityError(f"copying the repair source of {key!r} changed its bytes", key=key)
        _fsync(tmp)
        os.chmod(tmp, 0o444)
        kept = ""
        if final.is_file():
            quarantine = staging / QUARANTINE / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            quarantine.mkdir(parents=True, exist_ok=True)
            evidence = quarantine / hashlib.sha256(key.encode()).hexdigest()[:32]
            os.link(final, evidence)
            (quarantine / f"{evidence.name}.key").write_text(key + "\n", encoding="utf-8")
            kept = f"; het beschadigde bestand is bewaard als {evidence.relative_to(root)}"
        else:
            store._make_parents(key, final.parent)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(final.parent)
    return f"bestand vervangen (was: {damage}){kept}"


def _repair_s3(store: Any, key: str, source: Path, sha256: str, size: int, damage: str) -> str:
    if size > MAX_SINGLE_PUT:
        raise StorageError(
            f"repairing {key!r} ({size} bytes) in store {store.name!r} needs a multipart upload, "
            "which the repair path does not do",
            hint="copy the object from the good copy with the S3 tools of the server, then run the audit again",
            key=key,
            store=store.name,
        )
    until: datetime | None = None
    mode: str | None = None
    with contextlib.suppress(NotFound):
        info = store.stat(key)
        if info.retention is not None:
            until, mode = info.retention.until, str(info.retention.mode)
    lock: dict[str, Any] = store._lock_arguments(None)
    if until is not None and (not lock or lock["ObjectLockRetainUntilDate"] < until):
        lock = {"ObjectLockMode": mode, "ObjectLockRetainUntilDate": until}
    arguments: dict[str, Any] = {
        "Bucket": store.bucket,
        "Key": key,
        "ContentLength": size,
        "ContentType": "application/octet-stream",
        "ChecksumSHA256": base64.b64encode(bytes.fromhex(sha256)).decode(),
        "Metadata": {"sha256": sha256},
        **lock,
    }
    try:
        with open(source, "rb") as body:
            response = store.client.put_object(Body=body, **arguments)
    except EdepotError:
        raise
    except Exception as exc:
        raise StorageError(
            f"repairing {key!r} in store {store.name!r} failed: {type(exc).__name__}",
            hint="check the S3 server; the audit will try again on its next run",
            key=key,
            store=store.name,
        ) from exc
    version = response.get("VersionId") or "?"
    return f"nieuwe versie {version} geschreven (was: {damage}); de beschadigde versie blijft bewaard"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
