"""HTTP client for the ZGW APIs (Zaken, Documenten, Catalogi; Besluiten optional) of the zaaksysteem.

What the client takes care of, so the adapter (`ingest/zaaksysteem.py`) only sees JSON and files:

- authentication: a fresh HS256 JWT per request (PyJWT) with the ZGW claims `iss`, `iat`,
  `client_id`, `user_id`, `user_representation`; the token is only ever sent to the configured
  base URLs (a URL elsewhere, e.g. a related zaak in another system, is refused, not followed);
- `Accept-Crs: EPSG:4326` on every request to the Zaken API and `Content-Crs` on requests with a
  body there (the spec makes them required on the `/zaken` endpoints; sending them elsewhere in the
  Zaken API is harmless);
- lists: `next`-link paging (the `count` field is never trusted) and unpaginated list endpoints,
  which answer with a bare JSON array;
- errors: problem+json answers become `ZgwError` with the upstream `code`, `title`, `detail`,
  `invalidParams` and status; 429 and 5xx (and transport errors) are retried with exponential
  backoff, honouring `Retry-After` (seconds or HTTP date), for a bounded number of attempts, with an
  injectable sleep function;
- downloads: `/enkelvoudiginformatieobjecten/{uuid}/download` is streamed to a file piece by piece
  (never whole in memory) with sha256 (and any other digest asked for) computed on the way; when
  the stream breaks or a 5xx interrupts it, the download resumes with `Range` from the bytes already on disk.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import jwt

from edepot.errors import EdepotError
from edepot.fixity import normalise_algorithm
from ingest.http_retry import backoff_delay, retry_after_seconds

CRS = "EPSG:4326"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
PROBLEM_JSON = "application/problem+json"


class ZgwError(EdepotError):
    """The zaaksysteem answered with an error (or not at all).

    `status` is the upstream HTTP status (None when no answer came), `zgw_code`, `zgw_title`,
    `detail` and `invalid_params` come from its problem+json body; `url` is what was asked.
    """

    code = "zgw-error"
    title = "Zaaksysteem error"
    http_status = 502
    exit_code = 69  # EX_UNAVAILABLE

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        zgw_code: str | None = None,
        zgw_title: str | None = None,
        detail: str | None = None,
        invalid_params: Iterable[Mapping[str, Any]] = (),
        hint: str | None = None,
    ) -> None:
        params = [dict(p) for p in invalid_params]
        super().__init__(
            message,
            hint=hint,
            url=url,
            upstream_status=status,
            zgw_code=zgw_code,
            zgw_title=zgw_title,
            invalidParams=params,
        )
        self.url = url
        self.status = status
        self.zgw_code = zgw_code
        self.zgw_title = zgw_title
        self.detail = detail
        self.invalid_params = params

    @property
    def not_found(self) -> bool:
        return self.status == 404


@dataclass(frozen=True)
class ZgwConfig:
    """Where the APIs are and who we are. Base URLs end in `/api/v1/` (a missing `/` is added)."""

    zaken_url: str
    documenten_url: str
    catalogi_url: str
    client_id: str
    secret: str = field(repr=False)
    besluiten_url: str | None = None
    user_id: str = "edepot"
    user_representation: str = "e-depot Provincie Limburg"
    timeout: float = 60.0
    max_attempts: int = 6  # per request; for a download: consecutive attempts without progress
    backoff_base: float = 1.0  # seconds; doubled each retry
    backoff_max: float = 60.0
    retry_after_max: float = 300.0  # a longer Retry-After is cut to this

    def bases(self) -> tuple[str, ...]:
        urls = (self.zaken_url, self.documenten_url, self.catalogi_url, self.besluiten_url)
        return tuple(_slash(u) for u in urls if u)


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class Download:
    """A file streamed to disk: its digests (always sha256) and size; `resumed` counts Range requests."""

    path: Path
    digests: dict[str, str]
    size: int
    resumed: int = 0

    @property
    def sha256(self) -> str:
        return self.digests["sha256"]


class _Interrupted(Exception):
    """A download stream broke off; `status` when the server answered with an error instead."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        retry_after: float | None = None,
        validator: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.validator = validator  # ETag/Last-Modified of the answer that broke off


