"""The SQL catalog (SQLite for the embedded default, PostgreSQL for production) on SQLAlchemy 2 Core.

Writes run in one transaction each. On SQLite a writing transaction starts with BEGIN IMMEDIATE,
so it holds the write lock from its first statement; on PostgreSQL the event head row is locked
with SELECT ... FOR UPDATE. Either way two processes appending events never fork the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from edepot.auth.policy import Role
from edepot.auth.tokens import ApiToken
from edepot.catalog import common
from edepot.catalog.tables import HEAD_ID, aips, api_tokens, event_head, events, files, records, submissions
from edepot.errors import ConfigurationError, Conflict, IntegrityBroken
from edepot.events import chain
from edepot.model import (
    SUBMISSION_TRANSITIONS,
    Aip,
    AipStatus,
    EventDraft,
    EventOutcome,
    EventRecord,
    FileEntry,
    FileKind,
    RecordEntry,
    Submission,
    SubmissionStatus,
    advance,
)

_WRITE = "edepot_write"  # execution option: this transaction writes (BEGIN IMMEDIATE on SQLite)
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "PRAGMA synchronous=NORMAL",
    ):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def create_engine_for(url: str) -> Engine:
    """An engine for the catalog at `url` (sqlite:///... or postgresql+psycopg://...).

    SQLite gets WAL journaling, foreign keys, a busy timeout and synchronous=NORMAL on every
    connection; PostgreSQL gets the pool of `EDEPOT_DB_POOL_*` (edepot.worker_settings), checked
    before use (pool_pre_ping) unless switched off.
    """
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        from edepot.worker_settings import pool_options  # EDEPOT_DB_POOL_* (size, overflow, pre-ping)

        return create_engine(url, **pool_options())
    raise ConfigurationError(
        f"catalog database {make_url(url).render_as_string(hide_password=True)} is not supported",
        hint="use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB in EDEPOT_DATABASE_URL",
        setting="EDEPOT_DATABASE_URL",
    )


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code; the migrations ship inside this package."""
    config = Config()
    config.set_main_option("script_location", "edepot.catalog:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Bring the catalog schema at `engine` to the newest revision (idempotent)."""
    with engine.execution_options(**{_WRITE: True}).begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def _is_sqlite_ready(engine: Engine) -> bool:
    return engine.dialect.name != "sqlite" or event.contains(engine, "begin", _sqlite_begin)


class SqlTransactions:
    """The base of every SQL adapter: transactions on an engine made by `create_engine_for`.

    `_write()` takes the database's write lock (BEGIN IMMEDIATE on SQLite), `_read()` does not.
    """

    def __init__(self, engine: Engine) -> None:
        if not _is_sqlite_ready(engine):
            raise ConfigurationError(
                "the SQLite engine was not made by edepot.catalog.create_engine_for",
                hint="build it with create_engine_for(url) so writes take the lock with BEGIN IMMEDIATE",
            )
        self._engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})
        self._postgres = engine.dialect.name == "postgresql"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            yield conn


