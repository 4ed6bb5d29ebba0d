"""The HTTP API (FastAPI): health, AIPs, records, submissions, events and API tokens as JSON.

Every internal route (`/api/v1/...`) declares its action with `require(...)` (edepot.auth); public
routes are `/health` and `/api/public/...`. Errors are RFC 9457 problem+json, validation errors
included; nothing secret (headers, tokens, settings) is ever echoed. Middleware adds security
headers and rate-limits the public endpoints. `create_app(services)` is a factory; nothing is built
at import time.
"""

from __future__ import annotations

import logging
import shutil
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from edepot import __version__, logsafe, upload
from edepot.auth.audit import AuditTrail, acting
from edepot.auth.http import Gate, declare_actions, problem_response, require
from edepot.auth.oidc import OidcConfig, OidcValidator
from edepot.auth.policy import Action, Role, allowed
from edepot.auth.principal import Forbidden, Principal
from edepot.auth.tokens import issue_token, list_tokens, revoke_token
from edepot.errors import EdepotError
from edepot.middleware import PublicRateLimit, SecurityHeaders, TokenBuckets
from edepot.model import Aip, EventRecord, RecordEntry

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
ARCHIVE_TYPES = ("application/zip", "application/x-tar", "application/gzip", "application/octet-stream")


def aip_summary(aip: Aip) -> dict[str, Any]:
    return {
        "id": str(aip.id),
        "source": aip.source,
        "source_key": aip.source_key,
        "version": aip.version,
        "status": str(aip.status),
        "title": aip.title,
        "created_at": aip.created_at.isoformat(),
        "stored_at": aip.stored_at.isoformat() if aip.stored_at else None,
        "previous_id": str(aip.previous_id) if aip.previous_id else None,
        "content_hash": aip.content_hash,
    }


def record_detail(record: RecordEntry) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "aip_id": str(record.aip_id),
        "parent_id": str(record.parent_id) if record.parent_id else None,
        "naam": record.naam,
        "aggregatieniveau": record.aggregatieniveau,
        "kenmerk": record.kenmerk,
        "bron": record.bron,
        "waardering": record.waardering,
        "beperking_gebruik": {"code": record.beperking_code, "label": record.beperking_label},
        "dekking_in_tijd": {"begin": record.dekking_begin, "eind": record.dekking_eind},
        "omschrijving": record.omschrijving,
        "sidecar": record.sidecar_path,
    }


def aip_detail(aip: Aip) -> dict[str, Any]:
    return {
        **aip_summary(aip),
        "records": [record_detail(r) for r in aip.records],
        "files": [
            {
                "path": f.path,
                "kind": str(f.kind),
                "sha256": f.sha256,
                "size": f.size,
                "puid": f.puid,
                "mime": f.mime,
                "original_path": f.original_path,
                "bestand_id": str(f.bestand_id) if f.bestand_id else None,
                "record_id": str(f.record_id) if f.record_id else None,
            }
            for f in aip.files
        ],
    }


def event_json(event: EventRecord) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "agent": event.agent,
        "outcome": str(event.outcome),
        "time": event.time.isoformat(),
        "object_id": event.object_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


