"""Source adapter for Microsoft Teams: channel conversations, chats of key officials, and their files.

One code path for two inputs, behind the small `Source` protocol (`ingest/teams_sources.py`):
`GraphSource` reads live Microsoft Graph through `GraphClient` (per team
`channels/getAllMessages`, per configured key official `chats/getAllMessages`), `FolderSource`
reads an export folder that holds the same JSON shapes under the same paths (see its docstring).
`read_teams` turns what a source gives into a `SubmissionInput` plus the cursors to store for the
next run.

Records. One informatieobject (aggregatieniveau Archiefstuk) per conversation, one package each:

- a channel thread: the root message and its replies (by replyToId), in createdDateTime order;
  source_key `teams:channel:<teamId>/<channelId>/<threadId>`;
- a chat per period (month by default; `quarter` and `year` too): every message created in it;
  source_key `teams:chat:<chatId>/<YYYY-MM>` (`<YYYY>-Q<n>`, `<YYYY>`).

Message identity is (chat, or team + channel, thread, id); a message seen more than once (the same
group chat in the mailboxes of two key officials, an export holding two snapshots) is kept once
per distinct etag, so every version seen is kept and duplicates are dropped.

Files of a record (cleaned, unique names):

    berichten.json      the authoritative record: every version of every message, verbatim as
                        Graph gave it, with the conversation's identity (MDTO aanvullende metagegevens)
    gesprek.html        the readable rendering (ingest/teams_render.py): sanitised, self-contained,
                        inline images embedded as data: URIs, attachments linked by relative path
    afbeelding-*.png    the inline images (hostedContents), as archived bytes
    <bijlage>           every `reference` attachment resolved to its driveItem, downloaded and
                        verified by quickXorHash, then sha256

Mapping decisions (MDTO 1.0.1):

- naam: "Teams-kanaalgesprek <subject or date> (kanaal <channel name>)" or "Teams-chat <topic> <period>";
  omschrijving: counts only. Display names are personal data and appear only in betrokkene, in
  event actors and in the files, never in naam or omschrijving.
- betrokkene: every sender ("Afzender"), every member named by a system event ("Deelnemer") and the
  key officials whose mailbox held the chat ("Sleutelfunctionaris"), identified by their Entra ID
  object id; a guest whose `from` is null is rendered as "onbekende afzender" and is no betrokkene.
- events: "Creatie" (first message), "Wijziging" per edit (lastEditedDateTime, per version seen),
  "Bericht verwijderd" per deletion (deletedDateTime; the content seen before is kept), one event
  per system event (members added or removed, visible history, chat renamed, ...), "Onbekende
  berichtsoort" for a messageType we do not know (e.g. unknownFutureValue), and "Bijlage
  ontbreekt" / "Afbeelding ontbreekt" for every gap. Nothing is dropped.
- timestamps: Graph's ISO 8601 is used as given; a timestamp that only lacks the `T` between date
  and time (Microsoft's own example `2021-03-1706:47:05.123Z`) is repaired with a warning; anything
  else is kept verbatim in the JSON and in an event resultaat, with a warning, and not used for
  ordering or periods.
- waardering/bewaartermijn: from configuration, owner role -> RetentionRule (B, or V with an
  ISO 8601 term); the owner of a channel thread is its team, of a chat every key official whose
  mailbox held it. Several owners: B wins over V, a longer V term over a shorter one. No rule ->
  N with a warning (never silently destroyed). The term starts at the date of the last message
  (trigger "Datum laatste bericht"); the same values go to bag-info.txt (`Teams-*`) for the
  retention engine.
- beperkingGebruik: "Overig", personal data (messages of employees), openness not assessed.

Gaps: an attachment or inline image that is gone (404) or forbidden (403) is a warning finding
and an event in the record, not a rejection; a quickXorHash that does not match is an error
finding. An unreachable Graph (5xx/429 after the retries, 401) raises `GraphError`: a rerun fixes it.

Cursors: per owner (`team:<id>`, `user:<id>`), the delta link Graph gave at the end of a listing,
or else a getAllMessages URL filtered on the latest lastModifiedDateTime seen. With a cursor (or
`since`) only changed messages arrive: every conversation they touch is then read again in full
(thread: message + replies; chat period: the chat's messages), so a package is always a complete
conversation. An expired next or delta link falls back to a full sync, with a warning.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from edepot import names, preingest
from edepot.errors import ConfigurationError, Finding, Severity
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    LIJST_AGGREGATIENIVEAU,
    LIJST_BEPERKING,
    LIJST_DEKKING_IN_TIJD,
    LIJST_EVENTTYPE,
    LIJST_WAARDERING,
    Begrip,
    BeperkingGebruik,
    Betrokkene,
    DekkingInTijd,
    Event,
    Identificatie,
    Informatieobject,
    Termijn,
    Verwijzing,
    lijst,
)
from edepot.ports import FormatIdentifier
from edepot.preingest import finding
from edepot.selectielijst import DUUR_RE
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput
from ingest import teams_render
from ingest.graph_client import HashMismatch
from ingest.teams_sources import (
    Downloaded,
    Fetched,
    FolderSource,
    GraphSource,
    GraphTime,
    Missing,
    Owner,
    Period,
    Source,
    graph_instant,
    parse_graph_time,
    period_of,
)

__all__ = [
    "Downloaded", "Fetched", "FolderSource", "GraphSource", "GraphTime", "Missing", "Owner", "Period",
    "RetentionRule", "Source", "TeamsRead", "graph_instant", "parse_graph_time", "period_of", "read_teams",
    "strictest",
]

SOURCE = "teams"
FOUT = Severity.FOUT
WAARSCHUWING = Severity.WAARSCHUWING

BRON_TEAMS = "Microsoft Teams (Microsoft Graph)"
BRON_ENTRA = "Microsoft Entra ID"
JSON_NAME = "berichten.json"
HTML_NAME = "gesprek.html"

LIJST_TEAMS_EVENTS = lijst("Microsoft Teams gebeurtenissen (e-depot Provincie Limburg)")
LIJST_TEAMS_ROL = lijst("Microsoft Teams rollen in een gesprek (e-depot Provincie Limburg)")
LIJST_TRIGGER = lijst("Microsoft Teams aanvang bewaartermijn (e-depot Provincie Limburg)")

KNOWN_MESSAGE_TYPES = frozenset({"message", "systemEventMessage", "chatEvent", "typing"})
SYSTEM_EVENTS = {
    "membersAddedEventMessageDetail": "Deelnemers toegevoegd",
    "membersDeletedEventMessageDetail": "Deelnemers verwijderd",
    "membersJoinedEventMessageDetail": "Deelnemers aangesloten",
    "membersLeftEventMessageDetail": "Deelnemers vertrokken",
    "chatRenamedEventMessageDetail": "Chat hernoemd",
    "channelRenamedEventMessageDetail": "Kanaal hernoemd",
    "channelAddedEventMessageDetail": "Kanaal toegevoegd",
    "channelDeletedEventMessageDetail": "Kanaal verwijderd",
    "teamCreatedEventMessageDetail": "Team aangemaakt",
    "callEndedEventMessageDetail": "Gesprek (bellen) beëindigd",
    "callStartedEventMessageDetail": "Gesprek (bellen) gestart",
    "callRecordingEventMessageDetail": "Opname van een gesprek",
    "meetingPolicyUpdatedEventMessageDetail": "Vergaderbeleid gewijzigd",
    "messagePinnedEventMessageDetail": "Bericht vastgemaakt",
    "messageUnpinnedEventMessageDetail": "Bericht losgemaakt",
    "teamsAppInstalledEventMessageDetail": "App geïnstalleerd",
    "teamsAppRemovedEventMessageDetail": "App verwijderd",
    "conversationMemberRoleUpdatedEventMessageDetail": "Rol van een deelnemer gewijzigd",
}
PERSOONSGEGEVENS = BeperkingGebruik(
    type=Begrip(label="Overig", begrippenlijst=LIJST_BEPERKING),
    nadere_beschrijving=(
        "Bevat persoonsgegevens: berichten, namen en identiteiten van medewerkers en andere deelnemers "
        "(Uitvoeringswet AVG); openbaarheid volgens Woo/Archiefwet niet beoordeeld"
    ),
)
NADER_TE_BEPALEN = Begrip(label="Nader te bepalen", code="N", begrippenlijst=LIJST_WAARDERING)


# --- retention configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRule:
    """What the configuration says for conversations of an owner role: B, or V with a term."""

    waardering: str  # "B" | "V"
    bewaartermijn: str | None = None  # ISO 8601 duration, e.g. P10Y; only with V

    def __post_init__(self) -> None:
        if self.waardering not in ("B", "V"):
            raise ConfigurationError(
                f"retention rule waardering {self.waardering!r} is not B or V",
                hint="configure each role as B, or as V with a term such as P10Y", setting="teams.retention",
            )
        if self.waardering == "V" and not (self.bewaartermijn and DUUR_RE.match(self.bewaartermijn)):
            raise ConfigurationError(
                f"retention rule V needs an ISO 8601 bewaartermijn such as P10Y, got {self.bewaartermijn!r}",
                hint="write the term as P<n>Y, P<n>M, P<n>W or P<n>D", setting="teams.retention",
            )
        if self.waardering == "B" and self.bewaartermijn:
            raise ConfigurationError(
                f"retention rule B has a bewaartermijn {self.bewaartermijn!r}; only V records have one",
                hint="leave the term out for B", setting="teams.retention",
            )

    @classmethod
    def parse(cls, text: str) -> RetentionRule:
        """ "B" or "V P10Y" (as written in configuration)."""
        parts = text.split()
        if not parts:
            raise ConfigurationError("empty retention rule", hint="write B or V P10Y", setting="teams.retention")
        return cls(parts[0].upper(), parts[1].upper() if len(parts) > 1 else None)

    def strength(self) -> tuple[int, int]:
        """Orders rules: B above every V, a longer V term above a shorter one."""
        if self.waardering == "B":
            return (2, 0)
        match = DUUR_RE.match(self.bewaartermijn or "")
        assert match is not None
        years, months, weeks, days = (int(g or 0) for g in match.groups())
        return (1, years * 372 + months * 31 + weeks * 7 + days)


def strictest(rules: Iterable[RetentionRule]) -> RetentionRule | None:
    found = sorted(rules, key=RetentionRule.strength)
    return found[-1] if found else None


# --- conversations --------------------------------------------------------------------------------


@dataclass
class _Conversation:
    kind: str  # "channel" | "chat"
    key: str
    team: str | None = None
    channel: str | None = None
    thread: str | None = None
    chat: str | None = None
    period: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    owners: set[Owner] = field(default_factory=set)
    versions: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # id -> version key -> JSON

    def add(self, message: dict[str, Any]) -> None:
        ident = str(message.get("id") or "")
        version = str(message.get("etag") or message.get("lastModifiedDateTime") or "") or hashlib.sha256(
            json.dumps(message, sort_keys=True).encode()).hexdigest()
        self.versions.setdefault(ident, {}).setdefault(version, message)


@dataclass(frozen=True)
class TeamsRead:
    """What `read_teams` gives: the submission, and the cursors to store for the next run."""

    submission: SubmissionInput
    cursors: dict[str, str]


@dataclass
class _Run:
    source: Source
    workdir: Path
    identifier: FormatIdentifier
    period: Period
    retention: Mapping[str, RetentionRule]
    roles: Mapping[str, str]
    reject_unlisted_formats: bool
    findings: list[Finding] = field(default_factory=list)
    conversations: dict[str, _Conversation] = field(default_factory=dict)
    channel_names: dict[tuple[str, str], str] = field(default_factory=dict)
    downloads: dict[str, Downloaded | Missing] = field(default_factory=dict)  # contentUrl -> outcome
    images: dict[str, teams_render.Image | Missing] = field(default_factory=dict)

    def add(self, rule: str, message: str, action: str, severity: Severity = WAARSCHUWING,
            object: str | None = None, file: str | None = None) -> None:
        self.findings.append(finding(rule, message, action, severity=severity, object=object, file=file))


def _time(run: _Run, raw: Any, where: str, what: str) -> GraphTime | None:
    parsed = parse_graph_time(raw if isinstance(raw, str) else None)
    if parsed is None:
        return None
    if parsed.value is None:
        run.add("teams.timestamp.unreadable",
                f"{where}: {what} {parsed.raw!r} is not an ISO 8601 timestamp; it is kept verbatim in "
                f"{JSON_NAME} and not used for ordering or periods", "nothing to do; check the source if it recurs",
                object=where)
    elif parsed.repaired:
        run.add("teams.timestamp.repaired",
                f"{where}: {what} {parsed.raw!r} lacks the 'T' between date and time; read as {parsed.text}",
                "nothing to do; the raw JSON keeps the value as Graph gave it", object=where)
    return parsed


def _locate(run: _Run, message: Mapping[str, Any]) -> _Conversation | None:
    """The conversation a message belongs to (not yet registered), or None when it has no place."""
    channel = message.get("channelIdentity") or {}
    if channel.get("teamId") and channel.get("channelId"):
        team, chan = str(channel["teamId"]), str(channel["channelId"])
        thread = str(message.get("replyToId") or message.get("id") or "")
        return _Conversation("channel", f"teams:channel:{team}/{chan}/{thread}", team=team, channel=chan,
                             thread=thread)
    chat = str(message.get("chatId") or "")
    if not chat:
        return None
    created = parse_graph_time(message.get("createdDateTime"))
    modified = parse_graph_time(message.get("lastModifiedDateTime"))
    moment = (created.value if created else None) or (modified.value if modified else None)
    if moment is None:
        return _Conversation("chat", f"teams:chat:{chat}/onbekend", chat=chat, period="onbekend")
    label, start, end = period_of(moment, run.period)
    return _Conversation("chat", f"teams:chat:{chat}/{label}", chat=chat, period=label, start=start, end=end)


def _conversation_of(run: _Run, message: Mapping[str, Any]) -> _Conversation | None:
    located = _locate(run, message)
    if located is None:
        run.add("teams.message.no_conversation",
                f"message {message.get('id')} has neither channelIdentity nor chatId; it cannot be placed",
                "check the export; the message is left out of this submission", FOUT, object=str(message.get("id")))
        return None
    return run.conversations.setdefault(located.key, located)


def _collect(run: _Run, owner: Owner, messages: Iterable[dict[str, Any]]) -> set[str]:
    touched: set[str] = set()
    for message in messages:
        conversation = _conversation_of(run, message)
        if conversation is None:
            continue
        conversation.owners.add(owner)
        conversation.add(message)
        touched.add(conversation.key)
    return touched


def _complete(run: _Run, keys: Iterable[str]) -> None:
    """Read every touched conversation again in full (after an incremental or `since` listing)."""
    for key in sorted(keys):
        conversation = run.conversations[key]
        if conversation.kind == "channel":
            assert conversation.team and conversation.channel and conversation.thread
            found = run.source.thread(conversation.team, conversation.channel, conversation.thread)
        elif conversation.start is not None and conversation.end is not None and conversation.chat:
            found = run.source.chat(conversation.chat, conversation.start, conversation.end)
        else:
            continue
        for message in found:
            located = _locate(run, message)
            if located is not None and located.key == key:  # a chat listing reaches into other periods
                conversation.add(message)


# --- per conversation: order, files, metadata -----------------------------------------------------


def _sort_key(run: _Run, message: Mapping[str, Any], where: str) -> tuple[str, str]:
    created = _time(run, message.get("createdDateTime"), where, f"createdDateTime of message {message.get('id')}")
    return (created.value.isoformat() if created and created.value else "9999", str(message.get("id") or ""))


def _ordered(run: _Run, conversation: _Conversation) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(latest version, older versions) per message, in conversation order (channel: root first)."""
    where = conversation.key
    result = []
    for versions in conversation.versions.values():
        ordered = sorted(versions.values(), key=lambda v: (_stamp_text(v.get("lastModifiedDateTime")),
                                                          str(v.get("etag") or "")))
        result.append((ordered[-1], ordered[:-1]))

    def order(pair: tuple[dict[str, Any], list[dict[str, Any]]]) -> tuple[int, tuple[str, str]]:
        latest = pair[0]
        root = conversation.kind == "channel" and str(latest.get("id")) == conversation.thread
        return (0 if root else 1, _sort_key(run, latest, where))

    return sorted(result, key=order)


