"""HTTP routes of the Woo publication feature.

Internal JSON (`/api/v1/woo/...`, each route declares its action): create a concept publicatie,
list them with their Woo art. 3.3 deadline, show one, suggestions for a document's text, redact a
document, publish, retract, and a document's DiWoo XML. `woo.publish`, `woo.redact` and
`woo.retract` are granted to the Woo-redacteur only (edepot.auth.policy).

Public, for the harvester of open.overheid.nl: `/robots.txt` (documented in OpenAPI) naming the
sitemap index files, and the files it names, `/sitemapindex-diwoo-NNNN.xml` and
`/sitemap-diwoo-<categorie>-<yyyy>-<mm>-<nnn>.xml`, served from the written site folder
(`<home>/woo/site`): names are checked against one pattern (no path can escape the folder) and
anything else is 404. These two routes stay out of the OpenAPI document because their names exist
only once something is published (the route walk calls every documented public route).

`install(app)` adds the routes (call it before `declare_actions(app)`). The WooService is
`app.state.woo` when the app has one (tests set it), else it is built once from
`app.state.services`, telling the app's search indexer about every publication and withdrawal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from edepot.auth.http import include_routes, problem_response, require
from edepot.auth.policy import Action
from edepot.auth.principal import Principal
from edepot.errors import NotFound
from edepot.woo.model import PublicatieStatus

router = APIRouter(prefix="/api/v1/woo", tags=["woo"])
public_router = APIRouter(tags=["openbaar"])
site_router = APIRouter(include_in_schema=False)

Publisher = Annotated[Principal, Depends(require(Action.WOO_PUBLISH))]
Redacteur = Annotated[Principal, Depends(require(Action.WOO_REDACT))]
Retracter = Annotated[Principal, Depends(require(Action.WOO_RETRACT))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem_response("No such publicatie or document")}
REFUSED: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: problem_response("Not allowed in the publicatie's current status, or it changed meanwhile"),
    422: problem_response("Refused: every finding is listed in `findings`"),
}
XML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/xml": {"schema": {"type": "string"}}}, "description": "The XML"}
}


def install(app: FastAPI) -> None:
    include_routes(app, router)
    include_routes(app, public_router)
    include_routes(app, site_router)


def woo_service(request: Request) -> Any:
    service = getattr(request.app.state, "woo", None)
    if service is None:
        from edepot.woo_service import build_woo

        app = request.app

        def changed(record_ids: Any) -> None:
            search = getattr(app.state, "search", None)
            if search is not None:
                search.indexer.mark_changed(record_ids)

        service = build_woo(app.state.services, on_change=changed)
        app.state.woo = service
    return service


# --- request bodies -----------------------------------------------------------------------------------


class Handeling(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soort: str = Field(min_length=1, max_length=200, description="TOOI soortHandeling: resource or label")
    tijdstip: datetime = Field(description="With time zone")


class Relatie(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rol: str = Field(min_length=1, max_length=200)
    document: str = Field(min_length=1, max_length=2000)
    label: str | None = Field(default=None, max_length=2000)


class Geldigheid(BaseModel):
    model_config = ConfigDict(extra="forbid")
    begin: datetime | None = None
    eind: datetime | None = None


Tekst = Annotated[str, Field(min_length=1, max_length=500)]


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: UUID = Field(description="The e-depot record to publish")
    bestand_id: UUID | None = Field(default=None, description="Its file; default: its PDF or only file")
    officiele_titel: str | None = Field(default=None, max_length=2000)
    omschrijving: str | None = Field(default=None, max_length=10000)
    documenthandelingen: list[Handeling] = Field(default_factory=list, max_length=20)
    informatiecategorieen: list[Tekst] = Field(default_factory=list, max_length=17)
    kenmerken: list[Tekst] = Field(default_factory=list, max_length=50)
    creatiedatum: date | None = None
    geldigheid: Geldigheid | None = None
    documentrelaties: list[Relatie] = Field(default_factory=list, max_length=50)
    documentsoorten: list[Tekst] = Field(default_factory=list, max_length=20)
    taal: str | None = Field(default=None, max_length=200)


class PublicatieIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    officiele_titel: str = Field(min_length=1, max_length=2000)
    informatiecategorieen: list[Tekst] = Field(min_length=1, max_length=17, description="TOOI resources or labels")
    verantwoordelijke: str | None = Field(default=None, description="Gedeputeerde Staten (default), ...")
    omschrijving: str | None = Field(default=None, max_length=10000)
    kenmerken: list[Tekst] = Field(default_factory=list, max_length=50)
    documenten: list[DocumentIn] = Field(min_length=1, max_length=1000)


class RedactieIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grond: str = Field(min_length=1, max_length=10, description="Woo ground: 5.1.1a-e, 5.1.2a-i, 5.1.5, 5.2")
    pagina: int | None = Field(default=None, ge=1, le=100000)
    gebied: list[float] | None = Field(default=None, min_length=4, max_length=4, description="x0, y0, x1, y1 (pt)")
    tekst: str | None = Field(default=None, min_length=1, max_length=1000)


class RedactiesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    redacties: list[RedactieIn] = Field(min_length=1, max_length=1000)


class IntrekkingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reden: str = Field(min_length=1, max_length=200, description="TOOI redenVerwijderingVervanging: resource or label")
    toelichting: str | None = Field(default=None, max_length=4000, description="Shown on the 410 page")
    vervangen_door: str | None = Field(default=None, max_length=64, description="The replacing publicatie")


# --- internal routes ---------------------------------------------------------------------------------


@router.post("/publicaties", status_code=201, responses=REFUSED)
async def create(body: PublicatieIn, request: Request, principal: Publisher) -> dict[str, Any]:
    """Create a concept publicatie for one or more e-depot records."""
    from edepot.woo_metadata import NieuwePublicatie

    nieuw = NieuwePublicatie.uit_json(body.model_dump(mode="json"))
    service = woo_service(request).acting(principal)
    rij = await run_in_threadpool(service.create, nieuw, principal.agent)
    return dict(await run_in_threadpool(service.toon, rij.id))


@router.get("/publicaties", dependencies=[Depends(require(Action.WOO_PUBLISH))])
async def list_publicaties(
    request: Request,
    status: PublicatieStatus | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    """The publicaties, newest first, with their publication deadline (Woo art. 3.3) and days left."""
    return list(await run_in_threadpool(woo_service(request).lijst, status, limit, offset))


@router.get("/publicaties/{publicatie_id}", responses=NOT_FOUND, dependencies=[Depends(require(Action.WOO_PUBLISH))])
async def show(publicatie_id: str, request: Request) -> dict[str, Any]:
    """One publicatie: its documents, whether each may be published, their redaction logs, the deadline."""
    return dict(await run_in_threadpool(woo_service(request).toon, publicatie_id))


@router.get("/documenten/{document_id}/suggesties", responses=REFUSED)
async def suggest(document_id: str, request: Request, principal: Redacteur) -> list[dict[str, Any]]:
    """Redaction suggestions (BSN, IBAN, e-mail, phone, postcode, licence plate) per page of the original."""
    return list(await run_in_threadpool(woo_service(request).suggest, document_id))


@router.post("/documenten/{document_id}/redacties", responses=REFUSED)
async def redact(document_id: str, body: RedactiesIn, request: Request, principal: Redacteur) -> dict[str, Any]:
    """Redact the document (areas or texts, each with its Woo ground); the verified result is ingested
    as a new record and becomes the document's published file. The original is not changed."""
    from edepot.woo_service import markeringen_uit_json

    markeringen = markeringen_uit_json([r.model_dump(exclude_none=True) for r in body.redacties])
    service = woo_service(request).acting(principal)
    return dict(await run_in_threadpool(service.redact, document_id, markeringen, principal.agent))


