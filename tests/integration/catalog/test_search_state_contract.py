"""The index-sync state contract: the in-memory fake, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from edepot.catalog.search_sql import SqlIndexState
from edepot.indexing_state import IndexState, InMemoryIndexState, StateRow, SyncStatus
from tests.support.backends import BACKENDS, contract_backend

NOW = datetime(2025, 6, 1, 10, 0, 0, 123456, tzinfo=UTC)
AIP = UUID(int=99)


@pytest.fixture(params=BACKENDS)
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexState]:
    yield from contract_backend(request, tmp_path, InMemoryIndexState, SqlIndexState)


def row(n: int, **changes: object) -> StateRow:
    return replace(StateRow(record_id=UUID(int=n), aip_id=AIP), **changes)  # type: ignore[arg-type]


def test_an_unknown_record_has_no_row_and_deleting_unknown_ids_is_harmless(state: IndexState) -> None:
    assert state.get(UUID(int=1)) is None
    state.delete([UUID(int=1)])
    assert state.all_rows() == {} and state.counts() == {"wachtend": 0, "geindexeerd": 0, "mislukt": 0, "public": 0}


def test_a_row_comes_back_as_stored_and_a_second_put_replaces_it(state: IndexState) -> None:
    indexed = row(
        1,
        status=SyncStatus.GEINDEXEERD,
        openbaarheid="beperkt",
        published=True,
        public=False,
        changes_on=date(2063, 1, 1),
        indexed_at=NOW,
    )
    state.put([indexed])
    assert state.get(indexed.record_id) == indexed
    failed = replace(indexed, status=SyncStatus.MISLUKT, attempts=2, next_attempt_at=NOW, last_error="kapot")
    state.put([failed])
    assert state.all_rows() == {indexed.record_id: failed}


def test_due_rows_are_the_waiting_ones_and_the_failed_ones_whose_retry_has_come(state: IndexState) -> None:
    state.put(
        [
            row(1),
            row(2, status=SyncStatus.MISLUKT, attempts=1, next_attempt_at=NOW + timedelta(seconds=30)),
            row(3, status=SyncStatus.MISLUKT, attempts=1, next_attempt_at=NOW),
            row(4, status=SyncStatus.GEINDEXEERD, indexed_at=NOW),
        ]
    )
    assert [r.record_id.int for r in state.due(NOW, 10)] == [1, 3]
    assert [r.record_id.int for r in state.due(NOW + timedelta(minutes=1), 10)] == [1, 2, 3]
    assert [r.record_id.int for r in state.due(NOW, 1)] == [1]
    assert [r.record_id.int for r in state.failures(10)] == [2, 3]


def test_changing_rows_are_the_indexed_ones_whose_day_has_come(state: IndexState) -> None:
    state.put(
        [
            row(1, status=SyncStatus.GEINDEXEERD, changes_on=date(2063, 1, 1)),
            row(2, status=SyncStatus.GEINDEXEERD, changes_on=date(2030, 1, 1)),
            row(3, status=SyncStatus.WACHTEND, changes_on=date(2020, 1, 1)),
            row(4, status=SyncStatus.GEINDEXEERD),
        ]
    )
    assert [r.record_id.int for r in state.changing(date(2030, 1, 1))] == [2]
    assert [r.record_id.int for r in state.changing(date(2063, 1, 1))] == [1, 2]


def test_counts_per_status_and_public_then_delete_and_clear(state: IndexState) -> None:
    state.put([row(n, status=SyncStatus.GEINDEXEERD, public=n % 2 == 0) for n in range(1, 1201)] + [row(1300)])
    assert state.counts() == {"wachtend": 1, "geindexeerd": 1200, "mislukt": 0, "public": 600}
    state.delete([UUID(int=n) for n in range(1, 601)])
    assert len(state.all_rows()) == 601
    state.clear()
    assert state.all_rows() == {}