def _stamp_text(raw: Any) -> str:
    parsed = parse_graph_time(raw if isinstance(raw, str) else None)
    return parsed.value.isoformat() if parsed and parsed.value else str(raw or "")


def _identity(user: Mapping[str, Any]) -> Verwijzing:
    ident = str(user.get("id") or "onbekend")
    kind = str(user.get("userIdentityType") or "")
    bron = BRON_ENTRA if kind in ("", "aadUser") else f"Microsoft Teams ({kind})"
    return Verwijzing(naam=str(user.get("displayName") or f"gebruiker {ident}"),
                      identificatie=Identificatie(kenmerk=ident, bron=bron))


def _sender_identity(message: Mapping[str, Any]) -> Verwijzing | None:
    sender = message.get("from")
    if not isinstance(sender, Mapping):
        return None
    for kind in ("user", "application", "device"):
        who = sender.get(kind)
        if isinstance(who, Mapping) and who.get("id"):
            return _identity(who)
    return None


def _betrokkenen(conversation: _Conversation, messages: Sequence[Mapping[str, Any]],
                 officials: Sequence[str]) -> tuple[Betrokkene, ...]:
    found: dict[tuple[str, str], Verwijzing] = {}
    for message in messages:
        sender = _sender_identity(message)
        if sender is not None and sender.identificatie is not None:
            found.setdefault(("Afzender", sender.identificatie.kenmerk), sender)
        detail = message.get("eventDetail") or {}
        for member in detail.get("members") or []:
            if isinstance(member, Mapping) and member.get("id"):
                found.setdefault(("Deelnemer", str(member["id"])), _identity(member))
    for official in officials:
        found.setdefault(("Sleutelfunctionaris", official), Verwijzing(
            naam=f"gebruiker {official}", identificatie=Identificatie(kenmerk=official, bron=BRON_ENTRA)))
    return tuple(Betrokkene(type_relatie=Begrip(label=label, begrippenlijst=LIJST_TEAMS_ROL), actor=actor)
                 for (label, _), actor in sorted(found.items()))


