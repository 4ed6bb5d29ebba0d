"""Receiving an uploaded package: size-limited streaming to disk, then safe unpacking.

`receive` writes a request body to a file and stops with 413 as soon as it passes the limit (the
API refuses a too large Content-Length before reading anything). `unpack` extracts a zip, tar or
tar.gz into a fresh folder and refuses, with findings (rule ids `upload.*`):

- member names that leave the folder: `..`, absolute paths, drive letters (`C:`), backslashes,
  NUL bytes; duplicates;
- anything but regular files and folders: symlinks, hardlinks, devices, FIFOs, sparse files;
  encrypted zip members;
- bombs: more than `max_members` entries, a total (declared and actually written) above
  `max_total_bytes`, or a compression ratio above `max_ratio` (per zip member, and for the whole
  archive) once more than `ratio_floor_bytes` are involved.

Nothing is ever extracted by `ZipFile.extractall` or `TarFile.extractall`: every file is created
here with an exclusive open and copied in counted chunks. Tar archives are read as a stream, so a
tar bomb is refused on its headers' declared sizes before its data is decompressed.
"""

from __future__ import annotations

import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from edepot.errors import Finding, InvalidInput, UnsafeInput

CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class PayloadTooLarge(InvalidInput):
    code = "payload-too-large"
    title = "Upload too large"
    http_status = 413


@dataclass(frozen=True)
class UnpackLimits:
    max_total_bytes: int = 4 * 1024**3
    max_members: int = 50_000
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1024 * 1024


def too_large(limit: int, what: str = "the upload") -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{what} is larger than the limit of {limit:,} bytes",
        hint="split the block into smaller packages, or ingest it from a share with `edepot ingest analogue`",
        limit=limit,
    )


