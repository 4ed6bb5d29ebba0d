"""The AuditCatalog contract, on the in-memory fake, SQLite and PostgreSQL alike: copies recorded at
ingest and by checks, due copies by cadence and outcome, ages, tallies, the daily chart, problems."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from edepot.audit_ports import Controle, Run, RunStatus, Uitkomst
from edepot.catalog import InMemoryCatalog, SqlCatalog
from edepot.catalog.audit_memory import InMemoryAuditCatalog
from edepot.catalog.audit_sql import SqlAuditCatalog
from edepot.errors import Conflict, NotFound
from edepot.model import Aip, AipStatus
from tests.support.backends import BACKENDS, contract_backend

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STORES = ("filesystem", "s3")


@dataclass
class World:
    holdings: Any
    audits: Any

    def aip(self, status: AipStatus = AipStatus.OPGESLAGEN) -> UUID:
        aip_id = uuid.uuid4()
        self.holdings.begin_aip(
            Aip(aip_id, "analogue", f"k/{aip_id}", "0" * 64, 1, AipStatus.AANGEMAAKT, NOW, f"dossier {aip_id}")
        )
        if status is not AipStatus.AANGEMAAKT:
            self.holdings.set_aip_status(aip_id, AipStatus.OPGESLAGEN, NOW)
        if status in (AipStatus.BESCHADIGD, AipStatus.VERNIETIGD):
            self.holdings.set_aip_status(aip_id, status, NOW)
        return aip_id

    def run(self, at: datetime = NOW) -> UUID:
        run_id = uuid.uuid4()
        self.audits.start_run(Run(run_id, "alle", at, "0.1.0", "test"))
        return run_id


def _in_memory() -> World:
    holdings = InMemoryCatalog()
    return World(holdings, InMemoryAuditCatalog(holdings))


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    yield from contract_backend(
        request, tmp_path, _in_memory, lambda engine: World(SqlCatalog(engine), SqlAuditCatalog(engine))
    )


def check(run_id: UUID, aip_id: UUID, store: str, at: datetime, outcome: Uitkomst, **kw: Any) -> Controle:
    return Controle(
        run_id, aip_id, store, at, kw.get("objects", 3), kw.get("bytes", 300), outcome, kw.get("problems", ())
    )


def test_an_unknown_run_is_not_found_and_a_copy_is_checked_once_per_run(world: World) -> None:
    with pytest.raises(NotFound):
        world.audits.get_run(uuid.uuid4())
    with pytest.raises(NotFound):
        world.audits.finish_run(uuid.uuid4(), NOW, RunStatus.KLAAR, {})
    aip, run = world.aip(), world.run()
    world.audits.record_check(check(run, aip, "s3", NOW, Uitkomst.GOED))
    with pytest.raises(Conflict):
        world.audits.record_check(check(run, aip, "s3", NOW, Uitkomst.GOED))


def test_copies_recorded_at_ingest_are_verified_and_a_failed_check_keeps_the_last_good_time(world: World) -> None:
    aip = world.aip()
    world.audits.record_copies(aip, STORES, NOW, objects=3, bytes=300)
    later = NOW + timedelta(days=5)

    world.audits.record_check(check(world.run(later), aip, "s3", later, Uitkomst.FOUT, problems=({"key": "k"},)))

    fs, s3 = world.audits.copies(aip)
    assert (fs.store, fs.verified_at, fs.outcome) == ("filesystem", NOW, Uitkomst.GOED)
    assert (s3.store, s3.verified_at, s3.checked_at, s3.outcome) == ("s3", NOW, later, Uitkomst.FOUT)
    world.audits.record_check(check(world.run(later), aip, "s3", later + timedelta(hours=1), Uitkomst.HERSTELD))
    assert world.audits.copies(aip)[1].verified_at == later + timedelta(hours=1)


def test_due_copies_are_the_never_verified_the_stale_and_the_not_good_of_kept_aips_only(world: World) -> None:
    fresh, stale, never, bad = world.aip(), world.aip(), world.aip(), world.aip(AipStatus.BESCHADIGD)
    world.aip(AipStatus.AANGEMAAKT)
    world.aip(AipStatus.VERNIETIGD)
    world.audits.record_copies(fresh, STORES, NOW, objects=1, bytes=1)
    world.audits.record_copies(stale, STORES, NOW - timedelta(days=100), objects=1, bytes=1)
    world.audits.record_copies(stale, ["s3"], NOW, objects=1, bytes=1)
    world.audits.record_copies(bad, STORES, NOW, objects=1, bytes=1)
    world.audits.record_check(check(world.run(), bad, "filesystem", NOW, Uitkomst.FOUT))

    due = dict(world.audits.aips_to_check(STORES, due_before=NOW - timedelta(days=90), after=None, limit=100))

    assert due == {stale: ("filesystem",), never: STORES, bad: ("filesystem",)}
    everything = world.audits.aips_to_check(STORES, due_before=None, after=None, limit=100)
    assert sorted(a for a, _ in everything) == sorted([fresh, stale, never, bad])
    first, second = (
        world.audits.aips_to_check(STORES, due_before=None, after=None, limit=2),
        world.audits.aips_to_check(STORES, due_before=None, after=sorted([fresh, stale, never, bad])[1], limit=2),
    )
    assert [a for a, _ in first + second] == sorted([fresh, stale, never, bad])


def test_ages_give_the_oldest_verified_copy_and_the_overdue_count_per_store(world: World) -> None:
    old, new, _never = world.aip(), world.aip(), world.aip()
    world.audits.record_copies(old, STORES, NOW - timedelta(days=120), objects=1, bytes=1)
    world.audits.record_copies(new, ["filesystem"], NOW, objects=1, bytes=1)

    fs, s3 = world.audits.ages(STORES, NOW - timedelta(days=90))

    assert (fs.store, fs.copies, fs.aips, fs.oldest_verified, fs.overdue) == (
        "filesystem", 2, 3, NOW - timedelta(days=120), 2,
    )  # fmt: skip
    assert (s3.copies, s3.oldest_verified, s3.overdue) == (1, NOW - timedelta(days=120), 3)


def test_tallies_daily_counts_and_problems_cover_the_period_only(world: World) -> None:
    a, b = world.aip(), world.aip()
    day1, day2 = datetime(2026, 3, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    run1, run2 = world.run(day1), world.run(day2)
    world.audits.record_check(check(run1, a, "s3", day1, Uitkomst.GOED))
    world.audits.record_check(check(run1, b, "s3", day1, Uitkomst.GOED))
    world.audits.record_check(check(run2, a, "s3", day2, Uitkomst.HERSTELD, problems=({"key": "x", "repaired": True},)))
    world.audits.record_check(check(run2, b, "filesystem", day2 + timedelta(days=3), Uitkomst.GOED))
    world.audits.finish_run(run1, day1, RunStatus.KLAAR, {"objects": 6})

    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)
    tallies = {(t.store, t.outcome): (t.checks, t.objects, t.bytes) for t in world.audits.tallies(start, end)}
    assert tallies == {("s3", Uitkomst.GOED): (2, 6, 600), ("s3", Uitkomst.HERSTELD): (1, 3, 300)}
    assert world.audits.daily(start, end) == [
        (date(2026, 3, 1), Uitkomst.GOED, 2),
        (date(2026, 3, 2), Uitkomst.HERSTELD, 1),
    ]
    (problem,) = list(world.audits.problems(start, end))
    assert problem.aip_id == a and problem.problems == ({"key": "x", "repaired": True},)
    runs = world.audits.runs(start, end)
    assert [r.id for r in runs] == [run1, run2] and runs[0].summary == {"objects": 6} and runs[0].finished_at == day1
