"""Write-once object storage on a local (or mounted) filesystem: one file per key under a root.

How a put publishes an object, so that a crash at any moment never leaves a half-written object
under its final key:

1. the bytes go to `<root>/.tmp/<random>`: a hard link to the source when it lies on the same
   device (no copy), otherwise a copy made by `fixity.copy_and_hash`, whose SHA-256 of the bytes
   written must equal the caller's digest (else FixityError and nothing is published);
2. the staged file is made read-only (0o444);
3. `os.link(tmp, final)` publishes it atomically; it fails if `final` exists, and then the
   existing object is re-hashed: identical bytes make the put a no-op, different bytes raise
   ObjectExists;
4. the staged name is unlinked.

Durability: by default the store does not fsync each object; `sync()` makes every put so far
durable with one syncfs(2), and the use-case layer calls it before it marks anything stored (so a
power loss can only hit an AIP that is not yet recorded as stored, and its re-read verification
catches it). `sync_each_put=True` fsyncs every object and its directories instead.

A crash leaves at most a stray file in `.tmp/`, which is never listed as a key and which
`sweep_tmp()` removes.

About hard links: a linked object shares its inode with the caller's source file, so the store
does not re-hash it on put (that would be a second full read); the caller's read-back verification
(re-reading each stored object and matching the ledger before an AIP becomes "opgeslagen") covers
it. The caller must then treat the source as frozen: it becomes read-only too, and writing to it in
place would alter the stored object. Pass `hardlink=False` to always copy.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from edepot import fixity
from edepot.errors import FixityError, NotFound, ObjectExists, StorageError, UnsafeInput
from edepot.storage.keys import RESERVED_PREFIX, check_key, check_sha256

if TYPE_CHECKING:
    from edepot.retention_ports import Vernietigingsopdracht

READ_ONLY = 0o444

_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
_FOLDER = _READ | os.O_DIRECTORY


class _LinkOnTheWay(Exception):
    """A link (or an object where a folder should be) on the way to a key: resolve it with care."""


# errors after which a hard link is not possible and a copy is the way
_NO_LINK_ERRNOS = frozenset({errno.EXDEV, errno.EPERM, errno.EACCES, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP})


class FilesystemObjectStore:
    """ObjectStore on a directory. Safe for concurrent puts from threads and processes."""

    def __init__(
        self, root: Path, name: str = "filesystem", *, hardlink: bool = True, sync_each_put: bool = False
    ) -> None:
        self.name = name
        self.hardlink = hardlink
        self.sync_each_put = sync_each_put
        self._root = Path(root)
        self._tmp = self._root / RESERVED_PREFIX
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._real_root = self._root.resolve()

    @property
    def root(self) -> Path:
        return self._root

    # --- reading ------------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        """The stored object as a binary file (a context manager); NotFound if missing.

        Each folder of the key is opened relative to the one before without following a link, so
        the common case costs a few system calls instead of resolving the whole path (re-reading
        every object of a large ingest spent most of its time there). On a link anywhere on the
        way, the careful path decides: the key is resolved and refused when it leaves the root."""
        check_key(key)
        try:
            fd = self._open_without_links(key)
        except _LinkOnTheWay:
            try:
                fd = os.open(self._path(key), _READ)
            except (FileNotFoundError, NotADirectoryError):
                raise self._not_found(key) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise self._not_found(key)
        return open(fd, "rb")  # the caller closes it (a context manager)

    def _open_without_links(self, key: str) -> int:
        """`key` opened for reading below the real root, no link followed; _LinkOnTheWay when a
        folder or the object itself is a link (or an object stands where a folder should)."""
        *folders, name = key.split("/")
        parent = os.open(self._real_root, _FOLDER)
        try:
            for folder in folders:
                child = os.open(folder, _FOLDER | os.O_NOFOLLOW, dir_fd=parent)
                os.close(parent)
                parent = child
            return os.open(name, _READ | os.O_NOFOLLOW, dir_fd=parent)
        except FileNotFoundError:
            raise self._not_found(key) from None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise _LinkOnTheWay from None
            raise
        finally:
            os.close(parent)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        path = self._path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise self._not_found(key) from None
        if not stat.S_ISREG(st.st_mode):
            raise self._not_found(key)
        return st.st_size

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with `prefix`, sorted; the `.tmp/` staging area is never listed."""
        directory, _, _ = prefix.rpartition("/")
        if directory:
            check_key(directory)
        start = self._root / directory if directory else self._root
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(start):
            rel_dir = os.path.relpath(dirpath, self._root)
            if rel_dir == ".":
                dirnames[:] = [d for d in dirnames if d != RESERVED_PREFIX]
                rel_dir = ""
            for filename in filenames:
                key = f"{rel_dir}/{filename}" if rel_dir else filename
                if key.startswith(prefix) and stat.S_ISREG(os.lstat(os.path.join(dirpath, filename)).st_mode):
                    found.append(key.replace(os.sep, "/"))
        return iter(sorted(found))

    # --- writing ------------------------------------------------------------------------------

    def put(self, key: str, source: Path, sha256: str) -> None:
        """Store `source` under `key` once; identical bytes again are a no-op (see module doc)."""
        final = self._path(key)
        sha256 = check_sha256(sha256)
        if self._already_stored(key, final, sha256):
            return
        created = self._make_parents(key, final.parent)
        tmp = self._stage(key, Path(source), sha256)
        try:
            try:
                os.link(tmp, final)
            except FileExistsError:
                # a concurrent put won the race: identical bytes are fine, others raise ObjectExists
                if not self._already_stored(key, final, sha256):
                    raise StorageError(
                        f"object {key!r} appeared and vanished while it was being stored",
                        hint="objects are never deleted outside an approved destruction; check the store",
                        key=key,
                    ) from None
                return
            except FileNotFoundError as exc:
                raise StorageError(
                    f"staged copy of {key!r} vanished before it was published",
                    hint="do not run sweep_tmp() while puts are in progress; retry the put",
                    key=key,
                ) from exc
        finally:
            tmp.unlink(missing_ok=True)
        if self.sync_each_put:
            for directory in {final.parent, self._tmp, *(d.parent for d in created)}:
                _fsync_dir(directory)

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        """Publish a complete directory (a staged bag) as the objects under `prefix` with one rename.

        All or nothing, and much cheaper than a put per object. Only when `prefix` does not exist
        yet, `directory` is on the store's filesystem and holds nothing but regular files and
        folders; otherwise False and nothing changed. The files are made read-only first.
        """
        final = self._path(prefix)
        if final.exists() or final.is_symlink():
            return False
        self._make_parents(prefix, final.parent)
        if os.stat(directory).st_dev != os.stat(final.parent).st_dev:
            return False
        files = []
        for dirpath, dirnames, filenames in os.walk(directory):
            for name in dirnames + filenames:
                mode = os.lstat(os.path.join(dirpath, name)).st_mode
                if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                    return False
            files += [os.path.join(dirpath, name) for name in filenames]
        for path in files:
            os.chmod(path, READ_ONLY)
        try:
            os.rename(directory, final)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.EXDEV):
                return False
            raise
        if self.sync_each_put:
            _fsync_dir(final.parent)
        return True

    def sync(self) -> None:
        """Make every put so far durable: one syncfs(2) of the store's filesystem.

        Cheaper than an fsync per object and directory when many small objects are stored; the
        caller syncs before it records anything as stored.
        """
        fd = os.open(self._root, os.O_RDONLY)
        try:
            if _LIBC is not None and _LIBC.syncfs(fd) == 0:
                return
            os.sync()
        finally:
            os.close(fd)

    def sweep_tmp(self, *, min_age_seconds: float = 0.0) -> int:
        """Remove staged files left by interrupted puts; return how many were removed.

        Run it when no put is in progress (e.g. at start-up), or give `min_age_seconds` larger
        than the longest put so in-flight staging files are left alone.
        """
        removed = 0
        now = time.time()
        for entry in os.scandir(self._tmp):
            try:
                if min_age_seconds and now - entry.stat(follow_symlinks=False).st_mtime < min_age_seconds:
                    continue
                os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                continue
            except IsADirectoryError:
                continue
        if removed:
            _fsync_dir(self._tmp)
        return removed

    # --- approved destruction (edepot.retention_ports.Destroyer) ------------------------------

    def destroy_blocked(self, key: str, order: Vernietigingsopdracht) -> str | None:
        """Nothing locks an object here beyond the order itself (UnsafeInput for a foreign key)."""
        order.check(key, self.name)
        return None

    def destroy(self, key: str, order: Vernietigingsopdracht) -> list[str]:
        """Delete the object for an approved destruction (the only delete this store knows).

        The order must cover the key; emptied directories below the top folder go too. [""] when it was
        deleted, [] when it was already gone."""
        order.check(key, self.name)
        path = self._path(key)
        try:
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError):
            return []
        parent = path.parent
        while parent.parent != self._root and parent != self._root:  # keep the top folders (aips/, ...)
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
        _fsync_dir(parent)
        return [""]

    # --- internals ----------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        check_key(key)
        path = self._root / key
        resolved = path.resolve()
        if resolved != self._real_root and self._real_root not in resolved.parents:
            raise UnsafeInput(
                f"object key {key!r} resolves outside the store root {self._root}",
                hint="a directory inside the store is a symbolic link; remove it",
                key=key,
            )
        return path

    def _not_found(self, key: str) -> NotFound:
        return NotFound(
            f"no object {key!r} in store {self.name!r}",
            hint="check the key (list with keys(prefix)) or the fixity ledger",
            key=key,
            store=self.name,
        )

    def _already_stored(self, key: str, final: Path, sha256: str) -> bool:
        """True if `final` holds these bytes; ObjectExists if it holds others; False if absent."""
        try:
            st = final.lstat()
        except (FileNotFoundError, NotADirectoryError):
            return False
        if not stat.S_ISREG(st.st_mode):
            raise ObjectExists(
                f"cannot store {key!r} in store {self.name!r}: the name is taken by a directory or link",
                hint="choose another key; objects are never replaced",
                key=key,
            )
        stored = fixity.hash_file(final)["sha256"]
        if stored != sha256:
            raise ObjectExists(
                f"object {key!r} already exists in store {self.name!r} with different content "
                f"(stored sha256 {stored}, new {sha256})",
                hint="objects are write-once; store the new content under a new key (a new revision)",
                key=key,
                stored_sha256=stored,
                new_sha256=sha256,
            )
        return True

    def _make_parents(self, key: str, parent: Path) -> list[Path]:
        """Create the missing directories of `parent`; return them (to fsync their parents)."""
        missing: list[Path] = []
        current = parent
        while current != self._root and not current.is_dir():
            missing.append(current)
            current = current.parent
        for directory in reversed(missing):
            try:
                directory.mkdir()
            except FileExistsError:
                if not directory.is_dir():
                    raise ObjectExists(
                        f"cannot store {key!r} in store {self.name!r}: "
                        f"{directory.relative_to(self._root)} is already an object",
                        hint="choose a key that does not nest under an existing object",
                        key=key,
                    ) from None
        return missing

    def _stage(self, key: str, source: Path, sha256: str) -> Path:
        """Put the bytes in `.tmp/`, read-only; return the staged path."""
        tmp = self._tmp / secrets.token_hex(16)
        linked = False
        if self.hardlink:
            try:
                os.link(source, tmp)
                linked = True
            except OSError as exc:
                if exc.errno not in _NO_LINK_ERRNOS:
                    raise
        try:
            if linked:
                if self.sync_each_put:
                    _fsync_file(tmp)
            else:
                digests, _ = fixity.copy_and_hash(source, tmp)
                if digests["sha256"] != sha256:
                    raise FixityError(
                        f"{source} does not match the sha256 given for {key!r} "
                        f"(read {digests['sha256']}, expected {sha256})",
                        hint="the source changed after it was hashed; hash it again and retry",
                        key=key,
                        expected=sha256,
                        actual=digests["sha256"],
                    )
            os.chmod(tmp, READ_ONLY)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp


def _load_libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syncfs.argtypes = [ctypes.c_int]
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _load_libc()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
