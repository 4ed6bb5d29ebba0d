"""Streaming fixity: hash files and streams in one pass, and copy a file while hashing it.

Everything reads in `CHUNK`-sized pieces into one reusable buffer per thread, so a 50 GB scan
never sits in memory and re-reading 40,000 small objects does not allocate (and zero) a megabyte
40,000 times. hashlib releases the GIL while it hashes a chunk, so callers may hash several files
in threads. No clock and no state here but those buffers; the only I/O is the file the caller names.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from edepot.errors import InvalidInput

CHUNK = 1024 * 1024  # 1 MiB
_buffers = threading.local()

#: Algorithm names we accept, in hashlib spelling (which is also the BagIt manifest spelling).
SUPPORTED_ALGORITHMS: frozenset[str] = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})


def normalise_algorithm(name: str) -> str:
    """The hashlib/BagIt name of a checksum algorithm: "SHA-256", "SHA256", "sha256" -> "sha256".

    Raises InvalidInput for an algorithm we do not support.
    """
    cleaned = name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if cleaned not in SUPPORTED_ALGORITHMS:
        raise InvalidInput(
            f"unknown checksum algorithm {name!r}",
            hint=f"use one of {', '.join(sorted(SUPPORTED_ALGORITHMS))} (e.g. SHA-256)",
            algorithm=name,
        )
    return cleaned


def _hashers(algorithms: Iterable[str]) -> dict[str, Any]:
    names = sorted({normalise_algorithm(a) for a in algorithms})
    if not names:
        raise InvalidInput("no checksum algorithm given", hint="pass at least one, e.g. ('sha256',)")
    return {n: hashlib.new(n) for n in names}


def _buffer() -> memoryview:
    """This thread's CHUNK-sized read buffer (nothing here calls back into the caller while one is
    in use, so one per thread is enough)."""
    view: memoryview | None = getattr(_buffers, "view", None)
    if view is None:
        view = _buffers.view = memoryview(bytearray(CHUNK))
    return view


def _hexdigests(hashers: dict[str, Any]) -> dict[str, str]:
    return {name: h.hexdigest() for name, h in hashers.items()}


def hash_stream(
    fileobj: IO[bytes], algorithms: Iterable[str] = ("sha256",), *, out: IO[bytes] | None = None
) -> tuple[dict[str, str], int]:
    """Read `fileobj` to its end once; return ({algorithm: hex digest}, number of bytes read).

    With `out`, every byte read is also written to it (a copy that is hashed on the way).
    """
    hashers = _hashers(algorithms)
    size = 0
    readinto = getattr(fileobj, "readinto", None)
    if readinto is not None:
        view = _buffer()
        while True:
            n = readinto(view)
            if not n:
                break
            chunk = view[:n]
            for h in hashers.values():
                h.update(chunk)
            if out is not None:
                out.write(chunk)
            size += n
    else:
        while True:
            data = fileobj.read(CHUNK)
            if not data:
                break
            for h in hashers.values():
                h.update(data)
            if out is not None:
                out.write(data)
            size += len(data)
    return _hexdigests(hashers), size


def hash_bytes(data: bytes, algorithm: str = "sha256") -> str:
    """The hex digest of bytes already in memory (small tag files, sidecars)."""
    return hashlib.new(normalise_algorithm(algorithm), data).hexdigest()


def hash_file(path: Path, algorithms: Iterable[str] = ("sha256",)) -> dict[str, str]:
    """{algorithm: hex digest} of the file at `path`, read once."""
    with open(path, "rb") as f:
        return hash_stream(f, algorithms)[0]


def copy_and_hash(
    src: Path, dst: Path, algorithms: Iterable[str] = ("sha256",), *, fsync: bool = True
) -> tuple[dict[str, str], int]:
    """Copy `src` to a new file `dst` while hashing the bytes written; return (digests, size).

    The source is read once. `dst` must not exist (it is created exclusively). It is fsynced
    before this returns, so the digests describe bytes that reached the disk's write path, unless
    `fsync=False` (scratch copies that are verified later anyway). If the copy fails halfway, the
    partial `dst` is removed.
    """
    hashers = _hashers(algorithms)
    size = 0
    view = _buffer()
    with open(src, "rb") as fin:
        fout = open(dst, "xb")  # noqa: SIM115 - closed below, removed on failure
        try:
            while True:
                n = fin.readinto(view)
                if not n:
                    break
                chunk = view[:n]
                for h in hashers.values():
                    h.update(chunk)
                fout.write(chunk)
                size += n
            fout.flush()
            if fsync:
                os.fsync(fout.fileno())
        except BaseException:
            fout.close()
            dst.unlink(missing_ok=True)
            raise
        fout.close()
    return _hexdigests(hashers), size
