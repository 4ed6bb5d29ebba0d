"""Ingests in parallel on a real catalog (SQLite and PostgreSQL) and the real filesystem store, each
ingest with its own `Services` (its own engine and connections, as a separate worker has): two
blocks really overlap, a live ingest's work is never touched while an ended one's is recovered,
and two ingests of one source_key make consecutive versions. The test ports only wait or record;
threads stand in for processes (every lease is held on a connection or file of its own)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from edepot.bootstrap import build
from edepot.catalog.leases_sql import SqlLeases
from edepot.errors import StorageError
from edepot.job_service import JobRunner, JobService, job_catalog_for
from edepot.jobs import JobStatus
from edepot.leases import owner_lease, source_lease
from edepot.model import AipStatus
from edepot.sample import make_bulk_block
from edepot.services import Services
from edepot.settings import Settings
from edepot.worker_settings import WorkerSettings
from tests.integration.scale.cluster import wait_for

WAIT = 120  # seconds a test port waits before it gives up (a deadlock guard, not a measurement)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres_database")
    return Settings(home=tmp_path / "home", database_url=url)


def block(tmp_path: Path, name: str, seed: int = 1) -> Path:
    return make_bulk_block(
        tmp_path / f"in-{name}-{seed}",
        files=4,
        min_size=2000,
        max_size=4000,
        files_per_dossier=2,
        seed=seed,
        block=name,
    )


class Proxy:
    """The wrapped store, except for `publish_directory`, which a test port intercepts."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.name: str = store.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class Rendezvous(Proxy):
    """Each ingest's first publish waits until `parties` ingests are there: they pass only if they
    run at the same time; if they ran one after the other the barrier breaks after WAIT seconds."""

    def __init__(self, store: Any, barrier: threading.Barrier, met: list[str]) -> None:
        super().__init__(store)
        self._barrier, self._met, self._local = barrier, met, threading.local()

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        if not getattr(self._local, "met", False):
            self._local.met = True
            self._barrier.wait(WAIT)
            self._met.append(prefix)
        result: bool = self._store.publish_directory(prefix, directory)
        return result