def _event(label: str, tijd: GraphTime | None, *, lijst_: Verwijzing = LIJST_TEAMS_EVENTS,
           actor: Verwijzing | None = None, resultaat: str | None = None) -> Event:
    text = tijd.text if tijd is not None else None
    if tijd is not None and tijd.text is None:
        resultaat = f"{resultaat or ''} (tijdstip onleesbaar, zoals gegeven: {tijd.raw})".strip()
    return Event(type=Begrip(label=label, begrippenlijst=lijst_), tijd=text, verantwoordelijke_actor=actor,
                 resultaat=resultaat or None)


def _system_event(message: Mapping[str, Any], tijd: GraphTime | None) -> Event:
    detail = message.get("eventDetail") or {}
    kind = str(detail.get("@odata.type") or "").rsplit(".", 1)[-1]
    label = SYSTEM_EVENTS.get(kind) or f"Systeemgebeurtenis {kind or 'zonder details'}"
    parts = [f"bericht {message.get('id')}"]
    members = [str(m.get("id")) for m in detail.get("members") or [] if isinstance(m, Mapping)]
    if members:
        parts.append("leden (Entra ID): " + ", ".join(members))
    if detail.get("visibleHistoryStartDateTime"):
        start = str(detail["visibleHistoryStartDateTime"])
        parts.append("geschiedenis zichtbaar vanaf " + ("het begin" if start.startswith("0001-01-01") else start))
    if detail.get("chatDisplayName"):
        parts.append(f"nieuwe naam: {detail['chatDisplayName']}")
    initiator = detail.get("initiator") or {}
    actor = None
    if isinstance(initiator, Mapping):
        who = initiator.get("user") or initiator.get("application")
        actor = _identity(who) if isinstance(who, Mapping) and who.get("id") else None
    return _event(label, tijd, actor=actor, resultaat="; ".join(parts))


