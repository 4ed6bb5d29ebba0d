"""The event log as CSV for certification: every field, a period, no formulas, and a chain that recomputes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from edepot.audit_export import COLUMNS, write_csv
from edepot.catalog import InMemoryCatalog
from edepot.events import GENESIS, event_hash
from edepot.model import EventDraft, EventOutcome

T0 = datetime(2025, 1, 31, 23, 0, tzinfo=UTC)


def catalog_with_events() -> InMemoryCatalog:
    catalog = InMemoryCatalog()
    for day, (kind, agent, object_id) in enumerate(
        [
            ("authentication", "edepot 0.1.0; oidc:alice", "alice"),
            ("access", '=HYPERLINK("http://evil")', "@SUM(1+1)"),
            ("token issued", "edepot 0.1.0", "b7c1"),
        ]
    ):
        catalog.append_event(
            EventDraft(kind, agent, EventOutcome.GELUKT, T0 + timedelta(days=day), object_id, {"n": day, "é": "ü"})
        )
    return catalog


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted() -> None:
    out = io.StringIO()
    write_csv(catalog_with_events().events(), out)
    second = rows(out.getvalue())[1]
    assert second["agent"].startswith("'=") and second["object_id"] == "'@SUM(1+1)"


def test_a_period_selects_events_from_the_first_moment_up_to_the_last_exclusive() -> None:
    out = io.StringIO()
    count = write_csv(catalog_with_events().events(), out, since=T0 + timedelta(days=1), until=T0 + timedelta(days=2))
    assert count == 1 and [r["seq"] for r in rows(out.getvalue())] == ["2"]


def test_every_column_is_written_and_the_hash_chain_recomputes_from_the_csv_alone() -> None:
    out = io.StringIO()
    assert write_csv(catalog_with_events().events(), out) == 3
    exported = rows(out.getvalue())
    assert tuple(exported[0]) == COLUMNS

    assert exported[0]["prev_hash"] == GENESIS
    assert [r["prev_hash"] for r in exported[1:]] == [r["hash"] for r in exported[:-1]]
    for row in (exported[0], exported[2]):  # row 2's agent was quoted against formulas
        content = {
            "seq": int(row["seq"]),
            "type": row["type"],
            "agent": row["agent"],
            "outcome": row["outcome"],
            "time": row["time"],
            "object_id": row["object_id"] or None,
            "detail": json.loads(row["detail"]),
        }
        assert event_hash(row["prev_hash"], content) == row["hash"]
