"""The nightly integrity check: a broken event chain alerts by log, by event and by webhook (a real
HTTP server on 127.0.0.1); an intact one is recorded quietly."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from edepot.alerts import Alerts, EventAlert, LogAlert, WebhookAlert, alert_from_settings, verify_and_alert
from edepot.bootstrap import build
from edepot.model import EventOutcome
from edepot.services import Services
from edepot.settings import Settings


class Webhook:
    def __init__(self, status: int = 204) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = status
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.received.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/edepot-secret-path"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.stop()


def services_with_events(home: Path, webhook_url: str | None = None) -> Services:
    services = build(Settings(home=home, alert_webhook=webhook_url))
    for n in range(3):
        services.record_event("test", EventOutcome.GELUKT, f"object-{n}", n=n)
    return services


def tamper(services: Services) -> None:
    engine = sa.create_engine(services.settings.catalog_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET detail = '{\"n\": 42}' WHERE seq = 2"))
    engine.dispose()


def test_a_broken_chain_alerts_by_log_event_and_webhook(
    tmp_path: Path, webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    services = services_with_events(tmp_path, webhook.url)
    tamper(services)
    alert = alert_from_settings(services)

    findings = verify_and_alert(services, alert)

    assert {f.rule for f in findings} == {"events.content"}
    assert alert.failed == []
    [call] = webhook.received
    assert call["path"] == "/hooks/edepot-secret-path"
    assert "hash chain is broken" in call["body"]["text"] and call["body"]["findings"][0]["rule"] == "events.content"
    types = [(e.type, str(e.outcome)) for e in services.catalog.events()][-2:]
    assert types == [("validation", "failure"), ("alert", "failure")]
    assert "ALERT: the event log's hash chain is broken" in caplog.text
    assert "HTTP Request: POST" in caplog.text  # httpx logged the call ...
    assert "edepot-secret-path" not in caplog.text  # ... without the webhook URL, which is a secret


def test_an_intact_chain_is_recorded_as_checked_and_alerts_nobody(tmp_path: Path, webhook: Webhook) -> None:
    services = services_with_events(tmp_path, webhook.url)

    assert verify_and_alert(services, alert_from_settings(services)) == []

    assert webhook.received == []
    last = list(services.catalog.events())[-1]
    assert (last.type, last.outcome, last.detail["findings"]) == ("validation", EventOutcome.GELUKT, 0)
    assert verify_and_alert(services, alert_from_settings(services)) == []  # the check's own event chains fine


def test_a_webhook_that_fails_does_not_silence_the_log_and_the_event(tmp_path: Path, caplog) -> None:
    down = Webhook(status=500)
    try:
        services = services_with_events(tmp_path)
        tamper(services)
        alert = Alerts([WebhookAlert(down.url), LogAlert(), EventAlert(services)])
        caplog.set_level(logging.ERROR)

        verify_and_alert(services, alert)
    finally:
        down.stop()
    assert alert.failed == ["WebhookAlert: HTTPStatusError"]
    assert len(down.received) == 1
    assert [e.type for e in services.catalog.events()][-1] == "alert"
    assert "ALERT:" in caplog.text
