"""Writes a planned package as a BagIt 1.0 bag into a staging directory.

Each delivered file is read once: the same pass copies it and computes SHA-256 (plus the
supplier's algorithm when a supplier checksum is to be verified). The bag is built in a
temporary directory and renamed into place, so after a process crash a staged bag under its
final name is always complete. Staging is scratch space and is not fsynced: every byte is
verified against the ledger after it reaches the object store, which is synced before any AIP is
marked stored. Large files are copied in parallel threads (hashlib releases the GIL), small
ones in the calling thread meanwhile (see edepot.pooled); sidecars are written in the calling
thread (building XML holds the GIL, so threads would only add hand-offs).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from edepot import fixity, packaging
from edepot.errors import Finding
from edepot.mdto.writer import to_xml
from edepot.model import FileEntry, FileKind
from edepot.packaging import PackagePlan, PlannedFile
from edepot.pooled import INLINE_BELOW, map_batched
from edepot.submission import SourceFile


@dataclass(frozen=True)
class StagedBag:
    plan: PackagePlan
    path: Path  # the complete bag in staging
    files: tuple[FileEntry, ...]  # every file of the bag: the ledger
    content_hash: str
    findings: tuple[Finding, ...]  # supplier checksum mismatches

    @property
    def payload_bytes(self) -> int:
        return sum(f.size for f in self.files if f.kind is FileKind.PAYLOAD)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
SMALL_FILE = fixity.CHUNK  # files up to this size are copied with one read and one write


def _create(path: Path, data: bytes) -> None:
    """Write `data` to a new file (refusing an existing one) with bare system calls: a staged bag
    of many small files spends its time creating files, not in Python's buffered I/O layer."""
    fd = os.open(path, _CREATE, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)


def _write_bytes(path: Path, data: bytes) -> str:
    """Write a new staged file (its folder exists) and return its sha256."""
    _create(path, data)
    return fixity.hash_bytes(data)


def _algorithms(source: SourceFile) -> tuple[str, ...]:
    return ("sha256", *sorted(a for a in source.expected if a != "sha256"))


