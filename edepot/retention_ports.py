"""The ports of retention: the `RetentionCatalog` (facts, decisions, exclusions, lists, tombstones,
verklaringen) and the narrow `Destroyer` through which an approved destruction, and nothing else,
deletes objects from a write-once store.

Implementations: `edepot.catalog.retention_sql.SqlRetentionCatalog` (the same database as the
catalog), `edepot.catalog.retention_memory.InMemoryRetentionCatalog` (the fake); destroyers are
the filesystem and memory stores themselves (`destroy`, `destroy_blocked`) and
`edepot.storage.s3_destroyer.S3Destroyer` for S3.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from edepot.errors import UnsafeInput
from edepot.retention_workflow import (
    AipRef,
    Besluit,
    Feiten,
    Grafsteen,
    Groep,
    Grofsleutel,
    Item,
    ItemStatus,
    Lijst,
    LijstSoort,
    LijstStatus,
    Uitsluiting,
    Uitstel,
    Verklaring,
)

# decisions whose content depends on the day they are made, so they are made again every night
DAGAFHANKELIJK = frozenset({"retention.aanmaakdatum.toekomst"})


@dataclass(frozen=True)
class Vernietigingsopdracht:
    """The authority to delete the objects of ONE AIP: made by the retention service after its
    rechecks, for an item of an approved vernietigingslijst whose waiting period has passed."""

    lijst_id: UUID
    aip_id: UUID
    goedgekeurd_door: str
    goedgekeurd_op: datetime

    def prefixes(self) -> tuple[str, str]:
        """The AIP's objects and its metadata revisions."""
        return (f"aips/{self.aip_id}/", f"revisions/{self.aip_id}/")

    def dekt(self, key: str) -> bool:
        return key.startswith(self.prefixes())

    def check(self, key: str, store: str) -> None:
        """UnsafeInput unless `key` belongs to the AIP this order is for."""
        if not self.dekt(key):
            raise UnsafeInput(
                f"store {store!r} refused to delete {key!r}: the destruction order of list {self.lijst_id} "
                f"covers only the objects of AIP {self.aip_id}",
                hint="objects are deleted only by an approved destruction of their own AIP",
                key=key,
                aip_id=str(self.aip_id),
            )


class Destroyer(Protocol):
    """Deletes objects of a write-once store, for an approved destruction only."""

    name: str

    def destroy_blocked(self, key: str, order: Vernietigingsopdracht) -> str | None:
        """Why `key` cannot be deleted now (e.g. an Object Lock until a date), or None."""
        ...

    def destroy(self, key: str, order: Vernietigingsopdracht) -> list[str]:
        """Delete every copy and version of `key`; the version ids deleted ("" when unversioned).
        A key that is already gone gives []. UnsafeInput for a key outside the order."""
        ...


