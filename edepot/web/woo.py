"""The Woo-redacteur's pages (Dutch, server-rendered, no JavaScript) under /beheer/woo, and the 410
page a person gets for a withdrawn publication's file.

- GET  /beheer/woo                                   the publicaties: status, Woo art. 3.3 deadline, days left
- GET  /beheer/woo/publicaties/{id}                  one publicatie, its documents and redaction logs, and
                                                     the publish and retract forms
- GET  /beheer/woo/documenten/{id}                   redact one document: every page of the original as an
                                                     image, the suggestions (BSN, IBAN, e-mail, phone,
                                                     postcode, licence plate) as checkboxes with a Woo
                                                     ground each, a text and an area (PDF points) to add
- GET  /beheer/woo/documenten/{id}/paginas/{n}.png   one page of the original (woo.redact; never cached)
- POST /beheer/woo/documenten/{id}/lakken            redact (woo.redact) -> 303 to the publicatie
- POST /beheer/woo/publicaties/{id}/publiceren       publish (woo.publish) -> 303
- POST /beheer/woo/publicaties/{id}/intrekken        retract with a TOOI reason, toelichting and optionally the
                                                     replacing publicatie ("vervangen door") (woo.retract)

Every route declares its action with `require`; the forms call the same `WooService` use cases as
the API (`edepot.api_woo`). Authentication is as on the API (a bearer header, no cookie session), and
state-changing forms sent from another origin (`Origin`, `Sec-Fetch-Site`) are refused, as on the
retention pages. Refusals are shown in Dutch (`melding`); the API keeps the English messages. A
redaction always starts from the original; the areas of the current redacted
version (from the redaction log) are applied again unless the redacteur unticks "behouden", so
rounds add up.

`ingetrokken_pagina(request, reden)` and `wil_html(request)` serve content negotiation on the public
file URL (`edepot.api_search`): a browser gets the 410 page with the reason, JSON clients keep
problem+json.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from edepot.api_woo import woo_service
from edepot.auth.http import include_routes, require
from edepot.auth.policy import Action, allowed
from edepot.auth.principal import Principal
from edepot.errors import Conflict, EdepotError, Finding, InvalidInput, NotFound, SubmissionRejected
from edepot.web import error_page, page
from edepot.web.formulier import formulier
from edepot.woo import lijsten
from edepot.woo.model import PublicatieStatus
from edepot.woo.redact import Rect
from edepot.woo.suggest import WooGrond
from edepot.woo_service import Markering, grond

BASIS = "/beheer/woo"
MAX_FORMULIER = 256 * 1024
MAX_VELDEN = 5000
MAX_VERVANGERS = 200  # newest publicaties offered as replacement; any other is typed by its kenmerk
SCHAAL = 1.0  # pixels per PDF point of a page image: the image's pixels are the points

router = APIRouter(include_in_schema=False)

Publisher = Annotated[Principal, Depends(require(Action.WOO_PUBLISH))]
Redacteur = Annotated[Principal, Depends(require(Action.WOO_REDACT))]
Retracter = Annotated[Principal, Depends(require(Action.WOO_RETRACT))]

STATUS_LABEL = {
    PublicatieStatus.CONCEPT: "Concept",
    PublicatieStatus.GEPUBLICEERD: "Gepubliceerd",
    PublicatieStatus.INGETROKKEN: "Ingetrokken",
}
SOORT_LABEL = {
    "bsn": "BSN",
    "iban": "IBAN",
    "email": "E-mailadres",
    "telefoon": "Telefoonnummer",
    "postcode": "Postcode",
    "kenteken": "Kenteken",
}
GRONDEN = [(str(g), f"{g} ({g.name.replace('_', ' ').lower()})") for g in WooGrond]


def install(app: FastAPI) -> None:
    """Add the Woo pages to `app` (after the web layer and `edepot.api_woo` are installed)."""
    include_routes(app, router)


# --- the 410 page ---------------------------------------------------------------------------------


def _kwaliteit(deel: str) -> tuple[str, float]:
    soort, *parameters = (p.strip() for p in deel.split(";"))
    q = 1.0
    for parameter in parameters:
        naam, _, waarde = parameter.partition("=")
        if naam.strip().lower() == "q":
            try:
                q = float(waarde)
            except ValueError:
                q = 0.0
    return soort.lower(), q


def wil_html(request: Request) -> bool:
    """True when the Accept header prefers an HTML page (text/html) to JSON (a browser, not a client)."""
    gewogen = dict(_kwaliteit(d) for d in request.headers.get("accept", "").split(",") if d.strip())
    html = max(gewogen.get("text/html", 0.0), gewogen.get("application/xhtml+xml", 0.0))
    json = max(gewogen.get("application/json", 0.0), gewogen.get("application/problem+json", 0.0))
    return html > 0 and html >= json


def ingetrokken_pagina(request: Request, reden: str) -> HTMLResponse:
    """410 Gone as a page in the site's layout, with the reason and the toelichting of the withdrawal."""
    response = error_page(
        request,
        410,
        message="Dit document was openbaar gemaakt onder de Wet open overheid, maar de publicatie is ingetrokken.",
        reden=reden,
    )
    response.headers["Vary"] = "Accept"
    return response


