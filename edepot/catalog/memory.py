"""The in-memory catalog: the fake the service layer's unit tests run on.

Behaves like `SqlCatalog` (the same contract tests run on both): the same errors, the same
orders, UTC datetimes, all-or-nothing inserts and a serialised, hash-chained event log. It
hands out copies, so callers cannot change its state behind its back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from edepot.auth.tokens import ApiToken, with_last_used
from edepot.catalog import common
from edepot.events import chain
from edepot.model import (
    SUBMISSION_TRANSITIONS,
    Aip,
    AipStatus,
    EventDraft,
    EventRecord,
    FileEntry,
    RecordEntry,
    Submission,
    SubmissionStatus,
    advance,
)


class InMemoryCatalog:
    """The Catalog port in dictionaries, guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._submissions: dict[UUID, Submission] = {}
        self._aips: dict[UUID, Aip] = {}  # without records and files
        self._records: dict[UUID, RecordEntry] = {}
        self._files: dict[UUID, list[FileEntry]] = {}
        self._events: list[EventRecord] = []
        self._tokens: dict[UUID, ApiToken] = {}

    # submissions

    def add_submission(self, submission: Submission) -> None:
        stored = _stored_submission(submission)
        with self._lock:
            if submission.id in self._submissions:
                raise common.submission_exists(submission.id)
            self._submissions[submission.id] = stored

    def update_submission(self, submission: Submission) -> None:
        stored = _stored_submission(submission)
        with self._lock:
            current = self._submissions.get(submission.id)
            if current is None:
                raise common.submission_not_found(submission.id)
            if current.status != submission.status:
                advance(SUBMISSION_TRANSITIONS, current.status, submission.status)
            self._submissions[submission.id] = stored

    def get_submission(self, submission_id: UUID) -> Submission:
        with self._lock:
            stored = self._submissions.get(submission_id)
            if stored is None:
                raise common.submission_not_found(submission_id)
            return _stored_submission(stored)

    def latest_submission(self, source: str, status: SubmissionStatus) -> Submission | None:
        with self._lock:
            found = [s for s in self._submissions.values() if s.source == source and s.status is status]
            if not found:
                return None
            return _stored_submission(max(found, key=lambda s: (s.received_at, s.id.int)))

    # AIPs, records and the ledger

    def begin_aip(self, aip: Aip) -> None:
        new = common.check_new_aip(aip)
        with self._lock:
            conflict = common.conflicts(
                new,
                id_taken=new.id in self._aips,
                version_taken=any(
                    (a.source, a.source_key, a.version) == (new.source, new.source_key, new.version)
                    for a in self._aips.values()
                ),
                record_ids_taken=[r.id for r in new.records if r.id in self._records],
            )
            if conflict is not None:
                raise conflict
            self._aips[new.id] = replace(new, records=[], files=[])
            self._records.update((r.id, r) for r in new.records)
            self._files[new.id] = list(new.files)

    def set_aip_status(self, aip_id: UUID, status: AipStatus, at: datetime) -> None:
        at = common.utc(at, "status time")
        with self._lock:
            self._aips[aip_id] = self._summary(aip_id).with_status(status, at)

    def _summary(self, aip_id: UUID) -> Aip:
        aip = self._aips.get(aip_id)
        if aip is None:
            raise common.aip_not_found(aip_id)
        return replace(aip, records=[], files=[])

    def get_aip(self, aip_id: UUID) -> Aip:
        with self._lock:
            aip = self._summary(aip_id)
            aip.records = sorted((r for r in self._records.values() if r.aip_id == aip_id), key=common.record_order)
            aip.files = list(self._files[aip_id])
            return aip

    def list_aips(
        self,
        *,
        status: AipStatus | None = None,
        source_key: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Aip]:
        common.check_page(limit, offset)
        with self._lock:
            found = [
                replace(a, records=[], files=[])
                for a in self._aips.values()
                if (status is None or a.status == status) and (source_key is None or a.source_key == source_key)
            ]
        found.sort(key=common.newest_first, reverse=True)
        return found[offset : offset + limit]

    def latest_aip(self, source: str, source_key: str) -> Aip | None:
        with self._lock:
            versions = [a for a in self._aips.values() if (a.source, a.source_key) == (source, source_key)]
        return replace(max(versions, key=lambda a: a.version), records=[], files=[]) if versions else None

    def get_record(self, record_id: UUID) -> RecordEntry:
        with self._lock:
            record = self._records.get(record_id)
        if record is None:
            raise common.record_not_found(record_id)
        return record

    def restricted_aips(self, aip_ids: Iterable[UUID]) -> frozenset[UUID]:
        wanted = set(aip_ids)
        with self._lock:
            return frozenset(
                r.aip_id for r in self._records.values() if r.aip_id in wanted and r.beperking_code is not None
            )

    def list_records(self, *, aip_id: UUID | None = None, limit: int = 100, offset: int = 0) -> list[RecordEntry]:
        common.check_page(limit, offset)
        with self._lock:
            stored = {
                a.id: a
                for a in self._aips.values()
                if a.status is AipStatus.OPGESLAGEN and (aip_id is None or a.id == aip_id)
            }
            found = [r for r in self._records.values() if r.aip_id in stored]

        def order(record: RecordEntry) -> tuple[datetime, UUID, str, UUID]:
            aip = stored[record.aip_id]
            return (aip.created_at, aip.id, *common.record_order(record))

        found.sort(key=order)
        return found[offset : offset + limit]

    def ledger(self, aip_id: UUID) -> list[FileEntry]:
        with self._lock:
            if aip_id not in self._aips:
                raise common.aip_not_found(aip_id)
            return list(self._files[aip_id])

    def clear_holdings(self) -> None:
        with self._lock:
            self._aips.clear()
            self._records.clear()
            self._files.clear()

    # the event log

    def append_event(self, draft: EventDraft) -> EventRecord:
        draft = common.utc_draft(draft)
        with self._lock:
            record = chain(self._head(), draft)
            self._events.append(record)
            return record

    def events(self, *, object_id: str | None = None) -> Iterator[EventRecord]:
        with self._lock:
            snapshot = list(self._events)
        return (e for e in snapshot if object_id is None or e.object_id == object_id)

    def event_head(self) -> tuple[int, str] | None:
        with self._lock:
            return self._head()

    def _head(self) -> tuple[int, str] | None:
        return (self._events[-1].seq, self._events[-1].hash) if self._events else None

    # API tokens

    def add_api_token(self, token: ApiToken) -> None:
        stored = common.stored_token(token)
        with self._lock:
            if token.id in self._tokens:
                raise common.token_exists(token.id)
            self._tokens[token.id] = stored

    def get_api_token(self, token_id: UUID) -> ApiToken:
        with self._lock:
            token = self._tokens.get(token_id)
        if token is None:
            raise common.token_not_found(token_id)
        return token

    def list_api_tokens(self) -> list[ApiToken]:
        with self._lock:
            return sorted(self._tokens.values(), key=common.token_order)

    def revoke_api_token(self, token_id: UUID, at: datetime) -> ApiToken:
        at = common.utc(at, "revocation time")
        with self._lock:
            token = self.get_api_token(token_id)
            if token.revoked_at is None:
                token = replace(token, revoked_at=at)
                self._tokens[token_id] = token
            return token

    def touch_api_token(self, token_id: UUID, at: datetime) -> None:
        at = common.utc(at, "last use")
        with self._lock:
            self._tokens[token_id] = with_last_used(self.get_api_token(token_id), at)


def _stored_submission(submission: Submission) -> Submission:
    """A detached copy as the SQL catalog would store it: UTC time, report through JSON."""
    return replace(
        submission,
        received_at=common.utc(submission.received_at, "received_at"),
        report=json.loads(json.dumps(submission.report, default=str)),
    )
