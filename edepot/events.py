"""The event log's hash chain, as pure functions.

Each event's hash is SHA-256 over the previous hash and a canonical JSON of its own content, so
an edited, inserted or deleted row breaks the chain. The catalog stores the chain and a head
(last sequence number and hash) so that a removed tail is detected as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from edepot.errors import Finding
from edepot.model import EventDraft, EventOutcome, EventRecord

GENESIS = "0" * 64

# Event types: MDTO EventTypeLijst labels where one fits, PREMIS event types otherwise.
OPNAME = "Opname"  # MDTO: taken into the e-depot
DIGITALISERING = "Digitalisering"  # MDTO
VERNIETIGEN = "Vernietigen"  # MDTO
OVERBRENGING = "Overbrenging"  # MDTO
WIJZIGING = "Wijziging"  # MDTO
VALIDATIE = "validation"  # PREMIS
FORMAAT_IDENTIFICATIE = "format identification"  # PREMIS
FIXITEIT = "fixity check"  # PREMIS
OPSLAG = "replication"  # PREMIS: bytes placed on a storage copy
ONTVANGST = "ingestion start"  # PREMIS
ACCEPTATIE = "ingestion end"  # PREMIS
CATALOGUS_HERBOUW = "metadata modification"  # PREMIS


def _canonical_time(time: datetime) -> str:
    return time.isoformat(timespec="microseconds")


def content_of(seq: int, draft: EventDraft | EventRecord) -> dict[str, Any]:
    return {
        "seq": seq,
        "type": draft.type,
        "agent": draft.agent,
        "outcome": str(draft.outcome),
        "time": _canonical_time(draft.time),
        "object_id": draft.object_id,
        "detail": draft.detail,
    }


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def chain(prev: tuple[int, str] | None, draft: EventDraft) -> EventRecord:
    """The record that follows `prev` (last seq and hash; None for the first event)."""
    last_seq, prev_hash = prev if prev is not None else (0, GENESIS)
    seq = last_seq + 1
    # detail must survive a JSON round trip unchanged, or verification would fail later
    detail = json.loads(json.dumps(draft.detail, default=str))
    normalised = EventDraft(draft.type, draft.agent, EventOutcome(draft.outcome), draft.time, draft.object_id, detail)
    return EventRecord(
        seq=seq,
        type=normalised.type,
        agent=normalised.agent,
        outcome=normalised.outcome,
        time=normalised.time,
        object_id=normalised.object_id,
        detail=detail,
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, content_of(seq, normalised)),
    )


def verify(records: Iterable[EventRecord], head: tuple[int, str] | None) -> list[Finding]:
    """Every break in the chain, as findings; an empty list means the log is intact."""
    findings: list[Finding] = []
    expected_prev, expected_seq = GENESIS, 1
    last: tuple[int, str] | None = None
    for record in records:
        where = f"event {record.seq}"
        if record.seq != expected_seq:
            findings.append(
                Finding(
                    rule="events.sequence",
                    message=f"expected event {expected_seq} but found {record.seq}: rows were deleted or inserted",
                    action="restore the event table from backup and investigate who changed it",
                    object=where,
                )
            )
        if record.prev_hash != expected_prev:
            findings.append(
                Finding(
                    rule="events.link",
                    message=f"{where} does not link to the hash of the event before it",
                    action="restore the event table from backup and investigate who changed it",
                    object=where,
                )
            )
        if event_hash(record.prev_hash, content_of(record.seq, record)) != record.hash:
            findings.append(
                Finding(
                    rule="events.content",
                    message=f"{where} was altered after it was written (its hash no longer matches)",
                    action="restore the event table from backup and investigate who changed it",
                    object=where,
                )
            )
        expected_prev, expected_seq = record.hash, record.seq + 1
        last = (record.seq, record.hash)
    if head != last:
        findings.append(
            Finding(
                rule="events.head",
                message=f"the chain ends at {last} but the recorded head is {head}: events were removed at the end",
                action="restore the event table from backup and investigate who changed it",
                object="event log",
            )
        )
    return findings
