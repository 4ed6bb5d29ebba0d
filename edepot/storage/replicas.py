"""Replicas: one ObjectStore made of two or more stores (e.g. a filesystem and an S3 bucket, or two
buckets), each holding a full copy of every object.

`Replicas` satisfies `edepot.ports.ObjectStore`, so the use-case layer stores through it unchanged:

- `put` stores the object in EVERY copy, always in the same order (so two concurrent puts of
  different bytes are decided by the first copy and never end up split over the copies); it
  returns only when every copy holds it, and raises the first copy's error otherwise (the caller's
  crash-safe ingest reruns the put, which is idempotent per copy).
- `publish_directory` refuses (False): a one-rename publish moves the staged bag into one copy and
  leaves nothing for the others, so the caller puts object by object.
- `open`/`size` read the first copy that has the key; `keys` lists the union; `sync` syncs all.

What "verified" means is decided by the caller per copy: `copies_of(store)` gives the copies of any
store (a plain store is its own single copy), and `edepot.services.Services.verify_objects`
re-reads every object from every copy before an AIP becomes opgeslagen.

Object Lock and approved destruction fan out as well: `set_retention`/`get_retention`/
`set_legal_hold` reach every copy that supports them (a filesystem copy has no lock; it is
skipped), `destroy_blocked`/`destroy` ask each copy's Destroyer (`edepot.storage.s3_destroyer`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from edepot.errors import ConfigurationError, NotFound
from edepot.ports import ObjectStore

if TYPE_CHECKING:
    from edepot.retention_ports import Vernietigingsopdracht
    from edepot.storage.s3 import Retention


class Replicas:
    """An ObjectStore over `copies` (two or more stores with distinct names); see the module doc."""

    def __init__(self, copies: Sequence[ObjectStore], name: str = "replicas") -> None:
        members = tuple(copies)
        if len(members) < 2:
            raise ConfigurationError(
                f"replicas need at least two stores, got {len(members)}",
                hint="name two or more stores in EDEPOT_REPLICAS (e.g. filesystem,s3), or use one store directly",
            )
        names = [m.name for m in members]
        if len(set(names)) != len(names):
            raise ConfigurationError(
                f"replica stores need distinct names, got {', '.join(names)}",
                hint="the name identifies a copy in the catalog; give every store its own",
            )
        self.name = name
        self.copies = members

    def __repr__(self) -> str:
        return f"Replicas({', '.join(c.name for c in self.copies)})"

    # --- writing ------------------------------------------------------------------------------

    def put(self, key: str, source: Path, sha256: str) -> None:
        """Store in every copy, in order; an error of any copy is raised (rerun: idempotent)."""
        for copy in self.copies:
            copy.put(key, source, sha256)

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        """Never: one rename would serve one copy only (see the module doc)."""
        return False

    def sync(self) -> None:
        for copy in self.copies:
            copy.sync()

    # --- reading ------------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        """The first copy that has the key (it is not verified here: callers hash what they read)."""
        for copy in self.copies[:-1]:
            try:
                return copy.open(key)  # type: ignore[return-value]
            except NotFound:
                continue
        return self.copies[-1].open(key)  # type: ignore[return-value]

    def exists(self, key: str) -> bool:
        return any(copy.exists(key) for copy in self.copies)

    def size(self, key: str) -> int:
        for copy in self.copies[:-1]:
            try:
                return copy.size(key)
            except NotFound:
                continue
        return self.copies[-1].size(key)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key in any copy (an object missing from one copy is still listed), sorted."""
        found: set[str] = set()
        for copy in self.copies:
            found.update(copy.keys(prefix))
        return iter(sorted(found))

    # --- Object Lock, where a copy supports it ------------------------------------------------

    def lockable(self) -> list[Any]:
        """The copies with Object Lock (S3 buckets); a filesystem copy has none."""
        return [c for c in self.copies if hasattr(c, "set_retention") and hasattr(c, "get_retention")]

    def get_retention(self, key: str) -> Retention | None:
        """The weakest retention over the lockable copies (None when one has none), so that a
        caller extending "where shorter" extends every copy that lags behind."""
        weakest: Retention | None = None
        for copy in self.lockable():
            retention = copy.get_retention(key)
            if retention is None:
                return None
            if weakest is None or retention.until < weakest.until:
                weakest = retention
        return weakest

    def set_retention(self, key: str, until: datetime) -> None:
        """Extend the retain-until of `key` in every lockable copy where it is shorter (never shortens)."""
        for copy in self.lockable():
            current = copy.get_retention(key)
            if current is None or current.until < until:
                copy.set_retention(key, until)

    def set_legal_hold(self, key: str, on: bool) -> list[str]:
        """Place or lift the legal hold of `key` in every copy that has one; the copies changed."""
        changed = []
        for copy in self.copies:
            setter = getattr(copy, "set_legal_hold", None)
            if setter is not None:
                setter(key, on)
                changed.append(copy.name)
        return changed

    # --- approved destruction (edepot.retention_ports.Destroyer) ------------------------------

    def destroy_blocked(self, key: str, order: Vernietigingsopdracht) -> str | None:
        """The first copy's reason why `key` cannot be deleted now, naming the copy; None if none."""
        from edepot.storage.s3_destroyer import destroyer_for

        order.check(key, self.name)
        for copy in self.copies:
            reason = destroyer_for(copy).destroy_blocked(key, order)  # type: ignore[attr-defined]
            if reason:
                return f"{copy.name}: {reason}"
        return None

    def destroy(self, key: str, order: Vernietigingsopdracht) -> list[str]:
        """Delete `key` in every copy; the version ids deleted, each prefixed with its copy's name."""
        from edepot.storage.s3_destroyer import destroyer_for

        order.check(key, self.name)
        deleted: list[str] = []
        for copy in self.copies:
            ids = destroyer_for(copy).destroy(key, order)  # type: ignore[attr-defined]
            deleted += [f"{copy.name}:{v}" if v else copy.name for v in ids]
        return deleted


def copies_of(store: ObjectStore) -> tuple[ObjectStore, ...]:
    """The copies a store consists of: the members of Replicas, else the store itself."""
    if isinstance(store, Replicas):
        return store.copies
    return (store,)


def copy_named(store: ObjectStore, name: str) -> ObjectStore:
    """The copy of `store` called `name`; NotFound names the copies there are."""
    for copy in copies_of(store):
        if copy.name == name:
            return copy
    raise NotFound(
        f"no storage copy named {name!r}",
        hint=f"the copies are: {', '.join(c.name for c in copies_of(store))}",
        store=name,
    )
