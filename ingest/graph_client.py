"""HTTP client for Microsoft Graph, the part the Teams adapter (`ingest/teams.py`) needs.

What the client takes care of, so the adapter only sees JSON, listings and verified files:

- authentication: an app-only token (OAuth 2.0 client credentials) from the configured token
  endpoint, cached until shortly before it expires and fetched again once when Graph answers 401;
  the token is only ever sent to URLs under the configured Graph base URL (a link elsewhere is
  refused, a pre-authenticated download URL is fetched without it);
- `Prefer: include-unknown-enum-members` on every Graph call, so evolvable enums (messageType,
  eventDetail types) arrive as their real names instead of `unknownFutureValue`;
- listings: `@odata.nextLink` paging to the end; the `@odata.deltaLink` of the last page is
  returned to the caller as the cursor to store; an expired next or delta link (410 Gone, or 400
  with `syncStateNotFound` / `resyncRequired`) raises `SyncStateExpired`, so the caller can fall
  back to a full sync;
- throttling: a per-team rate limiter (token bucket, by default 4 requests per second per team,
  injectable clock and sleep) in front of every team-scoped call; 429 and 503 (and other 5xx and
  transport errors) are retried a bounded number of times, honouring `Retry-After` (seconds or an
  HTTP date), otherwise with exponential backoff;
- driveItem downloads (`download_item`): metadata first (size, eTag, cTag, quickXorHash), then the
  content streamed to disk piece by piece (following Graph's redirect to the pre-authenticated
  URL), resumed with `Range` when the stream breaks, hashed on the way with quickXorHash (package
  `quickxorhash`) and SHA-256; an eTag/cTag that changed between metadata and download, or a
  quickXorHash that does not match while the item changed, means the file is fetched again (a
  bounded number of times); a mismatch on an unchanged item raises `GraphError`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin

import httpx
import quickxorhash

from edepot.errors import EdepotError
from ingest.http_retry import backoff_delay, retry_after_seconds

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SYNC_STATE_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})
PREFER = "include-unknown-enum-members"
DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0/"
DEFAULT_SCOPE = "https://graph.microsoft.com/.default"


class GraphError(EdepotError):
    """Microsoft Graph answered with an error (or not at all).

    `status` is the HTTP status (None when no answer came), `graph_code` and `detail` come from the
    `{"error": {"code", "message"}}` body; `url` is what was asked.
    """

    code = "graph-error"
    title = "Microsoft Graph error"
    http_status = 502
    exit_code = 69  # EX_UNAVAILABLE

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        graph_code: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, url=url, upstream_status=status, graph_code=graph_code)
        self.url = url
        self.status = status
        self.graph_code = graph_code
        self.detail = detail


class HashMismatch(GraphError):
    """Downloaded bytes do not match the quickXorHash Graph gives for the same version of the item."""

    code = "graph-hash-mismatch"
    title = "Downloaded file does not match its quickXorHash"


class SyncStateExpired(GraphError):
    """A stored next or delta link is no longer valid: start again with a full sync."""

    code = "graph-sync-state-expired"
    title = "Microsoft Graph sync state expired"


@dataclass(frozen=True)
class GraphConfig:
    """Where Graph and its token endpoint are, and who we are (an app registration)."""

    tenant: str
    client_id: str
    secret: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    token_url: str = ""  # default: the Microsoft identity platform endpoint of the tenant
    scope: str = DEFAULT_SCOPE
    timeout: float = 60.0
    max_attempts: int = 6  # per request; for a download: consecutive attempts without progress
    backoff_base: float = 1.0  # seconds; doubled each retry
    backoff_max: float = 60.0
    retry_after_max: float = 300.0  # a longer Retry-After is cut to this
    team_requests_per_second: float = 4.0  # Graph's documented limit per app per team
    team_burst: float = 1.0  # bucket size: 1 keeps any one-second window at or under the rate
    max_refetch: int = 3  # downloads started again because the item changed meanwhile
    token_margin: float = 300.0  # seconds before expiry a cached token is renewed

    @property
    def base(self) -> str:
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    @property
    def token_endpoint(self) -> str:
        return self.token_url or f"https://login.microsoftonline.com/{self.tenant}/oauth2/v2.0/token"


@dataclass(frozen=True)
class Listing:
    """Every item of a listing, and the delta link its last page carried (the cursor), if any."""

    items: tuple[dict[str, Any], ...]
    delta_link: str | None = None
    pages: int = 0


@dataclass(frozen=True)
class DriveDownload:
    """A driveItem's content on disk, verified: quickXorHash as Graph gave it, sha256 computed."""

    path: Path
    size: int
    sha256: str
    quick_xor_hash: str
    item: dict[str, Any]  # the driveItem metadata the content matches
    resumed: int = 0  # requests sent with Range
    refetched: int = 0  # downloads started again because the item changed