def _events(run: _Run, conversation: _Conversation,
            ordered: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]], gaps: Sequence[Event]) -> tuple[Event, ...]:
    where = conversation.key
    events: list[Event] = []
    first = next((t for latest, _ in ordered
                  if (t := parse_graph_time(latest.get("createdDateTime"))) and t.value), None)
    if first is not None:
        events.append(_event("Creatie", first, lijst_=LIJST_EVENTTYPE, resultaat="eerste bericht van het gesprek"))
    for latest, older in ordered:
        ident = latest.get("id")
        for version in [*older, latest]:
            edited = parse_graph_time(version.get("lastEditedDateTime"))
            if edited is not None:
                events.append(_event("Wijziging", edited, lijst_=LIJST_EVENTTYPE, actor=_sender_identity(version),
                                     resultaat=f"bericht {ident} bewerkt (versie etag {version.get('etag')})"))
        deleted = _time(run, latest.get("deletedDateTime"), where, f"deletedDateTime of message {ident}")
        if deleted is not None:
            kept = "eerder geziene inhoud bewaard" if older else "inhoud niet meer beschikbaar in Teams"
            events.append(_event("Bericht verwijderd", deleted,
                                 resultaat=f"bericht {ident} verwijderd in Teams; {kept}"))
        message_type = str(latest.get("messageType") or "")
        created = parse_graph_time(latest.get("createdDateTime"))
        if message_type == "systemEventMessage" or latest.get("eventDetail"):
            events.append(_system_event(latest, created))
        elif message_type not in KNOWN_MESSAGE_TYPES:
            events.append(_event("Onbekende berichtsoort", created, resultaat=(
                f"bericht {ident} heeft messageType {message_type!r}; bewaard zoals gegeven")))
            run.add("teams.message.unknown_type",
                    f"{where}: message {ident} has messageType {message_type!r}, which this adapter does not know",
                    "nothing to do; the message is kept verbatim and rendered as a message", object=where)
    events.extend(gaps)
    return tuple(sorted(events, key=lambda e: (e.tijd or "", e.type.label, e.resultaat or "")))


