"""Write-once object stores: the filesystem adapter and an in-memory fake, both implementing
`edepot.ports.ObjectStore`, plus the key rules they share (`check_key`).
"""

from edepot.storage.filesystem import FilesystemObjectStore
from edepot.storage.keys import check_key, check_sha256
from edepot.storage.memory import InMemoryObjectStore

__all__ = ["FilesystemObjectStore", "InMemoryObjectStore", "check_key", "check_sha256"]