# --- forms ------------------------------------------------------------------------------------------


async def _formulier(request: Request) -> dict[str, list[str]]:
    """The urlencoded form fields (every value of a repeated name), after the origin check."""
    return await formulier(request, "Woo publications", max_bytes=MAX_FORMULIER, max_velden=MAX_VELDEN)


def _een(velden: Mapping[str, list[str]], naam: str) -> str:
    return (velden.get(naam) or [""])[-1].strip()


def _getal(velden: Mapping[str, list[str]], naam: str, wat: str) -> float:
    waarde = _een(velden, naam).replace(",", ".")
    try:
        return float(waarde)
    except ValueError:
        raise InvalidInput(f"{wat} {waarde!r} is not a number", hint="give PDF points, e.g. 72 or 715.5") from None


def markeringen_uit_formulier(
    velden: Mapping[str, list[str]], suggesties: list[dict[str, Any]], behouden: list[Markering]
) -> list[Markering]:
    """The Markeringen the redaction form asks for: ticked suggestions with their ground, a text, an
    area, and (unless unticked) the areas of the current redacted version."""
    markeringen = list(behouden) if _een(velden, "behouden") else []
    for waarde in velden.get("suggestie", []):
        if not waarde.isdigit() or int(waarde) >= len(suggesties):
            raise InvalidInput(f"suggestion {waarde!r} does not exist", hint="open the page again and tick anew")
        s = suggesties[int(waarde)]
        markeringen.append(
            Markering(grond(_een(velden, f"grond-{waarde}") or s["grond"]), s["pagina"], tekst=s["tekst"])
        )
    tekst = _een(velden, "tekst")
    if tekst:
        if len(tekst) > 1000:
            raise InvalidInput("the text to redact is longer than 1000 characters", hint="redact it as an area")
        markeringen.append(Markering(grond(_een(velden, "tekst_grond")), None, tekst=tekst))
    gebied = [_een(velden, n) for n in ("pagina", "x0", "y0", "x1", "y1")]
    if any(gebied):
        if not all(gebied):
            raise InvalidInput("an area needs a page and x0, y0, x1, y1", hint="fill in all five, or none")
        if not gebied[0].isdigit() or int(gebied[0]) < 1:
            raise InvalidInput(f"page {gebied[0]!r} is not a page number", hint="pages are numbered from 1")
        rect = Rect(*(_getal(velden, n, n) for n in ("x0", "y0", "x1", "y1")))
        markeringen.append(Markering(grond(_een(velden, "gebied_grond")), int(gebied[0]), gebied=rect))
    if not markeringen:
        raise InvalidInput("nothing to redact", hint="tick a suggestion, or give a text or an area with its Woo ground")
    return markeringen


# --- pages ------------------------------------------------------------------------------------------


def _dagen(dagen: int | None) -> str:
    if dagen is None:
        return "geen termijn (geen vaststelling of ontvangst)"
    if dagen == 0:
        return "vandaag"
    if dagen > 0:
        return f"nog {dagen} {'dag' if dagen == 1 else 'dagen'}"
    return f"{-dagen} {'dag' if dagen == -1 else 'dagen'} te laat"


def _rollen(principal: Principal) -> dict[str, bool]:
    return {
        "publiceren": allowed(principal.roles, Action.WOO_PUBLISH),
        "lakken": allowed(principal.roles, Action.WOO_REDACT),
        "intrekken": allowed(principal.roles, Action.WOO_RETRACT),
    }


@router.get(BASIS, response_class=HTMLResponse)
async def overzicht(request: Request, principal: Publisher) -> HTMLResponse:
    publicaties = await run_in_threadpool(woo_service(request).lijst, None, 1000, 0)
    context = {"publicaties": publicaties, "status_label": STATUS_LABEL, "dagen": _dagen, "basis": BASIS}
    return page(request, "woo/publicaties.html", context, title="Woo: publicaties")