class Pause(Proxy):
    """The first publish says it arrived and waits for `go`: an ingest caught in the middle of storing."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.arrived, self.go = threading.Event(), threading.Event()

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        if not self.arrived.is_set():
            self.arrived.set()
            assert self.go.wait(WAIT), "never told to go on"
        result: bool = self._store.publish_directory(prefix, directory)
        return result


class Broken(Proxy):
    """A store that fails every publish and put: the ingest ends with its AIPs pending."""

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        raise StorageError("the disk went away")


@dataclass
class Recording:
    """Leases that say, in one shared list, when their ingest asks, is granted and lets go."""

    leases: Any
    tag: str
    order: list[str] = field(default_factory=list)

    @contextmanager
    def hold(self, names: Any) -> Iterator[None]:
        self.order.append(f"{self.tag} asks")
        with self.leases.hold(names):
            self.order.append(f"{self.tag} granted")
            yield
            self.order.append(f"{self.tag} lets go")

    def attempt(self, name: str) -> Any:
        return self.leases.attempt(name)


def worker(settings: Settings, **changes: Any) -> Services:
    """The Services of one worker: a composition of its own, on the shared catalog and home."""
    return replace(build(settings), **changes) if changes else build(settings)


def in_thread(target: Any, *args: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = target(*args)
        except BaseException as error:  # reported by the test
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def finished(thread: threading.Thread, outcome: dict[str, Any]) -> Any:
    thread.join(WAIT)
    assert not thread.is_alive(), "the ingest never finished"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_two_ingest_jobs_of_different_blocks_run_at_the_same_time(settings: Settings, tmp_path: Path) -> None:
    barrier, met = threading.Barrier(2), []
    first = worker(settings)
    first = replace(first, store=Rendezvous(first.store, barrier, met))
    second = worker(settings)
    second = replace(second, store=Rendezvous(second.store, barrier, met))
    jobs = job_catalog_for(first)
    submitter = JobService(first, jobs, WorkerSettings(), dispatcher=_Nowhere())
    ids = [submitter.submit_analogue(block(tmp_path, name)).job.id for name in ("b1", "b2")]
    runners = [
        JobRunner(s, job_catalog_for(s), WorkerSettings(), worker=f"w{n}") for n, s in enumerate((first, second))
    ]

    threads = [in_thread(lambda r=r, i=i: r.run(i, final=True)) for r, i in zip(runners, ids, strict=True)]
    done = [finished(*t) for t in threads]

    assert [j.status for j in done] == [JobStatus.DONE, JobStatus.DONE], [j.last_error for j in done]
    assert len(met) == 2, "both ingests were storing at the same moment"
    aips = first.catalog.list_aips(status=None, limit=100)
    assert len(aips) == 4 and {(a.status, a.version) for a in aips} == {(AipStatus.OPGESLAGEN, 1)}
    assert not list(settings.staging_path.iterdir())


class _Nowhere:
    def send(self, job: Any) -> None:  # the test runs the jobs itself
        return None


def test_an_ended_ingests_work_is_completed_by_the_next_while_a_live_ingests_work_is_left_alone(
    settings: Settings, tmp_path: Path
) -> None:
    live = worker(settings)
    paused = Pause(live.store)
    thread, outcome = in_thread(replace(live, store=paused).ingest_analogue, block(tmp_path, "live"))
    wait_for(paused.arrived.is_set, WAIT, "the live ingest to be storing")
    [live_folder] = list(settings.staging_path.iterdir())
    live_pending = {a.id for a in live.catalog.list_aips(status=AipStatus.AANGEMAAKT, limit=100)}

    crashed = worker(settings)  # its own start of ingest leaves the live work alone, then it fails
    with pytest.raises(StorageError):
        replace(crashed, store=Broken(crashed.store)).ingest_analogue(block(tmp_path, "dead"))
    [left] = [p for p in settings.staging_path.iterdir() if p != live_folder]
    dead_pending = {a.id for a in crashed.catalog.list_aips(status=AipStatus.AANGEMAAKT, limit=100)} - live_pending
    assert left.name.startswith("ingest-") and (left / "owner.json").is_file()
    assert len(live_pending) == 1 and len(dead_pending) == 1

    survivor = worker(settings)
    receipt = survivor.ingest_analogue(block(tmp_path, "next"))

    statuses = {a.id: a.status for a in survivor.catalog.list_aips(status=None, limit=100)}
    assert {statuses[i] for i in dead_pending} == {AipStatus.OPGESLAGEN}  # the ended ingest's AIP, completed
    assert not left.exists()  # and its staging removed
    assert {statuses[i] for i in live_pending} == {AipStatus.AANGEMAAKT}  # the live one's, untouched
    assert live_folder.is_dir() and [p.name for p in live_folder.iterdir() if p.name != "owner.json"]
    assert receipt.as_dict()["counts"]["new"] == 2

    paused.go.set()
    finished(thread, outcome)
    aips = survivor.catalog.list_aips(status=None, limit=100)
    assert {a.status for a in aips} == {AipStatus.OPGESLAGEN} and len(aips) == 5  # 2 live, 1 dead, 2 next
    assert Counter(a.source_key for a in aips).most_common(1)[0][1] == 1
    assert all(survivor.verify_aip(a.id) == [] for a in aips)
    assert not list(settings.staging_path.iterdir())


def test_a_live_owner_is_never_taken_for_dead_by_another_worker(settings: Settings) -> None:
    services = worker(settings)
    elsewhere = SqlLeases(services.catalog._engine)  # type: ignore[attr-defined] - another worker's leases
    folder = settings.staging_path / "ingest-5f1d5a0e-0000-4000-8000-000000000001"
    (folder / "some-bag").mkdir(parents=True)

    with elsewhere.hold([owner_lease("5f1d5a0e-0000-4000-8000-000000000001")]):
        services.resume_pending()
        assert (folder / "some-bag").is_dir()
    services.resume_pending()

    assert not folder.exists()


def test_two_ingests_of_the_same_source_key_make_consecutive_versions_one_after_the_other(
    settings: Settings, tmp_path: Path
) -> None:
    order: list[str] = []
    one, two = worker(settings), worker(settings)
    paused = Pause(one.store)
    one = replace(one, store=paused, leases=Recording(one.leases, "one", order))
    two = replace(two, leases=Recording(two.leases, "two", order))
    first, second = block(tmp_path, "b7", seed=1), block(tmp_path, "b7", seed=2)  # same keys, other scans

    t1 = in_thread(one.ingest_analogue, first)
    wait_for(paused.arrived.is_set, WAIT, "the first ingest to be storing")
    keys = {a.source_key for a in one.catalog.list_aips(status=None, limit=100)}
    with SqlLeases(one.catalog._engine).attempt(source_lease("analogue", sorted(keys)[0])) as free:  # type: ignore[attr-defined]
        assert not free, "the source_key is leased while its version is being made"
    t2 = in_thread(two.ingest_analogue, second)
    wait_for(lambda: "two asks" in order, WAIT, "the second ingest to ask for its leases")
    paused.go.set()
    receipts = [finished(*t1), finished(*t2)]

    assert order.index("one lets go") < order.index("two granted")
    assert [r.as_dict()["counts"]["new"] for r in receipts] == [2, 2]
    aips = one.catalog.list_aips(status=None, limit=100)
    by_key: dict[str, list[Any]] = {}
    for aip in aips:
        by_key.setdefault(aip.source_key, []).append(aip)
    assert len(by_key) == 2
    for versions in by_key.values():
        v1, v2 = sorted(versions, key=lambda a: a.version)
        assert (v1.version, v2.version) == (1, 2) and v2.previous_id == v1.id
        assert v1.content_hash != v2.content_hash
    assert {a.status for a in aips} == {AipStatus.OPGESLAGEN}
