"""The indexer keeps the search index in step with the catalog, asynchronously and in bulk: it never
blocks an ingest, retries and reports failures, removes what left the holdings, opens restrictions
whose term lapsed (recording the moment), and rebuilds the whole index from catalog and storage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from edepot.errors import StorageError
from edepot.indexing import OPENBAARMAKING, BackgroundIndexer, Indexer
from edepot.indexing_state import SyncStatus
from edepot.model import AipStatus, EventOutcome
from edepot.search import Audience, Query
from tests.integration.search_service.conftest import NOT_PUBLIC, PUBLIC, RESTRICTED, World, make_world


def public_kenmerken(world: World, text: str = "") -> set[str]:
    result = world.search.search(Query(text=text, page_size=100, audience=Audience.PUBLIC))
    return {world.kenmerk(h.record_id) for h in result.hits}


def events(world: World, type: str) -> list[Any]:
    return [e for e in world.services.catalog.events() if e.type == type]


class BrokenStore:
    """The real store, except that reading keys containing `broken` fails like a storage outage."""

    def __init__(self, store: Any, broken: str) -> None:
        self.store = store
        self.broken = broken
        self.name = store.name

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        if self.broken and self.broken in key:
            raise StorageError(f"object {key} cannot be read: storage unavailable")
        with self.store.open(key) as handle:
            yield handle

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


# --- failures first ---------------------------------------------------------------------------------


def test_a_record_whose_sidecar_cannot_be_read_fails_is_reported_and_retried_with_backoff(world: World) -> None:
    broken = world.record("044")
    world.services.store = BrokenStore(world.services.store, broken.sidecar_path)  # type: ignore[assignment]
    indexer = world.search.indexer

    first = indexer.sync()

    assert (first.failed, first.indexed) == (1, 6)
    row = world.search.state.get(broken.id)
    assert row is not None and row.status is SyncStatus.MISLUKT and row.attempts == 1
    assert row.next_attempt_at == world.clock.moment + timedelta(seconds=30)
    assert "storage unavailable" in (row.last_error or "")
    [event] = events(world, "search indexing")
    assert str(event.outcome) == "failure" and event.detail["records"][0]["record_id"] == str(broken.id)
    assert [f["record_id"] for f in indexer.status()["failures"]] == [str(broken.id)]

    assert indexer.run_pending().failed == 0  # not due yet: nothing retried
    world.clock.moment += timedelta(seconds=30)
    assert indexer.run_pending().failed == 1  # due, fails again, waits twice as long
    assert world.search.state.get(broken.id).next_attempt_at == world.clock.moment + timedelta(seconds=60)  # type: ignore[union-attr]

    world.services.store = world.services.store.store  # type: ignore[attr-defined]
    world.clock.moment += timedelta(minutes=5)
    assert indexer.run_pending().indexed == 1
    assert world.search.state.get(broken.id).status is SyncStatus.GEINDEXEERD  # type: ignore[union-attr]
    assert public_kenmerken(world) == PUBLIC


def test_an_engine_that_refuses_a_batch_leaves_every_record_of_it_queued_for_a_retry(world: World) -> None:
    class RefusingIndex:
        name = "refusing"

        def __init__(self, real: Any) -> None:
            self.real = real

        def add(self, docs: Any) -> int:
            list(docs)
            raise StorageError("search index is locked by another writer")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

    indexer = Indexer(
        world.services, RefusingIndex(world.search.index), world.search.state, world.publications, world.search.config
    )

    report = indexer.sync()

    assert (report.indexed, report.failed) == (0, 7)
    assert world.search.state.counts()["mislukt"] == 7
    assert world.search.index.count() == 0


def test_an_ingest_does_not_touch_the_index_the_next_sync_picks_it_up(world: World) -> None:
    assert world.search.state.counts()["geindexeerd"] == 0 and world.search.index.count() == 0

    report = world.search.indexer.sync()

    assert (report.queued, report.indexed, report.failed) == (7, 7, 0)
    assert world.search.index.count() == 7
    assert world.search.indexer.sync().queued == 0  # nothing new: nothing queued


# --- what the public sees ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["tantivy", "whoosh"])
def test_the_public_sees_exactly_the_open_records_and_staff_see_all(
    sample_home: Path, tmp_path: Path, engine: str
) -> None:
    world = make_world(sample_home, tmp_path, engine)
    try:
        world.search.indexer.sync()
        assert public_kenmerken(world) == PUBLIC
        assert public_kenmerken(world, "bezwaarschriften omwonenden") == set()
        internal = world.search.search(Query(text="bezwaarschriften", audience=Audience.INTERNAL))
        assert [world.kenmerk(h.record_id) for h in internal.hits] == [RESTRICTED]
        everything = world.search.search(Query(page_size=100, audience=Audience.INTERNAL))
        assert {world.kenmerk(h.record_id) for h in everything.hits} == PUBLIC | NOT_PUBLIC
    finally:
        world.search.close()


def test_the_index_document_carries_the_metadata_the_portal_shows(world: World) -> None:
    world.search.indexer.sync()
    [hit] = world.search.search(Query(text="maasvallei keizer", audience=Audience.PUBLIC)).hits
    doc = hit.document
    assert (doc.title, doc.aggregatieniveau, doc.waardering) == (
        "Ontgrondingsvergunning Maasvallei, café De Keizer",
        "Dossier",
        "B",
    )
    assert (doc.date_begin, doc.date_end) == (date(1987, 1, 1), date(1992, 12, 31))
    assert (doc.informatiecategorie, doc.organisatie) == ("Provisa 2005, categorie 5", "Provincie Limburg")
    assert (doc.documentsoort, doc.bestandsformaat) == ("Afbeelding (scan)", "TIFF")
    assert doc.omvang == sum(
        f.size for f in world.services.get_aip(world.record("001").aip_id).files if f.kind.value == "payload"
    )
    assert "001" in doc.kenmerken


def test_a_woo_publication_opens_a_v_record_and_its_withdrawal_closes_it_again(world: World) -> None:
    indexer = world.search.indexer
    indexer.sync()
    world.publications.publish(world.id("012"))
    world.publications.publish(world.id(RESTRICTED))  # restricted: a Woo publication does not open it

    assert indexer.sync().opened == [str(world.id("012"))]
    assert public_kenmerken(world) == PUBLIC | {"012"}
    [opened] = [e for e in events(world, OPENBAARMAKING) if e.object_id == str(world.id("012"))]
    assert opened.detail["grond"] == "woo"

    world.publications.withdraw(world.id("012"), "ingetrokken na bezwaar")
    indexer.sync()
    assert public_kenmerken(world) == PUBLIC


def test_the_daily_job_opens_a_restriction_on_the_day_its_term_lapses_and_records_that_moment(world: World) -> None:
    indexer = world.search.indexer
    indexer.sync()
    restricted = world.id(RESTRICTED)
    assert world.search.state.get(restricted).changes_on == date(2063, 1, 1)  # type: ignore[union-attr]

    world.clock.moment = datetime(2062, 12, 31, 22, 59, tzinfo=UTC)  # 23:59 in Maastricht
    assert indexer.open_lapsed().opened == []
    world.clock.moment = datetime(2062, 12, 31, 23, 0, tzinfo=UTC)  # midnight in Maastricht
    report = indexer.open_lapsed()

    assert report.opened == [str(restricted)]
    assert RESTRICTED in public_kenmerken(world)
    [event] = events(world, OPENBAARMAKING)
    assert event.object_id == str(restricted) and event.detail["grond"] == "archiefwet"
    assert event.time == world.clock.moment
    assert indexer.open_lapsed().opened == []  # once only


def test_a_destroyed_aip_leaves_the_index_at_the_next_sync(world: World) -> None:
    indexer = world.search.indexer
    indexer.sync()
    gone = world.record("001")
    world.services.catalog.set_aip_status(gone.aip_id, AipStatus.VERNIETIGD, world.clock.now())

    report = indexer.sync()

    assert report.removed == 1
    assert public_kenmerken(world) == PUBLIC - {"001"}
    assert world.search.state.get(gone.id) is None


def test_reindex_rebuilds_the_index_from_catalog_and_storage(world: World) -> None:
    indexer = world.search.indexer
    indexer.sync()
    world.search.index.clear()  # the index directory lost
    assert public_kenmerken(world) == set()

    report = indexer.reindex()

    assert (report.indexed, report.failed) == (7, 0)
    assert public_kenmerken(world) == PUBLIC


def test_the_background_indexer_indexes_without_being_asked_and_stops_cleanly(world: World) -> None:
    background = BackgroundIndexer(world.search.indexer, interval=0.05)
    with background:
        for _ in range(400):  # wait (at most 20 s) for the thread's first round
            if world.search.state.counts()["geindexeerd"] == 7:
                break
            time.sleep(0.05)
    assert world.search.state.counts()["geindexeerd"] == 7
    assert background.runs >= 1
    assert not background._thread.is_alive()  # type: ignore[union-attr]


def test_a_second_process_finds_the_index_writer_taken_and_stays_out_of_the_way(world: World) -> None:
    from edepot.search import open_index

    first = BackgroundIndexer(world.search.indexer, discover_every=0)
    assert first.run_once().indexed == 7
    replica = open_index("tantivy", world.search.config.index_path)  # another API replica's index
    other = BackgroundIndexer(
        Indexer(world.services, replica, world.search.state, world.publications, world.search.config)
    )
    try:
        destroyed = world.record("001").aip_id
        world.services.catalog.set_aip_status(destroyed, AipStatus.VERNIETIGD, world.clock.now())
        world.services.record_event("Vernietigen", EventOutcome.GELUKT, destroyed)  # as a destruction does
        assert other.run_once() == type(other.run_once())() and other.busy
        assert world.search.state.counts()["mislukt"] == 0 and not events(world, "search indexing")
        assert first.run_once().removed == 1  # the writer's own rounds carry on
    finally:
        replica.close()
