"""The search HTTP API: public search, record pages and downloads, and the internal search.

Public (`/api/public/v1/...`, no credentials, rate-limited by the middleware): search over what
the public may see (the engine query carries `Audience.PUBLIC`), a public record's details, and
its files streamed from storage. Anything not public is 404 with one message, so the existence
of a restricted record does not leak; a withdrawn Woo publication is 410.
Internal (`/api/v1/search...`): search over everything (`search.internal`; every restricted hit
is recorded as a restricted read), a record's access decision and index state, and the indexing
status (`system.manage`).

`include_search(app, services)` adds both routers and keeps the `SearchService` in
`app.state.search`; `edepot serve` hands that to the background indexer.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from edepot.auth.http import Gate, include_routes, problem_response, require
from edepot.auth.policy import Action, allowed
from edepot.auth.principal import Forbidden, Principal
from edepot.errors import NotFound
from edepot.search import Audience, Facet, Hit, Openbaarheid, SearchResult, Sortering
from edepot.search import Query as SearchQuery
from edepot.search.model import MAX_PAGE_SIZE, MAX_QUERY_CHARS, snippet_text
from edepot.search_service import FileView, RecordView, SearchService, build_search

PUBLIC_PREFIX = "/api/public/v1"
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
MAX_PAGE = 100  # with at most 100 per page: the first 10,000 hits, the engines' result window
MAX_FILTER_VALUES = 20
CHUNK = 256 * 1024
PUBLIC_FACETS: tuple[Facet, ...] = tuple(f for f in Facet if f is not Facet.WAARDERING)

FilterValue = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Filter = Annotated[list[FilterValue] | None, Query(max_length=MAX_FILTER_VALUES)]


# --- response models ------------------------------------------------------------------------------


class FacetCount(BaseModel):
    value: str
    count: int


class PublicHit(BaseModel):
    """One found record: what a result list shows."""

    id: str
    title: str
    description: str | None = None
    snippet: str = Field("", description="A fragment of the text around the match, plain text")
    snippet_html: str = Field("", description="The same fragment as HTML: escaped, matches in <mark>")
    informatiecategorie: str | None = None
    organisatie: str | None = None
    documentsoort: str | None = None
    aggregatieniveau: str | None = None
    date_begin: date | None = None
    date_end: date | None = None
    bestandsformaat: str | None = None
    omvang: int | None = Field(None, description="Bytes of all the record's files")
    url: str = Field(description="The record's details in this API")


class InternalHit(PublicHit):
    aip_id: str | None = None
    waardering: str | None = None
    openbaarheid: str
    public: bool = Field(description="Visible to the public (published under the Woo or open as archive)")
    score: float | None = None


class PublicSearchResponse(BaseModel):
    total: int
    page: int
    page_size: int
    pages: int
    hits: list[PublicHit]
    facets: dict[str, list[FacetCount]]


class InternalSearchResponse(BaseModel):
    total: int
    page: int
    page_size: int
    pages: int
    hits: list[InternalHit]
    facets: dict[str, list[FacetCount]]


class FileInfo(BaseModel):
    bestand_id: str
    naam: str
    mime: str
    size: int
    formaat: str


class PublicFile(FileInfo):
    url: str = Field(description="Download of the file itself")


class InternalFile(FileInfo):
    public_url: str | None = Field(None, description="The public download, when the record is public")


class RecordFields(BaseModel):
    id: str
    title: str
    description: str | None = None
    kenmerk: str
    aggregatieniveau: str | None = None
    informatiecategorie: str | None = None
    organisatie: str | None = None
    documentsoort: str | None = None
    date_begin: date | None = None
    date_end: date | None = None
    grond: str | None = Field(None, description="Why it is public: woo or archiefwet")


class PublicRecord(RecordFields):
    files: list[PublicFile]


class AccessDecision(BaseModel):
    openbaarheid: str
    public: bool
    grond: str | None = None
    reden: str
    changes_on: date | None = Field(None, description="The day this decision changes by itself")


class InternalRecord(RecordFields):
    aip_id: str
    waardering: str
    beperking_gebruik: dict[str, str | None]
    access: AccessDecision
    index_state: dict[str, Any] | None = None
    files: list[InternalFile]


class IndexStatus(BaseModel):
    engine: str
    documents: int
    records: dict[str, int]
    failures: list[dict[str, Any]]


# --- helpers ---------------------------------------------------------------------------------------


def _service(request: Request) -> SearchService:
    service: SearchService = request.app.state.search
    return service


def search_query(
    *,
    q: str,
    filters: dict[Facet, list[str] | None],
    van: str | None,
    tot: str | None,
    sort: Sortering,
    page: int,
    page_size: int,
    audience: Audience,
) -> SearchQuery | None:
    """The engine query, or None when the date range is empty (`van` after `tot`): nothing matches."""
    date_from = parse_day(van, end=False)
    date_to = parse_day(tot, end=True)
    if date_from and date_to and date_from > date_to:
        return None
    return SearchQuery(
        text=q,
        filters={facet: tuple(v.strip() for v in values if v.strip()) for facet, values in filters.items() if values},
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        page_size=page_size,
        audience=audience,
    )


def parse_day(value: str | None, *, end: bool) -> date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD (as DATE_PATTERN allows) as the first (or last) day it names;
    a day beyond the month's end (2023-02-30) is read as the month's last day."""
    import calendar

    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    year = max(1, parts[0])
    if len(parts) == 1:
        return date(year, 12, 31) if end else date(year, 1, 1)
    month = parts[1]
    last = calendar.monthrange(year, month)[1]
    if len(parts) == 2:
        return date(year, month, last if end else 1)
    return date(year, month, min(parts[2], last))


