"""`edepot serve --workers N`: N uvicorn worker processes, each with the app built from the
environment and the background indexer running for the app's lifetime."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.cli import main
from edepot.search import Query
from edepot.serve import with_background_indexing
from tests.integration.search_service.conftest import PUBLIC, World


@pytest.mark.parametrize("workers", ["0", "-1", "65", "many"])
def test_a_worker_count_outside_1_to_64_is_refused(workers: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", workers])
    assert result.exit_code != 0
    assert "--workers" in result.output


def test_the_worker_count_can_come_from_the_environment() -> None:
    result = CliRunner().invoke(main, ["serve"], env={"EDEPOT_WEB_WORKERS": "0"})
    assert result.exit_code != 0
    assert "EDEPOT_WEB_WORKERS" in result.output or "--workers" in result.output


def test_a_served_app_indexes_in_the_background_while_it_runs(world: World) -> None:
    app = create_app(world.services)
    app.state.search = world.search
    with TestClient(with_background_indexing(app)):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not world.search.index.count():
            time.sleep(0.1)
        found = {world.kenmerk(h.record_id) for h in world.search.search(Query("", page_size=100)).hits}
    assert found == PUBLIC


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_workers_serve_the_public_search_from_one_index(sample_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(sample_home, home)
    port = _free_port()
    env = {**os.environ, "EDEPOT_HOME": str(home), "EDEPOT_PUBLIC_RATE_LIMIT": "off", "EDEPOT_SEARCH_INTERVAL": "0.2"}
    env.pop("EDEPOT_DATABASE_URL", None)
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "edepot", "serve", "--port", str(port), "--workers", "2"]
    with open(log, "wb") as errors:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            total = 0
            while time.monotonic() < deadline and not total:
                try:
                    response = httpx.get(f"{base}/api/public/v1/search", timeout=5)
                    total = response.json()["total"] if response.status_code == 200 else 0
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            assert total >= 1, log.read_text()
            for _ in range(20):  # both workers answer (whichever the kernel hands the connection)
                assert httpx.get(f"{base}/api/public/v1/search", params={"q": "niets"}).status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert log.read_text().count("Started server process") == 2
