"""`edepot init` creates every configured bucket against a real SeaweedFS: with Object Lock and
versioning when a lock mode is set, idempotently, and refuses an existing bucket without the lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edepot.cli import main
from edepot.errors import ConfigurationError
from edepot.settings import Settings

pytestmark = pytest.mark.s3


def settings_for(tmp_path: Path, seaweedfs: Any, bucket: str, replica: str) -> Settings:
    extra = {
        "EDEPOT_REPLICAS": "filesystem,s3,s3-replica",
        "EDEPOT_S3_ENDPOINT": seaweedfs.endpoint,
        "EDEPOT_S3_REGION": "us-east-1",
        "EDEPOT_S3_BUCKET": bucket,
        "EDEPOT_S3_ACCESS_KEY": seaweedfs.access_key,
        "EDEPOT_S3_SECRET_KEY": seaweedfs.secret_key,
        "EDEPOT_S3_LOCK_MODE": "GOVERNANCE",
        "EDEPOT_S3_RETENTION_DAYS": "1",
        "EDEPOT_S3_REPLICA_BUCKET": replica,
    }
    return Settings(home=tmp_path / "home", extra=extra)


def init(settings: Settings) -> Any:
    return CliRunner().invoke(main, ["init", "--json"], obj={"settings": settings})


def test_init_creates_both_buckets_with_object_lock_and_versioning_and_can_run_again(
    tmp_path: Path, seaweedfs: Any
) -> None:
    settings = settings_for(tmp_path, seaweedfs, "init-main", "init-replica")

    first = init(settings)
    again = init(settings)

    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["buckets"] == ["init-main", "init-replica"]
    assert again.exit_code == 0 and json.loads(again.output)["buckets"] == ["init-main", "init-replica"]
    client = seaweedfs.client()
    for bucket in ("init-main", "init-replica"):
        lock = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
        assert lock["ObjectLockEnabled"] == "Enabled"
        assert client.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_init_refuses_an_existing_bucket_without_object_lock_when_a_lock_mode_is_set(
    tmp_path: Path, seaweedfs: Any
) -> None:
    unlocked = seaweedfs.new_bucket("init-unlocked", object_lock=False)
    settings = settings_for(tmp_path, seaweedfs, unlocked, "init-replica-2")

    result = init(settings)

    assert result.exit_code == ConfigurationError.exit_code, result.output
    assert unlocked in result.output and "Object Lock" in result.output
