"""The in-memory RetentionCatalog: the fake the retention service's unit tests run on.

Behaves like `SqlRetentionCatalog` (one contract suite runs on both). It reads AIP statuses from the
holdings catalog it is given (the SQL version joins the `aips` table). Copies out, one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from edepot.catalog import common
from edepot.catalog.retention_common import counts as _counts
from edepot.catalog.retention_common import exclusion_not_found as _exclusion_not_found
from edepot.catalog.retention_common import item_not_found as _item_not_found
from edepot.catalog.retention_common import list_not_found as _list_not_found
from edepot.catalog.retention_common import stale as _stale
from edepot.errors import Conflict, NotFound
from edepot.model import AipStatus, advance
from edepot.ports import Catalog
from edepot.retention_ports import DAGAFHANKELIJK
from edepot.retention_workflow import (
    ITEM_TRANSITIONS,
    LIJST_TRANSITIONS,
    OPEN_ITEM,
    OPEN_LIJST,
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
    UitsluitingSoort,
    Uitstel,
    Verklaring,
    brondatum_veld,
    datumsleutel,
    tijdvak,
)
from edepot.selectielijst import Waardering

ALL = 10**12
Sleutel = tuple[Grofsleutel, str, str]


class InMemoryRetentionCatalog:
    def __init__(self, holdings: Catalog) -> None:
        self._holdings = holdings
        self._lock = threading.RLock()
        self._facts: dict[UUID, Feiten] = {}
        self._decisions: dict[UUID, Besluit] = {}
        self._exclusions: dict[UUID, Uitsluiting] = {}
        self._postponements: dict[UUID, Uitstel] = {}
        self._lists: dict[UUID, Lijst] = {}
        self._items: dict[UUID, dict[UUID, Item]] = {}
        self._tombstones: dict[UUID, Grafsteen] = {}
        self._verklaringen: dict[UUID, Verklaring] = {}

    def _stored(self) -> dict[UUID, AipStatus]:
        return {a.id: a.status for a in self._holdings.list_aips(limit=ALL)}

    # facts

    def aips_without_facts(self, limit: int) -> list[AipRef]:
        with self._lock:
            ids = sorted(
                (a.id for a in self._holdings.list_aips(status=AipStatus.OPGESLAGEN, limit=ALL)),
                key=str,
            )
            missing = [i for i in ids if i not in self._facts][:limit]
        refs = []
        for aip_id in missing:
            aip = self._holdings.get_aip(aip_id)
            root = next((r for r in aip.records if r.parent_id is None), None)
            refs.append(
                AipRef(
                    aip_id=aip.id,
                    bron=aip.source,
                    source_key=aip.source_key,
                    titel=aip.title,
                    record_id=root.id if root else None,
                    sidecar_path=root.sidecar_path if root else None,
                )
            )
        return refs

    def put_facts(self, rows: Sequence[Feiten]) -> None:
        with self._lock:
            for row in rows:
                self._facts[row.aip_id] = _copy(row)

    def get_facts(self, aip_id: UUID) -> Feiten:
        with self._lock:
            found = self._facts.get(aip_id)
        if found is None:
            raise NotFound(f"AIP {aip_id} has no retention facts", hint="run `edepot retention nightly`")
        return _copy(found)

    def facts_with_other_mapping(self, mapping_hash: str, after: UUID | None, limit: int) -> list[Feiten]:
        with self._lock:
            rows = [f for f in self._facts.values() if f.mapping_hash != mapping_hash]
        return [_copy(f) for f in _page(rows, lambda f: f.aip_id, after, limit)]

    # decisions

    def facts_needing_decision(
        self, regels_hash: str, after: UUID | None, limit: int
    ) -> list[tuple[Feiten, Besluit | None, Uitstel | None]]:
        with self._lock:
            needing = []
            for facts in self._facts.values():
                current = self._decisions.get(facts.aip_id)
                if (
                    current is None
                    or current.feiten_revisie != facts.revisie
                    or current.regels_hash != regels_hash
                    or current.code in DAGAFHANKELIJK
                ):
                    needing.append(facts)
            page = _page(needing, lambda f: f.aip_id, after, limit)
            return [(_copy(f), self._decisions.get(f.aip_id), self._postponements.get(f.aip_id)) for f in page]

    def save_decisions(self, rows: Sequence[Besluit]) -> None:
        with self._lock:
            for row in rows:
                self._decisions[row.aip_id] = replace(row, besloten_op=common.utc(row.besloten_op, "besloten_op"))

    def _groupable(self, regels_hash: str, today: date) -> list[Feiten]:
        found = []
        for facts in self._facts.values():
            current = self._decisions.get(facts.aip_id)
            needs = (
                current is None
                or current.feiten_revisie != facts.revisie
                or current.regels_hash != regels_hash
                or current.code in DAGAFHANKELIJK
            )
            if (
                needs
                and facts.aip_id not in self._postponements
                and not facts.invoer
                and facts.vaste_waardering is None
                and facts.aanmaakdatum is not None
                and facts.aanmaakdatum <= today
            ):
                found.append(facts)
        return found

    @staticmethod
    def _key(facts: Feiten, grenzen: Sequence[date], gebruik: Mapping[Grofsleutel, tuple[str, str]] | None) -> Sleutel:
        assert facts.aanmaakdatum is not None
        grof = (
            facts.bron,
            facts.categorie or "",
            facts.selectielijstklasse or "",
            tijdvak(facts.aanmaakdatum, grenzen),
        )
        if gebruik is None:
            return grof, "", ""
        eind, ander = gebruik.get(grof, ("datum", "datum"))
        return grof, datumsleutel(facts.einddatum, eind), datumsleutel(facts.ander_datumkenmerk, ander)

    def decision_groups(
        self,
        regels_hash: str,
        grenzen: Sequence[date],
        today: date,
        gebruik: Mapping[Grofsleutel, tuple[str, str]] | None = None,
    ) -> list[Groep]:
        with self._lock:
            groups: dict[Sleutel, list[Feiten]] = {}
            for facts in self._groupable(regels_hash, today):
                groups.setdefault(self._key(facts, grenzen, gebruik), []).append(facts)
        found = []
        for (grof, eind, ander), members in groups.items():
            days = [f.aanmaakdatum for f in members if f.aanmaakdatum is not None]
            found.append(
                Groep(
                    bron=grof[0],
                    categorie=members[0].categorie,
                    selectielijstklasse=members[0].selectielijstklasse,
                    einddatum=min((f.einddatum for f in members if f.einddatum), default=None),
                    ander_datumkenmerk=min(
                        (f.ander_datumkenmerk for f in members if f.ander_datumkenmerk), default=None
                    ),
                    tijdvak=grof[3],
                    eerste=min(days),
                    laatste=max(days),
                    aantal=len(members),
                    eind_sleutel=eind,
                    ander_sleutel=ander,
                )
            )
        return found

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
        by_key = {(groep.grof(), groep.eind_sleutel, groep.ander_sleutel): b for groep, b in besluiten}
        decided = changed = 0
        with self._lock:
            for facts in self._groupable(regels_hash, today):
                key = self._key(facts, grenzen, gebruik)
                template = by_key.get(key)
                if template is None:
                    continue
                veld = brondatum_veld(gebruik.get(key[0], ("datum", "datum")))
                if veld is not None and template.brondatum is not None:
                    eigen: date | None = getattr(facts, veld)
                    voor, _, na = template.reden.partition(template.brondatum.isoformat())
                    template = replace(
                        template, brondatum=eigen, reden=f"{voor}{eigen.isoformat() if eigen else ''}{na}"
                    )
                new = replace(
                    template,
                    aip_id=facts.aip_id,
                    record_id=facts.record_id,
                    feiten_revisie=facts.revisie,
                    regels_hash=regels_hash,
                    besloten_op=common.utc(besloten_op, "besloten_op"),
                    revisie=1,
                    geschreven=0,
                )
                current = self._decisions.get(facts.aip_id)
                if current is not None and current.inhoud() == new.inhoud():
                    new = replace(
                        new, revisie=current.revisie, geschreven=current.geschreven, besloten_op=current.besloten_op
                    )
                elif current is not None:
                    new = replace(new, revisie=current.revisie + 1, geschreven=current.geschreven)
                    changed += 1
                else:
                    changed += 1
                self._decisions[facts.aip_id] = new
                decided += 1
        return decided, changed

    def get_decision(self, aip_id: UUID) -> Besluit:
        with self._lock:
            found = self._decisions.get(aip_id)
        if found is None:
            raise NotFound(f"AIP {aip_id} has no retention decision", hint="run `edepot retention nightly`")
        return found

    def decisions(
        self, *, waardering: str | None = None, code: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Besluit]:
        common.check_page(limit, offset)
        with self._lock:
            rows = sorted(self._decisions.values(), key=lambda d: str(d.aip_id))
        rows = [
            r for r in rows if (waardering is None or r.waardering == waardering) and (code is None or r.code == code)
        ]
        return rows[offset : offset + limit]

    def decision_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for d in self._decisions.values():
                counts[str(d.waardering)] = counts.get(str(d.waardering), 0) + 1
        return counts

    def invalidate_decision(self, aip_id: UUID) -> None:
        with self._lock:
            current = self._decisions.get(aip_id)
            if current is not None:
                self._decisions[aip_id] = replace(current, regels_hash="")

    def unwritten_decisions(self, after: UUID | None, limit: int) -> list[Besluit]:
        with self._lock:
            rows = [
                d
                for d in self._decisions.values()
                if d.revisie > d.geschreven and d.waardering in (Waardering.B, Waardering.V)
            ]
        return _page(rows, lambda d: d.aip_id, after, limit)

    def mark_written(self, aip_id: UUID, revisie: int) -> None:
        with self._lock:
            current = self._decisions.get(aip_id)
            if current is None:
                raise NotFound(f"AIP {aip_id} has no retention decision")
            self._decisions[aip_id] = replace(current, geschreven=max(current.geschreven, revisie))

    def mark_all_written(self, rows: Sequence[tuple[UUID, int]]) -> None:
        with self._lock:
            for aip_id, revisie in rows:
                current = self._decisions.get(aip_id)
                if current is not None:
                    self._decisions[aip_id] = replace(current, geschreven=max(current.geschreven, revisie))

    # exclusions and postponements

    def add_exclusion(self, exclusion: Uitsluiting) -> None:
        with self._lock:
            if exclusion.id in self._exclusions:
                raise Conflict(f"exclusion {exclusion.id} exists already")
            self._exclusions[exclusion.id] = replace(exclusion, op=common.utc(exclusion.op, "op"))

    def lift_exclusion(self, exclusion_id: UUID, *, door: str, op: datetime, reden: str) -> Uitsluiting:
        with self._lock:
            found = self._exclusions.get(exclusion_id)
            if found is None:
                raise _exclusion_not_found(exclusion_id)
            if found.open:
                found = replace(found, opgeheven_door=door, opgeheven_op=common.utc(op, "op"), opheffing_reden=reden)
                self._exclusions[exclusion_id] = found
            return found

    def exclusions(
        self, *, aip_id: UUID | None = None, open_only: bool = False, limit: int = 1000
    ) -> list[Uitsluiting]:
        with self._lock:
            rows = [
                u
                for u in self._exclusions.values()
                if (aip_id is None or u.aip_id == aip_id) and (not open_only or u.open)
            ]
        return sorted(rows, key=lambda u: (u.op, str(u.id)))[:limit]

    def exclusion_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for u in self._exclusions.values():
                if u.open:
                    counts[str(u.soort)] = counts.get(str(u.soort), 0) + 1
        return counts

    def sync_unknown_category(self, *, door: str, op: datetime, new_id: Callable[[], UUID]) -> tuple[int, int]:
        placed = lifted = 0
        with self._lock:
            auto = {
                u.aip_id: u
                for u in self._exclusions.values()
                if u.open and u.soort is UitsluitingSoort.ONBEKENDE_CATEGORIE
            }
            for decision in sorted(self._decisions.values(), key=lambda d: str(d.aip_id)):
                if decision.waardering is Waardering.N and decision.aip_id not in auto:
                    exclusion = Uitsluiting(
                        id=new_id(),
                        aip_id=decision.aip_id,
                        soort=UitsluitingSoort.ONBEKENDE_CATEGORIE,
                        reden=decision.reden,
                        door=door,
                        op=common.utc(op, "op"),
                    )
                    self._exclusions[exclusion.id] = exclusion
                    placed += 1
            for aip_id, exclusion in auto.items():
                current = self._decisions.get(aip_id)
                if current is None or current.waardering is not Waardering.N:
                    self.lift_exclusion(exclusion.id, door=door, op=op, reden="the category is known now")
                    lifted += 1
        return placed, lifted

    def postpone(self, uitstel: Uitstel) -> None:
        with self._lock:
            self._postponements[uitstel.aip_id] = replace(uitstel, op=common.utc(uitstel.op, "op"))

    def postponement(self, aip_id: UUID) -> Uitstel | None:
        with self._lock:
            return self._postponements.get(aip_id)

    # lists

    def propose(
        self, soort: LijstSoort, peildatum: date, *, door: str, op: datetime, new_id: Callable[[], UUID]
    ) -> tuple[Lijst | None, int]:
        with self._lock:
            stored = self._stored()
            blocked = {u.aip_id for u in self._exclusions.values() if u.open}
            on_list = {
                i.aip_id
                for lijst_id, items in self._items.items()
                if self._lists[lijst_id].status in OPEN_LIJST
                for i in items.values()
                if i.status in OPEN_ITEM
            }
            transferred = {
                i.aip_id
                for lijst_id, items in self._items.items()
                if self._lists[lijst_id].soort is LijstSoort.OVERBRENGING
                for i in items.values()
                if i.status is ItemStatus.UITGEVOERD
            }
            due = []
            for d in sorted(self._decisions.values(), key=lambda d: str(d.aip_id)):
                if stored.get(d.aip_id) is not AipStatus.OPGESLAGEN or d.aip_id in blocked or d.aip_id in on_list:
                    continue
                if soort is LijstSoort.VERNIETIGING:
                    ok = (
                        d.waardering is Waardering.V
                        and not d.uitgesteld
                        and d.archiefactiedatum is not None
                        and d.archiefactiedatum <= peildatum
                    )
                else:
                    ok = (
                        d.waardering is Waardering.B
                        and d.overbrengingsdatum is not None
                        and d.overbrengingsdatum <= peildatum
                        and d.aip_id not in transferred
                    )
                if ok:
                    due.append(d)
            concept = next(
                (
                    lst
                    for lst in sorted(self._lists.values(), key=lambda x: x.aangemaakt_op)
                    if lst.soort is soort and lst.status is LijstStatus.CONCEPT
                ),
                None,
            )
            if not due:
                return (self._header(concept.id) if concept else None), 0
            if concept is None:
                concept = Lijst(
                    id=new_id(),
                    soort=soort,
                    status=LijstStatus.CONCEPT,
                    aangemaakt_op=common.utc(op, "op"),
                    aangemaakt_door=door,
                    peildatum=peildatum,
                )
                self._lists[concept.id] = concept
                self._items[concept.id] = {}
            items = self._items[concept.id]
            due = [d for d in due if d.aip_id not in items]  # e.g. removed from this very list
            for d in due:
                facts = self._facts.get(d.aip_id)
                items[d.aip_id] = Item(
                    lijst_id=concept.id,
                    aip_id=d.aip_id,
                    record_id=d.record_id,
                    source_key=facts.source_key if facts else "",
                    titel=facts.titel if facts else "",
                    selectielijst=d.selectielijst,
                    versie=d.versie,
                    categorie=d.categorie,
                    waardering=str(d.waardering),
                    brondatum=d.brondatum,
                    archiefactiedatum=d.archiefactiedatum if soort is LijstSoort.VERNIETIGING else d.overbrengingsdatum,
                    besluit_revisie=d.revisie,
                )
            self._lists[concept.id] = replace(concept, revisie=concept.revisie + 1, peildatum=peildatum)
            return self._header(concept.id), len(due)

    def _header(self, lijst_id: UUID) -> Lijst:
        return replace(self.get_list(lijst_id), items=())

    def get_list(self, lijst_id: UUID) -> Lijst:
        with self._lock:
            found = self._lists.get(lijst_id)
            if found is None:
                raise _list_not_found(lijst_id)
            items = tuple(sorted(self._items[lijst_id].values(), key=lambda i: (i.source_key, str(i.aip_id))))
        return replace(found, items=items, tellingen=_counts(items))

    def list_header(self, lijst_id: UUID) -> Lijst:
        return self._header(lijst_id)

    def list_items(self, lijst_id: UUID, *, limit: int, offset: int = 0) -> list[Item]:
        return list(self.get_list(lijst_id).items[offset : offset + limit])

    def lists(self, *, soort: LijstSoort | None = None, status: LijstStatus | None = None) -> list[Lijst]:
        with self._lock:
            rows = [
                replace(lst, tellingen=_counts(self._items[lst.id].values()))
                for lst in self._lists.values()
                if (soort is None or lst.soort is soort) and (status is None or lst.status is status)
            ]
        return sorted(rows, key=lambda x: (x.aangemaakt_op, str(x.id)), reverse=True)

    def transition_list(
        self, lijst_id: UUID, new: LijstStatus, *, expected_revisie: int | None = None, **velden: object
    ) -> Lijst:
        with self._lock:
            found = self._lists.get(lijst_id)
            if found is None:
                raise _list_not_found(lijst_id)
            if expected_revisie is not None and found.revisie != expected_revisie:
                raise _stale(lijst_id, expected_revisie, found.revisie)
            status = advance(LIJST_TRANSITIONS, found.status, new)
            values = {k: (common.utc(v, k) if isinstance(v, datetime) else v) for k, v in velden.items()}
            self._lists[lijst_id] = replace(found, status=status, revisie=found.revisie + 1, **values)  # type: ignore[arg-type]
        return self.get_list(lijst_id)

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
        with self._lock:
            if lijst_id not in self._lists:
                raise _list_not_found(lijst_id)
            item = self._items[lijst_id].get(aip_id)
            if item is None:
                raise _item_not_found(lijst_id, aip_id)
            if status is not item.status:
                advance(ITEM_TRANSITIONS, item.status, status)
            changed = replace(
                item,
                status=status,
                reden=reden if reden is not None else item.reden,
                door=door if door is not None else item.door,
                op=common.utc(op, "op") if op is not None else item.op,
                uitgevoerd_op=common.utc(uitgevoerd_op, "uitgevoerd_op") if uitgevoerd_op else item.uitgevoerd_op,
                detail=dict(detail) if detail is not None else item.detail,
            )
            self._items[lijst_id][aip_id] = changed
            if bump:
                lst = self._lists[lijst_id]
                self._lists[lijst_id] = replace(lst, revisie=lst.revisie + 1)
            return changed

    def open_items(self, aip_id: UUID) -> list[Item]:
        with self._lock:
            return [
                items[aip_id]
                for lijst_id, items in self._items.items()
                if aip_id in items and self._lists[lijst_id].status in OPEN_LIJST and items[aip_id].status in OPEN_ITEM
            ]

    # tombstones and verklaringen

    def add_tombstone(self, grafsteen: Grafsteen) -> None:
        with self._lock:
            self._tombstones.setdefault(grafsteen.aip_id, grafsteen)

    def tombstones(self, *, lijst_id: UUID | None = None) -> list[Grafsteen]:
        with self._lock:
            rows = [g for g in self._tombstones.values() if lijst_id is None or g.lijst_id == lijst_id]
        return sorted(rows, key=lambda g: (g.source_key, str(g.aip_id)))

    def add_verklaring(self, verklaring: Verklaring) -> None:
        with self._lock:
            self._verklaringen[verklaring.lijst_id] = verklaring

    def get_verklaring(self, lijst_id: UUID) -> Verklaring | None:
        with self._lock:
            return self._verklaringen.get(lijst_id)


T = TypeVar("T")


def _page(rows: list[T], key: Callable[[T], UUID], after: UUID | None, limit: int) -> list[T]:
    ordered = sorted(rows, key=lambda r: str(key(r)))
    if after is not None:
        ordered = [r for r in ordered if str(key(r)) > str(after)]
    return ordered[:limit]


def _copy(facts: Feiten) -> Feiten:
    return replace(facts, eigenschappen=dict(facts.eigenschappen), invoer=dict(facts.invoer))