class SqlCatalog(SqlTransactions):
    """The Catalog port on a SQL database whose schema `migrate()` has brought up to date."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._bytewise = self._postgres  # SQLite compares text bytewise already

    # ordering

    def _text_order(self, column: ColumnElement[str]) -> ColumnElement[str]:
        """Sort text by code point (as Python does), whatever the database's collation is."""
        return column.collate("C") if self._bytewise else column

    # submissions

    def add_submission(self, submission: Submission) -> None:
        values = _submission_values(submission)
        try:
            with self._write() as conn:
                conn.execute(insert(submissions).values(id=submission.id, **values))
        except IntegrityError as exc:
            raise common.submission_exists(submission.id) from exc

    def update_submission(self, submission: Submission) -> None:
        values = _submission_values(submission)
        with self._write() as conn:
            current = conn.execute(
                select(submissions.c.status).where(submissions.c.id == submission.id).with_for_update()
            ).scalar_one_or_none()
            if current is None:
                raise common.submission_not_found(submission.id)
            if current != submission.status:
                advance(SUBMISSION_TRANSITIONS, SubmissionStatus(current), submission.status)
            conn.execute(update(submissions).where(submissions.c.id == submission.id).values(**values))

    def get_submission(self, submission_id: UUID) -> Submission:
        with self._read() as conn:
            row = conn.execute(select(submissions).where(submissions.c.id == submission_id)).one_or_none()
        if row is None:
            raise common.submission_not_found(submission_id)
        return _submission(row)

    def latest_submission(self, source: str, status: SubmissionStatus) -> Submission | None:
        query = (
            select(submissions)
            .where(submissions.c.source == source, submissions.c.status == str(status))
            .order_by(submissions.c.received_at.desc(), submissions.c.id.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else _submission(row)


    # AIPs, records and the ledger

    def begin_aip(self, aip: Aip) -> None:
        new = common.check_new_aip(aip)
        try:
            with self._write() as conn:
                conn.execute(insert(aips).values(_aip_values(new)))
                if new.records:
                    conn.execute(insert(records), [_record_values(r) for r in new.records])
                if new.files:
                    conn.execute(insert(files), [_file_values(f) for f in new.files])
        except IntegrityError as exc:
            raise self._conflict(new) from exc

    def _conflict(self, aip: Aip) -> Conflict:
        with self._read() as conn:
            id_taken = conn.execute(select(aips.c.id).where(aips.c.id == aip.id)).first() is not None
            version_taken = (
                conn.execute(
                    select(aips.c.id).where(
                        aips.c.source == aip.source,
                        aips.c.source_key == aip.source_key,
                        aips.c.version == aip.version,
                    )
                ).first()
                is not None
            )
            ids = [r.id for r in aip.records]
            taken: list[UUID] = []
            for start in range(0, len(ids), 500):  # stay below the databases' parameter limits
                chunk = ids[start : start + 500]
                taken += conn.execute(select(records.c.id).where(records.c.id.in_(chunk))).scalars()
        found = common.conflicts(aip, id_taken=id_taken, version_taken=version_taken, record_ids_taken=taken)
        if found is not None:
            return found
        return Conflict(  # another writer inserted and removed the same identity meanwhile
            f"AIP {aip.id} was not stored: it collided with a concurrent change to the catalog",
            hint="nothing of this AIP was written; retry the ingest",
            aip_id=str(aip.id),
        )

    def set_aip_status(self, aip_id: UUID, status: AipStatus, at: datetime) -> None:
        at = common.utc(at, "status time")
        with self._write() as conn:
            row = conn.execute(select(aips).where(aips.c.id == aip_id).with_for_update()).one_or_none()
            if row is None:
                raise common.aip_not_found(aip_id)
            changed = _aip(row).with_status(status, at)
            conn.execute(
                update(aips).where(aips.c.id == aip_id).values(status=str(changed.status), stored_at=changed.stored_at)
            )

    def get_aip(self, aip_id: UUID) -> Aip:
        with self._read() as conn:
            row = conn.execute(select(aips).where(aips.c.id == aip_id)).one_or_none()
            if row is None:
                raise common.aip_not_found(aip_id)
            aip = _aip(row)
            aip.records = [
                _record(r)
                for r in conn.execute(
                    select(records)
                    .where(records.c.aip_id == aip_id)
                    .order_by(self._text_order(records.c.sidecar_path), records.c.id)
                )
            ]
            aip.files = self._ledger(conn, aip_id)
        return aip

    def _ledger(self, conn: Connection, aip_id: UUID) -> list[FileEntry]:
        query = select(files).where(files.c.aip_id == aip_id).order_by(self._text_order(files.c.path))
        return [_file(r) for r in conn.execute(query)]

    def list_aips(
        self,
        *,
        status: AipStatus | None = None,
        source_key: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Aip]:
        common.check_page(limit, offset)
        query = select(aips).order_by(aips.c.created_at.desc(), aips.c.id.desc()).limit(limit).offset(offset)
        if status is not None:
            query = query.where(aips.c.status == str(status))
        if source_key is not None:
            query = query.where(aips.c.source_key == source_key)
        with self._read() as conn:
            return [_aip(r) for r in conn.execute(query)]

    def latest_aip(self, source: str, source_key: str) -> Aip | None:
        query = (
            select(aips)
            .where(aips.c.source == source, aips.c.source_key == source_key)
            .order_by(aips.c.version.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else _aip(row)

    def get_record(self, record_id: UUID) -> RecordEntry:
        with self._read() as conn:
            row = conn.execute(select(records).where(records.c.id == record_id)).one_or_none()
        if row is None:
            raise common.record_not_found(record_id)
        return _record(row)

    def list_records(self, *, aip_id: UUID | None = None, limit: int = 100, offset: int = 0) -> list[RecordEntry]:
        common.check_page(limit, offset)
        query = (
            select(records)
            .join(aips, records.c.aip_id == aips.c.id)
            .where(aips.c.status == str(AipStatus.OPGESLAGEN))
            .order_by(aips.c.created_at, aips.c.id, self._text_order(records.c.sidecar_path), records.c.id)
            .limit(limit)
            .offset(offset)
        )
        if aip_id is not None:
            query = query.where(records.c.aip_id == aip_id)
        with self._read() as conn:
            return [_record(r) for r in conn.execute(query)]

    def restricted_aips(self, aip_ids: Iterable[UUID]) -> frozenset[UUID]:
        wanted = list(dict.fromkeys(aip_ids))
        found: set[UUID] = set()
        with self._read() as conn:
            for start in range(0, len(wanted), 500):  # stay far below any bound-parameter limit
                query = (
                    select(records.c.aip_id)
                    .where(records.c.aip_id.in_(wanted[start : start + 500]), records.c.beperking_code.is_not(None))
                    .distinct()
                )
                found.update(conn.execute(query).scalars())
        return frozenset(found)

    def ledger(self, aip_id: UUID) -> list[FileEntry]:
        with self._read() as conn:
            if conn.execute(select(aips.c.id).where(aips.c.id == aip_id)).first() is None:
                raise common.aip_not_found(aip_id)
            return self._ledger(conn, aip_id)

    def clear_holdings(self) -> None:
        with self._write() as conn:
            for table in (files, records, aips):
                conn.execute(delete(table))

    # the event log

    def append_event(self, draft: EventDraft) -> EventRecord:
        draft = common.utc_draft(draft)
        with self._write() as conn:
            head = conn.execute(
                select(event_head.c.seq, event_head.c.hash).where(event_head.c.id == HEAD_ID).with_for_update()
            ).one_or_none()
            if head is None:
                raise IntegrityBroken(
                    "the event log has no head row, so no event can be chained",
                    hint="restore the catalog from backup, then run `edepot events verify`",
                )
            record = chain(None if head.seq == 0 else (head.seq, head.hash), draft)
            conn.execute(
                insert(events).values(
                    seq=record.seq,
                    type=record.type,
                    agent=record.agent,
                    outcome=str(record.outcome),
                    time=record.time,
                    object_id=record.object_id,
                    detail=record.detail,
                    prev_hash=record.prev_hash,
                    hash=record.hash,
                )
            )
            conn.execute(update(event_head).where(event_head.c.id == HEAD_ID).values(seq=record.seq, hash=record.hash))
        return record

    def events(self, *, object_id: str | None = None) -> Iterator[EventRecord]:
        after: int | None = None
        while True:
            query = select(events).order_by(events.c.seq).limit(common.EVENT_PAGE)
            if after is not None:
                query = query.where(events.c.seq > after)
            if object_id is not None:
                query = query.where(events.c.object_id == object_id)
            with self._read() as conn:
                page = [_event(r) for r in conn.execute(query)]
            yield from page
            if len(page) < common.EVENT_PAGE:
                return
            after = page[-1].seq

    def event_head(self) -> tuple[int, str] | None:
        with self._read() as conn:
            head = conn.execute(
                select(event_head.c.seq, event_head.c.hash).where(event_head.c.id == HEAD_ID)
            ).one_or_none()
        if head is None or head.seq == 0:
            return None
        return (head.seq, head.hash)

    # API tokens

    def add_api_token(self, token: ApiToken) -> None:
        stored = common.stored_token(token)
        try:
            with self._write() as conn:
                conn.execute(insert(api_tokens).values(_token_values(stored)))
        except IntegrityError as exc:
            raise common.token_exists(token.id) from exc

    def get_api_token(self, token_id: UUID) -> ApiToken:
        with self._read() as conn:
            row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).one_or_none()
        if row is None:
            raise common.token_not_found(token_id)
        return _token(row)

    def list_api_tokens(self) -> list[ApiToken]:
        with self._read() as conn:
            rows = conn.execute(select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.id)).all()
        return [_token(r) for r in rows]

    def revoke_api_token(self, token_id: UUID, at: datetime) -> ApiToken:
        at = common.utc(at, "revocation time")
        with self._write() as conn:
            found = conn.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=at)
            ).rowcount
            if not found and conn.execute(select(api_tokens.c.id).where(api_tokens.c.id == token_id)).first() is None:
                raise common.token_not_found(token_id)
        return self.get_api_token(token_id)

    def touch_api_token(self, token_id: UUID, at: datetime) -> None:
        at = common.utc(at, "last use")
        with self._write() as conn:
            conn.execute(
                update(api_tokens)
                .where(
                    api_tokens.c.id == token_id,
                    (api_tokens.c.last_used_at.is_(None)) | (api_tokens.c.last_used_at < at),
                )
                .values(last_used_at=at)
            )
            if conn.execute(select(api_tokens.c.id).where(api_tokens.c.id == token_id)).first() is None:
                raise common.token_not_found(token_id)


