"""Fixity-audit benchmark: `Auditor.run` over a filesystem store and over a real SeaweedFS bucket,
against single-core hashlib SHA-256 over the very same bytes, measured in the same run.

Workload (scaled by --scale): 48 objects of 4 MiB and 256 of 64 KiB in AIPs of 8 objects each, so
both MB/s (large objects) and objects/s (small ones) mean something. The catalog is in memory (the
audit's own catalog writes are one row per AIP copy); every object is read from the store, hashed
and compared with the ledger exactly as `edepot audit run --all` does.

Printed per store and worker count: MB/s, objects/s, the ratio to the hashlib rate, and the ratio
per core used (MB/s / (min(workers, cores) x hashlib MB/s)); target on the filesystem store: >= 0.8
per core used. For SeaweedFS also the server's CPU time per MB and a plain GET rate without hashing,
which shows what limits it. Nothing here asserts.

Usage: python bench/audit.py [--scale 1.0] [--workers 1,2,4] [--no-s3] [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edepot.audit import Auditor, AuditSettings, Scope  # noqa: E402
from edepot.catalog.audit_memory import InMemoryAuditCatalog  # noqa: E402
from edepot.catalog.memory import InMemoryCatalog  # noqa: E402
from edepot.model import Aip, AipStatus, FileEntry, FileKind  # noqa: E402
from edepot.ports import ObjectStore  # noqa: E402
from edepot.services import Services  # noqa: E402
from edepot.settings import Settings  # noqa: E402
from edepot.storage.filesystem import FilesystemObjectStore  # noqa: E402

MiB = 1024 * 1024
NOW = datetime(2026, 3, 1, tzinfo=UTC)
TRIALS = 5


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class NoAlerts:
    def send(self, subject: str, detail: dict[str, Any]) -> None:
        print(f"  (alert: {subject})")


def make_objects(workdir: Path, scale: float) -> list[tuple[str, Path, str, int]]:
    """(key, path, sha256, size) of every object, written under workdir/source."""
    large, small = max(1, round(48 * scale)), max(1, round(256 * scale))
    sizes = [4 * MiB] * large + [64 * 1024] * small
    objects = []
    source = workdir / "source"
    source.mkdir(parents=True)
    aip = uuid4()
    for i, size in enumerate(sizes):
        if i % 8 == 0:
            aip = uuid4()
        data = secrets.token_bytes(size)
        path = source / f"{i:05d}.bin"
        path.write_bytes(data)
        objects.append((f"aips/{aip}/data/{i:05d}.bin", path, hashlib.sha256(data).hexdigest(), size))
    return objects


def catalog_for(objects: list[tuple[str, Path, str, int]]) -> InMemoryCatalog:
    catalog = InMemoryCatalog()
    by_aip: dict[str, list[FileEntry]] = {}
    for key, _, sha256, size in objects:
        aip_id = key.split("/")[1]
        path = key.split("/", 2)[2]
        by_aip.setdefault(aip_id, []).append(FileEntry(UUID(aip_id), path, sha256, size, FileKind.PAYLOAD))
    for aip_id, files in by_aip.items():
        ident = files[0].aip_id
        catalog.begin_aip(Aip(ident, "bench", aip_id, "0" * 64, 1, AipStatus.AANGEMAAKT, NOW, "bench", files=files))
        catalog.set_aip_status(ident, AipStatus.OPGESLAGEN, NOW)
    return catalog


def hashlib_files(paths: list[Path]) -> float:
    """Seconds for single-core hashlib SHA-256 reading every file (the baseline, as bench/ingest.py)."""
    buffer = bytearray(MiB)
    view = memoryview(buffer)
    start = time.perf_counter()
    for path in paths:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while n := handle.readinto(view):
                digest.update(view[:n])
    return time.perf_counter() - start


def parallel_hashlib(paths: list[Path], threads: int) -> float:
    """Seconds for hashlib over the files on `threads` threads: the machine's own parallel ceiling."""

    def one(path: Path) -> None:
        buffer = bytearray(MiB)
        view = memoryview(buffer)
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while n := handle.readinto(view):
                digest.update(view[:n])

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - start