class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up; `acquire` waits for one token."""

    def __init__(
        self, rate: float, capacity: float, *, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("a token bucket needs rate > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._at = clock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is there; returns the seconds waited."""
        waited = 0.0
        while True:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens >= 1.0 - 1e-9:
                self._tokens -= 1.0
                return waited
            delay = (1.0 - self._tokens) / self.rate
            self._sleep(delay)
            waited += delay


class _Interrupted(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class _Changed(Exception):
    """The item changed between its metadata and the download (eTag/cTag): start again."""


def quick_xor_hash_b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def share_id(url: str) -> str:
    """The `shares/{id}` key of a sharing URL (Graph: "u!" + unpadded base64url of the URL)."""
    return "u!" + base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


class GraphClient:
    """Talks to Microsoft Graph. Thread-unsafe by design (one per worker); close it or use `with`."""

    def __init__(
        self,
        config: GraphConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._http = httpx.Client(timeout=config.timeout, transport=transport, follow_redirects=False)
        self._token: tuple[str, float] | None = None  # (access token, wall-clock expiry)
        self._buckets: dict[str, TokenBucket] = {}
        self.requests = 0  # HTTP requests sent to Graph (token endpoint excluded)

    # --- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- URLs -----------------------------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        """An absolute Graph URL for a path relative to the base URL (absolute URLs pass unchanged)."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.config.base + path_or_url.lstrip("/")

    def is_ours(self, url: str) -> bool:
        return url.startswith(self.config.base)

    def path_of(self, url: str) -> str:
        """The path of a Graph URL relative to the base URL (without the query)."""
        if not self.is_ours(url):
            return url
        return url[len(self.config.base):].split("?", 1)[0]

    # --- auth -----------------------------------------------------------------------------------------

    def token(self, *, renew: bool = False) -> str:
        """The app-only access token, from the cache unless it is about to expire (or `renew`)."""
        now = self._wall_clock()
        if self._token is not None and not renew and now < self._token[1]:
            return self._token[0]
        url = self.config.token_endpoint
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.secret,
            "scope": self.config.scope,
        }
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.post(url, data=form, headers={"Accept": "application/json"})
            except httpx.TransportError as error:
                if attempt >= self.config.max_attempts:
                    raise GraphError(f"POST {url}: no answer after {attempt} attempts ({error})", url=url,
                                     hint="check that the token endpoint is reachable and run again") from error
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.config.max_attempts:
                self._sleep(self._delay(attempt, self.retry_after(response.headers.get("Retry-After"))))
                continue
            break
        body = _json_or_empty(response)
        if response.status_code != 200 or not body.get("access_token"):
            detail = str(body.get("error_description") or body.get("error") or response.text[:200])
            raise GraphError(
                f"POST {url} answered {response.status_code}: no access token ({detail})",
                url=url, status=response.status_code, graph_code=str(body.get("error") or "") or None,
                detail=detail,
                hint="check the tenant, client id and secret of the Graph app registration "
                     "and that it has the application permissions ChannelMessage.Read.All, Chat.Read.All, "
                     "Files.Read.All",
            )
        expires_in = float(body.get("expires_in") or 3600)
        self._token = (str(body["access_token"]), now + max(expires_in - self.config.token_margin, 0.0))
        return self._token[0]

    # --- throttling -----------------------------------------------------------------------------------

    def _bucket(self, team: str | None) -> TokenBucket | None:
        if team is None:
            return None
        bucket = self._buckets.get(team)
        if bucket is None:
            bucket = TokenBucket(self.config.team_requests_per_second, self.config.team_burst,
                                 clock=self._clock, sleep=self._sleep)
            self._buckets[team] = bucket
        return bucket

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        c = self.config
        return backoff_delay(attempt, retry_after, base=c.backoff_base, maximum=c.backoff_max,
                             retry_after_max=c.retry_after_max)

    def retry_after(self, value: str | None) -> float | None:
        """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent/unreadable."""
        return retry_after_seconds(value, now=self._wall_clock())

    # --- requests -------------------------------------------------------------------------------------

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json",
                   "Prefer": PREFER}
        headers.update(extra or {})
        return headers

    def _check_target(self, url: str) -> None:
        if not self.is_ours(url):
            raise GraphError(
                f"refusing to send the Graph token to {url}: it is not under {self.config.base}",
                url=url, hint="a next or delta link pointing elsewhere is not followed; check the Graph base URL",
            )

    def request(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
                team: str | None = None) -> httpx.Response:
        """One Graph call with rate limiting and retries; an error answer raises GraphError."""
        url = self.url(url)
        self._check_target(url)
        bucket = self._bucket(team)
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            if bucket is not None:
                bucket.acquire()
            self.requests += 1
            try:
                response = self._http.request(method, url, params=params, headers=self._headers())
            except httpx.TransportError as error:
                if attempt >= self.config.max_attempts:
                    raise GraphError(f"{method} {url}: no answer after {attempt} attempts ({error})", url=url,
                                     hint="check that Microsoft Graph is reachable and run again") from error
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code == 401 and not renewed:
                response.close()
                renewed = True  # the cached token may have been revoked or expired early: one fresh try
                self.token(renew=True)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.config.max_attempts:
                self._sleep(self._delay(attempt, self.retry_after(response.headers.get("Retry-After"))))
                continue
            if response.status_code >= 400:
                raise self._error(method, url, response, attempts=attempt)
            return response

    def _error(self, method: str, url: str, response: httpx.Response, *, attempts: int = 1) -> GraphError:
        body = _json_or_empty(response)
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        assert isinstance(error, dict)
        code = str(error.get("code") or "") or None
        inner = error.get("innerError") or error.get("innererror") or {}
        inner_code = str(inner.get("code") or "") if isinstance(inner, dict) else ""
        detail = str(error.get("message") or response.text[:200] or response.reason_phrase)
        status = response.status_code
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        message = f"{method} {url} answered {status}{tried}: {code or ''} {detail}".rstrip()
        codes = {(code or "").lower(), inner_code.lower()}
        if status == 410 or (status == 400 and codes & SYNC_STATE_CODES):
            return SyncStateExpired(message, url=url, status=status, graph_code=code, detail=detail,
                                    hint="the stored link expired; read the whole source again (full sync)")
        return GraphError(message, url=url, status=status, graph_code=code, detail=detail, hint=_HINTS.get(status))

    def get(self, url: str, params: Mapping[str, str] | None = None, *, team: str | None = None) -> Any:
        """GET a resource and return its JSON."""
        response = self.request("GET", url, params=params, team=team)
        try:
            return response.json()
        except ValueError as error:
            raise GraphError(f"GET {url} did not answer JSON", url=url, status=response.status_code) from error

    def get_bytes(self, url: str, *, team: str | None = None, limit: int = 64 * 1024 * 1024) -> tuple[bytes, str]:
        """A small binary resource (a hostedContent `$value`) with its Content-Type; at most `limit` bytes."""
        response = self.request("GET", url, team=team)
        data = response.content
        if len(data) > limit:
            raise GraphError(f"GET {url}: {len(data)} bytes is more than the {limit} expected", url=url)
        return data, response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()

    def pages(self, url: str, params: Mapping[str, str] | None = None, *, team: str | None = None) -> Iterator[
            tuple[list[dict[str, Any]], str | None]]:
        """Each page of a listing as (items, delta link or None), following `@odata.nextLink`.

        Raises SyncStateExpired when a next or delta link is no longer valid.
        """
        seen: set[str] = set()
        next_url: str | None = self.url(url)
        next_params = params
        while next_url is not None:
            page = self.get(next_url, next_params, team=team)
            if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                raise GraphError(f"GET {next_url}: expected a page with 'value'", url=next_url)
            seen.add(str(httpx.URL(next_url, params=next_params)) if next_params else next_url)
            following = page.get("@odata.nextLink")
            delta = page.get("@odata.deltaLink")
            yield [dict(item) for item in page["value"]], (str(delta) if delta and not following else None)
            if following and str(following) in seen:
                raise GraphError(f"GET {next_url}: the next link points back to a page already read", url=following)
            next_url, next_params = (str(following), None) if following else (None, None)

    def listing(self, url: str, params: Mapping[str, str] | None = None, *, team: str | None = None) -> Listing:
        """Every item of a listing (all pages) and the final delta link."""
        items: list[dict[str, Any]] = []
        delta: str | None = None
        count = 0
        for page, delta_link in self.pages(url, params, team=team):
            items.extend(page)
            delta = delta_link or delta
            count += 1
        return Listing(tuple(items), delta, count)

    # --- driveItem downloads --------------------------------------------------------------------------

    def drive_item(self, drive_id: str, item_id: str) -> dict[str, Any]:
        item = self.get(f"drives/{drive_id}/items/{item_id}")
        if not isinstance(item, dict):
            raise GraphError(f"drives/{drive_id}/items/{item_id}: expected a driveItem", url=self.url(
                f"drives/{drive_id}/items/{item_id}"))
        return item

    def resolve_share(self, sharing_url: str) -> dict[str, Any]:
        """The driveItem behind a sharing or file URL (`shares/{u!...}/driveItem`)."""
        item = self.get(f"shares/{share_id(sharing_url)}/driveItem")
        if not isinstance(item, dict):
            raise GraphError(f"shares: no driveItem for {sharing_url}", url=sharing_url)
        return item

    def download_item(self, drive_id: str, item_id: str, destination: Path) -> DriveDownload:
        """Download a driveItem's content to `destination`, verified by quickXorHash, with sha256.

        The partial file is `destination` + `.part` until complete. An item that changes while it
        is downloaded (eTag/cTag differ from the metadata, or the quickXorHash does not match and the
        metadata has moved on) is fetched again, at most `max_refetch` times.
        """
        destination.parent.mkdir(parents=True, exist_ok=True)
        part = destination.with_name(destination.name + ".part")
        refetched = 0
        while True:
            item = self.drive_item(drive_id, item_id)
            expected = str(((item.get("file") or {}).get("hashes") or {}).get("quickXorHash") or "")
            content = self.url(f"drives/{drive_id}/items/{item_id}/content")
            try:
                size, sha256, qxh, resumed = self._download(content, part, item)
            except _Changed:
                changed = True
            else:
                changed = False
                if expected and qxh != expected:
                    now = self.drive_item(drive_id, item_id)
                    if _version(now) == _version(item):
                        part.unlink(missing_ok=True)
                        raise HashMismatch(
                            f"drives/{drive_id}/items/{item_id}: the downloaded content has quickXorHash {qxh}, "
                            f"Graph says {expected} for the same version (eTag {item.get('eTag')})",
                            url=content, hint="the download was damaged on the way; run again",
                        )
                    changed = True
            if not changed:
                os.replace(part, destination)
                return DriveDownload(destination, size, sha256, qxh, item, resumed, refetched)
            refetched += 1
            if refetched > self.config.max_refetch:
                part.unlink(missing_ok=True)
                raise GraphError(
                    f"drives/{drive_id}/items/{item_id} kept changing while it was downloaded "
                    f"({refetched} attempts)", url=content,
                    hint="the file is being edited; run again later",
                )

    def _download(self, url: str, part: Path, item: Mapping[str, Any]) -> tuple[int, str, str, int]:
        hashes = _Hashes()
        resumed = 0
        stalled = 0
        with open(part, "wb") as out:
            while True:
                offset = out.tell()
                resumed += 1 if offset else 0
                try:
                    self._stream_into(url, out, hashes, offset, item)
                    break
                except _Interrupted as broken:
                    stalled = 0 if out.tell() > offset else stalled + 1
                    if stalled >= self.config.max_attempts:
                        raise GraphError(
                            f"GET {url}: download interrupted at byte {out.tell()} and not resumed after "
                            f"{stalled} attempts ({broken.reason})", url=url, status=broken.status,
                            hint="run again; Graph or SharePoint may be overloaded",
                        ) from broken
                    self._sleep(self._delay(max(stalled, 1), broken.retry_after))
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        return size, hashes.sha256.hexdigest(), quick_xor_hash_b64(hashes.qxh.digest()), resumed

    def _stream_into(self, url: str, out: BinaryIO, hashes: _Hashes, offset: int, item: Mapping[str, Any]) -> None:
        """One GET of the content from `offset`: Graph's /content answers 302 to a pre-authenticated
        URL, which is fetched without our token."""
        extra = {"Accept": "*/*", "Accept-Encoding": "identity"}
        if offset:
            extra["Range"] = f"bytes={offset}-"
        target = url
        try:
            for _ in range(5):  # redirects
                if self.is_ours(target):
                    headers = self._headers(extra)
                    self.requests += 1
                else:
                    headers = dict(extra)
                with self._http.stream("GET", target, headers=headers) as response:
                    status = response.status_code
                    if status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                        target = urljoin(target, response.headers["Location"])
                        continue
                    if status in RETRY_STATUSES:
                        raise _Interrupted(f"answered {status}", status,
                                           self.retry_after(response.headers.get("Retry-After")))
                    if status >= 400:
                        response.read()
                        raise self._error("GET", target, response)
                    if _changed(response, item):
                        raise _Changed()
                    if offset and status == 200:  # Range ignored: start over from these bytes
                        out.seek(0)
                        out.truncate()
                        hashes.reset()
                        offset = 0
                    elif offset and not _content_range_starts_at(response, offset):
                        raise _Changed()
                    for chunk in response.iter_raw():
                        hashes.update(chunk)
                        out.write(chunk)
                    expected = _expected_length(response, offset)
                    if expected is not None and out.tell() != expected:
                        raise _Interrupted(f"stream ended at byte {out.tell()} of {expected}")
                    return
            raise GraphError(f"GET {url}: too many redirects", url=url)
        except httpx.TransportError as error:
            raise _Interrupted(f"{type(error).__name__}: {error}") from error


