"""What the SQL and in-memory retention catalogs share: their errors and item counts. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from edepot.errors import Conflict, NotFound
from edepot.retention_workflow import Item


def counts(items: Iterable[Item]) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in items:
        found[str(item.status)] = found.get(str(item.status), 0) + 1
    return found


def list_not_found(lijst_id: UUID) -> NotFound:
    return NotFound(
        f"no retention list {lijst_id}", hint="list them with `edepot retention lists`", lijst_id=str(lijst_id)
    )


def item_not_found(lijst_id: UUID, aip_id: UUID) -> NotFound:
    return NotFound(
        f"AIP {aip_id} is not on list {lijst_id}",
        hint="see the items with `edepot retention show LIST_ID`",
        lijst_id=str(lijst_id),
        aip_id=str(aip_id),
    )


def exclusion_not_found(exclusion_id: UUID) -> NotFound:
    return NotFound(f"no exclusion {exclusion_id}", exclusion_id=str(exclusion_id))


def stale(lijst_id: UUID, expected: int, actual: int) -> Conflict:
    return Conflict(
        f"list {lijst_id} changed meanwhile (revisie {actual}, you saw {expected})",
        hint="look at the list again and repeat your decision",
        lijst_id=str(lijst_id),
        expected=expected,
        actual=actual,
    )
