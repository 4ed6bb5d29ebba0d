"""Killing `retention nightly` at any durable step and running it again ends exactly where one
uninterrupted run ends: the same decisions, one concept list per kind with the same items, every
metadata revision written once and valid, an intact event chain."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from edepot import bagcheck
from edepot.bootstrap import build
from edepot.retention_service import build_retention
from edepot.sample import make_sample_block
from edepot.settings import Settings

RUNNER = Path(__file__).with_name("crash_runner.py")
TODAY = "2026-03-02"
POINTS = 10


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("ingested") / "home"
    services = build(Settings(home=home))
    services.ingest_analogue(make_sample_block(tmp_path_factory.mktemp("supplier")))
    return home


def copy_of(home: Path, target: Path) -> Path:
    shutil.copytree(home, target, symlinks=True)
    return target


def nightly(home: Path, crash_at: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EDEPOT_HOME": str(home), "CRASH_AT": crash_at, "EDEPOT_RETENTION_BATCH": "2"}
    return subprocess.run(
        [sys.executable, str(RUNNER), "nightly", "--today", TODAY],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def state(home: Path) -> dict[str, Any]:
    services = build(Settings(home=home))
    retention = build_retention(services)
    decisions = {
        str(d.aip_id): (str(d.waardering), d.code, d.archiefactiedatum, d.revisie, d.geschreven)
        for d in retention.iter_decisions()
    }
    lists = {
        (str(lst.soort), str(lst.status)): sorted(str(i.aip_id) for i in retention.catalog.get_list(lst.id).items)
        for lst in retention.catalog.lists()
    }
    revisions = sorted({"/".join(k.split("/")[:3]) for k in services.store.keys("revisions/")})
    for prefix in revisions:
        assert bagcheck.validate_stored_bag(services.store, prefix) == [], prefix
    assert services.verify_events() == []
    exclusions = sorted((str(u.aip_id), str(u.soort)) for u in retention.catalog.exclusions(open_only=True))
    return {"decisions": decisions, "lists": lists, "revisions": revisions, "exclusions": exclusions}


@pytest.fixture(scope="module")
def reference(ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], int]:
    home = copy_of(ingested, tmp_path_factory.mktemp("reference") / "home")
    result = nightly(home, "count")
    assert result.returncode == 0, result.stderr[-3000:]
    steps = int(re.search(r"steps=(\d+)", result.stderr).group(1))  # type: ignore[union-attr]
    assert steps >= POINTS
    return state(home), steps


def test_one_run_decides_every_record_and_proposes_both_lists(reference: tuple[dict[str, Any], int]) -> None:
    found, _ = reference
    assert len(found["decisions"]) == 5
    assert {k[0] for k in found["lists"]} == {"vernietigingslijst", "overbrengingslijst"}
    assert all(v[3] == 1 for v in found["decisions"].values())
    assert len(found["revisions"]) == sum(1 for v in found["decisions"].values() if v[0] in "BV")


@pytest.mark.slow
@pytest.mark.parametrize("point", range(POINTS))
def test_a_kill_at_any_step_then_a_rerun_ends_where_one_run_ends(
    point: int, ingested: Path, reference: tuple[dict[str, Any], int], tmp_path: Path
) -> None:
    expected, steps = reference
    crash_at = 1 + point * (steps - 1) // (POINTS - 1)
    home = copy_of(ingested, tmp_path / "home")

    crashed = nightly(home, str(crash_at))
    assert crashed.returncode == -9, f"step {crash_at} of {steps} was not reached: {crashed.stderr[-2000:]}"
    rerun = nightly(home, "count")
    assert rerun.returncode == 0, rerun.stderr[-3000:]

    found = state(home)
    assert found["decisions"] == expected["decisions"], "decisions differ (or a revisie was counted twice)"
    assert found["lists"] == expected["lists"]
    assert found["revisions"] == expected["revisions"]
    assert found["exclusions"] == expected["exclusions"]
    assert not list((home / "retention" / "work").glob("*")), "work folders left behind"
