"""The publication job (JobKind.PUBLICATION): Woo work a worker runs for the redacteur.

Payload: `{"action": "sitemaps"}` reconciles the DiWoo sitemaps with the published documents (one
run at a time across processes, only changed files written); `{"action": "publish", "publicatie":
ID, "door"?: agent}` publishes one concept publicatie. Both are idempotent: publishing a published
publicatie only completes its sitemaps, and a sitemap run against an up-to-date state writes nothing.

Keys (`publication_key`): a publicatie is published by one job (a dead one is retried with
`edepot jobs retry`); a sitemap run is keyed by the catalog's event head, so submitting it again when
nothing was published or retracted since is the same job. The records concerned are queued for
reindexing, as the CLI does, so a running `edepot serve` picks them up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from edepot.errors import InvalidInput
from edepot.jobs import JobKind, canonical, idempotency_key

ACTIONS = ("sitemaps", "publish")
WORKER = "edepot-worker"


def publication_payload(payload: Mapping[str, Any]) -> tuple[str, str | None, str]:
    """(action, publicatie id or None, agent) of a publication job's payload; InvalidInput says what is wrong."""
    unknown = sorted(set(payload) - {"action", "publicatie", "door"})
    if unknown:
        raise InvalidInput(
            f"publication job: unknown field(s) {', '.join(unknown)}", hint="give action (and publicatie)"
        )
    action = payload.get("action")
    if action not in ACTIONS:
        raise InvalidInput(
            f"publication job: unknown action {action!r}", hint="use sitemaps or publish", field="action"
        )
    publicatie = payload.get("publicatie")
    if action == "publish" and (not isinstance(publicatie, str) or not publicatie.strip()):
        raise InvalidInput("publication job: publish needs the publicatie id", field="publicatie")
    if action == "sitemaps" and publicatie is not None:
        raise InvalidInput("publication job: sitemaps takes no publicatie", hint="publish one with action publish")
    door = payload.get("door") or WORKER
    if not isinstance(door, str) or len(door) > 200:
        raise InvalidInput("publication job: door must be a name of at most 200 characters", field="door")
    return str(action), publicatie.strip() if isinstance(publicatie, str) else None, door


def publication_key(services: Any, payload: Mapping[str, Any]) -> str:
    action, publicatie, _ = publication_payload(payload)
    if action == "publish":
        return idempotency_key(str(JobKind.PUBLICATION), f"publish:{publicatie}", canonical(payload))
    head = services.catalog.event_head()
    location = f"sitemaps:{head[0] if head else 0}:{head[1] if head else ''}"
    return idempotency_key(str(JobKind.PUBLICATION), location, canonical(payload))


def submit_publication(jobs: Any, payload: Mapping[str, Any]) -> Any:
    """Submit a publication job through a `JobService` (validated first, keyed as above)."""
    return jobs.submit(JobKind.PUBLICATION, dict(payload), publication_key(jobs.services, payload))


def _reindex(services: Any) -> Any:
    def changed(record_ids: Iterable[UUID]) -> None:
        from edepot.search_service import build_search

        search = build_search(services)
        try:
            state = search.state
            state.put([row.pending() for row in (state.get(r) for r in record_ids) if row is not None])
        finally:
            search.close()

    return changed


def run_publication(services: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The handler of JobKind.PUBLICATION (edepot.job_service.HANDLERS)."""
    from edepot.woo_service import build_woo

    action, publicatie, door = publication_payload(payload)
    woo = build_woo(services, on_change=_reindex(services))
    if action == "publish":
        assert publicatie is not None
        rij = woo.publish(publicatie, door)
        return {"action": action, "publicatie": rij.id, "status": str(rij.status)}
    result = woo.sitemaps()
    return {"action": action, **{k: result[k] for k in ("geschreven", "verwijderd", "urls", "indexen")}}
