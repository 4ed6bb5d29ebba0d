"""The audit trail of access: logins, failed logins, denied requests and reads of restricted records.

All of them are events in the one hash-chained log (so `edepot events verify` proves them and
`edepot events export` hands them to an auditor); changes are recorded by the use cases
themselves, with the acting principal in the event's agent (see `acting`).

A *login* is recorded once per credential per `login_interval` (15 minutes) per API process: the
first request with an API token or an OIDC access token (by its `jti`, else its subject) records
it, later requests within the interval do not. So every session is provable with its start, its
principal, roles, method and client address, without an event for every GET; each denied request,
failed login and restricted read is recorded every time. Several API replicas each record their
own first use, which only adds events.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from edepot import AGENT
from edepot.auth.principal import NotAuthenticated, Principal
from edepot.model import EventOutcome, RecordEntry

AUTHENTICATION = "authentication"  # a login (success) or a failed login (failure)
AUTHORIZATION = "authorization"  # a request the policy denied (failure)
ACCESS = "access"  # a read of a record with a beperkingGebruik (success)


class EventRecorder(Protocol):
    agent: str

    def record_event(self, type: str, outcome: EventOutcome, object_id: object = None, **detail: Any) -> None: ...


@dataclass(frozen=True)
class RequestInfo:
    """What the trail says about a request: never headers, bodies or query strings (they may hold secrets)."""

    client: str
    method: str
    path: str

    def as_dict(self) -> dict[str, str]:
        return {"client": self.client, "method": self.method, "path": self.path}


def acting(services: Any, principal: Principal) -> Any:
    """`services` whose events name `principal` as agent (same ports, nothing copied but the agent)."""
    return replace(services, agent=f"{AGENT}; {principal.agent}")


class AuditTrail:
    def __init__(
        self,
        services: EventRecorder,
        *,
        login_interval_seconds: float = 15 * 60,
        monotonic: Callable[[], float] = time.monotonic,
        remember: int = 10_000,
    ) -> None:
        self._services = services
        self._interval = login_interval_seconds
        self._monotonic = monotonic
        self._remember = remember
        self._seen: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def login(self, principal: Principal, request: RequestInfo) -> bool:
        """Record a login unless this credential logged in within the interval; True when recorded."""
        key = (str(principal.method), principal.subject, principal.token_id or "")
        now = self._monotonic()
        with self._lock:
            last = self._seen.get(key)
            if last is not None and now - last < self._interval:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > self._remember:
                self._seen.popitem(last=False)
        acting(self._services, principal).record_event(
            AUTHENTICATION, EventOutcome.GELUKT, principal.subject, principal=principal.as_dict(), **request.as_dict()
        )
        return True

    def failed_login(self, error: NotAuthenticated, request: RequestInfo) -> None:
        detail = {k: v for k, v in error.fields.items() if k in ("reason", "auth_method", "token_id")}
        self._services.record_event(
            AUTHENTICATION, EventOutcome.MISLUKT, None, message=error.message, **detail, **request.as_dict()
        )

    def denied(self, principal: Principal, action: str, request: RequestInfo) -> None:
        acting(self._services, principal).record_event(
            AUTHORIZATION,
            EventOutcome.MISLUKT,
            principal.subject,
            action=action,
            principal=principal.as_dict(),
            **request.as_dict(),
        )

    def restricted_reads(self, principal: Principal, records: Iterable[RecordEntry], request: RequestInfo) -> int:
        """One event per restricted record in a response; the number recorded."""
        recorder = None
        count = 0
        for record in records:
            if record.beperking_code is None:
                continue
            recorder = recorder or acting(self._services, principal)
            recorder.record_event(
                ACCESS,
                EventOutcome.GELUKT,
                record.id,
                beperking=record.beperking_code,
                aip_id=str(record.aip_id),
                principal=principal.as_dict(),
                **request.as_dict(),
            )
            count += 1
        return count