def _publicatie_pagina(
    request: Request, publicatie_id: str, principal: Principal, *, fout: str | None = None, status: int = 200
) -> HTMLResponse:
    data = woo_service(request).toon(publicatie_id)
    context = {
        "p": data,
        "status_label": STATUS_LABEL,
        "dagen": _dagen,
        "rollen": _rollen(principal),
        "redenen": list(lijsten.redenen_verwijdering_vervanging()),
        "vervangers": _vervangers(request, publicatie_id) if data["status"] == "gepubliceerd" else [],
        "fout": fout,
        "basis": BASIS,
    }
    return page(request, "woo/publicatie.html", context, title=f"Woo: {data['officiele_titel']}", status=status)


def _vervangers(request: Request, publicatie_id: str) -> list[tuple[str, str]]:
    """(id, title) of the newest publicaties that can replace this one (not itself, not withdrawn)."""
    return [
        (p.id, p.officiele_titel)
        for p in woo_service(request).catalog.publicaties(limit=MAX_VERVANGERS)
        if p.id != publicatie_id and p.status is not PublicatieStatus.INGETROKKEN
    ]


@router.get(BASIS + "/publicaties/{publicatie_id}", response_class=HTMLResponse)
async def publicatie(publicatie_id: str, request: Request, principal: Publisher) -> HTMLResponse:
    return await run_in_threadpool(_publicatie_pagina, request, publicatie_id, principal)


