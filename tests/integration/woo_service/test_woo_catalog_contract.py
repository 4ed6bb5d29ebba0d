"""One contract for the WooCatalog: in memory, on SQLite and on PostgreSQL (tables of migrations 0007-0008)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from edepot.catalog.woo_memory import InMemoryWooCatalog
from edepot.catalog.woo_sql import SqlWooCatalog
from edepot.errors import Conflict, NotFound
from edepot.woo import lijsten
from edepot.woo.model import PublicatieStatus, Verantwoordelijke
from edepot.woo.sitemaps import Url, Verwijdering, regenereer
from edepot.woo_ports import PublicatieRij, RedactieRij, SitemapRegel, StukRij, WooCatalog
from tests.support.backends import BACKENDS, contract_backend

T = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
BASIS = "https://open.limburg.example/"


@pytest.fixture(params=BACKENDS)
def woo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WooCatalog]:
    yield from contract_backend(request, tmp_path, InMemoryWooCatalog, SqlWooCatalog)


def publicatie(pid: str = "pub-1", at: datetime = T) -> PublicatieRij:
    return PublicatieRij(
        id=pid,
        officiele_titel="Besluit op Woo-verzoek",
        informatiecategorieen=(lijsten.informatiecategorieen().op_label("beschikkingen").resource,),
        verantwoordelijke=Verantwoordelijke.GEDEPUTEERDE_STATEN,
        status=PublicatieStatus.CONCEPT,
        aangemaakt_op=at,
        aangemaakt_door="redacteur",
        gewijzigd_op=at,
        kenmerken=("2025-0001",),
    )


def stuk(pid: str = "pub-1", nummer: int = 1) -> StukRij:
    return StukRij(
        id=f"{pid}-{nummer}",
        publicatie_id=pid,
        volgnummer=nummer,
        record_id=uuid4(),
        bestand_id=uuid4(),
        metadata={"officiele_titel": f"Besluit {nummer}", "documenthandelingen": []},
        gewijzigd_op=T,
    )


def test_an_unknown_publicatie_or_document_is_not_found(woo: WooCatalog) -> None:
    with pytest.raises(NotFound, match="woo list"):
        woo.get_publicatie("nope")
    with pytest.raises(NotFound):
        woo.get_stuk("nope")


def test_adding_a_publicatie_twice_is_a_conflict_and_stores_nothing_more(woo: WooCatalog) -> None:
    woo.add_publicatie(publicatie(), [stuk()])
    with pytest.raises(Conflict):
        woo.add_publicatie(publicatie(), [stuk(nummer=2)])
    assert [s.id for s in woo.stukken("pub-1")] == ["pub-1-1"]


def test_a_save_against_a_stale_revisie_is_a_conflict(woo: WooCatalog) -> None:
    woo.add_publicatie(publicatie(), [stuk()])
    saved = woo.save(replace(publicatie(), officiele_titel="Nieuw"), [], revisie=1)
    assert saved.revisie == 2
    with pytest.raises(Conflict, match="changed meanwhile"):
        woo.save(publicatie(), [], revisie=1)
    assert woo.get_publicatie("pub-1").officiele_titel == "Nieuw"


def test_a_publicatie_and_its_documents_round_trip(woo: WooCatalog) -> None:
    stukken = [stuk(nummer=2), stuk(nummer=1)]
    woo.add_publicatie(publicatie(), stukken)
    assert woo.get_publicatie("pub-1") == publicatie()
    assert woo.stukken("pub-1") == sorted(stukken, key=lambda s: s.volgnummer)
    assert woo.get_stuk("pub-1-2") == stukken[0]
    assert [p.id for p in woo.publicaties(status=PublicatieStatus.CONCEPT)] == ["pub-1"]
    assert woo.publicaties(status=PublicatieStatus.GEPUBLICEERD) == []


def test_only_published_documents_count_as_published_and_a_withdrawal_answers_its_reason(woo: WooCatalog) -> None:
    origineel = stuk()
    gelakt = replace(
        origineel,
        gepubliceerd_record_id=uuid4(),
        gepubliceerd_bestand_id=uuid4(),
        geredigeerd=True,
        url="https://open.limburg.example/a.pdf",
    )
    woo.add_publicatie(publicatie(), [origineel])
    assert woo.published_record_ids() == frozenset()

    gepubliceerd = woo.save(replace(publicatie(), status=PublicatieStatus.GEPUBLICEERD), [gelakt], revisie=1)

    assert woo.published_record_ids() == {gelakt.gepubliceerd_record_id}
    assert origineel.record_id not in woo.published_record_ids()
    assert woo.gepubliceerde_stukken() == [gelakt]
    assert woo.stuk_met_url("https://open.limburg.example/a.pdf") == gelakt
    assert woo.withdrawal(gelakt.publiek_record_id) is None

    woo.save(
        replace(gepubliceerd, status=PublicatieStatus.INGETROKKEN, reden_intrekking="Onjuist: fout"), [], revisie=2
    )

    assert woo.published_record_ids() == frozenset()
    assert woo.withdrawal(gelakt.publiek_record_id) == "Onjuist: fout"
    assert woo.withdrawal(origineel.record_id) is None


def test_the_redaction_log_keeps_its_lines_in_order(woo: WooCatalog) -> None:
    woo.add_publicatie(publicatie(), [stuk()])
    record = uuid4()
    regels = [
        RedactieRij("pub-1-1", n, 0, 1, (72.0, 700.0, 150.5, 715.0), "5.1.1e", "redacteur", T, "removed", record)
        for n in (2, 1)
    ]
    woo.add_redacties(regels)
    assert woo.redacties("pub-1-1") == [regels[1], regels[0]]
    assert woo.redacties("other") == []


def _url(n: int) -> Url:
    return Url(
        loc=f"{BASIS}{n}.pdf",
        lastmod=T,
        categorie=lijsten.informatiecategorieen().op_label("beschikkingen").resource,
        gepubliceerd_op=T,
        document_xml=b'<diwoo:Document xmlns:diwoo="https://standaarden.overheid.nl/diwoo/metadata/"/>',
    )


def test_the_sitemap_state_round_trips_and_only_changed_files_are_rewritten(woo: WooCatalog) -> None:
    leeg = woo.sitemap_state()
    assert leeg.urls() == 0
    urls = {u.loc: u for u in (_url(1), _url(2))}
    eerste = regenereer(BASIS, leeg, urls.values(), urls.__getitem__, tijdstip=T).state
    woo.save_sitemap_state(leeg, eerste)
    assert woo.sitemap_state() == eerste

    tweede = regenereer(BASIS, eerste, [Verwijdering(f"{BASIS}1.pdf")], urls.__getitem__, tijdstip=T).state
    woo.save_sitemap_state(woo.sitemap_state(), tweede)
    assert woo.sitemap_state() == tweede
    assert woo.sitemap_state().bestand_van().keys() == {f"{BASIS}2.pdf"}


def test_only_published_urls_are_listed_with_their_change_time_and_found_by_url(woo: WooCatalog) -> None:
    concept = replace(stuk("pub-2"), url="https://open.limburg.example/concept.pdf")
    woo.add_publicatie(publicatie("pub-2"), [concept])
    a = replace(stuk(), url="https://open.limburg.example/a.pdf")
    b = replace(stuk(nummer=2), url="https://open.limburg.example/b.pdf", gewijzigd_op=T.replace(hour=11))
    woo.add_publicatie(publicatie(), [stuk(), stuk(nummer=2)])
    woo.save(replace(publicatie(), status=PublicatieStatus.GEPUBLICEERD), [a, b], revisie=1)

    assert woo.gepubliceerde_urls() == {a.url: a.gewijzigd_op, b.url: b.gewijzigd_op}
    assert woo.stukken_met_urls([]) == []
    assert woo.stukken_met_urls([concept.url or "", "https://elders.example/x.pdf"]) == []
    assert sorted(woo.stukken_met_urls([b.url or "", a.url or "", b.url or ""]), key=lambda s: s.id) == [a, b]


def test_one_sitemap_run_at_a_time_holds_the_lock_until_it_ends(woo: WooCatalog) -> None:
    import threading

    volgorde: list[str] = []
    binnen = threading.Event()

    def tweede() -> None:
        binnen.wait(5)
        with woo.sitemaps_exclusief():
            volgorde.append("tweede")

    draad = threading.Thread(target=tweede)
    draad.start()
    with woo.sitemaps_exclusief():
        binnen.set()
        draad.join(0.3)  # the second run waits for the first
        volgorde.append("eerste")
    draad.join(5)
    assert volgorde == ["eerste", "tweede"]


def test_sitemap_entries_are_read_in_bulk_only_for_published_documents_with_their_fragment(woo: WooCatalog) -> None:
    concept = replace(stuk("pub-2"), url="https://open.limburg.example/concept.pdf")
    woo.add_publicatie(publicatie("pub-2"), [concept])
    a = replace(
        stuk(), url="https://open.limburg.example/a.pdf", sitemap_categorie="c", sitemap_fragment=b"<diwoo:Document/>"
    )
    b = replace(stuk(nummer=2), url="https://open.limburg.example/b.pdf")  # published before migration 0008
    woo.add_publicatie(publicatie(), [stuk(), stuk(nummer=2)])
    gepubliceerd = replace(publicatie(), status=PublicatieStatus.GEPUBLICEERD, gepubliceerd_op=T.replace(hour=12))
    woo.save(gepubliceerd, [a, b], revisie=1)

    assert woo.sitemap_regels([]) == []
    assert woo.sitemap_regels([concept.url or "", "https://elders.example/x.pdf"]) == []
    verwacht = [
        SitemapRegel(a.url or "", T, T.replace(hour=12), "c", b"<diwoo:Document/>"),
        SitemapRegel(b.url or "", T, T.replace(hour=12), None, None),
    ]
    assert sorted(woo.sitemap_regels([b.url or "", a.url or ""]), key=lambda r: r.url) == verwacht
    assert sorted(woo.sitemap_regels(), key=lambda r: r.url) == verwacht
    assert woo.get_stuk(a.id) == a


def test_publicaties_are_found_by_id_in_bulk_and_unknown_ids_left_out(woo: WooCatalog) -> None:
    woo.add_publicatie(publicatie("pub-1"), [])
    woo.add_publicatie(publicatie("pub-2"), [])

    gevonden = woo.publicaties_met_ids(["pub-2", "nope", "pub-1", "pub-2"])

    assert gevonden == {"pub-1": woo.get_publicatie("pub-1"), "pub-2": woo.get_publicatie("pub-2")}
    assert woo.publicaties_met_ids([]) == {}


def test_published_records_come_with_the_categories_of_their_document_else_of_their_publicatie(
    woo: WooCatalog,
) -> None:
    categorie = lijsten.informatiecategorieen()
    beschikkingen = categorie.op_label("beschikkingen").resource
    convenanten = categorie.op_label("convenanten").resource
    eigen = replace(stuk(nummer=1), metadata={**stuk().metadata, "informatiecategorieen": [convenanten]})
    geen = stuk(nummer=2)
    concept = stuk("pub-2")
    woo.add_publicatie(publicatie(), [eigen, geen])
    woo.add_publicatie(publicatie("pub-2"), [concept])
    woo.save(replace(publicatie(), status=PublicatieStatus.GEPUBLICEERD), [], revisie=1)

    found = woo.gepubliceerde_categorieen([eigen.record_id, geen.record_id, concept.record_id, uuid4()])

    assert found == {eigen.record_id: (convenanten,), geen.record_id: (beschikkingen,)}
    assert woo.gepubliceerde_categorieen([]) == {}
