"""The Woo flow on a real e-depot (SQLite, filesystem store, tantivy, HTTP): bad inputs first, then
create -> redact -> publish -> harvest -> download -> retract, and what the public sees at each step."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import pytest
from lxml import etree

from edepot import xmlsafe
from edepot.errors import InvalidInput, InvalidTransition, NotFound, SubmissionRejected
from edepot.woo import lijsten, schema
from edepot.woo.sitemaps import SITEMAP_NAMESPACE
from edepot.woo.suggest import WooGrond
from edepot.woo_metadata import NieuwePublicatie
from edepot.woo_ports import PublicatieRij
from edepot.woo_service import Markering
from tests.integration.woo_service.conftest import BASE, BSN, NAAM, World

SM = {"sm": SITEMAP_NAMESPACE, "diwoo": schema.DIWOO_NAMESPACE}
CORRECTIE = "correctie privacygevoelige gegevens"


def verzoek(*records: Any, categorie: str = "beschikkingen") -> dict[str, Any]:
    return {
        "officiele_titel": "Besluit op Woo-verzoek 2025-17",
        "informatiecategorieen": [categorie],
        "kenmerken": ["WOO-2025-17"],
        "documenten": [
            {
                "record_id": str(r.id),
                "documenthandelingen": [{"soort": "vaststelling", "tijdstip": "2025-05-28T10:00:00+02:00"}],
            }
            for r in records
        ],
    }


def create(world: World, *records: Any) -> PublicatieRij:
    return world.woo.create(NieuwePublicatie.uit_json(verzoek(*records)), "redacteur")


def text_of(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def sitemap_locs(world: World) -> list[str]:
    robots = world.client.get("/robots.txt").text
    locs = []
    for line in robots.splitlines():
        if line.startswith("Sitemap: "):
            index = world.client.get(line.removeprefix("Sitemap: ").removeprefix(BASE))
            for loc in xmlsafe.parse(index.content, source="index").iterfind("sm:sitemap/sm:loc", SM):
                sitemap = world.client.get(loc.text.removeprefix(BASE))
                assert sitemap.status_code == 200
                locs += [u.text for u in xmlsafe.parse(sitemap.content, source="s").iterfind("sm:url/sm:loc", SM)]
    return locs


# --- bad inputs ----------------------------------------------------------------------------------------


def test_an_unknown_informatiecategorie_is_refused_naming_the_tooi_list(world: World) -> None:
    with pytest.raises(InvalidInput, match="scw_woo_informatiecategorieen"):
        NieuwePublicatie.uit_json(verzoek(world.open, categorie="kattenplaatjes"))


def test_a_record_that_is_not_in_the_edepot_is_not_found_and_nothing_is_stored(world: World) -> None:
    from uuid import uuid4

    body = verzoek(world.open)
    body["documenten"][0]["record_id"] = str(uuid4())
    with pytest.raises(NotFound, match="not in the e-depot"):
        world.woo.create(NieuwePublicatie.uit_json(body), "redacteur")
    assert world.woo.lijst() == []


def test_a_restricted_record_is_refused_at_publication_with_a_finding_and_stays_concept(world: World) -> None:
    publicatie = create(world, world.geheim)

    with pytest.raises(SubmissionRejected) as refused:
        world.woo.publish(publicatie.id, "redacteur")

    assert [f.rule for f in refused.value.findings] == ["woo.document.publiceerbaar"]
    assert "redact it first" in refused.value.findings[0].action
    assert world.woo.catalog.get_publicatie(publicatie.id).status == "concept"
    assert sitemap_locs(world) == []


def test_redacting_a_file_that_is_not_a_pdf_is_refused(world: World) -> None:
    publicatie = create(world, world.tekst)
    document = world.woo.catalog.stukken(publicatie.id)[0]

    with pytest.raises(InvalidInput, match="not a PDF"):
        world.woo.redact(document.id, [Markering(WooGrond.IDENTIFICATIENUMMERS, tekst="notitie")], "redacteur")
    assert world.woo.catalog.redacties(document.id) == []


def test_retracting_a_concept_is_not_a_transition_the_table_allows(world: World) -> None:
    publicatie = create(world, world.open)
    with pytest.raises(InvalidTransition, match="concept -> ingetrokken"):
        world.woo.retract(publicatie.id, CORRECTIE, None, "redacteur")


def test_an_unknown_reason_for_withdrawal_is_refused(world: World) -> None:
    publicatie = create(world, world.open)
    world.woo.publish(publicatie.id, "redacteur")
    with pytest.raises(InvalidInput, match="is not in the TOOI list"):
        world.woo.retract(publicatie.id, "omdat het kan", None, "redacteur")


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap-diwoo-..%2F..%2Fcatalog.sqlite3.xml",
        "/sitemap-diwoo-%2e%2e%2frobots.xml",
        "/sitemapindex-diwoo-0001.xml",
        "/sitemap-diwoo-c_unknown-2025-06-001.xml",
        "/sitemap-diwoo-A B.xml",
    ],
)
def test_unknown_or_escaping_sitemap_names_answer_404(world: World, path: str) -> None:
    assert world.client.get(path).status_code == 404


def test_the_woo_routes_need_the_woo_redacteur(world: World) -> None:
    body = verzoek(world.open)
    assert world.client.post("/api/v1/woo/publicaties", json=body).status_code == 401
    dim = {"Authorization": f"Bearer {world.dim_token}"}
    assert world.client.post("/api/v1/woo/publicaties", json=body, headers=dim).status_code == 403


# --- the whole flow ------------------------------------------------------------------------------------


def test_a_redacted_publication_is_harvestable_downloadable_without_the_secret_and_retractable(world: World) -> None:
    client, headers = world.client, world.headers
    made = client.post("/api/v1/woo/publicaties", json=verzoek(world.geheim), headers=headers)
    assert made.status_code == 201, made.text
    publicatie = made.json()
    document = publicatie["documenten"][0]
    assert publicatie["status"] == "concept"
    assert publicatie["deadline"] == "2025-06-11"  # two weeks after 28 May, past Whit Monday 9 June: a weekday
    assert document["publiceerbaar"]["publiceerbaar"] is False

    suggesties = client.get(f"/api/v1/woo/documenten/{document['id']}/suggesties", headers=headers).json()
    assert {"pagina": 1, "soort": "bsn", "tekst": BSN} in [
        {k: s[k] for k in ("pagina", "soort", "tekst")} for s in suggesties
    ]

    redacted = client.post(
        f"/api/v1/woo/documenten/{document['id']}/redacties",
        json={"redacties": [{"grond": "5.1.1e", "tekst": BSN}, {"grond": "5.1.2e", "tekst": NAAM, "pagina": 1}]},
        headers=headers,
    )
    assert redacted.status_code == 200, redacted.text
    gelakt_id = redacted.json()["gelakt_record_id"]
    assert BSN not in redacted.text and NAAM not in redacted.text  # the report never holds the redacted text

    published = client.post(f"/api/v1/woo/publicaties/{publicatie['id']}/publiceren", headers=headers)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "gepubliceerd"
    loc = published.json()["documenten"][0]["url"]
    assert loc.startswith(f"{BASE}/api/public/v1/records/{gelakt_id}/files/")

    # harvest: robots.txt -> index -> sitemap, whose loc is the https URL of the file itself
    assert sitemap_locs(world) == [loc]
    for pad in sorted((world.woo.site_path).glob("sitemap-diwoo-*.xml")):
        root = xmlsafe.parse(pad.read_bytes(), source=pad.name)
        assert root.tag == f"{{{SITEMAP_NAMESPACE}}}urlset"
        assert [u.find("sm:lastmod", SM) is not None for u in root.iterfind("sm:url", SM)] == [True]
        assert len(root.findall("sm:url/diwoo:Document", SM)) == 1
        assert schema.validate(pad.read_bytes(), source=pad.name) == []
    diwoo = client.get(f"/api/v1/woo/documenten/{document['id']}/diwoo", headers=headers)
    assert schema.validate(diwoo.content, source="diwoo") == []

    # the public: the redacted record is downloadable and the secrets are gone; the original stays closed
    download = client.get(loc.removeprefix(BASE))
    assert download.status_code == 200
    assert BSN not in text_of(download.content) and NAAM not in text_of(download.content)
    assert BSN.encode() not in download.content
    assert "Openbare zin die blijft staan." in text_of(download.content)
    assert client.get(world.file_path(world.geheim)).status_code == 404
    assert client.get(f"/api/public/v1/records/{world.geheim.id}").status_code == 404
    world.index()
    hits = client.get("/api/public/v1/search").json()["hits"]
    assert [h["id"] for h in hits] == [gelakt_id]

    # the redaction log: in the catalog and in the event log, with page, area, ground, who and when
    log = world.woo.catalog.redacties(document["id"])
    assert {(r.grond, r.pagina) for r in log} == {("5.1.1e", 1), ("5.1.2e", 1)}
    events = [e for e in world.services.catalog.events() if e.type == "redaction"]
    assert len(events) == 1 and events[0].object_id == str(world.geheim.id)
    assert BSN not in str(events[0].detail) and NAAM not in str(events[0].detail)

    # publishing again changes nothing
    before = {p.name: p.stat().st_mtime_ns for p in world.woo.site_path.iterdir()}
    assert (
        world.woo.publish(publicatie["id"], "redacteur").revisie
        == world.woo.catalog.get_publicatie(publicatie["id"]).revisie
    )
    assert world.woo.sitemaps()["geschreven"] == []
    assert {p.name: p.stat().st_mtime_ns for p in world.woo.site_path.iterdir()} == before

    # retract: the url leaves the sitemaps and the file and record answer 410 with the reason
    retracted = client.post(
        f"/api/v1/woo/publicaties/{publicatie['id']}/intrekken",
        json={"reden": CORRECTIE, "toelichting": "een naam was niet gelakt"},
        headers=headers,
    )
    assert retracted.status_code == 200, retracted.text
    assert sitemap_locs(world) == []
    gone = client.get(loc.removeprefix(BASE))
    assert gone.status_code == 410
    assert "een naam was niet gelakt" in gone.json()["detail"]
    page = client.get(f"/stukken/{gelakt_id}")
    assert page.status_code == 410 and "een naam was niet gelakt" in page.text
    revisie = world.woo.catalog.get_publicatie(publicatie["id"]).revisie
    world.woo.retract(publicatie["id"], CORRECTIE, "nogmaals", "redacteur")
    assert world.woo.catalog.get_publicatie(publicatie["id"]).revisie == revisie


def test_a_concept_is_not_public_and_an_open_record_is_public_only_once_published(world: World) -> None:
    publicatie = create(world, world.open)
    path = world.file_path(world.open)
    assert world.client.get(path).status_code == 404

    world.woo.publish(publicatie.id, "redacteur")
    response = world.client.get(path)
    assert response.status_code == 200
    assert "Subsidiebesluit" in text_of(response.content)


def test_a_replacement_carries_the_reason_for_withdrawal_in_its_diwoo(world: World) -> None:
    oud = create(world, world.open)
    world.woo.publish(oud.id, "redacteur")
    nieuw = create(world, world.open)

    world.woo.retract(oud.id, CORRECTIE, "vervangen", "redacteur", vervangen_door=nieuw.id)
    world.woo.publish(nieuw.id, "redacteur")

    document = world.woo.catalog.stukken(nieuw.id)[0]
    xml = world.woo.diwoo_xml(document.id)
    assert schema.validate(xml, source="replacement") == []
    reden = etree.fromstring(xml).find(".//diwoo:redenVerwijderingVervanging", SM)
    assert reden is not None
    assert reden.get("resource") == lijsten.redenen_verwijdering_vervanging().op_label(CORRECTIE).resource
    assert (world.woo.diwoo_path / nieuw.id / f"{document.id}.xml").read_bytes() == xml
    assert sitemap_locs(world) == [document.url]


def test_a_published_record_is_found_under_its_woo_informatiecategorie(world: World) -> None:
    publicatie = world.woo.create(NieuwePublicatie.uit_json(verzoek(world.open, categorie="convenanten")), "redacteur")
    world.woo.publish(publicatie.id, "redacteur")
    world.index()

    found = world.client.get("/api/public/v1/search").json()
    detail = world.client.get(f"/api/public/v1/records/{world.open.id}").json()
    filtered = world.client.get("/api/public/v1/search", params={"informatiecategorie": "convenanten"}).json()

    assert [h["id"] for h in found["hits"]] == [str(world.open.id)]
    assert found["hits"][0]["informatiecategorie"] == "convenanten"
    assert found["facets"]["informatiecategorie"] == [{"value": "convenanten", "count": 1}]
    assert detail["informatiecategorie"] == "convenanten"
    assert [h["id"] for h in filtered["hits"]] == [str(world.open.id)]
