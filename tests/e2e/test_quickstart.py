"""What a new user does: `edepot init` (which prints an admin API token once), `edepot demo`,
`edepot serve`, then browse with that token. Real processes, real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

EDEPOT = [sys.executable, "-m", "edepot"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_init_demo_serve_then_browse(tmp_path: Path):
    env = {**os.environ, "EDEPOT_HOME": str(tmp_path / "home")}
    init = subprocess.run([*EDEPOT, "init", "--json"], env=env, check=True, capture_output=True, text=True)
    auth = {"Authorization": f"Bearer {json.loads(init.stdout)['admin_token']}"}
    demo = subprocess.run([*EDEPOT, "demo"], env=env, check=True, capture_output=True, text=True)
    assert "geaccepteerd" in demo.stdout
    port = free_port()
    server = subprocess.Popen(
        [*EDEPOT, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("edepot serve did not answer /health within 10 s")
        assert httpx.get(f"{base}/api/v1/aips").status_code == 401
        aips = httpx.get(f"{base}/api/v1/aips", headers=auth).json()
        assert len(aips) == 5
        detail = httpx.get(f"{base}/api/v1/aips/{aips[0]['id']}", headers=auth).json()
        assert detail["files"]
        assert httpx.get(f"{base}/docs").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    # demo is idempotent: a second run stores nothing new
    again = subprocess.run([*EDEPOT, "demo", "--json"], env=env, check=True, capture_output=True, text=True)
    assert '"unchanged": 5' in again.stdout
