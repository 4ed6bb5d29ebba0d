"""Legal hold on the stored objects of an AIP: placed and lifted through the service, with an event
each time. While a legal hold is on, an S3 bucket with Object Lock refuses to delete any version
of the objects, whatever their retain-until date.

The hold is set on every object of the AIP (`aips/<id>/`) and of its metadata revisions
(`revisions/<id>/`), in every copy that supports Object Lock (a filesystem copy has no hold of its
own: there the retention service's exclusion of soort 'legal hold' is what stops destruction).
The retention service should call `place_legal_hold` when it places such an exclusion and
`lift_legal_hold` when it lifts the last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from edepot.errors import EdepotError, InvalidInput, StorageError
from edepot.model import EventOutcome
from edepot.storage.replicas import copies_of

LEGAL_HOLD_EVENT = "policy assignment"  # PREMIS, as the retention service's exclusions


@dataclass(frozen=True)
class LegalHoldReceipt:
    aip_id: UUID
    on: bool
    stores: tuple[str, ...]  # copies whose objects now carry (or no longer carry) the hold
    objects: int  # keys changed per store
    skipped: tuple[str, ...]  # copies without Object Lock

    def as_dict(self) -> dict[str, Any]:
        return {
            "aip_id": str(self.aip_id),
            "legal_hold": self.on,
            "stores": list(self.stores),
            "objects": self.objects,
            "skipped": list(self.skipped),
        }


def place_legal_hold(services: Any, aip_id: UUID, reden: str, *, door: str) -> LegalHoldReceipt:
    """Put every object of the AIP under legal hold in every lockable copy; an event names who and why."""
    return _set(services, aip_id, True, reden, door)


def lift_legal_hold(services: Any, aip_id: UUID, reden: str, *, door: str) -> LegalHoldReceipt:
    """Lift the legal hold of every object of the AIP in every lockable copy; an event names who and why."""
    return _set(services, aip_id, False, reden, door)


def _set(services: Any, aip_id: UUID, on: bool, reden: str, door: str) -> LegalHoldReceipt:
    if not reden.strip():
        raise InvalidInput("a legal hold needs a reason", hint="say why (e.g. the court case or Woo-verzoek it is for)")
    services.get_aip(aip_id)  # NotFound for an unknown or unstored AIP
    action = "legal hold geplaatst" if on else "legal hold opgeheven"
    changed, skipped, count = [], [], 0
    for copy in copies_of(services.store):
        setter = getattr(copy, "set_legal_hold", None)
        if setter is None:
            skipped.append(copy.name)
            continue
        keys = [*copy.keys(f"aips/{aip_id}/"), *copy.keys(f"revisions/{aip_id}/")]
        try:
            for key in keys:
                setter(key, on)
        except EdepotError as exc:
            services.record_event(
                LEGAL_HOLD_EVENT,
                EventOutcome.MISLUKT,
                aip_id,
                actie=action,
                store=copy.name,
                door=door,
                reden=reden.strip(),
                error=str(exc),
            )
            raise StorageError(
                f"the legal hold of AIP {aip_id} could not be {'placed' if on else 'lifted'} in {copy.name}: {exc}",
                hint="check the bucket's Object Lock configuration and try again (setting a hold is idempotent)",
                aip_id=str(aip_id),
                store=copy.name,
            ) from exc
        changed.append(copy.name)
        count = max(count, len(keys))
    receipt = LegalHoldReceipt(aip_id, on, tuple(changed), count, tuple(skipped))
    services.record_event(
        LEGAL_HOLD_EVENT,
        EventOutcome.GELUKT,
        aip_id,
        actie=action,
        door=door,
        reden=reden.strip(),
        stores=list(changed),
        skipped=list(skipped),
        objects=count,
    )
    return receipt
