"""Approved destruction on a real S3 server with Object Lock (SeaweedFS): every version goes where no
lock holds it; a locked or held version is reported, with its date, before anything is deleted; and
the retention decisions extend the objects' retain-until dates."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from edepot.errors import Conflict, UnsafeInput
from edepot.retention_ports import Vernietigingsopdracht
from edepot.storage.s3 import RetentionMode, S3ObjectStore
from edepot.storage.s3_destroyer import S3Destroyer, destroyer_for
from tests.unit.retention_world import TODAY, Dossier, make_world

pytestmark = pytest.mark.s3

AIP = UUID("6f1c1d1e-0000-4000-8000-000000000001")
ORDER = Vernietigingsopdracht(UUID(int=9), AIP, "archivaris-an", datetime(2026, 3, 1, tzinfo=UTC))
KEY = f"aips/{AIP}/data/1/scan.tif"


def put(store: S3ObjectStore, tmp_path: Path, key: str, data: bytes, **kwargs: object) -> None:
    path = tmp_path / hashlib.sha256(key.encode() + data).hexdigest()
    path.write_bytes(data)
    store.put(key, path, hashlib.sha256(data).hexdigest(), **kwargs)  # type: ignore[arg-type]


def test_a_key_outside_the_order_is_refused(s3_store: S3ObjectStore) -> None:
    destroyer = S3Destroyer(s3_store)
    with pytest.raises(UnsafeInput, match="covers only"):
        destroyer.destroy_blocked("aips/00000000-0000-4000-8000-000000000002/bagit.txt", ORDER)
    with pytest.raises(UnsafeInput):
        destroyer.destroy("aips/00000000-0000-4000-8000-000000000002/bagit.txt", ORDER)


def test_an_unlocked_object_is_destroyed_with_every_version(s3_store: S3ObjectStore, tmp_path: Path) -> None:
    put(s3_store, tmp_path, KEY, b"scan")
    destroyer = destroyer_for(s3_store)
    assert isinstance(destroyer, S3Destroyer)

    assert destroyer.destroy_blocked(KEY, ORDER) is None
    deleted = destroyer.destroy(KEY, ORDER)

    assert len(deleted) == 1 and s3_store.versions(KEY) == [] and not s3_store.exists(KEY)
    assert destroyer.destroy(KEY, ORDER) == []


def test_a_locked_version_is_reported_with_its_date_and_the_server_refuses_its_deletion(
    s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    put(s3_store, tmp_path, KEY, b"scan", retain_until=until)
    destroyer = S3Destroyer(s3_store)

    reason = destroyer.destroy_blocked(KEY, ORDER)

    assert reason is not None and "locked (GOVERNANCE) until" in reason and until.date().isoformat() in reason
    with pytest.raises(Conflict):
        destroyer.destroy(KEY, ORDER)
    assert s3_store.exists(KEY)


def test_a_legal_hold_blocks_destruction(s3_store: S3ObjectStore, tmp_path: Path) -> None:
    put(s3_store, tmp_path, KEY, b"scan")
    s3_store.set_legal_hold(KEY, True)
    assert "legal hold" in (S3Destroyer(s3_store).destroy_blocked(KEY, ORDER) or "")
    s3_store.set_legal_hold(KEY, False)
    assert S3Destroyer(s3_store).destroy_blocked(KEY, ORDER) is None


class PortedS3Store(S3ObjectStore):
    """S3ObjectStore lacks two ObjectStore methods the use cases call (reported to the lead)."""

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        return False

    def sync(self) -> None:
        return None


def test_a_decision_extends_the_retain_until_of_the_aip_and_its_revision(
    s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    s3_store = PortedS3Store(s3_store.client, s3_store.bucket, name="seaweedfs")
    world = make_world(tmp_path)
    world.services.store = s3_store
    world.retention.stores = (s3_store,)
    ids = world.ingest(Dossier("057", "Provisa 2005, categorie 56", "2010", "2013"))  # V until 2044-01-01

    report = world.retention.nightly(TODAY)

    assert report.revisions_written == 1 and report.warnings == []
    aip_id = ids["057"]
    keys = [*s3_store.keys(f"aips/{aip_id}/"), *s3_store.keys(f"revisions/{aip_id}/")]
    expected = datetime(2044, 1, 1, tzinfo=UTC) + timedelta(days=30)
    for key in keys:
        retention = s3_store.get_retention(key)
        assert retention is not None and retention.until == expected, key
        assert retention.mode is RetentionMode.GOVERNANCE
    assert world.retention.catalog.get_decision(aip_id).archiefactiedatum == date(2044, 1, 1)