def _hit_fields(hit: Hit) -> dict[str, Any]:
    doc = hit.document
    return {
        "id": doc.record_id,
        "title": doc.title,
        "description": doc.description,
        "snippet": snippet_text(hit.snippet),
        "snippet_html": hit.snippet_html,
        "informatiecategorie": doc.informatiecategorie,
        "organisatie": doc.organisatie,
        "documentsoort": doc.documentsoort,
        "aggregatieniveau": doc.aggregatieniveau,
        "date_begin": doc.date_begin,
        "date_end": doc.date_end,
        "bestandsformaat": doc.bestandsformaat,
        "omvang": doc.omvang,
    }


def _facets(result: SearchResult, facets: tuple[Facet, ...]) -> dict[str, list[FacetCount]]:
    return {str(f): [FacetCount(value=v, count=c) for v, c in result.facets.get(f, ())] for f in facets}


def public_search_response(result: SearchResult) -> PublicSearchResponse:
    return PublicSearchResponse(
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        hits=[PublicHit(**_hit_fields(h), url=f"{PUBLIC_PREFIX}/records/{h.record_id}") for h in result.hits],
        facets=_facets(result, PUBLIC_FACETS),
    )


async def _search(service: SearchService, query: SearchQuery) -> SearchResult:
    """A cached answer at once (no hop to the thread pool), an engine search in the pool."""
    cached = service.cached(query)
    if cached is not None:
        return cached
    return await run_in_threadpool(service.search, query)