def _document_pagina(
    request: Request,
    document_id: str,
    principal: Principal,
    *,
    fout: str | None = None,
    status: int = 200,
    velden: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    service = woo_service(request)
    stuk = service.catalog.get_stuk(document_id)
    rij = service.catalog.get_publicatie(stuk.publicatie_id)
    try:
        paginas, suggesties, onleesbaar = service.paginas(document_id), service.suggest(document_id), None
    except InvalidInput as exc:
        paginas, suggesties, onleesbaar = [], [], str(exc)
    context = {
        "stuk": stuk,
        "publicatie": rij,
        "paginas": [(n, round(b * SCHAAL), round(h * SCHAAL), b, h) for n, (b, h) in enumerate(paginas, start=1)],
        "suggesties": suggesties,
        "soort_label": SOORT_LABEL,
        "gronden": GRONDEN,
        "redacties": service.catalog.redacties(document_id),
        "kan_lakken": rij.status is PublicatieStatus.CONCEPT,
        "onleesbaar": onleesbaar,
        "fout": fout,
        "velden": velden or {},
        "status_label": STATUS_LABEL,
        "basis": BASIS,
    }
    titel = f"Lakken: {stuk.metadata.get('officiele_titel') or stuk.id}"
    return page(request, "woo/document.html", context, title=titel, status=status)


@router.get(BASIS + "/documenten/{document_id}", response_class=HTMLResponse)
async def document(document_id: str, request: Request, principal: Redacteur) -> HTMLResponse:
    return await run_in_threadpool(_document_pagina, request, document_id, principal)


@router.get(BASIS + "/documenten/{document_id}/paginas/{pagina}.png", response_class=Response)
async def pagina_png(document_id: str, pagina: int, request: Request, principal: Redacteur) -> Response:
    data = await run_in_threadpool(lambda: woo_service(request).pagina_png(document_id, pagina, schaal=SCHAAL))
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


async def _handel(
    request: Request,
    principal: Principal,
    actie: Callable[[Any, Mapping[str, list[str]]], str],
    opnieuw: Callable[[str, int, Mapping[str, list[str]]], HTMLResponse],
) -> Response:
    """Run `actie(service, velden)` for a form: 303 to the page it names, or the form's page with the error."""
    velden = await _formulier(request)
    service = woo_service(request).acting(principal)
    try:
        doel = await run_in_threadpool(actie, service, velden)
    except EdepotError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        return await run_in_threadpool(opnieuw, melding(exc), exc.http_status, velden)
    return RedirectResponse(doel, status_code=303)


class Weigering(InvalidInput):
    """A form refused by these pages themselves; its message is already Dutch."""


BEVINDING_NL = {
    "woo.publicatie.titel": "de publicatie heeft geen officiële titel",
    "woo.publicatie.documenten": "de publicatie heeft geen documenten",
    "woo.document.titel": "document {document} heeft geen officiële titel",
    "woo.document.url": "document {document} heeft geen https-adres",
    "woo.document.informatiecategorie": "document {document} heeft geen geldige Woo-informatiecategorie",
    "woo.document.documenthandeling": "document {document} heeft geen documenthandeling (vaststelling, "
    "ondertekening of ontvangst met datum)",
    "woo.document.record": "document {document} is niet de actuele opgeslagen versie; publiceer de nieuwste versie",
    "woo.document.publiceerbaar": "document {document} mag niet openbaar worden; lak het eerst of corrigeer de "
    "beperking gebruik (zie 'Openbaar te maken' bij het document)",
}


def _bevinding(finding: Finding) -> str:
    tekst = BEVINDING_NL.get(finding.rule)
    if tekst is None:  # e.g. a DiWoo schema finding: technical, shown as it is
        return f"document {finding.file or finding.object}: {finding.message}"
    return tekst.format(document=finding.file or finding.object)


def melding(exc: EdepotError) -> str:
    """A refusal in Dutch for these pages. The API, the CLI and the logs keep the English message of
    `edepot.errors` (as the retention pages and the portal keep the API English); what has no Dutch
    text here is shown with its English detail after a Dutch lead."""
    if isinstance(exc, Weigering):
        return exc.message
    if isinstance(exc, SubmissionRejected):
        regels = [_bevinding(f) for f in exc.findings]
        aantal = f"{len(regels)} {'probleem' if len(regels) == 1 else 'problemen'}"
        return f"de publicatie kan niet worden gepubliceerd ({aantal}): " + "; ".join(regels)
    if isinstance(exc, Conflict):
        return (
            "de publicatie is intussen gewijzigd of heeft niet de status die hiervoor nodig is. "
            f"Laad de pagina opnieuw en probeer het nog eens. (Technisch: {exc})"
        )
    if isinstance(exc, InvalidInput):
        return f"de invoer klopt niet. (Technisch: {exc})"
    return f"er ging iets mis. (Technisch: {exc})"


@router.post(BASIS + "/documenten/{document_id}/lakken")
async def lakken(document_id: str, request: Request, principal: Redacteur) -> Response:
    def actie(service: Any, velden: Mapping[str, list[str]]) -> str:
        stuk = service.catalog.get_stuk(document_id)
        suggesties = service.suggest(document_id) if velden.get("suggestie") else []
        behouden = [
            Markering(WooGrond(r.grond), r.pagina, gebied=Rect(*r.gebied))
            for r in service.catalog.redacties(document_id)
            if stuk.gepubliceerd_record_id is not None and r.record_id == stuk.gepubliceerd_record_id
        ]
        service.redact(document_id, markeringen_uit_formulier(velden, suggesties, behouden), principal.agent)
        return f"{BASIS}/publicaties/{stuk.publicatie_id}#document-{document_id}"

    def opnieuw(fout: str, status: int, velden: Mapping[str, list[str]]) -> HTMLResponse:
        return _document_pagina(request, document_id, principal, fout=fout, status=status, velden=velden)

    return await _handel(request, principal, actie, opnieuw)


@router.post(BASIS + "/publicaties/{publicatie_id}/publiceren")
async def publiceren(publicatie_id: str, request: Request, principal: Publisher) -> Response:
    def actie(service: Any, velden: Mapping[str, list[str]]) -> str:
        service.publish(publicatie_id, principal.agent)
        return f"{BASIS}/publicaties/{publicatie_id}"

    def opnieuw(fout: str, status: int, velden: Mapping[str, list[str]]) -> HTMLResponse:
        return _publicatie_pagina(request, publicatie_id, principal, fout=fout, status=status)

    return await _handel(request, principal, actie, opnieuw)


@router.post(BASIS + "/publicaties/{publicatie_id}/intrekken")
async def intrekken(publicatie_id: str, request: Request, principal: Retracter) -> Response:
    def actie(service: Any, velden: Mapping[str, list[str]]) -> str:
        reden = _een(velden, "reden")
        if not reden:
            raise Weigering("kies een reden van intrekking uit de lijst")
        toelichting = _een(velden, "toelichting")
        if len(toelichting) > 4000:
            raise Weigering("de toelichting is langer dan 4000 tekens; maak haar korter")
        vervanger = _een(velden, "vervangen_door") or None
        if vervanger == publicatie_id:
            raise Weigering("een publicatie kan zichzelf niet vervangen; kies de gecorrigeerde publicatie")
        if vervanger is not None:
            try:
                service.catalog.get_publicatie(vervanger)
            except NotFound:
                raise Weigering(
                    f"publicatie {vervanger!r} bestaat niet; kies de vervangende publicatie uit de lijst"
                ) from None
        service.retract(publicatie_id, reden, toelichting or None, principal.agent, vervangen_door=vervanger)
        return f"{BASIS}/publicaties/{publicatie_id}"

    def opnieuw(fout: str, status: int, velden: Mapping[str, list[str]]) -> HTMLResponse:
        return _publicatie_pagina(request, publicatie_id, principal, fout=fout, status=status)

    return await _handel(request, principal, actie, opnieuw)
