"""The event log as CSV for certification audits (ISO 16363, CoreTrustSeal).

One row per event with every field the hash covers plus `prev_hash` and `hash`, so an auditor can
recompute the chain (`detail` is the canonical JSON that `edepot.events.event_hash` hashes). Text
cells that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) get a leading
apostrophe, the usual CSV-injection guard; `detail` always starts with `{` and is never changed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from edepot.model import EventRecord

COLUMNS = ("seq", "time", "type", "outcome", "agent", "object_id", "detail", "prev_hash", "hash")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | None) -> str:
    text = value or ""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def write_csv(
    events: Iterable[EventRecord], out: TextIO, *, since: datetime | None = None, until: datetime | None = None
) -> int:
    """Write the events with `since <= time < until` to `out`; the number written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for event in events:
        if (since is not None and event.time < since) or (until is not None and event.time >= until):
            continue
        writer.writerow(
            [
                event.seq,
                event.time.isoformat(timespec="microseconds"),
                _cell(event.type),
                str(event.outcome),
                _cell(event.agent),
                _cell(event.object_id),
                json.dumps(event.detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str),
                event.prev_hash,
                event.hash,
            ]
        )
        count += 1
    return count