class RenderedResults:
    """The public JSON of the most recent results, by result object: a result served again from the
    search cache is not serialised again. The object itself is kept and compared by identity, so an
    entry can never answer for another result; at most `max_entries` are held."""

    def __init__(self, max_entries: int = 1_000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[int, tuple[SearchResult, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def json(self, result: SearchResult) -> bytes:
        with self._lock:
            found = self._entries.get(id(result))
            if found is not None and found[0] is result:
                self._entries.move_to_end(id(result))
                return found[1]
        body = public_search_json(result)
        with self._lock:
            self._entries[id(result)] = (result, body)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return body


def public_search_json(result: SearchResult) -> bytes:
    """`public_search_response(result)` as JSON, built from plain data: the hot path of the public
    search pays no model validation (the equality of the two is specified in the tests)."""
    hits = []
    for hit in result.hits:
        fields = _hit_fields(hit)
        for key in ("date_begin", "date_end"):
            value = fields[key]
            fields[key] = value.isoformat() if value is not None else None
        fields["url"] = f"{PUBLIC_PREFIX}/records/{hit.record_id}"
        hits.append(fields)
    body = {
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "hits": hits,
        "facets": {str(f): [{"value": v, "count": c} for v, c in result.facets.get(f, ())] for f in PUBLIC_FACETS},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _public_file(record_id: str, f: FileView) -> PublicFile:
    return PublicFile(
        bestand_id=str(f.bestand_id),
        naam=f.naam,
        mime=f.mime,
        size=f.size,
        formaat=f.formaat,
        url=f"{PUBLIC_PREFIX}/records/{record_id}/files/{f.bestand_id}",
    )


def record_fields(view: RecordView) -> dict[str, Any]:
    doc = view.document
    return {
        "id": doc.record_id,
        "title": doc.title,
        "description": doc.description,
        "kenmerk": view.record.kenmerk,
        "aggregatieniveau": doc.aggregatieniveau,
        "informatiecategorie": doc.informatiecategorie,
        "organisatie": doc.organisatie,
        "documentsoort": doc.documentsoort,
        "date_begin": doc.date_begin,
        "date_end": doc.date_end,
        "grond": str(view.toegang.grond) if view.toegang.grond else None,
    }


def public_record(view: RecordView) -> PublicRecord:
    return PublicRecord(**record_fields(view), files=[_public_file(view.document.record_id, f) for f in view.files])


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name as RFC 8187 `filename*`."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name) or "bestand"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(service: SearchService, record_id: UUID, bestand_id: UUID) -> StreamingResponse:
    _, entry = service.public_file(record_id, bestand_id)
    from edepot.indexing import file_name

    def chunks() -> Iterator[bytes]:
        with service.open_file(entry) as handle:
            while block := handle.read(CHUNK):
                yield block

    headers = {
        "Content-Disposition": content_disposition(file_name(entry)),
        "Content-Length": str(entry.size),
        "ETag": f'"{entry.sha256}"',
        "Digest": f"sha-256={entry.sha256}",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-cache",
    }
    return StreamingResponse(chunks(), media_type=entry.mime or "application/octet-stream", headers=headers)


# --- routers ------------------------------------------------------------------------------------

NOT_PUBLIC = problem_response("No public record (or file) with this identifier")
WITHDRAWN = problem_response("The Woo publication of this record was withdrawn")

public_router = APIRouter(prefix=PUBLIC_PREFIX, tags=["openbaar"])
internal_router = APIRouter(prefix="/api/v1/search", tags=["zoeken"])


@public_router.get("/search", response_model=PublicSearchResponse)
async def public_search(
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description='Words and "phrases"')] = "",
    informatiecategorie: Filter = None,
    organisatie: Filter = None,
    documentsoort: Filter = None,
    aggregatieniveau: Filter = None,
    periode: Annotated[
        list[FilterValue] | None, Query(max_length=MAX_FILTER_VALUES, description="e.g. 1980-1989")
    ] = None,
    van: Annotated[str | None, Query(pattern=DATE_PATTERN, description="From (YYYY, YYYY-MM or YYYY-MM-DD)")] = None,
    tot: Annotated[str | None, Query(pattern=DATE_PATTERN, description="Until (inclusive)")] = None,
    sort: Sortering = Sortering.RELEVANCE,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Response:
    """Search the published and open records: hits, total and facet counts (public records only)."""
    query = search_query(
        q=q,
        filters={
            Facet.INFORMATIECATEGORIE: informatiecategorie,
            Facet.ORGANISATIE: organisatie,
            Facet.DOCUMENTSOORT: documentsoort,
            Facet.AGGREGATIENIVEAU: aggregatieniveau,
            Facet.PERIODE: periode,
        },
        van=van,
        tot=tot,
        sort=sort,
        page=page,
        page_size=page_size,
        audience=Audience.PUBLIC,
    )
    service = _service(request)
    if query is None:
        result = SearchResult(0, (), {}, page, page_size)
    else:  # a cached answer without a hop to the thread pool; an engine search in the pool
        result = await _search(service, query)
    # the hot path: JSON from plain data (FastAPI would validate a returned model again), once per result
    rendered: RenderedResults = request.app.state.rendered_search
    return Response(rendered.json(result), media_type="application/json")


@public_router.get(
    "/records/{record_id}",
    response_model=PublicRecord,
    responses={404: NOT_PUBLIC, 410: WITHDRAWN},
)
async def public_record_detail(record_id: UUID, request: Request) -> PublicRecord:
    """A public record: its description and its files with download links."""
    view = await run_in_threadpool(_service(request).record_view, record_id, public=True)
    return public_record(view)


@public_router.get(
    "/records/{record_id}/files/{bestand_id}",
    response_class=StreamingResponse,
    responses={
        200: {"description": "The file itself", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
        404: NOT_PUBLIC,
        410: WITHDRAWN,
    },
)
async def public_file_download(record_id: UUID, bestand_id: UUID, request: Request) -> Response:
    """Download a file of a public record (Content-Type from the ledger, as an attachment).
    A withdrawn publication is 410: a page with the reason for a browser (Accept: text/html)."""
    from edepot.search_service import Withdrawn
    from edepot.web.woo import ingetrokken_pagina, wil_html

    try:
        return await run_in_threadpool(download_response, _service(request), record_id, bestand_id)
    except Withdrawn as gone:
        if wil_html(request):
            return ingetrokken_pagina(request, gone.reason)
        raise


SearchReader = Annotated[Principal, Depends(require(Action.SEARCH_INTERNAL))]


@internal_router.get("", response_model=InternalSearchResponse)
async def internal_search(
    request: Request,
    principal: SearchReader,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    informatiecategorie: Filter = None,
    organisatie: Filter = None,
    documentsoort: Filter = None,
    aggregatieniveau: Filter = None,
    waardering: Filter = None,
    periode: Filter = None,
    van: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    tot: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    sort: Sortering = Sortering.RELEVANCE,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> InternalSearchResponse:
    """Search every record, restricted ones included; each restricted hit is recorded as a read."""
    gate: Gate = request.app.state.gate
    if not allowed(principal.roles, Action.RECORD_READ_RESTRICTED):
        gate.trail.denied(principal, str(Action.RECORD_READ_RESTRICTED), gate.request_info(request))
        raise Forbidden(
            "internal search shows records with a restriction on use (beperkingGebruik)",
            hint="ask for a role that grants record.read_restricted",
            action=str(Action.RECORD_READ_RESTRICTED),
        )
    query = search_query(
        q=q,
        filters={
            Facet.INFORMATIECATEGORIE: informatiecategorie,
            Facet.ORGANISATIE: organisatie,
            Facet.DOCUMENTSOORT: documentsoort,
            Facet.AGGREGATIENIVEAU: aggregatieniveau,
            Facet.WAARDERING: waardering,
            Facet.PERIODE: periode,
        },
        van=van,
        tot=tot,
        sort=sort,
        page=page,
        page_size=page_size,
        audience=Audience.INTERNAL,
    )
    service = _service(request)
    if query is None:
        result = SearchResult(0, (), {}, page, page_size)
    else:
        result = await _search(service, query)
    restricted = [h for h in result.hits if h.document.openbaarheid is Openbaarheid.BEPERKT]
    if restricted:
        await run_in_threadpool(_record_reads, service, gate, principal, request, restricted)
    return InternalSearchResponse(
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        hits=[
            InternalHit(
                **_hit_fields(h),
                url=f"/api/v1/search/records/{h.record_id}",
                aip_id=h.document.aip_id,
                waardering=h.document.waardering,
                openbaarheid=str(h.document.openbaarheid),
                public=h.document.public,
                score=h.score,
            )
            for h in result.hits
        ],
        facets=_facets(result, tuple(Facet)),
    )


def _record_reads(service: SearchService, gate: Gate, principal: Principal, request: Request, hits: list[Hit]) -> None:
    records = []
    for hit in hits:
        try:
            records.append(service.services.catalog.get_record(UUID(hit.record_id)))
        except NotFound:  # a hit whose record left the catalog is not a read
            continue
    gate.trail.restricted_reads(principal, records, gate.request_info(request))


@internal_router.get(
    "/records/{record_id}",
    response_model=InternalRecord,
    responses={404: problem_response("No such record")},
)
async def internal_record(record_id: UUID, request: Request, principal: SearchReader) -> InternalRecord:
    """A record's details with today's access decision (why it is or is not public) and its index state."""
    service = _service(request)
    view = await run_in_threadpool(service.record_view, record_id, public=False)
    gate: Gate = request.app.state.gate
    if view.record.beperking_code is not None:
        if not allowed(principal.roles, Action.RECORD_READ_RESTRICTED):
            gate.trail.denied(principal, str(Action.RECORD_READ_RESTRICTED), gate.request_info(request))
            raise Forbidden(
                "this record has a restriction on use (beperkingGebruik)",
                hint="ask for a role that grants record.read_restricted",
                action=str(Action.RECORD_READ_RESTRICTED),
            )
        gate.trail.restricted_reads(principal, [view.record], gate.request_info(request))
    files = [
        InternalFile(
            **_public_file(view.document.record_id, f).model_dump(exclude={"url"}),
            public_url=_public_file(view.document.record_id, f).url if view.toegang.public else None,
        )
        for f in view.files
    ]
    return InternalRecord(
        **record_fields(view),
        aip_id=str(view.record.aip_id),
        waardering=view.record.waardering,
        beperking_gebruik={"code": view.record.beperking_code, "label": view.record.beperking_label},
        access=AccessDecision(
            openbaarheid=str(view.toegang.openbaarheid),
            public=view.toegang.public,
            grond=str(view.toegang.grond) if view.toegang.grond else None,
            reden=view.toegang.reden,
            changes_on=view.toegang.wijzigt_op,
        ),
        index_state=view.state.as_dict() if view.state else None,
        files=files,
    )


@internal_router.get("/status", response_model=IndexStatus, dependencies=[Depends(require(Action.SYSTEM_MANAGE))])
async def index_status(request: Request) -> IndexStatus:
    """The search index: engine, documents, records per sync status, failed records with their errors."""
    return IndexStatus(**await run_in_threadpool(_service(request).status))


def include_search(app: FastAPI, services: Any, search: SearchService | None = None) -> SearchService:
    """Add the public and internal search routers to `app`; the service goes to `app.state.search`."""
    service = search or build_search(services)
    app.state.search = service
    app.state.rendered_search = RenderedResults(max(1, service.config.cache_entries))
    include_routes(app, public_router)  # not app.include_router: see auth.http.include_routes
    include_routes(app, internal_router)
    return service
