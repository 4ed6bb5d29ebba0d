"""HTTP hardening as pure ASGI middleware: security headers, a rate limit on public endpoints, and
the client address and scheme as seen through trusted proxies.

Rate limiting is a token bucket per client IP held in this process's memory. With several API
replicas each replica limits on its own (so the effective limit is N times the setting); in
production put the real limit at the proxy (e.g. nginx `limit_req`) and keep this one as a second
line. `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from `EDEPOT_TRUSTED_PROXIES`.
"""

from __future__ import annotations

import ipaddress
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

from edepot.settings import IpNetwork, RateLimit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
# Swagger UI and ReDoc load their script and style from a CDN and start with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; "
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _trusted(address: str, proxies: Iterable[IpNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_ip(scope: Scope, proxies: tuple[IpNetwork, ...]) -> str:
    """The caller's address: the peer, or, when the peer is a trusted proxy, the right-most address in
    `X-Forwarded-For` that is not itself a trusted proxy."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if not proxies or not _trusted(peer, proxies):
        return str(peer)
    forwarded = _header(scope, b"x-forwarded-for")
    if not forwarded:
        return str(peer)
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return str(peer)
    return str(peer)


def is_https(scope: Scope, proxies: tuple[IpNetwork, ...]) -> bool:
    if scope.get("scheme") == "https":
        return True
    peer = (scope.get("client") or ("", 0))[0]
    if proxies and _trusted(peer, proxies):
        proto = _header(scope, b"x-forwarded-proto") or ""
        return proto.split(",")[0].strip().lower() == "https"
    return False


class SecurityHeaders:
    """Adds CSP, nosniff, frame denial, referrer policy, HSTS (on https only) and, for the internal
    API, `Cache-Control: no-store` to every response."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: tuple[IpNetwork, ...] = ()) -> None:
        self.app = app
        self.proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = [
            (b"content-security-policy", (DOCS_CSP if path in DOCS_PATHS else CSP).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if is_https(scope, self.proxies):
            extra.append((b"strict-transport-security", HSTS.encode()))
        if path.startswith("/api/v1/"):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {bytes(k).lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in extra if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TokenBuckets:
    """A token bucket per key: `rate.requests` tokens, refilled evenly over `rate.period_seconds`."""

    def __init__(
        self, rate: RateLimit, *, monotonic: Callable[[], float] = time.monotonic, max_keys: int = 50_000
    ) -> None:
        self.rate = rate
        self._monotonic = monotonic
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when a request may pass (a token is taken), else the seconds until the next token."""
        per_second = self.rate.requests / self.rate.period_seconds
        now = self._monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.rate.requests), now))
            tokens = min(float(self.rate.requests), tokens + (now - at) * per_second)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / per_second
            self._buckets.move_to_end(key)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        return wait


def too_many_requests(wait: float) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    retry = str(max(1, math.ceil(wait)))
    body = json.dumps(
        {
            "type": "https://edepot.limburg.nl/problems/rate-limited",
            "title": "Too many requests",
            "status": 429,
            "detail": f"too many requests from this address; retry after {retry} s",
        }
    ).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"retry-after", retry.encode())]
    return 429, headers, body


def is_public(path: str) -> bool:
    """Everything outside the internal API is public: /health, /api/public/..., the docs."""
    return not (path == "/api/v1" or path.startswith("/api/v1/"))


class PublicRateLimit:
    """429 with Retry-After once a client IP has used up its bucket on the public endpoints."""

    def __init__(self, app: ASGIApp, *, buckets: TokenBuckets, trusted_proxies: tuple[IpNetwork, ...] = ()) -> None:
        self.app = app
        self.buckets = buckets
        self.proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_public(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(client_ip(scope, self.proxies))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        status, headers, body = too_many_requests(wait)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