# rows <-> model


def _token_values(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "roles": [str(r) for r in token.roles],
        "secret_hash": token.secret_hash,
        "created_at": token.created_at,
        "created_by": token.created_by,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
    }


def _token(row: Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        roles=tuple(Role(r) for r in row.roles),
        secret_hash=row.secret_hash,
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _submission(row: Row[Any]) -> Submission:
    return Submission(
        id=row.id,
        source=row.source,
        location=row.location,
        received_at=row.received_at,
        status=SubmissionStatus(row.status),
        report=row.report,
    )


def _submission_values(submission: Submission) -> dict[str, Any]:
    return {
        "source": submission.source,
        "location": submission.location,
        "received_at": common.utc(submission.received_at, "received_at"),
        "status": str(submission.status),
        "report": json.loads(json.dumps(submission.report, default=str)),
    }


def _aip_values(aip: Aip) -> dict[str, Any]:
    return {
        "id": aip.id,
        "source": aip.source,
        "source_key": aip.source_key,
        "content_hash": aip.content_hash,
        "version": aip.version,
        "status": str(aip.status),
        "created_at": aip.created_at,
        "title": aip.title,
        "submission_id": aip.submission_id,
        "previous_id": aip.previous_id,
        "stored_at": aip.stored_at,
    }


def _aip(row: Row[Any]) -> Aip:
    return Aip(
        id=row.id,
        source=row.source,
        source_key=row.source_key,
        content_hash=row.content_hash,
        version=row.version,
        status=AipStatus(row.status),
        created_at=row.created_at,
        title=row.title,
        submission_id=row.submission_id,
        previous_id=row.previous_id,
        stored_at=row.stored_at,
    )


_RECORD_FIELDS = tuple(c.name for c in records.columns)
_FILE_FIELDS = tuple(c.name for c in files.columns)


def _record_values(record: RecordEntry) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _RECORD_FIELDS}


def _record(row: Row[Any]) -> RecordEntry:
    return RecordEntry(**_mapping(row, _RECORD_FIELDS))


def _file_values(entry: FileEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in _FILE_FIELDS}
    values["kind"] = str(entry.kind)
    return values


def _file(row: Row[Any]) -> FileEntry:
    values = _mapping(row, _FILE_FIELDS)
    values["kind"] = FileKind(values["kind"])
    return FileEntry(**values)


def _mapping(row: Row[Any], names: tuple[str, ...]) -> dict[str, Any]:
    mapping = row._mapping
    return {name: mapping[name] for name in names}


def _event(row: Row[Any]) -> EventRecord:
    try:
        outcome = EventOutcome(row.outcome)
    except ValueError:
        raise IntegrityBroken(
            f"event {row.seq} has outcome {row.outcome!r}, which edepot never writes: the row was altered",
            hint="restore the event table from backup and investigate who changed it",
            seq=row.seq,
        ) from None
    return EventRecord(
        seq=row.seq,
        type=row.type,
        agent=row.agent,
        outcome=outcome,
        time=row.time,
        object_id=row.object_id,
        detail=row.detail,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