class _Hashes:
    """SHA-256 and quickXorHash over the same bytes; `reset` starts both again."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sha256 = hashlib.sha256()
        self.qxh = quickxorhash.quickxorhash()

    def update(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.qxh.update(bytes(chunk))


def _version(item: Mapping[str, Any]) -> tuple[str, str]:
    return str(item.get("eTag") or ""), str(item.get("cTag") or "")


def _changed(response: httpx.Response, item: Mapping[str, Any]) -> bool:
    """True when the content answer carries an ETag/CTag that is not the metadata's."""
    etag, ctag = _version(item)
    got_etag = response.headers.get("ETag")
    got_ctag = response.headers.get("CTag")
    return bool((etag and got_etag and got_etag.strip('"') != etag.strip('"'))
                or (ctag and got_ctag and got_ctag.strip('"') != ctag.strip('"')))


def _content_range_starts_at(response: httpx.Response, offset: int) -> bool:
    value = response.headers.get("Content-Range", "")
    unit, _, rest = value.partition(" ")
    start = rest.split("-", 1)[0]
    return response.status_code == 206 and unit == "bytes" and start.isdigit() and int(start) == offset


def _expected_length(response: httpx.Response, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    if length is None or not length.isdigit():
        return None
    return int(length) + (offset if response.status_code == 206 else 0)


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


_HINTS: dict[int, str] = {
    401: "check the Graph app registration's client id and secret",
    403: "grant the app the application permission this call needs (ChannelMessage.Read.All, Chat.Read.All, "
         "Files.Read.All) and admin consent",
    404: "the resource does not exist (any more) in Microsoft 365",
    429: "Microsoft Graph throttles this app; run again later",
}