@router.post("/publicaties/{publicatie_id}/publiceren", responses=REFUSED)
async def publish(publicatie_id: str, request: Request, principal: Publisher) -> dict[str, Any]:
    """Publish a concept (idempotent): refused with every finding, or DiWoo written, sitemaps updated."""
    service = woo_service(request).acting(principal)
    await run_in_threadpool(service.publish, publicatie_id, principal.agent)
    return dict(await run_in_threadpool(service.toon, publicatie_id))


@router.post("/publicaties/{publicatie_id}/intrekken", responses=REFUSED)
async def retract(publicatie_id: str, body: IntrekkingIn, request: Request, principal: Retracter) -> dict[str, Any]:
    """Withdraw a publication (idempotent): its urls leave the sitemaps and its files answer 410."""
    service = woo_service(request).acting(principal)
    await run_in_threadpool(
        service.retract, publicatie_id, body.reden, body.toelichting, principal.agent, body.vervangen_door
    )
    return dict(await run_in_threadpool(service.toon, publicatie_id))


@router.get(
    "/documenten/{document_id}/diwoo",
    response_class=Response,
    responses={**NOT_FOUND, **XML},
    dependencies=[Depends(require(Action.WOO_PUBLISH))],
)
async def diwoo_xml(document_id: str, request: Request) -> Response:
    """The DiWoo 0.9.8 XML of one document, as it is (or would be) published."""
    data = await run_in_threadpool(woo_service(request).diwoo_xml, document_id)
    return Response(data, media_type="application/xml")


@router.post("/sitemaps", dependencies=[Depends(require(Action.WOO_PUBLISH))])
async def sitemaps(request: Request) -> dict[str, Any]:
    """Reconcile the sitemaps with the published documents (only changed files are written)."""
    return dict(await run_in_threadpool(woo_service(request).sitemaps))


# --- public routes -------------------------------------------------------------------------------------

EMPTY_ROBOTS = "User-agent: *\nDisallow:\n"


@public_router.get(
    "/robots.txt",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "robots.txt"}},
)
async def robots(request: Request) -> Response:
    """robots.txt for harvesters: lets every crawler in and names the DiWoo sitemap index files
    (`/sitemapindex-diwoo-NNNN.xml`, which name the sitemaps `/sitemap-diwoo-...xml`)."""
    try:
        data = await run_in_threadpool(woo_service(request).site_bestand, "robots.txt")
    except NotFound:
        data = EMPTY_ROBOTS.encode()
    return Response(data, media_type="text/plain; charset=utf-8")


async def _site_file(request: Request, naam: str) -> Response:
    data = await run_in_threadpool(woo_service(request).site_bestand, naam)
    return Response(data, media_type="application/xml", headers={"Cache-Control": "no-cache"})


@site_router.get("/sitemapindex-diwoo-{rest}.xml", response_class=Response)
async def sitemap_index(rest: str, request: Request) -> Response:
    return await _site_file(request, f"sitemapindex-diwoo-{rest}.xml")


@site_router.get("/sitemap-diwoo-{rest}.xml", response_class=Response)
async def sitemap(rest: str, request: Request) -> Response:
    return await _site_file(request, f"sitemap-diwoo-{rest}.xml")
