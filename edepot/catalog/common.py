"""Rules both catalog implementations share, so the SQL catalog and the in-memory fake behave
alike: argument checks, the errors they raise and the orders they return things in. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from edepot.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from edepot.model import Aip, AipStatus, EventDraft, FileEntry, RecordEntry

if TYPE_CHECKING:
    from edepot.auth.tokens import ApiToken

EVENT_PAGE = 1000  # events are read in pages of this many, each page in its own short transaction


def utc(value: datetime, what: str) -> datetime:
    """`value` in UTC; a naive datetime is refused (the catalog cannot guess its zone)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{what} {value.isoformat()} has no time zone",
            hint="pass a timezone-aware datetime, e.g. datetime.now(UTC)",
            field=what,
        )
    return value.astimezone(UTC)


def utc_draft(draft: EventDraft) -> EventDraft:
    """The draft with its time in UTC, so the hash covers exactly what the catalog stores."""
    return EventDraft(
        draft.type, draft.agent, draft.outcome, utc(draft.time, "event time"), draft.object_id, draft.detail
    )


def check_page(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise InvalidInput(
            f"limit {limit} and offset {offset} must not be negative", hint="use limit >= 0 and offset >= 0"
        )


def check_new_aip(aip: Aip) -> Aip:
    """A copy of `aip` ready to insert (UTC datetimes) or InvalidInput/InvalidTransition.

    Duplicates are left to `conflicts` (in SQL the database finds them, inside the transaction).
    """
    if aip.status is not AipStatus.AANGEMAAKT:
        raise InvalidTransition(
            f"AIP {aip.id} is new and must start as {AipStatus.AANGEMAAKT}, not {aip.status}",
            hint="insert it as aangemaakt, then change its status with set_aip_status",
            current="none",
            requested=str(aip.status),
        )
    strangers = [f"record {r.id}" for r in aip.records if r.aip_id != aip.id]
    strangers += [f"file {f.path}" for f in aip.files if f.aip_id != aip.id]
    if strangers:
        raise InvalidInput(
            f"AIP {aip.id}: {', '.join(strangers[:5])} belong to another AIP",
            hint="set aip_id of every record and file to the id of the AIP that contains them",
            aip_id=str(aip.id),
        )
    stored_at = utc(aip.stored_at, "stored_at") if aip.stored_at is not None else None
    return Aip(
        id=aip.id,
        source=aip.source,
        source_key=aip.source_key,
        content_hash=aip.content_hash,
        version=aip.version,
        status=aip.status,
        created_at=utc(aip.created_at, "created_at"),
        title=aip.title,
        submission_id=aip.submission_id,
        previous_id=aip.previous_id,
        stored_at=stored_at,
        records=sorted(aip.records, key=record_order),
        files=sorted(aip.files, key=file_order),
    )


def conflicts(aip: Aip, *, id_taken: bool, version_taken: bool, record_ids_taken: Iterable[UUID]) -> Conflict | None:
    """The Conflict that inserting `aip` runs into, given what the catalog already holds."""
    reasons: list[str] = []
    if id_taken:
        reasons.append(f"an AIP with id {aip.id} exists")
    if version_taken:
        reasons.append(f"version {aip.version} of {aip.source} {aip.source_key!r} exists")
    taken = sorted(set(record_ids_taken))
    if taken:
        reasons.append(f"record ids exist already: {', '.join(map(str, taken[:5]))}")
    seen_records: set[UUID] = set()
    seen_paths: set[str] = set()
    for record in aip.records:
        if record.id in seen_records:
            reasons.append(f"record id {record.id} occurs twice")
        seen_records.add(record.id)
    for entry in aip.files:
        if entry.path in seen_paths:
            reasons.append(f"ledger path {entry.path!r} occurs twice")
        seen_paths.add(entry.path)
    if not reasons:
        return None
    return Conflict(
        f"AIP {aip.id} was not stored: {'; '.join(reasons)}",
        hint="nothing of this AIP was written; re-ingest to get a new version, or fix the package",
        aip_id=str(aip.id),
    )


def aip_not_found(aip_id: UUID) -> NotFound:
    return NotFound(
        f"AIP {aip_id} is not in the catalog",
        hint="check the id (`edepot aip show`), or run `edepot rebuild-catalog` if the catalog was lost",
        aip_id=str(aip_id),
    )


def record_not_found(record_id: UUID) -> NotFound:
    return NotFound(
        f"record {record_id} is not in the catalog",
        hint="check the id; records appear once their AIP is inserted",
        record_id=str(record_id),
    )


def submission_not_found(submission_id: UUID) -> NotFound:
    return NotFound(
        f"submission {submission_id} is not in the catalog",
        hint="check the id; a submission exists once add_submission has been called",
        submission_id=str(submission_id),
    )


def submission_exists(submission_id: UUID) -> Conflict:
    return Conflict(
        f"submission {submission_id} is in the catalog already",
        hint="use update_submission to change it",
        submission_id=str(submission_id),
    )


# Orders (the SQL catalog sorts the same way, comparing text bytewise).


def record_order(record: RecordEntry) -> tuple[str, UUID]:
    return (record.sidecar_path, record.id)


def file_order(entry: FileEntry) -> str:
    return entry.path


def newest_first(aip: Aip) -> tuple[datetime, UUID]:
    """Sort key to use with reverse=True: created_at, then id, both descending."""
    return (aip.created_at, aip.id)


# API tokens


def token_not_found(token_id: UUID) -> NotFound:
    return NotFound(
        f"API token {token_id} is not in the catalog",
        hint="list the tokens with `edepot token list`",
        token_id=str(token_id),
    )


def token_exists(token_id: UUID) -> Conflict:
    return Conflict(f"API token {token_id} is in the catalog already", token_id=str(token_id))


def stored_token(token: ApiToken) -> ApiToken:
    """`token` as the catalog stores it: datetimes in UTC (naive ones refused)."""

    def optional(value: datetime | None, what: str) -> datetime | None:
        return None if value is None else utc(value, what)

    return replace(
        token,
        created_at=utc(token.created_at, "created_at"),
        expires_at=optional(token.expires_at, "expires_at"),
        revoked_at=optional(token.revoked_at, "revoked_at"),
        last_used_at=optional(token.last_used_at, "last_used_at"),
    )


def token_order(token: ApiToken) -> tuple[datetime, UUID]:
    return (token.created_at, token.id)
