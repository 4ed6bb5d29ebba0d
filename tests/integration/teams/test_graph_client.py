"""The Graph client against a real HTTP server playing Microsoft Graph (tests/integration/teams/fake_graph.py)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import random
from pathlib import Path

import pytest
import quickxorhash

from ingest.graph_client import (
    GraphClient,
    GraphError,
    HashMismatch,
    SyncStateExpired,
    TokenBucket,
    quick_xor_hash_b64,
)
from tests.integration.teams.conftest import FakeClock, MakeClient
from tests.integration.teams.fake_graph import (
    BIG_SIZE,
    DRIVE,
    ITEM_BIG,
    ITEM_FORBIDDEN,
    ITEM_MISSING,
    ITEM_PDF,
    ITEM_TEXT,
    TEAM_REF,
    USER_ROBIN,
    FakeGraph,
    Generated,
)

CHANNEL_MESSAGES = f"teams/{TEAM_REF}/channels/getAllMessages"


def _reference_quick_xor(data: bytes) -> str:
    """quickXorHash as Microsoft publishes it, bit by bit: byte i is XORed into a 160-bit register
    at bit (11 * i) mod 160, wrapping around; the length (64-bit little-endian) is XORed into the
    last 8 of the 20 bytes; the result is base64."""
    width, register = 160, 0
    for index, byte in enumerate(data):
        shifted = byte << ((index * 11) % width)
        register ^= (shifted & ((1 << width) - 1)) | (shifted >> width)
    raw = bytearray(register.to_bytes(20, "little"))
    for offset, length_byte in enumerate(len(data).to_bytes(8, "little")):
        raw[12 + offset] ^= length_byte
    return base64.b64encode(bytes(raw)).decode()


def _package_quick_xor(*pieces: bytes) -> str:
    digest = quickxorhash.quickxorhash()
    for piece in pieces:
        digest.update(piece)
    return quick_xor_hash_b64(digest.digest())


# --- bad input first ------------------------------------------------------------------------------------


def test_a_wrong_secret_is_refused_with_a_message_that_names_the_app_registration(make_client: MakeClient) -> None:
    client = make_client(secret="not-the-secret")
    with pytest.raises(GraphError) as caught:
        client.get(f"teams/{TEAM_REF}/channels")
    assert caught.value.status == 401
    assert "client id and secret" in str(caught.value)


def test_a_next_link_outside_the_graph_base_url_is_refused_and_gets_no_token(client: GraphClient,
                                                                             graph: FakeGraph) -> None:
    with pytest.raises(GraphError, match="refusing to send the Graph token"):
        client.get("https://evil.example/v1.0/teams")
    assert graph.requests == []


def test_an_error_answer_carries_graph_s_code_and_status(client: GraphClient) -> None:
    with pytest.raises(GraphError) as caught:
        client.get("teams/no-such-team/channels", team="no-such-team")
    assert (caught.value.status, caught.value.graph_code) == (404, "NotFound")


def test_a_503_that_does_not_go_away_gives_up_after_the_configured_attempts(
        make_client: MakeClient, graph: FakeGraph, clock: FakeClock) -> None:
    client = make_client(max_attempts=3)
    graph.fail("channels/getAllMessages", 503, times=10)
    with pytest.raises(GraphError) as caught:
        client.listing(CHANNEL_MESSAGES, team=TEAM_REF)
    assert caught.value.status == 503
    assert "after 3 attempts" in str(caught.value)
    assert len(graph.seen("getAllMessages")) == 3
    assert clock.sleeps[-2:] == [1.0, 2.0]  # exponential backoff between the attempts


def test_an_expired_next_link_is_signalled_as_sync_state_expired(client: GraphClient, graph: FakeGraph) -> None:
    graph.expire_next_link(CHANNEL_MESSAGES)
    with pytest.raises(SyncStateExpired) as caught:
        client.listing(CHANNEL_MESSAGES, team=TEAM_REF)
    assert caught.value.status == 410


def test_an_expired_delta_link_is_signalled_as_sync_state_expired(client: GraphClient, graph: FakeGraph) -> None:
    delta = client.listing(CHANNEL_MESSAGES, team=TEAM_REF).delta_link
    assert delta is not None
    graph.expire_delta_links()
    with pytest.raises(SyncStateExpired) as caught:
        client.listing(delta, team=TEAM_REF)
    assert (caught.value.status, caught.value.graph_code) == (400, "resyncRequired")


def test_a_missing_or_forbidden_drive_item_raises_with_its_status(client: GraphClient, tmp_path: Path) -> None:
    for item, status in ((ITEM_MISSING, 404), (ITEM_FORBIDDEN, 403)):
        with pytest.raises(GraphError) as caught:
            client.download_item(DRIVE, item, tmp_path / item)
        assert caught.value.status == status
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_quickxorhash_for_an_unchanged_item_is_a_hash_mismatch(client: GraphClient, graph: FakeGraph,
                                                                       tmp_path: Path) -> None:
    graph.data.items[ITEM_PDF].wrong_hash = True
    with pytest.raises(HashMismatch, match="quickXorHash"):
        client.download_item(DRIVE, ITEM_PDF, tmp_path / "begroting.pdf")
    assert list(tmp_path.iterdir()) == []


# --- requests ---------------------------------------------------------------------------------------------


def test_every_graph_request_carries_the_app_token_and_prefers_unknown_enum_members(
        client: GraphClient, graph: FakeGraph) -> None:
    messages = client.listing(f"users/{USER_ROBIN}/chats/getAllMessages").items
    graph_requests = graph.seen("^/v1.0/")
    assert graph_requests
    assert all(r.headers["authorization"].startswith("Bearer fake-") for r in graph_requests)
    assert all(r.headers["prefer"] == "include-unknown-enum-members" for r in graph_requests)
    assert "systemEventMessage" in {m["messageType"] for m in messages}  # not hidden as unknownFutureValue
    assert len(graph.seen("oauth2/v2.0/token")) == 1  # the token is cached


def test_a_revoked_token_is_replaced_once_and_the_call_succeeds(client: GraphClient, graph: FakeGraph) -> None:
    client.get(f"teams/{TEAM_REF}/channels", team=TEAM_REF)
    graph.tokens.clear()  # the tenant revoked every token issued so far
    assert client.get(f"teams/{TEAM_REF}/channels", team=TEAM_REF)["value"]
    assert len(graph.seen("oauth2/v2.0/token")) == 2


def test_retry_after_is_read_as_seconds_or_as_an_http_date(client: GraphClient) -> None:
    assert client.retry_after("12") == 12.0
    assert client.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert client.retry_after("soon") is None and client.retry_after(None) is None


def test_a_listing_follows_next_links_to_the_end_and_returns_the_delta_link(client: GraphClient,
                                                                           graph: FakeGraph) -> None:
    listing = client.listing(CHANNEL_MESSAGES, team=TEAM_REF)
    expected = [m.data["id"] for m in sorted(graph.data.messages, key=lambda m: m.seq) if m.scope == f"team:{TEAM_REF}"]
    assert [m["id"] for m in listing.items] == expected
    assert listing.pages == -(-len(expected) // graph.page_size)
    assert listing.delta_link is not None and "/getAllMessages/delta?$deltatoken=" in listing.delta_link


def test_the_delta_link_returns_only_what_changed_since(client: GraphClient, graph: FakeGraph) -> None:
    delta = client.listing(CHANNEL_MESSAGES, team=TEAM_REF).delta_link
    assert delta is not None
    changed = dict(next(m.data for m in graph.data.messages if m.data["id"] == "1700000300000"))
    changed["etag"] = "1700000999999"
    graph.data.put(f"team:{TEAM_REF}", changed)
    again = client.listing(delta, team=TEAM_REF)
    assert [(m["id"], m["etag"]) for m in again.items] == [("1700000300000", "1700000999999")]
    assert again.delta_link is not None and again.delta_link != delta


def test_a_429_is_waited_out_for_as_long_as_retry_after_says(client: GraphClient, graph: FakeGraph,
                                                             clock: FakeClock) -> None:
    graph.fail("channels/getAllMessages", 429, retry_after="7")
    listing = client.listing(CHANNEL_MESSAGES, team=TEAM_REF)
    assert listing.items
    assert 7.0 in clock.sleeps


def test_a_503_is_retried_and_the_listing_completes(client: GraphClient, graph: FakeGraph, clock: FakeClock) -> None:
    graph.fail("channels/getAllMessages", 503, times=2, retry_after="3")
    assert client.listing(CHANNEL_MESSAGES, team=TEAM_REF).delta_link is not None
    assert clock.sleeps.count(3.0) == 2


def test_no_team_gets_more_than_four_requests_in_any_second(client: GraphClient, graph: FakeGraph) -> None:
    for _ in range(3):
        client.listing(CHANNEL_MESSAGES, team=TEAM_REF, params={"$top": "1"})
    assert len(graph.team_requests[TEAM_REF]) > 20
    assert graph.rate_violations() == []


def test_the_rate_check_of_the_fake_server_does_catch_a_client_that_ignores_the_limit(
        make_client: MakeClient, graph: FakeGraph) -> None:
    graph.expect_rate_violations = True
    hasty = make_client(team_requests_per_second=1000.0, team_burst=1000.0)
    hasty.listing(CHANNEL_MESSAGES, team=TEAM_REF, params={"$top": "1"})
    assert graph.rate_violations() != []


def test_a_token_bucket_of_one_spaces_requests_evenly_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(4.0, 1.0, clock=clock, sleep=clock.sleep)
    moments = []
    for _ in range(9):
        bucket.acquire()
        moments.append(clock.now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(moments)] == [0.25] * 8
    with pytest.raises(ValueError):
        TokenBucket(0.0, 1.0, clock=clock, sleep=clock.sleep)


# --- downloads --------------------------------------------------------------------------------------------


def test_a_drive_item_is_downloaded_and_verified_by_quickxorhash_then_sha256(client: GraphClient, graph: FakeGraph,
                                                                            tmp_path: Path) -> None:
    result = client.download_item(DRIVE, ITEM_PDF, tmp_path / "begroting.pdf")
    content = (tmp_path / "begroting.pdf").read_bytes()
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    assert result.quick_xor_hash == _reference_quick_xor(content) == result.item["file"]["hashes"]["quickXorHash"]
    assert result.size == len(content) and content.startswith(b"%PDF")
    assert (result.resumed, result.refetched) == (0, 0)
    assert graph.token_leaks == []  # the pre-authenticated download URL got no token
    assert not (tmp_path / "begroting.pdf.part").exists()


def test_a_download_that_breaks_off_resumes_with_range(client: GraphClient, graph: FakeGraph, tmp_path: Path) -> None:
    graph.break_download(ITEM_PDF, after=100)
    result = client.download_item(DRIVE, ITEM_PDF, tmp_path / "begroting.pdf")
    ranges = [r.headers.get("range") for r in graph.seen(f"^/download/{ITEM_PDF}")]
    assert ranges == [None, "bytes=100-"]
    assert result.resumed == 1
    assert result.sha256 == hashlib.sha256(graph.data.items[ITEM_PDF].bytes_of()).hexdigest()  # type: ignore[arg-type]


def test_an_item_changed_between_metadata_and_download_is_fetched_again(client: GraphClient, graph: FakeGraph,
                                                                        tmp_path: Path) -> None:
    graph.change_on_download[ITEM_TEXT] = 1
    result = client.download_item(DRIVE, ITEM_TEXT, tmp_path / "werkversie.txt")
    assert result.refetched == 1
    assert result.item["eTag"].endswith(',2"')
    assert (tmp_path / "werkversie.txt").read_bytes().endswith(b"versie 2\n")
    assert result.quick_xor_hash == _reference_quick_xor((tmp_path / "werkversie.txt").read_bytes())


def test_an_item_that_keeps_changing_is_given_up_after_max_refetch(make_client: MakeClient, graph: FakeGraph,
                                                                   tmp_path: Path) -> None:
    client = make_client(max_refetch=2)
    graph.change_on_download[ITEM_TEXT] = 10
    with pytest.raises(GraphError, match="kept changing"):
        client.download_item(DRIVE, ITEM_TEXT, tmp_path / "werkversie.txt")
    assert list(tmp_path.iterdir()) == []


def test_a_file_larger_than_100_mb_streams_to_disk_and_verifies(client: GraphClient, graph: FakeGraph,
                                                                tmp_path: Path) -> None:
    graph.break_download(ITEM_BIG, after=60 * 1024 * 1024 + 7)
    result = client.download_item(DRIVE, ITEM_BIG, tmp_path / "opname.bin")
    assert result.size == BIG_SIZE > 100 * 1024 * 1024
    expected = hashlib.sha256()
    for chunk in Generated(BIG_SIZE).chunks():
        expected.update(chunk)
    assert result.sha256 == expected.hexdigest()
    assert result.quick_xor_hash == graph.data.items[ITEM_BIG].quick_xor_hash()
    assert result.resumed == 1


# --- the quickxorhash package -----------------------------------------------------------------------------


def test_the_quickxorhash_package_agrees_with_the_published_algorithm_however_the_input_is_split() -> None:
    rng = random.Random(7)
    assert _package_quick_xor(b"hello world") == _reference_quick_xor(b"hello world") == "aCgDG9jwBhDc4Q1yawMZAAAAAAA="
    for size in (0, 1, 19, 20, 159, 160, 161, 1000, 4099):
        data = os.urandom(size)
        cuts = sorted(rng.sample(range(size + 1), min(4, size + 1)))
        pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, size], strict=True)]
        assert _package_quick_xor(data) == _package_quick_xor(*pieces) == _reference_quick_xor(data), size
