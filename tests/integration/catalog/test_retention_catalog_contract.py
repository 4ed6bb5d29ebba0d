"""The RetentionCatalog contract, on the in-memory fake, SQLite and PostgreSQL alike: facts, decisions,
exclusions, postponements, proposals, the list and item transition tables, tombstones, verklaringen."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from edepot.catalog import InMemoryCatalog, SqlCatalog
from edepot.catalog.retention_memory import InMemoryRetentionCatalog
from edepot.catalog.retention_sql import SqlRetentionCatalog
from edepot.errors import Conflict, InvalidTransition, NotFound
from edepot.model import Aip, AipStatus, RecordEntry
from edepot.retention_workflow import (
    Besluit,
    Feiten,
    Grafsteen,
    Groep,
    Grofsleutel,
    ItemStatus,
    LijstSoort,
    LijstStatus,
    Uitsluiting,
    UitsluitingSoort,
    Uitstel,
    Verklaring,
)
from edepot.selectielijst import Waardering
from tests.support.backends import BACKENDS, contract_backend

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 1)


@dataclass
class World:
    holdings: Any
    retention: Any

    def stored_aip(self, key: str, status: AipStatus = AipStatus.OPGESLAGEN) -> UUID:
        aip_id, record_id = uuid.uuid4(), uuid.uuid4()
        record = RecordEntry(
            id=record_id,
            aip_id=aip_id,
            parent_id=None,
            naam=f"dossier {key}",
            aggregatieniveau="Dossier",
            kenmerk=key,
            bron="test",
            waardering="N",
            beperking_code=None,
            beperking_label="Geen beperking",
            dekking_begin=None,
            dekking_eind=None,
            sidecar_path=f"data/{key}/{key}.mdto.xml",
        )
        aip = Aip(
            id=aip_id,
            source="analogue",
            source_key=key,
            content_hash="0" * 64,
            version=1,
            status=AipStatus.AANGEMAAKT,
            created_at=NOW,
            title=f"dossier {key}",
            records=[record],
        )
        self.holdings.begin_aip(aip)
        if status is not AipStatus.AANGEMAAKT:
            self.holdings.set_aip_status(aip_id, AipStatus.OPGESLAGEN, NOW)
        if status is AipStatus.VERNIETIGD:
            self.holdings.set_aip_status(aip_id, AipStatus.VERNIETIGD, NOW)
        return aip_id


def _memory_world() -> World:
    holdings = InMemoryCatalog()
    return World(holdings, InMemoryRetentionCatalog(holdings))


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    yield from contract_backend(
        request, tmp_path, _memory_world, lambda engine: World(SqlCatalog(engine), SqlRetentionCatalog(engine))
    )


def facts(aip_id: UUID, key: str, **changes: Any) -> Feiten:
    base = Feiten(
        aip_id=aip_id,
        record_id=None,
        bron="analogue",
        source_key=key,
        titel=f"dossier {key}",
        eigenschappen={"classificatie": [{"code": "57"}]},
        mapping_hash="m1",
        categorie="Provisa 2005/57",
        aanmaakdatum=date(1990, 1, 1),
        einddatum=date(1993, 12, 31),
    )
    return replace(base, **changes)


def decision(aip_id: UUID, waardering: Waardering = Waardering.V, **changes: Any) -> Besluit:
    base = Besluit(
        aip_id=aip_id,
        record_id=None,
        waardering=waardering,
        code="retention.bepaald",
        reden="test",
        besloten_op=NOW,
        feiten_revisie=1,
        regels_hash="r1",
        selectielijst="Provisa 2005",
        versie="2005",
        categorie="57",
        archiefactiedatum=date(2004, 1, 1),
        overbrengingsdatum=date(2013, 12, 31) if waardering is Waardering.B else None,
    )
    return replace(base, **changes)


# --- facts ------------------------------------------------------------------------------------


def test_unknown_facts_and_decisions_are_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.retention.get_facts(uuid.uuid4())
    with pytest.raises(NotFound):
        world.retention.get_decision(uuid.uuid4())


def test_only_stored_aips_without_facts_are_offered_for_mapping_with_their_root_record(world: World) -> None:
    a = world.stored_aip("A")
    b = world.stored_aip("B")
    world.stored_aip("pending", status=AipStatus.AANGEMAAKT)
    world.retention.put_facts([facts(b, "B")])

    refs = world.retention.aips_without_facts(limit=10)

    assert [r.aip_id for r in refs] == [a]
    assert refs[0].sidecar_path == "data/A/A.mdto.xml" and refs[0].record_id is not None


def test_facts_are_replaced_whole_and_found_by_a_different_mapping(world: World) -> None:
    a, b = world.stored_aip("A"), world.stored_aip("B")
    world.retention.put_facts([facts(a, "A"), facts(b, "B")])
    world.retention.put_facts([facts(a, "A", mapping_hash="m2", revisie=2, categorie=None)])

    assert world.retention.get_facts(a).categorie is None and world.retention.get_facts(a).revisie == 2
    assert [f.aip_id for f in world.retention.facts_with_other_mapping("m2", None, 10)] == [b]
    assert world.retention.get_facts(b).eigenschappen == {"classificatie": [{"code": "57"}]}


# --- decisions --------------------------------------------------------------------------------


def test_facts_need_a_decision_until_one_with_their_revisie_and_rules_is_saved(world: World) -> None:
    ids = sorted((world.stored_aip(k) for k in "ABC"), key=str)
    world.retention.put_facts([facts(i, str(n)) for n, i in enumerate(ids)])
    assert [f.aip_id for f, _, _ in world.retention.facts_needing_decision("r1", None, 10)] == ids
    assert [f.aip_id for f, _, _ in world.retention.facts_needing_decision("r1", ids[0], 1)] == [ids[1]]

    world.retention.save_decisions([decision(i) for i in ids])
    assert world.retention.facts_needing_decision("r1", None, 10) == []
    assert [f.aip_id for f, _, _ in world.retention.facts_needing_decision("r2", None, 10)] == ids

    world.retention.put_facts([facts(ids[1], "1", revisie=2)])
    world.retention.invalidate_decision(ids[2])
    needing = world.retention.facts_needing_decision("r1", None, 10)
    assert [f.aip_id for f, _, _ in needing] == ids[1:]
    assert needing[0][1] == decision(ids[1])


GRENZEN = (date(2006, 1, 1),)


EXACT: dict[Grofsleutel, tuple[str, str]] = {}  # no entry: both dates used exactly


def group_of(world: World, regels: str = "r1") -> dict[tuple[object, ...], Groep]:
    return {g.sleutel(): g for g in world.retention.decision_groups(regels, GRENZEN, TODAY, EXACT)}


def test_only_plain_facts_needing_a_decision_are_grouped(world: World) -> None:
    ids = {k: world.stored_aip(k) for k in ("plain", "postponed", "invoer", "vast", "undated", "future", "done")}
    world.retention.put_facts(
        [
            facts(ids["plain"], "plain"),
            facts(ids["postponed"], "postponed"),
            facts(ids["invoer"], "invoer", invoer={"procestermijn": "P1Y"}),
            facts(ids["vast"], "vast", vaste_waardering="B"),
            facts(ids["undated"], "undated", aanmaakdatum=None),
            facts(ids["future"], "future", aanmaakdatum=TODAY + timedelta(days=1)),
            facts(ids["done"], "done"),
        ]
    )
    world.retention.postpone(Uitstel(ids["postponed"], date(2030, 1, 1), "nog nodig", "dim", NOW))
    world.retention.save_decisions([decision(ids["done"])])

    (groep,) = world.retention.decision_groups("r1", GRENZEN, TODAY)

    assert groep.aantal == 1 and groep.eerste == groep.laatste == date(1990, 1, 1)
    assert (groep.bron, groep.categorie, groep.einddatum, groep.tijdvak) == (
        "analogue",
        "Provisa 2005/57",
        date(1993, 12, 31),
        0,
    )


def test_groups_split_on_every_engine_input_and_on_the_list_period_of_the_creation_date(world: World) -> None:
    rows = {
        "a": {},
        "b": {"aanmaakdatum": date(1991, 6, 1)},  # same group as a
        "other-end": {"einddatum": date(1994, 1, 1)},
        "no-end": {"einddatum": None},
        "no-category": {"categorie": None},
        "later-period": {"aanmaakdatum": date(2006, 1, 1)},
        "other-source": {"bron": "zaaksysteem"},
    }
    world.retention.put_facts([facts(world.stored_aip(k), k, **v) for k, v in rows.items()])

    groups = world.retention.decision_groups("r1", GRENZEN, TODAY, EXACT)

    assert len(groups) == 6 and sum(g.aantal for g in groups) == 7
    (pair,) = [g for g in groups if g.aantal == 2]
    assert (pair.eerste, pair.laatste, pair.tijdvak) == (date(1990, 1, 1), date(1991, 6, 1), 0)
    assert (pair.eind_sleutel, pair.ander_sleutel) == ("1993-12-31", "")
    assert {g.tijdvak for g in groups} == {0, 1}
    assert any(g.einddatum is None for g in groups) and any(g.categorie is None for g in groups)


def test_coarse_groups_leave_the_dates_out_of_the_key_and_give_the_earliest(world: World) -> None:
    rows = {"a": {}, "other-end": {"einddatum": date(1994, 1, 1)}, "no-end": {"einddatum": None}}
    world.retention.put_facts([facts(world.stored_aip(k), k, **v) for k, v in rows.items()])

    (groep,) = world.retention.decision_groups("r1", GRENZEN, TODAY)

    assert (groep.aantal, groep.einddatum, groep.eind_sleutel) == (3, date(1993, 12, 31), "")
    assert groep.grof() == ("analogue", "Provisa 2005/57", "", 0)


def test_a_date_used_by_its_year_or_not_at_all_groups_by_that_alone(world: World) -> None:
    rows = {
        "a": {},
        "same-year": {"einddatum": date(1993, 2, 1)},
        "next-year": {"einddatum": date(1994, 1, 1)},
        "no-end": {"einddatum": None},
        "ander": {"ander_datumkenmerk": date(2001, 5, 5)},
    }
    world.retention.put_facts([facts(world.stored_aip(k), k, **v) for k, v in rows.items()])
    grof = ("analogue", "Provisa 2005/57", "", 0)

    groups = world.retention.decision_groups("r1", GRENZEN, TODAY, {grof: ("jaar", "niet")})

    assert sorted((g.eind_sleutel, g.ander_sleutel, g.aantal) for g in groups) == [
        ("", "", 1),
        ("1993", "", 3),
        ("1994", "", 1),
    ]
    (year,) = [g for g in groups if g.eind_sleutel == "1993"]
    assert (year.einddatum, year.ander_datumkenmerk) == (date(1993, 2, 1), date(2001, 5, 5))
    assert len(world.retention.decision_groups("r1", GRENZEN, TODAY, {grof: ("niet", "niet")})) == 1


def test_a_group_decided_by_the_year_gives_each_aip_its_own_brondatum_in_field_and_reason(world: World) -> None:
    a, b, c = world.stored_aip("A"), world.stored_aip("B"), world.stored_aip("C")
    world.retention.put_facts(
        [facts(a, "A"), facts(b, "B", einddatum=date(1993, 2, 1)), facts(c, "C", einddatum=date(1994, 1, 1))]
    )
    gebruik = {("analogue", "Provisa 2005/57", "", 0): ("jaar", "niet")}
    (groep,) = [g for g in world.retention.decision_groups("r1", GRENZEN, TODAY, gebruik) if g.aantal == 2]
    template = decision(
        uuid.uuid4(), reden=f"brondatum {groep.einddatum} (afgehandeld); 1994-01-01", brondatum=groep.einddatum
    )

    decided, _ = world.retention.save_group_decisions(
        "r1", GRENZEN, TODAY, [(groep, template)], gebruik=gebruik, besloten_op=NOW
    )

    got_a, got_b = world.retention.get_decision(a), world.retention.get_decision(b)
    assert decided == 2
    assert (got_a.brondatum, got_a.reden) == (date(1993, 12, 31), "brondatum 1993-12-31 (afgehandeld); 1994-01-01")
    assert (got_b.brondatum, got_b.reden) == (date(1993, 2, 1), "brondatum 1993-02-01 (afgehandeld); 1994-01-01")
    assert got_a.termijnstart == got_b.termijnstart == template.termijnstart
    with pytest.raises(NotFound):  # another year: another group
        world.retention.get_decision(c)


def test_a_group_decision_reaches_exactly_its_members_each_with_its_own_identity(world: World) -> None:
    a, b, c = world.stored_aip("A"), world.stored_aip("B"), world.stored_aip("C")
    no_end = world.stored_aip("no-end")
    world.retention.put_facts(
        [
            facts(a, "A"),
            facts(b, "B", aanmaakdatum=date(1991, 1, 1), revisie=3),
            facts(c, "C", einddatum=date(1994, 1, 1)),
            facts(no_end, "no-end", einddatum=None),
        ]
    )
    groups = group_of(world)
    (groep,) = [g for g in groups.values() if g.aantal == 2]
    template = decision(uuid.uuid4(), reden="grouped", feiten_revisie=99, revisie=7, geschreven=5)

    decided, changed = world.retention.save_group_decisions(
        "r1", GRENZEN, TODAY, [(groep, template)], gebruik=EXACT, besloten_op=NOW
    )

    assert (decided, changed) == (2, 2)
    got_a, got_b = world.retention.get_decision(a), world.retention.get_decision(b)
    assert (got_a.aip_id, got_a.feiten_revisie, got_a.revisie, got_a.geschreven) == (a, 1, 1, 0)
    assert (got_b.aip_id, got_b.feiten_revisie, got_b.regels_hash) == (b, 3, "r1")
    assert got_a.inhoud() == template.inhoud() and got_a.besloten_op == NOW
    with pytest.raises(NotFound):  # another einddatum: another group
        world.retention.get_decision(c)
    with pytest.raises(NotFound):  # a missing einddatum is not the sentinel date
        world.retention.get_decision(no_end)
    assert [f.aip_id for f, _, _ in world.retention.facts_needing_decision("r1", None, 10)] == sorted(
        [c, no_end], key=str
    )


def test_a_group_decision_keeps_the_revisie_when_unchanged_and_raises_it_when_changed(world: World) -> None:
    a, b = world.stored_aip("A"), world.stored_aip("B")
    world.retention.put_facts([facts(a, "A"), facts(b, "B")])
    world.retention.save_decisions(
        [decision(a, revisie=4, geschreven=4), decision(b, reden="old", revisie=2, geschreven=2)]
    )
    (groep,) = world.retention.decision_groups("r2", GRENZEN, TODAY, EXACT)  # new rules: both need a decision
    later = NOW + timedelta(days=1)

    decided, changed = world.retention.save_group_decisions(
        "r2", GRENZEN, TODAY, [(groep, decision(uuid.uuid4()))], gebruik=EXACT, besloten_op=later
    )

    assert (decided, changed) == (2, 1)
    same, other = world.retention.get_decision(a), world.retention.get_decision(b)
    assert (same.revisie, same.geschreven, same.besloten_op, same.regels_hash) == (4, 4, NOW, "r2")
    assert (other.revisie, other.geschreven, other.besloten_op, other.reden) == (3, 2, later, "test")
    assert world.retention.decision_groups("r2", GRENZEN, TODAY) == []


def test_a_decision_that_depends_on_the_day_is_made_again_every_run(world: World) -> None:
    a = world.stored_aip("A")
    world.retention.put_facts([facts(a, "A")])
    world.retention.save_decisions([decision(a, Waardering.N, code="retention.aanmaakdatum.toekomst")])
    assert len(world.retention.facts_needing_decision("r1", None, 10)) == 1


def test_decisions_round_trip_are_counted_and_listed_by_waardering(world: World) -> None:
    a, b = world.stored_aip("A"), world.stored_aip("B")
    full = decision(
        a,
        termijnstart=date(1994, 1, 1),
        brondatum=date(1993, 12, 31),
        uitgesteld=True,
        bewaartermijn="P10Y",
        afleidingswijze="afgehandeld",
        categorie_omschrijving="bouw",
    )
    world.retention.save_decisions([full, decision(b, Waardering.B)])

    assert world.retention.get_decision(a) == full
    assert world.retention.decision_counts() == {"V": 1, "B": 1}
    assert [d.aip_id for d in world.retention.decisions(waardering="B")] == [b]


def test_unwritten_b_and_v_decisions_are_offered_until_marked_written_which_never_moves_back(world: World) -> None:
    ids = sorted((world.stored_aip(k) for k in "ABC"), key=str)
    world.retention.save_decisions(
        [decision(ids[0]), decision(ids[1], Waardering.N, categorie=None), decision(ids[2], revisie=2, geschreven=1)]
    )
    assert [d.aip_id for d in world.retention.unwritten_decisions(None, 10)] == [ids[0], ids[2]]

    world.retention.mark_written(ids[2], 2)
    world.retention.mark_written(ids[2], 1)

    assert world.retention.get_decision(ids[2]).geschreven == 2
    assert [d.aip_id for d in world.retention.unwritten_decisions(None, 10)] == [ids[0]]
    with pytest.raises(NotFound):
        world.retention.mark_written(uuid.uuid4(), 1)


# --- exclusions -------------------------------------------------------------------------------


def test_an_exclusion_is_lifted_once_and_keeps_its_first_lifting(world: World) -> None:
    a = world.stored_aip("A")
    hold = Uitsluiting(uuid.uuid4(), a, UitsluitingSoort.LEGAL_HOLD, "rechtszaak 2026/12", "dim:piet", NOW)
    world.retention.add_exclusion(hold)
    with pytest.raises(Conflict):
        world.retention.add_exclusion(hold)
    assert world.retention.exclusion_counts() == {"legal hold": 1}

    first = world.retention.lift_exclusion(hold.id, door="dim:an", op=NOW + timedelta(days=1), reden="uitspraak")
    again = world.retention.lift_exclusion(hold.id, door="dim:kees", op=NOW + timedelta(days=2), reden="nogmaals")

    assert first == again and again.opgeheven_door == "dim:an" and not again.open
    assert world.retention.exclusions(open_only=True) == []
    assert world.retention.exclusions(aip_id=a) == [again]
    with pytest.raises(NotFound):
        world.retention.lift_exclusion(uuid.uuid4(), door="x", op=NOW, reden="x")


def test_unknown_category_exclusions_follow_the_n_decisions(world: World) -> None:
    a, b = world.stored_aip("A"), world.stored_aip("B")
    world.retention.save_decisions([decision(a, Waardering.N, reden="geen categorie"), decision(b)])

    assert world.retention.sync_unknown_category(door="nightly", op=NOW, new_id=uuid.uuid4) == (1, 0)
    assert world.retention.sync_unknown_category(door="nightly", op=NOW, new_id=uuid.uuid4) == (0, 0)
    (auto,) = world.retention.exclusions(open_only=True)
    assert auto.aip_id == a and auto.soort is UitsluitingSoort.ONBEKENDE_CATEGORIE and auto.reden == "geen categorie"

    world.retention.save_decisions([decision(a)])
    assert world.retention.sync_unknown_category(door="nightly", op=NOW, new_id=uuid.uuid4) == (0, 1)
    assert world.retention.exclusions(open_only=True) == []


def test_a_postponement_is_replaced_by_the_next(world: World) -> None:
    a = world.stored_aip("A")
    assert world.retention.postponement(a) is None
    world.retention.postpone(Uitstel(a, date(2030, 1, 1), "nog in gebruik", "dim:piet", NOW))
    world.retention.postpone(Uitstel(a, date(2031, 1, 1), "langer in gebruik", "dim:an", NOW))
    assert world.retention.postponement(a) == Uitstel(a, date(2031, 1, 1), "langer in gebruik", "dim:an", NOW)


# --- proposals --------------------------------------------------------------------------------


def proposable(world: World) -> dict[str, UUID]:
    ids = {k: world.stored_aip(k) for k in ("due", "later", "held", "postponed", "keep", "transfer", "n", "gone")}
    world.retention.put_facts([facts(i, k) for k, i in ids.items()])
    world.retention.save_decisions(
        [
            decision(ids["due"]),
            decision(ids["later"], archiefactiedatum=date(2030, 1, 1)),
            decision(ids["held"]),
            decision(ids["postponed"], uitgesteld=True, archiefactiedatum=None),
            decision(ids["keep"], Waardering.B, overbrengingsdatum=date(2040, 1, 1)),
            decision(ids["transfer"], Waardering.B),
            decision(ids["n"], Waardering.N),
            decision(ids["gone"]),
        ]
    )
    world.retention.add_exclusion(
        Uitsluiting(uuid.uuid4(), ids["held"], UitsluitingSoort.WOO_VERZOEK, "Woo-verzoek 2026-3", "dim:piet", NOW)
    )
    world.holdings.set_aip_status(ids["gone"], AipStatus.VERNIETIGD, NOW)
    return ids


def test_a_vernietigingslijst_holds_exactly_the_due_v_records_without_exclusion(world: World) -> None:
    ids = proposable(world)

    lijst, added = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="nightly", op=NOW, new_id=uuid.uuid4)

    assert added == 1 and lijst is not None
    assert lijst.status is LijstStatus.CONCEPT and lijst.peildatum == TODAY
    assert lijst.items == () and lijst.tellingen == {"voorgesteld": 1}  # a proposal may hold a million
    (item,) = world.retention.get_list(lijst.id).items
    assert (item.aip_id, item.status, item.source_key, item.categorie) == (
        ids["due"],
        ItemStatus.VOORGESTELD,
        "due",
        "57",
    )
    assert item.archiefactiedatum == date(2004, 1, 1) and item.detail == {}


def test_an_overbrengingslijst_holds_the_due_b_records(world: World) -> None:
    ids = proposable(world)
    lijst, added = world.retention.propose(LijstSoort.OVERBRENGING, TODAY, door="nightly", op=NOW, new_id=uuid.uuid4)
    assert added == 1 and lijst is not None
    items = world.retention.get_list(lijst.id).items
    assert [i.aip_id for i in items] == [ids["transfer"]]
    assert items[0].archiefactiedatum == date(2013, 12, 31)


def test_proposing_twice_adds_nothing_and_keeps_one_concept_list(world: World) -> None:
    proposable(world)
    first, _ = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="nightly", op=NOW, new_id=uuid.uuid4)
    again, added = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="nightly", op=NOW, new_id=uuid.uuid4)
    assert added == 0 and again is not None and first is not None and again.id == first.id
    assert len(world.retention.lists()) == 1


def test_nothing_due_makes_no_list(world: World) -> None:
    a = world.stored_aip("A")
    world.retention.put_facts([facts(a, "A")])
    world.retention.save_decisions([decision(a, archiefactiedatum=date(2030, 1, 1))])
    assert world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4) == (None, 0)
    assert world.retention.lists() == []


def test_a_record_on_a_list_under_review_goes_on_no_other_list_until_removed(world: World) -> None:
    ids = proposable(world)
    lijst, _ = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)
    assert lijst is not None
    world.retention.transition_list(lijst.id, LijstStatus.TER_BEOORDELING)
    assert world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)[1] == 0
    assert [i.aip_id for i in world.retention.open_items(ids["due"])] == [ids["due"]]

    world.retention.set_item(lijst.id, ids["due"], ItemStatus.AFGEWEZEN, reden="nog nodig", door="arch", op=NOW)
    world.retention.transition_list(lijst.id, LijstStatus.AFGEWEZEN)
    world.retention.set_item(lijst.id, ids["due"], ItemStatus.VERWIJDERD, reden="nog nodig", door="dim", op=NOW)

    assert world.retention.open_items(ids["due"]) == []
    second, added = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)
    assert added == 1 and second is not None and second.id != lijst.id


def test_lists_are_listed_newest_first_with_their_item_counts(world: World) -> None:
    proposable(world)
    v, _ = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)
    o, _ = world.retention.propose(
        LijstSoort.OVERBRENGING, TODAY, door="n", op=NOW + timedelta(seconds=1), new_id=uuid.uuid4
    )
    assert v is not None and o is not None
    listed = world.retention.lists()
    assert [x.id for x in listed] == [o.id, v.id]
    assert listed[0].tellingen == {"voorgesteld": 1} and listed[0].items == ()
    assert [x.id for x in world.retention.lists(soort=LijstSoort.VERNIETIGING)] == [v.id]
    assert world.retention.lists(status=LijstStatus.UITGEVOERD) == []


def test_a_list_is_read_by_its_header_with_counts_and_its_items_page_by_page(world: World) -> None:
    unknown = UUID("00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFound):
        world.retention.list_header(unknown)
    with pytest.raises(NotFound):
        world.retention.list_items(unknown, limit=10)
    ids = {k: world.stored_aip(k) for k in ("c", "a", "e", "b", "d")}
    world.retention.put_facts([facts(i, k) for k, i in ids.items()])
    world.retention.save_decisions([decision(i) for i in ids.values()])
    lijst, _ = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)
    assert lijst is not None
    world.retention.set_item(lijst.id, ids["b"], ItemStatus.VERWIJDERD, reden="nog nodig", door="dim", op=NOW)

    header = world.retention.list_header(lijst.id)
    pages = [world.retention.list_items(lijst.id, limit=2, offset=o) for o in (0, 2, 4, 6)]

    assert header.items == () and header.tellingen == {"voorgesteld": 4, "verwijderd": 1}
    assert [[i.source_key for i in p] for p in pages] == [["a", "b"], ["c", "d"], ["e"], []]
    assert pages[0][1].status is ItemStatus.VERWIJDERD
    assert [i.aip_id for p in pages for i in p] == [i.aip_id for i in world.retention.get_list(lijst.id).items]


# --- transitions ------------------------------------------------------------------------------


def test_a_list_moves_only_along_its_transition_table_and_each_move_bumps_its_revisie(world: World) -> None:
    proposable(world)
    lijst, _ = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)
    assert lijst is not None
    with pytest.raises(InvalidTransition):
        world.retention.transition_list(lijst.id, LijstStatus.GOEDGEKEURD)
    with pytest.raises(Conflict):
        world.retention.transition_list(lijst.id, LijstStatus.TER_BEOORDELING, expected_revisie=lijst.revisie + 5)

    moved = world.retention.transition_list(
        lijst.id,
        LijstStatus.TER_BEOORDELING,
        expected_revisie=lijst.revisie,
        ingediend_door="dim:piet",
        ingediend_op=NOW,
    )

    assert moved.status is LijstStatus.TER_BEOORDELING and moved.revisie == lijst.revisie + 1
    assert moved.ingediend_door == "dim:piet" and moved.ingediend_op == NOW
    with pytest.raises(NotFound):
        world.retention.transition_list(uuid.uuid4(), LijstStatus.GEANNULEERD)


def test_an_item_moves_only_along_its_transition_table(world: World) -> None:
    ids = proposable(world)
    lijst, _ = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)
    assert lijst is not None
    with pytest.raises(InvalidTransition):
        world.retention.set_item(lijst.id, ids["due"], ItemStatus.UITGEVOERD)
    with pytest.raises(NotFound):
        world.retention.set_item(lijst.id, ids["later"], ItemStatus.BEZIG)
    with pytest.raises(NotFound):
        world.retention.set_item(uuid.uuid4(), ids["due"], ItemStatus.BEZIG)

    world.retention.set_item(lijst.id, ids["due"], ItemStatus.BEZIG, door="x", op=NOW)
    done = world.retention.set_item(
        lijst.id, ids["due"], ItemStatus.UITGEVOERD, uitgevoerd_op=NOW, detail={"memory": ["aips/x"]}, bump=True
    )

    assert done.status is ItemStatus.UITGEVOERD and done.detail == {"memory": ["aips/x"]} and done.door == "x"
    assert world.retention.get_list(lijst.id).revisie == lijst.revisie + 1


# --- tombstones and verklaringen ---------------------------------------------------------------


def test_a_tombstone_is_kept_once_and_a_verklaring_is_replaced(world: World) -> None:
    lijst_id, aip_id = uuid.uuid4(), uuid.uuid4()
    stone = Grafsteen(
        aip_id=aip_id,
        record_id=None,
        bron="analogue",
        source_key="1987-1996/044",
        titel="bouw",
        selectielijst="Provisa 2005",
        versie="2005",
        categorie="57",
        waardering="V",
        brondatum=date(1993, 12, 31),
        archiefactiedatum=date(2004, 1, 1),
        lijst_id=lijst_id,
        goedgekeurd_door="archivaris",
        goedgekeurd_op=NOW,
        vernietigd_op=NOW,
        content_hash="a" * 64,
        bestanden=3,
        bytes=1234,
        opslag={"memory": {"deleted": 3}},
    )
    world.retention.add_tombstone(stone)
    world.retention.add_tombstone(replace(stone, titel="other"))
    assert world.retention.tombstones() == [stone] == world.retention.tombstones(lijst_id=lijst_id)

    assert world.retention.get_verklaring(lijst_id) is None
    verklaring = Verklaring(lijst_id, LijstSoort.VERNIETIGING, NOW, None, "b" * 64, "c" * 64, 1)
    world.retention.add_verklaring(verklaring)
    world.retention.add_verklaring(replace(verklaring, aip_id=aip_id))
    assert world.retention.get_verklaring(lijst_id) == replace(verklaring, aip_id=aip_id)


def test_a_record_removed_from_the_concept_list_is_not_added_to_it_again(world: World) -> None:
    ids = proposable(world)
    lijst, _ = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)
    assert lijst is not None
    world.retention.set_item(lijst.id, ids["due"], ItemStatus.VERWIJDERD, reden="nog nodig", door="dim", op=NOW)

    again, added = world.retention.propose(LijstSoort.VERNIETIGING, TODAY, door="n", op=NOW, new_id=uuid.uuid4)

    assert added == 0 and again is not None and again.tellingen == {"verwijderd": 1}


def test_marking_many_revisions_written_never_moves_backwards_and_skips_unknown_aips(world: World) -> None:
    a, b = world.stored_aip("A"), world.stored_aip("B")
    world.retention.save_decisions([decision(a, revisie=3), decision(b, revisie=2, geschreven=2)])

    world.retention.mark_all_written([(a, 3), (b, 1), (uuid.uuid4(), 1)])

    assert world.retention.get_decision(a).geschreven == 3
    assert world.retention.get_decision(b).geschreven == 2
