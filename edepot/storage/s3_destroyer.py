"""The Destroyer of an S3 bucket with Object Lock: deletes every version of a key for an approved
destruction, and only where no version is still locked (retain-until in the future or a legal hold).

A key with a locked version is reported by `destroy_blocked` with the date, so the retention
service leaves the whole AIP pending with that reason instead of deleting part of it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from edepot.errors import NotFound
from edepot.ports import Clock
from edepot.storage.s3 import S3ObjectStore

if TYPE_CHECKING:
    from edepot.retention_ports import Vernietigingsopdracht


class _Utc:
    def now(self) -> datetime:
        return datetime.now(UTC)


class S3Destroyer:
    def __init__(self, store: S3ObjectStore, *, clock: Clock | None = None) -> None:
        self.store = store
        self.name = store.name
        self._clock: Clock = clock or _Utc()

    def destroy_blocked(self, key: str, order: Vernietigingsopdracht) -> str | None:
        order.check(key, self.name)
        now = self._clock.now()
        for version in self.store.versions(key):
            if version.is_delete_marker:
                continue
            retention = self.store.get_retention(key, version_id=version.version_id)
            if retention is not None and retention.until > now:
                return (
                    f"version {version.version_id} of {key} is locked ({retention.mode}) until "
                    f"{retention.until.isoformat()}"
                )
            if self.store.get_legal_hold(key, version_id=version.version_id):
                return f"version {version.version_id} of {key} has an Object Lock legal hold"
        return None

    def destroy(self, key: str, order: Vernietigingsopdracht) -> list[str]:
        """Every version and delete marker of `key`, for good; [] when nothing is left of it."""
        order.check(key, self.name)
        try:
            return self.store.delete(key)
        except NotFound:
            return []


def destroyer_for(store: object) -> object:
    """The Destroyer of a store: the store itself when it has `destroy`, an S3Destroyer for S3."""
    if hasattr(store, "destroy") and hasattr(store, "destroy_blocked"):
        return store
    if isinstance(store, S3ObjectStore):
        return S3Destroyer(store)
    from edepot.errors import ConfigurationError

    raise ConfigurationError(
        f"store {getattr(store, 'name', store)!r} cannot destroy objects",
        hint="give it `destroy` and `destroy_blocked` (see edepot.retention_ports.Destroyer)",
    )
