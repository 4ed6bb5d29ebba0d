"""Replicas and fixity audits against a real SeaweedFS: a filesystem copy and a bucket with Object Lock
(or two buckets). Damage in either copy is repaired from the other and verified again (in S3 as a new
version, the damaged one kept); with no good copy left the AIP is beschadigd; legal holds and
retain-until reach the bucket; and through a faulty network an ingest completes or fails cleanly and
resumably, never marking an AIP stored that is not verified on every copy."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FAULTS, FaultProxy

from edepot.audit import HERSTEL, Scope
from edepot.errors import EdepotError, NotFound
from edepot.legal_hold import lift_legal_hold, place_legal_hold
from edepot.model import AipStatus, EventOutcome
from edepot.storage.replicas import Replicas
from edepot.storage.s3 import RetentionPolicy, S3ObjectStore
from tests.unit.audit_world import AuditWorld, make_audit_world

pytestmark = pytest.mark.s3


def port_of(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def locked(seaweedfs: Any, bucket: str, name: str = "s3", client: Any = None) -> S3ObjectStore:
    return S3ObjectStore(client or seaweedfs.client(), bucket, name=name, retention=RetentionPolicy("GOVERNANCE", 1))


@pytest.fixture
def world(tmp_path: Path, seaweedfs: Any, bucket: str) -> AuditWorld:
    world = make_audit_world(tmp_path, locked(seaweedfs, bucket))
    world.ingest("001", "002")
    return world


def overwrite_in_bucket(store: S3ObjectStore, key: str, data: bytes, *, claimed_sha256: str | None = None) -> None:
    """Make the current version of `key` hold `data` behind edepot's back (a silent corruption), with
    object metadata that may lie about its digest."""
    metadata = {"sha256": claimed_sha256} if claimed_sha256 else {}
    store.client.put_object(Bucket=store.bucket, Key=key, Body=data, Metadata=metadata)


def test_a_flipped_bit_in_the_bucket_is_found_despite_lying_metadata_and_repaired_as_a_new_version(
    world: AuditWorld,
) -> None:
    s3 = world.copy("s3")
    key = world.scan_key("001")
    good = world.original("001")
    flipped = bytearray(good)
    flipped[3] ^= 0x01
    entry = next(f for f in world.services.catalog.get_aip(world.ids["001"]).files if f.key == key)
    overwrite_in_bucket(s3, key, bytes(flipped), claimed_sha256=entry.sha256)

    result = world.auditor.run(Scope.ALLE)

    assert [(p["store"], p["verdict"], p["repaired"]) for p in result.problems] == [("s3", "afwijkend", True)]
    assert world.read("s3", key) == good and result.clean
    versions = [v for v in s3.versions(key) if not v.is_delete_marker]
    assert len(versions) == 3  # stored, damaged, repaired: the damaged version is kept as evidence
    with s3.open(key, version_id=versions[1].version_id) as damaged:
        assert damaged.read() == bytes(flipped)
    current = s3.stat(key)
    assert current.retention is not None and current.retention.until > datetime.now(UTC)
    (repair,) = world.events(HERSTEL)
    assert repair.outcome is EventOutcome.GELUKT and repair.detail["source"] == "filesystem"
    assert "nieuwe versie" in repair.detail["how"]
    assert world.auditor.run(aip_id=world.ids["001"]).outcomes == {"goed": 2}


def test_an_object_deleted_from_the_bucket_is_put_back(world: AuditWorld) -> None:
    s3 = world.copy("s3")
    key = f"aips/{world.ids['002']}/manifest-sha256.txt"
    original = world.read("filesystem", key)
    s3.client.delete_object(Bucket=s3.bucket, Key=key)  # a delete marker: the current version is gone
    with pytest.raises(NotFound):
        world.read("s3", key)

    result = world.auditor.run(aip_id=world.ids["002"])

    assert [(p["verdict"], p["repaired"]) for p in result.problems] == [("ontbreekt", True)]
    assert world.read("s3", key) == original


def test_a_flipped_bit_on_disk_is_repaired_from_the_bucket(world: AuditWorld) -> None:
    key = world.scan_key("002")
    world.flip_bit("filesystem", key)

    result = world.auditor.run(Scope.ALLE)

    assert [(p["store"], p["repaired_from"]) for p in result.problems] == [("filesystem", "s3")]
    assert world.read("filesystem", key) == world.original("002")


def test_two_buckets_both_damaged_leave_the_aip_beschadigd_and_raise_an_alert(tmp_path: Path, seaweedfs: Any) -> None:
    a = locked(seaweedfs, seaweedfs.new_bucket("a"), "s3")
    b = locked(seaweedfs, seaweedfs.new_bucket("b"), "s3-replica")
    world = make_audit_world(tmp_path, b)
    world.services.store = Replicas([a, b])
    world.ingest("001")
    key = world.scan_key("001")
    overwrite_in_bucket(a, key, b"rot")
    b.client.delete_object(Bucket=b.bucket, Key=key)

    result = world.auditor.run(Scope.ALLE)

    assert result.beschadigd == [str(world.ids["001"])]
    assert world.services.catalog.get_aip(world.ids["001"]).status is AipStatus.BESCHADIGD
    assert {(p["store"], p["verdict"]) for p in result.problems} == {("s3", "afwijkend"), ("s3-replica", "ontbreekt")}
    assert any("beschadigd" in s for s in world.alerts.subjects())


def test_a_legal_hold_is_placed_and_lifted_on_every_object_in_the_bucket_with_an_event_each_time(
    world: AuditWorld,
) -> None:
    s3 = world.copy("s3")
    aip_id = world.ids["001"]
    keys = list(s3.keys(f"aips/{aip_id}/"))

    placed = place_legal_hold(world.services, aip_id, "Woo-verzoek 2026-14", door="archivaris-an")
    assert placed.stores == ("s3",) and placed.skipped == ("filesystem",) and placed.objects == len(keys)
    assert all(s3.get_legal_hold(k) for k in keys)
    lifted = lift_legal_hold(world.services, aip_id, "verzoek afgehandeld", door="archivaris-an")
    assert lifted.on is False and not any(s3.get_legal_hold(k) for k in keys)
    actions = [e.detail["actie"] for e in world.events("policy assignment") if e.object_id == str(aip_id)]
    assert actions == ["legal hold geplaatst", "legal hold opgeheven"]


def test_retain_until_set_through_the_replicas_reaches_the_bucket_and_is_never_shortened(world: AuditWorld) -> None:
    store = world.services.store
    assert isinstance(store, Replicas)
    key = world.scan_key("001")
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=400)

    store.set_retention(key, later)
    store.set_retention(key, later - timedelta(days=200))  # asks for less: nothing changes

    retention = store.get_retention(key)
    assert retention is not None and retention.until == later


# --- a faulty network during ingest ------------------------------------------------------------


def verified_everywhere(world: AuditWorld, direct: S3ObjectStore, aip_id: Any) -> bool:
    aip = world.services.catalog.get_aip(aip_id)
    for entry in aip.files:
        for copy in (world.copy("filesystem"), direct):
            try:
                with copy.open(entry.key) as handle:
                    data = handle.read()
            except NotFound:
                return False
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                return False
    return True


@pytest.mark.slow
def test_through_a_faulty_network_an_ingest_completes_or_fails_resumably_and_nothing_unverified_is_stored(
    tmp_path: Path, seaweedfs: Any, bucket: str
) -> None:
    direct = S3ObjectStore(seaweedfs.client(), bucket, name="s3")
    outcomes: Counter[str] = Counter()
    with FaultProxy(("127.0.0.1", port_of(seaweedfs.endpoint)), seed=42, delay=(0.1, 2.5)) as proxy:
        client = seaweedfs.client(proxy.endpoint, max_attempts=2, timeouts=(2, 2))  # some ingests fail
        world = make_audit_world(tmp_path, locked(seaweedfs, bucket, client=client))
        rng = random.Random(7)
        for i in range(12):
            try:
                world.ingest(f"{i:03d}")
                outcomes["ingest ok"] += 1
            except EdepotError as exc:
                outcomes[f"ingest failed: {type(exc).__name__}"] += 1
            for aip in world.services.catalog.list_aips(status=None, limit=1000):
                if aip.status is AipStatus.OPGESLAGEN:
                    assert verified_everywhere(world, direct, aip.id), f"AIP {aip.id} stored but not verified"
                else:
                    with pytest.raises(NotFound):
                        world.services.get_aip(aip.id)  # an unfinished AIP is never visible
            if rng.random() < 0.3:
                world.clock.advance(timedelta(seconds=1))
        stats = dict(proxy.stats)
        proxy.enabled = False
        world.services.resume_pending()  # the rerun completes whatever the faults interrupted
        audited = world.auditor.run(Scope.ALLE)

    aips = world.services.catalog.list_aips(status=None, limit=1000)
    assert {a.status for a in aips} == {AipStatus.OPGESLAGEN}
    assert all(verified_everywhere(world, direct, a.id) for a in aips)
    assert all(len(direct.versions(k)) == 1 for k in list(direct.keys()))  # retries never wrote a second version
    assert all(world.audits.copies(a.id) and len(world.audits.copies(a.id)) == 2 for a in aips)
    assert audited.clean and audited.checks == 2 * len(aips)
    assert sum(stats.get(f, 0) for f in FAULTS) >= 10, stats
    print(f"faults injected: {stats}; outcomes: {dict(outcomes)}")
