"""Where Teams conversations come from: the `Source` protocol, live Graph and an export folder.

`GraphSource` reads Microsoft Graph through `GraphClient`; `FolderSource` reads an export folder
holding the same JSON under Graph's own paths. Both give the adapter (`ingest/teams.py`) the same
values: messages per owner (a team or a key official) with the cursor to store, a thread or chat
period read again in full, inline image bytes, and verified attachment content; a file or image
that is gone or forbidden is `Missing`, a damaged one `HashMismatch`. The timestamp helpers live
here too, as both sources and the adapter read Graph's timestamps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote, unquote

import quickxorhash

from edepot.errors import UnsafeInput
from ingest import teams_render
from ingest.graph_client import (
    GraphClient,
    GraphError,
    HashMismatch,
    SyncStateExpired,
    quick_xor_hash_b64,
    share_id,
)

Period = Literal["month", "quarter", "year"]
Owner = tuple[str, str]  # ("team", team id) | ("user", user id)


# --- timestamps -----------------------------------------------------------------------------------

_STRICT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_MISSING_T = re.compile(r"^(\d{4}-\d{2}-\d{2})[ ]?(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class GraphTime:
    """A Graph timestamp: its value (None when unreadable), its xsd:dateTime text, and whether repaired."""

    raw: str
    value: datetime | None
    text: str | None
    repaired: bool = False


def parse_graph_time(raw: str | None) -> GraphTime | None:
    """Strict ISO 8601 first; a date and time run together or split by a space (the docs' example
    `2021-03-1706:47:05.123Z`) is repaired, as it is unambiguous; anything else is unreadable."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    for pattern, repaired in ((_STRICT, False), (_MISSING_T, True)):
        match = pattern.match(text)
        if match is None:
            continue
        day, clock, fraction, zone = match.groups()
        text_form = f"{day}T{clock}{fraction or ''}{zone}"
        try:
            value = datetime.fromisoformat(text_form)
        except ValueError:
            return GraphTime(text, None, None)
        return GraphTime(text, value.astimezone(UTC), text_form, repaired)
    return GraphTime(text, None, None)


def period_of(moment: datetime, period: Period) -> tuple[str, datetime, datetime]:
    """The period label and its [start, end) in UTC."""
    if period == "year":
        start = datetime(moment.year, 1, 1, tzinfo=UTC)
        return f"{moment.year:04d}", start, datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    if period == "quarter":
        first = (moment.month - 1) // 3 * 3 + 1
        start = datetime(moment.year, first, 1, tzinfo=UTC)
        end = datetime(moment.year + (first == 10), 1 if first == 10 else first + 3, 1, tzinfo=UTC)
        return f"{moment.year:04d}-Q{(first - 1) // 3 + 1}", start, end
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    end = datetime(moment.year + (moment.month == 12), 1 if moment.month == 12 else moment.month + 1, 1, tzinfo=UTC)
    return f"{moment.year:04d}-{moment.month:02d}", start, end


def graph_instant(moment: date | datetime) -> str:
    """A `$filter` literal: UTC, seconds, Z."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- sources --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """Messages of one owner: `complete` when every message of its conversations is there (a full sync)."""

    messages: tuple[dict[str, Any], ...]
    cursor: str | None
    complete: bool
    fallback: str | None = None  # why a stored cursor was not used (expired)


@dataclass(frozen=True)
class Downloaded:
    """An attachment's verified content on disk."""

    path: Path
    size: int
    sha256: str
    quick_xor_hash: str
    name: str  # the driveItem's name


