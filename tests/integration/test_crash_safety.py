"""Killing the ingest at any durable step leaves no partial AIP visible, no catalog row pointing at a
missing object, and a rerun completes the work exactly once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from edepot.bootstrap import build
from edepot.model import AipStatus
from edepot.sample import make_sample_block
from edepot.settings import Settings

RUNNER = Path(__file__).with_name("crash_runner.py")
POINTS = 24


@pytest.fixture(scope="module")
def block(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_block(tmp_path_factory.mktemp("supplier"))


def ingest(home: Path, block: Path, crash_at: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EDEPOT_HOME": str(home), "EDEPOT_IO_THREADS": "1", "CRASH_AT": crash_at}
    return subprocess.run(
        [sys.executable, str(RUNNER), "ingest", "analogue", str(block)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def total_steps(block: Path, tmp_path_factory: pytest.TempPathFactory) -> int:
    result = ingest(tmp_path_factory.mktemp("count"), block, "count")
    assert result.returncode == 0, result.stderr
    steps = int(re.search(r"steps=(\d+)", result.stderr).group(1))  # type: ignore[union-attr]
    assert steps >= POINTS
    return steps


def check_invariants(home: Path) -> None:
    services = build(Settings(home=home))
    for aip in services.catalog.list_aips(status=AipStatus.OPGESLAGEN, limit=1000):
        files = services.catalog.ledger(aip.id)
        assert services.verify_objects(files) == [], f"stored AIP {aip.id} points at missing or bad objects"
    visible = {a.id for a in services.list_aips(limit=1000)}
    assert all(services.get_aip(a).status is AipStatus.OPGESLAGEN for a in visible)
    assert services.verify_events() == []


@pytest.mark.slow
@pytest.mark.parametrize("point", range(POINTS))
def test_a_kill_at_any_step_is_harmless_and_a_rerun_completes(point, block, total_steps, tmp_path):
    crash_at = 1 + point * (total_steps - 1) // (POINTS - 1)
    home = tmp_path / "home"
    crashed = ingest(home, block, str(crash_at))
    assert crashed.returncode == -9, f"step {crash_at} of {total_steps} was not reached: {crashed.stderr[-2000:]}"
    if (home / "catalog.sqlite3").exists():
        check_invariants(home)

    rerun = ingest(home, block, "count")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    check_invariants(home)
    services = build(Settings(home=home))
    aips = services.catalog.list_aips(status=None, limit=1000)
    assert sorted(a.source_key for a in aips) == [f"1987-1996/{n}" for n in ("001", "007", "012", "031", "044")]
    assert {(a.status, a.version) for a in aips} == {(AipStatus.OPGESLAGEN, 1)}
    ledger_keys = {f.key for a in aips for f in services.catalog.ledger(a.id)}
    assert set(services.store.keys("aips/")) == ledger_keys, "objects in storage that no stored AIP accounts for"
    assert not [p for p in services.settings.staging_path.iterdir()], "staging left behind"
