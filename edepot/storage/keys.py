"""The rules every object key obeys, whatever the store: a relative POSIX path without tricks.

Pure: no I/O. The filesystem store additionally checks that the resolved path stays inside its root.
"""

from __future__ import annotations

import re

from edepot.errors import InvalidInput, UnsafeInput

RESERVED_PREFIX = ".tmp"  # the filesystem store's staging area; never a key

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_key(key: str) -> str:
    """Return `key` unchanged if it is a safe object key, else raise UnsafeInput.

    A key is a relative path with '/' separators: not empty, not absolute, no backslash, no NUL,
    no empty, '.' or '..' segment, and not under the reserved `.tmp/` staging area.
    """
    problem = _key_problem(key)
    if problem:
        raise UnsafeInput(
            f"object key {key!r} refused: {problem}",
            hint="use a relative key such as 'aips/<uuid>/data/file.pdf' with '/' separators",
            key=key,
        )
    return key


def _key_problem(key: object) -> str | None:
    if not isinstance(key, str):
        return "a key must be a string"
    if not key:
        return "the key is empty"
    if "\x00" in key:
        return "it contains a NUL character"
    if "\\" in key:
        return "it contains a backslash"
    if key.startswith("/"):
        return "it is an absolute path"
    segments = key.split("/")
    if any(s == "" for s in segments):
        return "it has an empty path segment (a double or trailing '/')"
    if any(s in (".", "..") for s in segments):
        return "it has a '.' or '..' segment (path traversal)"
    if segments[0] == RESERVED_PREFIX:
        return f"'{RESERVED_PREFIX}/' is reserved for the store's staging area"
    return None


def check_sha256(sha256: str) -> str:
    """The digest in lower case if it is a 64-digit hex SHA-256, else InvalidInput."""
    value = sha256.strip().lower() if isinstance(sha256, str) else ""
    if not _SHA256.match(value):
        raise InvalidInput(
            f"{sha256!r} is not a SHA-256 hex digest",
            hint="pass the 64 hexadecimal digits computed with edepot.fixity.hash_file",
            sha256=str(sha256),
        )
    return value
