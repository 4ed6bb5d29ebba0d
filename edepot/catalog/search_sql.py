"""`SqlIndexState`: the index-sync state in the catalog database (table `search_index_state`).

Uses an engine made by `edepot.catalog.sql.create_engine_for`, so writes on SQLite take the
lock with BEGIN IMMEDIATE. Upserts are INSERT ... ON CONFLICT DO UPDATE (SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from edepot.catalog.search_tables import search_index_state as S
from edepot.catalog.sql import SqlTransactions
from edepot.indexing_state import StateRow, SyncStatus, _empty_counts

BATCH = 500  # rows per statement: below the databases' parameter limits


class SqlIndexState(SqlTransactions):

    def all_rows(self) -> dict[UUID, StateRow]:
        with self._read() as conn:
            return {row.record_id: row for row in map(_row, conn.execute(select(S)))}

    def get(self, record_id: UUID) -> StateRow | None:
        with self._read() as conn:
            found = conn.execute(select(S).where(S.c.record_id == record_id)).one_or_none()
        return None if found is None else _row(found)

    def put(self, rows: Iterable[StateRow]) -> None:
        values = [_values(r) for r in rows]
        if not values:
            return
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        statement = dialect_insert(S)
        others = {c.name: statement.excluded[c.name] for c in S.columns if c.name != "record_id"}
        upsert = statement.on_conflict_do_update(index_elements=["record_id"], set_=others)
        with self._write() as conn:
            for start in range(0, len(values), BATCH):
                conn.execute(upsert, values[start : start + BATCH])

    def delete(self, record_ids: Iterable[UUID]) -> None:
        ids = list(record_ids)
        with self._write() as conn:
            for start in range(0, len(ids), BATCH):
                conn.execute(delete(S).where(S.c.record_id.in_(ids[start : start + BATCH])))

    def clear(self) -> None:
        with self._write() as conn:
            conn.execute(delete(S))

    def due(self, now: datetime, limit: int) -> list[StateRow]:
        query = (
            select(S)
            .where(
                or_(
                    S.c.status == str(SyncStatus.WACHTEND),
                    (S.c.status == str(SyncStatus.MISLUKT))
                    & (S.c.next_attempt_at.is_(None) | (S.c.next_attempt_at <= now)),
                )
            )
            .order_by(S.c.record_id)
            .limit(limit)
        )
        with self._read() as conn:
            return [_row(r) for r in conn.execute(query)]

    def changing(self, today: date) -> list[StateRow]:
        query = (
            select(S).where(S.c.status == str(SyncStatus.GEINDEXEERD), S.c.changes_on <= today).order_by(S.c.record_id)
        )
        with self._read() as conn:
            return [_row(r) for r in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        counts = _empty_counts()
        with self._read() as conn:
            for status, number in conn.execute(select(S.c.status, func.count()).group_by(S.c.status)):
                counts[status] = int(number)
            counts["public"] = int(
                conn.execute(select(func.count()).select_from(S).where(S.c.public.is_(True))).scalar_one()
            )
        return counts

    def failures(self, limit: int) -> list[StateRow]:
        query = select(S).where(S.c.status == str(SyncStatus.MISLUKT)).order_by(S.c.record_id).limit(limit)
        with self._read() as conn:
            return [_row(r) for r in conn.execute(query)]


_FIELDS = tuple(c.name for c in S.columns)


def _values(row: StateRow) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in _FIELDS}
    values["status"] = str(row.status)
    return values


def _row(found: Any) -> StateRow:
    mapping = found._mapping
    values = {name: mapping[name] for name in _FIELDS}
    values["status"] = SyncStatus(values["status"])
    values["published"] = bool(values["published"])
    values["public"] = bool(values["public"])
    return StateRow(**values)