async def receive(chunks: AsyncIterator[bytes], target: Path, limit: int) -> int:
    """Write `chunks` to the new file `target`; PayloadTooLarge as soon as more than `limit` bytes came."""
    size = 0
    with open(target, "xb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            out.write(chunk)
    return size


def archive_kind(path: Path) -> str | None:
    """ "zip", "tar" or "tar.gz" by the file's magic bytes (the Content-Type is not trusted)."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "tar.gz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def safe_relative(name: str) -> tuple[str | None, Finding | None]:
    """The member's path relative to the target ("" for the root itself), or a finding."""

    def refuse(rule: str, why: str) -> tuple[None, Finding]:
        return None, Finding(
            rule,
            f"archive member {name[:200]!r} {why}",
            "pack the block with relative paths inside one folder",
            file=name[:200],
        )

    if "\x00" in name:
        return refuse("upload.path.invalid", "contains a NUL byte")
    if "\\" in name:
        return refuse("upload.path.invalid", "contains a backslash (a Windows path separator)")
    if name.startswith("/"):
        return refuse("upload.path.absolute", "is an absolute path")
    if _DRIVE.match(name):
        return refuse("upload.path.absolute", "starts with a drive letter")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        return refuse("upload.path.traversal", "climbs out of the folder with '..'")
    return "/".join(parts), None


def unpack(archive: Path, target: Path, limits: UnpackLimits) -> None:
    """Extract `archive` into the new, empty folder `target`, or raise UnsafeInput/InvalidInput."""
    kind = archive_kind(archive)
    target.mkdir(parents=True, exist_ok=False)
    if kind == "zip":
        _unzip(archive, target, limits)
    elif kind in ("tar", "tar.gz"):
        _untar(archive, target, limits, compressed=kind == "tar.gz")
    else:
        raise InvalidInput(
            "the upload is not a zip, tar or tar.gz archive",
            hint="send the block folder packed as .zip, .tar or .tar.gz",
            findings=[Finding("upload.format", "unknown archive format", "send a zip, tar or tar.gz")],
        )


def block_root(unpacked: Path) -> Path:
    """The one folder an archive must hold: the block (e.g. `1987-1996/`)."""
    entries = sorted(unpacked.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    names = ", ".join(e.name for e in entries[:5]) or "nothing"
    raise InvalidInput(
        f"the archive must hold exactly one folder, the block; it holds {names}",
        hint="pack the block folder itself, e.g. `zip -r 1987-1996.zip 1987-1996`",
        findings=[Finding("upload.layout", f"top level of the archive: {names}", "pack one block folder per upload")],
    )


def _unsafe(findings: list[Finding]) -> UnsafeInput:
    return UnsafeInput(
        f"the uploaded archive was refused: {findings[0].message}"
        + (f" (and {len(findings) - 1} more problem(s))" if len(findings) > 1 else ""),
        hint="nothing was stored; fix the archive and send it again",
        findings=findings,
    )


def _bomb(message: str) -> UnsafeInput:
    return _unsafe([Finding("upload.bomb", message, "send the block uncompressed or in smaller parts")])


def _check_total(total: int, compressed: int, limits: UnpackLimits) -> None:
    if total > limits.max_total_bytes:
        raise _bomb(f"the archive unpacks to more than {limits.max_total_bytes:,} bytes")
    if total > limits.ratio_floor_bytes and total > limits.max_ratio * max(compressed, 1):
        raise _bomb(f"the archive expands more than {limits.max_ratio:g} times (a compression bomb)")


def _copy(source: IO[bytes], target: Path, declared: int, written_before: int, limits: UnpackLimits) -> int:
    """Copy one member in counted chunks; refuse more bytes than declared or than the total limit."""
    written = 0
    with open(target, "xb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > declared or written_before + written > limits.max_total_bytes:
                raise _bomb(f"member {target.name!r} holds more bytes than its header declares")
            out.write(chunk)
    return written


def _unzip(archive: Path, target: Path, limits: UnpackLimits) -> None:
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise InvalidInput(f"the zip archive is damaged: {error}", hint="pack it again") from None
    with bundle:
        infos = bundle.infolist()
        if len(infos) > limits.max_members:
            raise _bomb(f"the archive has {len(infos):,} members, more than {limits.max_members:,}")
        findings: list[Finding] = []
        plan: list[tuple[zipfile.ZipInfo, str]] = []
        seen: set[str] = set()
        for info in infos:
            relative, problem = safe_relative(info.filename)
            kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0  # 0: type not given
            if problem is not None or relative is None:
                findings.append(problem or Finding("upload.path.invalid", "bad name", "rename it"))
                continue
            if kind == stat.S_IFLNK:
                findings.append(_member("upload.member.link", info.filename, "is a symbolic link"))
            elif kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                findings.append(_member("upload.member.special", info.filename, "is not a file or folder"))
            elif info.flag_bits & 0x1:
                findings.append(_member("upload.member.encrypted", info.filename, "is encrypted"))
            elif relative and relative.lower() in seen:
                findings.append(_member("upload.member.duplicate", info.filename, "occurs twice"))
            elif (
                not info.is_dir()
                and info.file_size > limits.ratio_floor_bytes
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                findings.append(_member("upload.bomb", info.filename, f"expands more than {limits.max_ratio:g} times"))
            else:
                seen.add(relative.lower())
                if relative:
                    plan.append((info, relative))
        if findings:
            raise _unsafe(findings)
        _check_total(sum(i.file_size for i, _ in plan), archive.stat().st_size, limits)
        written = 0
        for info, relative in plan:
            destination = _inside(target, relative)
            try:
                if info.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(info) as source:
                    written += _copy(source, destination, info.file_size, written, limits)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error) as error:
                raise InvalidInput(
                    f"zip member {info.filename[:200]!r} cannot be read: {error}",
                    hint="pack the block again; the archive is damaged",
                    findings=[Finding("upload.corrupt", str(error), "pack it again", file=info.filename[:200])],
                ) from None


def _untar(archive: Path, target: Path, limits: UnpackLimits, *, compressed: bool) -> None:
    compressed_size = archive.stat().st_size
    findings: list[Finding] = []
    seen: set[str] = set()
    members = declared = written = 0
    try:
        with tarfile.open(archive, mode="r|gz" if compressed else "r|") as bundle:
            for member in bundle:
                members += 1
                if members > limits.max_members:
                    raise _bomb(f"the archive has more than {limits.max_members:,} members")
                relative, problem = safe_relative(member.name)
                if problem is not None or relative is None:
                    findings.append(problem or Finding("upload.path.invalid", "bad name", "rename it"))
                    continue
                if member.issym() or member.islnk():
                    findings.append(_member("upload.member.link", member.name, "is a symbolic or hard link"))
                    continue
                if member.issparse() or not (member.isreg() or member.isdir()):
                    findings.append(_member("upload.member.special", member.name, "is not a file or folder"))
                    continue
                if relative and relative.lower() in seen:
                    findings.append(_member("upload.member.duplicate", member.name, "occurs twice"))
                    continue
                seen.add(relative.lower())
                declared += member.size if member.isreg() else 0
                _check_total(declared, compressed_size, limits)
                if findings or not relative:
                    continue  # keep reading headers to report every problem, but write nothing more
                destination = _inside(target, relative)
                if member.isdir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = bundle.extractfile(member)
                if source is None:  # pragma: no cover - isreg() members always have data
                    continue
                written += _copy(source, destination, member.size, written, limits)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise InvalidInput(
            f"the tar archive is damaged: {error}",
            hint="pack the block again",
            findings=[Finding("upload.corrupt", str(error), "pack it again")],
        ) from None
    if findings:
        raise _unsafe(findings)
    if members == 0:
        raise InvalidInput("the archive is empty", findings=[Finding("upload.layout", "no members", "pack the block")])


def _member(rule: str, name: str, why: str) -> Finding:
    return Finding(
        rule,
        f"archive member {name[:200]!r} {why}",
        "pack only regular files and folders, with relative names, inside one block folder",
        file=name[:200],
    )


def _inside(target: Path, relative: str) -> Path:
    destination = target / relative
    if not destination.resolve().is_relative_to(target.resolve()):  # belt and braces: names were checked
        raise _unsafe([_member("upload.path.traversal", relative, "resolves outside the folder")])
    return destination
