"""The retention dashboard pages under /beheer/retentie, on the real gate with API tokens and the web
layer: who may see and do what, the workflow through the plain HTML forms, cross-site forms refused,
and the HTML itself (landmarks, labelled fields)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from edepot.api import register_error_handlers
from edepot.auth.http import Gate, declare_actions, route_actions
from edepot.auth.policy import Action, Role
from edepot.auth.principal import Forbidden
from edepot.auth.tokens import issue_token
from edepot.errors import Conflict, InvalidInput, InvalidTransition, StorageError
from edepot.retention_workflow import ItemStatus, LijstSoort, LijstStatus
from edepot.web import install_web
from edepot.web.retentie import PER_PAGINA, install, melding
from tests.unit.retention_world import TODAY, Dossier, World, make_world

BASIS = "/beheer/retentie"


@pytest.fixture
def world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    world.ids = world.ingest(  # type: ignore[attr-defined]
        Dossier("057", "Provisa 2005, categorie 57"), Dossier("058", "Provisa 2005, categorie 57")
    )
    world.retention.nightly(TODAY)
    return world


@pytest.fixture
def client(world: World) -> TestClient:
    app = FastAPI()
    app.state.services = world.services
    app.state.gate = Gate(world.services)
    app.state.retention = world.retention
    register_error_handlers(app)
    install_web(app)
    install(app)
    install(app)  # idempotent
    declare_actions(app)
    return TestClient(app, follow_redirects=False)


def bearer(world: World, role: Role, name: str) -> dict[str, str]:
    issued = issue_token(world.services, name=name, roles=[role], created_by="test")
    return {"Authorization": f"Bearer {issued.plaintext}"}


def lijst_id(world: World) -> str:
    (lijst,) = world.retention.catalog.lists(soort=LijstSoort.VERNIETIGING)
    return str(lijst.id)


def doc(response) -> lxml_html.HtmlElement:  # type: ignore[no-untyped-def]
    return lxml_html.fromstring(response.text)


def alert(response) -> str:  # type: ignore[no-untyped-def]
    (melding,) = doc(response).xpath("//*[@role='alert']")
    return str(melding.text_content().strip())


# --- who may do what -----------------------------------------------------------------------------


def test_every_page_route_declares_exactly_one_retention_action(client: TestClient) -> None:
    routes = [r for r in client.app.routes if isinstance(r, APIRoute) and r.path.startswith(BASIS)]  # type: ignore[attr-defined]
    assert len(routes) == 7
    actions = {r.path.rsplit("/", 1)[-1]: route_actions(r) for r in routes}
    assert all(len(a) == 1 for a in actions.values())
    assert actions["goedkeuren"] == actions["afwijzen"] == {Action.RETENTION_APPROVE}
    assert actions["indienen"] == actions["verwijderen"] == actions["annuleren"] == {Action.RETENTION_PROPOSE}


def test_the_public_gets_no_page_and_no_form(world: World, client: TestClient) -> None:
    assert client.get(BASIS).status_code == 401
    assert client.get(f"{BASIS}/lijsten/{lijst_id(world)}").status_code == 401
    assert client.post(f"{BASIS}/lijsten/{lijst_id(world)}/indienen").status_code == 401
    assert world.retention.catalog.get_list(UUID(lijst_id(world))).status is LijstStatus.CONCEPT


def test_a_role_without_retention_rights_gets_403_as_a_page(world: World, client: TestClient) -> None:
    woo = bearer(world, Role.WOO_REDACTEUR, "redacteur")
    response = client.get(BASIS, headers=woo)
    assert response.status_code == 403 and response.headers["content-type"].startswith("text/html")
    assert client.post(f"{BASIS}/lijsten/{lijst_id(world)}/indienen", headers=woo).status_code == 403


def test_dim_cannot_approve_and_the_archivaris_cannot_submit(world: World, client: TestClient) -> None:
    dim, arch = bearer(world, Role.DIM, "dim-anna"), bearer(world, Role.ARCHIVARIS, "arch-bert")
    lid = lijst_id(world)
    assert client.post(f"{BASIS}/lijsten/{lid}/indienen", headers=arch).status_code == 403
    client.post(f"{BASIS}/lijsten/{lid}/indienen", headers=dim)
    assert client.post(f"{BASIS}/lijsten/{lid}/goedkeuren", headers=dim, data={"revisie": "2"}).status_code == 403
    assert world.retention.catalog.get_list(UUID(lid)).status is LijstStatus.TER_BEOORDELING


def test_a_form_sent_from_another_site_is_refused(world: World, client: TestClient) -> None:
    dim = bearer(world, Role.DIM, "dim-anna")
    lid = lijst_id(world)
    for headers in ({"Origin": "https://kwaad.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        response = client.post(f"{BASIS}/lijsten/{lid}/indienen", headers={**dim, **headers})
        assert response.status_code == 403
    assert world.retention.catalog.get_list(UUID(lid)).status is LijstStatus.CONCEPT
    same = {**dim, "Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post(f"{BASIS}/lijsten/{lid}/indienen", headers=same).status_code == 303


# --- bad input -----------------------------------------------------------------------------------


def test_removing_an_item_without_a_reason_or_with_a_bad_date_shows_the_list_with_the_error(
    world: World, client: TestClient
) -> None:
    dim = bearer(world, Role.DIM, "dim-anna")
    lid, aip = lijst_id(world), world.ids["057"]  # type: ignore[attr-defined]
    url = f"{BASIS}/lijsten/{lid}/items/{aip}/verwijderen"

    no_reason = client.post(url, headers=dim, data={"reden": " ", "nieuwe_datum": "2030-01-01"})
    bad_date = client.post(url, headers=dim, data={"reden": "nog nodig", "nieuwe_datum": "morgen"})
    past = client.post(url, headers=dim, data={"reden": "nog nodig", "nieuwe_datum": "2000-01-01"})

    assert no_reason.status_code == bad_date.status_code == past.status_code == 422
    assert alert(no_reason) == "Dit kon niet. Vul een reden in."
    assert alert(bad_date) == "Dit kon niet. De nieuwe archiefactiedatum is geen geldige datum. Kies een datum."
    assert alert(past) == "Dit kon niet. De nieuwe archiefactiedatum moet na vandaag liggen."
    items = world.retention.catalog.get_list(UUID(lid)).items
    assert {i.status for i in items} == {ItemStatus.VOORGESTELD}


def test_a_refusal_is_shown_in_dutch_and_logged_in_english(
    world: World, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    dim = bearer(world, Role.DIM, "dim-anna")
    lid, aip = lijst_id(world), world.ids["057"]  # type: ignore[attr-defined]
    url = f"{BASIS}/lijsten/{lid}/items/{aip}/verwijderen"
    with caplog.at_level(logging.INFO, logger="edepot.web.retentie"):
        response = client.post(url, headers=dim, data={"reden": "nog nodig", "nieuwe_datum": "2000-01-01"})
    assert "not after today" not in response.text
    assert "the new archiefactiedatum 2000-01-01 is not after today" in caplog.text


def test_cancelling_twice_says_in_dutch_that_the_status_does_not_allow_it(world: World, client: TestClient) -> None:
    dim = bearer(world, Role.DIM, "dim-anna")
    lid = lijst_id(world)
    assert client.post(f"{BASIS}/lijsten/{lid}/annuleren", headers=dim, data={"reden": "beleid"}).status_code == 303
    again = client.post(f"{BASIS}/lijsten/{lid}/annuleren", headers=dim, data={"reden": "beleid"})
    assert again.status_code == 409
    assert alert(again) == "Dit kon niet. Dit kan niet bij een lijst met de status ‘geannuleerd’. Vernieuw de pagina."


def test_an_unknown_list_is_a_404_page(world: World, client: TestClient) -> None:
    dim = bearer(world, Role.DIM, "dim-anna")
    response = client.get(f"{BASIS}/lijsten/00000000-0000-4000-8000-000000000000", headers=dim)
    assert response.status_code == 404 and "<main" in response.text


# --- the pages and the workflow --------------------------------------------------------------------


def test_the_overview_lists_each_kind_with_status_counts_and_a_link(world: World, client: TestClient) -> None:
    page = client.get(BASIS, headers=bearer(world, Role.ARCHIVARIS, "arch-bert"))
    assert page.status_code == 200
    tree = doc(page)
    assert [h.text_content() for h in tree.xpath("//h2")] == ["Vernietigingslijsten", "Overbrengingslijsten"]
    (row,) = tree.xpath("//table/tbody/tr")
    cells = [td.text_content().strip() for td in row.xpath("td")]
    assert cells[1] == "Concept" and cells[2] == "2 voorgesteld"
    assert row.xpath(".//a/@href") == [f"{BASIS}/lijsten/{lijst_id(world)}"]
    assert "Er zijn geen overbrengingslijsten." in page.text


def test_the_list_page_shows_its_items_and_only_the_forms_of_the_callers_role(world: World, client: TestClient) -> None:
    lid = lijst_id(world)
    as_dim = doc(client.get(f"{BASIS}/lijsten/{lid}", headers=bearer(world, Role.DIM, "dim-anna")))
    as_arch = doc(client.get(f"{BASIS}/lijsten/{lid}", headers=bearer(world, Role.ARCHIVARIS, "arch-bert")))

    assert len(as_dim.xpath("//table/tbody/tr")) == 2
    dim_forms = {f.get("action").rsplit("/", 1)[-1] for f in as_dim.xpath("//form")}
    assert dim_forms == {"indienen", "annuleren", "verwijderen"}
    assert as_arch.xpath("//form") == []  # a concept is not the archivaris's to act on


def test_the_whole_workflow_runs_through_the_forms(world: World, client: TestClient) -> None:
    dim, arch = bearer(world, Role.DIM, "dim-anna"), bearer(world, Role.ARCHIVARIS, "arch-bert")
    lid, aip = lijst_id(world), world.ids["058"]  # type: ignore[attr-defined]

    removed = client.post(
        f"{BASIS}/lijsten/{lid}/items/{aip}/verwijderen",
        headers=dim,
        data={"reden": "nog in gebruik", "nieuwe_datum": str(TODAY + timedelta(days=365))},
    )
    assert removed.status_code == 303 and removed.headers["location"] == f"{BASIS}/lijsten/{lid}"
    assert client.post(f"{BASIS}/lijsten/{lid}/indienen", headers=dim).status_code == 303

    page = doc(client.get(f"{BASIS}/lijsten/{lid}", headers=arch))
    assert {f.get("action").rsplit("/", 1)[-1] for f in page.xpath("//form")} == {"goedkeuren", "afwijzen"}
    rejected = client.post(f"{BASIS}/lijsten/{lid}/afwijzen", headers=arch, data={"reden": "categorie klopt niet"})
    assert rejected.status_code == 303
    lijst = world.retention.catalog.get_list(UUID(lid))
    assert lijst.status is LijstStatus.AFGEWEZEN and lijst.reden == "categorie klopt niet"

    client.post(f"{BASIS}/lijsten/{lid}/indienen", headers=dim)
    revisie = doc(client.get(f"{BASIS}/lijsten/{lid}", headers=arch)).xpath("//input[@name='revisie']/@value")[0]
    assert client.post(f"{BASIS}/lijsten/{lid}/goedkeuren", headers=arch, data={"revisie": revisie}).status_code == 303
    lijst = world.retention.catalog.get_list(UUID(lid))
    assert lijst.status is LijstStatus.WACHTTIJD and lijst.beoordeeld_door.endswith("(arch-bert)")

    cancelled = client.post(f"{BASIS}/lijsten/{lid}/annuleren", headers=dim, data={"reden": "beleid gewijzigd"})
    assert cancelled.status_code == 303
    assert world.retention.catalog.get_list(UUID(lid)).status is LijstStatus.GEANNULEERD


def test_approving_a_list_that_changed_since_it_was_shown_is_refused_with_the_reason(
    world: World, client: TestClient
) -> None:
    dim, arch = bearer(world, Role.DIM, "dim-anna"), bearer(world, Role.ARCHIVARIS, "arch-bert")
    lid = lijst_id(world)
    client.post(f"{BASIS}/lijsten/{lid}/indienen", headers=dim)
    response = client.post(f"{BASIS}/lijsten/{lid}/goedkeuren", headers=arch, data={"revisie": "1"})
    assert response.status_code == 409
    assert alert(response) == (
        "Dit kon niet. De lijst is gewijzigd sinds u hem opende (versie 3, u zag versie 1). "
        "Bekijk de lijst opnieuw en beslis dan."
    )
    assert world.retention.catalog.get_list(UUID(lid)).status is LijstStatus.TER_BEOORDELING


# --- the HTML ------------------------------------------------------------------------------------


def test_the_pages_have_landmarks_one_h1_and_a_label_for_every_field(world: World, client: TestClient) -> None:
    dim = bearer(world, Role.DIM, "dim-anna")
    for url in (BASIS, f"{BASIS}/lijsten/{lijst_id(world)}"):
        tree = doc(client.get(url, headers=dim))
        assert tree.xpath("/html/@lang") == ["nl"]
        assert (
            len(tree.xpath("//header")) == len(tree.xpath("//main[@id='inhoud']")) == len(tree.xpath("//footer")) == 1
        )
        assert len(tree.xpath("//h1")) == 1
        for field in tree.xpath("//input[not(@type='hidden')] | //textarea | //select"):
            assert tree.xpath(f"//label[@for='{field.get('id')}']"), field.get("name")
        assert not tree.xpath("//script | //*[@style]")
        assert all(t.xpath("caption") for t in tree.xpath("//table"))
    assert re.search(r"<form method=\"post\"", client.get(f"{BASIS}/lijsten/{lijst_id(world)}", headers=dim).text)


# --- paging --------------------------------------------------------------------------------------


@pytest.fixture
def big(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    world.ingest(*(Dossier(f"{n:03d}", "Provisa 2005, categorie 57") for n in range(PER_PAGINA + 5)))
    world.retention.nightly(TODAY)
    return world


def test_a_long_list_is_shown_a_hundred_items_per_page_with_links_to_the_others(big: World) -> None:
    app = FastAPI()
    app.state.services, app.state.gate, app.state.retention = big.services, Gate(big.services), big.retention
    register_error_handlers(app)
    install_web(app)
    install(app)
    client = TestClient(app, follow_redirects=False)
    dim = bearer(big, Role.DIM, "dim-anna")
    url = f"{BASIS}/lijsten/{lijst_id(big)}"

    first, second = doc(client.get(url, headers=dim)), doc(client.get(f"{url}?pagina=2", headers=dim))
    beyond, nonsense = client.get(f"{url}?pagina=99", headers=dim), client.get(f"{url}?pagina=-1x", headers=dim)

    keys = [r.xpath("td")[0].text_content() for r in first.xpath("//table/tbody/tr")]
    assert keys == [f"1987-1996/{n:03d}" for n in range(PER_PAGINA)]
    assert first.xpath("//h2[@id='kop-items']")[0].text_content() == "Items (105)"
    assert "1 tot en met 100 van 105" in first.xpath("//caption")[0].text_content()
    nav = first.xpath("//nav[@aria-label='Paginering']//a/@href")
    assert nav == [url, f"{url}?pagina=2", f"{url}?pagina=2"]  # 1 (current), 2, Volgende
    assert [r.xpath("td")[0].text_content() for r in second.xpath("//table/tbody/tr")] == [
        f"1987-1996/{n:03d}" for n in range(100, 105)
    ]
    assert second.xpath("//a[@aria-current='page']")[0].text_content().endswith("2")
    assert "pagina 2" in second.xpath("//title")[0].text_content()
    assert beyond.status_code == 200 and len(doc(beyond).xpath("//table/tbody/tr")) == 5
    assert len(doc(nonsense).xpath("//table/tbody/tr")) == PER_PAGINA


# --- the Dutch texts -------------------------------------------------------------------------------


def test_an_unexpected_error_gets_a_general_dutch_text_and_known_classes_their_own() -> None:
    assert melding(StorageError("s3 down"), "indienen").startswith("Dit kon niet door een onverwachte fout")
    assert melding(InvalidInput("odd"), "afwijzen") == "Wat u invulde klopt niet. Controleer het formulier."
    assert melding(Conflict("list x has no items to review"), "indienen").startswith("Deze lijst heeft geen")
    assert melding(Forbidden("submitted by you"), "goedkeuren").startswith("U heeft deze lijst zelf ingediend")
    assert melding(Forbidden("no role"), "annuleren") == "Uw rol mag dit niet doen met deze lijst."
    transition = InvalidTransition("x", current="wachttijd", requested="concept")
    assert "‘goedgekeurd, in wachttijd’" in melding(transition, "indienen")
    item = InvalidTransition("x", current="verwijderd", requested="verwijderd")
    assert "een item met de status ‘verwijderd’" in melding(item, "verwijderen")
    odd = InvalidTransition("x", current="onbekend", requested="concept")
    assert melding(odd, "goedkeuren") == "De lijst is intussen veranderd. Vernieuw de pagina en probeer het opnieuw."