def _retention(run: _Run, conversation: _Conversation) -> tuple[Begrip, RetentionRule | None, list[str]]:
    roles = sorted({run.roles[ident] for _, ident in conversation.owners if ident in run.roles})
    rule = strictest(run.retention[r] for r in roles if r in run.retention)
    if rule is None:
        owners = ", ".join(f"{kind} {ident}" for kind, ident in sorted(conversation.owners))
        run.add("teams.retention.unknown",
                f"{conversation.key}: no retention rule for its owner(s) {owners} "
                f"(roles: {', '.join(roles) or 'none'}); "
                "recorded as N", "configure the owner's role and a retention rule for that role",
                object=conversation.key)
        return NADER_TE_BEPALEN, None, roles
    label = "Blijvend te bewaren" if rule.waardering == "B" else "Tijdelijk te bewaren"
    return Begrip(label=label, code=rule.waardering, begrippenlijst=LIJST_WAARDERING), rule, roles


def _work_folder(run: _Run, key: str) -> Path:
    folder = run.workdir / "gesprekken" / hashlib.sha256(key.encode()).hexdigest()[:24]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _images(run: _Run, conversation: _Conversation, messages: Sequence[Mapping[str, Any]],
            folder: Path) -> tuple[dict[str, teams_render.Image], list[tuple[str, Path]], list[Event]]:
    """Inline images of the conversation: fetched once per run, written as files, gaps as events."""
    images: dict[str, teams_render.Image] = {}
    files: list[tuple[str, Path]] = []
    gaps: list[Event] = []
    for message in messages:
        content = str((message.get("body") or {}).get("content") or "")
        for index, url in enumerate(dict.fromkeys(re.findall(r'<img[^>]*?\ssrc="([^"]+)"', content)), start=1):
            url = url.replace("&amp;", "&")
            if "/hostedContents/" not in url:
                continue  # a remote image is not fetched; the rendering says so
            if url not in run.images:
                try:
                    run.images[url] = run.source.hosted_content(url)
                except Missing as missing:
                    run.images[url] = missing
            got = run.images[url]
            if isinstance(got, Missing):
                if url not in images and not any(url in (g.resultaat or "") for g in gaps):
                    run.add("teams.image.missing",
                            f"{conversation.key}: inline image of message {message.get('id')} is not available: "
                            f"{got.reason}", "nothing to do; the gap is recorded in the record",
                            object=conversation.key)
                    gaps.append(_event("Afbeelding ontbreekt", parse_graph_time(message.get("createdDateTime")),
                                       resultaat=f"bericht {message.get('id')}: {got.reason} ({url})"))
                continue
            if url in images:
                continue
            images[url] = got
            extension = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}.get(got.mime, ".bin")
            name = f"afbeelding-{message.get('id')}-{index}{extension}"
            path = folder / name
            path.write_bytes(got.data)
            files.append((name, path))
    return images, files, gaps


