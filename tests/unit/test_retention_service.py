"""The retention use cases, specified on in-memory fakes: the nightly job, metadata revisions, the
approval workflow, destruction with its rechecks and verklaring, and transfer."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from edepot import bagcheck
from edepot.auth.principal import Forbidden
from edepot.catalog.retention_memory import InMemoryRetentionCatalog
from edepot.errors import Conflict, InvalidInput, InvalidTransition, NotFound, StorageError
from edepot.mdto.model import Informatieobject
from edepot.mdto.reader import from_xml
from edepot.model import AipStatus
from edepot.retention_mapping import load_mapping
from edepot.retention_service import RetentionService, RetentionSettings
from edepot.retention_workflow import ItemStatus, LijstSoort, LijstStatus, UitsluitingSoort
from edepot.selectielijst import DEFAULT_DIR, Waardering
from edepot.storage.memory import InMemoryObjectStore
from edepot.storage.s3 import Retention, RetentionMode
from tests.unit.retention_world import ARCHIVARIS, DIM, TODAY, Dossier, World, make_world, principal

V57 = Dossier("057", "Provisa 2005, categorie 57")  # V, P10Y after 1 January after closure (1993)
B5 = Dossier("005", "Provisa 2005, categorie 5", "1987", "1992")  # B: transfer 20 years after 1992-12-31
ONBEKEND = Dossier("099", "Provisa 2005, categorie 999")
ZONDER_DATUM = Dossier("zd", "Provisa 2005, categorie 57", None, None)
ZONDER_CATEGORIE = Dossier("zc", None)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def lijst_of(world: World, soort: LijstSoort):
    (found,) = world.retention.catalog.lists(soort=soort, status=LijstStatus.CONCEPT)
    return world.retention.catalog.get_list(found.id)


def approved(world: World, soort: LijstSoort = LijstSoort.VERNIETIGING):
    lijst = lijst_of(world, soort)
    world.retention.submit(lijst.id, DIM)
    waiting = world.retention.approve(lijst.id, ARCHIVARIS)
    world.clock.advance(timedelta(days=8))
    return waiting


# --- bad input first ---------------------------------------------------------------------------


def test_settings_refuse_a_bad_number_of_days_and_a_bad_date() -> None:
    with pytest.raises(InvalidInput, match="WACHTTIJD"):
        RetentionSettings.from_env({"EDEPOT_RETENTION_WACHTTIJD_DAGEN": "zeven"})
    with pytest.raises(InvalidInput, match="negative"):
        RetentionSettings.from_env({"EDEPOT_RETENTION_GRACE_DAGEN": "-1"})
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        RetentionSettings.from_env({"EDEPOT_RETENTION_NIEUWE_ARCHIEFWET_VANAF": "1-1-2027"})
    settings = RetentionSettings.from_env(
        {"EDEPOT_RETENTION_WACHTTIJD_DAGEN": "14", "EDEPOT_RETENTION_NIEUWE_ARCHIEFWET_VANAF": "2027-01-01"}
    )
    assert settings.wachttijd == timedelta(days=14) and settings.nieuwe_archiefwet_vanaf == date(2027, 1, 1)


def test_an_unknown_list_is_not_found_and_an_unknown_aip_cannot_be_held(world: World) -> None:
    with pytest.raises(NotFound):
        world.retention.show(UUID(int=1))
    with pytest.raises(NotFound):
        world.retention.place_exclusion(UUID(int=1), UitsluitingSoort.LEGAL_HOLD, "rechtszaak", door="dim")


def test_an_exclusion_needs_a_reason_and_the_unknown_category_kind_is_the_nightly_jobs_own(world: World) -> None:
    ids = world.ingest(V57)
    with pytest.raises(InvalidInput, match="reason"):
        world.retention.place_exclusion(ids["057"], UitsluitingSoort.LEGAL_HOLD, "  ", door="dim")
    with pytest.raises(InvalidInput, match="nightly"):
        world.retention.place_exclusion(ids["057"], UitsluitingSoort.ONBEKENDE_CATEGORIE, "x", door="dim")


# --- the nightly job ---------------------------------------------------------------------------


def test_the_nightly_job_on_an_empty_depot_decides_nothing_and_proposes_no_list(world: World) -> None:
    report = world.retention.nightly(TODAY)
    assert (report.decided, report.facts_added, report.revisions_written) == (0, 0, 0)
    assert world.retention.catalog.lists() == []


def test_every_stored_record_gets_a_decision_with_its_reason(world: World) -> None:
    ids = world.ingest(V57, B5, ONBEKEND, ZONDER_DATUM, ZONDER_CATEGORIE)

    report = world.retention.nightly(TODAY)

    assert report.decided == 5 and report.decisions == {"B": 1, "N": 3, "V": 1}
    v = world.retention.catalog.get_decision(ids["057"])
    assert (v.waardering, v.selectielijst, v.categorie, v.bewaartermijn) == (Waardering.V, "Provisa 2005", "57", "P10Y")
    assert (v.brondatum, v.termijnstart, v.archiefactiedatum) == (
        date(1993, 12, 31),
        date(1994, 1, 1),
        date(2004, 1, 1),
    )
    assert v.categorie_omschrijving and "(due)" not in v.reden
    b = world.retention.catalog.get_decision(ids["005"])
    assert (b.waardering, b.overbrengingsdatum) == (Waardering.B, date(2012, 12, 31))
    assert world.retention.catalog.get_decision(ids["099"]).code == "retention.categorie.onbekend"
    assert world.retention.catalog.get_decision(ids["zd"]).code == "retention.aanmaakdatum.ontbreekt"
    assert world.retention.catalog.get_decision(ids["zc"]).code == "retention.categorie.ontbreekt"


def test_records_whose_category_is_unknown_are_excluded_with_the_reason(world: World) -> None:
    ids = world.ingest(ONBEKEND)
    report = world.retention.nightly(TODAY)
    assert report.exclusions == {"onbekende categorie": 1}
    (exclusion,) = world.retention.catalog.exclusions(aip_id=ids["099"], open_only=True)
    assert "999" in exclusion.reden


def test_the_nightly_job_proposes_the_due_v_records_for_destruction_and_the_due_b_records_for_transfer(
    world: World,
) -> None:
    ids = world.ingest(V57, B5, ONBEKEND, Dossier("later", "Provisa 2005, categorie 56", "2010", "2013"))
    report = world.retention.nightly(TODAY)

    vernietiging = lijst_of(world, LijstSoort.VERNIETIGING)
    overbrenging = lijst_of(world, LijstSoort.OVERBRENGING)
    assert [i.aip_id for i in vernietiging.items] == [ids["057"]]
    assert [i.aip_id for i in overbrenging.items] == [ids["005"]]
    assert vernietiging.status is LijstStatus.CONCEPT and vernietiging.peildatum == TODAY
    assert report.lists["vernietigingslijst"]["added"] == 1


def test_the_new_archiefwet_brings_transfer_forward_to_ten_years_from_its_date(tmp_path: Path) -> None:
    world = make_world(tmp_path, settings=RetentionSettings(nieuwe_archiefwet_vanaf=date(2000, 1, 1)))
    ids = world.ingest(replace(B5, begin="2005", eind="2008"), replace(B5, key="oud"))
    world.retention.nightly(TODAY)
    assert world.retention.catalog.get_decision(ids["005"]).overbrengingsdatum == date(2018, 12, 31)
    assert world.retention.catalog.get_decision(ids["oud"]).overbrengingsdatum == date(2012, 12, 31)


def test_running_the_nightly_job_twice_changes_nothing(world: World) -> None:
    world.ingest(V57, B5, ONBEKEND)
    world.retention.nightly(TODAY)
    keys = list(world.store.keys())
    events = sum(1 for _ in world.services.catalog.events())

    again = world.retention.nightly(TODAY)

    assert (again.decided, again.changed, again.facts_added, again.revisions_written) == (0, 0, 0, 0)
    assert {info["added"] for info in again.lists.values()} == {0}
    assert list(world.store.keys()) == keys
    assert sum(1 for _ in world.services.catalog.events()) == events + 1  # only the run's own event
    assert world.services.verify_events() == []


def test_deciding_per_group_gives_every_aip_exactly_the_decision_it_gets_alone(world: World) -> None:
    ids = world.ingest(
        V57,
        replace(V57, key="057-b", begin="1991"),  # the same group as 057: another creation date only
        replace(V57, key="057-c", eind="1994"),
        B5,
        ONBEKEND,
        replace(ONBEKEND, key="099-b", begin="1988"),
        ZONDER_DATUM,
        ZONDER_CATEGORIE,
    )
    world.retention.nightly(TODAY)
    now, regels = world.clock.now(), world.retention.regels_hash()

    for aip_id in ids.values():
        feiten = world.retention.catalog.get_facts(aip_id)
        alone = world.retention.decision_for(feiten, None, TODAY, now=now, regels=regels)
        stored = world.retention.catalog.get_decision(aip_id)
        assert stored.inhoud() == alone.inhoud()
        assert (stored.aip_id, stored.record_id, stored.revisie) == (aip_id, feiten.record_id, 1)


def test_a_group_whose_n_reason_names_the_creation_date_is_decided_per_aip(world: World) -> None:
    world.retention._lists = tuple(replace(s, geldig_van=date(1991, 1, 1)) for s in world.retention.lists)
    ids = world.ingest(replace(V57, begin="1989"), replace(V57, key="057-b", begin="1990"))  # one group, both N

    world.retention.nightly(TODAY)

    redenen = [world.retention.catalog.get_decision(ids[k]).reden for k in ("057", "057-b")]
    assert "created on 1989-01-01" in redenen[0] and "created on 1990-01-01" in redenen[1]


def test_a_later_day_only_adds_what_became_due(world: World) -> None:
    ids = world.ingest(Dossier("2016", "Provisa 2005, categorie 57", "2012", "2013"))  # due 2024-01-01
    world.retention.nightly(date(2023, 12, 31))
    assert world.retention.catalog.lists() == []
    world.retention.nightly(date(2024, 1, 1))
    assert [i.aip_id for i in lijst_of(world, LijstSoort.VERNIETIGING).items] == [ids["2016"]]


def test_a_legal_hold_keeps_a_record_off_the_list_until_it_is_lifted(world: World) -> None:
    ids = world.ingest(V57)
    hold = world.retention.place_exclusion(ids["057"], UitsluitingSoort.LEGAL_HOLD, "rechtszaak 2026/12", door="dim")
    world.retention.nightly(TODAY)
    assert world.retention.catalog.lists() == []
    assert world.retention.nightly(TODAY).exclusions == {"legal hold": 1}

    world.retention.lift_exclusion(hold.id, "uitspraak gedaan", door="dim")
    world.retention.nightly(TODAY)
    assert [i.aip_id for i in lijst_of(world, LijstSoort.VERNIETIGING).items] == [ids["057"]]


def test_a_changed_mapping_maps_again_from_the_kept_properties_without_reading_storage(
    world: World, tmp_path: Path
) -> None:
    ids = world.ingest(ONBEKEND)
    world.retention.nightly(TODAY)
    folder = tmp_path / "lijsten"
    folder.mkdir()
    data = json.loads((DEFAULT_DIR / "mapping.json").read_text())
    data["bronnen"]["analogue"]["categorie"].insert(
        0,
        {
            "uit": "classificatie",
            "begrippenlijst": "Provisa 2005",
            "veld": "label",
            "tabel": {"Provisa 2005, categorie 999": "Provisa 2005/57"},
        },
    )
    (folder / "mapping.json").write_text(json.dumps(data))
    remapped = RetentionService(world.services, world.retention.catalog, mapping=load_mapping(folder / "mapping.json"))
    world.store.remove(f"aips/{ids['099']}/bag-info.txt")  # proves the bag is not read again

    report = remapped.nightly(TODAY)

    assert (report.facts_remapped, report.changed, report.exclusions_lifted) == (1, 1, 1)
    decision = world.retention.catalog.get_decision(ids["099"])
    assert (decision.waardering, decision.categorie, decision.revisie) == (Waardering.V, "57", 2)


# --- metadata revisions ------------------------------------------------------------------------


def test_a_decision_is_written_as_a_metadata_revision_bag_and_the_stored_aip_is_untouched(world: World) -> None:
    ids = world.ingest(V57)
    aip_keys = {k: world.store.open(k).read() for k in world.store.keys(f"aips/{ids['057']}/")}

    world.retention.nightly(TODAY)

    prefix = f"revisions/{ids['057']}/0001"
    assert bagcheck.validate_stored_bag(world.store, prefix) == []
    assert {k: world.store.open(k).read() for k in world.store.keys(f"aips/{ids['057']}/")} == aip_keys
    assert world.services.verify_aip(ids["057"]) == []
    revised = from_xml(world.store.open(f"{prefix}/data/057/057.mdto.xml").read(), source="revision")
    assert isinstance(revised, Informatieobject)
    assert (revised.waardering.code, revised.bewaartermijn.looptijd, revised.bewaartermijn.einddatum) == (
        "V",
        "P10Y",
        "2004-01-01",
    )
    assert revised.informatiecategorie is not None and revised.informatiecategorie.code == "57"
    assert revised.event[-1].type.label == "Wijziging"
    decision = json.loads(world.store.open(f"{prefix}/retention-decision.json").read())
    assert decision["besluit"]["archiefactiedatum"] == "2004-01-01"
    assert world.retention.catalog.get_decision(ids["057"]).geschreven == 1


def test_a_b_decision_has_no_bewaartermijn_in_its_revision_and_n_decisions_write_none(world: World) -> None:
    ids = world.ingest(B5, ONBEKEND)
    world.retention.nightly(TODAY)
    revised = from_xml(world.store.open(f"revisions/{ids['005']}/0001/data/005/005.mdto.xml").read(), source="r")
    assert isinstance(revised, Informatieobject)
    assert revised.waardering.code == "B" and revised.bewaartermijn is None
    assert list(world.store.keys(f"revisions/{ids['099']}/")) == []


def test_a_rebuild_from_storage_alone_keeps_the_aips_and_restores_the_decisions(world: World) -> None:
    ids = world.ingest(V57, B5)
    world.retention.nightly(TODAY)

    result = world.services.rebuild_catalog()
    fresh = RetentionService(world.services, InMemoryRetentionCatalog(world.services.catalog))
    restored = fresh.restore_from_storage()

    assert sorted(result["rebuilt"]) == sorted(str(i) for i in ids.values()) and result["skipped"] == []
    assert restored == {"restored": 2, "kept": 0}
    assert fresh.catalog.get_decision(ids["057"]).archiefactiedatum == date(2004, 1, 1)
    report = fresh.nightly(TODAY)
    assert report.revisions_written == 0
    assert fresh.catalog.get_decision(ids["057"]).revisie == 1


# --- the workflow ------------------------------------------------------------------------------


def test_only_the_archivaris_approves_and_never_the_one_who_submitted(world: World) -> None:
    world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = lijst_of(world, LijstSoort.VERNIETIGING)
    with pytest.raises(InvalidTransition):
        world.retention.approve(lijst.id, ARCHIVARIS)
    with pytest.raises(Forbidden):
        world.retention.submit(lijst.id, ARCHIVARIS)
    world.retention.submit(lijst.id, DIM)
    with pytest.raises(Forbidden):
        world.retention.approve(lijst.id, DIM)
    both = replace(ARCHIVARIS, subject=DIM.subject, display_name=DIM.display_name)
    with pytest.raises(Forbidden, match="another person"):
        world.retention.approve(lijst.id, both)

    waiting = world.retention.approve(lijst.id, ARCHIVARIS)

    assert waiting.status is LijstStatus.WACHTTIJD and waiting.beoordeeld_door == ARCHIVARIS.agent
    assert waiting.wachttijd_tot is not None and waiting.goedgekeurde_revisie == waiting.revisie


def test_an_approval_of_a_list_that_changed_meanwhile_is_refused(world: World) -> None:
    ids = world.ingest(V57, replace(V57, key="058"))
    world.retention.nightly(TODAY)
    lijst = lijst_of(world, LijstSoort.VERNIETIGING)
    seen = world.retention.submit(lijst.id, DIM)
    world.retention.remove_item(lijst.id, ids["058"], DIM, "nog in gebruik", date(2030, 1, 1))
    with pytest.raises(Conflict, match="changed meanwhile"):
        world.retention.approve(lijst.id, ARCHIVARIS, revisie=seen.revisie)


def test_a_rejection_gives_a_reason_per_item_and_the_reworked_list_goes_back_for_review(world: World) -> None:
    ids = world.ingest(V57, replace(V57, key="058"))
    world.retention.nightly(TODAY)
    lijst = lijst_of(world, LijstSoort.VERNIETIGING)
    world.retention.submit(lijst.id, DIM)
    with pytest.raises(InvalidInput, match="reason"):
        world.retention.reject(lijst.id, ARCHIVARIS, "")
    with pytest.raises(InvalidInput, match="not on list"):
        world.retention.reject(lijst.id, ARCHIVARIS, "nee", {UUID(int=7): "?"})

    rejected = world.retention.reject(lijst.id, ARCHIVARIS, "058 is nog nodig", {ids["058"]: "lopende procedure"})

    assert rejected.status is LijstStatus.AFGEWEZEN and rejected.reden == "058 is nog nodig"
    item = next(i for i in rejected.items if i.aip_id == ids["058"])
    assert (item.status, item.reden) == (ItemStatus.AFGEWEZEN, "lopende procedure")
    with pytest.raises(InvalidInput, match="not after today"):
        world.retention.remove_item(lijst.id, ids["058"], DIM, "procedure", TODAY)
    world.retention.remove_item(lijst.id, ids["058"], DIM, "procedure", date(2031, 6, 1))
    again = world.retention.submit(lijst.id, DIM)
    assert again.status is LijstStatus.TER_BEOORDELING
    assert {i.aip_id: i.status for i in again.items} == {
        ids["057"]: ItemStatus.VOORGESTELD,
        ids["058"]: ItemStatus.VERWIJDERD,
    }


def test_a_removed_item_gets_its_new_archiefactiedatum_and_is_not_proposed_before_it(world: World) -> None:
    ids = world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = lijst_of(world, LijstSoort.VERNIETIGING)
    world.retention.remove_item(lijst.id, ids["057"], DIM, "nog nodig voor evaluatie", date(2027, 1, 1))

    world.retention.nightly(TODAY)

    decision = world.retention.catalog.get_decision(ids["057"])
    assert decision.archiefactiedatum == date(2027, 1, 1) and "set by hand" in decision.reden
    assert world.retention.catalog.get_list(lijst.id).tellingen == {"verwijderd": 1}
    world.retention.nightly(date(2027, 1, 1))
    assert world.retention.catalog.get_list(lijst.id).tellingen == {"verwijderd": 1}, "not back on the same list"
    world.retention.cancel(lijst.id, DIM, "leeg")
    world.retention.nightly(date(2027, 1, 1))
    assert [i.aip_id for i in lijst_of(world, LijstSoort.VERNIETIGING).items] == [ids["057"]]


def test_a_list_is_cancellable_in_its_waiting_period_but_not_once_executed(world: World) -> None:
    world.ingest(V57, replace(V57, key="058"))
    world.retention.nightly(TODAY)
    lijst = approved(world)
    with pytest.raises(InvalidInput):
        world.retention.cancel(lijst.id, DIM, "")
    cancelled = world.retention.cancel(lijst.id, ARCHIVARIS, "toch niet")
    assert cancelled.status is LijstStatus.GEANNULEERD

    world.retention.nightly(TODAY)  # the items are proposed again on a new list
    second = approved(world)
    world.retention.execute(second.id, DIM)
    with pytest.raises((Conflict, InvalidTransition)):
        world.retention.cancel(second.id, DIM, "te laat")


# --- destruction -------------------------------------------------------------------------------


def test_nothing_is_destroyed_before_approval_or_during_the_waiting_period(world: World) -> None:
    ids = world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = lijst_of(world, LijstSoort.VERNIETIGING)
    with pytest.raises(Conflict, match="not approved"):
        world.retention.execute(lijst.id, DIM)
    world.retention.submit(lijst.id, DIM)
    world.retention.approve(lijst.id, ARCHIVARIS)
    with pytest.raises(Conflict, match="waiting period"):
        world.retention.execute(lijst.id, DIM)
    assert world.keys_of(ids["057"])


def test_an_approved_destruction_deletes_every_copy_keeps_a_tombstone_and_a_permanent_verklaring(world: World) -> None:
    ids = world.ingest(V57, B5)
    world.retention.nightly(TODAY)
    lijst = approved(world)

    report = world.retention.execute(lijst.id, DIM)

    aip_id = ids["057"]
    assert report.executed == [str(aip_id)] and report.lijst.status is LijstStatus.UITGEVOERD
    assert world.keys_of(aip_id) == []
    assert world.services.catalog.get_aip(aip_id).status is AipStatus.VERNIETIGD
    assert world.keys_of(ids["005"]), "the B record is untouched"
    (stone,) = world.retention.catalog.tombstones(lijst_id=lijst.id)
    assert (stone.source_key, stone.categorie, stone.archiefactiedatum) == ("1987-1996/057", "57", date(2004, 1, 1))
    assert stone.goedgekeurd_door == ARCHIVARIS.agent and stone.opslag["memory"]["verwijderd"] > 5
    verklaring = report.verklaring
    assert verklaring is not None and verklaring.aip_id is not None
    stored = world.services.get_aip(verklaring.aip_id)
    assert stored.source == "edepot" and {f.path.rsplit("/", 1)[-1] for f in stored.files} >= {
        "verklaring-van-vernietiging.pdf",
        "verklaring-van-vernietiging.csv",
    }
    csv_entry = next(f for f in stored.files if f.path.endswith("verklaring-van-vernietiging.csv"))
    rows = list(csv.DictReader(io.StringIO(world.store.open(csv_entry.key).read().decode())))
    assert [(r["kenmerk"], r["categorie"], r["goedgekeurd_door"]) for r in rows] == [
        ("1987-1996/057", "57", ARCHIVARIS.agent)
    ]
    assert "memory" in rows[0]["systemen"]
    pdf_entry = next(f for f in stored.files if f.path.endswith(".pdf"))
    assert world.store.open(pdf_entry.key).read().startswith(b"%PDF")

    world.retention.nightly(TODAY)  # the verklaring itself is kept permanently
    kept = world.retention.catalog.get_decision(verklaring.aip_id)
    assert (kept.waardering, kept.code) == (Waardering.B, "retention.vast")


def test_executing_a_finished_list_again_destroys_and_ingests_nothing_more(world: World) -> None:
    world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = approved(world)
    world.retention.execute(lijst.id, DIM)
    aips = len(world.services.catalog.list_aips(status=None))
    with pytest.raises(Conflict):
        world.retention.execute(lijst.id, DIM)
    assert len(world.services.catalog.list_aips(status=None)) == aips


def test_a_hold_placed_during_the_waiting_period_blocks_the_item_right_before_acting(world: World) -> None:
    ids = world.ingest(V57, replace(V57, key="058"))
    world.retention.nightly(TODAY)
    lijst = approved(world)
    world.retention.place_exclusion(ids["058"], UitsluitingSoort.WOO_VERZOEK, "Woo-verzoek 2026-14", door="dim")

    report = world.retention.execute(lijst.id, DIM)

    assert report.blocked == [{"aip_id": str(ids["058"]), "reden": "woo-verzoek: Woo-verzoek 2026-14"}]
    assert world.keys_of(ids["058"]) and not world.keys_of(ids["057"])
    assert report.lijst.status is LijstStatus.UITGEVOERD


def test_a_changed_decision_blocks_the_item(world: World) -> None:
    ids = world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = approved(world)
    current = world.retention.catalog.get_decision(ids["057"])
    world.retention.catalog.save_decisions([replace(current, revisie=2, archiefactiedatum=date(2040, 1, 1))])
    report = world.retention.execute(lijst.id, DIM)
    assert "decision changed" in report.blocked[0]["reden"] and world.keys_of(ids["057"])
    assert report.verklaring is None


class LockedStore(InMemoryObjectStore):
    """A write-once store whose objects are locked until `until` (as S3 Object Lock would)."""

    def __init__(self, clock) -> None:
        super().__init__("locked")
        self.clock = clock
        self.until = None

    def destroy_blocked(self, key, order):
        order.check(key, self.name)
        if self.until is not None and self.clock.current < self.until:
            return f"{key} is locked until {self.until.isoformat()}"
        return None


def test_an_object_still_locked_keeps_the_item_waiting_with_the_reason_and_nothing_is_deleted(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = LockedStore(world.clock)
    world.services.store = store
    world.retention.stores = (store,)
    ids = world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = approved(world)
    store.until = world.clock.current + timedelta(days=30)

    report = world.retention.execute(lijst.id, DIM)

    assert "locked until" in report.waiting[0]["reden"] and report.lijst.status is LijstStatus.WACHTTIJD
    assert world.keys_of(ids["057"])
    item = world.retention.catalog.get_list(lijst.id).items[0]
    assert item.status is ItemStatus.WACHT

    world.clock.advance(timedelta(days=31))
    again = world.retention.execute(lijst.id, DIM)
    assert again.executed == [str(ids["057"])] and again.lijst.status is LijstStatus.UITGEVOERD
    assert world.keys_of(ids["057"]) == []


class LockableStore(InMemoryObjectStore):
    """An in-memory store with Object Lock retention per key, counting every retain-until it sets
    (as S3 would: a retention is only ever extended)."""

    def __init__(self, *, refuse: bool = False) -> None:
        super().__init__("lockable")
        self.retention: dict[str, Retention] = {}
        self.sets = 0
        self.refuse = refuse

    def get_retention(self, key: str) -> Retention | None:
        return self.retention.get(key)

    def set_retention(self, key: str, until: datetime) -> None:
        if self.refuse:
            raise StorageError(f"{key}: the bucket has no Object Lock", hint="enable Object Lock")
        current = self.retention.get(key)
        assert current is None or current.until <= until, "a retention is never shortened"
        self.retention[key] = Retention(RetentionMode.COMPLIANCE, until)
        self.sets += 1


def lockable_world(tmp_path: Path, *, refuse: bool = False) -> tuple[World, LockableStore]:
    world = make_world(tmp_path)
    store = LockableStore(refuse=refuse)
    world.services.store = store
    world.retention.stores = (store,)
    return world, store


def test_a_store_that_refuses_the_lock_of_an_n_decision_gives_a_warning_and_the_night_goes_on(
    tmp_path: Path,
) -> None:
    world, _ = lockable_world(tmp_path, refuse=True)
    ids = world.ingest(ONBEKEND)

    report = world.retention.nightly(TODAY)

    assert report.decisions == {"N": 1} and report.locks_extended == 0
    assert [w.rule for w in report.warnings] == ["retention.lock"] and report.warnings[0].object == str(ids["099"])


def test_an_n_decision_keeps_its_aip_locked_for_the_horizon_without_a_revision(tmp_path: Path) -> None:
    world, store = lockable_world(tmp_path)
    ids = world.ingest(ONBEKEND, V57)
    horizon = world.retention.settings.horizon
    before = world.clock.current

    report = world.retention.nightly(TODAY)

    n_keys = world.keys_of(ids["099"])
    assert n_keys and all(key.startswith("aips/") for key in n_keys), "N writes no revision"
    assert report.locks_extended == 1 and report.revisions_written == 1  # the V record's revision only
    for key in n_keys:
        until = store.get_retention(key).until
        assert before + horizon < until <= world.clock.current + horizon


def test_a_second_night_does_not_set_the_lock_of_an_n_decision_again(tmp_path: Path) -> None:
    world, store = lockable_world(tmp_path)
    ids = world.ingest(ONBEKEND)
    world.retention.nightly(TODAY)
    set_first = store.sets
    locked = {key: store.get_retention(key) for key in world.keys_of(ids["099"])}
    world.clock.advance(timedelta(days=1))

    again = world.retention.nightly(TODAY + timedelta(days=1))

    assert set_first == len(locked) and store.sets == set_first and again.locks_extended == 0
    assert {key: store.get_retention(key) for key in locked} == locked


def test_an_n_lock_is_extended_again_once_less_than_half_the_horizon_is_left(tmp_path: Path) -> None:
    world, store = lockable_world(tmp_path)
    ids = world.ingest(ONBEKEND)
    world.retention.nightly(TODAY)
    horizon = world.retention.settings.horizon
    first = {key: store.get_retention(key).until for key in world.keys_of(ids["099"])}

    world.clock.advance(horizon / 2 - timedelta(days=2))  # still more than half left: kept as it is
    world.retention.nightly(TODAY)
    assert {key: store.get_retention(key).until for key in first} == first

    world.clock.advance(timedelta(days=3))  # less than half left: now + horizon again
    report = world.retention.nightly(TODAY)
    assert report.locks_extended == 1
    for key, until in first.items():
        assert store.get_retention(key).until > until + horizon / 2 - timedelta(days=1)


def test_replicas_lock_an_n_decision_in_their_lockable_copy_and_without_one_nothing_is_counted(
    tmp_path: Path,
) -> None:
    from edepot.storage.replicas import Replicas

    world = make_world(tmp_path)
    plain = Replicas([InMemoryObjectStore("een"), InMemoryObjectStore("twee")])
    world.services.store = plain
    world.retention.stores = (plain,)
    world.ingest(ONBEKEND)
    assert world.retention.nightly(TODAY).locks_extended == 0

    world = make_world(tmp_path / "s3")
    lockable = LockableStore()
    replicas = Replicas([InMemoryObjectStore("schijf"), lockable])
    world.services.store = replicas
    world.retention.stores = (replicas,)
    ids = world.ingest(ONBEKEND)
    assert world.retention.nightly(TODAY).locks_extended == 1
    keys = list(lockable.keys(f"aips/{ids['099']}/"))
    assert keys and all(lockable.get_retention(key) is not None for key in keys)
    assert world.retention.nightly(TODAY).locks_extended == 0


def test_an_n_lock_stopped_halfway_is_completed_by_the_next_night(tmp_path: Path) -> None:
    world, store = lockable_world(tmp_path)
    ids = world.ingest(ONBEKEND)
    keys = sorted(world.keys_of(ids["099"]))
    ingest_lock = world.clock.current + timedelta(days=365)
    for key in keys:  # as the ingest leaves it: a year
        store.retention[key] = Retention(RetentionMode.COMPLIANCE, ingest_lock)
    store.retention[keys[0]] = Retention(RetentionMode.COMPLIANCE, ingest_lock + timedelta(days=3650))

    report = world.retention.nightly(TODAY)

    assert report.locks_extended == 1
    assert all(store.get_retention(key).until > ingest_lock + timedelta(days=3000) for key in keys)


def test_a_store_refuses_to_delete_an_object_outside_the_order(world: World) -> None:
    from edepot.errors import UnsafeInput
    from edepot.retention_ports import Vernietigingsopdracht

    ids = world.ingest(V57, B5)
    order = Vernietigingsopdracht(UUID(int=1), ids["057"], "archivaris", world.clock.current)
    with pytest.raises(UnsafeInput, match="covers only"):
        world.store.destroy(f"aips/{ids['005']}/bag-info.txt", order)
    assert world.store.destroy(f"aips/{ids['057']}/bag-info.txt", order) == [""]
    assert world.store.destroy(f"aips/{ids['057']}/bag-info.txt", order) == []


# --- transfer ----------------------------------------------------------------------------------


def test_a_transfer_exports_the_aips_as_bags_with_a_verklaring_and_the_restrictions_capped_at_75_years(
    world: World,
) -> None:
    beperkt = Dossier(
        "006",
        "Provisa 2005, categorie 5",
        "1985",
        "1990",
        beperking=(
            "Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0",
            "beperkt openbaar; eerbiediging van de persoonlijke levenssfeer (Archiefwet 1995)",
            "2100-01-01",
        ),
    )
    ids = world.ingest(B5, beperkt)
    world.retention.nightly(TODAY)
    lijst = approved(world, LijstSoort.OVERBRENGING)

    report = world.retention.execute(lijst.id, DIM)

    assert sorted(report.executed) == sorted(str(i) for i in ids.values())
    folder = world.retention.transfer_dir(lijst.id)
    for aip_id in ids.values():
        assert bagcheck.validate_bag(folder / "aips" / str(aip_id)) == []
        assert (folder / "revisions" / str(aip_id) / "0001" / "retention-decision.json").is_file()
    rows = list(csv.DictReader(io.StringIO((folder / "openbaarheidsbeperkingen.csv").read_text())))
    assert [(r["kenmerk"], r["openbaar_vanaf"], r["begrensd_op_75_jaar"]) for r in rows] == [
        ("006", "2065-12-31", "ja")
    ]
    assert (folder / "verklaring-van-overbrenging.pdf").read_bytes().startswith(b"%PDF")
    assert report.verklaring is not None and report.verklaring.locatie == str(folder)
    assert world.services.get_aip(report.verklaring.aip_id).source == "edepot"
    assert world.keys_of(ids["005"]), "transfer keeps the e-depot copy"

    world.retention.nightly(TODAY)
    assert all(
        lst.status is not LijstStatus.CONCEPT for lst in world.retention.catalog.lists(soort=LijstSoort.OVERBRENGING)
    )


def test_rendering_a_verklaring_twice_gives_the_same_bytes(world: World) -> None:
    from edepot.retention_verklaring import vernietiging_pdf

    world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = approved(world)
    world.retention.execute(lijst.id, DIM)
    graven = world.retention.catalog.tombstones()
    done = world.retention.catalog.get_list(lijst.id)
    assert vernietiging_pdf(done, graven, organisation="P") == vernietiging_pdf(done, graven, organisation="P")


def test_a_principal_without_a_retention_role_may_do_nothing(world: World) -> None:
    from edepot.auth.policy import Role

    world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = lijst_of(world, LijstSoort.VERNIETIGING)
    redacteur = principal(Role.WOO_REDACTEUR, "woo-jan")
    for call in (
        lambda: world.retention.submit(lijst.id, redacteur),
        lambda: world.retention.cancel(lijst.id, redacteur, "x"),
        lambda: world.retention.execute(lijst.id, redacteur),
    ):
        with pytest.raises(Forbidden):
            call()


def test_a_destruction_deletes_every_copy_of_a_replicated_store_and_names_each_in_the_tombstone(
    tmp_path: Path,
) -> None:
    from edepot.storage.replicas import Replicas

    world = make_world(tmp_path)
    first, second = InMemoryObjectStore("kopie-a"), InMemoryObjectStore("kopie-b")
    world.services.store = Replicas([first, second])
    world.retention.stores = (world.services.store,)
    ids = world.ingest(V57)
    world.retention.nightly(TODAY)
    lijst = approved(world)

    world.retention.execute(lijst.id, DIM)

    for copy in (first, second):
        assert list(copy.keys(f"aips/{ids['057']}/")) == [] and list(copy.keys(f"revisions/{ids['057']}/")) == []
    (stone,) = world.retention.catalog.tombstones()
    assert set(stone.opslag) == {"kopie-a", "kopie-b"} and stone.opslag["kopie-a"]["verwijderd"] > 5
