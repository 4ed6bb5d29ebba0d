"""The nightly job decides per group of equal engine inputs; every AIP must still get exactly the
decision `decide` gives it alone. Checked over many generated records, on the fake and on SQL."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from edepot.catalog.memory import InMemoryCatalog
from edepot.catalog.retention_memory import InMemoryRetentionCatalog
from edepot.catalog.retention_sql import SqlRetentionCatalog
from edepot.retention_service import NightlyReport, RetentionService, RetentionSettings
from edepot.retention_workflow import Feiten
from edepot.selectielijst import DEFAULT_DIR, Termijnaanvang, load_dir
from tests.support.backends import BACKENDS, contract_backend

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TODAY = NOW.date()


def _lists() -> list[Any]:
    (provisa,) = load_dir(DEFAULT_DIR)
    direct = replace(provisa, naam="Direct", termijnaanvang=Termijnaanvang.DIRECT, geldig_tot=None)
    return [provisa, direct]


def _generated(n: int, seed: int = 5) -> list[Feiten]:
    """Records over every category of both lists, with shared and leap-day end dates, some with a hand-set
    date, some created after the list stopped applying (N reasons naming the date), some undated."""
    rng = random.Random(seed)
    keys = [f"{s.naam}/{c.nummer}" for s in _lists() for c in s.categorieen] + ["Provisa 2005/999", None]
    ends = [date(1990, 1, 1) + timedelta(days=rng.randrange(0, 9000)) for _ in range(60)]
    ends += [date(1996, 2, 29), date(2000, 2, 29), date(2004, 2, 29), date(2000, 3, 1), date(1999, 12, 31)]
    found = []
    for i in range(n):
        created = date(1986, 1, 1) + timedelta(days=rng.randrange(0, 11_000))
        roll = rng.random()
        found.append(
            Feiten(
                aip_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                record_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                bron=rng.choice(["analogue", "zaaksysteem"]),
                source_key=f"gen/{i}",
                titel=f"dossier {i}",
                eigenschappen={},
                mapping_hash="m1",
                categorie=rng.choice(keys),
                aanmaakdatum=None if roll < 0.02 else created,
                einddatum=None if roll > 0.9 else rng.choice(ends),
                ander_datumkenmerk=rng.choice(ends) if roll > 0.6 else None,
            )
        )
    return found


@pytest.fixture(params=BACKENDS)
def retention(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RetentionService]:
    services = SimpleNamespace(clock=SimpleNamespace(now=lambda: NOW), store=None)
    settings = RetentionSettings(nieuwe_archiefwet_vanaf=date(2000, 3, 1))
    for catalog in contract_backend(
        request, tmp_path, lambda: InMemoryRetentionCatalog(InMemoryCatalog()), SqlRetentionCatalog
    ):
        yield RetentionService(services, catalog, settings=settings, lists=_lists())


def test_every_aip_decided_in_a_group_gets_exactly_the_decision_decide_gives_it_alone(
    retention: RetentionService,
) -> None:
    rows = _generated(3000)
    retention.catalog.put_facts(rows)
    regels = retention.regels_hash()

    grouped = NightlyReport(today=TODAY)
    omschrijvingen = {(s.naam, s.versie, c.nummer): c.omschrijving for s in retention.lists for c in s.categorieen}
    retention.decide_groups(TODAY, grouped, regels=regels, now=NOW, omschrijvingen=omschrijvingen)
    everything = NightlyReport(today=TODAY)
    retention.decide_all(TODAY, everything)

    assert grouped.decided > 0.9 * len(rows)  # the groups did nearly all the work
    assert grouped.decided + everything.decided == len(rows)
    for feiten in rows:
        alone = retention.decision_for(feiten, None, TODAY, now=NOW, regels=regels)
        stored = retention.catalog.get_decision(feiten.aip_id)
        assert (stored.inhoud(), stored.categorie_omschrijving) == (alone.inhoud(), alone.categorie_omschrijving)
        assert (stored.record_id, stored.revisie) == (feiten.record_id, 1)


def test_deciding_again_with_the_same_facts_keeps_every_revisie(retention: RetentionService) -> None:
    rows = _generated(500, seed=9)
    retention.catalog.put_facts(rows)
    retention.decide_all(TODAY, NightlyReport(today=TODAY))
    retention.catalog.put_facts([replace(f, revisie=2) for f in rows])  # new facts revisie, same content

    again = NightlyReport(today=TODAY)
    retention.decide_all(TODAY, again)

    assert (again.decided, again.changed) == (len(rows), 0)
    assert {retention.catalog.get_decision(f.aip_id).revisie for f in rows} == {1}


def test_a_night_with_nothing_to_decide_asks_for_groups_once_and_saves_none(retention: RetentionService) -> None:
    rows = _generated(200, seed=11)
    retention.catalog.put_facts(rows)
    regels = retention.regels_hash()
    retention.decide_all(TODAY, NightlyReport(today=TODAY))
    asked: list[object] = []
    real = retention.catalog.decision_groups
    retention.catalog.decision_groups = lambda *a, **k: asked.append(a) or real(*a, **k)  # type: ignore[method-assign]

    quiet = NightlyReport(today=TODAY)
    retention.decide_groups(TODAY, quiet, regels=regels, now=NOW, omschrijvingen={})

    assert (len(asked), quiet.decided, quiet.changed) == (1, 0, 0)
