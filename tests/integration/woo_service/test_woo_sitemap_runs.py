"""Sitemap runs on a real e-depot (SQLite): concurrent publications each end up in the sitemaps, and
a run loads only the documents that changed (and their neighbours in a re-rendered sitemap)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from edepot.mdto.model import GEEN_BEPERKING
from edepot.model import RecordEntry
from edepot.woo import diwoo, lijsten, sitemaps
from edepot.woo.sitemaps import SitemapState
from edepot.woo_metadata import NieuwePublicatie
from edepot.woo_ports import PublicatieRij
from edepot.woo_service import WooService
from tests.integration.woo_service.conftest import World, ingest_record, pdf_bytes


def nieuw(record: RecordEntry, categorie: str = "beschikkingen") -> NieuwePublicatie:
    return NieuwePublicatie.uit_json(
        {
            "officiele_titel": f"Publicatie van {record.naam}",
            "informatiecategorieen": [categorie],
            "documenten": [
                {
                    "record_id": str(record.id),
                    "documenthandelingen": [{"soort": "vaststelling", "tijdstip": "2025-05-28T10:00:00+02:00"}],
                }
            ],
        }
    )


def open_records(world: World, aantal: int) -> list[RecordEntry]:
    return [
        ingest_record(
            world.services, f"open-{n}", f"Besluit {n}", f"besluit-{n}.pdf", pdf_bytes(f"Besluit {n}."), GEEN_BEPERKING
        )
        for n in range(aantal)
    ]


def url_of(world: World, publicatie: PublicatieRij) -> str:
    (stuk,) = world.woo.catalog.stukken(publicatie.id)
    assert stuk.url is not None
    return stuk.url


def test_two_publications_at_the_same_moment_both_end_up_in_the_sitemaps_and_the_files(world: World) -> None:
    records = open_records(world, 4)
    publicaties = [world.woo.create(nieuw(r), "redacteur") for r in records]
    start = threading.Barrier(len(publicaties))
    fouten: list[BaseException] = []

    def publiceer(publicatie: PublicatieRij) -> None:
        try:
            start.wait(10)
            world.woo.publish(publicatie.id, "redacteur")
        except BaseException as exc:
            fouten.append(exc)

    draden = [threading.Thread(target=publiceer, args=(p,)) for p in publicaties]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join(60)

    assert fouten == []
    verwacht = {url_of(world, p) for p in publicaties}
    state = world.woo.catalog.sitemap_state()
    assert set(state.bestand_van()) == verwacht
    geschreven = b"".join(world.woo.site_bestand(naam) for naam in state.sitemaps)
    assert all(url.encode() in geschreven for url in verwacht)
    assert world.woo.sitemaps()["geschreven"] == []  # the files already match the catalog


class Telling:
    """The real catalog, noting which documents a sitemap run loads by url."""

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog
        self.geladen: list[str] = []

    def __getattr__(self, naam: str) -> Any:
        return getattr(self.catalog, naam)

    def sitemap_regels(self, urls: Any = None) -> Any:
        regels = self.catalog.sitemap_regels(urls)
        self.geladen += [r.url for r in regels] if urls is None else list(urls)
        return regels

    def stukken_met_urls(self, urls: Any) -> Any:
        raise AssertionError("documents published with a sitemap entry are never rebuilt from their metadata")


def test_a_run_loads_only_the_changed_documents_and_the_neighbours_of_a_rewritten_sitemap(world: World) -> None:
    eerste, buur, elders = open_records(world, 3)
    telling = Telling(world.woo.catalog)
    woo = WooService(world.services, telling)  # type: ignore[arg-type]
    a = woo.create(nieuw(eerste), "redacteur")
    woo.publish(a.id, "redacteur")
    assert telling.geladen == [url_of(world, a)]

    telling.geladen.clear()
    assert woo.sitemaps()["gelezen"] == 0 and telling.geladen == []  # nothing changed: nothing loaded

    b = woo.create(nieuw(buur), "redacteur")  # same category and month: a's sitemap is rendered again
    woo.publish(b.id, "redacteur")
    assert sorted(telling.geladen) == sorted([url_of(world, b), url_of(world, a)])

    telling.geladen.clear()
    c = woo.create(nieuw(elders, categorie="convenanten"), "redacteur")  # a sitemap of its own
    woo.publish(c.id, "redacteur")
    assert telling.geladen == [url_of(world, c)]

    telling.geladen.clear()
    woo.retract(b.id, "correctie privacygevoelige gegevens", None, "redacteur")
    assert telling.geladen == [url_of(world, a)]  # a's sitemap loses b: only a is rendered again
    assert set(world.woo.catalog.sitemap_state().bestand_van()) == {url_of(world, a), url_of(world, c)}


def test_documents_published_before_their_sitemap_entry_was_stored_are_rendered_to_the_same_bytes(
    world: World,
) -> None:
    publicaties = [world.woo.create(nieuw(r), "redacteur") for r in open_records(world, 2)]
    for publicatie in publicaties:
        world.woo.publish(publicatie.id, "redacteur")
    state = world.woo.catalog.sitemap_state()
    voor = {naam: world.woo.site_bestand(naam) for naam in [*state.sitemaps, *state.indexen]}
    for publicatie in publicaties:  # as migration 0008 leaves rows of earlier publications
        rij = world.woo.catalog.get_publicatie(publicatie.id)
        kaal = [
            replace(s, sitemap_categorie=None, sitemap_fragment=None) for s in world.woo.catalog.stukken(publicatie.id)
        ]
        world.woo.catalog.save(rij, kaal, revisie=rij.revisie)
    world.woo.catalog.save_sitemap_state(state, SitemapState())
    for naam in voor:
        (world.woo.site_path / naam).unlink()

    uitkomst = world.woo.sitemaps()

    assert sorted(uitkomst["geschreven"]) == sorted(voor)
    assert {naam: world.woo.site_bestand(naam) for naam in voor} == voor


def test_publishing_stores_each_documents_sitemap_entry_as_the_sitemap_shows_it(world: World) -> None:
    publicatie = world.woo.create(nieuw(world.open), "redacteur")

    world.woo.publish(publicatie.id, "redacteur")

    (stuk,) = world.woo.catalog.stukken(publicatie.id)
    rij = world.woo.catalog.get_publicatie(publicatie.id)
    assert stuk.url is not None and rij.gepubliceerd_op is not None
    assert stuk.sitemap_categorie == lijsten.informatiecategorieen().op_label("beschikkingen").resource
    assert stuk.sitemap_fragment is not None and stuk.sitemap_fragment.startswith(b"<diwoo:Document")
    assert stuk.sitemap_fragment == diwoo.document_fragment(
        world.woo.model(rij, []), world.woo.model(rij, [stuk]).documenten[0]
    )
    blok = sitemaps.Url(stuk.url, stuk.gewijzigd_op, stuk.sitemap_categorie, rij.gepubliceerd_op, stuk.sitemap_fragment)
    (sitemap,) = world.woo.catalog.sitemap_state().sitemaps
    assert blok.blok() in world.woo.site_bestand(sitemap)