def hashlib_memory(total: int) -> float:
    """Seconds for single-core hashlib SHA-256 over `total` bytes already in memory (pure CPU)."""
    block = secrets.token_bytes(MiB)
    digest = hashlib.sha256()
    start = time.perf_counter()
    for _ in range(total // MiB):
        digest.update(block)
    return time.perf_counter() - start


def audit_once(store: ObjectStore, catalog: InMemoryCatalog, home: Path, workers: int) -> tuple[float, Any]:
    services = Services(catalog=catalog, store=store, clock=Clock(), settings=Settings(home=home), formats=None)  # type: ignore[arg-type]
    auditor = Auditor(
        services, InMemoryAuditCatalog(catalog), settings=AuditSettings(workers=workers), alert=NoAlerts()
    )
    start = time.perf_counter()
    result = auditor.run(Scope.ALLE, workers=workers)
    return time.perf_counter() - start, result


def line(label: str, seconds: float, total: int, count: int, base_rate: float, used: int) -> str:
    rate = total / MiB / seconds
    return (
        f"  {label:<34} {rate:8.1f} MB/s {count / seconds:9.1f} objects/s   x{rate / base_rate:5.2f} of hashlib"
        f"   x{rate / (used * base_rate):5.2f} per core used ({used})"
    )


def start_seaweedfs(base: Path) -> tuple[Any, Any]:
    spec = importlib.util.spec_from_file_location("weed_fixture", ROOT / "tests/integration/storage/conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["weed_fixture"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    base.mkdir(parents=True, exist_ok=True)
    access, secret = "edepot-bench", secrets.token_hex(20)
    weed = module.weed_binary()
    for _ in range(3):
        process, port = module._start(weed, base, access, secret)
        server = module.SeaweedFS(f"http://127.0.0.1:{port}", access, secret, "bench", base)
        if module._ready(server, process):
            return server, process
        module._stop(process)
    raise RuntimeError("SeaweedFS did not start")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--s3-workers", default="4,8")
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="edepot-bench-audit-", dir=args.workdir))
    cores = os.cpu_count() or 1
    try:
        objects = make_objects(workdir, args.scale)
        total, count = sum(o[3] for o in objects), len(objects)
        catalog = catalog_for(objects)
        store = FilesystemObjectStore(workdir / "objects", name="filesystem", hardlink=False)
        for key, path, sha256, _ in objects:
            store.put(key, path, sha256)
        store.sync()
        paths = [store.root / o[0] for o in objects]
        python = sys.version.split()[0]
        print(f"audit benchmark: {count} objects, {total / MiB:.0f} MiB, {cores} CPU core(s), Python {python}")
        hashlib_files(paths)  # warm the page cache: both sides then read from memory
        base = hashlib_files(paths)
        base_rate = total / MiB / base
        print(
            f"  {'hashlib sha256, 1 core (files)':<34} {base_rate:8.1f} MB/s {count / base:9.1f} objects/s   (baseline)"
        )
        ceilings = {1: base}
        for threads in sorted({min(int(w), cores) for w in args.workers.split(",")} - {1}):
            parallel = ceilings[threads] = parallel_hashlib(paths, threads)
            print(
                f"  {f'hashlib sha256, {threads} threads (files)':<34} {total / MiB / parallel:8.1f} MB/s"
                f"   x{base / parallel:5.2f} of 1 core: what this machine gives {threads} threads now"
            )
        mem = hashlib_memory(total)
        print(f"  {'hashlib sha256, 1 core (memory)':<34} {total / MiB / mem:8.1f} MB/s")
        print(f"filesystem store (page cache warm; best of {TRIALS}, each next to a fresh baseline):")
        for workers in [int(w) for w in args.workers.split(",")]:
            trials = []
            for _ in range(TRIALS):  # the machine may be shared: a baseline right before each trial
                base_now = total / MiB / hashlib_files(paths)
                seconds, result = audit_once(store, catalog, workdir / "home", workers)
                assert result.clean and result.objects == count
                trials.append((total / MiB / seconds / base_now, seconds, base_now))
            ratios = sorted(t[0] for t in trials)
            _, seconds, base_now = max(trials)
            print(line(f"audit, {workers} worker(s)", seconds, total, count, base_now, min(workers, cores)))
            print(f"  {'':<34} ratios of the {TRIALS} trials: {', '.join(f'{r:.2f}' for r in ratios)}")
            used = min(workers, cores)
            if used > 1:
                ceiling = total / MiB / ceilings[used]
                print(f"  {'':<34} x{total / MiB / seconds / ceiling:.2f} of hashlib on {used} threads measured above")
        if args.no_s3:
            return
        from edepot.storage.s3 import S3ObjectStore, ensure_bucket

        server, process = start_seaweedfs(workdir / "weed")
        try:
            client = server.client(max_attempts=3, timeouts=(5, 60))
            ensure_bucket(client, "bench")
            s3 = S3ObjectStore(client, "bench", name="seaweedfs")
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda o: s3.put(o[0], o[1], o[2]), objects))
            print(f"SeaweedFS {server.endpoint} (weed mini, same machine):")
            for workers in [int(w) for w in args.s3_workers.split(",")]:
                cpu0 = cpu_seconds(process.pid)
                seconds, result = audit_once(s3, catalog, workdir / "home", workers)
                weed_cpu = cpu_seconds(process.pid) - cpu0
                assert result.clean and result.objects == count
                print(line(f"audit, {workers} worker(s)", seconds, total, count, base_rate, min(workers, cores)))
                print(
                    f"  {'':<34} SeaweedFS used {weed_cpu:.1f} s CPU ({weed_cpu / seconds:.2f} cores), "
                    f"{weed_cpu * 1000 / (total / MiB):.1f} ms CPU per MiB"
                )

            def get(o: tuple[str, Path, str, int]) -> int:
                with s3.open(o[0]) as handle:
                    n = 0
                    while chunk := handle.read(MiB):
                        n += len(chunk)
                    return n

            for workers in [int(w) for w in args.s3_workers.split(",")]:
                start = time.perf_counter()
                with ThreadPoolExecutor(workers) as pool:
                    assert sum(pool.map(get, objects)) == total
                seconds = time.perf_counter() - start
                print(
                    line(f"plain GET, no hashing, {workers} thr", seconds, total, count, base_rate, min(workers, cores))
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