def _attachments(run: _Run, conversation: _Conversation, messages: Sequence[Mapping[str, Any]]) -> tuple[
        list[tuple[str, Downloaded]], dict[str, teams_render.Attachment], list[Event]]:
    downloaded: list[tuple[str, Downloaded]] = []
    outcomes: dict[str, teams_render.Attachment] = {}
    gaps: list[Event] = []
    for message in messages:
        for attachment in message.get("attachments") or []:
            if not isinstance(attachment, Mapping) or attachment.get("contentType") != "reference":
                continue
            url = str(attachment.get("contentUrl") or "")
            if not url or url in outcomes:
                continue
            if url not in run.downloads:
                target = run.workdir / "bijlagen" / hashlib.sha256(url.encode()).hexdigest()[:24] / names.clean_name(
                    str(attachment.get("name") or "bijlage"))
                try:
                    run.downloads[url] = run.source.attachment(attachment, target)
                except Missing as missing:
                    run.downloads[url] = missing
                except HashMismatch as mismatch:
                    run.add("teams.attachment.hash_mismatch",
                            f"{conversation.key}: attachment {attachment.get('name')!r}: {mismatch}",
                            "run again; if it persists, the file in Microsoft 365 or the export is damaged",
                            FOUT, object=conversation.key, file=str(attachment.get("name")))
                    run.downloads[url] = Missing(f"quickXorHash mismatch: {mismatch}", None)
            got = run.downloads[url]
            name = str(attachment.get("name") or "bijlage")
            if isinstance(got, Missing):
                reason = {404: "niet gevonden (404)", 403: "geen toegang (403)"}.get(got.status or 0, got.reason)
                outcomes[url] = teams_render.Attachment(missing=reason)
                rule = {404: "teams.attachment.missing", 403: "teams.attachment.forbidden"}.get(got.status or 0)
                if rule:
                    run.add(rule, f"{conversation.key}: attachment {name!r} of message {message.get('id')} "
                            f"could not be archived: {got.reason}",
                            "nothing to do unless the file should exist; the gap is recorded in the record",
                            object=conversation.key, file=name)
                gaps.append(_event("Bijlage ontbreekt", parse_graph_time(message.get("createdDateTime")),
                                   resultaat=f"bericht {message.get('id')}, bijlage {name}: {reason}"))
                continue
            downloaded.append((url, got))
            outcomes[url] = teams_render.Attachment(href="")  # filled in once names are final
    return downloaded, outcomes, gaps


def _json_record(conversation: _Conversation, channel_name: str | None,
                 ordered: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]]) -> dict[str, Any]:
    return {
        "bron": BRON_TEAMS,
        "soort": "kanaalgesprek" if conversation.kind == "channel" else "chat",
        "sleutel": conversation.key,
        "teamId": conversation.team,
        "channelId": conversation.channel,
        "kanaal": channel_name,
        "threadId": conversation.thread,
        "chatId": conversation.chat,
        "periode": conversation.period,
        "eigenaren": [f"{kind}:{ident}" for kind, ident in sorted(conversation.owners)],
        "berichten": [{"id": latest.get("id"), "versies": [*older, latest]} for latest, older in ordered],
    }


