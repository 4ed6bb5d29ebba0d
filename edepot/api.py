"""The HTTP API (FastAPI): health, AIPs and records as JSON. Errors are RFC 9457 problem+json.

`create_app(services)` is a factory; nothing is built at import time.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse

from edepot import __version__
from edepot.errors import EdepotError
from edepot.model import Aip, RecordEntry


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


def create_app(services: Any) -> FastAPI:
    app = FastAPI(
        title="edepot",
        version=__version__,
        description="E-depot of Provincie Limburg: AIPs, records and their fixity.",
    )

    @app.exception_handler(EdepotError)
    async def problem(request: Request, error: EdepotError) -> JSONResponse:
        return JSONResponse(
            error.to_problem(instance=str(request.url.path)),
            status_code=error.http_status,
            media_type="application/problem+json",
        )

    @app.get("/health", tags=["beheer"])
    def health() -> dict[str, Any]:
        head = services.catalog.event_head()
        return {"status": "ok", "version": __version__, "events": head[0] if head else 0}

    @app.get("/api/v1/aips", tags=["aips"])
    def list_aips(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> list[dict[str, Any]]:
        return [aip_summary(a) for a in services.list_aips(limit=limit, offset=offset)]

    @app.get("/api/v1/aips/{aip_id}", tags=["aips"])
    def get_aip(aip_id: UUID) -> dict[str, Any]:
        return aip_detail(services.get_aip(aip_id))

    @app.get("/api/v1/records", tags=["records"])
    def list_records(
        aip_id: UUID | None = None, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)
    ) -> list[dict[str, Any]]:
        return [record_detail(r) for r in services.list_records(aip_id=aip_id, limit=limit, offset=offset)]

    @app.get("/api/v1/records/{record_id}", tags=["records"])
    def get_record(record_id: UUID) -> dict[str, Any]:
        return record_detail(services.get_record(record_id))

    return app
