"""Fixity audits over two replicas (a filesystem store and a second store), specified on the real
ingest use case: every copy verified before an AIP is stored, damage repaired byte-identically from
the other copy and verified again, an AIP without a good copy marked beschadigd, overdue copies found."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import pytest

from edepot import events
from edepot.audit import HERSTEL, AuditSettings, Scope
from edepot.audit_ports import Uitkomst
from edepot.errors import Conflict, FixityError, InvalidInput, NotFound, StorageError
from edepot.model import AipStatus, EventOutcome
from edepot.storage.memory import InMemoryObjectStore
from edepot.storage.repair import repair_object
from tests.unit.audit_world import AuditWorld, make_audit_world


@pytest.fixture
def world(tmp_path: Path) -> AuditWorld:
    world = make_audit_world(tmp_path)
    world.ingest("001", "002")
    return world


class Lying(InMemoryObjectStore):
    """Keeps a flipped bit of everything it is given (a disk that corrupts on write)."""

    def put(self, key: str, source: Path, sha256: str) -> None:
        super().put(key, source, sha256)
        self.corrupt(key)


class Unreachable(InMemoryObjectStore):
    """Its objects cannot be read (a server that is down after its bounded retries)."""

    broken = False

    def open(self, key: str) -> BinaryIO:
        if self.broken:
            raise StorageError(f"reading {key!r} from {self.name!r} failed after 5 attempts")
        return io.BytesIO(self._get(key))


# --- bad input first ---------------------------------------------------------------------------


def test_an_unknown_scope_an_unknown_aip_and_an_unstored_aip_are_refused(world: AuditWorld, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        world.auditor.run("alles")
    with pytest.raises(NotFound):
        world.auditor.run(aip_id=world.ids["001"].__class__(int=1))
    with pytest.raises(InvalidInput, match="aangemaakt"):
        lying = make_audit_world(tmp_path / "lying", Lying("tweede"))
        with pytest.raises(FixityError):
            lying.ingest("003")
        (pending,) = lying.services.catalog.list_aips(status=AipStatus.AANGEMAAKT)
        lying.auditor.run(aip_id=pending.id)


def test_a_repair_never_touches_an_intact_object_or_uses_a_source_that_does_not_match(
    world: AuditWorld, tmp_path: Path
) -> None:
    key, entry = world.scan_key("001"), None
    entry = next(f for f in world.services.catalog.get_aip(world.ids["001"]).files if f.key == key)
    good = tmp_path / "good.tif"
    good.write_bytes(world.original("001"))
    with pytest.raises(Conflict, match="matches the ledger"):
        repair_object(world.copy("filesystem"), key, good, entry.sha256, entry.size)
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"something else")
    world.flip_bit("filesystem", key)
    with pytest.raises(FixityError):
        repair_object(world.copy("filesystem"), key, bad, entry.sha256, entry.size)
    assert world.read("filesystem", key) != world.original("001")  # nothing was written


# --- storing: every copy verified ----------------------------------------------------------------


def test_an_aip_is_stored_only_after_every_object_was_read_back_from_every_replica(tmp_path: Path) -> None:
    world = make_audit_world(tmp_path, Lying("tweede"))

    with pytest.raises(FixityError, match="did not read back"):
        world.ingest("001")

    (aip,) = world.services.catalog.list_aips(status=None)
    assert aip.status is AipStatus.AANGEMAAKT
    (failed,) = [e for e in world.events(events.FIXITEIT) if e.outcome is EventOutcome.MISLUKT]
    assert {p["message"].split(" in ")[-1].split(" has")[0] for p in failed.detail["problems"]} == {"tweede"}
    assert world.audits.copies(aip.id) == []


def test_ingest_records_a_verified_copy_in_every_replica(world: AuditWorld) -> None:
    copies = world.auditor.copies_of_aip(world.ids["001"])

    assert copies["count"] == 2 and copies["missing"] == []
    assert [c["store"] for c in copies["copies"]] == ["filesystem", "tweede"]
    assert all(c["outcome"] == "goed" and c["verified_at"] for c in copies["copies"])
    assert copies["copies"][0]["location"].startswith("schijf (bestandssysteem)")
    stored = [e for e in world.events(events.FIXITEIT) if e.object_id == str(world.ids["001"])]
    assert stored[-1].detail["copies"] == ["filesystem", "tweede"]


# --- damage and repair ---------------------------------------------------------------------------


@pytest.mark.parametrize("damaged", ["filesystem", "tweede"])
def test_a_flipped_bit_in_one_copy_is_repaired_from_the_other_byte_identical_and_verified_again(
    world: AuditWorld, damaged: str
) -> None:
    key = world.scan_key("001")
    world.flip_bit(damaged, key)

    result = world.auditor.run(Scope.ALLE)

    assert world.read(damaged, key) == world.original("001")
    assert result.clean and result.outcomes == {"goed": 3, "hersteld": 1}
    ((problem,),) = [[p for p in result.problems]]
    assert problem["store"] == damaged and problem["key"] == key and problem["verdict"] == "afwijkend"
    assert problem["repaired"] and problem["repaired_from"] != damaged
    (failure,) = [e for e in world.events(events.FIXITEIT) if e.outcome is EventOutcome.MISLUKT and e.object_id]
    assert failure.object_id == str(world.ids["001"]) and failure.detail["problems"][0]["key"] == key
    (repair,) = world.events(HERSTEL)
    assert repair.outcome is EventOutcome.GELUKT and repair.detail["reverified"] is True
    assert repair.detail["store"] == damaged and repair.detail["key"] == key
    assert world.services.catalog.get_aip(world.ids["001"]).status is AipStatus.OPGESLAGEN
    assert any("1 repaired" in s for s in world.alerts.subjects())  # a mismatch alerts, even when repaired
    assert world.auditor.run(aip_id=world.ids["001"]).outcomes == {"goed": 2}
    staging = world.services.settings.staging_path
    assert not any(p.name.startswith("repair-") for p in staging.iterdir()), "the repair's scratch folder stayed"


def test_the_damaged_file_is_kept_as_evidence_outside_the_keys_of_the_filesystem_store(world: AuditWorld) -> None:
    key = world.scan_key("002")
    world.flip_bit("filesystem", key)
    damaged = world.read("filesystem", key)

    world.auditor.run(aip_id=world.ids["002"])

    store = world.copy("filesystem")
    kept = [p for p in (store.root / ".tmp" / "quarantaine").rglob("*") if p.is_file() and p.suffix != ".key"]
    assert [p.read_bytes() for p in kept] == [damaged]
    assert not any(k.startswith(".tmp") for k in list(store.keys()))
    assert store.sweep_tmp() == 0 and kept[0].exists()


@pytest.mark.parametrize("lost", ["filesystem", "tweede"])
def test_a_missing_object_is_put_back_from_the_other_copy(world: AuditWorld, lost: str) -> None:
    key = f"aips/{world.ids['002']}/bag-info.txt"
    original = world.read("filesystem", key)
    world.lose(lost, key)

    result = world.auditor.run(Scope.ALLE)

    assert world.read(lost, key) == original
    assert [(p["verdict"], p["repaired"]) for p in result.problems] == [("ontbreekt", True)]
    assert [c.outcome for c in world.audits.copies(world.ids["002"]) if c.store == lost] == [Uitkomst.HERSTELD]


def test_with_both_copies_bad_the_aip_is_beschadigd_reported_and_alerted_never_skipped(world: AuditWorld) -> None:
    key = world.scan_key("001")
    world.flip_bit("filesystem", key)
    world.lose("tweede", key)

    result = world.auditor.run(Scope.ALLE)

    assert not result.clean and result.beschadigd == [str(world.ids["001"])]
    assert world.services.catalog.get_aip(world.ids["001"]).status is AipStatus.BESCHADIGD
    assert {p["verdict"] for p in result.problems} == {"afwijkend", "ontbreekt"}
    assert not any(p.get("repaired") for p in result.problems)
    assert any("1 AIP(s) beschadigd" in s for s in world.alerts.subjects())
    assert any(e.detail.get("actie") == "beschadigd" for e in world.events(events.FIXITEIT))
    assert world.auditor.status()["beschadigd"] == [str(world.ids["001"])]
    # a damaged AIP stays in every later run, and is still reported
    world.clock.advance(timedelta(days=1))
    again = world.auditor.run(Scope.VERLOPEN)
    assert again.beschadigd == [str(world.ids["001"])]
    # once the bytes are back (e.g. from a backup) the next audit finds it intact again
    copy = world.copy("tweede")
    source = world.root / "backup.tif"
    source.write_bytes(world.original("001"))
    entry = next(f for f in world.services.catalog.get_aip(world.ids["001"]).files if f.key == key)
    copy.put(key, source, entry.sha256)
    restored = world.auditor.run(aip_id=world.ids["001"])
    assert restored.hersteld_aips == [str(world.ids["001"])] and restored.clean
    assert world.services.catalog.get_aip(world.ids["001"]).status is AipStatus.OPGESLAGEN
    assert world.read("filesystem", key) == world.original("001")


def test_an_unreadable_copy_is_reported_and_alerted_but_neither_repaired_nor_condemned(tmp_path: Path) -> None:
    second = Unreachable("tweede")
    world = make_audit_world(tmp_path, second)
    world.ingest("001")
    second.broken = True

    result = world.auditor.run(Scope.ALLE)

    assert result.outcomes == {"goed": 1, "onleesbaar": 1} and not result.clean
    assert {p["verdict"] for p in result.problems} == {"onleesbaar"}
    assert result.repairs == [] and result.beschadigd == [] and world.events(HERSTEL) == []
    assert world.services.catalog.get_aip(world.ids["001"]).status is AipStatus.OPGESLAGEN
    assert any(
        f"0 damaged or missing object(s), 0 repaired, {len(result.problems)} unreadable" in s
        for s in world.alerts.subjects()
    )


# --- cadence and overdue ------------------------------------------------------------------------


def test_overdue_copies_are_found_with_the_clock_and_alerted_and_due_runs_check_only_those(tmp_path: Path) -> None:
    world = make_audit_world(tmp_path, settings=AuditSettings(cadence=timedelta(days=90), workers=2))
    world.ingest("001")
    world.clock.advance(timedelta(days=60))
    world.ingest("002")

    assert world.auditor.run(Scope.VERLOPEN).checks == 0  # nothing due yet
    assert world.auditor.status()["overdue"] == 0 and world.alerts.sent == []

    world.clock.advance(timedelta(days=31))  # 001 is 91 days old, 002 31 days
    status = world.auditor.status()
    assert status["overdue"] == 2 and status["oldest_age_days"] == pytest.approx(91, abs=0.01)
    assert world.auditor.check_overdue()[0]["overdue"] == 1
    assert "overdue" in world.alerts.subjects()[-1]

    result = world.auditor.run(Scope.VERLOPEN)
    assert result.aips == 1 and result.checks == 2 and result.clean
    assert {c.aip_id for c in world.audits.copies(world.ids["001"])} == {world.ids["001"]}
    assert world.auditor.status()["overdue"] == 0
    assert world.auditor.status()["oldest_age_days"] == pytest.approx(31, abs=0.01)
    assert result.overdue == []


def test_every_run_is_recorded_with_its_software_version_and_an_event_at_start_and_end(world: AuditWorld) -> None:
    from edepot import __version__

    result = world.auditor.run(Scope.ALLE)

    run = world.audits.get_run(result.run.id)
    assert run.status == "klaar" and run.software == __version__ and run.summary["objects"] == result.objects
    marks = [e.detail.get("actie") for e in world.events(events.FIXITEIT) if e.detail.get("run_id") == str(run.id)]
    assert marks[0] == "audit gestart" and marks[-1] == "audit beëindigd"
    assert result.objects == 2 * sum(len(world.services.catalog.get_aip(i).files) for i in world.ids.values())