def _naam(conversation: _Conversation, channel_name: str | None, first: Mapping[str, Any],
          messages: Sequence[Mapping[str, Any]]) -> str:
    if conversation.kind == "channel":
        begin = str(first.get("createdDateTime") or "")[:10]
        about = f"'{first['subject']}'" if first.get("subject") else f"van {begin}"
        return f"Teams-kanaalgesprek {about} (kanaal {channel_name or conversation.channel})"
    topics = [str((m.get("eventDetail") or {}).get("chatDisplayName")) for m in messages
              if (m.get("eventDetail") or {}).get("chatDisplayName")]
    return f"Teams-chat {topics[-1] + ' ' if topics else ''}{conversation.period}"


def _source_file(run: _Run, path: Path, folder: str, original: str, naam: str, *, check: bool,
                 expected: Mapping[str, str] | None = None) -> SourceFile:
    relative = f"{folder}/{original}"
    if check:
        size, found, problems = preingest.check_file(path, relative, run.identifier,
                                                     reject_unlisted_formats=run.reject_unlisted_formats)
        run.findings.extend(problems)
    else:
        size, found = path.stat().st_size, preingest.identify_quietly(path, run.identifier)
    return SourceFile(path=path, original_path=relative, naam=naam, size=size, format=found,
                      expected=dict(expected or {}))