def _copy(source: SourceFile, target: Path) -> tuple[dict[str, str], int]:
    """Copy one delivered file into staging and hash it in the same read: sha256 for the ledger
    plus the supplier's algorithm(s) to verify their manifest. The target's folder exists."""
    algorithms = _algorithms(source)
    if source.size > SMALL_FILE:
        return fixity.copy_and_hash(source.path, target, algorithms=algorithms, fsync=False)
    fd = os.open(source.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        data = _read_at_most(fd, SMALL_FILE + 1)
        if len(data) > SMALL_FILE:  # it grew since it was checked: stream the rest
            os.close(fd)
            fd = -1
            return fixity.copy_and_hash(source.path, target, algorithms=algorithms, fsync=False)
    finally:
        if fd >= 0:
            os.close(fd)
    _create(target, data)
    digests = {a: fixity.hash_bytes(data, a) for a in algorithms}
    return digests, len(data)


def _read_at_most(fd: int, limit: int) -> bytes:
    parts = []
    while limit > 0 and (part := os.read(fd, limit)):
        parts.append(part)
        limit -= len(part)
    return b"".join(parts)


def _make_folders(work: Path, paths: Iterable[str]) -> None:
    """Create every folder the bag needs once, before the files are written in parallel."""
    for folder in sorted({p.rpartition("/")[0] for p in paths} - {""}):  # bag paths are posix, never absolute
        (work / folder).mkdir(parents=True, exist_ok=True)


def _checksum_findings(source: SourceFile, digests: dict[str, str], size: int) -> list[Finding]:
    findings = []
    for algorithm, expected in sorted(source.expected.items()):
        if digests.get(algorithm, "").lower() != expected.lower():
            findings.append(
                Finding(
                    rule="preingest.supplier-checksum",
                    message=f"{algorithm} of the delivered file is {digests.get(algorithm)}, "
                    f"the supplier's manifest says {expected}",
                    action="ask the supplier to deliver the file again (it was damaged in transit) "
                    "or to correct the checksum manifest",
                    file=source.original_path,
                )
            )
    if size != source.size:
        findings.append(
            Finding(
                rule="preingest.changed-during-ingest",
                message=f"the file was {source.size} bytes when checked and {size} bytes when copied",
                action="make sure nothing writes to the submission folder during ingest, then run it again",
                file=source.original_path,
            )
        )
    return findings


@dataclass(frozen=True)
class StagedPayload:
    """The first half of a bag: every delivered file copied into `work` and hashed, no sidecars yet."""

    plan: PackagePlan
    work: Path  # staging/.tmp-<aip_id>
    final: Path  # staging/<aip_id>, where the finished bag goes
    copied: tuple[tuple[dict[str, str], int], ...]  # (digests, size) per plan.files entry
    supplier: tuple[tuple[dict[str, str], int], ...]  # (digests, size) per plan.supplier_files entry

    def discard(self) -> None:
        """Remove the half-built bag; nothing to do once `finish_bag` has moved it to its final name."""
        if self.work.exists():
            shutil.rmtree(self.work, ignore_errors=True)


def write_bag(
    plan: PackagePlan,
    staging: Path,
    *,
    now: datetime,
    organisation: str,
    bag_group: str | None = None,
    bag_index: tuple[int, int] | None = None,
    threads: int = 2,
    pool: Executor | None = None,
) -> StagedBag:
    """Build the bag for `plan` under `staging/<aip_id>`; returns the ledger of every file.

    Files are copied by `pool` when given (one pool for a whole submission saves starting
    threads per bag), else by a pool of `threads` threads made for this bag."""
    if pool is None:
        with ThreadPoolExecutor(max_workers=max(1, threads)) as own:
            return write_bag(
                plan, staging, now=now, organisation=organisation, bag_group=bag_group, bag_index=bag_index, pool=own
            )
    payload = copy_payload(plan, staging, pool=pool)
    return finish_bag(payload, plan, now=now, organisation=organisation, bag_group=bag_group, bag_index=bag_index)


def copy_payload(plan: PackagePlan, staging: Path, *, pool: Executor) -> StagedPayload:
    """Copy and hash every delivered file of `plan` into `staging/.tmp-<aip_id>` (one read each).

    Needs nothing of the files' format identification, so it can run while that is still going on."""
    work = staging / f".tmp-{plan.aip_id}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        _make_folders(
            work, [*(f.path for f in plan.files), *(r.sidecar_path for r in plan.records), *dict(plan.supplier_files)]
        )
        copied = tuple(
            map_batched(
                pool,
                lambda planned: _copy(planned.source, work / planned.path),
                plan.files,
                inline=lambda planned: planned.source.size < INLINE_BELOW,
            )
        )
        supplier = tuple(
            map_batched(
                pool,
                lambda item: _copy(item[1], work / item[0]),
                plan.supplier_files,
                inline=lambda item: item[1].size < INLINE_BELOW,
            )
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return StagedPayload(plan, work, staging / str(plan.aip_id), copied, supplier)


def finish_bag(
    payload: StagedPayload,
    plan: PackagePlan,
    *,
    now: datetime,
    organisation: str,
    bag_group: str | None = None,
    bag_index: tuple[int, int] | None = None,
) -> StagedBag:
    """Write the sidecars and tag files of a copied payload and move the bag to its final name.

    `plan` is the payload's plan, or the same plan with its files' format identification filled in
    (same paths, same order)."""
    if [f.path for f in plan.files] != [f.path for f in payload.plan.files] or plan.aip_id != payload.plan.aip_id:
        raise ValueError("finish_bag: the plan does not belong to this payload")
    try:
        return _finish(payload, plan, now, organisation, bag_group, bag_index)
    except BaseException:
        payload.discard()
        raise


def _finish(
    staged_payload: StagedPayload,
    plan: PackagePlan,
    now: datetime,
    organisation: str,
    bag_group: str | None,
    bag_index: tuple[int, int] | None,
) -> StagedBag:
    work, final = staged_payload.work, staged_payload.final
    records = {r.id: r for r in plan.records}

    def sidecar(item: tuple[PlannedFile, tuple[dict[str, str], int]]) -> tuple[str, int]:
        planned, (digests, size) = item
        bestand = packaging.bestand_of(
            planned, records[planned.record_id], sha256=digests["sha256"], size=size, datum=now
        )
        data = to_xml(bestand)
        return _write_bytes(work / planned.sidecar_path, data), len(data)

    sidecars = [sidecar(item) for item in zip(plan.files, staged_payload.copied, strict=True)]
    staged = [(d, n, sha, length) for (d, n), (sha, length) in zip(staged_payload.copied, sidecars, strict=True)]
    supplier = staged_payload.supplier

    findings: list[Finding] = []
    for planned, (digests, size, _, _) in zip(plan.files, staged, strict=True):
        findings += _checksum_findings(planned.source, digests, size)
    for (_, source), (digests, size) in zip(plan.supplier_files, supplier, strict=True):
        findings += _checksum_findings(source, digests, size)

    entries: dict[str, FileEntry] = {}
    payload: dict[str, str] = {}

    def add(path: str, sha256: str, size: int, planned: PlannedFile | None = None, record_id: object = None) -> None:
        kind = packaging.kind_of(path)
        entries[path] = FileEntry(
            aip_id=plan.aip_id,
            path=path,
            sha256=sha256,
            size=size,
            kind=kind,
            bestand_id=planned.bestand_id if planned else None,
            record_id=planned.record_id if planned else record_id,  # type: ignore[arg-type]
            puid=planned.source.format.puid if planned else None,
            mime=planned.source.format.mime if planned else None,
            original_path=planned.source.original_path if planned else None,
        )
        if kind is not FileKind.TAG:
            payload[path] = sha256

    for planned, (digests, size, sidecar_sha256, sidecar_size) in zip(plan.files, staged, strict=True):
        add(planned.path, digests["sha256"], size, planned)
        add(planned.sidecar_path, sidecar_sha256, sidecar_size, record_id=planned.record_id)
    for record in plan.records:
        data = to_xml(record.informatieobject)
        add(record.sidecar_path, _write_bytes(work / record.sidecar_path, data), len(data), record_id=record.id)
    for (path, _), (digests, size) in zip(plan.supplier_files, supplier, strict=True):
        add(path, digests["sha256"], size)

    content = packaging.content_hash(
        plan.package, {pf.source.original_path: entries[pf.path].sha256 for pf in plan.files}
    )
    payload_files = [e for e in entries.values() if e.kind is not FileKind.TAG]
    tags: dict[str, bytes] = {
        "bagit.txt": packaging.BAGIT_TXT.encode(),
        packaging.MANIFEST: packaging.manifest_text(payload).encode(),
        packaging.ORIGINAL_PATHS: packaging.tsv_text((pf.path, pf.source.original_path) for pf in plan.files).encode(),
        packaging.FORMATS: packaging.tsv_text(
            (pf.path, pf.source.format.puid or "UNKNOWN", pf.source.format.mime) for pf in plan.files
        ).encode(),
        "bag-info.txt": packaging.bag_info_text(
            plan,
            organisation=organisation,
            bagging=now,
            payload_bytes=sum(e.size for e in payload_files),
            payload_files=len(payload_files),
            content_hash_value=content,
            bag_group=bag_group,
            bag_index=bag_index,
        ).encode(),
    }
    for name, data in tags.items():
        add(name, _write_bytes(work / name, data), len(data))
    tagmanifest = packaging.manifest_text({p: e.sha256 for p, e in entries.items() if e.kind is FileKind.TAG}).encode()
    add(packaging.TAGMANIFEST, _write_bytes(work / packaging.TAGMANIFEST, tagmanifest), len(tagmanifest))

    if final.exists():
        shutil.rmtree(final)
    os.rename(work, final)
    return StagedBag(
        plan=plan,
        path=final,
        files=tuple(entries[p] for p in sorted(entries)),
        content_hash=content,
        findings=tuple(findings),
    )
