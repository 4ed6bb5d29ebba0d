"""An in-memory ObjectStore for tests: the same write-once semantics as the filesystem store,
with bytes in a dict, plus helpers that simulate damage (`corrupt`, `remove`, `replace`).
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from edepot.errors import FixityError, NotFound, ObjectExists
from edepot.storage.keys import check_key, check_sha256

if TYPE_CHECKING:
    from edepot.retention_ports import Vernietigingsopdracht


class InMemoryObjectStore:
    """ObjectStore fake. Thread-safe. Unlike the filesystem store it always verifies the digest."""

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self._objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, source: Path, sha256: str) -> None:
        check_key(key)
        sha256 = check_sha256(sha256)
        data = Path(source).read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise FixityError(
                f"{source} does not match the sha256 given for {key!r} (read {actual}, expected {sha256})",
                hint="the source changed after it was hashed; hash it again and retry",
                key=key,
                expected=sha256,
                actual=actual,
            )
        with self._lock:
            stored = self._objects.get(key)
            if stored is None:
                self._objects[key] = data
                return
        stored_sha256 = hashlib.sha256(stored).hexdigest()
        if stored_sha256 != sha256:
            raise ObjectExists(
                f"object {key!r} already exists in store {self.name!r} with different content "
                f"(stored sha256 {stored_sha256}, new {sha256})",
                hint="objects are write-once; store the new content under a new key (a new revision)",
                key=key,
                stored_sha256=stored_sha256,
                new_sha256=sha256,
            )

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        """Not atomic here: the caller puts object by object."""
        return False

    def sync(self) -> None:
        """Puts are in memory; nothing to flush."""

    def open(self, key: str) -> BinaryIO:
        return io.BytesIO(self._get(key))

    def exists(self, key: str) -> bool:
        check_key(key)
        with self._lock:
            return key in self._objects

    def size(self, key: str) -> int:
        return len(self._get(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            return iter(sorted(k for k in self._objects if k.startswith(prefix)))

    # --- approved destruction (edepot.retention_ports.Destroyer) ------------------------------

    def destroy_blocked(self, key: str, order: Vernietigingsopdracht) -> str | None:
        order.check(key, self.name)
        return None

    def destroy(self, key: str, order: Vernietigingsopdracht) -> list[str]:
        """Delete the object for an approved destruction; [""] if deleted, [] if already gone."""
        order.check(key, self.name)
        check_key(key)
        with self._lock:
            return [""] if self._objects.pop(key, None) is not None else []

    # --- damage, for tests --------------------------------------------------------------------

    def corrupt(self, key: str, offset: int | None = None) -> None:
        """Flip one bit of the stored object (in the middle unless `offset` is given)."""
        data = bytearray(self._get(key))
        if not data:
            data = bytearray(b"\x00")
        else:
            index = len(data) // 2 if offset is None else offset
            data[index] ^= 0x01
        with self._lock:
            self._objects[key] = bytes(data)

    def remove(self, key: str) -> None:
        """Lose the object, as a failed disk would."""
        self._get(key)
        with self._lock:
            del self._objects[key]

    def replace(self, key: str, data: bytes) -> None:
        """Swap the stored bytes for others (bypassing write-once), as an attacker would."""
        check_key(key)
        with self._lock:
            self._objects[key] = bytes(data)

    def _get(self, key: str) -> bytes:
        check_key(key)
        with self._lock:
            data = self._objects.get(key)
        if data is None:
            raise NotFound(
                f"no object {key!r} in store {self.name!r}",
                hint="check the key (list with keys(prefix)) or the fixity ledger",
                key=key,
                store=self.name,
            )
        return data
