"""The Woo-redacteur's pages under /beheer/woo on a real e-depot (SQLite, filesystem store, the app with
its gate and web layer): who may see and do what, the forms refusing bad input and other sites, the
whole flow through the forms on a real PDF, the HTML itself, and the 410 page of a withdrawn file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.routing import APIRoute
from lxml import html as lxml_html

from edepot.auth.http import route_actions
from edepot.auth.policy import Action, Role
from edepot.auth.tokens import issue_token
from edepot.woo_metadata import NieuwePublicatie
from edepot.woo_ports import PublicatieRij
from tests.integration.woo_service.conftest import BSN, NAAM, World

BASIS = "/beheer/woo"
ZELFDE = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def create(world: World, record: Any) -> PublicatieRij:
    return world.woo.create(
        NieuwePublicatie.uit_json(
            {
                "officiele_titel": "Besluit op Woo-verzoek 2025-17",
                "informatiecategorieen": ["beschikkingen"],
                "documenten": [
                    {
                        "record_id": str(record.id),
                        "documenthandelingen": [{"soort": "vaststelling", "tijdstip": "2025-05-28T10:00:00+02:00"}],
                    }
                ],
            }
        ),
        "redacteur",
    )


def bearer(world: World, role: Role) -> dict[str, str]:
    issued = issue_token(world.services, name=f"test-{role}", roles=[role], created_by="test")
    return {"Authorization": f"Bearer {issued.plaintext}"}


def doc(response: Any) -> Any:
    return lxml_html.fromstring(response.text)


def text_of(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def routes(world: World, publicatie: PublicatieRij) -> list[tuple[str, str, Action]]:
    (stuk,) = world.woo.catalog.stukken(publicatie.id)
    return [
        ("GET", BASIS, Action.WOO_PUBLISH),
        ("GET", f"{BASIS}/publicaties/{publicatie.id}", Action.WOO_PUBLISH),
        ("GET", f"{BASIS}/documenten/{stuk.id}", Action.WOO_REDACT),
        ("GET", f"{BASIS}/documenten/{stuk.id}/paginas/1.png", Action.WOO_REDACT),
        ("POST", f"{BASIS}/documenten/{stuk.id}/lakken", Action.WOO_REDACT),
        ("POST", f"{BASIS}/publicaties/{publicatie.id}/publiceren", Action.WOO_PUBLISH),
        ("POST", f"{BASIS}/publicaties/{publicatie.id}/intrekken", Action.WOO_RETRACT),
    ]


# --- who may do what -----------------------------------------------------------------------------------


def test_every_page_route_declares_exactly_one_woo_action(world: World) -> None:
    found = {
        (m, r.path): route_actions(r)
        for r in world.app.routes
        if isinstance(r, APIRoute) and r.path.startswith(BASIS)
        for m in r.methods
    }
    assert len(found) == 7
    assert all(len(actions) == 1 for actions in found.values())
    assert found[("POST", BASIS + "/publicaties/{publicatie_id}/intrekken")] == {Action.WOO_RETRACT}
    assert found[("GET", BASIS + "/documenten/{document_id}/paginas/{pagina}.png")] == {Action.WOO_REDACT}


def test_the_public_gets_401_and_other_roles_403_on_every_page_and_form(world: World) -> None:
    publicatie = create(world, world.geheim)
    anderen = [bearer(world, role) for role in (Role.DIM, Role.ARCHIVARIS, Role.INGEST_WORKER)]
    for method, path, _ in routes(world, publicatie):
        assert world.client.request(method, path, headers=ZELFDE, follow_redirects=False).status_code == 401, path
        for headers in anderen:
            response = world.client.request(method, path, headers={**headers, **ZELFDE}, follow_redirects=False)
            assert response.status_code == 403, (path, headers)
    assert world.woo.catalog.get_publicatie(publicatie.id).status == "concept"
    assert world.woo.catalog.redacties(world.woo.catalog.stukken(publicatie.id)[0].id) == []


def test_the_page_image_of_a_restricted_original_is_never_cached_and_a_missing_page_is_404(world: World) -> None:
    publicatie = create(world, world.geheim)
    (stuk,) = world.woo.catalog.stukken(publicatie.id)
    response = world.client.get(f"{BASIS}/documenten/{stuk.id}/paginas/1.png", headers=world.headers)
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.headers["content-type"] == "image/png" and response.headers["cache-control"] == "no-store"
    assert world.client.get(f"{BASIS}/documenten/{stuk.id}/paginas/2.png", headers=world.headers).status_code == 404
    assert world.client.get(f"{BASIS}/documenten/{stuk.id}/paginas/0.png", headers=world.headers).status_code == 404


def test_a_form_sent_from_another_site_is_refused(world: World) -> None:
    publicatie = create(world, world.open)
    for headers in ({"Origin": "https://kwaad.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        response = world.client.post(
            f"{BASIS}/publicaties/{publicatie.id}/publiceren",
            headers={**world.headers, **headers},
            follow_redirects=False,
        )
        assert response.status_code == 403
    assert world.woo.catalog.get_publicatie(publicatie.id).status == "concept"


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("velden", "melding"),
    [
        ({}, "nothing to redact"),
        ({"pagina": "1", "x0": "72"}, "needs a page and x0, y0, x1, y1"),
        ({"pagina": "1", "x0": "a", "y0": "1", "x1": "2", "y1": "3", "gebied_grond": "5.1.2e"}, "not a number"),
        ({"tekst": NAAM, "tekst_grond": "5.9"}, "not a Woo ground"),
        ({"suggestie": "99"}, "does not exist"),
    ],
)
def test_a_bad_redaction_form_shows_the_page_again_with_the_error_and_redacts_nothing(
    world: World, velden: dict[str, str], melding: str
) -> None:
    publicatie = create(world, world.geheim)
    (stuk,) = world.woo.catalog.stukken(publicatie.id)
    response = world.client.post(
        f"{BASIS}/documenten/{stuk.id}/lakken", data=velden, headers={**world.headers, **ZELFDE}, follow_redirects=False
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("text/html")
    assert melding in doc(response).xpath("string(//*[@role='alert'])")
    assert world.woo.catalog.redacties(stuk.id) == []


def test_retracting_without_a_reason_is_refused_and_the_publication_stays(world: World) -> None:
    publicatie = create(world, world.open)
    world.woo.publish(publicatie.id, "redacteur")
    response = world.client.post(
        f"{BASIS}/publicaties/{publicatie.id}/intrekken",
        data={"reden": "", "toelichting": "x"},
        headers={**world.headers, **ZELFDE},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "kies een reden van intrekking" in doc(response).xpath("string(//*[@role='alert'])")
    assert world.woo.catalog.get_publicatie(publicatie.id).status == "gepubliceerd"


def test_retracting_with_an_unknown_or_the_same_replacement_is_refused_in_dutch_and_the_publication_stays(
    world: World,
) -> None:
    from edepot.woo import lijsten

    publicatie = create(world, world.open)
    world.woo.publish(publicatie.id, "redacteur")
    reden = lijsten.redenen_verwijdering_vervanging().op_label("correctie privacygevoelige gegevens").resource
    for vervanger, melding in (("pub-bestaat-niet", "bestaat niet"), (publicatie.id, "zichzelf niet vervangen")):
        response = world.client.post(
            f"{BASIS}/publicaties/{publicatie.id}/intrekken",
            data={"reden": reden, "toelichting": "", "vervangen_door": vervanger},
            headers={**world.headers, **ZELFDE},
            follow_redirects=False,
        )
        assert response.status_code == 422, vervanger
        assert melding in doc(response).xpath("string(//*[@role='alert'])")
    assert world.woo.catalog.get_publicatie(publicatie.id).status == "gepubliceerd"


def test_retracting_through_the_form_names_the_replacement_whose_diwoo_then_carries_the_reason(world: World) -> None:
    from edepot.woo import lijsten

    oud = create(world, world.open)
    world.woo.publish(oud.id, "redacteur")
    nieuw = create(world, world.open)
    world.woo.publish(nieuw.id, "redacteur")
    pagina = doc(world.client.get(f"{BASIS}/publicaties/{oud.id}", headers=world.headers))
    veld = pagina.xpath("//input[@name='vervangen_door']")[0]
    assert pagina.xpath(f"//label[@for='{veld.get('id')}']")
    assert pagina.xpath(f"//datalist[@id='{veld.get('list')}']/option/@value") == [nieuw.id]  # not itself

    reden = lijsten.redenen_verwijdering_vervanging().op_label("correctie privacygevoelige gegevens").resource
    world.services.clock.moment += timedelta(hours=1)  # type: ignore[attr-defined]  # a later change: a new lastmod
    response = world.client.post(
        f"{BASIS}/publicaties/{oud.id}/intrekken",
        data={"reden": reden, "toelichting": "", "vervangen_door": nieuw.id},
        headers={**world.headers, **ZELFDE},
        follow_redirects=False,
    )

    assert response.status_code == 303, response.text
    assert world.woo.catalog.get_publicatie(oud.id).vervangen_door == nieuw.id
    (stuk,) = world.woo.catalog.stukken(nieuw.id)
    assert reden.encode() in world.woo.diwoo_xml(stuk.id)
    assert stuk.sitemap_fragment is not None and reden.encode() in stuk.sitemap_fragment  # and in its sitemap entry
    (sitemap,) = world.woo.catalog.sitemap_state().sitemaps
    assert reden.encode() in world.woo.site_bestand(sitemap)


def test_publishing_a_restricted_record_is_refused_on_the_page_in_dutch_and_in_english_by_the_api(
    world: World,
) -> None:
    publicatie = create(world, world.geheim)
    pagina = doc(world.client.get(f"{BASIS}/publicaties/{publicatie.id}", headers=world.headers))
    assert "nee, beperkt openbaar" in pagina.xpath("string(//article//dl)")

    response = world.client.post(
        f"{BASIS}/publicaties/{publicatie.id}/publiceren", headers={**world.headers, **ZELFDE}, follow_redirects=False
    )

    assert response.status_code == 422
    melding = doc(response).xpath("string(//*[@role='alert'])")
    assert "kan niet worden gepubliceerd (1 probleem)" in melding and "mag niet openbaar worden" in melding
    assert "may not be published" not in melding
    api = world.client.post(f"/api/v1/woo/publicaties/{publicatie.id}/publiceren", headers=world.headers)
    assert api.status_code == 422 and "may not be published" in api.text
    assert world.woo.catalog.get_publicatie(publicatie.id).status == "concept"


# --- the flow through the forms ----------------------------------------------------------------------------


def test_the_redacteur_redacts_publishes_and_retracts_through_the_forms(world: World) -> None:
    from edepot.woo import lijsten

    publicatie = create(world, world.geheim)
    (stuk,) = world.woo.catalog.stukken(publicatie.id)
    headers = {**world.headers, **ZELFDE}

    lijst = doc(world.client.get(BASIS, headers=world.headers))
    rij = lijst.xpath(f"//tr[td/a[@href='{BASIS}/publicaties/{publicatie.id}']]")[0]
    assert "Concept" in rij.text_content() and "nog " in rij.text_content()

    pagina = doc(world.client.get(f"{BASIS}/documenten/{stuk.id}", headers=world.headers))
    bsn = pagina.xpath(f"//label[normalize-space()='{BSN}']/@for")[0]
    assert pagina.xpath(f"//select[@id='grond-{bsn.rsplit('-', 1)[1]}']/option[@selected]/@value") == ["5.1.1e"]
    assert pagina.xpath("//img/@src") == [f"{BASIS}/documenten/{stuk.id}/paginas/1.png"]
    assert "PDF-punten" in pagina.text_content()

    response = world.client.post(
        f"{BASIS}/documenten/{stuk.id}/lakken",
        data={
            "suggestie": bsn.rsplit("-", 1)[1],
            bsn.replace("suggestie", "grond"): "5.1.1e",
            "tekst": NAAM,
            "tekst_grond": "5.1.2e",
            "behouden": "ja",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{BASIS}/publicaties/{publicatie.id}#document-{stuk.id}"
    gronden = sorted(r.grond for r in world.woo.catalog.redacties(stuk.id))
    assert gronden == ["5.1.1e", "5.1.2e"]

    # a second round adds an area and keeps the first round's areas
    response = world.client.post(
        f"{BASIS}/documenten/{stuk.id}/lakken",
        data={
            "pagina": "1",
            "x0": "72",
            "y0": "757",
            "x1": "300",
            "y1": "770",
            "gebied_grond": "5.1.2e",
            "behouden": "ja",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text

    assert (
        world.client.post(
            f"{BASIS}/publicaties/{publicatie.id}/publiceren", headers=headers, follow_redirects=False
        ).status_code
        == 303
    )
    gepubliceerd = world.woo.catalog.get_stuk(stuk.id)
    assert gepubliceerd.url is not None and gepubliceerd.geredigeerd
    world.index()
    pad = gepubliceerd.url.removeprefix("https://open.limburg.example")
    download = world.client.get(pad)
    assert download.status_code == 200
    tekst = text_of(download.content)
    assert "Openbare zin die blijft staan." in tekst
    assert BSN not in tekst and NAAM not in tekst and "Besluit op het bezwaar van" not in tekst
    assert BSN.encode() not in download.content

    overzicht = doc(world.client.get(f"{BASIS}/publicaties/{publicatie.id}", headers=world.headers))
    assert "StatusGepubliceerd" in overzicht.xpath("string(//dl)")
    reden = lijsten.redenen_verwijdering_vervanging().op_label("correctie privacygevoelige gegevens")
    assert overzicht.xpath(f"//select[@id='reden']/option[@value='{reden.resource}']")
    response = world.client.post(
        f"{BASIS}/publicaties/{publicatie.id}/intrekken",
        data={"reden": reden.resource, "toelichting": "Er stond nog een adres in."},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert world.woo.catalog.get_publicatie(publicatie.id).status == "ingetrokken"

    # the sitemap loc now answers 410: a page for a person, problem+json for a client
    world.index()
    pagina = world.client.get(pad, headers=BROWSER)
    assert pagina.status_code == 410 and pagina.headers["content-type"].startswith("text/html")
    assert pagina.headers["vary"] == "Accept"
    uitleg = doc(pagina).xpath("string(//main)")
    assert "correctie privacygevoelige gegevens" in uitleg and "Er stond nog een adres in." in uitleg
    assert doc(pagina).xpath("//html/@lang") == ["nl"]
    for accept in ("application/json", "application/problem+json", "*/*", "text/html;q=0.5,application/json"):
        machine = world.client.get(pad, headers={"Accept": accept})
        assert machine.status_code == 410 and machine.headers["content-type"] == "application/problem+json", accept
        assert "Er stond nog een adres in." in machine.json()["detail"]


# --- the HTML itself ---------------------------------------------------------------------------------------


def test_the_pages_have_landmarks_one_h1_and_a_label_for_every_field(world: World) -> None:
    publicatie = create(world, world.geheim)
    (stuk,) = world.woo.catalog.stukken(publicatie.id)
    for path in (BASIS, f"{BASIS}/publicaties/{publicatie.id}", f"{BASIS}/documenten/{stuk.id}"):
        response = world.client.get(path, headers=world.headers)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html"), path
        page = doc(response)
        assert page.xpath("//html/@lang") == ["nl"]
        assert len(page.xpath("//main")) == 1 and page.xpath("//nav[@aria-label]") and len(page.xpath("//h1")) == 1
        assert not page.xpath("//script") and not page.xpath("//*[@style]")
        labels = set(page.xpath("//label/@for"))
        velden = page.xpath("//input[not(@type='hidden')] | //select | //textarea")
        assert all(v.get("id") in labels for v in velden), [v.get("id") for v in velden if v.get("id") not in labels]
        assert all(img.get("alt") for img in page.xpath("//img"))
    formulier = doc(world.client.get(f"{BASIS}/documenten/{stuk.id}", headers=world.headers))
    assert len(formulier.xpath("//input[@name='suggestie']")) >= 1
    assert formulier.xpath("//form/@method") == ["post"]