class ZgwClient:
    """Talks to the ZGW APIs. Thread-unsafe by design (one per worker); close it or use `with`."""

    def __init__(
        self,
        config: ZgwConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._zaken = _slash(config.zaken_url)
        self._http = httpx.Client(timeout=config.timeout, transport=transport, follow_redirects=False)

    # --- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ZgwClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- URLs -----------------------------------------------------------------------------------------

    def zaken_api(self, path: str) -> str:
        return self._zaken + path.lstrip("/")

    def documenten_api(self, path: str) -> str:
        return _slash(self.config.documenten_url) + path.lstrip("/")

    def catalogi_api(self, path: str) -> str:
        return _slash(self.config.catalogi_url) + path.lstrip("/")

    def is_ours(self, url: str) -> bool:
        """True when `url` lies under one of the configured base URLs (our token may go there)."""
        return any(url.startswith(base) for base in self.config.bases())

    # --- auth and headers -----------------------------------------------------------------------------

    def token(self) -> str:
        """A fresh ZGW JWT (HS256) for one request."""
        claims = {
            "iss": self.config.client_id,
            "iat": int(self._clock()),
            "client_id": self.config.client_id,
            "user_id": self.config.user_id,
            "user_representation": self.config.user_representation,
        }
        return jwt.encode(claims, self.config.secret, algorithm="HS256")

    def _headers(self, url: str, *, body: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
        if url.startswith(self._zaken):
            headers["Accept-Crs"] = CRS
            if body:
                headers["Content-Crs"] = CRS
        headers.update(extra or {})
        return headers

    def _check_target(self, url: str) -> None:
        if not self.is_ours(url):
            raise ZgwError(
                f"refusing to send credentials to {url}: it is not under a configured ZGW base URL",
                url=url,
                hint="configure the API this URL belongs to, or leave the reference unresolved",
            )

    # --- requests with retries ------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        c = self.config
        return backoff_delay(attempt, retry_after, base=c.backoff_base, maximum=c.backoff_max,
                             retry_after_max=c.retry_after_max)

    def retry_after(self, value: str | None) -> float | None:
        """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent/unreadable."""
        return retry_after_seconds(value, now=self._clock())

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One call with retries on 429/5xx/transport errors; an error answer raises ZgwError."""
        self._check_target(url)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=self._headers(url, body=json is not None, extra=headers),
                )
            except httpx.TransportError as error:
                if attempt >= self.config.max_attempts:
                    raise ZgwError(
                        f"{method} {url}: no answer after {attempt} attempts ({error})",
                        url=url,
                        hint="check that the zaaksysteem is reachable and run again",
                    ) from error
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.config.max_attempts:
                self._sleep(self._delay(attempt, self.retry_after(response.headers.get("Retry-After"))))
                continue
            if response.status_code >= 400:
                raise self._error(method, url, response, attempts=attempt)
            return response

    def _error(self, method: str, url: str, response: httpx.Response, *, attempts: int = 1) -> ZgwError:
        body: dict[str, Any] = {}
        try:
            parsed = response.json()
            if isinstance(parsed, dict):
                body = parsed
        except ValueError:
            pass
        status = response.status_code
        detail = str(body.get("detail") or body.get("title") or response.text[:200] or response.reason_phrase)
        invalid = [p for p in body.get("invalidParams") or [] if isinstance(p, Mapping)]
        reasons = "; ".join(f"{p.get('name')}: {p.get('reason')} ({p.get('code')})" for p in invalid)
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        message = f"{method} {url} answered {status}{tried}: {detail}" + (f" [{reasons}]" if reasons else "")
        return ZgwError(
            message,
            url=url,
            status=status,
            zgw_code=str(body["code"]) if "code" in body else None,
            zgw_title=str(body["title"]) if "title" in body else None,
            detail=detail,
            invalid_params=invalid,
            hint=_HINTS.get(status),
        )

    # --- JSON -----------------------------------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Any:
        """GET a resource and return its JSON."""
        response = self.request("GET", url, params=params)
        try:
            return response.json()
        except ValueError as error:
            raise ZgwError(f"GET {url} did not answer JSON", url=url, status=response.status_code) from error

    def paginate(self, url: str, params: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint: follows `next` links to the end; a bare array is one page."""
        seen: set[str] = set()
        next_url: str | None = url
        next_params = params
        while next_url is not None:
            page = self.get(next_url, next_params)
            if isinstance(page, list):
                yield from page
                return
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise ZgwError(f"GET {next_url}: expected a page with 'results' or a JSON array", url=next_url)
            yield from page["results"]
            seen.add(str(httpx.URL(next_url, params=next_params)) if next_params else next_url)
            following = page.get("next")
            if following and following in seen:
                raise ZgwError(f"GET {next_url}: the next link points back to a page already read", url=following)
            next_url, next_params = (str(following), None) if following else (None, None)

    def patch(self, url: str, body: Mapping[str, Any]) -> Any:
        return self.request("PATCH", url, json=dict(body)).json()

    # --- downloads ------------------------------------------------------------------------------------

    def download(
        self,
        url: str,
        destination: Path,
        *,
        algorithms: Iterable[str] = ("sha256",),
    ) -> Download:
        """Stream `url` to `destination` (replaced if present), hashing on the way; resume with Range.

        The partial file is `destination` + `.part` until the download is complete, then renamed.
        Bytes are written as they arrive (pieces of at most the transport's read size), so a broken
        stream loses nothing already received.
        """
        self._check_target(url)
        names = sorted({"sha256", *(normalise_algorithm(a) for a in algorithms)})
        part = destination.with_name(destination.name + ".part")
        destination.parent.mkdir(parents=True, exist_ok=True)
        hashers = {n: hashlib.new(n) for n in names}
        ranges = 0  # requests sent with Range
        stalled = 0  # consecutive failed attempts that brought no new bytes
        validator: str | None = None
        try:
            out = open(part, "wb")  # noqa: SIM115 - closed below; removed when the download fails
        except OSError as error:
            raise ZgwError(f"cannot write {part}: {error}", url=url, hint="check the work folder") from error
        try:
            while True:
                offset = out.tell()
                ranges += 1 if offset else 0
                try:
                    validator = self._stream_into(url, out, hashers, offset, validator)
                    break
                except _Restart:
                    out.seek(0)
                    out.truncate()
                    hashers = {n: hashlib.new(n) for n in names}
                except _Interrupted as broken:
                    validator = broken.validator or validator
                    stalled = 0 if out.tell() > offset else stalled + 1
                    if stalled >= self.config.max_attempts:
                        raise ZgwError(
                            f"GET {url}: download interrupted at byte {out.tell()} and not resumed "
                            f"after {stalled} attempts ({broken.reason})",
                            url=url,
                            status=broken.status,
                            hint="run again; the zaaksysteem may be overloaded",
                        ) from broken
                    self._sleep(self._delay(max(stalled, 1), broken.retry_after))
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        except BaseException:
            out.close()
            part.unlink(missing_ok=True)
            raise
        out.close()
        os.replace(part, destination)
        return Download(destination, {n: h.hexdigest() for n, h in hashers.items()}, size, ranges)

    def _stream_into(
        self,
        url: str,
        out: BinaryIO,
        hashers: dict[str, Any],
        offset: int,
        validator: str | None,
    ) -> str | None:
        extra = {"Accept": "*/*", "Accept-Encoding": "identity"}
        if offset:
            extra["Range"] = f"bytes={offset}-"
            if validator:
                extra["If-Range"] = validator
        try:
            with self._http.stream("GET", url, headers=self._headers(url, body=False, extra=extra)) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    raise _Interrupted(
                        f"answered {status}",
                        status=status,
                        retry_after=self.retry_after(response.headers.get("Retry-After")),
                    )
                if status >= 400:
                    response.read()
                    raise self._error("GET", url, response)
                if offset and status == 200:  # the server ignored Range (or the content changed): start over
                    out.seek(0)
                    out.truncate()
                    for name in hashers:
                        hashers[name] = hashlib.new(name)
                if offset and status == 206 and not _content_range_starts_at(response, offset):
                    raise _Restart()
                validator = response.headers.get("ETag") or response.headers.get("Last-Modified") or validator
                for chunk in response.iter_raw():
                    for h in hashers.values():
                        h.update(chunk)
                    out.write(chunk)
                expected = _expected_length(response, offset)
                if expected is not None and out.tell() != expected:
                    raise _Interrupted(f"stream ended at byte {out.tell()} of {expected}", validator=validator)
        except httpx.TransportError as error:
            raise _Interrupted(f"{type(error).__name__}: {error}", validator=validator) from error
        return validator


class _Restart(Exception):
    """The resumed answer does not continue where we were: download again from the start."""


def _content_range_starts_at(response: httpx.Response, offset: int) -> bool:
    value = response.headers.get("Content-Range", "")
    unit, _, rest = value.partition(" ")
    start = rest.split("-", 1)[0]
    return unit == "bytes" and start.isdigit() and int(start) == offset


def _expected_length(response: httpx.Response, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    if length is None or not length.isdigit():
        return None
    return int(length) + (offset if response.status_code == 206 else 0)


_HINTS: dict[int, str] = {
    401: "check the client id and secret of the zaaksysteem and the clock of this machine (iat)",
    403: "ask the zaaksysteem's administrator for the scopes this client needs",
    404: "the resource does not exist (any more) in the zaaksysteem",
    412: "send Accept-Crs/Content-Crs EPSG:4326 on Zaken API calls",
    429: "the zaaksysteem limits requests; run again later",
}