class Missing(Exception):
    """A file or image the source cannot give: gone (404) or forbidden (403)."""

    def __init__(self, reason: str, status: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class Source(Protocol):
    """Where conversations come from: live Graph or an export folder, with the same JSON shapes."""

    location: str

    def owners(self) -> tuple[Owner, ...]: ...

    def channels(self, team_id: str) -> list[dict[str, Any]]: ...

    def messages(self, owner: Owner, *, cursor: str | None, since: datetime | None) -> Fetched: ...

    def thread(self, team_id: str, channel_id: str, thread_id: str) -> list[dict[str, Any]]: ...

    def chat(self, chat_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]: ...

    def hosted_content(self, url: str) -> teams_render.Image:
        """The bytes of an inline image (a hostedContents `$value` URL); Missing if not available."""
        ...

    def attachment(self, attachment: Mapping[str, Any], destination: Path) -> Downloaded:
        """A `reference` attachment's driveItem content, verified; Missing if gone or forbidden."""
        ...


def _listing_path(owner: Owner) -> str:
    kind, ident = owner
    return f"teams/{ident}/channels/getAllMessages" if kind == "team" else f"users/{ident}/chats/getAllMessages"


def _missing(error: GraphError) -> Missing:
    return Missing(f"Graph answered {error.status} {error.graph_code or ''}".strip(), error.status)


def _team_of(url: str) -> str | None:
    found = re.search(r"/teams/([^/?]+)/", url)
    return unquote(found.group(1)) if found else None


class GraphSource:
    """Live Microsoft Graph: the configured teams (channel messages) and key officials (chats)."""

    def __init__(self, client: GraphClient, *, teams: Sequence[str] = (), users: Sequence[str] = ()) -> None:
        self.client = client
        self._owners = tuple(("team", t) for t in dict.fromkeys(teams)) + tuple(
            ("user", u) for u in dict.fromkeys(users))
        self.location = client.config.base

    def owners(self) -> tuple[Owner, ...]:
        return self._owners

    def channels(self, team_id: str) -> list[dict[str, Any]]:
        return list(self.client.listing(f"teams/{team_id}/channels", team=team_id).items)

    def messages(self, owner: Owner, *, cursor: str | None, since: datetime | None) -> Fetched:
        team = owner[1] if owner[0] == "team" else None
        fallback = None
        if cursor:
            try:
                found = self.client.listing(cursor, team=team)
                return Fetched(found.items, found.delta_link or self._cursor(owner, found.items, cursor), False)
            except SyncStateExpired as expired:
                fallback = f"the stored cursor expired ({expired.status} {expired.graph_code}); full sync"
        params = {"$filter": f"lastModifiedDateTime gt {graph_instant(since)}"} if since else None
        for attempt in (1, 2):
            try:
                found = self.client.listing(_listing_path(owner), params, team=team)
                break
            except SyncStateExpired as expired:  # a next link expired half-way: start the listing again
                if attempt == 2:
                    raise
                fallback = f"a next link expired during the listing ({expired.status} {expired.graph_code}); " \
                           "listing read again from the start"
        return Fetched(found.items, found.delta_link or self._cursor(owner, found.items, None), since is None, fallback)

    def _cursor(self, owner: Owner, items: Sequence[Mapping[str, Any]], previous: str | None) -> str | None:
        """Without a delta link: getAllMessages filtered on the latest lastModifiedDateTime seen."""
        stamps = [t.value for m in items if (t := parse_graph_time(m.get("lastModifiedDateTime"))) and t.value]
        if not stamps:
            return previous
        query = quote(f"lastModifiedDateTime gt {graph_instant(max(stamps) - timedelta(seconds=1))}")
        return f"{self.client.url(_listing_path(owner))}?$filter={query}"

    def thread(self, team_id: str, channel_id: str, thread_id: str) -> list[dict[str, Any]]:
        base = f"teams/{team_id}/channels/{quote(channel_id, safe='')}/messages/{thread_id}"
        root = self.client.get(base, team=team_id)
        replies = self.client.listing(f"{base}/replies", team=team_id).items
        return [dict(root), *replies] if isinstance(root, dict) else list(replies)

    def chat(self, chat_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        params = {"$orderby": "createdDateTime desc", "$filter": f"createdDateTime lt {graph_instant(end)}"}
        found: list[dict[str, Any]] = []
        for page, _ in self.client.pages(f"chats/{quote(chat_id, safe='')}/messages", params):
            found.extend(page)
            oldest = [t.value for m in page if (t := parse_graph_time(m.get("createdDateTime"))) and t.value]
            if oldest and min(oldest) < start:
                break
        return found

    def hosted_content(self, url: str) -> teams_render.Image:
        if not self.client.is_ours(url):
            raise Missing(f"the image is not a Graph hostedContent ({url}); it is not fetched", None)
        try:
            data, mime = self.client.get_bytes(url, team=_team_of(url))
        except GraphError as error:
            if error.status in (403, 404):
                raise _missing(error) from error
            raise
        return teams_render.Image(mime if mime.startswith("image/") else "application/octet-stream", data)

    def attachment(self, attachment: Mapping[str, Any], destination: Path) -> Downloaded:
        url = str(attachment.get("contentUrl") or "")
        try:
            item = self.client.resolve_share(url)
            drive = str((item.get("parentReference") or {}).get("driveId") or "")
            result = self.client.download_item(drive, str(item["id"]), destination)
        except HashMismatch:
            raise
        except GraphError as error:
            if error.status in (403, 404):
                raise _missing(error) from error
            raise
        return Downloaded(result.path, result.size, result.sha256, result.quick_xor_hash,
                          str(result.item.get("name") or attachment.get("name") or "bijlage"))


class FolderSource:
    """An export folder holding Graph's JSON under Graph's own paths (relative to `/v1.0/`):

        teams/<teamId>/channels.json                        the channel listing ({"value": [...]})
        teams/<teamId>/channels/getAllMessages*.json        pages of channel messages
        users/<userId>/chats/getAllMessages*.json           pages of chat messages
        <...>/hostedContents/<id>/$value                    inline image bytes, path as in the img src URL
        shares/<u!...>/driveItem.json                       the driveItem a reference attachment resolves to
        drives/<driveId>/items/<itemId>/content             its content

    Page files are read in name order; several snapshots may hold the same message (deduplicated
    by identity and etag). Nothing is followed outside the folder. No cursors: a folder is read whole.
    """

    def __init__(self, root: Path, *, teams: Sequence[str] | None = None, users: Sequence[str] | None = None) -> None:
        self.root = Path(root).absolute()
        self.location = str(self.root)
        self._teams = teams
        self._users = users
        self._all: list[dict[str, Any]] | None = None

    def _path(self, relative: str) -> Path:
        parts = [p for p in relative.split("/") if p]
        if not parts or any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
            raise UnsafeInput(f"export path {relative!r} leaves the export folder", hint="check the export")
        return self.root.joinpath(*parts)

    def _read(self, path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise UnsafeInput(f"{path}: not readable JSON ({error})", hint="export the file again") from error

    def _dirs(self, kind: str) -> list[str]:
        folder = self.root / kind
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def owners(self) -> tuple[Owner, ...]:
        teams = self._teams if self._teams is not None else self._dirs("teams")
        users = self._users if self._users is not None else self._dirs("users")
        return tuple(("team", t) for t in teams) + tuple(("user", u) for u in users)

    def channels(self, team_id: str) -> list[dict[str, Any]]:
        path = self._path(f"teams/{team_id}/channels.json")
        return list(self._read(path).get("value") or []) if path.is_file() else []

    def _pages(self, owner: Owner) -> list[dict[str, Any]]:
        listing = self._path(_listing_path(owner))
        items: list[dict[str, Any]] = []
        for page in sorted(listing.parent.glob(listing.name + "*.json")):
            body = self._read(page)
            items.extend(dict(m) for m in (body.get("value") if isinstance(body, dict) else body) or [])
        return items

    def messages(self, owner: Owner, *, cursor: str | None, since: datetime | None) -> Fetched:
        items = self._pages(owner)
        if since is not None:
            items = [m for m in items
                     if (t := parse_graph_time(m.get("lastModifiedDateTime"))) is None or t.value is None
                     or t.value > since]
        return Fetched(tuple(items), None, since is None)

    def _everything(self) -> list[dict[str, Any]]:
        if self._all is None:
            self._all = [m for owner in self.owners() for m in self._pages(owner)]
        return self._all

    def thread(self, team_id: str, channel_id: str, thread_id: str) -> list[dict[str, Any]]:
        return [m for m in self._everything() if (m.get("channelIdentity") or {}).get("teamId") == team_id
                and (m.get("channelIdentity") or {}).get("channelId") == channel_id
                and (m.get("id") == thread_id or m.get("replyToId") == thread_id)]

    def chat(self, chat_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return [m for m in self._everything() if m.get("chatId") == chat_id
                and (t := parse_graph_time(m.get("createdDateTime"))) is not None and t.value is not None
                and start <= t.value < end]

    def _graph_path(self, url: str) -> str:
        for marker in ("/v1.0/", "/beta/"):
            if marker in url:
                return unquote(url.split(marker, 1)[1].split("?", 1)[0])
        raise Missing(f"{url} is not a Graph URL; it is not in the export", None)

    def hosted_content(self, url: str) -> teams_render.Image:
        path = self._path(self._graph_path(url))
        if not path.is_file():
            raise Missing("the image is not in the export", 404)
        return teams_render.Image("image/png" if path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" else
                                  _sniff_image(path), path.read_bytes())

    def attachment(self, attachment: Mapping[str, Any], destination: Path) -> Downloaded:
        meta_path = self._path(f"shares/{share_id(str(attachment.get('contentUrl') or ''))}/driveItem.json")
        if not meta_path.is_file():
            raise Missing("the file is not in the export", 404)
        item = self._read(meta_path)
        if "error" in item:  # the export recorded Graph's refusal
            status = 403 if str(item["error"].get("code")) == "accessDenied" else 404
            raise Missing(f"the export recorded {status} {item['error'].get('code')}", status)
        drive = str((item.get("parentReference") or {}).get("driveId") or "")
        content = self._path(f"drives/{drive}/items/{item['id']}/content")
        if not content.is_file():
            raise Missing("the file's content is not in the export", 404)
        destination.parent.mkdir(parents=True, exist_ok=True)
        sha, qxh, size = _copy_hashed(content, destination)
        expected = str(((item.get("file") or {}).get("hashes") or {}).get("quickXorHash") or "")
        if expected and expected != qxh:
            destination.unlink(missing_ok=True)
            raise HashMismatch(f"{content}: quickXorHash {qxh}, the export's driveItem says {expected}",
                               url=str(content), hint="export the file again")
        return Downloaded(destination, size, sha, qxh, str(item.get("name") or attachment.get("name") or "bijlage"))


def _sniff_image(path: Path) -> str:
    head = path.read_bytes()[:12]
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return "application/octet-stream"


def _copy_hashed(source: Path, destination: Path) -> tuple[str, str, int]:
    sha = hashlib.sha256()
    qxh = quickxorhash.quickxorhash()
    size = 0
    with open(source, "rb") as fin, open(destination, "wb") as fout:
        while chunk := fin.read(1024 * 1024):
            sha.update(chunk)
            qxh.update(chunk)
            fout.write(chunk)
            size += len(chunk)
    return sha.hexdigest(), quick_xor_hash_b64(qxh.digest()), size
