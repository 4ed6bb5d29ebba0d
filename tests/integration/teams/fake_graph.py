"""A real HTTP server on 127.0.0.1 that plays Microsoft Graph (and its token endpoint) for the Teams tests.

A Starlette app run by uvicorn in a thread. Its data starts from the Microsoft Graph examples in
`shared/reference/graph/` (their `https://graph.microsoft.com/v1.0` host rewritten to this server)
and adds generated conversations: a channel thread with replies, an edit (new etag), a deletion,
a system event, a guest message with `from: null`, a message type Graph itself does not know
(`unknownFutureValue`), hostile HTML, inline images (hostedContents), reference attachments that
resolve to driveItems (one missing, one forbidden), chats of two key officials sharing a group chat
(the same messages seen twice, one in two versions), and a team whose only file is larger than
100 MB, served as a generated stream whose quickXorHash is computed on the fly.

It behaves like Graph where the tests need it:

- `POST /{tenant}/oauth2/v2.0/token` (client credentials) issues bearer tokens; every Graph call
  needs one (401 otherwise); the pre-authenticated download URL that `/content` redirects to must
  NOT carry it (recorded in `token_leaks`);
- `Prefer: include-unknown-enum-members` decides whether `systemEventMessage` is served as itself
  or as `unknownFutureValue` (as Graph does for evolvable enums);
- listings are paged with `$top` and `@odata.nextLink` (`$skiptoken`); the last page of a
  getAllMessages listing carries an `@odata.deltaLink`; the delta link returns what changed since;
  a next link or delta link can be expired on purpose (410 Gone / 400 resyncRequired);
- failures can be injected (429 with Retry-After, 503), a download can break off after N bytes, a
  driveItem can change between its metadata and its download, or carry a wrong quickXorHash;
- every team-scoped request is timed with the injected clock (shared with the client's rate
  limiter), and `rate_violations()` lists every moment more than 4 requests for one team fell in
  one second.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

import pikepdf
import quickxorhash
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.loopback import LoopbackServer

REFERENCE = Path("/work/shared/reference/graph")
RECORDED_BASE = "https://graph.microsoft.com/v1.0"
API = "/v1.0"
TENANT = "9854dc85-3fb3-4f8e-a055-9cdc5523024d"
CLIENT_ID = "edepot-teams-archief"
CLIENT_SECRET = "fake-graph-secret-for-tests"
RATE_LIMIT = 4  # requests per second per team

# Identities from the reference examples ...
TEAM_REF = "01fe12e0-e720-44fd-8854-28c66d1bee40"
CHANNEL_REF = "19:fae9a2ff95da4e109a5a87e39cad8f2b@thread.tacv2"
THREAD_REF = "1622071642456"
TEAM_IMG = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
CHANNEL_IMG = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
USER_1 = "0b4f1cf6-54c8-4820-bbb7-2a1f4257ade5"  # "user1 a": a bestuurder in the tests
USER_ROBIN = "8ea0e38b-efb3-4757-924a-5f94061cf8c2"  # "Robin Kline": top management in the tests
USER_INITIATOR = "1fb8890f-423e-4154-8fbf-db6809bc8756"
CHAT_SYSTEM = "19:2da4c29f6d7041eca70b638b43d45437@thread.v2"  # with the malformed timestamp
# ... and the generated ones.
CHANNEL_GEN = "19:b5e1d0c2a7f84c3e9d6b0a1f2e3c4d5e@thread.tacv2"
THREAD_GEN = "1700000000001"
SYSTEM_GEN = "1700000500000"
CHAT_SHARED = "19:7a1c0e5b3d9f4e2a8b6c4d2e0f1a3b5c@thread.v2"
EDITED_IN_SHARED = "1704103200000"
USER_GUEST = "5d0c1e7a-9b3f-4a2e-8c6d-1f0e2d3c4b5a"
TEAM_BIG = "7c3e5a1f-2b4d-4e6f-8a0c-9d1e3f5a7b9c"
CHANNEL_BIG = "19:0f1e2d3c4b5a69788796a5b4c3d2e1f0@thread.tacv2"
THREAD_BIG = "1710000000000"

DRIVE = "b!Lp6Uz0K1dUeTj-limburg-beleid-drive"
ITEM_PDF = "01ABCDEFPDF0000000000000000000001"
ITEM_MISSING = "01ABCDEFGONE000000000000000000002"
ITEM_FORBIDDEN = "01ABCDEFDENY000000000000000000003"
ITEM_TEXT = "01ABCDEFTEXT000000000000000000004"
ITEM_BIG = "01ABCDEFBIG0000000000000000000005"
BIG_SIZE = 100 * 1024 * 1024 + 4099  # larger than 100 MB, not a multiple of anything


# --- content -----------------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    buffer = io.BytesIO()
    document.save(buffer, min_version="1.7", deterministic_id=True)
    return buffer.getvalue()


def png_bytes(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


PATTERN_PERIOD = 65521  # prime, so the pattern does not line up with chunk sizes
_PATTERN = hashlib.shake_256(b"edepot teams big attachment").digest(PATTERN_PERIOD)


@dataclass(frozen=True)
class Generated:
    """`size` bytes of a repeating pseudo-random pattern, produced on the fly, never held whole."""

    size: int
    chunk: int = 1024 * 1024

    def chunks(self, start: int = 0) -> Iterator[bytes]:
        buffer = _PATTERN * (self.chunk // PATTERN_PERIOD + 2)
        view = memoryview(buffer)
        offset = start
        while offset < self.size:
            n = min(self.chunk, self.size - offset)
            phase = offset % PATTERN_PERIOD
            yield bytes(view[phase : phase + n])
            offset += n


def quick_xor(chunks: Iterator[bytes]) -> str:
    digest = quickxorhash.quickxorhash()
    for chunk in chunks:
        digest.update(chunk)
    return base64.b64encode(digest.digest()).decode("ascii")


@dataclass
class DriveItem:
    id: str
    name: str
    share_url: str
    content: bytes | Generated | None  # None: the item is gone (404)
    forbidden: bool = False
    version: int = 1
    guid: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    wrong_hash: bool = False
    _hash_cache: dict[int, str] = field(default_factory=dict)

    def bytes_of(self) -> bytes | Generated:
        assert self.content is not None
        if isinstance(self.content, bytes) and self.version > 1 and self.name.endswith(".txt"):
            return self.content + f"versie {self.version}\n".encode()
        return self.content

    def chunks(self, start: int = 0) -> Iterator[bytes]:
        content = self.bytes_of()
        if isinstance(content, Generated):
            yield from content.chunks(start)
        else:
            yield content[start:]

    @property
    def size(self) -> int:
        content = self.bytes_of()
        return content.size if isinstance(content, Generated) else len(content)

    @property
    def etag(self) -> str:
        return f'"{{{self.guid}}},{self.version}"'

    @property
    def ctag(self) -> str:
        return f'"c:{{{self.guid}}},{self.version}"'

    def quick_xor_hash(self) -> str:
        if self.version not in self._hash_cache:  # computed on the fly, once per version
            self._hash_cache[self.version] = quick_xor(self.chunks())
        value = self._hash_cache[self.version]
        if self.wrong_hash:  # the same version, a different digest: damaged on the way
            raw = bytearray(base64.b64decode(value))
            raw[0] ^= 0xFF
            value = base64.b64encode(bytes(raw)).decode("ascii")
        return value

    def metadata(self, base: str) -> dict[str, Any]:
        return {
            "@odata.context": f"{base}{API}/$metadata#drives('{DRIVE}')/items/$entity",
            "id": self.id,
            "name": self.name,
            "eTag": self.etag,
            "cTag": self.ctag,
            "size": self.size,
            "webUrl": self.share_url,
            "createdDateTime": "2023-11-14T22:00:00Z",
            "lastModifiedDateTime": f"2023-11-14T22:0{min(self.version, 9)}:00Z",
            "parentReference": {"driveType": "documentLibrary", "driveId": DRIVE, "id": "01PARENT",
                                "path": "/drive/root:"},
            "file": {"mimeType": _mime(self.name), "hashes": {"quickXorHash": self.quick_xor_hash()}},
        }


def _mime(name: str) -> str:
    return {"pdf": "application/pdf", "txt": "text/plain", "docx": "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "bin": "application/octet-stream"}.get(name.rsplit(".", 1)[-1], "application/octet-stream")


# --- the data set ----------------------------------------------------------------------------------


def _load(name: str, base: str) -> Any:
    text = (REFERENCE / name).read_text(encoding="utf-8")
    return json.loads(text.replace(RECORDED_BASE, base + API))


def _user(user_id: str, name: str | None) -> dict[str, Any]:
    return {"application": None, "device": None,
            "user": {"@odata.type": "#microsoft.graph.teamworkUserIdentity", "id": user_id, "displayName": name,
                     "userIdentityType": "aadUser", "tenantId": TENANT}}


def _stamp(ms: int) -> str:
    """A Graph timestamp (UTC, milliseconds) for an epoch-milliseconds message id."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def message(
    msg_id: str,
    *,
    channel: tuple[str, str] | None = None,
    chat: str | None = None,
    reply_to: str | None = None,
    sender: dict[str, Any] | None,
    html: str,
    content_type: str = "html",
    message_type: str = "message",
    created: str | None = None,
    etag: str | None = None,
    edited: str | None = None,
    deleted: str | None = None,
    subject: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    event: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A chatMessage shaped like the reference examples (keys in Graph's order)."""
    stamp = created or _stamp(int(msg_id))
    modified = deleted or edited or stamp
    return {
        "@odata.type": "#microsoft.graph.chatMessage",
        "id": msg_id,
        "replyToId": reply_to,
        "etag": etag or msg_id,
        "messageType": message_type,
        "createdDateTime": stamp,
        "lastModifiedDateTime": modified,
        "lastEditedDateTime": edited,
        "deletedDateTime": deleted,
        "subject": subject,
        "summary": None,
        "chatId": chat,
        "importance": "normal",
        "locale": "en-us",
        "webUrl": None,
        "channelIdentity": {"teamId": channel[0], "channelId": channel[1]} if channel else None,
        "policyViolation": None,
        "eventDetail": event,
        "from": sender,
        "body": {"contentType": content_type, "content": html},
        "attachments": attachments or [],
        "mentions": [],
        "reactions": [],
    }


def reference_attachment(att_id: str, item: DriveItem) -> dict[str, Any]:
    return {"id": att_id, "contentType": "reference", "contentUrl": item.share_url, "content": None,
            "name": item.name, "thumbnailUrl": None, "teamsAppId": None}


@dataclass
class Stored:
    """One message as a scope (team or user mailbox) holds it, with its change sequence number."""

    scope: str  # "team:<id>" or "user:<id>"
    data: dict[str, Any]
    seq: int


@dataclass
class Dataset:
    base: str
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    messages: list[Stored] = field(default_factory=list)
    hosted: dict[str, bytes] = field(default_factory=dict)  # hostedContents path -> PNG
    items: dict[str, DriveItem] = field(default_factory=dict)
    seq: int = 0

    def put(self, scope: str, data: dict[str, Any]) -> None:
        """Add a message, or replace the scope's copy of the same message (a change: new seq)."""
        self.seq += 1
        for stored in self.messages:
            if stored.scope == scope and stored.data["id"] == data["id"] and _where(stored.data) == _where(data):
                stored.data, stored.seq = data, self.seq
                return
        self.messages.append(Stored(scope, data, self.seq))

    def hosted_url(self, path: str, colour: tuple[int, int, int]) -> str:
        self.hosted[path] = png_bytes(colour)
        return f"{self.base}{API}/{path}"


def _where(data: dict[str, Any]) -> tuple[str, ...]:
    identity = data.get("channelIdentity") or {}
    return (str(data.get("chatId") or ""), str(identity.get("teamId") or ""), str(identity.get("channelId") or ""))


def build_dataset(base: str) -> Dataset:
    data = Dataset(base)
    share = "https://limburg.sharepoint.com/sites/beleid/Gedeelde%20documenten/"
    for item in (
        DriveItem(ITEM_PDF, "begroting 2024.pdf", share + "begroting%202024.pdf", pdf_bytes()),
        DriveItem(ITEM_MISSING, "verdwenen.docx", share + "verdwenen.docx", None),
        DriveItem(ITEM_FORBIDDEN, "geheim.xlsx", share + "geheim.xlsx", b"PK", forbidden=True),
        DriveItem(ITEM_TEXT, "werkversie.txt", share + "werkversie.txt", b"Werkversie van de notitie\n"),
        DriveItem(ITEM_BIG, "opname-vergadering.bin", share + "opname-vergadering.bin", Generated(BIG_SIZE)),
    ):
        data.items[item.id] = item

    # Team REF: the two recorded replies, their (generated) root, and a generated channel.
    data.channels[TEAM_REF] = [
        {"id": CHANNEL_REF, "createdDateTime": "2021-05-26T23:00:00Z", "displayName": "General",
         "description": None, "membershipType": "standard", "webUrl": None},
        {"id": CHANNEL_GEN, "createdDateTime": "2023-11-01T08:00:00Z", "displayName": "Beleid en bestuur",
         "description": "Overleg over de begroting", "membershipType": "standard", "webUrl": None},
    ]
    recorded = _load("graph_channel_getAllMessages_response.json", base)
    user1 = recorded["value"][0]["from"]
    data.put(f"team:{TEAM_REF}", message(THREAD_REF, channel=(TEAM_REF, CHANNEL_REF), sender=copy.deepcopy(user1),
                                         html="<div>new conv</div>", subject="new conv"))
    for recorded_message in recorded["value"]:
        data.put(f"team:{TEAM_REF}", recorded_message)

    gen = (TEAM_REF, CHANNEL_GEN)
    robin = _user(USER_ROBIN, "Robin Kline")
    root_html = ('<p>Hierbij de begroting, zie bijlage.</p><attachment id="att-pdf"></attachment>'
                 '<attachment id="att-gone"></attachment><attachment id="att-deny"></attachment>'
                 '<attachment id="att-text"></attachment>')
    thread = [
        message(THREAD_GEN, channel=gen, sender=_user(USER_1, "user1 a"), html=root_html, subject="Begroting 2024",
                attachments=[reference_attachment("att-pdf", data.items[ITEM_PDF]),
                             reference_attachment("att-gone", data.items[ITEM_MISSING]),
                             reference_attachment("att-deny", data.items[ITEM_FORBIDDEN]),
                             reference_attachment("att-text", data.items[ITEM_TEXT])]),
        message("1700000100000", channel=gen, reply_to=THREAD_GEN, sender=robin, etag="1700000160000",
                html="<p>Akkoord, <b>na aanpassing</b> van paragraaf 3.</p>", edited="2023-11-14T22:16:00.000Z"),
        message("1700000200000", channel=gen, reply_to=THREAD_GEN, sender=_user(USER_1, "user1 a"), html="",
                deleted="2023-11-14T22:20:00.000Z", etag="1700000260000"),
        message("1700000300000", channel=gen, reply_to=THREAD_GEN, sender=None, content_type="text",
                html="Bericht van een gast <zonder> opmaak\nop twee regels"),
        message("1700000400000", channel=gen, reply_to=THREAD_GEN, sender=robin,
                html='<p onclick="steel()">Kijk <a href="javascript:alert(1)">hier</a>'
                     '<script>alert("xss")</script><img src="https://tracker.example/pixel.gif" onerror="x()">'
                     '<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>'
                     '<a href="https://www.limburg.nl/">limburg.nl</a></p>'),
        message("1700000450000", channel=gen, reply_to=THREAD_GEN, sender=robin, message_type="unknownFutureValue",
                html="<p>Een berichtsoort die Graph zelf nog niet kent</p>"),
    ]
    for reply in thread:
        data.put(f"team:{TEAM_REF}", reply)
    data.put(f"team:{TEAM_REF}", message(
        SYSTEM_GEN, channel=gen, sender=None, html="<systemEventMessage/>", message_type="systemEventMessage",
        event={"@odata.type": "#microsoft.graph.membersAddedEventMessageDetail",
               "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z",
               "members": [{"id": USER_GUEST, "displayName": "Gast van buiten", "userIdentityType": "aadUser",
                            "tenantId": "00000000-0000-0000-0000-000000000001"}],
               "initiator": _user(USER_1, "user1 a")}))

    # Team IMG: the recorded message with an inline image.
    data.channels[TEAM_IMG] = [{"id": CHANNEL_IMG, "createdDateTime": "2021-03-01T09:00:00Z",
                                "displayName": "Afbeeldingen", "description": None,
                                "membershipType": "standard", "webUrl": None}]
    hosted = _load("graph_chatmessage_get_channel_message_hostedcontent.json", base)
    hosted.pop("@odata.context")
    _register_hosted(data, hosted, (200, 40, 40))
    data.put(f"team:{TEAM_IMG}", hosted)

    # Team BIG: one message whose file is larger than 100 MB.
    data.channels[TEAM_BIG] = [{"id": CHANNEL_BIG, "createdDateTime": "2024-03-09T09:00:00Z",
                                "displayName": "Opnames", "description": None,
                                "membershipType": "standard", "webUrl": None}]
    data.put(f"team:{TEAM_BIG}", message(
        THREAD_BIG, channel=(TEAM_BIG, CHANNEL_BIG), sender=robin, html='<p>De opname</p><attachment id="big">'
        '</attachment>', attachments=[reference_attachment("big", data.items[ITEM_BIG])]))

    # Chats: the recorded getAllMessages of user1, the recorded chat with a system event (Robin) ...
    for recorded_chat in _load("graph_chats_getAllMessages_response.json", base)["value"]:
        data.put(f"user:{USER_1}", recorded_chat)
    for recorded_chat in _load("graph_chat_list_messages_with_system_event.json", base)["value"]:
        _register_hosted(data, recorded_chat, (40, 40, 200))
        data.put(f"user:{USER_ROBIN}", recorded_chat)
    # ... and a group chat both officials are in, over two months, with system events and an edit
    # that user1's mailbox still holds in its first version.
    shared = [
        message("1704099600000", chat=CHAT_SHARED, sender=None, html="<systemEventMessage/>",
                message_type="systemEventMessage",
                event={"@odata.type": "#microsoft.graph.membersAddedEventMessageDetail",
                       "visibleHistoryStartDateTime": "2024-01-01T00:00:00Z",
                       "members": [{"id": USER_ROBIN, "displayName": "Robin Kline", "userIdentityType": "aadUser"}],
                       "initiator": _user(USER_1, "user1 a")}),
        message(EDITED_IN_SHARED, chat=CHAT_SHARED, sender=_user(USER_1, "user1 a"),
                html="<p>Voorstel: vergadering op dinsdag</p>"),
        message("1704106800000", chat=CHAT_SHARED, sender=robin, html="<p>Dinsdag past.</p>"),
        message("1706785200000", chat=CHAT_SHARED, sender=None, html="<systemEventMessage/>",
                message_type="systemEventMessage",
                event={"@odata.type": "#microsoft.graph.membersDeletedEventMessageDetail",
                       "members": [{"id": USER_GUEST, "displayName": "Gast van buiten", "userIdentityType": "aadUser"}],
                       "initiator": _user(USER_1, "user1 a")}),
        message("1706788800000", chat=CHAT_SHARED, sender=_user(USER_1, "user1 a"), html="<p>Februari-overleg</p>"),
    ]
    edited = message(EDITED_IN_SHARED, chat=CHAT_SHARED, sender=_user(USER_1, "user1 a"),
                     html="<p>Voorstel: vergadering op woensdag</p>", etag="1704110000000",
                     edited="2024-01-01T11:53:20.000Z")
    for chat_message in shared:
        data.put(f"user:{USER_1}", chat_message)
        data.put(f"user:{USER_ROBIN}", edited if chat_message["id"] == EDITED_IN_SHARED else chat_message)
    return data


_HOSTED = re.compile(r'src="[^"]*?/v1\.0/(?P<path>[^"]+/hostedContents/[^"/]+/\$value)"')


def _register_hosted(data: Dataset, msg: dict[str, Any], colour: tuple[int, int, int]) -> None:
    for found in _HOSTED.finditer(str((msg.get("body") or {}).get("content") or "")):
        data.hosted[unquote(found.group("path"))] = png_bytes(colour)


# --- the server ------------------------------------------------------------------------------------


@dataclass
class Failure:
    pattern: str
    status: int
    times: int
    retry_after: str | None = None


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    at: float


class FakeGraph:
    """The fake Graph server; start() it, use its URLs, stop() it."""

    def __init__(self, *, page_size: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self.page_size = page_size
        self.clock = clock
        self.failures: list[Failure] = []
        self.breaks: dict[str, list[int]] = {}  # item id -> cut-off byte per coming download
        self.change_on_download: dict[str, int] = {}  # item id -> downloads that bump the version first
        self.expired_next: set[str] = set()  # listing paths whose next links answer 410 (once each)
        self.deltas_expired = False
        self.expect_rate_violations = False  # set by a test that breaks the limit on purpose
        self.requests: list[Seen] = []
        self.team_requests: dict[str, list[float]] = {}
        self.token_leaks: list[str] = []
        self.tokens: set[str] = set()
        self._lock = threading.Lock()
        self._loopback = LoopbackServer("Graph")
        self.base = self._loopback.base
        self.data = build_dataset(self.base)
        self._app = Starlette(routes=[Route("/{path:path}", self._dispatch, methods=["GET", "POST"])])

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> FakeGraph:
        self._loopback.serve(self._app)
        return self

    def stop(self) -> None:
        self._loopback.stop()

    # --- for tests -----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"{self.base}{API}/"

    @property
    def token_url(self) -> str:
        return f"{self.base}/{TENANT}/oauth2/v2.0/token"

    def fail(self, pattern: str, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """The next `times` Graph requests whose path matches `pattern` answer `status`."""
        self.failures.append(Failure(pattern, status, times, retry_after))

    def break_download(self, item_id: str, after: int) -> None:
        self.breaks.setdefault(item_id, []).append(after)

    def expire_next_link(self, listing: str) -> None:
        """The next page request of `listing` (a path such as `teams/<id>/channels/getAllMessages`) answers 410."""
        self.expired_next.add(listing)

    def expire_delta_links(self) -> None:
        self.deltas_expired = True

    def seen(self, pattern: str) -> list[Seen]:
        return [r for r in self.requests if re.search(pattern, r.path)]

    def rate_violations(self, limit: int = RATE_LIMIT, window: float = 1.0) -> list[tuple[str, float]]:
        """(team, time) for every request that was the (limit+1)-th within `window` seconds for its team."""
        found = []
        for team, times in self.team_requests.items():
            ordered = sorted(times)
            for i in range(limit, len(ordered)):
                if ordered[i] - ordered[i - limit] < window - 1e-6:
                    found.append((team, ordered[i]))
        return found

    # --- dispatch ------------------------------------------------------------------------------------

    async def _dispatch(self, request: Request) -> Response:
        path = request.url.path
        now = self.clock()
        with self._lock:
            self.requests.append(Seen(request.method, path, request.url.query, dict(request.headers), now))
        if request.method == "POST" and path == f"/{TENANT}/oauth2/v2.0/token":
            return await self._token(request)
        if path.startswith("/download/"):
            if "authorization" in request.headers:
                self.token_leaks.append(path)
            return self._download(request, path.split("/")[2])
        if not path.startswith(API + "/"):
            return _error(404, "itemNotFound", "No such endpoint")
        graph_path = unquote(path[len(API) + 1:])
        team = re.match(r"teams/([^/]+)/", graph_path)
        if team:
            with self._lock:
                self.team_requests.setdefault(team.group(1), []).append(now)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        failure = self._take_failure(graph_path)
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            code = "TooManyRequests" if failure.status == 429 else "serviceNotAvailable"
            return _error(failure.status, code, "Injected failure", headers)
        prefer = "include-unknown-enum-members" in request.headers.get("prefer", "")
        return self._route(request, graph_path, prefer)

    def _take_failure(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.times > 0 and re.search(failure.pattern, path):
                    failure.times -= 1
                    return failure
        return None

    async def _token(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode())
        if (form.get("grant_type") != ["client_credentials"] or form.get("client_id") != [CLIENT_ID]
                or form.get("client_secret") != [CLIENT_SECRET]):
            return JSONResponse({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client "
                                 "secret provided."}, status_code=401)
        token = "fake-" + uuid.uuid4().hex
        with self._lock:
            self.tokens.add(token)
        return JSONResponse({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                             "access_token": token})

    def _route(self, request: Request, path: str, prefer: bool) -> Response:
        query = {k: v[-1] for k, v in parse_qs(request.url.query, keep_blank_values=True).items()}
        parts = path.split("/")
        if re.fullmatch(r"teams/[^/]+/channels", path):
            if parts[1] not in self.data.channels:
                return _error(404, "NotFound", "No team found with Group Id " + parts[1])
            return JSONResponse({"@odata.context": f"{self.base_url}$metadata#teams('{parts[1]}')/channels",
                                 "@odata.count": len(self.data.channels[parts[1]]),
                                 "value": self.data.channels[parts[1]]})
        listing = re.fullmatch(r"(teams|users)/([^/]+)/(channels|chats)/getAllMessages(/delta)?", path)
        if listing:
            scope = ("team:" if listing.group(1) == "teams" else "user:") + listing.group(2)
            return self._messages(path.removesuffix("/delta"), scope, query, prefer, delta=bool(listing.group(4)))
        hosted = re.fullmatch(r".+/hostedContents/[^/]+/\$value", path)
        if hosted:
            content = self.data.hosted.get(path)
            if content is None:
                return _error(404, "NotFound", "hostedContent not found")
            return Response(content, media_type="image/png")
        thread = re.fullmatch(r"teams/([^/]+)/channels/([^/]+)/messages/([^/]+)(/replies)?", path)
        if thread:
            return self._thread_messages(thread.group(1), thread.group(2), thread.group(3),
                                         bool(thread.group(4)), query, prefer)
        chat = re.fullmatch(r"chats/([^/]+)/messages", path)
        if chat:
            return self._chat_messages(chat.group(1), query, prefer)
        share = re.fullmatch(r"shares/([^/]+)/driveItem", path)
        if share:
            return self._item_response(self._by_share(share.group(1)))
        item = re.fullmatch(rf"drives/{re.escape(DRIVE)}/items/([^/]+)(/content)?", path)
        if item:
            found = self.data.items.get(item.group(1))
            if item.group(2) is None or found is None or found.content is None or found.forbidden:
                return self._item_response(found)
            with self._lock:
                if self.change_on_download.get(found.id, 0) > 0:
                    self.change_on_download[found.id] -= 1
                    found.version += 1
            return RedirectResponse(f"{self.base}/download/{found.id}?tempauth={uuid.uuid4().hex}", status_code=302)
        return _error(404, "itemNotFound", f"Resource not found for the segment '{parts[0]}'.")

    # --- messages ------------------------------------------------------------------------------------

    def _visible(self, data: dict[str, Any], prefer: bool) -> dict[str, Any]:
        served = copy.deepcopy(data)
        if served.get("messageType") == "systemEventMessage" and not prefer:
            served["messageType"] = "unknownFutureValue"
        return served

    def _page(self, path: str, items: list[dict[str, Any]], query: dict[str, str], extra: str,
              delta_seq: int | None, delta_path: str = "") -> Response:
        """One page of `items`; the last page carries a delta link (to `delta_path`) when `delta_seq` is given."""
        top = int(query.get("$top") or self.page_size)
        skip = int(base64.urlsafe_b64decode(query["$skiptoken"]).decode()) if query.get("$skiptoken") else 0
        body: dict[str, Any] = {"@odata.context": f"{self.base_url}$metadata#Collection(chatMessage)",
                                "@odata.count": len(items), "value": items[skip:skip + top]}
        if skip + top < len(items):
            token = base64.urlsafe_b64encode(str(skip + top).encode()).decode()
            body["@odata.nextLink"] = f"{self.base_url}{path}?$top={top}&$skiptoken={quote(token)}{extra}"
        elif delta_seq is not None:
            body["@odata.deltaLink"] = f"{self.base_url}{delta_path}?$deltatoken=" + quote(
                base64.urlsafe_b64encode(f"seq={delta_seq}".encode()).decode())
        return JSONResponse(body)

    def _messages(self, path: str, scope: str, query: dict[str, str], prefer: bool, *, delta: bool) -> Response:
        with self._lock:
            if query.get("$skiptoken") and path in self.expired_next:
                self.expired_next.discard(path)
                return _error(410, "syncStateNotFound", "The sync state generation is not found.")
            after = 0
            if delta:
                if self.deltas_expired or not query.get("$deltatoken"):
                    return _error(400, "resyncRequired", "Resync required. The delta token is no longer valid.")
                after = int(base64.urlsafe_b64decode(query["$deltatoken"]).decode().split("=", 1)[1])
            stored = [m for m in self.data.messages if m.scope == scope and m.seq > after]
            current = self.data.seq
        since = _filter_gt(query.get("$filter", ""), "lastModifiedDateTime")
        items = [self._visible(m.data, prefer) for m in sorted(stored, key=lambda m: m.seq)
                 if since is None or _sortable(m.data["lastModifiedDateTime"]) > since]
        extra = f"&$filter={quote(query['$filter'])}" if query.get("$filter") else ""
        if delta:
            extra += f"&$deltatoken={quote(query['$deltatoken'])}"
        return self._page(path + ("/delta" if delta else ""), items, query, extra, current, path + "/delta")

    def _thread_messages(self, team: str, channel: str, msg_id: str, replies: bool, query: dict[str, str],
                         prefer: bool) -> Response:
        with self._lock:
            inside = [m.data for m in self.data.messages if m.scope == f"team:{team}"
                      and (m.data.get("channelIdentity") or {}).get("channelId") == channel]
        if not replies:
            root = next((m for m in inside if m["id"] == msg_id), None)
            return JSONResponse(self._visible(root, prefer)) if root else _error(404, "NotFound", "Message not found")
        found = [self._visible(m, prefer) for m in inside if m.get("replyToId") == msg_id]
        return self._page(f"teams/{team}/channels/{channel}/messages/{msg_id}/replies", found, query, "", None)

    def _chat_messages(self, chat: str, query: dict[str, str], prefer: bool) -> Response:
        with self._lock:
            latest: dict[str, dict[str, Any]] = {}
            for stored in sorted(self.data.messages, key=lambda m: m.seq):
                if stored.data.get("chatId") == chat:
                    latest[stored.data["id"]] = stored.data  # the chat itself holds the latest version
        before = _filter_lt(query.get("$filter", ""), "createdDateTime")
        ordered = sorted(latest.values(), key=lambda m: _sortable(m["createdDateTime"]), reverse=True)
        items = [self._visible(m, prefer) for m in ordered
                 if before is None or _sortable(m["createdDateTime"]) < before]
        extra = f"&$orderby=createdDateTime desc&$filter={quote(query['$filter'])}" if query.get("$filter") else ""
        return self._page(f"chats/{chat}/messages", items, query, extra, None)

    # --- files ---------------------------------------------------------------------------------------

    def _by_share(self, share: str) -> DriveItem | None:
        encoded = share.removeprefix("u!")
        url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        return next((i for i in self.data.items.values() if i.share_url == url), None)

    def _item_response(self, item: DriveItem | None) -> Response:
        if item is None or item.content is None:
            return _error(404, "itemNotFound", "The resource could not be found.")
        if item.forbidden:
            return _error(403, "accessDenied", "Access denied")
        return JSONResponse(item.metadata(self.base))

    def _download(self, request: Request, item_id: str) -> Response:
        item = self.data.items.get(item_id)
        if item is None or item.content is None:
            return Response(status_code=404)
        size = item.size
        headers = {"ETag": item.etag, "CTag": item.ctag, "Accept-Ranges": "bytes",
                   "Content-Type": "application/octet-stream"}
        start, status = 0, 200
        wanted = re.fullmatch(r"bytes=(\d+)-", request.headers.get("range", ""))
        if wanted:
            start = int(wanted.group(1))
            if start >= size:
                return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
            status = 206
            headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        headers["Content-Length"] = str(size - start)
        with self._lock:
            cuts = self.breaks.get(item_id) or []
            cut = cuts.pop(0) if cuts else None

        async def body() -> AsyncIterator[bytes]:
            sent = start
            for chunk in item.chunks(start):
                if cut is not None and sent + len(chunk) > cut:
                    yield chunk[: max(cut - sent, 0)]
                    raise ConnectionAbortedError("download cut off on purpose")
                sent += len(chunk)
                yield chunk

        return StreamingResponse(body(), status_code=status, headers=headers)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message,
                      "innerError": {"date": "2024-01-01T00:00:00", "request-id": str(uuid.uuid4())}}}
    return JSONResponse(body, status_code=status, headers=headers)


def _sortable(stamp: str) -> str:
    """A Graph timestamp comparable as text; the docs' malformed `2021-03-1706:47:05.123Z` gets its T."""
    fixed = re.sub(r"^(\d{4}-\d{2}-\d{2})(\d{2}:)", r"\1T\2", stamp)
    return fixed.rstrip("Z")


def _filter_gt(text: str, name: str) -> str | None:
    found = re.search(rf"{name} gt (\S+)", text)
    return _sortable(found.group(1)) if found else None


def _filter_lt(text: str, name: str) -> str | None:
    found = re.search(rf"{name} lt (\S+)", text)
    return _sortable(found.group(1)) if found else None