class RetentionCatalog(Protocol):
    """Retention state in the catalog. Every method is one transaction; lists and items change
    status only through the transition tables of `edepot.retention_workflow`."""

    # facts ------------------------------------------------------------------------------------

    def aips_without_facts(self, limit: int) -> list[AipRef]:
        """Stored AIPs (status opgeslagen) that have no facts yet, by id."""
        ...

    def put_facts(self, rows: Sequence[Feiten]) -> None:
        """Insert or replace the facts of these AIPs."""
        ...

    def get_facts(self, aip_id: UUID) -> Feiten:
        """NotFound if the AIP has no facts."""
        ...

    def facts_with_other_mapping(self, mapping_hash: str, after: UUID | None, limit: int) -> list[Feiten]:
        """Facts mapped with another mapping than `mapping_hash`, by aip id, after `after`."""
        ...

    # decisions --------------------------------------------------------------------------------

    def facts_needing_decision(
        self, regels_hash: str, after: UUID | None, limit: int
    ) -> list[tuple[Feiten, Besluit | None, Uitstel | None]]:
        """Facts without a decision, or whose decision used other facts, other rules or depends on
        the day (DAGAFHANKELIJK); with the current decision and postponement; by aip id."""
        ...

    def save_decisions(self, rows: Sequence[Besluit]) -> None:
        """Insert or replace these decisions."""
        ...

    def decision_groups(
        self,
        regels_hash: str,
        grenzen: Sequence[date],
        today: date,
        gebruik: Mapping[Grofsleutel, tuple[str, str]] | None = None,
    ) -> list[Groep]:
        """The facts needing a decision (as `facts_needing_decision`) that can be decided per group of
        equal engine inputs (see `Groep`; `grenzen` sorted), grouped; in no particular order.

        Without `gebruik`: by the coarse key only (`Groep.grof`, date keys ""). With it: also by the
        `datumsleutel` of the einddatum and the ander_datumkenmerk, each taken as `gebruik` says for
        the coarse key (the `Datumgebruik` values of both; "datum" for a key not in it). `einddatum`
        and `ander_datumkenmerk` of a group are its earliest."""
        ...

    def save_group_decisions(
        self,
        regels_hash: str,
        grenzen: Sequence[date],
        today: date,
        besluiten: Sequence[tuple[Groep, Besluit]],
        *,
        gebruik: Mapping[Grofsleutel, tuple[str, str]],
        besloten_op: datetime,
    ) -> tuple[int, int]:
        """Give every AIP that still needs a decision and falls in one of these groups (by its CURRENT
        facts, keyed with `gebruik` as in `decision_groups`) the group's decision: its content from the
        Besluit (whose aip_id, record_id, feiten_revisie, revisie and geschreven are ignored) except
        where `brondatum_veld(gebruik)` names a date: then the AIP's own date is its brondatum and
        replaces the Besluit's brondatum (which must occur once) in the reason; its own aip, record and facts revisie,
        `regels_hash`; `revisie` 1 when new, kept with the old `besloten_op` when the content is
        unchanged, else one more. All or nothing. (decided, changed)."""
        ...

    def get_decision(self, aip_id: UUID) -> Besluit:
        """NotFound if the AIP has no decision."""
        ...

    def decisions(
        self, *, waardering: str | None = None, code: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Besluit]:
        """Decisions by aip id."""
        ...

    def decision_counts(self) -> dict[str, int]:
        """Number of decisions per waardering."""
        ...

    def invalidate_decision(self, aip_id: UUID) -> None:
        """Make the next nightly run decide this AIP again (after a postponement or a new hold)."""
        ...

    def unwritten_decisions(self, after: UUID | None, limit: int) -> list[Besluit]:
        """B and V decisions whose revisie is not yet written to storage, by aip id."""
        ...

    def mark_written(self, aip_id: UUID, revisie: int) -> None:
        """Record that metadata revision `revisie` is in storage (never moves backwards)."""
        ...

    def mark_all_written(self, rows: Sequence[tuple[UUID, int]]) -> None:
        """`mark_written` for each (aip id, revisie), in one transaction; unknown AIPs are skipped."""
        ...

    # exclusions and postponements -------------------------------------------------------------

    def add_exclusion(self, exclusion: Uitsluiting) -> None: ...

    def lift_exclusion(self, exclusion_id: UUID, *, door: str, op: datetime, reden: str) -> Uitsluiting:
        """Lift it (idempotent: a lifted exclusion keeps its first lifting). NotFound if unknown."""
        ...

    def exclusions(
        self, *, aip_id: UUID | None = None, open_only: bool = False, limit: int = 1000
    ) -> list[Uitsluiting]:
        """Oldest first."""
        ...

    def exclusion_counts(self) -> dict[str, int]:
        """Open exclusions per soort."""
        ...

    def sync_unknown_category(self, *, door: str, op: datetime, new_id: Callable[[], UUID]) -> tuple[int, int]:
        """Place an open 'onbekende categorie' exclusion on every AIP decided N without one, lift it
        where the decision is no longer N; (placed, lifted)."""
        ...

    def postpone(self, uitstel: Uitstel) -> None:
        """Set (replace) the hand-set archiefactiedatum of an AIP."""
        ...

    def postponement(self, aip_id: UUID) -> Uitstel | None: ...

    # proposal lists ---------------------------------------------------------------------------

    def propose(
        self, soort: LijstSoort, peildatum: date, *, door: str, op: datetime, new_id: Callable[[], UUID]
    ) -> tuple[Lijst | None, int]:
        """Add every due AIP that is not excluded and not on an open list to the concept list of
        `soort` (made if there is none and something is due); (the list with its `tellingen` but
        without its items, or None; items added).

        Due: vernietigingslijst: V, archiefactiedatum <= peildatum, not postponed (uitgesteld);
        overbrengingslijst: B, overbrengingsdatum <= peildatum, never transferred before."""
        ...

    def get_list(self, lijst_id: UUID) -> Lijst:
        """With its items; NotFound if unknown."""
        ...

    def list_header(self, lijst_id: UUID) -> Lijst:
        """Without its items, with counts per item status (a list may hold a million); NotFound if unknown."""
        ...

    def list_items(self, lijst_id: UUID, *, limit: int, offset: int = 0) -> list[Item]:
        """One page of the list's items, in `get_list` order (source_key, aip id); NotFound if unknown."""
        ...

    def lists(self, *, soort: LijstSoort | None = None, status: LijstStatus | None = None) -> list[Lijst]:
        """Without items, with counts per item status; newest first."""
        ...

    def transition_list(
        self, lijst_id: UUID, new: LijstStatus, *, expected_revisie: int | None = None, **velden: object
    ) -> Lijst:
        """Move the list to `new` (InvalidTransition if the table forbids it; Conflict if its revisie is
        not `expected_revisie`), set the given fields and bump its revisie."""
        ...

    def set_item(
        self,
        lijst_id: UUID,
        aip_id: UUID,
        status: ItemStatus,
        *,
        reden: str | None = None,
        door: str | None = None,
        op: datetime | None = None,
        uitgevoerd_op: datetime | None = None,
        detail: dict[str, object] | None = None,
        bump: bool = False,
    ) -> Item:
        """Change an item's status (same status: only the other fields change); `bump` also bumps the
        list's revisie. NotFound if the item is not on the list."""
        ...

    def open_items(self, aip_id: UUID) -> list[Item]:
        """Items of this AIP on open lists that are still open."""
        ...

    # tombstones and verklaringen ----------------------------------------------------------------

    def add_tombstone(self, grafsteen: Grafsteen) -> None:
        """Insert (idempotent: an existing tombstone of the AIP is kept)."""
        ...

    def tombstones(self, *, lijst_id: UUID | None = None) -> list[Grafsteen]:
        """By source_key."""
        ...

    def add_verklaring(self, verklaring: Verklaring) -> None:
        """Insert or replace the verklaring of a list."""
        ...

    def get_verklaring(self, lijst_id: UUID) -> Verklaring | None: ...
