"""The retention dashboard pages (Dutch, server-rendered, no JavaScript) under /beheer/retentie.

- GET  /beheer/retentie                                   the vernietigingslijsten and overbrengingslijsten
- GET  /beheer/retentie/lijsten/{id}                      one list: its items, their exclusions, and the
                                                          forms the caller's role may use
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
so no multipart dependency is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from edepot.api_retention import _service
from edepot.auth.http import include_routes, require
from edepot.auth.policy import Action, allowed
from edepot.auth.principal import Principal
from edepot.errors import EdepotError, InvalidInput
from edepot.retention_workflow import ItemStatus, LijstSoort, LijstStatus
from edepot.web import page
from edepot.web.formulier import formulier, laatste

BASIS = "/beheer/retentie"
MAX_FORMULIER = 64 * 1024

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
    lijsten = _service(request).catalog.lists()
    groepen = [
        (soort, SOORT_LABEL[soort] + "en", [lst for lst in lijsten if lst.soort is soort]) for soort in LijstSoort
    ]
    context = {"groepen": groepen, "status_label": STATUS_LABEL, "item_label": ITEM_LABEL}
    return page(request, "retentie/lijsten.html", context, title="Retentie: lijsten")


def _lijst_pagina(
    request: Request, lijst_id: UUID, principal: Principal, *, fout: str | None = None, status: int = 200
) -> HTMLResponse:
    service = _service(request)
    getoond = service.show(lijst_id)
    lijst = service.catalog.get_list(lijst_id)
    context: dict[str, Any] = {
        "lijst": lijst,
        "data": getoond,
        "soort_label": SOORT_LABEL[lijst.soort],
        "status_label": STATUS_LABEL,
        "item_label": ITEM_LABEL,
        "rollen": _rollen(principal),
        "eigen": lijst.ingediend_door == principal.agent,
        "kan_indienen": lijst.status in KAN_INDIENEN,
        "kan_beoordelen": lijst.status is LijstStatus.TER_BEOORDELING,
        "kan_verwijderen": lijst.status in KAN_VERWIJDEREN,
        "kan_annuleren": lijst.status in KAN_ANNULEREN
        and not any(i.status in (ItemStatus.BEZIG, ItemStatus.UITGEVOERD) for i in lijst.items),
        "open_item": (ItemStatus.VOORGESTELD, ItemStatus.AFGEWEZEN),
        "morgen": date.fromordinal(service._now().date().toordinal() + 1).isoformat(),
        "fout": fout,
        "basis": BASIS,
    }
    titel = f"{SOORT_LABEL[lijst.soort]} {STATUS_LABEL[lijst.status].lower()}"
    return page(request, "retentie/lijst.html", context, title=titel, status=status)


@router.get(BASIS + "/lijsten/{lijst_id}", response_class=HTMLResponse)
def lijst(lijst_id: UUID, request: Request, principal: Reader) -> HTMLResponse:
    return _lijst_pagina(request, lijst_id, principal)


async def _handel(request: Request, lijst_id: UUID, principal: Principal, actie: Any) -> Response:
    """Run `actie(service, velden)` for a form; 303 to the list, or the list with the error."""
    velden = await _formulier(request)
    service = _service(request).acting(principal)
    try:
        await run_in_threadpool(actie, service, velden)
    except EdepotError as exc:
        if exc.http_status == 404:
            raise
        return await run_in_threadpool(
            _lijst_pagina, request, lijst_id, principal, fout=str(exc), status=exc.http_status
        )
    return RedirectResponse(f"{BASIS}/lijsten/{lijst_id}", status_code=303)


def _tekst(velden: Mapping[str, str], naam: str, wat: str) -> str:
    waarde = velden.get(naam, "").strip()
    if not waarde:
        raise InvalidInput(f"{wat} is empty", hint="fill in the reason")
    if len(waarde) > 4000:
        raise InvalidInput(f"{wat} is longer than 4000 characters")
    return waarde


@router.post(BASIS + "/lijsten/{lijst_id}/indienen")
async def indienen(lijst_id: UUID, request: Request, principal: Proposer) -> Response:
    return await _handel(request, lijst_id, principal, lambda s, v: s.submit(lijst_id, principal))


@router.post(BASIS + "/lijsten/{lijst_id}/goedkeuren")
async def goedkeuren(lijst_id: UUID, request: Request, principal: Approver) -> Response:
    def actie(service: Any, velden: Mapping[str, str]) -> None:
        revisie = velden.get("revisie", "")
        if not revisie.isdigit():
            raise InvalidInput("the form does not say which revisie of the list you reviewed")
        service.approve(lijst_id, principal, revisie=int(revisie))

    return await _handel(request, lijst_id, principal, actie)


@router.post(BASIS + "/lijsten/{lijst_id}/afwijzen")
async def afwijzen(lijst_id: UUID, request: Request, principal: Approver) -> Response:
    def actie(service: Any, velden: Mapping[str, str]) -> None:
        revisie = velden.get("revisie", "")
        service.reject(
            lijst_id,
            principal,
            _tekst(velden, "reden", "the reason for rejecting"),
            revisie=int(revisie) if revisie.isdigit() else None,
        )

    return await _handel(request, lijst_id, principal, actie)


@router.post(BASIS + "/lijsten/{lijst_id}/items/{aip_id}/verwijderen")
async def verwijderen(lijst_id: UUID, aip_id: UUID, request: Request, principal: Proposer) -> Response:
    def actie(service: Any, velden: Mapping[str, str]) -> None:
        reden = _tekst(velden, "reden", "the reason for removing the item")
        try:
            nieuwe_datum = date.fromisoformat(velden.get("nieuwe_datum", ""))
        except ValueError:
            raise InvalidInput(
                f"the new archiefactiedatum {velden.get('nieuwe_datum', '')!r} is not a date",
                hint="write YYYY-MM-DD",
            ) from None
        service.remove_item(lijst_id, aip_id, principal, reden, nieuwe_datum)

    return await _handel(request, lijst_id, principal, actie)


@router.post(BASIS + "/lijsten/{lijst_id}/annuleren")
async def annuleren(lijst_id: UUID, request: Request, principal: Proposer) -> Response:
    return await _handel(
        request, lijst_id, principal, lambda s, v: s.cancel(lijst_id, principal, _tekst(v, "reden", "the reason"))
    )