class TokenRequest(BaseModel):
    """A new API token for a service account. Unknown fields and loosely typed values are refused."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(min_length=1, max_length=200, description="Which service uses it")
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    expires_days: int | None = Field(default=None, ge=1, le=3650, description="None: until revoked")

    @field_validator("expires_days", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        if isinstance(value, bool):  # JSON true is not a number of days (72.0 is, as JSON Schema says)
            raise ValueError("expires_days must be a number of days")
        return value


# Module level: with postponed annotations FastAPI resolves these names in the module's globals.
RecordReader = Annotated[Principal, Depends(require(Action.RECORD_READ))]
TokenManager = Annotated[Principal, Depends(require(Action.TOKEN_MANAGE))]


def _problem(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _gate(services: Any) -> Gate:
    settings = services.settings
    oidc = None
    if settings.oidc_issuer:
        oidc = OidcValidator(
            OidcConfig(
                issuer=settings.oidc_issuer,
                audience=settings.oidc_audience or "",
                jwks_url=settings.oidc_jwks_url,
                roles_claim=settings.oidc_roles_claim,
            )
        )
    failures = TokenBuckets(settings.public_rate_limit) if settings.public_rate_limit else None
    return Gate(
        services, oidc=oidc, trail=AuditTrail(services), failures=failures, trusted_proxies=settings.trusted_proxies
    )


def create_app(services: Any) -> FastAPI:
    settings = services.settings
    logsafe.install(settings.secrets())
    app = FastAPI(
        title="edepot",
        version=__version__,
        description="E-depot of Provincie Limburg: AIPs, records and their fixity. "
        "Internal routes need `Authorization: Bearer <OIDC access token or edepot API token>`; "
        "each operation names the action it needs in `x-edepot-action`.",
    )
    app.state.services = services
    app.state.gate = _gate(services)

    register_error_handlers(app)

    @app.get("/health", tags=["beheer"])
    def health() -> dict[str, Any]:
        head = services.catalog.event_head()
        return {"status": "ok", "version": __version__, "events": head[0] if head else 0}

    @app.get("/api/v1/aips", tags=["aips"])
    def list_aips(
        principal: Annotated[Principal, Depends(require(Action.AIP_READ))],
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> list[dict[str, Any]]:
        """Stored AIPs, newest first. The title of an AIP holding restricted records is withheld (null,
        with `title_withheld`) from callers without record.read_restricted: a title names its content."""
        found = services.list_aips(limit=limit, offset=offset)
        withheld: frozenset[UUID] = frozenset()
        if not allowed(principal.roles, Action.RECORD_READ_RESTRICTED):
            withheld = services.catalog.restricted_aips(a.id for a in found)
        listed = [{**aip_summary(a), "title_withheld": a.id in withheld} for a in found]
        for entry in listed:
            if entry["title_withheld"]:
                entry["title"] = None
        return listed

    @app.get("/api/v1/aips/{aip_id}", tags=["aips"], responses={404: problem_response("No such AIP")})
    def get_aip(
        aip_id: UUID, request: Request, principal: Annotated[Principal, Depends(require(Action.AIP_READ))]
    ) -> dict[str, Any]:
        aip = services.get_aip(aip_id)
        _guard_restricted(request, principal, aip.records)
        return aip_detail(aip)

    @app.get("/api/v1/records", tags=["records"])
    def list_records(
        request: Request,
        principal: RecordReader,
        aip_id: UUID | None = None,
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> list[dict[str, Any]]:
        records = services.list_records(aip_id=aip_id, limit=limit, offset=offset)
        return [record_detail(r) for r in _visible(request, principal, records)]

    @app.get("/api/v1/records/{record_id}", tags=["records"], responses={404: problem_response("No such record")})
    def get_record(record_id: UUID, request: Request, principal: RecordReader) -> dict[str, Any]:
        record = services.get_record(record_id)
        _guard_restricted(request, principal, [record])
        return record_detail(record)

    @app.post(
        "/api/v1/submissions",
        tags=["submissions"],
        status_code=201,
        responses={
            200: {"description": "Dry run: checked and packaged, nothing stored"},
            413: problem_response("The upload is larger than EDEPOT_MAX_UPLOAD_BYTES"),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "The block folder packed as zip, tar or tar.gz (detected by content).",
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ARCHIVE_TYPES},
            }
        },
    )
    async def create_submission(
        request: Request,
        principal: Annotated[Principal, Depends(require(Action.SUBMISSION_CREATE))],
        dry_run: bool = Query(False, description="Check and package, but store nothing"),
    ) -> JSONResponse:
        """Upload a digitised analogue block; get the receipt (201, or 200 for a dry run) or a
        rejection problem with every finding (422)."""
        limit = settings.max_upload_bytes
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise upload.too_large(limit)
        workdir = settings.uploads_path / uuid4().hex
        workdir.mkdir(parents=True)
        try:
            archive = workdir / "package"
            await upload.receive(request.stream(), archive, limit)
            limits = upload.UnpackLimits(max_total_bytes=settings.max_unpacked_bytes)
            await run_in_threadpool(upload.unpack, archive, workdir / "unpacked", limits)
            root = upload.block_root(workdir / "unpacked")
            receipt = await run_in_threadpool(acting(services, principal).ingest_analogue, root, dry_run=dry_run)
        finally:
            await run_in_threadpool(shutil.rmtree, workdir, True)
        return JSONResponse(receipt.as_dict(), status_code=200 if dry_run else 201)

    @app.get("/api/v1/events", tags=["events"], dependencies=[Depends(require(Action.EVENTS_READ))])
    def list_events(
        after: int = Query(0, ge=0, description="Only events with a sequence number above this"),
        limit: int = Query(100, ge=1, le=1000),
        object_id: str | None = Query(None, max_length=500),
    ) -> list[dict[str, Any]]:
        """The hash-chained event log, in sequence order (page with `after` = the last `seq` seen)."""
        found: list[dict[str, Any]] = []
        for event in services.catalog.events(object_id=object_id):
            if event.seq > after:
                found.append(event_json(event))
                if len(found) >= limit:
                    break
        return found

    @app.get("/api/v1/tokens", tags=["tokens"], dependencies=[Depends(require(Action.TOKEN_MANAGE))])
    def get_tokens() -> list[dict[str, Any]]:
        now = services.clock.now()
        return [t.as_dict(now) for t in list_tokens(services)]

    @app.post("/api/v1/tokens", tags=["tokens"], status_code=201)
    def create_token(body: TokenRequest, principal: TokenManager) -> dict[str, Any]:
        """Issue an API token; the `token` value is shown in this response only."""
        issued = issue_token(
            acting(services, principal),
            name=body.name,
            roles=body.roles,
            created_by=principal.agent,
            expires_in_days=body.expires_days,
        )
        return {"token": issued.plaintext, **issued.token.as_dict(services.clock.now())}

    @app.delete("/api/v1/tokens/{token_id}", tags=["tokens"], responses={404: problem_response("No such token")})
    def delete_token(token_id: UUID, principal: TokenManager) -> dict[str, Any]:
        """Revoke an API token (idempotent)."""
        revoked = revoke_token(acting(services, principal), token_id, by=principal.agent)
        return revoked.as_dict(services.clock.now())

    def _visible(request: Request, principal: Principal, records: list[RecordEntry]) -> list[RecordEntry]:
        """Records the principal may see; restricted ones only with RECORD_READ_RESTRICTED, recorded."""
        if not allowed(principal.roles, Action.RECORD_READ_RESTRICTED):
            return [r for r in records if r.beperking_code is None]
        gate: Gate = request.app.state.gate
        gate.trail.restricted_reads(principal, records, gate.request_info(request))
        return records

    def _guard_restricted(request: Request, principal: Principal, records: list[RecordEntry]) -> None:
        """403 (recorded) when restricted records are asked for without RECORD_READ_RESTRICTED."""
        gate: Gate = request.app.state.gate
        info = gate.request_info(request)
        restricted = [r for r in records if r.beperking_code is not None]
        if not restricted:
            return
        if not allowed(principal.roles, Action.RECORD_READ_RESTRICTED):
            gate.trail.denied(principal, str(Action.RECORD_READ_RESTRICTED), info)
            raise Forbidden(
                "this holds records with a restriction on use (beperkingGebruik)",
                hint="ask for a role that grants record.read_restricted",
                action=str(Action.RECORD_READ_RESTRICTED),
            )
        gate.trail.restricted_reads(principal, restricted, info)

    from edepot import api_audit, api_jobs, api_retention
    from edepot.api_search import include_search
    from edepot.api_woo import install as install_woo
    from edepot.web.portal import include_portal
    from edepot.web.retentie import install as install_retentie_pages
    from edepot.web.woo import install as install_woo_pages

    include_search(app, services)  # public and internal search (app.state.search)
    api_retention.install(app)  # destruction and transfer lists
    api_audit.install(app)  # fixity audits, copies, reports, /metrics
    api_jobs.install(app)  # background jobs (scale-out)
    install_woo(app)  # Woo publication, robots.txt and the DiWoo sitemaps
    include_portal(app)  # the public web portal at /, with HTML error pages
    install_retentie_pages(app)  # retention dashboard pages at /beheer/retentie
    install_woo_pages(app)  # Woo-redacteur pages at /beheer/woo
    declare_actions(app)
    if settings.public_rate_limit is not None:
        app.add_middleware(
            PublicRateLimit,
            buckets=TokenBuckets(settings.public_rate_limit),
            trusted_proxies=settings.trusted_proxies,
        )
    app.add_middleware(SecurityHeaders, trusted_proxies=settings.trusted_proxies)
    return app


def register_error_handlers(app: FastAPI) -> None:
    """Every error as problem+json; no input values, headers or exception texts of unknown errors."""

    @app.exception_handler(EdepotError)
    async def problem(request: Request, error: EdepotError) -> JSONResponse:
        return _problem(
            error.to_problem(instance=str(request.url.path)), error.http_status, getattr(error, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in error.errors()
        ]
        return _problem(
            {
                "type": "https://edepot.limburg.nl/problems/invalid-input",
                "title": "Invalid input",
                "status": 422,
                "detail": "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)[:2000],
                "instance": str(request.url.path),
                "errors": errors,
            },
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return _problem(
            {
                "type": "about:blank",
                "title": str(error.detail) if isinstance(error.detail, str) else "HTTP error",
                "status": error.status_code,
                "instance": str(request.url.path),
            },
            error.status_code,
            dict(error.headers) if error.headers else None,
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _problem(
            {
                "type": "https://edepot.limburg.nl/problems/internal",
                "title": "Internal error",
                "status": 500,
                "detail": "an unexpected error occurred; it is in the server log",
            },
            500,
        )
