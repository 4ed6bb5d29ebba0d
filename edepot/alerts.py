"""Alerts for the nightly checks: when the event log's hash chain does not verify, somebody must know.

`Alert` is the port: `send(subject, detail)`. `LogAlert` writes an error to the log, `EventAlert`
appends a failure event to the log itself (so the alert is part of the audit trail), and
`WebhookAlert` POSTs JSON to `EDEPOT_ALERT_WEBHOOK` with httpx. `Alerts` fans out to all of them:
one failing channel (a webhook that is down) does not silence the others; it is logged.
`verify_and_alert` is what the nightly job calls; `edepot events verify --alert` runs it too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from edepot import events, logsafe
from edepot.errors import Finding
from edepot.model import EventOutcome

log = logging.getLogger(__name__)

EVENT_LOG = "event-log"  # object_id of events about the event log itself


class Alert(Protocol):
    def send(self, subject: str, detail: dict[str, Any]) -> None: ...


class _Services(Protocol):
    def verify_events(self) -> list[Finding]: ...

    def record_event(self, type: str, outcome: EventOutcome, object_id: object = None, **detail: Any) -> None: ...


@dataclass
class LogAlert:
    logger: logging.Logger = log

    def send(self, subject: str, detail: dict[str, Any]) -> None:
        self.logger.error("ALERT: %s (%d finding(s))", subject, len(detail.get("findings", [])))


@dataclass
class EventAlert:
    services: _Services

    def send(self, subject: str, detail: dict[str, Any]) -> None:
        self.services.record_event("alert", EventOutcome.MISLUKT, EVENT_LOG, subject=subject, **detail)


@dataclass
class WebhookAlert:
    url: str
    timeout: float = 10.0
    client: httpx.Client | None = None

    def send(self, subject: str, detail: dict[str, Any]) -> None:
        payload = {"text": f"edepot: {subject}", "subject": subject, **detail}
        client = self.client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        try:
            client.post(self.url, json=payload).raise_for_status()
        finally:
            if self.client is None:
                client.close()


@dataclass
class Alerts:
    """Every channel gets the alert; failures of one channel are logged, never raised."""

    channels: list[Alert] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def send(self, subject: str, detail: dict[str, Any]) -> None:
        for channel in self.channels:
            try:
                channel.send(subject, detail)
            except Exception as error:  # an alert channel must not stop the others
                name = type(channel).__name__
                self.failed.append(f"{name}: {type(error).__name__}")
                log.error("alert channel %s failed: %s", name, type(error).__name__)


def alert_from_settings(services: Any) -> Alerts:
    """Log + event, and the webhook when EDEPOT_ALERT_WEBHOOK is set (its URL is kept out of the logs)."""
    logsafe.install(services.settings.secrets())
    channels: list[Alert] = [LogAlert(), EventAlert(services)]
    if services.settings.alert_webhook:
        channels.append(WebhookAlert(services.settings.alert_webhook))
    return Alerts(channels)


def verify_and_alert(services: _Services, alert: Alert) -> list[Finding]:
    """Verify the event log's hash chain; record the check as an event; alert when it is broken.

    Returns the findings (empty: intact). The check's own event is appended after verifying, so a
    broken chain stays broken and the next run reports it again."""
    findings = services.verify_events()
    services.record_event(
        events.VALIDATIE,
        EventOutcome.MISLUKT if findings else EventOutcome.GELUKT,
        EVENT_LOG,
        check="hash chain",
        findings=len(findings),
    )
    if findings:
        alert.send(
            f"the event log's hash chain is broken ({len(findings)} finding(s))",
            {"findings": [f.as_dict() for f in findings]},
        )
    return findings