def _package(run: _Run, conversation: _Conversation) -> PackageInput:
    ordered = _ordered(run, conversation)
    latest = [m for m, _ in ordered]
    every = [v for m, older in ordered for v in (*older, m)]
    channel_name = run.channel_names.get((conversation.team or "", conversation.channel or ""))
    folder_path = _work_folder(run, conversation.key)
    images, image_files, image_gaps = _images(run, conversation, every, folder_path)
    downloaded, outcomes, attachment_gaps = _attachments(run, conversation, every)

    if conversation.kind == "channel":
        folder = names.clean_name(f"kanaalgesprek-{conversation.thread}")
    else:
        digest = hashlib.sha256((conversation.chat or "").encode()).hexdigest()[:10]
        folder = names.clean_name(f"chat-{conversation.period}-{digest}")
    originals = [JSON_NAME, HTML_NAME, *(n for n, _ in image_files), *(d.name for _, d in downloaded)]
    taken = names.unique_names(originals)
    if len(set(originals)) != len(originals):  # two attachments with the same name: number them
        seen: dict[str, int] = {}
        numbered = []
        for original in originals:
            seen[original] = seen.get(original, 0) + 1
            stem, ext = names.split_extension(original)
            numbered.append(original if seen[original] == 1 else f"{stem}-{seen[original]}{ext}")
        originals = numbered
        taken = names.unique_names(originals)

    files: list[SourceFile] = []
    json_path = folder_path / JSON_NAME
    json_path.write_bytes(json.dumps(_json_record(conversation, channel_name, ordered), ensure_ascii=False,
                                     indent=2).encode("utf-8") + b"\n")
    for (url, got), original in zip(downloaded, originals[2 + len(image_files):], strict=True):
        outcomes[url] = teams_render.Attachment(href=taken[original])
        files.append(_source_file(run, got.path, folder, original, taken[original], check=True,
                                  expected={"sha256": got.sha256}))
    for (_, path), original in zip(image_files, originals[2:2 + len(image_files)], strict=True):
        files.append(_source_file(run, path, folder, original, taken[original], check=True))

    naam = _naam(conversation, channel_name, latest[0], latest)
    waardering, rule, roles = _retention(run, conversation)
    gaps = [*image_gaps, *attachment_gaps]
    events = _events(run, conversation, ordered, gaps)
    page = teams_render.Page(
        title=naam,
        subtitle=f"{BRON_TEAMS}; {conversation.key}",
        entries=teams_render.entries([(m, older, conversation.kind == "channel" and str(m.get("id"))
                                       != conversation.thread) for m, older in ordered]),
        images=images,
        attachments=outcomes,
    )
    html_path = folder_path / HTML_NAME
    html_path.write_text(teams_render.render(page), encoding="utf-8")
    files[:0] = [_source_file(run, json_path, folder, JSON_NAME, taken[JSON_NAME], check=False),
                 _source_file(run, html_path, folder, HTML_NAME, taken[HTML_NAME], check=False)]

    stamps = sorted(t.value for m in latest if (t := parse_graph_time(m.get("createdDateTime"))) and t.value)
    last_change = sorted(t.value for m in every if (t := parse_graph_time(m.get("lastModifiedDateTime"))) and t.value)
    brondatum = stamps[-1].date().isoformat() if stamps else None
    dekking = (DekkingInTijd(type=Begrip(label="Periode van de berichten", begrippenlijst=LIJST_DEKKING_IN_TIJD),
                             begindatum=stamps[0].date().isoformat(), einddatum=brondatum),) if stamps else ()
    termijn = None
    if rule is not None and rule.waardering == "V":
        termijn = Termijn(trigger_start_looptijd=Begrip(label="Datum laatste bericht", begrippenlijst=LIJST_TRIGGER),
                          startdatum_looptijd=brondatum, looptijd=rule.bewaartermijn)
    officials = sorted(ident for kind, ident in conversation.owners if kind == "user")
    versions = sum(len(v) for v in conversation.versions.values())
    kind_text = (f"kanaal {channel_name or conversation.channel} van team {conversation.team}"
                 if conversation.kind == "channel" else f"chat {conversation.chat}, periode {conversation.period}")
    omschrijving = (f"{len(latest)} berichten ({versions} versies), {len(downloaded)} bijlagen, "
                    f"{len(image_files)} afbeeldingen, {len(gaps)} ontbrekend; {kind_text}",)
    io = Informatieobject(
        identificatie=(Identificatie(kenmerk=conversation.key, bron=BRON_TEAMS),),
        naam=naam,
        waardering=waardering,
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(PERSOONSGEGEVENS,),
        aggregatieniveau=Begrip(label="Archiefstuk", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        omschrijving=omschrijving,
        dekking_in_tijd=dekking,
        event=events,
        bewaartermijn=termijn,
        aanvullende_metagegevens=(Verwijzing(naam=taken[JSON_NAME]),),
        betrokkene=_betrokkenen(conversation, every, officials),
    )
    bag_info = {
        "Teams-Soort": "kanaalgesprek" if conversation.kind == "channel" else "chat",
        "Teams-Team-Id": conversation.team or "",
        "Teams-Kanaal-Id": conversation.channel or "",
        "Teams-Thread-Id": conversation.thread or "",
        "Teams-Chat-Id": conversation.chat or "",
        "Teams-Periode": conversation.period or "",
        "Teams-Rollen": ", ".join(roles),
        "Teams-Waardering": waardering.code or "N",
        "Teams-Bewaartermijn": (rule.bewaartermijn or "") if rule else "",
        "Teams-Brondatum": brondatum or "",
        "Teams-Laatste-Wijziging": last_change[-1].isoformat() if last_change else "",
    }
    record = RecordInput(folder=folder, original_name=conversation.key, informatieobject=io, files=tuple(files))
    return PackageInput(source=SOURCE, source_key=conversation.key, record=record,
                        bag_info={k: v for k, v in bag_info.items() if v})


# --- the entry point ------------------------------------------------------------------------------


def _owner_key(owner: Owner) -> str:
    return f"{owner[0]}:{owner[1]}"


def read_teams(
    source: Source,
    *,
    workdir: Path,
    identifier: FormatIdentifier,
    since: date | datetime | None = None,
    period: Period = "month",
    retention: Mapping[str, RetentionRule],
    roles: Mapping[str, str] | None = None,
    cursors: Mapping[str, str] | None = None,
    reject_unlisted_formats: bool = False,
) -> TeamsRead:
    """Read the source's conversations into a submission: one package per channel thread or chat period.

    `roles` maps an owner (team id or key official's user id) to a role, `retention` a role to its
    rule. `cursors` are what a previous run returned (`team:<id>` / `user:<id>` -> URL); with one,
    only changed conversations are read. `since` limits a full read to messages changed after it.
    Files are written under `workdir`, which must stay until the submission is ingested.
    """
    if period not in ("month", "quarter", "year"):
        raise ConfigurationError(f"period {period!r} is not month, quarter or year", setting="teams.period")
    run = _Run(source=source, workdir=Path(workdir).absolute(), identifier=identifier, period=period,
               retention=dict(retention), roles=dict(roles or {}), reject_unlisted_formats=reject_unlisted_formats)
    run.workdir.mkdir(parents=True, exist_ok=True)
    moment = None
    if since is not None:
        moment = since if isinstance(since, datetime) else datetime(since.year, since.month, since.day, tzinfo=UTC)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    new_cursors: dict[str, str] = {}
    incomplete: set[str] = set()
    for owner in source.owners():
        if owner[0] == "team":
            for channel in source.channels(owner[1]):
                run.channel_names[(owner[1], str(channel.get("id")))] = str(channel.get("displayName") or "")
        key = _owner_key(owner)
        fetched = source.messages(owner, cursor=(cursors or {}).get(key), since=moment)
        if fetched.fallback:
            run.add("teams.sync.fallback", f"{key}: {fetched.fallback}",
                    "nothing to do; unchanged conversations are recognised as unchanged", object=key)
        touched = _collect(run, owner, fetched.messages)
        if not fetched.complete:
            incomplete |= touched
        if fetched.cursor:
            new_cursors[key] = fetched.cursor
    _complete(run, incomplete)
    packages = [_package(run, run.conversations[key]) for key in sorted(run.conversations)]
    submission = SubmissionInput(source=SOURCE, location=source.location, packages=tuple(packages),
                                 findings=tuple(run.findings))
    return TeamsRead(submission=submission, cursors=new_cursors)
