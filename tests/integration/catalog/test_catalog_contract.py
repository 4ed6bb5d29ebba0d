"""The Catalog contract: the in-memory fake, SQLite and PostgreSQL behave the same.

Every test here runs against all three; the tampering tests only against the SQL databases,
where someone with database access could change the event table behind edepot's back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, delete, insert, update

from edepot.catalog import InMemoryCatalog, SqlCatalog, common, create_engine_for, migrate
from edepot.catalog.tables import events as events_table
from edepot.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from edepot.events import verify
from edepot.model import (
    Aip,
    AipStatus,
    EventDraft,
    EventOutcome,
    FileEntry,
    FileKind,
    RecordEntry,
    Submission,
    SubmissionStatus,
)
from edepot.ports import Catalog

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
CET = timezone(timedelta(hours=2))


@dataclass
class Backend:
    catalog: Catalog
    engine: Engine | None = None


def _sql_backend(url: str) -> Iterator[Backend]:
    engine = create_engine_for(url)
    migrate(engine)
    yield Backend(SqlCatalog(engine), engine)
    engine.dispose()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        yield Backend(InMemoryCatalog())
    elif request.param == "sqlite":
        yield from _sql_backend(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    else:
        yield from _sql_backend(request.getfixturevalue("postgres_database"))


@pytest.fixture
def catalog(backend: Backend) -> Catalog:
    return backend.catalog


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield from _sql_backend(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    else:
        yield from _sql_backend(request.getfixturevalue("postgres_database"))


# builders


def make_record(aip_id: UUID, path: str, parent: UUID | None = None) -> RecordEntry:
    return RecordEntry(
        id=uuid4(),
        aip_id=aip_id,
        parent_id=parent,
        naam=f"Stuk {path}",
        aggregatieniveau="Archiefstuk" if parent else "Dossier",
        kenmerk=path,
        bron="Provincie Limburg",
        waardering="B",
        beperking_code=None,
        beperking_label="Openbaar",
        dekking_begin="1987-01-01",
        dekking_eind=None,
        sidecar_path=f"data/{path}/{path.rsplit('/', 1)[-1]}.mdto.xml",
        omschrijving="beschrijving met é en ü",
    )


def make_file(aip_id: UUID, path: str, kind: FileKind = FileKind.PAYLOAD, record: UUID | None = None) -> FileEntry:
    return FileEntry(
        aip_id=aip_id,
        path=path,
        sha256=f"{abs(hash(path)):064x}"[-64:],
        size=len(path) * 1000,
        kind=kind,
        bestand_id=uuid4() if kind is FileKind.PAYLOAD else None,
        record_id=record,
        puid="fmt/353" if kind is FileKind.PAYLOAD else None,
        mime="image/tiff" if kind is FileKind.PAYLOAD else "application/xml",
        original_path=f"INV 1/{path}" if kind is FileKind.PAYLOAD else None,
    )


def make_aip(source_key: str = "1987-1996/INV-0012", version: int = 1, created_at: datetime = T0) -> Aip:
    aip_id = uuid4()
    dossier = make_record(aip_id, "INV-0012")
    stuk = make_record(aip_id, "INV-0012/Brief", parent=dossier.id)
    return Aip(
        id=aip_id,
        source="analogue",
        source_key=source_key,
        content_hash="c" * 64,
        version=version,
        status=AipStatus.AANGEMAAKT,
        created_at=created_at,
        title=f"Inventaris {source_key}",
        submission_id=uuid4(),
        records=[stuk, dossier],
        files=[
            make_file(aip_id, "data/INV-0012/Brief/scan.tif", record=stuk.id),
            make_file(aip_id, "bagit.txt", FileKind.TAG),
            make_file(aip_id, "data/INV-0012/INV-0012.mdto.xml", FileKind.SIDECAR, record=dossier.id),
            make_file(aip_id, "Data/upper-case-sorts-first.txt", FileKind.TAG),
        ],
    )


def stored(catalog: Catalog, aip: Aip) -> Aip:
    catalog.begin_aip(aip)
    catalog.set_aip_status(aip.id, AipStatus.OPGESLAGEN, aip.created_at + timedelta(minutes=5))
    return catalog.get_aip(aip.id)


def draft(n: int, object_id: str | None = None) -> EventDraft:
    return EventDraft(
        type="fixity check",
        agent="edepot/test",
        outcome=EventOutcome.GELUKT,
        time=T0 + timedelta(seconds=n),
        object_id=object_id,
        detail={"n": n, "files": ["a.tif", "b.xml"], "tekst": "één"},
    )


def summary(aip: Aip) -> Aip:
    return replace(aip, records=[], files=[])


# submissions


def test_an_unknown_submission_is_not_found(catalog: Catalog) -> None:
    unknown = uuid4()
    with pytest.raises(NotFound, match=str(unknown)):
        catalog.get_submission(unknown)
    with pytest.raises(NotFound):
        catalog.update_submission(Submission(unknown, "analogue", "/in", T0))


def test_a_submission_cannot_be_added_twice(catalog: Catalog) -> None:
    submission = Submission(uuid4(), "analogue", "/in/batch-1", T0)
    catalog.add_submission(submission)
    with pytest.raises(Conflict):
        catalog.add_submission(submission)


def test_a_submission_with_a_naive_time_is_refused(catalog: Catalog) -> None:
    submission = Submission(uuid4(), "analogue", "/in", datetime(2024, 5, 1, 12))
    with pytest.raises(InvalidInput, match="time zone"):
        catalog.add_submission(submission)
    with pytest.raises(NotFound):
        catalog.get_submission(submission.id)


def test_a_submission_cannot_leave_a_final_status(catalog: Catalog) -> None:
    submission = Submission(uuid4(), "analogue", "/in", T0, SubmissionStatus.ONTVANGEN)
    catalog.add_submission(submission)
    catalog.update_submission(replace(submission, status=SubmissionStatus.GEWEIGERD))

    with pytest.raises(InvalidTransition):
        catalog.update_submission(replace(submission, status=SubmissionStatus.GEACCEPTEERD))
    assert catalog.get_submission(submission.id).status is SubmissionStatus.GEWEIGERD


def test_a_submission_round_trips_with_its_report_and_a_utc_time(catalog: Catalog) -> None:
    submission = Submission(uuid4(), "zaaksysteem", "https://zaken.example/api", datetime(2024, 5, 1, 14, tzinfo=CET))
    catalog.add_submission(submission)
    accepted = replace(submission, status=SubmissionStatus.GEACCEPTEERD, report={"aips": ["x"], "fouten": 0})
    catalog.update_submission(accepted)

    got = catalog.get_submission(submission.id)
    assert got == replace(accepted, received_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
    assert got.received_at.tzinfo is UTC


# AIPs: bad input first


def test_an_unknown_aip_is_not_found_with_its_id_in_the_message(catalog: Catalog) -> None:
    unknown = uuid4()
    with pytest.raises(NotFound, match=str(unknown)):
        catalog.get_aip(unknown)
    with pytest.raises(NotFound):
        catalog.ledger(unknown)
    with pytest.raises(NotFound):
        catalog.set_aip_status(unknown, AipStatus.OPGESLAGEN, T0)


def test_a_new_aip_must_start_as_aangemaakt(catalog: Catalog) -> None:
    aip = replace(make_aip(), status=AipStatus.OPGESLAGEN, stored_at=T0)
    with pytest.raises(InvalidTransition, match="aangemaakt"):
        catalog.begin_aip(aip)
    assert catalog.list_aips() == []


def test_an_aip_whose_files_belong_to_another_aip_is_refused(catalog: Catalog) -> None:
    aip = make_aip()
    aip.files.append(make_file(uuid4(), "data/elders.tif"))
    with pytest.raises(InvalidInput, match=r"data/elders\.tif"):
        catalog.begin_aip(aip)
    with pytest.raises(NotFound):
        catalog.get_aip(aip.id)


def test_a_duplicate_ledger_path_leaves_the_whole_aip_absent(catalog: Catalog) -> None:
    aip = make_aip()
    aip.files.append(replace(aip.files[0], sha256="d" * 64))

    with pytest.raises(Conflict, match="occurs twice"):
        catalog.begin_aip(aip)

    with pytest.raises(NotFound):
        catalog.get_aip(aip.id)
    for record in aip.records:
        with pytest.raises(NotFound):
            catalog.get_record(record.id)
    assert catalog.list_aips() == []
    assert catalog.latest_aip(aip.source, aip.source_key) is None
    catalog.begin_aip(make_aip())  # the failed attempt left no lock or half state behind


def test_an_existing_version_of_a_source_object_is_not_stored_twice(catalog: Catalog) -> None:
    first = make_aip(version=1)
    catalog.begin_aip(first)
    again = make_aip(version=1)

    with pytest.raises(Conflict, match="version 1"):
        catalog.begin_aip(again)
    with pytest.raises(NotFound):
        catalog.get_aip(again.id)
    assert catalog.get_aip(first.id).records == sorted(first.records, key=common.record_order)


def test_a_record_id_held_by_another_aip_makes_the_new_aip_absent(catalog: Catalog) -> None:
    first = make_aip()
    catalog.begin_aip(first)
    second = make_aip(version=2)
    second.records.append(replace(first.records[0], aip_id=second.id))

    with pytest.raises(Conflict, match="record ids exist"):
        catalog.begin_aip(second)
    with pytest.raises(NotFound):
        catalog.get_aip(second.id)
    assert catalog.get_record(first.records[0].id).aip_id == first.id


def test_an_aip_cannot_be_inserted_twice(catalog: Catalog) -> None:
    aip = make_aip()
    catalog.begin_aip(aip)
    with pytest.raises(Conflict, match="exists"):
        catalog.begin_aip(aip)


# AIPs: what works


def test_an_aip_round_trips_with_its_records_and_ledger_in_path_order(catalog: Catalog) -> None:
    aip = make_aip(created_at=datetime(2024, 5, 1, 14, 0, 0, 123456, tzinfo=CET))
    catalog.begin_aip(aip)

    got = catalog.get_aip(aip.id)

    assert got == replace(
        aip,
        created_at=datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC),
        records=sorted(aip.records, key=lambda r: r.sidecar_path),
        files=sorted(aip.files, key=lambda f: f.path),
    )
    assert got.created_at.tzinfo is UTC
    assert [f.path for f in got.files][:2] == ["Data/upper-case-sorts-first.txt", "bagit.txt"]
    assert catalog.ledger(aip.id) == got.files
    assert catalog.get_record(aip.records[0].id) == aip.records[0]


def test_an_unknown_record_is_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFound, match="record"):
        catalog.get_record(uuid4())


def test_a_status_change_outside_the_transition_table_is_refused_and_changes_nothing(
    catalog: Catalog,
) -> None:
    aip = make_aip()
    catalog.begin_aip(aip)

    with pytest.raises(InvalidTransition, match="aangemaakt -> vernietigd"):
        catalog.set_aip_status(aip.id, AipStatus.VERNIETIGD, T0)
    assert catalog.get_aip(aip.id).status is AipStatus.AANGEMAAKT


def test_a_naive_status_time_is_refused(catalog: Catalog) -> None:
    aip = make_aip()
    catalog.begin_aip(aip)
    with pytest.raises(InvalidInput):
        catalog.set_aip_status(aip.id, AipStatus.OPGESLAGEN, datetime(2024, 5, 1, 12))
    assert catalog.get_aip(aip.id).status is AipStatus.AANGEMAAKT


def test_storing_sets_stored_at_and_later_transitions_keep_it(catalog: Catalog) -> None:
    aip = make_aip()
    catalog.begin_aip(aip)
    at = datetime(2024, 5, 2, 9, 30, tzinfo=CET)

    catalog.set_aip_status(aip.id, AipStatus.OPGESLAGEN, at)
    opgeslagen = catalog.get_aip(aip.id)
    catalog.set_aip_status(aip.id, AipStatus.BESCHADIGD, at + timedelta(days=1))
    beschadigd = catalog.get_aip(aip.id)

    assert opgeslagen.status is AipStatus.OPGESLAGEN
    assert opgeslagen.stored_at == datetime(2024, 5, 2, 7, 30, tzinfo=UTC)
    assert opgeslagen.stored_at is not None and opgeslagen.stored_at.tzinfo is UTC
    assert beschadigd.status is AipStatus.BESCHADIGD
    assert beschadigd.stored_at == opgeslagen.stored_at
    assert len(beschadigd.files) == len(aip.files)


def test_latest_aip_picks_the_highest_version_whatever_its_status_or_insertion_order(
    catalog: Catalog,
) -> None:
    v2, v3, v1 = make_aip(version=2), make_aip(version=3), make_aip(version=1)
    stored(catalog, v2)
    catalog.begin_aip(v3)
    stored(catalog, v1)
    catalog.begin_aip(make_aip(source_key="other", version=9))

    latest = catalog.latest_aip("analogue", "1987-1996/INV-0012")

    assert latest is not None
    assert (latest.id, latest.version, latest.status) == (v3.id, 3, AipStatus.AANGEMAAKT)
    assert latest.records == [] and latest.files == []
    assert catalog.latest_aip("zaaksysteem", "1987-1996/INV-0012") is None
    assert catalog.latest_aip("analogue", "unknown") is None


def test_list_aips_gives_summaries_newest_first_filtered_and_paged(catalog: Catalog) -> None:
    aips = [make_aip(source_key=f"key-{i % 2}", version=i, created_at=T0 + timedelta(hours=i)) for i in range(5)]
    for aip in aips:
        catalog.begin_aip(aip)
    catalog.set_aip_status(aips[1].id, AipStatus.OPGESLAGEN, T0)
    catalog.set_aip_status(aips[2].id, AipStatus.OPGESLAGEN, T0)
    expected = [summary(a) for a in reversed(aips)]
    expected[3] = catalog.list_aips(status=AipStatus.OPGESLAGEN)[1]
    expected[2] = catalog.list_aips(status=AipStatus.OPGESLAGEN)[0]

    assert catalog.list_aips() == expected
    assert [a.version for a in catalog.list_aips(status=AipStatus.OPGESLAGEN)] == [2, 1]
    assert [a.version for a in catalog.list_aips(status=AipStatus.AANGEMAAKT)] == [4, 3, 0]
    assert [a.version for a in catalog.list_aips(source_key="key-1")] == [3, 1]
    assert [a.version for a in catalog.list_aips(source_key="key-0", status=AipStatus.OPGESLAGEN)] == [2]
    assert [a.version for a in catalog.list_aips(limit=2, offset=1)] == [3, 2]
    assert catalog.list_aips(limit=0) == []
    assert catalog.list_aips(offset=5) == []


def test_a_negative_limit_or_offset_is_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput):
        catalog.list_aips(limit=-1)
    with pytest.raises(InvalidInput):
        catalog.list_records(offset=-1)


def test_list_records_shows_only_records_of_stored_aips_oldest_aip_first(catalog: Catalog) -> None:
    older, newer, pending = (
        make_aip("a", created_at=T0),
        make_aip("b", created_at=T0 + timedelta(days=1)),
        make_aip("c"),
    )
    stored(catalog, newer)
    stored(catalog, older)
    catalog.begin_aip(pending)
    destroyed = stored(catalog, make_aip("d"))
    catalog.set_aip_status(destroyed.id, AipStatus.VERNIETIGD, T0 + timedelta(days=2))

    def in_order(aip: Aip) -> list[RecordEntry]:
        return sorted(aip.records, key=lambda r: r.sidecar_path)

    assert catalog.list_records() == in_order(older) + in_order(newer)
    assert catalog.list_records(aip_id=newer.id) == in_order(newer)
    assert catalog.list_records(aip_id=pending.id) == []
    assert catalog.list_records(limit=2, offset=1) == [in_order(older)[1], in_order(newer)[0]]


def test_clear_holdings_removes_aips_records_and_ledger_but_keeps_events_and_submissions(
    catalog: Catalog,
) -> None:
    submission = Submission(uuid4(), "analogue", "/in", T0)
    catalog.add_submission(submission)
    aip = stored(catalog, make_aip())
    catalog.append_event(draft(1, object_id=str(aip.id)))
    head = catalog.event_head()

    catalog.clear_holdings()

    assert catalog.list_aips() == []
    assert catalog.list_records() == []
    with pytest.raises(NotFound):
        catalog.get_record(aip.records[0].id)
    with pytest.raises(NotFound):
        catalog.ledger(aip.id)
    assert catalog.event_head() == head
    assert [e.object_id for e in catalog.events()] == [str(aip.id)]
    assert catalog.get_submission(submission.id) == submission
    catalog.begin_aip(make_aip())  # the catalog can be rebuilt afterwards


# the event log


def test_an_empty_event_log_has_no_head_and_verifies(catalog: Catalog) -> None:
    assert catalog.event_head() is None
    assert list(catalog.events()) == []
    assert verify(catalog.events(), catalog.event_head()) == []


def test_an_event_with_a_naive_time_is_refused_and_not_appended(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        catalog.append_event(replace(draft(1), time=datetime(2024, 5, 1, 12)))
    assert catalog.event_head() is None


def test_a_hundred_appended_events_form_a_verifiable_chain(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "EVENT_PAGE", 7)  # read across many pages
    appended = [catalog.append_event(draft(n, object_id=f"aip-{n % 3}")) for n in range(100)]

    records = list(catalog.events())

    assert records == appended
    assert [r.seq for r in records] == list(range(1, 101))
    assert catalog.event_head() == (100, appended[-1].hash)
    assert verify(records, catalog.event_head()) == []
    assert [r.seq for r in catalog.events(object_id="aip-1")] == list(range(2, 101, 3))


def test_an_event_comes_back_in_utc_with_json_detail_and_still_verifies(catalog: Catalog) -> None:
    odd = EventDraft(
        type="Opname",
        agent="edepot/test",
        outcome=EventOutcome.WAARSCHUWING,
        time=datetime(2024, 5, 1, 14, 0, 0, 1, tzinfo=CET),
        object_id=None,
        detail={"id": uuid4(), "when": T0, "nested": {"lijst": (1, 2.5, None, True)}},
    )
    record = catalog.append_event(odd)

    (got,) = catalog.events()

    assert got == record
    assert got.time == datetime(2024, 5, 1, 12, 0, 0, 1, tzinfo=UTC) and got.time.tzinfo is UTC
    assert got.detail["nested"] == {"lijst": [1, 2.5, None, True]}
    assert isinstance(got.detail["id"], str)
    assert verify([got], catalog.event_head()) == []


def test_concurrent_appends_from_four_threads_keep_one_unbroken_chain(catalog: Catalog) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(25):
                catalog.append_event(draft(n, object_id=f"worker-{worker}"))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    records = list(catalog.events())
    assert [r.seq for r in records] == list(range(1, 101))
    assert verify(records, catalog.event_head()) == []
    for worker in range(4):
        assert len(list(catalog.events(object_id=f"worker-{worker}"))) == 25


# tampering with the event table is detected


def tampered_rules(backend: Backend) -> set[str]:
    return {f.rule for f in verify(backend.catalog.events(), backend.catalog.event_head())}


@pytest.fixture
def ten_events(sql: Backend) -> Backend:
    for n in range(10):
        sql.catalog.append_event(draft(n))
    assert tampered_rules(sql) == set()
    return sql


def _execute(backend: Backend, statement: object) -> None:
    assert backend.engine is not None
    with backend.engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def test_an_edited_event_detail_is_detected(ten_events: Backend) -> None:
    _execute(ten_events, update(events_table).where(events_table.c.seq == 4).values(detail={"n": 99}))
    assert tampered_rules(ten_events) == {"events.content"}


def test_a_deleted_middle_event_is_detected(ten_events: Backend) -> None:
    _execute(ten_events, delete(events_table).where(events_table.c.seq == 5))
    assert tampered_rules(ten_events) == {"events.sequence", "events.link"}


def test_a_deleted_last_event_is_detected_through_the_head(ten_events: Backend) -> None:
    _execute(ten_events, delete(events_table).where(events_table.c.seq == 10))
    assert tampered_rules(ten_events) == {"events.head"}


def test_a_forged_event_appended_behind_the_catalogs_back_is_detected(ten_events: Backend) -> None:
    last = list(ten_events.catalog.events())[-1]
    _execute(
        ten_events,
        insert(events_table).values(
            seq=11,
            type="Vernietigen",
            agent="intruder",
            outcome="success",
            time=T0,
            object_id=None,
            detail={},
            prev_hash=last.hash,
            hash="f" * 64,
        ),
    )
    assert tampered_rules(ten_events) == {"events.content", "events.head"}


def test_an_altered_outcome_is_reported_as_a_broken_chain_not_a_crash(ten_events: Backend) -> None:
    from edepot.errors import IntegrityBroken

    _execute(ten_events, update(events_table).where(events_table.c.seq == 3).values(outcome="gewist"))
    with pytest.raises(IntegrityBroken, match="event 3"):
        list(ten_events.catalog.events())


def test_restricted_aips_are_those_holding_a_record_with_a_beperking_gebruik_code(catalog: Catalog) -> None:
    open_aip = make_aip("1987-1996/INV-0001")
    closed = make_aip("1987-1996/INV-0002")
    closed.records[0] = replace(
        closed.records[0], beperking_code="PERSOONSGEGEVENS", beperking_label="Persoonsgegevens"
    )
    for aip in (open_aip, closed):
        catalog.begin_aip(aip)

    assert catalog.restricted_aips([open_aip.id, closed.id, uuid4()]) == {closed.id}
    assert catalog.restricted_aips([open_aip.id]) == frozenset()
    assert catalog.restricted_aips([]) == frozenset()
