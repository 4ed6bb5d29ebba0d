"""The AuditCatalog on the catalog's SQL database (SQLite or PostgreSQL), SQLAlchemy 2 Core.

Uses the engine of `edepot.catalog.sql.create_engine_for` and the tables of `audit_tables`
(migration 0004). Built for a million AIPs: due copies are found with one indexed NOT EXISTS per
store and paged by AIP id, ages and tallies are aggregates, the daily chart is grouped by the UTC day.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, and_, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from edepot.audit_ports import VERIFIED, Controle, Kopie, Ouderdom, Run, RunStatus, Telling, Uitkomst
from edepot.catalog.audit_tables import aip_copies, audit_checks, audit_runs
from edepot.catalog.sql import SqlTransactions
from edepot.catalog.tables import aips
from edepot.errors import Conflict, NotFound
from edepot.model import AipStatus

C, R, K = aip_copies, audit_runs, audit_checks
KEPT = (str(AipStatus.OPGESLAGEN), str(AipStatus.BESCHADIGD))
GOOD = [str(o) for o in VERIFIED]  # a copy whose last check found damage stays due until it is good again


class SqlAuditCatalog(SqlTransactions):

    def _upsert_copy(self, conn: Connection, values: dict[str, Any], *, verified: bool) -> None:
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        statement = dialect_insert(C).values(**values)
        changes = {
            "checked_at": statement.excluded.checked_at,
            "outcome": statement.excluded.outcome,
            "objects": statement.excluded.objects,
            "bytes": statement.excluded.bytes,
        }
        if verified:
            changes["verified_at"] = statement.excluded.verified_at
        conn.execute(statement.on_conflict_do_update(index_elements=["aip_id", "store"], set_=changes))

    # copies -----------------------------------------------------------------------------------

    def record_copies(self, aip_id: UUID, stores: Sequence[str], at: datetime, *, objects: int, bytes: int) -> None:
        with self._write() as conn:
            for store in stores:
                values = {
                    "aip_id": aip_id,
                    "store": store,
                    "verified_at": at,
                    "checked_at": at,
                    "outcome": str(Uitkomst.GOED),
                    "objects": objects,
                    "bytes": bytes,
                }
                self._upsert_copy(conn, values, verified=True)

    def copies(self, aip_id: UUID) -> list[Kopie]:
        with self._read() as conn:
            rows = conn.execute(select(C).where(C.c.aip_id == aip_id).order_by(C.c.store)).all()
        return [
            Kopie(r.aip_id, r.store, r.verified_at, r.checked_at, Uitkomst(r.outcome), r.objects, r.bytes) for r in rows
        ]

    # runs -------------------------------------------------------------------------------------

    def start_run(self, run: Run) -> None:
        with self._write() as conn:
            conn.execute(
                insert(R).values(
                    id=run.id,
                    scope=run.scope,
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                    status=str(run.status),
                    software=run.software,
                    agent=run.agent,
                    summary=run.summary,
                )
            )

    def finish_run(self, run_id: UUID, at: datetime, status: RunStatus, summary: dict[str, Any]) -> Run:
        with self._write() as conn:
            done = conn.execute(
                update(R).where(R.c.id == run_id).values(finished_at=at, status=str(status), summary=summary)
            )
            if done.rowcount == 0:
                raise _run_not_found(run_id)
        return self.get_run(run_id)

    def get_run(self, run_id: UUID) -> Run:
        with self._read() as conn:
            row = conn.execute(select(R).where(R.c.id == run_id)).first()
        if row is None:
            raise _run_not_found(run_id)
        return _run(row)

    def runs(self, start: datetime, end: datetime) -> list[Run]:
        query = select(R).where(R.c.started_at >= start, R.c.started_at < end).order_by(R.c.started_at, R.c.id)
        with self._read() as conn:
            return [_run(r) for r in conn.execute(query)]

    # checks -----------------------------------------------------------------------------------

    def record_check(self, check: Controle) -> None:
        try:
            self._record_check(check)
        except IntegrityError:
            raise Conflict(
                f"AIP {check.aip_id} in {check.store} was already checked in run {check.run_id}",
                run_id=str(check.run_id),
            ) from None

    def _record_check(self, check: Controle) -> None:
        with self._write() as conn:
            conn.execute(
                insert(K).values(
                    run_id=check.run_id,
                    aip_id=check.aip_id,
                    store=check.store,
                    checked_at=check.checked_at,
                    objects=check.objects,
                    bytes=check.bytes,
                    outcome=str(check.outcome),
                    problems=list(check.problems),
                )
            )
            verified = check.outcome in VERIFIED
            values = {
                "aip_id": check.aip_id,
                "store": check.store,
                "verified_at": check.checked_at if verified else None,
                "checked_at": check.checked_at,
                "outcome": str(check.outcome),
                "objects": check.objects,
                "bytes": check.bytes,
            }
            self._upsert_copy(conn, values, verified=verified)

    def aips_to_check(
        self, stores: Sequence[str], *, due_before: datetime | None, after: UUID | None, limit: int
    ) -> list[tuple[UUID, tuple[str, ...]]]:
        conditions: list[ColumnElement[bool]] = [aips.c.status.in_(KEPT)]
        if after is not None:
            conditions.append(aips.c.id > after)
        if due_before is not None:
            fresh = [
                ~exists().where(
                    C.c.aip_id == aips.c.id,
                    C.c.store == store,
                    C.c.verified_at.is_not(None),
                    C.c.verified_at >= due_before,
                    C.c.outcome.in_(GOOD),
                )
                for store in stores
            ]
            conditions.append(or_(*fresh))
        query = select(aips.c.id).where(and_(*conditions)).order_by(aips.c.id).limit(limit)
        with self._read() as conn:
            ids = list(conn.execute(query).scalars())
            if due_before is None or not ids:
                return [(i, tuple(stores)) for i in ids]
            rows = conn.execute(
                select(C.c.aip_id, C.c.store, C.c.verified_at, C.c.outcome).where(
                    C.c.aip_id.in_(ids), C.c.store.in_(list(stores))
                )
            ).all()
        good = {
            (r.aip_id, r.store) for r in rows if r.verified_at and r.verified_at >= due_before and r.outcome in GOOD
        }
        found = []
        for aip_id in ids:
            due = tuple(s for s in stores if (aip_id, s) not in good)
            if due:
                found.append((aip_id, due))
        return found

    def ages(self, stores: Sequence[str], overdue_before: datetime) -> list[Ouderdom]:
        found = []
        with self._read() as conn:
            kept = conn.execute(select(func.count()).select_from(aips).where(aips.c.status.in_(KEPT))).scalar_one()
            for store in stores:
                joined = C.join(aips, aips.c.id == C.c.aip_id)
                row = conn.execute(
                    select(
                        func.count(),
                        func.min(C.c.verified_at),
                        func.count().filter(C.c.verified_at >= overdue_before),
                    )
                    .select_from(joined)
                    .where(C.c.store == store, aips.c.status.in_(KEPT))
                ).one()
                copies, oldest, fresh = row
                found.append(Ouderdom(store, copies, kept, oldest, kept - fresh))
        return found

    def tallies(self, start: datetime, end: datetime) -> list[Telling]:
        query = (
            select(K.c.store, K.c.outcome, func.count(), func.sum(K.c.objects), func.sum(K.c.bytes))
            .where(K.c.checked_at >= start, K.c.checked_at < end)
            .group_by(K.c.store, K.c.outcome)
            .order_by(K.c.store, K.c.outcome)
        )
        with self._read() as conn:
            return [
                Telling(s, Uitkomst(o), n, int(objs or 0), int(size or 0))
                for s, o, n, objs, size in conn.execute(query)
            ]

    def daily(self, start: datetime, end: datetime) -> list[tuple[date, Uitkomst, int]]:
        # SQLite keeps the UTC wall time; PostgreSQL converts from timestamptz
        day = func.date(func.timezone("UTC", K.c.checked_at)) if self._postgres else func.date(K.c.checked_at)
        query = (
            select(day.label("day"), K.c.outcome, func.count())
            .where(K.c.checked_at >= start, K.c.checked_at < end)
            .group_by(day, K.c.outcome)
            .order_by(day, K.c.outcome)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [(d if isinstance(d, date) else date.fromisoformat(str(d)), Uitkomst(o), n) for d, o, n in rows]

    def problems(self, start: datetime, end: datetime) -> Iterator[Controle]:
        query = (
            select(K)
            .where(K.c.checked_at >= start, K.c.checked_at < end, K.c.outcome != str(Uitkomst.GOED))
            .order_by(K.c.checked_at, K.c.aip_id, K.c.store)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        for r in rows:
            yield Controle(
                r.run_id, r.aip_id, r.store, r.checked_at, r.objects, r.bytes, Uitkomst(r.outcome), tuple(r.problems)
            )


def _run(row: Any) -> Run:
    return Run(
        id=row.id,
        scope=row.scope,
        started_at=row.started_at,
        software=row.software,
        agent=row.agent,
        status=RunStatus(row.status),
        finished_at=row.finished_at,
        summary=dict(row.summary or {}),
    )


def _run_not_found(run_id: UUID) -> NotFound:
    return NotFound(f"no audit run {run_id}", hint="see the runs in `edepot audit report`", run_id=str(run_id))
