"""The retention dashboard pages (Dutch, server-rendered, no JavaScript) under /beheer/retentie.

- GET  /beheer/retentie                                   the vernietigingslijsten and overbrengingslijsten
- GET  /beheer/retentie/lijsten/{id}[?pagina=N]           one list: its counts, 100 of its items per
                                                          page with their exclusions, and the forms
                                                          the caller's role may use
- POST /beheer/retentie/lijsten/{id}/indienen             submit for review (DIM: retention.propose)
- POST /beheer/retentie/lijsten/{id}/goedkeuren           approve (archivaris: retention.approve)
- POST /beheer/retentie/lijsten/{id}/afwijzen             reject with a reason (retention.approve)
- POST /beheer/retentie/lijsten/{id}/items/{aip}/verwijderen  remove an item with a reason and a new
                                                          archiefactiedatum (retention.propose)
- POST /beheer/retentie/lijsten/{id}/annuleren            cancel with a reason (retention.propose)

Every route declares its action with `require`; the forms post to these page routes, which call the
same `RetentionService` use cases as the API (`edepot.api_retention`) and answer 303 to the list page,
or show the list again with the error. Callers authenticate as on the API (an `Authorization: Bearer`
header with an OIDC or edepot API token; there is no cookie session), so a browser reaches these pages
only through something that adds that header. State-changing forms are refused anyway when the
browser says the request comes from another origin (`Origin`, `Sec-Fetch-Site`): no cross-site form
can act with a person's credentials. Form bodies (application/x-www-form-urlencoded) are parsed here,
so no multipart dependency is needed (`edepot.web.formulier`).

The use cases' messages are English (for logs and the JSON API); `melding` maps the errors the forms
can meet (by rule id, stale revisie, status change, action and class) to the Dutch text on the page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from edepot.api_retention import retention_service
from edepot.auth.http import include_routes, require
from edepot.auth.policy import Action, allowed
from edepot.auth.principal import Forbidden, Principal
from edepot.errors import Conflict, EdepotError, InvalidInput, InvalidTransition
from edepot.retention_workflow import ItemStatus, LijstSoort, LijstStatus
from edepot.web import page, pagination
from edepot.web.formulier import formulier, laatste

BASIS = "/beheer/retentie"
MAX_FORMULIER = 64 * 1024
PER_PAGINA = 100

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(require(Action.RETENTION_READ))]
Proposer = Annotated[Principal, Depends(require(Action.RETENTION_PROPOSE))]
Approver = Annotated[Principal, Depends(require(Action.RETENTION_APPROVE))]

SOORT_LABEL = {LijstSoort.VERNIETIGING: "Vernietigingslijst", LijstSoort.OVERBRENGING: "Overbrengingslijst"}
STATUS_LABEL = {
    LijstStatus.CONCEPT: "Concept",
    LijstStatus.TER_BEOORDELING: "Ter beoordeling",
    LijstStatus.GOEDGEKEURD: "Goedgekeurd",
    LijstStatus.AFGEWEZEN: "Afgewezen",
    LijstStatus.WACHTTIJD: "Goedgekeurd, in wachttijd",
    LijstStatus.UITGEVOERD: "Uitgevoerd",
    LijstStatus.GEANNULEERD: "Geannuleerd",
}
ITEM_LABEL = {
    ItemStatus.VOORGESTELD: "voorgesteld",
    ItemStatus.VERWIJDERD: "verwijderd",
    ItemStatus.AFGEWEZEN: "afgewezen",
    ItemStatus.BEZIG: "bezig",
    ItemStatus.UITGEVOERD: "uitgevoerd",
    ItemStatus.WACHT: "wacht",
    ItemStatus.GEBLOKKEERD: "geblokkeerd",
}
KAN_INDIENEN = (LijstStatus.CONCEPT, LijstStatus.AFGEWEZEN)
KAN_VERWIJDEREN = (LijstStatus.CONCEPT, LijstStatus.AFGEWEZEN, LijstStatus.TER_BEOORDELING, LijstStatus.WACHTTIJD)
KAN_ANNULEREN = (
    LijstStatus.CONCEPT,
    LijstStatus.TER_BEOORDELING,
    LijstStatus.AFGEWEZEN,
    LijstStatus.GOEDGEKEURD,
    LijstStatus.WACHTTIJD,
)


@dataclass(frozen=True)
class Bladeren:
    """Where a list page is among its pages, in the shape the `paginering` macro reads."""

    basis: str
    page: int
    pages: int

    def pagina_url(self, pagina: int) -> str:
        return self.basis if pagina <= 1 else f"{self.basis}?pagina={pagina}"


def install(app: FastAPI) -> None:
    """Add the retention pages to `app` (after the web layer is installed)."""
    include_routes(app, router)


async def _formulier(request: Request) -> dict[str, str]:
    """The form fields (the last value of a repeated name), after the origin check."""
    velden = await formulier(request, "retention lists", max_bytes=MAX_FORMULIER)
    return {naam: laatste(velden, naam) for naam in velden}


def _rollen(principal: Principal) -> dict[str, bool]:
    return {
        "voorstellen": allowed(principal.roles, Action.RETENTION_PROPOSE),
        "beoordelen": allowed(principal.roles, Action.RETENTION_APPROVE),
    }


@router.get(BASIS, response_class=HTMLResponse)
def overzicht(request: Request, principal: Reader) -> HTMLResponse:
    lijsten = retention_service(request).catalog.lists()
    groepen = [
        (soort, SOORT_LABEL[soort] + "en", [lst for lst in lijsten if lst.soort is soort]) for soort in LijstSoort
    ]
    context = {"groepen": groepen, "status_label": STATUS_LABEL, "item_label": ITEM_LABEL}
    return page(request, "retentie/lijsten.html", context, title="Retentie: lijsten")


def _lijst_pagina(
    request: Request,
    lijst_id: UUID,
    principal: Principal,
    *,
    fout: str | None = None,
    status: int = 200,
    pagina: int = 1,
) -> HTMLResponse:
    """One page of a list: its header and counts from the catalog, and PER_PAGINA of its items."""
    service = retention_service(request)
    catalog = service.catalog
    lijst = catalog.list_header(lijst_id)
    totaal = sum(lijst.tellingen.values())
    paginas = max(1, -(-totaal // PER_PAGINA))
    pagina = min(max(1, pagina), paginas)
    items = catalog.list_items(lijst_id, limit=PER_PAGINA, offset=(pagina - 1) * PER_PAGINA)
    rijen = [(item, catalog.exclusions(aip_id=item.aip_id, open_only=True)) for item in items]
    bezig = lijst.tellingen.get(str(ItemStatus.BEZIG), 0) + lijst.tellingen.get(str(ItemStatus.UITGEVOERD), 0)
    bladeren = Bladeren(f"{BASIS}/lijsten/{lijst_id}", pagina, paginas)
    context: dict[str, Any] = {
        "lijst": lijst,
        "rijen": rijen,
        "totaal": totaal,
        "bladeren": bladeren,
        "paginas": pagination(pagina, paginas),
        "eerste": (pagina - 1) * PER_PAGINA + 1,
        "soort_label": SOORT_LABEL[lijst.soort],
        "status_label": STATUS_LABEL,
        "item_label": ITEM_LABEL,
        "rollen": _rollen(principal),
        "eigen": lijst.ingediend_door == principal.agent,
        "kan_indienen": lijst.status in KAN_INDIENEN,
        "kan_beoordelen": lijst.status is LijstStatus.TER_BEOORDELING,
        "kan_verwijderen": lijst.status in KAN_VERWIJDEREN,
        "kan_annuleren": lijst.status in KAN_ANNULEREN and not bezig,
        "open_item": (ItemStatus.VOORGESTELD, ItemStatus.AFGEWEZEN),
        "morgen": (_vandaag(service) + timedelta(days=1)).isoformat(),
        "fout": fout,
        "basis": BASIS,
    }
    titel = f"{SOORT_LABEL[lijst.soort]} {STATUS_LABEL[lijst.status].lower()}"
    if pagina > 1:
        titel += f" – pagina {pagina}"
    return page(request, "retentie/lijst.html", context, title=titel, status=status)


def _vandaag(service: Any) -> date:
    vandaag: date = service._now().date()
    return vandaag


def _paginanummer(request: Request) -> int:
    waarde = request.query_params.get("pagina", "1")
    return int(waarde) if waarde.isdigit() and len(waarde) < 10 else 1


@router.get(BASIS + "/lijsten/{lijst_id}", response_class=HTMLResponse)
def lijst(lijst_id: UUID, request: Request, principal: Reader) -> HTMLResponse:
    return _lijst_pagina(request, lijst_id, principal, pagina=_paginanummer(request))


# --- Dutch messages for the errors the forms can meet ----------------------------------------------

MELDING_PER_REGEL = {
    "retentie.reden.leeg": "Vul een reden in.",
    "retentie.reden.te_lang": "De reden is langer dan 4000 tekens. Maak hem korter.",
    "retentie.datum.ongeldig": "De nieuwe archiefactiedatum is geen geldige datum. Kies een datum.",
    "retentie.datum.niet_na_vandaag": "De nieuwe archiefactiedatum moet na vandaag liggen.",
    "retentie.revisie.ontbreekt": "Het formulier zegt niet welke versie van de lijst u beoordeelde. "
    "Open de lijst opnieuw en beslis dan.",
}
MELDING_PER_ACTIE: dict[tuple[str, type[EdepotError]], str] = {
    ("indienen", Conflict): "Deze lijst heeft geen voorgestelde items meer om te laten beoordelen. "
    "Annuleer de lijst in plaats daarvan.",
    ("annuleren", Conflict): "Deze lijst wordt al uitgevoerd en kan niet meer worden geannuleerd. "
    "Verwijder de overige items één voor één.",
    ("verwijderen", Conflict): "De items van deze lijst kunnen in deze status niet meer veranderen.",
    ("afwijzen", Conflict): "De lijst is gewijzigd sinds u hem opende. Bekijk de lijst opnieuw en beslis dan.",
    ("goedkeuren", Forbidden): "U heeft deze lijst zelf ingediend; een ander moet hem beoordelen.",
}
MELDING_PER_SOORT: tuple[tuple[type[EdepotError], str], ...] = (
    (InvalidInput, "Wat u invulde klopt niet. Controleer het formulier."),
    (Conflict, "De lijst is intussen veranderd. Vernieuw de pagina en probeer het opnieuw."),
    (Forbidden, "Uw rol mag dit niet doen met deze lijst."),
)
ONVERWACHT = "Dit kon niet door een onverwachte fout. Probeer het later opnieuw of meld het aan het DIM-team."


def melding(fout: EdepotError, actie: str) -> str:
    """The Dutch text a page shows for an error of the use cases (whose own messages are English,
    for logs and the JSON API): by rule id, by stale revisie or status change, by action and class."""
    regel = fout.fields.get("regel")
    if isinstance(regel, str) and regel in MELDING_PER_REGEL:
        return MELDING_PER_REGEL[regel]
    if isinstance(fout, InvalidTransition):
        huidig = str(fout.fields.get("current", ""))
        if huidig in LijstStatus.__members__.values():
            label = STATUS_LABEL[LijstStatus(huidig)].lower()
            return f"Dit kan niet bij een lijst met de status ‘{label}’. Vernieuw de pagina."
        if huidig in ItemStatus.__members__.values():
            return f"Dit kan niet bij een item met de status ‘{ITEM_LABEL[ItemStatus(huidig)]}’. Vernieuw de pagina."
    if isinstance(fout, Conflict) and {"expected", "actual"} <= fout.fields.keys():
        return (
            f"De lijst is gewijzigd sinds u hem opende (versie {fout.fields['actual']}, u zag versie "
            f"{fout.fields['expected']}). Bekijk de lijst opnieuw en beslis dan."
        )
    for (soort_actie, soort), tekst in MELDING_PER_ACTIE.items():
        if soort_actie == actie and isinstance(fout, soort):
            return tekst
    for soort, tekst in MELDING_PER_SOORT:
        if isinstance(fout, soort):
            return tekst
    return ONVERWACHT


async def _handel(request: Request, lijst_id: UUID, principal: Principal, actie: str, doe: Any) -> Response:
    """Run `doe(service, velden)` for the form of `actie`; 303 to the list, or the list with the error
    in Dutch (the English message goes to the log)."""
    velden = await _formulier(request)
    service = retention_service(request).acting(principal)
    try:
        await run_in_threadpool(doe, service, velden)
    except EdepotError as exc:
        if exc.http_status == 404:
            raise
        log.info("retention form %s on list %s refused: %s", actie, lijst_id, exc)
        return await run_in_threadpool(
            _lijst_pagina, request, lijst_id, principal, fout=melding(exc, actie), status=exc.http_status
        )
    return RedirectResponse(f"{BASIS}/lijsten/{lijst_id}", status_code=303)


def _tekst(velden: Mapping[str, str], naam: str, wat: str) -> str:
    waarde = velden.get(naam, "").strip()
    if not waarde:
        raise InvalidInput(f"{wat} is empty", hint="fill in the reason", regel="retentie.reden.leeg")
    if len(waarde) > 4000:
        raise InvalidInput(f"{wat} is longer than 4000 characters", regel="retentie.reden.te_lang")
    return waarde


@router.post(BASIS + "/lijsten/{lijst_id}/indienen")
async def indienen(lijst_id: UUID, request: Request, principal: Proposer) -> Response:
    return await _handel(request, lijst_id, principal, "indienen", lambda s, v: s.submit(lijst_id, principal))


@router.post(BASIS + "/lijsten/{lijst_id}/goedkeuren")
async def goedkeuren(lijst_id: UUID, request: Request, principal: Approver) -> Response:
    def doe(service: Any, velden: Mapping[str, str]) -> None:
        revisie = velden.get("revisie", "")
        if not revisie.isdigit():
            raise InvalidInput(
                "the form does not say which revisie of the list you reviewed", regel="retentie.revisie.ontbreekt"
            )
        service.approve(lijst_id, principal, revisie=int(revisie))

    return await _handel(request, lijst_id, principal, "goedkeuren", doe)


@router.post(BASIS + "/lijsten/{lijst_id}/afwijzen")
async def afwijzen(lijst_id: UUID, request: Request, principal: Approver) -> Response:
    def doe(service: Any, velden: Mapping[str, str]) -> None:
        revisie = velden.get("revisie", "")
        service.reject(
            lijst_id,
            principal,
            _tekst(velden, "reden", "the reason for rejecting"),
            revisie=int(revisie) if revisie.isdigit() else None,
        )

    return await _handel(request, lijst_id, principal, "afwijzen", doe)


@router.post(BASIS + "/lijsten/{lijst_id}/items/{aip_id}/verwijderen")
async def verwijderen(lijst_id: UUID, aip_id: UUID, request: Request, principal: Proposer) -> Response:
    def doe(service: Any, velden: Mapping[str, str]) -> None:
        reden = _tekst(velden, "reden", "the reason for removing the item")
        gegeven = velden.get("nieuwe_datum", "")
        try:
            nieuwe_datum = date.fromisoformat(gegeven)
        except ValueError:
            raise InvalidInput(
                f"the new archiefactiedatum {gegeven!r} is not a date",
                hint="write YYYY-MM-DD",
                regel="retentie.datum.ongeldig",
            ) from None
        vandaag = _vandaag(service)
        if nieuwe_datum <= vandaag:
            raise InvalidInput(
                f"the new archiefactiedatum {nieuwe_datum} is not after today ({vandaag})",
                hint="give the date from which the record may be proposed again",
                regel="retentie.datum.niet_na_vandaag",
            )
        service.remove_item(lijst_id, aip_id, principal, reden, nieuwe_datum)

    return await _handel(request, lijst_id, principal, "verwijderen", doe)


@router.post(BASIS + "/lijsten/{lijst_id}/annuleren")
async def annuleren(lijst_id: UUID, request: Request, principal: Proposer) -> Response:
    return await _handel(
        request,
        lijst_id,
        principal,
        "annuleren",
        lambda s, v: s.cancel(lijst_id, principal, _tekst(v, "reden", "the reason for cancelling")),
    )
