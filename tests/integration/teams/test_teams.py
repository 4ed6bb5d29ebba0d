"""The Teams adapter: live Graph (the fake server) and an export folder give the same packages;
conversations become records with every version, event and gap; bags pass the validator."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from edepot import bagcheck
from edepot.bootstrap import build
from edepot.errors import ConfigurationError, Severity, UnsafeInput
from edepot.formats import SiegfriedIdentifier
from edepot.settings import Settings
from edepot.submission import PackageInput, SubmissionInput
from ingest.graph_client import GraphClient, GraphError, share_id
from ingest.teams import (
    FolderSource,
    GraphSource,
    RetentionRule,
    TeamsRead,
    parse_graph_time,
    period_of,
    read_teams,
    strictest,
)
from tests.integration.teams.fake_graph import (
    CHANNEL_GEN,
    CHANNEL_REF,
    CHAT_SHARED,
    CHAT_SYSTEM,
    EDITED_IN_SHARED,
    SYSTEM_GEN,
    TEAM_BIG,
    TEAM_IMG,
    TEAM_REF,
    THREAD_GEN,
    THREAD_REF,
    USER_1,
    USER_GUEST,
    USER_ROBIN,
    FakeGraph,
    message,
)

TEAMS = (TEAM_REF, TEAM_IMG)
USERS = (USER_1, USER_ROBIN)
RETENTION = {"bestuurder": RetentionRule("B"), "topmanagement": RetentionRule.parse("V P10Y")}
ROLES = {USER_1: "bestuurder", USER_ROBIN: "topmanagement", TEAM_REF: "topmanagement", TEAM_IMG: "bestuurder"}
THREAD_KEY = f"teams:channel:{TEAM_REF}/{CHANNEL_GEN}/{THREAD_GEN}"
SHARED_JANUARY = f"teams:chat:{CHAT_SHARED}/2024-01"
SYSTEM_CHAT = f"teams:chat:{CHAT_SYSTEM}/2021-03"
PERSON_NAMES = ("user1 a", "Robin Kline", "Gast van buiten")


def _read(source: Any, workdir: Path, identifier: SiegfriedIdentifier, **options: Any) -> TeamsRead:
    options.setdefault("retention", RETENTION)
    options.setdefault("roles", ROLES)
    return read_teams(source, workdir=workdir, identifier=identifier, **options)


def _live(client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier, *, teams: Sequence[str] = TEAMS,
          users: Sequence[str] = USERS, **options: Any) -> TeamsRead:
    return _read(GraphSource(client, teams=teams, users=users), workdir, identifier, **options)


def _package(submission: SubmissionInput, key: str) -> PackageInput:
    return next(p for p in submission.packages if p.source_key == key)


def _json(package: PackageInput) -> dict[str, Any]:
    path = next(f.path for f in package.record.files if f.naam == "berichten.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _html(package: PackageInput) -> str:
    return next(f.path for f in package.record.files if f.naam == "gesprek.html").read_text(encoding="utf-8")


def _comparable(submission: SubmissionInput) -> list[Any]:
    """Packages without where their files lie in the work folder: metadata, names and content digests."""
    return [(p.source, p.source_key, p.record.folder, p.record.informatieobject, p.bag_info,
             [(f.naam, f.original_path, f.size, f.format, f.expected, hashlib.sha256(f.path.read_bytes()).hexdigest())
              for f in p.record.files])
            for p in submission.packages]


def export_folder(client: GraphClient, root: Path, *, teams: Sequence[str], users: Sequence[str]) -> None:
    """Write what Graph answers into an export folder under Graph's own paths (FolderSource's layout)."""

    def write(relative: str, data: bytes) -> None:
        path = root.joinpath(*relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    listings: list[tuple[str, str | None]] = [(f"teams/{t}/channels/getAllMessages", t) for t in teams]
    listings += [(f"users/{u}/chats/getAllMessages", None) for u in users]
    messages: list[dict[str, Any]] = []
    for team in teams:
        channels = client.listing(f"teams/{team}/channels", team=team)
        write(f"teams/{team}/channels.json", json.dumps({"value": list(channels.items)}).encode())
    for listing, scope in listings:
        for number, (page, _) in enumerate(client.pages(listing, team=scope), start=1):
            write(f"{listing}.{number:03d}.json", json.dumps({"value": page}, ensure_ascii=False).encode())
            messages.extend(page)
    for found in messages:
        for url in re.findall(r'src="([^"]+/hostedContents/[^"]+)"', str((found.get("body") or {}).get("content"))):
            data, _ = client.get_bytes(url)
            write(client.path_of(url), data)
        for attachment in found.get("attachments") or []:
            shared = f"shares/{share_id(attachment['contentUrl'])}/driveItem.json"
            try:
                item = client.resolve_share(attachment["contentUrl"])
            except GraphError as error:
                write(shared, json.dumps({"error": {"code": error.graph_code}}).encode())
                continue
            write(shared, json.dumps(item).encode())
            drive = item["parentReference"]["driveId"]
            client.download_item(drive, item["id"], root / "drives" / drive / "items" / item["id"] / "content")


# --- bad input and configuration first --------------------------------------------------------------------


def test_a_v_rule_without_a_term_and_a_b_rule_with_one_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="ISO 8601"):
        RetentionRule("V")
    with pytest.raises(ConfigurationError, match="only V records"):
        RetentionRule("B", "P10Y")
    with pytest.raises(ConfigurationError, match="not B or V"):
        RetentionRule.parse("N")
    with pytest.raises(ConfigurationError, match="ISO 8601"):
        RetentionRule.parse("V tien jaar")


def test_b_wins_over_v_and_a_longer_term_over_a_shorter_one() -> None:
    assert strictest([RetentionRule("V", "P10Y"), RetentionRule("B")]) == RetentionRule("B")
    assert strictest([RetentionRule("V", "P5Y"), RetentionRule("V", "P10Y")]) == RetentionRule("V", "P10Y")
    assert strictest([]) is None


def test_the_docs_malformed_timestamp_is_repaired_and_nonsense_is_kept_unread() -> None:
    repaired = parse_graph_time("2021-03-1706:47:05.123Z")
    assert repaired is not None and repaired.repaired
    assert repaired.text == "2021-03-17T06:47:05.123Z"
    assert repaired.value == datetime(2021, 3, 17, 6, 47, 5, 123000, tzinfo=UTC)
    for nonsense in ("2021-02-30T10:00:00Z", "gisteren", "2021-03-17T06:47:05"):
        parsed = parse_graph_time(nonsense)
        assert parsed is not None and parsed.value is None and parsed.text is None
    strict = parse_graph_time("2021-05-26T23:29:18.4310000Z")
    assert strict is not None and not strict.repaired and strict.text == "2021-05-26T23:29:18.4310000Z"
    assert parse_graph_time(None) is None


def test_periods_are_months_quarters_or_years() -> None:
    moment = datetime(2024, 11, 5, tzinfo=UTC)
    assert period_of(moment, "month")[0] == "2024-11"
    assert period_of(moment, "quarter") == ("2024-Q4", datetime(2024, 10, 1, tzinfo=UTC),
                                            datetime(2025, 1, 1, tzinfo=UTC))
    assert period_of(moment, "year")[0] == "2024"


def test_an_unknown_period_is_refused(client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    with pytest.raises(ConfigurationError, match="period"):
        _live(client, workdir, identifier, period="week")


def test_an_export_folder_path_that_climbs_out_is_refused(tmp_path: Path, workdir: Path,
                                                         identifier: SiegfriedIdentifier) -> None:
    with pytest.raises(UnsafeInput, match="leaves the export folder"):
        _read(FolderSource(tmp_path, teams=[".."], users=[]), workdir, identifier)


def test_a_damaged_file_in_an_export_is_an_error_finding(client: GraphClient, tmp_path: Path, workdir: Path,
                                                        identifier: SiegfriedIdentifier) -> None:
    export_folder(client, tmp_path / "export", teams=[TEAM_REF], users=[])
    content = next((tmp_path / "export" / "drives").rglob("content"))
    content.write_bytes(content.read_bytes() + b"x")
    result = _read(FolderSource(tmp_path / "export"), workdir, identifier).submission
    errors = [f for f in result.findings if f.severity is Severity.FOUT]
    assert [f.rule for f in errors] == ["teams.attachment.hash_mismatch"]


# --- one code path, two inputs ----------------------------------------------------------------------------


def test_live_graph_and_an_export_folder_give_the_same_packages(client: GraphClient, tmp_path: Path,
                                                               identifier: SiegfriedIdentifier) -> None:
    live = _live(client, tmp_path / "live", identifier)
    export_folder(client, tmp_path / "export", teams=TEAMS, users=USERS)
    offline = _read(FolderSource(tmp_path / "export"), tmp_path / "offline", identifier)
    assert len(live.submission.packages) == 9
    assert _comparable(offline.submission) == _comparable(live.submission)
    where = [(f.rule, f.severity, f.object, f.file) for f in live.submission.findings]
    assert [(f.rule, f.severity, f.object, f.file) for f in offline.submission.findings] == where
    assert offline.cursors == {}
    assert set(live.cursors) == {f"team:{t}" for t in TEAMS} | {f"user:{u}" for u in USERS}


def test_nothing_in_a_package_depends_on_the_page_size(graph: FakeGraph, client: GraphClient, tmp_path: Path,
                                                       identifier: SiegfriedIdentifier) -> None:
    small = _live(client, tmp_path / "a", identifier)
    graph.page_size = 50
    large = _live(client, tmp_path / "b", identifier)
    assert _comparable(large.submission) == _comparable(small.submission)


# --- records ----------------------------------------------------------------------------------------------


def test_a_channel_thread_is_one_archiefstuk_with_the_root_first_then_replies_in_time_order(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier).submission
    thread = _package(submission, THREAD_KEY)
    ids = [entry["id"] for entry in _json(thread)["berichten"]]
    assert ids == [THREAD_GEN, "1700000100000", "1700000200000", "1700000300000", "1700000400000", "1700000450000"]
    io = thread.record.informatieobject
    assert io.aggregatieniveau is not None and io.aggregatieniveau.label == "Archiefstuk"
    assert io.naam == "Teams-kanaalgesprek 'Begroting 2024' (kanaal Beleid en bestuur)"
    assert [f.naam for f in thread.record.files] == ["berichten.json", "gesprek.html", "begroting_2024.pdf",
                                                    "werkversie.txt"]
    recorded = _package(submission, f"teams:channel:{TEAM_REF}/{CHANNEL_REF}/{THREAD_REF}")
    assert [e["id"] for e in _json(recorded)["berichten"]] == [THREAD_REF, "1622071758431", "1622071764529"]
    system = _package(submission, f"teams:channel:{TEAM_REF}/{CHANNEL_GEN}/{SYSTEM_GEN}")
    assert [e.type.label for e in system.record.informatieobject.event] == ["Creatie", "Deelnemers toegevoegd"]


def test_a_chat_is_one_record_per_month_and_per_quarter_when_configured(
        client: GraphClient, tmp_path: Path, identifier: SiegfriedIdentifier) -> None:
    monthly = _live(client, tmp_path / "m", identifier).submission
    keys = [p.source_key for p in monthly.packages if CHAT_SHARED in p.source_key]
    assert keys == [SHARED_JANUARY, f"teams:chat:{CHAT_SHARED}/2024-02"]
    quarterly = _live(client, tmp_path / "q", identifier, period="quarter").submission
    assert [p.source_key for p in quarterly.packages if CHAT_SHARED in p.source_key] == [
        f"teams:chat:{CHAT_SHARED}/2024-Q1"]


def test_every_version_seen_is_kept_and_the_same_message_from_two_mailboxes_only_once(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    january = _package(_live(client, workdir, identifier).submission, SHARED_JANUARY)
    entries = _json(january)["berichten"]
    assert [e["id"] for e in entries] == ["1704099600000", EDITED_IN_SHARED, "1704106800000"]
    edited = next(e for e in entries if e["id"] == EDITED_IN_SHARED)
    assert [v["etag"] for v in edited["versies"]] == [EDITED_IN_SHARED, "1704110000000"]
    assert [len(e["versies"]) for e in entries] == [1, 2, 1]
    assert _json(january)["eigenaren"] == [f"user:{USER_1}", f"user:{USER_ROBIN}"]
    html = _html(january)
    assert "vergadering op woensdag" in html and "eerdere versie" in html and "vergadering op dinsdag" in html


def test_edits_deletions_system_events_unknown_types_and_gaps_are_events_never_dropped(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier).submission
    events = _package(submission, THREAD_KEY).record.informatieobject.event
    labels = sorted(e.type.label for e in events)
    assert labels == ["Bericht verwijderd", "Bijlage ontbreekt", "Bijlage ontbreekt", "Creatie",
                      "Onbekende berichtsoort", "Wijziging"]
    deleted = next(e for e in events if e.type.label == "Bericht verwijderd")
    assert (deleted.tijd, deleted.resultaat) == ("2023-11-14T22:20:00.000Z",
                                                "bericht 1700000200000 verwijderd in Teams; inhoud niet meer "
                                                "beschikbaar in Teams")
    gaps = sorted(e.resultaat or "" for e in events if e.type.label == "Bijlage ontbreekt")
    assert gaps == ["bericht 1700000000001, bijlage geheim.xlsx: geen toegang (403)",
                    "bericht 1700000000001, bijlage verdwenen.docx: niet gevonden (404)"]
    january = _package(submission, SHARED_JANUARY).record.informatieobject.event
    added = next(e for e in january if e.type.label == "Deelnemers toegevoegd")
    assert added.resultaat == (f"bericht 1704099600000; leden (Entra ID): {USER_ROBIN}; "
                               "geschiedenis zichtbaar vanaf 2024-01-01T00:00:00Z")
    assert added.verantwoordelijke_actor is not None and added.verantwoordelijke_actor.identificatie is not None
    assert added.verantwoordelijke_actor.identificatie.kenmerk == USER_1
    february = _package(submission, f"teams:chat:{CHAT_SHARED}/2024-02").record.informatieobject.event
    assert "Deelnemers verwijderd" in [e.type.label for e in february]


def test_a_guest_without_sender_is_kept_and_rendered_but_is_no_betrokkene(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    thread = _package(_live(client, workdir, identifier).submission, THREAD_KEY)
    guest = next(e for e in _json(thread)["berichten"] if e["id"] == "1700000300000")
    assert guest["versies"][0]["from"] is None
    assert "onbekende afzender" in _html(thread)
    betrokkenen = {(b.type_relatie.label, b.actor.identificatie.kenmerk)  # type: ignore[union-attr]
                   for b in thread.record.informatieobject.betrokkene}
    assert betrokkenen == {("Afzender", USER_1), ("Afzender", USER_ROBIN)}


def test_participants_are_betrokkenen_and_display_names_stay_out_of_naam_and_omschrijving(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier).submission
    for package in submission.packages:
        io = package.record.informatieobject
        for name in PERSON_NAMES:
            assert name not in io.naam and all(name not in text for text in io.omschrijving), package.source_key
    february = _package(submission, f"teams:chat:{CHAT_SHARED}/2024-02").record.informatieobject
    roles = {(b.type_relatie.label, b.actor.naam) for b in february.betrokkene}
    assert ("Deelnemer", "Gast van buiten") in roles and ("Afzender", "user1 a") in roles
    assert ("Sleutelfunctionaris", f"gebruiker {USER_ROBIN}") in roles
    assert USER_GUEST in {b.actor.identificatie.kenmerk for b in february.betrokkene if b.actor.identificatie}


def test_missing_and_forbidden_attachments_are_recorded_gaps_not_rejections(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier).submission
    assert submission.errors == []
    gaps = [(f.rule, f.file) for f in submission.warnings if f.rule.startswith("teams.attachment")]
    assert gaps == [("teams.attachment.missing", "verdwenen.docx"), ("teams.attachment.forbidden", "geheim.xlsx")]
    html = _html(_package(submission, THREAD_KEY))
    assert '<a href="begroting_2024.pdf">begroting 2024.pdf</a>' in html
    assert "geheim.xlsx: niet gearchiveerd (geen toegang (403))" in html


def test_attachments_are_verified_and_carry_their_sha256(client: GraphClient, graph: FakeGraph, workdir: Path,
                                                         identifier: SiegfriedIdentifier) -> None:
    thread = _package(_live(client, workdir, identifier).submission, THREAD_KEY)
    pdf = next(f for f in thread.record.files if f.naam == "begroting_2024.pdf")
    assert pdf.original_path == "kanaalgesprek-1700000000001/begroting 2024.pdf"
    assert pdf.expected == {"sha256": hashlib.sha256(pdf.path.read_bytes()).hexdigest()}
    assert pdf.format.puid == "fmt/276"


def test_inline_images_are_archived_and_embedded_in_the_rendering(client: GraphClient, workdir: Path,
                                                                  identifier: SiegfriedIdentifier) -> None:
    chat = _package(_live(client, workdir, identifier).submission, SYSTEM_CHAT)
    image = next(f for f in chat.record.files if f.naam.startswith("afbeelding-"))
    assert image.format.mime == "image/png"
    html = _html(chat)
    assert "data:image/png;base64," in html
    assert not re.search(r'src="https?:', html)


def test_the_docs_malformed_timestamp_is_read_with_a_warning_and_placed_in_its_month(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier).submission
    repaired = [f for f in submission.warnings if f.rule == "teams.timestamp.repaired"]
    assert len(repaired) == 1 and "2021-03-1706:47:05.123Z" in repaired[0].message
    chat = _package(submission, SYSTEM_CHAT)
    renamed = next(e for e in chat.record.informatieobject.event if e.type.label == "Chat hernoemd")
    assert renamed.tijd == "2021-03-17T06:47:05.123Z"
    assert chat.record.informatieobject.naam == "Teams-chat Graph Members 2021-03"
    system = next(e for e in _json(chat)["berichten"] if e["id"] == "1615943825123")
    assert system["versies"][0]["createdDateTime"] == "2021-03-1706:47:05.123Z"  # verbatim in the record


def test_a_message_type_nobody_knows_is_kept_with_a_warning(client: GraphClient, workdir: Path,
                                                            identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier).submission
    assert [f.rule for f in submission.warnings].count("teams.message.unknown_type") == 1
    assert "berichtsoort unknownFutureValue" in _html(_package(submission, THREAD_KEY))


# --- retention --------------------------------------------------------------------------------------------


def test_retention_comes_from_the_owner_role_and_goes_to_mdto_and_bag_info(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier).submission
    shared = _package(submission, SHARED_JANUARY)  # both officials: the bestuurder's B wins
    assert shared.record.informatieobject.waardering.code == "B"
    assert shared.record.informatieobject.bewaartermijn is None
    assert shared.bag_info["Teams-Rollen"] == "bestuurder, topmanagement"
    robin = _package(submission, SYSTEM_CHAT).record.informatieobject  # only top management: V P10Y
    assert robin.waardering.code == "V"
    assert robin.bewaartermijn is not None and robin.bewaartermijn.looptijd == "P10Y"
    assert robin.bewaartermijn.startdatum_looptijd == "2021-03-28"
    bag_info = _package(submission, SYSTEM_CHAT).bag_info
    assert (bag_info["Teams-Waardering"], bag_info["Teams-Bewaartermijn"], bag_info["Teams-Brondatum"]) == (
        "V", "P10Y", "2021-03-28")


def test_an_owner_without_a_rule_gives_n_with_a_warning_never_silent_destruction(
        client: GraphClient, workdir: Path, identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier, roles={USER_1: "bestuurder"}).submission
    thread = _package(submission, THREAD_KEY)
    assert thread.record.informatieobject.waardering.code == "N"
    assert any(f.rule == "teams.retention.unknown" and f.object == THREAD_KEY for f in submission.warnings)


# --- cursors ----------------------------------------------------------------------------------------------


def test_with_a_stored_cursor_only_changed_conversations_come_back_and_complete(
        client: GraphClient, graph: FakeGraph, tmp_path: Path, identifier: SiegfriedIdentifier) -> None:
    first = _live(client, tmp_path / "1", identifier)
    graph.data.put(f"team:{TEAM_REF}", message("1700000600000", channel=(TEAM_REF, CHANNEL_GEN), reply_to=THREAD_GEN,
                                               sender=None, html="<p>Nog een reactie</p>"))
    second = _live(client, tmp_path / "2", identifier, cursors=first.cursors)
    assert [p.source_key for p in second.submission.packages] == [THREAD_KEY]
    ids = [e["id"] for e in _json(second.submission.packages[0])["berichten"]]
    assert ids[0] == THREAD_GEN and ids[-1] == "1700000600000" and len(ids) == 7
    assert second.cursors[f"team:{TEAM_REF}"] != first.cursors[f"team:{TEAM_REF}"]


def test_an_expired_delta_link_falls_back_to_a_full_sync_with_a_warning(
        client: GraphClient, graph: FakeGraph, tmp_path: Path, identifier: SiegfriedIdentifier) -> None:
    first = _live(client, tmp_path / "1", identifier)
    graph.expire_delta_links()
    again = _live(client, tmp_path / "2", identifier, cursors=first.cursors)
    assert _comparable(again.submission) == _comparable(first.submission)
    assert sorted(f.object or "" for f in again.submission.warnings if f.rule == "teams.sync.fallback") == sorted(
        first.cursors)


def test_an_expired_next_link_reads_the_listing_again_from_the_start(
        client: GraphClient, graph: FakeGraph, tmp_path: Path, identifier: SiegfriedIdentifier) -> None:
    expected = _live(client, tmp_path / "1", identifier)
    graph.expire_next_link(f"teams/{TEAM_REF}/channels/getAllMessages")
    again = _live(client, tmp_path / "2", identifier)
    assert _comparable(again.submission) == _comparable(expected.submission)
    assert [f.object for f in again.submission.warnings if f.rule == "teams.sync.fallback"] == [f"team:{TEAM_REF}"]


def test_since_reads_only_conversations_changed_after_it_but_each_one_whole(
        client: GraphClient, tmp_path: Path, identifier: SiegfriedIdentifier) -> None:
    everything = _live(client, tmp_path / "1", identifier)
    recent = _live(client, tmp_path / "2", identifier, since=date(2024, 1, 1))
    assert [p.source_key for p in recent.submission.packages] == [SHARED_JANUARY,
                                                                  f"teams:chat:{CHAT_SHARED}/2024-02"]
    assert _comparable(recent.submission) == [c for c in _comparable(everything.submission)
                                              if c[1] in (SHARED_JANUARY, f"teams:chat:{CHAT_SHARED}/2024-02")]


# --- big files --------------------------------------------------------------------------------------------


def test_a_file_larger_than_100_mb_shared_in_a_channel_is_archived(client: GraphClient, workdir: Path,
                                                                  identifier: SiegfriedIdentifier) -> None:
    submission = _live(client, workdir, identifier, teams=[TEAM_BIG], users=[],
                       roles={TEAM_BIG: "bestuurder"}).submission
    (package,) = submission.packages
    big = next(f for f in package.record.files if f.naam == "opname-vergadering.bin")
    assert big.size > 100 * 1024 * 1024
    assert len(big.expected["sha256"]) == 64


# --- through the ingest use case --------------------------------------------------------------------------


def test_ingested_teams_packages_are_valid_stored_bags_and_a_rerun_is_unchanged(
        client: GraphClient, tmp_path: Path, identifier: SiegfriedIdentifier) -> None:
    services = build(Settings(home=tmp_path / "home"))
    receipt = services.ingest(_live(client, tmp_path / "work", identifier).submission)
    assert [a.result for a in receipt.aips] == ["nieuw"] * 9
    for outcome in receipt.aips:
        ledger = {f.path: f.sha256 for f in services.catalog.ledger(outcome.aip_id)}
        assert bagcheck.validate_stored_bag(services.store, f"aips/{outcome.aip_id}", ledger) == []
    stored = services.get_aip(receipt.aips[0].aip_id)
    assert stored.source == "teams"
    again = services.ingest(_live(client, tmp_path / "work-2", identifier).submission)
    assert [a.result for a in again.aips] == ["ongewijzigd"] * 9
