"""Write-once object stores: the filesystem adapter and an in-memory fake, both implementing
`edepot.ports.ObjectStore`, plus the key rules they share (`check_key`) and `reads_locally`.
"""

from edepot.ports import ObjectStore
from edepot.storage.filesystem import FilesystemObjectStore
from edepot.storage.keys import check_key, check_sha256
from edepot.storage.memory import InMemoryObjectStore


def reads_locally(store: ObjectStore) -> bool:
    """True when reading an object of `store` is a local system call or less (filesystem, memory),
    not a network request: its small objects are then re-read fastest in the calling thread
    (`edepot.pooled`), while a remote store's need requests in parallel to hide the latency."""
    return isinstance(store, FilesystemObjectStore | InMemoryObjectStore)


__all__ = ["FilesystemObjectStore", "InMemoryObjectStore", "check_key", "check_sha256", "reads_locally"]
