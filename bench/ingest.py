"""Ingest benchmark: end-to-end analogue ingest into the filesystem store, against a baseline.

The baseline is single-core hashlib SHA-256 over the very same files, measured in the same run,
so the printed ratios mean the same on any machine. Beside it, the floor: what copying with
sha256, one sync and the re-read cost here with nothing else, in the same run. Two workloads
(issue 2):

  (a) 1 GiB in 2,000 files   -> MB/s, ratio to the hashlib rate      (target >= 0.5x)
  (b) 20,000 files of 4-32 KiB -> files/s incl. sidecars and catalog (target >= 1,000 files/s)

Usage: python bench/ingest.py [--scale 1.0] [--workdir DIR] [--keep] [--only a|b]
`--scale 0.1` runs a tenth of each workload (for a quick look). Nothing here asserts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# This file is named like the `ingest` package; keep bench/ off the import path so it does not shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from edepot.bootstrap import build  # noqa: E402
from edepot.sample import make_bulk_block  # noqa: E402
from edepot.settings import Settings  # noqa: E402

MiB = 1024 * 1024


def hashlib_baseline(root: Path) -> tuple[float, int, int]:
    """Seconds to sha256 every file under root on one core, bytes and files hashed."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    total = 0
    buffer = bytearray(MiB)
    view = memoryview(buffer)
    start = time.perf_counter()
    for path in files:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while n := handle.readinto(view):
                digest.update(view[:n])
                total += n
    return time.perf_counter() - start, total, len(files)


def copy_floor(root: Path, dest: Path, threads: int) -> float:
    """Seconds for the bare minimum an ingest must do with the bytes, in `threads` threads: copy
    every file with its sha256 (one read pass), one sync, then re-read and sha256 every copy.
    Nothing else: no identification, sidecars, catalog or events. Writing into the page cache
    costs more than hashing on this machine (about 1.2 s per GB, with one thread or two), so
    this floor, not hashlib, bounds what an ingest of (a) can reach."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    dest.mkdir(parents=True)
    copies = [dest / str(i) for i in range(len(files))]

    def copy(source: Path, target: Path) -> str:
        sha256 = hashlib.sha256()
        view = memoryview(bytearray(MiB))
        with open(source, "rb") as handle, open(target, "xb") as out:
            while n := handle.readinto(view):
                sha256.update(view[:n])
                out.write(view[:n])
        return sha256.hexdigest()

    def reread(target: Path) -> str:
        with open(target, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        written = list(pool.map(copy, files, copies))
        os.sync()
        read_back = list(pool.map(reread, copies))
    seconds = time.perf_counter() - start
    assert written == read_back, "a copy did not read back as written"
    return seconds


def create_cost(folder: Path, files: int = 2000, size: int = 16 * 1024) -> float:
    """Microseconds to create and write one new small file in `folder`, here and now. An ingest of
    many small files creates two per file (copy and sidecar), and on this machine that cost varies
    tenfold: 15-60 µs normally, 280-600 µs for minutes after many files were deleted (a previous
    benchmark's workdir, a test run's temporary folders; perf shows the kernel in ext4's
    recently_deleted, stepping over freed inodes, a check ext4 makes only when it has no journal,
    as here). Printed beside the result so a slow run can be told from a slow moment of the
    filesystem; the files stay until the workdir goes."""
    folder.mkdir(parents=True)
    data = os.urandom(size)
    start = time.perf_counter()
    for i in range(files):
        fd = os.open(folder / f"{i:05d}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
    return (time.perf_counter() - start) / files * 1e6


def _cpu() -> float:
    """CPU seconds of this process and its ended children so far, all threads (siegfried's Go
    threads and its child process included): less sensitive than wall time to other load."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ingest(block: Path, home: Path) -> tuple[float, float, dict[str, int], list[tuple[str, float]]]:
    """`edepot ingest analogue` as the CLI runs it (Services.ingest_analogue): wall and CPU seconds,
    the counts, and the wall seconds per stage. PRONOM identification runs in the background from
    the start, while the block is read and the files are copied; "waiting for identification" is
    what it still takes after the copies are done."""
    services = build(Settings(home=home))
    start, cpu0 = time.perf_counter(), _cpu()
    receipt = services.ingest_analogue(block)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu0
    counts = receipt.as_dict()["counts"]
    assert counts["new"] == counts["packages"], "benchmark block must be new"
    times = receipt.stage_seconds
    labels = {
        "copying": "copy+hash payload (identification running)",
        "identifying": "waiting for identification + file checks",
        "finishing": "sidecars, tag files",
        "storing": "catalog, publish, one sync, re-read",
    }
    stages = [("read block, bookkeeping (walk, inventory, names)", seconds - sum(times.values()))]
    stages += [(labels.get(name, name), value) for name, value in times.items()]
    return seconds, cpu, counts, stages


def run(name: str, workdir: Path, *, files: int, min_size: int, max_size: int, per_dossier: int) -> None:
    supplier = workdir / f"{name}-supplier"
    home = workdir / f"{name}-home"
    start = time.perf_counter()
    block = make_bulk_block(
        supplier, files=files, min_size=min_size, max_size=max_size, files_per_dossier=per_dossier, block=name
    )
    generated = time.perf_counter() - start
    # warm the page cache equally for both measurements
    hashlib_baseline(block)
    base_seconds, base_bytes, base_files = hashlib_baseline(block)
    threads = os.cpu_count() or 1
    floor_seconds = copy_floor(block, workdir / f"{name}-floor", threads)
    creating = create_cost(workdir / f"{name}-create-cost")
    seconds, cpu, counts, stages = ingest(block, home)
    mb = counts["bytes"] / 1e6
    base_rate = base_bytes / 1e6 / base_seconds
    rate = mb / seconds
    print(
        f"\n[{name}] {counts['files']} files in {counts['packages']} dossiers, {mb:,.1f} MB"
        f" (generated in {generated:.1f} s)"
    )
    print(f"  hashlib sha256, 1 core : {base_rate:10.1f} MB/s  {base_files / base_seconds:10.0f} files/s")
    print(
        f"  floor, {threads} threads     : {base_bytes / 1e6 / floor_seconds:10.1f} MB/s"
        f"  {base_files / floor_seconds:10.0f} files/s  (copy+sha256, sync, re-read+sha256; nothing else)"
    )
    print(f"  new 16 KiB file, 1 core: {creating:10.0f} µs to create and write (filesystem now)")
    print(f"  edepot ingest, e2e     : {rate:10.1f} MB/s  {counts['files'] / seconds:10.0f} files/s  ({seconds:.2f} s)")
    print(f"  CPU, all threads       : {cpu:10.2f} s  = {cpu / counts['files'] * 1000:.2f} ms per file")
    print("  per stage, wall (noisy on a shared 2-core machine):")
    for label, wall in stages:
        print(f"    {label:<50} {wall:8.2f} s")
    print(
        f"  ratio ingest/hashlib   : {rate / base_rate:10.2f}x bytes"
        f"  {(counts['files'] / seconds) / (base_files / base_seconds):10.3f}x files"
    )
    print(
        f"  ratio floor/hashlib    : {base_seconds / floor_seconds:10.2f}x bytes"
        f"  ratio ingest/floor: {floor_seconds / seconds:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only", choices=("a", "b"), help="run one workload only")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="edepot-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"edepot ingest benchmark, scale {args.scale}, cpus {os.cpu_count()}, workdir {workdir}")
    try:
        if args.only != "b":
            run(
                "a-large",
                workdir,
                files=max(10, int(2000 * args.scale)),
                min_size=384 * 1024,
                max_size=704 * 1024,
                per_dossier=100,
            )
        if args.only != "a":
            run(
                "b-small",
                workdir,
                files=max(100, int(20000 * args.scale)),
                min_size=4 * 1024,
                max_size=32 * 1024,
                per_dossier=200,
            )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
